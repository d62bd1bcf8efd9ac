#include "TrayNotifier.h"

#include "AppIcon.h"

#include <QPixmap>

using namespace Qt::StringLiterals;

namespace pitchey::app {

namespace {

QIcon trayIcon(int unread)
{
    return QIcon(QPixmap::fromImage(drawAppIconWithBadge(64, unread)));
}

} // namespace

TrayNotifier::TrayNotifier(QObject *parent)
    : QObject(parent)
{
    m_tray.setIcon(trayIcon(0));
    m_tray.setToolTip(tr("Pitchey Messenger"));
    connect(&m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        if (m_lastConversation > 0)
            Q_EMIT activated(m_lastConversation, m_lastMessage);
    });
    connect(&m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason why) {
                if (why != QSystemTrayIcon::Context)
                    Q_EMIT raiseRequested();
            });
    m_menu.addAction(tr("Show Pitchey Messenger"), this, &TrayNotifier::raiseRequested);
    m_menu.addSeparator();
    m_menu.addAction(tr("Quit"), this, &TrayNotifier::quitRequested);
    m_tray.setContextMenu(&m_menu);
    m_tray.show();
}

// (A tray balloon cannot be taken back or changed: an edit or delete leaves it to expire.)
void TrayNotifier::show(qint64 conversationId, qint64 messageId, const QString &title,
                        const QString &body)
{
    m_lastConversation = conversationId;
    m_lastMessage = messageId;
    m_tray.showMessage(title, body, QSystemTrayIcon::Information);
}

void TrayNotifier::setUnreadTotal(int unread)
{
    m_tray.setIcon(trayIcon(unread));
    m_tray.setToolTip(unread > 0 ? tr("Pitchey Messenger: %n unread", nullptr, unread)
                                 : tr("Pitchey Messenger"));
}

} // namespace pitchey::app
