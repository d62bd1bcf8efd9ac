#include "FreedesktopNotifier.h"

#include "AppIcon.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QGuiApplication>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::app {

namespace {
const QString kService = u"org.freedesktop.Notifications"_s;
const QString kPath = u"/org/freedesktop/Notifications"_s;
} // namespace

FreedesktopNotifier::FreedesktopNotifier(QObject *parent)
    : QObject(parent)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    bus.connect(kService, kPath, kService, u"ActionInvoked"_s, this,
                SLOT(onActionInvoked(uint, QString)));
    bus.connect(kService, kPath, kService, u"NotificationClosed"_s, this,
                SLOT(onClosed(uint, uint)));
}

bool FreedesktopNotifier::available()
{
    const QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface() &&
           bus.interface()->isServiceRegistered(kService).value();
}

QVariantMap FreedesktopNotifier::hints() const
{
    QVariantMap hints{{u"desktop-entry"_s, QString::fromLatin1(kAppId)},
                      {u"category"_s, u"im.received"_s}};
    // The desktop's own sound for a new instant message (the sound theme names it).
    if (m_sound)
        hints.insert(u"sound-name"_s, u"message-new-instant"_s);
    else
        hints.insert(u"suppress-sound"_s, true);
    return hints;
}

void FreedesktopNotifier::show(qint64 conversationId, qint64 messageId, const QString &title,
                               const QString &body)
{
    const auto shown = std::find_if(m_shown.cbegin(), m_shown.cend(),
                                    [&](const Shown &it) { return it.messageId == messageId; });
    notify(shown != m_shown.cend() ? shown.key() : 0, conversationId, messageId, title, body);
}

void FreedesktopNotifier::update(qint64 messageId, const QString &body)
{
    const auto shown = std::find_if(m_shown.cbegin(), m_shown.cend(),
                                    [&](const Shown &it) { return it.messageId == messageId; });
    if (shown != m_shown.cend())
        notify(shown.key(), shown->conversationId, messageId, shown->title, body);
}

void FreedesktopNotifier::withdraw(qint64 messageId)
{
    for (auto it = m_shown.cbegin(); it != m_shown.cend(); ++it) {
        if (it->messageId != messageId)
            continue;
        QDBusMessage call =
            QDBusMessage::createMethodCall(kService, kPath, kService, u"CloseNotification"_s);
        call << it.key();
        QDBusConnection::sessionBus().asyncCall(call);
        m_shown.erase(it);
        return;
    }
    m_withdrawnEarly.insert(messageId); // its Notify answer is still on its way
}

void FreedesktopNotifier::notify(uint replaces, qint64 conversationId, qint64 messageId,
                                 const QString &title, const QString &body)
{
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kService, u"Notify"_s);
    // The body may be read as markup by the server: what people write stays text.
    call << QGuiApplication::applicationDisplayName() << replaces << QString::fromLatin1(kAppId)
         << title << body.toHtmlEscaped() << QStringList{u"default"_s, tr("Open")} << hints()
         << int(-1);
    auto *watcher =
        new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    const Shown shown{conversationId, messageId, title};
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, shown](QDBusPendingCallWatcher *finished) {
                const QDBusPendingReply<uint> reply = *finished;
                finished->deleteLater();
                if (!reply.isValid())
                    return;
                m_shown.insert(reply.value(), shown);
                // Deleted, or clicked, before this answer came back (D-Bus does not order
                // the service's signal after its reply for us).
                if (m_withdrawnEarly.remove(shown.messageId))
                    withdraw(shown.messageId);
                else if (m_clickedEarly.remove(reply.value()))
                    Q_EMIT activated(shown.conversationId, shown.messageId);
            });
}

void FreedesktopNotifier::onActionInvoked(uint id, const QString &action)
{
    Q_UNUSED(action)
    if (m_shown.contains(id))
        Q_EMIT activated(m_shown.value(id).conversationId, m_shown.value(id).messageId);
    else if (m_clickedEarly.size() < 64)
        m_clickedEarly.insert(id);
}

void FreedesktopNotifier::onClosed(uint id, uint reason)
{
    Q_UNUSED(reason)
    m_shown.remove(id);
    m_clickedEarly.remove(id);
}

} // namespace pitchey::app
