#pragma once

#include "controllers/NotificationCenter.h"

#include <QObject>
#include <QSystemTrayIcon>

namespace pitchey::app {

// Where no freedesktop notification service runs (Windows, macOS, some Linux desktops): a
// tray icon that shows the unread total and pops up new messages; clicking the message
// opens its conversation.
class TrayNotifier : public QObject, public client::NotificationPresenter
{
    Q_OBJECT

public:
    explicit TrayNotifier(QObject *parent = nullptr);

    [[nodiscard]] static bool available() { return QSystemTrayIcon::isSystemTrayAvailable(); }
    void show(qint64 conversationId, const QString &title, const QString &body) override;
    void setUnreadTotal(int unread);

Q_SIGNALS:
    void activated(qint64 conversationId);
    void raiseRequested();

private:
    QSystemTrayIcon m_tray;
    qint64 m_lastConversation = 0;
};

} // namespace pitchey::app
