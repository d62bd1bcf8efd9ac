#include "controllers/ThreadView.h"

namespace pitchey::client {

namespace {

constexpr int kPageSize = 50;

} // namespace

ThreadView::ThreadView(ChatState &state, QObject *parent)
    : QObject(parent)
    , m_state(state)
{
    m_state.thread.setOlderFetcher([this] { fetchOlder(); });
}

bool ThreadView::open(qint64 rootId)
{
    LocalCache *cache = m_state.cache;
    const auto root = cache ? cache->byId(rootId) : std::nullopt;
    if (!root || root->conversationId != m_state.current || root->threadRootId != 0)
        return false;
    if (rootId == this->rootId())
        return true;
    m_state.thread.reset(root->conversationId,
                         QList{*root} + cache->messages(root->conversationId, kPageSize, 0, rootId),
                         rootId);
    // The cache may lack replies (it holds what this device saw): the server's newest page.
    fetch(0);
    return true;
}

void ThreadView::close()
{
    m_state.thread.reset(0, {});
    setLoading(false, false);
}

void ThreadView::setLoading(bool loading, bool mayHaveOlder)
{
    m_mayHaveOlder = mayHaveOlder;
    m_state.thread.setMayHaveOlder(mayHaveOlder && !loading);
    if (m_loading != loading) {
        m_loading = loading;
        Q_EMIT loadingChanged();
    }
}

void ThreadView::fetch(qint64 before)
{
    const qint64 conversationId = m_state.current;
    const qint64 root = rootId();
    api::HistoryQuery query;
    query.before = before > 0 ? std::optional(before) : std::nullopt;
    query.limit = kPageSize;
    query.threadRootId = root;
    setLoading(true, m_mayHaveOlder);
    m_state.api.history(
        conversationId, query, m_state.scope,
        [this, conversationId, root](Result<HistoryPage> page) {
            if (!m_state.cache || conversationId != m_state.current || root != rootId())
                return; // closed meanwhile
            if (!page.ok())
                return setLoading(false, true); // asked again as it scrolls
            for (const Message &message : page.value().messages) {
                const auto stored = m_state.cache->storeFromServer(message);
                m_state.thread.upsert(stored.message);
            }
            // Replies new to the cache: the user's own as read as they are.
            if (const Conversation *conversation = m_state.conversations.find(conversationId))
                m_state.showReadMarkers(*conversation);
            setLoading(false, page.value().hasMore);
        });
}

void ThreadView::fetchOlder()
{
    if (m_loading || !m_mayHaveOlder || rootId() == 0)
        return;
    // The oldest reply shown (the root comes before every reply).
    const QList<LocalMessage> &shown = m_state.thread.messages();
    const auto oldest = std::find_if(shown.cbegin(), shown.cend(), [](const LocalMessage &m) {
        return m.id > 0 && m.threadRootId != 0;
    });
    if (oldest == shown.cend())
        return setLoading(false, false);
    fetch(oldest->id);
}

} // namespace pitchey::client
