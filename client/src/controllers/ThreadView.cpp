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
    connect(&m_state.thread, &QAbstractItemModel::rowsInserted, this, &ThreadView::repliesChanged);
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
    repliesChanged();
    // The cache may lack replies (it holds what this device saw): the server's newest page.
    fetch(0);
    return true;
}

void ThreadView::close()
{
    m_state.thread.reset(0, {});
    setLoading(false, false);
    showFollowing(false);
}

bool ThreadView::followsByItself() const
{
    const qint64 me = m_state.me;
    const QList<LocalMessage> &shown = m_state.thread.messages();
    return std::any_of(shown.cbegin(), shown.cend(), [me](const LocalMessage &m) {
        return m.isOwn(me) || m.mentions.userIds.contains(me);
    });
}

void ThreadView::repliesChanged()
{
    if (rootId() != 0)
        showFollowing(m_chosen.value(rootId(), followsByItself()));
}

void ThreadView::replied()
{
    m_chosen.remove(rootId());
    showFollowing(true);
}

void ThreadView::showFollowing(bool following)
{
    if (m_following != following) {
        m_following = following;
        Q_EMIT followingChanged();
    }
}

void ThreadView::setFollowing(bool following)
{
    const qint64 root = rootId();
    if (root == 0 || following == m_following || m_pending != 0)
        return;
    const bool before = m_following;
    m_pending = root;
    showFollowing(following);
    Q_EMIT followingChanged();
    m_state.api.follow(root, following, m_state.scope, [this, root, before](Result<bool> now) {
        m_pending = 0;
        if (now.ok())
            m_chosen.insert(root, now.value());
        else
            Q_EMIT followFailed(now.error().message);
        if (root == rootId())
            showFollowing(now.ok() ? now.value() : before);
        Q_EMIT followingChanged();
    });
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
