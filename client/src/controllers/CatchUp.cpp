#include "controllers/CatchUp.h"

#include "controllers/Timeline.h"

namespace pitchey::client {

namespace {

constexpr int kCatchUpPage = 100;
constexpr int kFeedPage = api::ChangesQuery::kMaxLimit;
constexpr int kArrivedMost = 500; // pushed in the moment the conversation list was on its way

} // namespace

CatchUp::CatchUp(ChatState &state, Timeline &timeline, QObject *parent)
    : QObject(parent)
    , m_state(state)
    , m_timeline(timeline)
{}

void CatchUp::refreshConversations()
{
    m_state.api.conversations(m_state.scope, [this](Result<QList<Conversation>> list) {
        if (!list.ok() || !m_state.cache)
            return;
        const QList<Conversation> fresh = list.value();
        // The server's list is the truth; who is typing is not in it.
        m_state.conversations.setConversations(fresh);
        m_state.cache->saveConversations(fresh);
        for (const Conversation &conversation : fresh) {
            m_state.showReadMarkers(conversation);
            const qint64 known = m_state.cache->newestId(conversation.id);
            const qint64 listed = conversation.lastMessage ? conversation.lastMessage->id : 0;
            if (known > 0 && listed > known)
                pageForward(conversation.id, known);
            else if (known > listed)
                keepArrived(conversation);
        }
        Q_EMIT conversationsRefreshed();
    });
}

void CatchUp::keepArrived(const Conversation &listed)
{
    // Pushed while the list was on its way, after the server read it: they count as they
    // did when they came (the list has just replaced the counts).
    const qint64 last = listed.lastMessage ? listed.lastMessage->id : 0;
    const qint64 read = listed.readMarkers.value(m_state.me);
    bool kept = false;
    for (const LocalMessage &message :
         m_state.cache->messagesAfter(listed.id, last, kArrivedMost)) {
        if (message.isDeleted())
            continue; // (the list's last message is the one before it)
        m_state.conversations.setLastMessage(message.toMessage(),
                                             !message.isOwn(m_state.me) && message.id > read);
        kept = true;
    }
    if (kept)
        m_state.saveConversation(listed.id);
}

void CatchUp::pageForward(qint64 conversationId, qint64 afterId)
{
    api::HistoryQuery forward;
    forward.after = afterId;
    forward.limit = kCatchUpPage;
    m_state.api.history(conversationId, forward, m_state.scope,
                        [this, conversationId](Result<HistoryPage> page) {
                            if (!page.ok() || !m_state.cache || page.value().messages.isEmpty())
                                return;
                            m_timeline.store(conversationId, page.value().messages);
                            if (page.value().hasMore)
                                pageForward(conversationId, page.value().messages.constLast().id);
                        });
}

void CatchUp::newMessage(const Message &message)
{
    if (!m_state.cache)
        return;
    // Acknowledge every copy, even one already stored: the server keeps pushing until it
    // hears this.
    const bool fromOthers = message.senderId != m_state.me;
    if (fromOthers)
        m_state.connection.send(frames::MessageDelivered{message.id});
    const auto stored = m_state.cache->storeFromServer(message);
    if (!stored.changed)
        return;
    m_state.show(stored.message);
    if (!m_state.conversations.find(message.conversationId)) {
        refreshConversations(); // someone started a conversation with this user
        return;
    }
    m_state.conversations.setLastMessage(message, fromOthers && stored.inserted);
    m_state.saveConversation(message.conversationId);
    if (message.conversationId == m_state.current)
        Q_EMIT currentTouched();
    if (fromOthers && stored.inserted)
        Q_EMIT messageArrived(message.conversationId, message.id,
                              m_state.conversations.displayName(message.senderId), message.content,
                              message.mentions.userIds.contains(m_state.me));
}

void CatchUp::messageChanged(const Message &message)
{
    if (!m_state.cache)
        return;
    // Only what this client holds: a message it never had comes with its history, as it is.
    const auto before = m_state.cache->byId(message.id);
    const auto applied = before ? m_state.cache->applyChange(message) : std::nullopt;
    if (!applied)
        return;
    m_state.show(*applied);
    if (message.conversationId == m_state.current) {
        for (const LocalMessage &reply : m_state.cache->repliesTo(message.id))
            m_state.show(reply); // their excerpt of it
    }
    if (message.deletedAt) {
        // conversation_updated brings the list's new last message.
        Q_EMIT messageDeleted(message.conversationId, message.id);
        return;
    }
    const Conversation *conversation = m_state.conversations.find(message.conversationId);
    if (conversation && conversation->lastMessage && conversation->lastMessage->id == message.id) {
        m_state.conversations.setLastMessage(message, false);
        m_state.saveConversation(message.conversationId);
    }
    if (before->content != message.content) // not for reactions or a thread's summary
        Q_EMIT messageEdited(message.conversationId, message.id, message.content);
}

void CatchUp::readFeed(qint64 latest)
{
    if (!m_state.cache || m_readingFeed)
        return;
    const qint64 position = m_state.cache->feedPosition();
    // Never read: the history this client loads from now on is current. Ahead of the
    // server: the server's database is not the one this position was read from.
    if (position < 0 || position > latest)
        return m_state.cache->setFeedPosition(latest);
    if (position < latest)
        pageFeed(position);
}

void CatchUp::pageFeed(qint64 since)
{
    m_readingFeed = true;
    m_state.api.changes(since, kFeedPage, m_state.scope, [this](Result<api::ChangesAnswer> page) {
        m_readingFeed = false;
        if (!page.ok() || !m_state.cache)
            return; // read again on the next connection
        for (const Message &message : page.value().messages)
            messageChanged(message);
        if (page.value().hasMore && !page.value().messages.isEmpty())
            return pageFeed(page.value().messages.constLast().changeId);
        m_state.cache->setFeedPosition(page.value().latestChangeId);
    });
}

} // namespace pitchey::client
