#include "controllers/ChatController.h"

#include "controllers/CatchUp.h"
#include "controllers/ThreadView.h"
#include "controllers/Timeline.h"
#include "controllers/TypingAndReading.h"
#include "net/MediaCache.h"
#include "store/LocalCache.h"
#include "sync/OfflineQueue.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLocale>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClientChat, "pitchey.client.chat", QtInfoMsg)

namespace pitchey::client {

ChatController::ChatController(ApiClient &api, RealtimeConnection &connection, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_connection(connection)
    , m_state{api, connection, m_conversations, m_messages, m_thread}
    , m_timeline(new Timeline(m_state, this))
    , m_threadView(new ThreadView(m_state, this))
    , m_reading(new TypingAndReading(m_state, this))
    , m_catchUp(new CatchUp(m_state, *m_timeline, this))
{
    for (MessageListModel *model : {&m_messages, &m_thread})
        model->setNameLookup([this](qint64 userId) { return m_conversations.displayName(userId); });
    connect(m_threadView, &ThreadView::loadingChanged, this, &ChatController::threadLoadingChanged);
    connect(m_threadView, &ThreadView::followingChanged, this,
            &ChatController::threadFollowingChanged);
    connect(m_threadView, &ThreadView::followFailed, this, [this](const QString &why) {
        Q_EMIT errorOccurred(tr("The thread's following could not change: %1").arg(why));
    });
    connect(&m_connection, &RealtimeConnection::frameReceived, this, &ChatController::onFrame);
    connect(&m_connection, &RealtimeConnection::stateChanged, this,
            &ChatController::onConnectionState);
    connect(&m_countdown, &QTimer::timeout, this, &ChatController::connectionChanged);
    connect(&m_conversations, &QAbstractItemModel::dataChanged, this,
            [this] { Q_EMIT unreadTotalChanged(); });
    connect(&m_conversations, &ConversationListModel::countChanged, this,
            &ChatController::unreadTotalChanged);

    connect(this, &ChatController::currentChanged, this,
            [this] { m_files.setConversation(m_state.current); });
    connect(this, &ChatController::threadChanged, this,
            [this] { m_threadFiles.setConversation(threadRootId()); });
    connect(&m_files, &FileStaging::refused, this, &ChatController::errorOccurred);
    connect(&m_threadFiles, &FileStaging::refused, this, &ChatController::errorOccurred);
    connect(m_timeline, &Timeline::loadingOlderChanged, this, &ChatController::historyChanged);
    connect(m_timeline, &Timeline::errorOccurred, this, &ChatController::errorOccurred);
    connect(m_timeline, &Timeline::revealed, this, &ChatController::messageRevealed);
    connect(m_timeline, &Timeline::unavailable, this,
            [this] { Q_EMIT errorOccurred(tr("That message is not available any more.")); });
    connect(m_reading, &TypingAndReading::windowActiveChanged, this,
            &ChatController::windowActiveChanged);
    connect(m_reading, &TypingAndReading::typingChanged, this, [this](qint64 conversationId) {
        if (conversationId == m_state.current)
            Q_EMIT currentStatusChanged();
    });
    connect(m_catchUp, &CatchUp::conversationsRefreshed, this, [this] {
        Q_EMIT currentChanged();
        Q_EMIT currentStatusChanged();
    });
    connect(m_catchUp, &CatchUp::currentTouched, this, &ChatController::currentStatusChanged);
    connect(m_catchUp, &CatchUp::messageArrived, this, &ChatController::messageArrived);
    connect(m_catchUp, &CatchUp::messageEdited, this, &ChatController::messageEdited);
    connect(m_catchUp, &CatchUp::messageDeleted, this, &ChatController::messageDeleted);
    // What arrives in the open conversation while the person looks elsewhere comes under a
    // "New messages" line.
    connect(m_catchUp, &CatchUp::messageArrived, this, [this](qint64 conversationId, qint64 id) {
        if (conversationId == m_state.current && !windowActive() && !m_messages.hasUnreadLine())
            m_messages.setUnreadAfter(id - 1);
    });
}

ChatController::~ChatController() = default;

void ChatController::openAttachment(qint64 attachmentId, const QString &filename)
{
    if (!m_media || !m_opener)
        return;
    m_media->fetch(attachmentId, 0, filename, this, [this](const Result<QString> &file) {
        if (!file.ok())
            return Q_EMIT errorOccurred(tr("Cannot open the file: %1").arg(file.error().message));
        if (!m_opener(QUrl::fromLocalFile(file.value())))
            Q_EMIT errorOccurred(tr("No application opens this file"));
    });
}

void ChatController::saveAttachment(qint64 attachmentId, const QString &filename)
{
    if (!m_media || !m_askWhere)
        return;
    m_askWhere(filename, [this, attachmentId, filename](const QString &target) {
        m_media->fetch(attachmentId, 0, filename, this,
                       [this, target](const Result<QString> &file) {
                           if (!file.ok())
                               return Q_EMIT errorOccurred(
                                   tr("Cannot save the file: %1").arg(file.error().message));
                           // The dialog asked before it let an existing file be chosen.
                           QFile::remove(target);
                           if (!QFile::copy(file.value(), target))
                               return Q_EMIT errorOccurred(tr("Cannot write %1").arg(target));
                           Q_EMIT attachmentSaved(target);
                       });
    });
}

QVariantList ChatController::images(bool inThread) const
{
    QVariantList images;
    for (const LocalMessage &message : (inThread ? m_thread : m_messages).messages()) {
        if (message.isDeleted())
            continue;
        for (const Attachment &file : message.attachments) {
            if (file.thumbnailState == "ready"_L1 && file.width.value_or(0) > 0)
                images.append(QVariantMap{{u"id"_s, file.id},
                                          {u"filename"_s, file.filename},
                                          {u"width"_s, *file.width},
                                          {u"height"_s, file.height.value_or(0)}});
        }
    }
    return images;
}

void ChatController::start(const Session &session, const QString &cacheDir)
{
    stop();
    const qint64 me = session.user.id;
    m_scope = std::make_unique<QObject>();
    m_conversations.setMe(me);
    m_messages.setMe(me);
    m_thread.setMe(me);
    m_cache =
        std::make_unique<LocalCache>(QDir(cacheDir).filePath(u"account-%1.sqlite"_s.arg(me)), me);
    if (auto opened = m_cache->open(); !opened.ok())
        Q_EMIT errorOccurred(opened.error().message);
    m_cache->setCopyKeeper([this](const QString &copy, const Attachment &attachment) {
        return m_media && m_media->adopt(copy, attachment.id, attachment.filename);
    });
    // Pasted pictures wait here until sent; nothing staged outlives the app (a crash's go).
    const QString staging = QDir(cacheDir).filePath(u"staging"_s);
    QDir(staging).removeRecursively();
    m_files.setStagingDir(staging);
    m_threadFiles.setStagingDir(staging);
    m_queue = std::make_unique<OfflineQueue>(*m_cache, m_connection, m_api);
    connect(m_queue.get(), &OfflineQueue::uploadProgress, &m_messages,
            &MessageListModel::setUploadProgress);
    connect(m_queue.get(), &OfflineQueue::uploadProgress, &m_thread,
            &MessageListModel::setUploadProgress);
    connect(m_queue.get(), &OfflineQueue::messageChanged, m_timeline,
            &Timeline::localMessageChanged);
    connect(m_queue.get(), &OfflineQueue::messageRemoved, this,
            [this](const QString &clientMessageId) {
                m_messages.removeByClientId(clientMessageId);
                m_thread.removeByClientId(clientMessageId);
            });
    connect(m_queue.get(), &OfflineQueue::changeRefused, this, &ChatController::errorOccurred);
    m_state.me = me;
    m_state.scope = m_scope.get();
    m_state.cache = m_cache.get();
    m_state.queue = m_queue.get();

    // What was there last time, at once; the network brings the rest.
    m_conversations.setConversations(m_cache->conversations());
    const QHash<qint64, QString> drafts = m_cache->drafts();
    m_threadDrafts.clear();
    for (auto it = drafts.cbegin(); it != drafts.cend(); ++it) {
        if (it.key() < 0)
            m_threadDrafts.insert(-it.key(), it.value());
        else
            m_conversations.setDraft(it.key(), it.value());
    }
    for (const LocalMessage &queued : m_cache->queued()) // oldest first: the newest stays
        m_conversations.setPending(queued.conversationId, queued);
    m_connection.start(m_api.webSocketUrl());
    m_catchUp->refreshConversations();
}

void ChatController::stop()
{
    m_reading->reset();
    m_connection.stop();
    closeConversation();
    m_conversations.clear();
    m_threadDrafts.clear();
    m_files.clear();
    m_threadFiles.clear();
    m_userSearch.clear();
    m_state.queue = nullptr;
    m_state.cache = nullptr;
    m_state.scope = nullptr;
    m_state.me = 0;
    m_queue.reset();
    m_cache.reset();
    m_scope.reset(); // answers to this session's requests are dropped
}

// ---- the open conversation ----------------------------------------------------------------

void ChatController::openConversation(qint64 conversationId)
{
    if (m_state.current != conversationId) {
        m_reading->stopTyping();
        closeThread();
    }
    if (!m_timeline->open(conversationId))
        return;
    Q_EMIT currentChanged();
    Q_EMIT currentStatusChanged();
    Q_EMIT historyChanged();
}

void ChatController::closeConversation()
{
    m_reading->stopTyping();
    closeThread();
    m_timeline->close();
    Q_EMIT currentChanged();
    Q_EMIT currentStatusChanged();
}

bool ChatController::send(const QString &text, qint64 replyToId)
{
    if (m_state.current == 0 || (text.trimmed().isEmpty() && m_files.count() == 0))
        return false;
    m_reading->stopTyping();
    const bool queued = m_timeline->send(text, replyToId, 0, m_files.take());
    if (queued)
        m_files.done();
    else
        m_files.restore();
    return queued;
}

void ChatController::openThread(qint64 rootId)
{
    if (rootId == m_threadView->rootId())
        return;
    if (!m_threadView->open(rootId))
        return Q_EMIT errorOccurred(tr("That thread is not available."));
    Q_EMIT threadChanged();
}

void ChatController::closeThread()
{
    if (m_threadView->rootId() == 0)
        return;
    m_threadView->close();
    Q_EMIT threadChanged();
}

bool ChatController::sendInThread(const QString &text, qint64 replyToId)
{
    const qint64 root = m_threadView->rootId();
    if (root == 0 || (text.trimmed().isEmpty() && m_threadFiles.count() == 0))
        return false;
    m_reading->stopTyping();
    if (!m_timeline->send(text, replyToId, root, m_threadFiles.take())) {
        m_threadFiles.restore();
        return false;
    }
    m_threadFiles.done();
    m_threadView->replied();
    return true;
}

bool ChatController::loadingThread() const
{
    return m_threadView->loading();
}

bool ChatController::threadFollowing() const
{
    return m_threadView->following();
}

bool ChatController::threadFollowPending() const
{
    return m_threadView->pending();
}

void ChatController::followThread(bool following)
{
    m_threadView->setFollowing(following);
}

void ChatController::jumpToNewest()
{
    m_timeline->showNewest();
}

void ChatController::reveal(qint64 messageId)
{
    m_timeline->reveal(messageId);
}

void ChatController::showMessage(qint64 conversationId, qint64 messageId)
{
    openConversation(conversationId);
    if (m_state.current != conversationId || messageId <= 0)
        return;
    const auto message = m_cache->byId(messageId);
    if (message && message->threadRootId != 0)
        openThread(message->threadRootId);
    else
        reveal(messageId);
}

void ChatController::loadVersions(qint64 messageId)
{
    m_api.versions(
        messageId, m_scope.get(),
        [this, messageId](Result<QList<api::VersionsAnswer::Version>> versions) {
            if (!versions.ok())
                return Q_EMIT errorOccurred(versions.error().message);
            QVariantList list;
            for (const auto &version : versions.value())
                list.append(QVariantMap{
                    {u"version"_s, version.version},
                    {u"content"_s, version.content},
                    {u"time"_s, QLocale().toString(QDateTime::fromMSecsSinceEpoch(version.editedAt),
                                                   QLocale::ShortFormat)}});
            Q_EMIT versionsLoaded(messageId, list);
        });
}

bool ChatController::editMessage(qint64 messageId, const QString &text)
{
    return m_timeline->change(messageId, &text);
}

bool ChatController::deleteMessage(qint64 messageId)
{
    return m_timeline->change(messageId, nullptr);
}

EmojiModel *ChatController::emoji()
{
    if (!m_emoji)
        m_emoji = new EmojiModel(this);
    return m_emoji;
}

bool ChatController::toggleReaction(qint64 messageId, const QString &emoji)
{
    const auto message = m_cache ? m_cache->byId(messageId) : std::nullopt;
    if (!message || !m_queue)
        return false;
    const bool mine = std::any_of(message->reactions.cbegin(), message->reactions.cend(),
                                  [&](const Reaction &r) { return r.emoji == emoji && r.me; });
    auto changed = m_queue->change(Outgoing::Kind::React, messageId, emoji, !mine);
    if (!changed.ok())
        Q_EMIT errorOccurred(changed.error().message);
    return changed.ok();
}

QVariantMap ChatController::lastEditable(qint64 threadRootId) const
{
    const auto last = m_cache ? m_cache->lastEditable(m_state.current, threadRootId) : std::nullopt;
    if (!last)
        return {};
    return {{u"messageId"_s, last->id}, {u"content"_s, last->content}};
}

QVariantList ChatController::mentionCandidates(const QString &prefix) const
{
    constexpr qsizetype kShown = 8;
    const Conversation *conversation = m_conversations.find(m_state.current);
    if (!conversation)
        return {};
    QList<User> users;
    for (const User &user : conversation->participants) {
        if (user.id != m_state.me && (user.displayName.startsWith(prefix, Qt::CaseInsensitive) ||
                                      user.username.startsWith(prefix, Qt::CaseInsensitive)))
            users.append(user);
    }
    std::sort(users.begin(), users.end(), [](const User &a, const User &b) {
        return QString::localeAwareCompare(a.displayName, b.displayName) < 0;
    });
    QVariantList candidates;
    for (const User &user : users.first(std::min(users.size(), kShown))) {
        candidates.append(QVariantMap{
            {u"userId"_s, user.id}, {u"name"_s, user.displayName}, {u"username"_s, user.username}});
    }
    if (conversation->isGroup && u"all"_s.startsWith(prefix, Qt::CaseInsensitive))
        candidates.append(QVariantMap{
            {u"userId"_s, 0}, {u"name"_s, u"all"_s}, {u"username"_s, tr("everyone here")}});
    return candidates;
}

void ChatController::retry(const QString &clientMessageId)
{
    if (m_queue)
        m_queue->retry(clientMessageId);
}

bool ChatController::discard(const QString &clientMessageId)
{
    return m_queue && m_queue->discard(clientMessageId);
}

bool ChatController::loadingOlder() const
{
    return m_timeline->loadingOlder();
}

QString ChatController::currentTitle() const
{
    return m_conversations.title(m_state.current);
}

QString ChatController::currentInitials() const
{
    return initialsOf(currentTitle());
}

QString ChatController::currentStatus() const
{
    const qint64 current = m_state.current;
    const Conversation *conversation = m_conversations.find(current);
    if (!conversation)
        return {};
    const QList<qint64> typing = m_conversations.typingUsers(current);
    if (typing.size() == 1)
        return tr("%1 is typing…").arg(m_conversations.displayName(typing.constFirst()));
    if (typing.size() > 1)
        return tr("%n people are typing…", nullptr, int(typing.size()));
    // Offline, nobody's presence is known.
    if (connectionState() == ConnectionState::Connecting)
        return tr("connecting…");
    if (connectionState() == ConnectionState::Offline)
        return tr("waiting for network…");
    if (!conversation->isGroup)
        return currentOnline() ? tr("online") : tr("offline");
    // The viewer is one of the members online.
    const auto online =
        1 +
        std::count_if(conversation->participants.cbegin(), conversation->participants.cend(),
                      [this](const User &user) { return user.online && user.id != m_state.me; });
    return tr("%n members", nullptr, int(conversation->participants.size())) +
           (online > 0 ? tr(", %1 online").arg(online) : QString());
}

bool ChatController::currentOnline() const
{
    const Conversation *conversation = m_conversations.find(m_state.current);
    const auto partner = m_conversations.partnerOf(m_state.current);
    if (!conversation || !partner)
        return false;
    return std::any_of(conversation->participants.cbegin(), conversation->participants.cend(),
                       [&](const User &user) { return user.id == *partner && user.online; });
}

bool ChatController::currentIsGroup() const
{
    const Conversation *conversation = m_conversations.find(m_state.current);
    return conversation && conversation->isGroup;
}

// ---- typing and reading -------------------------------------------------------------------

void ChatController::composerChanged(const QString &text)
{
    const qint64 current = m_state.current;
    if (current == 0 || !m_cache)
        return;
    m_reading->composerChanged(text);
    const QString draft = text.trimmed().isEmpty() ? QString() : text;
    if (draft != m_conversations.draft(current)) {
        m_conversations.setDraft(current, draft);
        m_cache->saveDraft(current, draft);
    }
}

void ChatController::threadComposerChanged(const QString &text)
{
    const qint64 root = threadRootId();
    if (root == 0 || !m_cache)
        return;
    m_reading->composerChanged(text);
    const QString draft = text.trimmed().isEmpty() ? QString() : text;
    if (draft != m_threadDrafts.value(root)) {
        if (draft.isEmpty())
            m_threadDrafts.remove(root);
        else
            m_threadDrafts.insert(root, draft);
        m_cache->saveDraft(-root, draft);
    }
}

void ChatController::markSeen(qint64 messageId)
{
    m_reading->markSeen(messageId);
}

bool ChatController::windowActive() const
{
    return m_reading->windowActive();
}

void ChatController::setWindowActive(bool active)
{
    m_reading->setWindowActive(active);
}

// ---- the conversation list and new conversations -------------------------------------------

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

int ChatController::unreadTotal() const
{
    return int(m_conversations.unreadTotal(m_muted));
}

void ChatController::setMuted(const QSet<qint64> &conversationIds)
{
    if (m_muted == conversationIds)
        return;
    m_muted = conversationIds;
    Q_EMIT unreadTotalChanged();
}

void ChatController::openNeighbour(int step)
{
    const int count = m_conversations.rowCount();
    if (count == 0 || step == 0)
        return;
    const int current = m_conversations.rowOf(m_state.current);
    const int row =
        current < 0 ? (step > 0 ? 0 : count - 1) : std::clamp(current + step, 0, count - 1);
    openConversation(m_conversations.idAt(row));
}

int ChatController::currentUnread() const
{
    const Conversation *conversation = m_conversations.find(m_state.current);
    return conversation ? int(conversation->unreadCount) : 0;
}

QVariantList ChatController::findConversations(const QString &text) const
{
    QVariantList found;
    const QString needle = text.trimmed();
    for (const auto &[id, title] : m_conversations.titles()) {
        if (needle.isEmpty() || title.contains(needle, Qt::CaseInsensitive))
            found.append(QVariantMap{{u"id"_s, id}, {u"title"_s, title}});
    }
    return found;
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

void ChatController::reconnectNow()
{
    m_connection.retryNow();
}

void ChatController::onConnectionState(RealtimeConnection::State state)
{
    if (state == RealtimeConnection::State::Waiting)
        m_countdown.start(1000);
    else
        m_countdown.stop();
    if (state == RealtimeConnection::State::Connected && m_scope) {
        m_api.mediaConfig(m_scope.get(), [this](const Result<api::MediaConfig> &config) {
            if (!config.ok())
                return;
            m_files.setConfig(config.value());
            m_threadFiles.setConfig(config.value());
        });
    }
    if (state != RealtimeConnection::State::Connected) {
        // Who is typing or online is unknown until the next connection says.
        m_reading->forgetTyping();
        m_conversations.setEveryoneOffline();
    }
    Q_EMIT currentStatusChanged();
    Q_EMIT connectionChanged();
}

void ChatController::onFrame(const frames::server::ServerFrame &frame)
{
    namespace in = frames::server;
    if (m_queue && m_queue->handleFrame(frame))
        return;
    if (const auto *connected = std::get_if<in::Connected>(&frame)) {
        m_reading->flushReads();
        m_catchUp->refreshConversations();
        m_catchUp->readFeed(connected->latestChangeId);
    } else if (const auto *arrived = std::get_if<in::NewMessage>(&frame)) {
        m_catchUp->newMessage(arrived->message);
    } else if (const auto *updated = std::get_if<in::MessageUpdated>(&frame)) {
        m_catchUp->messageChanged(updated->message);
    } else if (const auto *conversation = std::get_if<in::ConversationUpdated>(&frame)) {
        m_conversations.upsert(conversation->conversation);
        m_state.saveConversation(conversation->conversation.id);
    } else if (const auto *delivered = std::get_if<in::MessageDelivered>(&frame)) {
        if (m_cache && m_cache->markDelivered(delivered->messageId))
            m_state.showStates({delivered->messageId}, LocalMessage::State::Delivered);
    } else if (const auto *read = std::get_if<in::MessageRead>(&frame)) {
        m_reading->readReceipt(read->conversationId, read->messageId, read->readBy);
    } else if (const auto *typing = std::get_if<in::UserTyping>(&frame)) {
        m_reading->typing(typing->conversationId, typing->userId, typing->isTyping);
    } else if (const auto *presence = std::get_if<in::Presence>(&frame)) {
        m_conversations.setOnline(presence->userId, presence->online);
        Q_EMIT currentStatusChanged();
    } else if (const auto *notified = std::get_if<in::NotificationArrived>(&frame)) {
        // Messages notify as they arrive (messageArrived); reactions only through this.
        const Notification &n = notified->notification;
        if (n.kind == "reaction"_L1 && n.conversationId && n.messageId)
            Q_EMIT reactionsNotified(n.id, *n.conversationId, *n.messageId, n.title, n.body);
    } else if (const auto *revoked = std::get_if<in::NotificationRevoked>(&frame)) {
        Q_EMIT notificationsRevoked(revoked->ids);
    } else if (const auto *refused = std::get_if<in::Refused>(&frame)) {
        qCInfo(lcClientChat) << "the server refused a frame:" << errorCodeName(refused->error.code);
    }
}

} // namespace pitchey::client
