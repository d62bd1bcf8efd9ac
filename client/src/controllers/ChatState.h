#pragma once

#include "models/ConversationListModel.h"
#include "models/MessageListModel.h"
#include "net/ApiClient.h"
#include "net/RealtimeConnection.h"
#include "store/LocalCache.h"

namespace pitchey::client {

class OfflineQueue;

// What the parts of the logged-in messenger (ChatController's Timeline, TypingAndReading and
// CatchUp) share: the transports, the models, and the session's cache and queue. Owned by
// ChatController; the session's fields are set on login and cleared on logout.
struct ChatState
{
    ApiClient &api;
    RealtimeConnection &connection;
    ConversationListModel &conversations;
    MessageListModel &messages; // the open conversation without thread replies
    MessageListModel &thread;   // the open thread: its root and replies

    // The logged-in session (null / 0 when logged out).
    LocalCache *cache = nullptr;
    OfflineQueue *queue = nullptr;
    // Context of the session's requests: replaced on every login, so that an answer meant
    // for one account never lands in another's cache.
    QObject *scope = nullptr;
    qint64 me = 0;
    qint64 current = 0; // the open conversation, or 0

    // A message held here, new or changed: into the view that shows it (a thread's root in
    // both).
    void show(const LocalMessage &message) const
    {
        messages.upsert(message);
        thread.upsert(message);
    }
    void showStates(const QList<qint64> &messageIds, LocalMessage::State state) const
    {
        messages.setStates(messageIds, state);
        thread.setStates(messageIds, state);
    }

    // The own messages that others have read up to their markers, shown as read.
    void showReadMarkers(const Conversation &conversation) const;

    // Writes a conversation's row (as the list shows it) to the cache.
    void saveConversation(qint64 conversationId) const
    {
        if (const Conversation *conversation = conversations.find(conversationId);
            conversation && cache)
            cache->saveConversation(*conversation);
    }
};

} // namespace pitchey::client
