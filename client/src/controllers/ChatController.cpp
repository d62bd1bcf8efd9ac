#include "controllers/ChatController.h"

#include "protocol/Time.h"
#include "protocol/Validation.h"
#include "store/LocalCache.h"
#include "sync/OfflineQueue.h"

#include <QDateTime>
#include <QDir>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClientChat, "pitchey.client.chat", QtInfoMsg)

namespace pitchey::client {

namespace {

constexpr int kPageSize = 50;
// Older messages from the cache come in smaller steps: each insertion above the view costs
// a layout pass, and a small one fits in a frame.
constexpr int kCachePage = 20;
constexpr qint64 kTypingRenewMs = 3'000;
constexpr int kTypingIdleMs = 5'000;
constexpr int kReadFlushMs = 250;

Message asMessage(const LocalMessage &local)
{
    Message message;
    message.id = local.id;
    message.conversationId = local.conversationId;
    message.senderId = local.senderId;
    message.content = local.content;
    message.createdAt = local.createdAt;
    return message;
}

} // namespace

ChatController::ChatController(ApiClient &api, RealtimeConnection &connection, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_connection(connection)
{
    m_messages.setNameLookup([this](qint64 userId) { return m_conversations.displayName(userId); });
    connect(&m_connection, &RealtimeConnection::frameReceived, this, &ChatController::onFrame);
    connect(&m_connection, &RealtimeConnection::stateChanged, this,
            [this](RealtimeConnection::State state) {
                if (state == RealtimeConnection::State::Waiting)
                    m_countdown.start(1000);
                else
                    m_countdown.stop();
                if (state != RealtimeConnection::State::Connected) {
                    // Nobody's typing survives a lost connection; the server resends none.
                    for (const Conversation &conversation : m_conversations.conversations()) {
                        for (qint64 user : m_conversations.typingUsers(conversation.id))
                            m_conversations.setTyping(conversation.id, user, false);
                    }
                    m_typingIn = 0;
                    Q_EMIT currentStatusChanged();
                }
                Q_EMIT connectionChanged();
            });
    connect(&m_countdown, &QTimer::timeout, this, &ChatController::connectionChanged);
    connect(&m_conversations, &QAbstractItemModel::dataChanged, this,
            [this] { Q_EMIT unreadTotalChanged(); });
    connect(&m_conversations, &ConversationListModel::countChanged, this,
            &ChatController::unreadTotalChanged);
    m_typingIdle.setSingleShot(true);
    connect(&m_typingIdle, &QTimer::timeout, this, &ChatController::stopTyping);
    m_readFlush.setSingleShot(true);
    connect(&m_readFlush, &QTimer::timeout, this, &ChatController::flushRead);
}

ChatController::~ChatController() = default;

void ChatController::start(const Session &session, const QString &cacheDir)
{
    stop();
    m_me = session.user.id;
    m_scope = std::make_unique<QObject>();
    m_conversations.setMe(m_me);
    m_messages.setMe(m_me);
    m_cache = std::make_unique<LocalCache>(
        QDir(cacheDir).filePath(u"account-%1.sqlite"_s.arg(m_me)), m_me);
    if (auto opened = m_cache->open(); !opened.ok())
        Q_EMIT errorOccurred(opened.error().message);
    m_queue = std::make_unique<OfflineQueue>(*m_cache, m_connection);
    connect(m_queue.get(), &OfflineQueue::messageChanged, this,
            &ChatController::onLocalMessageChanged);
    connect(
        m_queue.get(), &OfflineQueue::messageRemoved, this,
        [this](const QString &clientMessageId) { m_messages.removeByClientId(clientMessageId); });

    // What was there last time, at once; the network brings the rest.
    m_conversations.setConversations(m_cache->conversations());
    m_connection.start(m_api.webSocketUrl());
    refreshConversations();
}

void ChatController::stop()
{
    stopTyping();
    m_connection.stop();
    closeConversation();
    m_conversations.clear();
    m_userSearch.clear();
    m_pendingReads.clear();
    m_queue.reset();
    m_cache.reset();
    m_scope.reset(); // answers to this session's requests are dropped
    m_loadingOlder = false;
    m_me = 0;
}

// ---- the open conversation ----------------------------------------------------------------

void ChatController::openConversation(qint64 conversationId)
{
    if (!m_cache || !m_conversations.find(conversationId))
        return;
    if (m_current != conversationId)
        stopTyping();
    m_current = conversationId;
    const QList<LocalMessage> cached = m_cache->messages(conversationId, kPageSize);
    m_messages.reset(conversationId, cached);
    m_hasOlder = true;
    Q_EMIT currentChanged();
    Q_EMIT currentStatusChanged();
    Q_EMIT historyChanged();
    // Whatever is newer than the cache (or everything, for a conversation never opened).
    const qint64 newest = m_cache->newestId(conversationId);
    if (newest == 0) {
        m_api.history(conversationId, 0, 0, kPageSize, m_scope.get(),
                      [this, conversationId](Result<HistoryPage> page) {
                          if (!page.ok())
                              return;
                          storePage(conversationId, page.value().messages);
                          if (conversationId == m_current && !page.value().hasMore) {
                              m_hasOlder = false;
                              Q_EMIT historyChanged();
                          }
                      });
    }
}

void ChatController::closeConversation()
{
    stopTyping();
    m_current = 0;
    m_messages.reset(0, {});
    Q_EMIT currentChanged();
    Q_EMIT currentStatusChanged();
}

QString ChatController::currentTitle() const
{
    return m_conversations.title(m_current);
}

QString ChatController::currentInitials() const
{
    return initialsOf(currentTitle());
}

QString ChatController::currentStatus() const
{
    const Conversation *conversation = m_conversations.find(m_current);
    if (!conversation)
        return {};
    const QList<qint64> typing = m_conversations.typingUsers(m_current);
    if (typing.size() == 1)
        return tr("%1 is typing…").arg(m_conversations.displayName(typing.constFirst()));
    if (typing.size() > 1)
        return tr("%n people are typing…", nullptr, int(typing.size()));
    if (!conversation->isGroup)
        return currentOnline() ? tr("online") : tr("offline");
    const auto online =
        std::count_if(conversation->participants.cbegin(), conversation->participants.cend(),
                      [this](const User &user) { return user.online && user.id != m_me; });
    return tr("%n members", nullptr, int(conversation->participants.size())) +
           (online > 0 ? tr(", %1 online").arg(online) : QString());
}

bool ChatController::currentOnline() const
{
    const Conversation *conversation = m_conversations.find(m_current);
    const auto partner = m_conversations.partnerOf(m_current);
    if (!conversation || !partner)
        return false;
    return std::any_of(conversation->participants.cbegin(), conversation->participants.cend(),
                       [&](const User &user) { return user.id == *partner && user.online; });
}

bool ChatController::send(const QString &text)
{
    if (!m_queue || m_current == 0 || text.trimmed().isEmpty())
        return false;
    if (codePointCount(text) > kMaxContentCodePoints) {
        Q_EMIT errorOccurred(
            tr("A message can be at most %1 characters long").arg(kMaxContentCodePoints));
        return false;
    }
    stopTyping();
    auto queued = m_queue->enqueue(m_current, m_me, text);
    if (!queued.ok()) {
        Q_EMIT errorOccurred(queued.error().message);
        return false;
    }
    m_messages.upsert(queued.value());
    return true;
}

void ChatController::retry(const QString &clientMessageId)
{
    if (m_queue)
        m_queue->retry(clientMessageId);
}

void ChatController::discard(const QString &clientMessageId)
{
    if (m_queue)
        m_queue->discard(clientMessageId);
}

void ChatController::loadOlder()
{
    if (!m_cache || m_current == 0 || m_loadingOlder || !m_hasOlder)
        return;
    const qint64 oldest = m_messages.oldestId();
    const QList<LocalMessage> cached = m_cache->messages(m_current, kCachePage, oldest);
    if (cached.size() == kCachePage) {
        m_messages.prependOlder(cached);
        return;
    }
    // The cache ends here; the server has the rest.
    m_loadingOlder = true;
    Q_EMIT historyChanged();
    const qint64 conversationId = m_current;
    const qint64 before = cached.isEmpty() ? oldest : cached.constFirst().id;
    m_messages.prependOlder(cached);
    m_api.history(conversationId, before, 0, kPageSize, m_scope.get(),
                  [this, conversationId](Result<HistoryPage> page) {
                      m_loadingOlder = false;
                      if (page.ok() && m_cache && conversationId == m_current) {
                          QList<LocalMessage> older;
                          for (const Message &message : page.value().messages)
                              older.append(m_cache->storeFromServer(message).message);
                          m_messages.prependOlder(older);
                          m_hasOlder = page.value().hasMore;
                      }
                      Q_EMIT historyChanged();
                  });
}

// ---- typing and reading -------------------------------------------------------------------

void ChatController::composerChanged(const QString &text)
{
    if (m_current == 0)
        return;
    if (text.trimmed().isEmpty()) {
        stopTyping();
        return;
    }
    if (m_typingIn != m_current || m_sinceTypingStart.elapsed() >= kTypingRenewMs) {
        if (m_typingIn != 0 && m_typingIn != m_current)
            stopTyping();
        if (m_connection.send(frames::Typing{m_current, true})) {
            m_typingIn = m_current;
            m_sinceTypingStart.start();
        }
    }
    m_typingIdle.start(kTypingIdleMs);
}

void ChatController::stopTyping()
{
    m_typingIdle.stop();
    if (m_typingIn == 0)
        return;
    m_connection.send(frames::Typing{m_typingIn, false});
    m_typingIn = 0;
}

void ChatController::markSeen(qint64 messageId)
{
    if (m_current == 0 || messageId <= 0 || !m_windowActive)
        return;
    const Conversation *conversation = m_conversations.find(m_current);
    if (!conversation || conversation->readMarkers.value(m_me) >= messageId)
        return;
    m_conversations.setReadMarker(m_current, m_me, messageId);
    qint64 unread = 0;
    for (const LocalMessage &message : m_messages.messages()) {
        if (message.id > messageId && message.senderId != m_me)
            ++unread;
    }
    m_conversations.setUnread(m_current, unread);
    saveConversation(m_current);
    qint64 &pending = m_pendingReads[m_current];
    pending = std::max(pending, messageId);
    if (!m_readFlush.isActive())
        m_readFlush.start(kReadFlushMs);
}

void ChatController::flushRead()
{
    for (auto it = m_pendingReads.begin(); it != m_pendingReads.end();) {
        if (m_connection.send(frames::MessageRead{it.value()}))
            it = m_pendingReads.erase(it);
        else
            ++it; // sent when the connection is back
    }
}

void ChatController::setWindowActive(bool active)
{
    if (m_windowActive == active)
        return;
    m_windowActive = active;
    Q_EMIT windowActiveChanged();
}

// ---- new conversations --------------------------------------------------------------------

void ChatController::searchUsers(const QString &text)
{
    m_api.searchUsers(text.trimmed(), m_scope.get(), [this](Result<QList<User>> users) {
        if (!users.ok())
            return Q_EMIT errorOccurred(users.error().message);
        m_userSearch.setUsers(users.value());
    });
}

void ChatController::startConversation(const QString &title)
{
    const QList<qint64> ids = m_userSearch.selectedIds();
    if (ids.isEmpty())
        return;
    m_api.createConversation(ids, ids.size() > 1 ? title : QString(), m_scope.get(),
                             [this](Result<Conversation> conversation) {
                                 if (!conversation.ok())
                                     return Q_EMIT errorOccurred(conversation.error().message);
                                 m_conversations.upsert(conversation.value());
                                 if (m_cache)
                                     m_cache->saveConversation(conversation.value());
                                 m_userSearch.clear();
                                 openConversation(conversation.value().id);
                                 Q_EMIT conversationStarted(conversation.value().id);
                             });
}

// ---- connection ---------------------------------------------------------------------------

ChatController::ConnectionState ChatController::connectionState() const
{
    switch (m_connection.state()) {
    case RealtimeConnection::State::Connected:
        return ConnectionState::Connected;
    case RealtimeConnection::State::Connecting:
        return ConnectionState::Connecting;
    default:
        return ConnectionState::Offline;
    }
}

int ChatController::retryInSeconds() const
{
    if (m_connection.state() != RealtimeConnection::State::Waiting)
        return 0;
    const qint64 ms = QDateTime::currentDateTimeUtc().msecsTo(m_connection.nextAttemptAt());
    return int(std::max<qint64>(0, (ms + 999) / 1000));
}

int ChatController::unreadTotal() const
{
    qint64 total = 0;
    for (const Conversation &conversation : m_conversations.conversations())
        total += conversation.unreadCount;
    return int(total);
}

QVariantList ChatController::findConversations(const QString &text) const
{
    QVariantList found;
    const QString needle = text.trimmed();
    for (const Conversation &conversation : m_conversations.conversations()) {
        const QString title = m_conversations.title(conversation.id);
        if (needle.isEmpty() || title.contains(needle, Qt::CaseInsensitive))
            found.append(QVariantMap{{u"id"_s, conversation.id}, {u"title"_s, title}});
    }
    return found;
}

bool ChatController::currentIsGroup() const
{
    const Conversation *conversation = m_conversations.find(m_current);
    return conversation && conversation->isGroup;
}

void ChatController::reconnectNow()
{
    m_connection.retryNow();
}

void ChatController::onFrame(const frames::server::ServerFrame &frame)
{
    namespace in = frames::server;
    if (m_queue && m_queue->handleFrame(frame))
        return;
    if (std::holds_alternative<in::Connected>(frame)) {
        onConnected();
    } else if (const auto *arrived = std::get_if<in::NewMessage>(&frame)) {
        onNewMessage(arrived->message);
    } else if (const auto *delivered = std::get_if<in::MessageDelivered>(&frame)) {
        if (m_cache && m_cache->markDelivered(delivered->messageId))
            m_messages.setStates({delivered->messageId}, LocalMessage::State::Delivered);
    } else if (const auto *read = std::get_if<in::MessageRead>(&frame)) {
        onReadReceipt(read->conversationId, read->messageId, read->readBy);
    } else if (const auto *typing = std::get_if<in::UserTyping>(&frame)) {
        m_conversations.setTyping(typing->conversationId, typing->userId, typing->isTyping);
        if (typing->conversationId == m_current)
            Q_EMIT currentStatusChanged();
    } else if (const auto *presence = std::get_if<in::Presence>(&frame)) {
        m_conversations.setOnline(presence->userId, presence->online);
        Q_EMIT currentStatusChanged();
    } else if (const auto *refused = std::get_if<in::Refused>(&frame)) {
        qCInfo(lcClientChat) << "the server refused a frame:" << errorCodeName(refused->error.code);
    }
}

void ChatController::onConnected()
{
    flushRead();
    refreshConversations();
}

void ChatController::onNewMessage(const Message &message)
{
    if (!m_cache)
        return;
    // Acknowledge every copy, even one already stored: the server keeps pushing until it
    // hears this.
    if (message.senderId != m_me)
        m_connection.send(frames::MessageDelivered{message.id});
    const auto stored = m_cache->storeFromServer(message);
    if (!stored.changed)
        return;
    m_messages.upsert(stored.message);
    if (!m_conversations.find(message.conversationId)) {
        refreshConversations(); // someone started a conversation with this user
        return;
    }
    const bool fromOthers = message.senderId != m_me;
    m_conversations.setLastMessage(message, fromOthers && stored.inserted);
    saveConversation(message.conversationId);
    if (message.conversationId == m_current)
        Q_EMIT currentStatusChanged(); // the sender stopped typing
    if (fromOthers && stored.inserted)
        Q_EMIT messageArrived(message.conversationId, message.id,
                              m_conversations.displayName(message.senderId), message.content);
}

void ChatController::onReadReceipt(qint64 conversationId, qint64 messageId, qint64 reader)
{
    if (!m_cache || !m_conversations.find(conversationId))
        return;
    m_conversations.setReadMarker(conversationId, reader, messageId);
    if (reader == m_me) {
        // Read on another device of this user.
        const Conversation *conversation = m_conversations.find(conversationId);
        if (conversation->lastMessage && conversation->lastMessage->id <= messageId)
            m_conversations.setUnread(conversationId, 0);
    } else {
        const QList<qint64> changed =
            m_cache->advanceOwn(conversationId, messageId, LocalMessage::State::Read);
        if (conversationId == m_current)
            m_messages.setStates(changed, LocalMessage::State::Read);
    }
    saveConversation(conversationId);
}

void ChatController::onLocalMessageChanged(const LocalMessage &message)
{
    m_messages.upsert(message);
    if (message.id > 0 && message.state == LocalMessage::State::Sent) {
        m_conversations.setLastMessage(asMessage(message), false);
        saveConversation(message.conversationId);
    }
}

// ---- catching up --------------------------------------------------------------------------

void ChatController::refreshConversations()
{
    m_api.conversations(m_scope.get(), [this](Result<QList<Conversation>> list) {
        if (!list.ok() || !m_cache)
            return;
        QList<Conversation> fresh = list.value();
        // The server's list is the truth; who is typing is not in it.
        m_conversations.setConversations(fresh);
        m_cache->saveConversations(fresh);
        for (const Conversation &conversation : std::as_const(fresh)) {
            applyReadMarkers(conversation);
            const qint64 known = m_cache->newestId(conversation.id);
            if (known > 0 && conversation.lastMessage && conversation.lastMessage->id > known)
                catchUp(conversation.id, known);
        }
        Q_EMIT currentChanged();
        Q_EMIT currentStatusChanged();
    });
}

void ChatController::catchUp(qint64 conversationId, qint64 afterId)
{
    m_api.history(conversationId, 0, afterId, 100, m_scope.get(),
                  [this, conversationId](Result<HistoryPage> page) {
                      if (!page.ok() || !m_cache || page.value().messages.isEmpty())
                          return;
                      storePage(conversationId, page.value().messages);
                      if (page.value().hasMore)
                          catchUp(conversationId, page.value().messages.constLast().id);
                  });
}

void ChatController::storePage(qint64 conversationId, const QList<Message> &messages)
{
    if (!m_cache)
        return; // logged out while the page was on its way
    for (const Message &message : messages) {
        const auto stored = m_cache->storeFromServer(message);
        if (conversationId == m_current && stored.changed)
            m_messages.upsert(stored.message);
    }
    if (const Conversation *conversation = m_conversations.find(conversationId))
        applyReadMarkers(*conversation);
}

void ChatController::applyReadMarkers(const Conversation &conversation)
{
    qint64 readByOthers = 0;
    for (auto it = conversation.readMarkers.cbegin(); it != conversation.readMarkers.cend(); ++it) {
        if (it.key() != m_me)
            readByOthers = std::max(readByOthers, it.value());
    }
    if (readByOthers == 0)
        return;
    const QList<qint64> changed =
        m_cache->advanceOwn(conversation.id, readByOthers, LocalMessage::State::Read);
    if (conversation.id == m_current)
        m_messages.setStates(changed, LocalMessage::State::Read);
}

void ChatController::saveConversation(qint64 conversationId)
{
    if (const Conversation *conversation = m_conversations.find(conversationId);
        conversation && m_cache)
        m_cache->saveConversation(*conversation);
}

} // namespace pitchey::client
