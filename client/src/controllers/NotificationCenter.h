#pragma once

#include <QHash>
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
    // Shows a message's notification (in the place of the one shown for it, if any).
    virtual void show(qint64 conversationId, qint64 messageId, const QString &title,
                      const QString &body) = 0;
    // The message was edited: its notification, while still shown, says the new text.
    virtual void update(qint64 messageId, const QString &body)
    {
        Q_UNUSED(messageId)
        Q_UNUSED(body)
    }
    // The message was deleted: its notification goes.
    virtual void withdraw(qint64 messageId) { Q_UNUSED(messageId) }
};

// Which arriving messages deserve a desktop notification: someone else's message, with
// real-time notifications on, in a conversation that is not muted, while the window is in
// the background or another conversation is open. An edit updates the notification shown,
// a delete withdraws it. Reactions to the user's messages notify as the server says (one
// notification per message, renewed as reactions come, withdrawn when taken back).
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
        bool mentionedByName = false;  // a mention by name passes a mute...
        bool mentionsWhenMuted = true; // ...while this preference is on
    };
    [[nodiscard]] static bool shouldNotify(const Situation &situation);
    // A message's text as a notification shows it: one line, at most 200 characters.
    [[nodiscard]] static QString bodyOf(const QString &text);

    NotificationCenter(ChatController &chat, SettingsController &settings,
                       QObject *parent = nullptr);
    void setPresenter(NotificationPresenter *presenter) { m_presenter = presenter; }

private:
    void onMessage(qint64 conversationId, qint64 messageId, const QString &senderName,
                   const QString &text, bool mentioned);
    void onReactions(qint64 id, qint64 conversationId, qint64 messageId, const QString &title,
                     const QString &body);
    [[nodiscard]] Situation situationIn(qint64 conversationId, bool mentioned) const;

    ChatController &m_chat;
    SettingsController &m_settings;
    NotificationPresenter *m_presenter = nullptr;
    QHash<qint64, qint64> m_reactions; // the server's notification id -> its message
};

} // namespace pitchey::client
