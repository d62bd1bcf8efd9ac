#pragma once

#include "controllers/ChatState.h"

#include <QObject>

namespace pitchey::client {

class Timeline;

// Keeping up with the server: the conversation list on every connect, the messages each
// conversation got while this client was away (paged forward from the newest cached one),
// and every new_message as it arrives (acknowledged, cached, shown).
class CatchUp : public QObject
{
    Q_OBJECT

public:
    CatchUp(ChatState &state, Timeline &timeline, QObject *parent = nullptr);

    void refreshConversations();
    void newMessage(const Message &message);

Q_SIGNALS:
    void conversationsRefreshed();
    // A message changed what the open conversation's header shows (its sender stopped typing).
    void currentTouched();
    // A message from someone else arrived (for notifications and tests).
    void messageArrived(qint64 conversationId, qint64 messageId, const QString &senderName,
                        const QString &text);

private:
    void pageForward(qint64 conversationId, qint64 afterId);

    ChatState &m_state;
    Timeline &m_timeline;
};

} // namespace pitchey::client
