#include "TrayNotifier.h"

#include <QFont>
#include <QPainter>
#include <QPixmap>

using namespace Qt::StringLiterals;

namespace pitchey::app {

namespace {

// The app's mark with the unread count on it; drawn, so that it needs no image files.
QIcon trayIcon(int unread)
{
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(QColor(0x2d, 0x7f, 0xf9));
    painter.setPen(Qt::NoPen);
    painter.drawEllipse(4, 4, 56, 56);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(unread > 0 ? 28 : 34);
    painter.setFont(font);
    painter.setPen(Qt::white);
    const QString text = unread > 99 ? u"99+"_s : unread > 0 ? QString::number(unread) : u"P"_s;
    painter.drawText(pixmap.rect(), Qt::AlignCenter, text);
    return QIcon(pixmap);
}

} // namespace

TrayNotifier::TrayNotifier(QObject *parent)
    : QObject(parent)
{
    m_tray.setIcon(trayIcon(0));
    m_tray.setToolTip(tr("Pitchey Messenger"));
    connect(&m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        if (m_lastConversation > 0)
            Q_EMIT activated(m_lastConversation);
    });
    connect(&m_tray, &QSystemTrayIcon::activated, this, [this] { Q_EMIT raiseRequested(); });
    m_tray.show();
}

void TrayNotifier::show(qint64 conversationId, const QString &title, const QString &body)
{
    m_lastConversation = conversationId;
    m_tray.showMessage(title, body, QSystemTrayIcon::Information);
}

void TrayNotifier::setUnreadTotal(int unread)
{
    m_tray.setIcon(trayIcon(unread));
    m_tray.setToolTip(unread > 0 ? tr("Pitchey Messenger: %n unread", nullptr, unread)
                                 : tr("Pitchey Messenger"));
}

} // namespace pitchey::app
