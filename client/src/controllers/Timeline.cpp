#include "controllers/Timeline.h"

#include "models/MessageText.h"
#include "protocol/Validation.h"
#include "sync/OfflineQueue.h"

#include <algorithm>

namespace pitchey::client {

namespace {

constexpr int kPageSize = 50;
// The most the server gives in one page (version 1 of the contract).
constexpr int kServerPage = 100;
// At most this many come from the cache at once to reach the first unread message.
constexpr int kMaxOpenPage = 500;
// Older messages from the cache come in smaller steps: each insertion above the view costs
// a layout pass, and a small one fits in a frame.
constexpr int kCachePage = 20;
// How many pages reveal() loads at most to reach a message (at least 1,000 messages).
constexpr int kRevealSteps = 50;
// Opened at the first unread message (more than kMaxOpenPage of them): this many before it,
// and pages of this many after it, from the cache.
constexpr int kContextBefore = 20;
constexpr int kNewerPage = 100;

} // namespace

Timeline::Timeline(ChatState &state, QObject *parent)
    : QObject(parent)
    , m_state(state)
{
    m_state.messages.setOlderFetcher([this] { fetchOlder(); });
    m_state.messages.setNewerFetcher([this] { fetchNewer(); });
}

void Timeline::setOlder(bool mayHaveOlder, bool loading)
{
    m_mayHaveOlder = mayHaveOlder;
    m_state.messages.setMayHaveOlder(mayHaveOlder && !loading);
    if (m_loadingOlder != loading) {
        m_loadingOlder = loading;
        Q_EMIT loadingOlderChanged();
        if (!loading && m_revealing != 0)
            continueReveal();
    }
}

void Timeline::reveal(qint64 messageId)
{
    m_revealing = messageId;
    m_revealSteps = kRevealSteps;
    continueReveal();
}

void Timeline::continueReveal()
{
    while (m_revealing != 0) {
        const int row = m_state.messages.rowOfMessage(m_revealing);
        if (row >= 0) {
            m_revealing = 0;
            return Q_EMIT revealed(row);
        }
        if (m_loadingOlder)
            return; // on when the page is in (setOlder)
        if (m_state.messages.hasNewer() && m_revealing > m_state.messages.newestId() &&
            m_revealSteps-- > 0) {
            fetchNewer();
            continue;
        }
        const qint64 oldest = m_state.messages.oldestId();
        if (m_revealSteps-- <= 0 || !m_mayHaveOlder || (oldest > 0 && m_revealing > oldest)) {
            m_revealing = 0;
            return Q_EMIT unavailable();
        }
        fetchOlder();
    }
}

bool Timeline::open(qint64 conversationId)
{
    LocalCache *cache = m_state.cache;
    const Conversation *conversation = m_state.conversations.find(conversationId);
    if (!cache || !conversation)
        return false;
    m_state.current = conversationId;
    // Unread messages open under a "New messages" line.
    const qint64 readUpTo =
        conversation->unreadCount > 0 ? conversation->readMarkers.value(m_state.me) : -1;
    if (conversation->unreadCount > kMaxOpenPage && readUpTo >= 0 &&
        openAtFirstUnread(conversationId, readUpTo))
        return true;
    // Enough of the newest messages to reach the first unread one (within reason), for the
    // line to be on it.
    const int page = std::clamp(int(conversation->unreadCount) + 10, kPageSize, kMaxOpenPage);
    m_state.messages.reset(conversationId, cache->messages(conversationId, page));
    m_state.messages.setUnreadAfter(readUpTo);
    // Whatever is newer than the cache comes by catching up; older unread messages the cache
    // lacks (or all, for a conversation never opened) come from the server.
    const MessageListModel &messages = m_state.messages;
    if (cache->newestId(conversationId) == 0) {
        fetchToFirstUnread(conversationId, readUpTo, 0, 0);
    } else if (lacksUnread(readUpTo, messages.oldestId(), messages.rowCount())) {
        fetchToFirstUnread(conversationId, readUpTo, messages.oldestId(), 0);
    } else {
        setOlder(true, false);
    }
    return true;
}

bool Timeline::openAtFirstUnread(qint64 conversationId, qint64 readUpTo)
{
    LocalCache *cache = m_state.cache;
    const QList<LocalMessage> unread = cache->messagesAfter(conversationId, readUpTo, kNewerPage);
    if (unread.size() < kNewerPage)
        return false;
    m_state.messages.reset(conversationId,
                           cache->messages(conversationId, kContextBefore, readUpTo + 1) + unread);
    m_state.messages.setUnreadAfter(readUpTo);
    m_state.messages.setHasNewer(true);
    setOlder(true, false);
    return true;
}

void Timeline::fetchNewer()
{
    LocalCache *cache = m_state.cache;
    const qint64 conversationId = m_state.current;
    if (!cache || conversationId == 0 || !m_state.messages.hasNewer())
        return;
    const QList<LocalMessage> newer =
        cache->messagesAfter(conversationId, m_state.messages.newestId(), kNewerPage);
    m_state.messages.addNewer(newer);
    if (newer.size() == kNewerPage)
        return;
    // The newest: from here on, what arrives shows at once, and the unsent ones are last.
    m_state.messages.setHasNewer(false);
    for (const LocalMessage &unsent : cache->messages(conversationId, 0))
        m_state.messages.upsert(unsent);
}

void Timeline::showNewest()
{
    LocalCache *cache = m_state.cache;
    const qint64 conversationId = m_state.current;
    if (!cache || conversationId == 0 || !m_state.messages.hasNewer())
        return;
    const qint64 readUpTo = m_state.messages.unreadAfter();
    m_state.messages.reset(conversationId, cache->messages(conversationId, kPageSize));
    m_state.messages.setUnreadAfter(readUpTo);
    setOlder(true, false);
}

bool Timeline::lacksUnread(qint64 readUpTo, qint64 oldestLoaded, int loaded)
{
    return readUpTo >= 0 && loaded < kMaxOpenPage && (loaded == 0 || oldestLoaded > readUpTo);
}

void Timeline::fetchToFirstUnread(qint64 conversationId, qint64 readUpTo, qint64 before,
                                  int fetched)
{
    setOlder(true, true);
    const int limit = readUpTo >= 0 ? kServerPage : kPageSize;
    m_state.api.history(
        conversationId, ApiClient::mainPage(before, limit), m_state.scope,
        [this, conversationId, readUpTo, before, fetched](Result<HistoryPage> page) {
            LocalCache *cache = m_state.cache;
            if (!cache || conversationId != m_state.current)
                return;
            if (!page.ok())
                return setOlder(true, false); // asked again as the view scrolls
            const QList<Message> &got = page.value().messages;
            for (const Message &message : got)
                cache->storeFromServer(message);
            // What the view has (messages may have arrived meanwhile) and what came now.
            const int now = m_state.messages.rowCount() + fetched + int(got.size());
            const qint64 oldest = got.isEmpty() ? before : got.constFirst().id;
            const bool more = page.value().hasMore;
            if (more && lacksUnread(readUpTo, oldest, now))
                return fetchToFirstUnread(conversationId, readUpTo, oldest,
                                          fetched + int(got.size()));
            // All there: shown at once, so that the view opens where it belongs.
            m_state.messages.reset(conversationId, cache->messages(conversationId, now));
            m_state.messages.setUnreadAfter(readUpTo);
            if (const Conversation *conversation = m_state.conversations.find(conversationId))
                m_state.showReadMarkers(*conversation);
            setOlder(more, false);
        });
}

void Timeline::close()
{
    m_revealing = 0;
    m_state.current = 0;
    m_state.messages.reset(0, {});
    setOlder(false, false);
}

void Timeline::fetchOlder()
{
    LocalCache *cache = m_state.cache;
    const qint64 conversationId = m_state.current;
    if (!cache || conversationId == 0 || m_loadingOlder || !m_mayHaveOlder)
        return;
    const qint64 oldest = m_state.messages.oldestId();
    const QList<LocalMessage> cached = cache->messages(conversationId, kCachePage, oldest);
    m_state.messages.addOlder(cached);
    if (cached.size() == kCachePage)
        return;
    // The cache ends here; the server has the rest.
    setOlder(true, true);
    const qint64 before = cached.isEmpty() ? oldest : cached.constFirst().id;
    m_state.api.history(conversationId, ApiClient::mainPage(before, kPageSize), m_state.scope,
                        [this, conversationId](Result<HistoryPage> page) {
                            if (!m_state.cache || conversationId != m_state.current)
                                return;
                            if (!page.ok())
                                return setOlder(true, false); // asked again as the view scrolls
                            QList<LocalMessage> older;
                            for (const Message &message : page.value().messages)
                                older.append(m_state.cache->storeFromServer(message).message);
                            m_state.messages.addOlder(older);
                            setOlder(page.value().hasMore, false);
                        });
}

bool Timeline::send(const QString &text, qint64 replyToId, qint64 threadRootId,
                    const QList<OutgoingFile> &files)
{
    const bool blank = text.trimmed().isEmpty();
    if (!m_state.queue || m_state.current == 0 || (blank && files.isEmpty()))
        return false;
    if (codePointCount(text) > kMaxContentCodePoints) {
        Q_EMIT errorOccurred(
            tr("A message can be at most %1 characters long").arg(kMaxContentCodePoints));
        return false;
    }
    if (threadRootId == 0)
        showNewest(); // what is sent shows at the bottom, under the newest
    // A caption of blanks is no caption (the server refuses whitespace alone).
    auto queued = m_state.queue->enqueue(m_state.current, m_state.me, blank ? QString() : text,
                                         {replyToId, threadRootId, mentionsOf(text), files});
    if (!queued.ok()) {
        Q_EMIT errorOccurred(queued.error().message);
        return false;
    }
    m_state.show(queued.value());
    m_state.conversations.setPending(m_state.current, queued.value());
    return true;
}

Mentions Timeline::mentionsOf(const QString &text) const
{
    const Conversation *conversation = m_state.conversations.find(m_state.current);
    return conversation
               ? mentionsIn(text, conversation->participants, m_state.me, conversation->isGroup)
               : Mentions{};
}

bool Timeline::change(qint64 messageId, const QString *newText)
{
    if (!m_state.queue)
        return false;
    if (newText &&
        (newText->trimmed().isEmpty() || codePointCount(*newText) > kMaxContentCodePoints)) {
        Q_EMIT errorOccurred(
            tr("A message can be at most %1 characters long").arg(kMaxContentCodePoints));
        return false;
    }
    auto changed = newText ? m_state.queue->change(Outgoing::Kind::Edit, messageId, *newText, true,
                                                   mentionsOf(*newText))
                           : m_state.queue->change(Outgoing::Kind::Delete, messageId);
    if (!changed.ok()) {
        Q_EMIT errorOccurred(changed.error().message);
        return false;
    }
    return true;
}

void Timeline::store(qint64 conversationId, const QList<Message> &messages)
{
    if (!m_state.cache)
        return; // logged out while the page was on its way
    for (const Message &message : messages) {
        const auto stored = m_state.cache->storeFromServer(message);
        if (conversationId == m_state.current && stored.changed)
            m_state.show(stored.message);
    }
    if (const Conversation *conversation = m_state.conversations.find(conversationId))
        m_state.showReadMarkers(*conversation);
}

void Timeline::localMessageChanged(const LocalMessage &message)
{
    m_state.show(message);
    if (message.id == 0) {
        m_state.conversations.setPending(message.conversationId, message);
    } else if (message.state == LocalMessage::State::Sent) {
        m_state.conversations.setPending(message.conversationId, std::nullopt);
        m_state.conversations.setLastMessage(message.toMessage(), false);
        m_state.saveConversation(message.conversationId);
    }
}

} // namespace pitchey::client
