#pragma once

#include "controllers/NotificationCenter.h"

#include <QMenu>
#include <QObject>
#include <QSystemTrayIcon>

namespace pitchey::app {

// The tray icon, where the desktop has a tray: the unread total on the icon, a click
// raises the window, its menu shows the window or quits (the window may close into the
// tray). Where no freedesktop notification service runs (Windows, macOS, some Linux
// desktops) it also pops up new messages; clicking one opens its message.
class TrayNotifier : public QObject, public client::NotificationPresenter
{
    Q_OBJECT

public:
    explicit TrayNotifier(QObject *parent = nullptr);

    [[nodiscard]] static bool available() { return QSystemTrayIcon::isSystemTrayAvailable(); }
    void show(qint64 conversationId, qint64 messageId, const QString &title,
              const QString &body) override;
    void setUnreadTotal(int unread);

Q_SIGNALS:
    void activated(qint64 conversationId, qint64 messageId);
    void raiseRequested();
    void quitRequested();

private:
    QMenu m_menu;
    QSystemTrayIcon m_tray;
    qint64 m_lastConversation = 0;
    qint64 m_lastMessage = 0;
};

} // namespace pitchey::app
