#pragma once

#include <QObject>
#include <QString>

namespace pitchey::client {

class ChatController;
class SettingsController;

// Shows a notification on the desktop; implemented by the app (freedesktop notifications
// over D-Bus), or by tests.
class NotificationPresenter
{
public:
    virtual ~NotificationPresenter() = default;
    virtual void show(qint64 conversationId, const QString &title, const QString &body) = 0;
};

// Which arriving messages deserve a desktop notification: someone else's message, with
// real-time notifications on, in a conversation that is not muted, while the window is in
// the background or another conversation is open.
class NotificationCenter : public QObject
{
    Q_OBJECT

public:
    struct Situation
    {
        bool realtimeEnabled = true;
        bool muted = false;
        bool windowActive = false;
        bool conversationOpen = false;
    };
    [[nodiscard]] static bool shouldNotify(const Situation &situation);

    NotificationCenter(ChatController &chat, SettingsController &settings,
                       QObject *parent = nullptr);
    void setPresenter(NotificationPresenter *presenter) { m_presenter = presenter; }

Q_SIGNALS:
    // The user clicked a notification: open this conversation.
    void activated(qint64 conversationId);

private:
    void onMessage(qint64 conversationId, const QString &senderName, const QString &text);

    ChatController &m_chat;
    SettingsController &m_settings;
    NotificationPresenter *m_presenter = nullptr;
};

} // namespace pitchey::client
