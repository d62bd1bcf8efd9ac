#pragma once

#include "controllers/ChatState.h"

#include <QObject>

namespace pitchey::client {

class Timeline;

// Keeping up with the server: the conversation list on every connect, the messages each
// conversation got while this client was away (paged forward from the newest cached one),
// every new_message as it arrives (acknowledged, cached, shown), and every change to a
// message (message_updated as it happens, the change feed after any absence).
class CatchUp : public QObject
{
    Q_OBJECT

public:
    CatchUp(ChatState &state, Timeline &timeline, QObject *parent = nullptr);

    void refreshConversations();
    void newMessage(const Message &message);
    // A message in a later state (edited, deleted): applied where this client shows it.
    void messageChanged(const Message &message);
    // The changes since the feed position this client applied last, up to `latest` (the
    // connected frame's); the first time, `latest` is where this client starts.
    void readFeed(qint64 latest);

Q_SIGNALS:
    void conversationsRefreshed();
    // A message changed what the open conversation's header shows (its sender stopped typing).
    void currentTouched();
    // A message from someone else arrived (for notifications and tests).
    // `mentioned`: it mentions the user by name.
    void messageArrived(qint64 conversationId, qint64 messageId, const QString &senderName,
                        const QString &text, bool mentioned);
    // A message shown here was edited or deleted (its notification follows it).
    void messageEdited(qint64 conversationId, qint64 messageId, const QString &text);
    void messageDeleted(qint64 conversationId, qint64 messageId);

private:
    void pageForward(qint64 conversationId, qint64 afterId);
    void keepArrived(const Conversation &listed);
    void pageFeed(qint64 since);
    bool m_readingFeed = false;

    ChatState &m_state;
    Timeline &m_timeline;
};

} // namespace pitchey::client
