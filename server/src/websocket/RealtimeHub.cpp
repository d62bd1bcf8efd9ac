#include "websocket/RealtimeHub.h"

#include "auth/Authenticator.h"
#include "auth/JwtService.h"
#include "base/Async.h"
#include "base/Metrics.h"
#include "messaging/MessageService.h"
#include "messaging/ParticipantCache.h"
#include "messaging/RateLimiter.h"
#include "presence/ConnectionRegistry.h"
#include "presence/TypingTracker.h"
#include "protocol/Time.h"
#include "storage/ChangeFeed.h"
#include "storage/DbWorker.h"
#include "storage/MessageRepository.h"
#include "storage/PreferencesRepository.h"
#include "storage/UserRepository.h"
#include "websocket/IoThreads.h"
#include "websocket/WebSocketWire.h"
#include "websocket/WsSession.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcRealtime, "pitchey.server.realtime", QtInfoMsg)

namespace pitchey::server {

namespace {
// RFC 6455 11.7 (IANA): the server is overloaded or the client over a limit; try later.
constexpr auto kCloseTryAgainLater = QWebSocketProtocol::CloseCode(1013);
constexpr int kBacklogChunk = 200; // messages read at once (at most 64 KiB each)
// What goes out before waiting for the connection's output to drain, as a share of the
// output bound: room to spare for live frames, and enough to keep a link busy.
constexpr qsizetype kBacklogPageShare = 4;
constexpr int kJoinHistory = 50;
const auto kWebSocketPath = "/api/messages/ws"_L1;
} // namespace

RealtimeHub::RealtimeHub(Dependencies deps, QObject *parent)
    : QObject(parent)
    , m_deps(deps)
    , m_typing(std::make_unique<TypingTracker>(m_deps.typingExpiry))
{
    connect(m_typing.get(), &TypingTracker::expired, this,
            [this](qint64 conversationId, qint64 userId) {
                broadcastTyping(conversationId, userId, false);
            });
    // One sweep for every connection: pings often enough that a quiet but healthy client
    // always answers within the idle timeout.
    m_heartbeat.setInterval(
        std::min<std::chrono::milliseconds>(std::chrono::seconds(30), m_deps.idleTimeout / 4));
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        for (WsSession *session : sessions())
            session->heartbeat();
    });
    m_heartbeat.start();
    m_flushAcks.setSingleShot(true);
    m_flushAcks.setInterval(0);
    connect(&m_flushAcks, &QTimer::timeout, this, &RealtimeHub::flushDelivered);
}

RealtimeHub::~RealtimeHub() = default;

void RealtimeHub::accept(WebSocketUpgrade &&upgrade)
{
    const QString token = upgrade.query.queryItemValue(u"token"_s, QUrl::FullyDecoded);
    auto claims = m_deps.jwt.verify(token);
    // A connection with a bad token is a session too, closed at once: the I/O thread
    // answers the handshake, sends the close frame and waits for the client's.
    auto *session = new WsSession(m_deps.io, claims.ok() ? claims.value() : TokenClaims{}, this);
    m_deps.io.adopt(session, std::move(upgrade));
    connect(session, &WsSession::frameReceived, this, &RealtimeHub::onFrame);
    connect(session, &WsSession::closed, this, &RealtimeHub::onClosed);
    if (!claims.ok())
        return session->close(QWebSocketProtocol::CloseCodePolicyViolated,
                              u"invalid or expired token"_s);
    // The signature holds; whether the account does is the database's answer.
    m_deps.auth.checkAccount(
        claims.value(), session, [this, session](const Result<TokenClaims> &checked) {
            if (session->isClosed()) // gone meanwhile (onClosed has dealt with it)
                return;
            if (!checked.ok())
                return session->close(QWebSocketProtocol::CloseCodePolicyViolated,
                                      u"invalid or expired token"_s);
            admit(session);
        });
}

void RealtimeHub::admit(WsSession *session)
{
    // The feed's position first: whatever commits after it reaches this connection as a
    // frame, or as a message pushed from the backlog read below, or through the feed.
    m_deps.db.submitThen<qint64>(session->userId(), &ChangeFeed::latest, session,
                                 [this, session](const Result<qint64> &latest) {
                                     if (session->isClosed())
                                         return;
                                     if (!latest.ok())
                                         return session->close(kCloseTryAgainLater,
                                                               u"the server is busy"_s);
                                     welcome(session, latest.value());
                                 });
}

void RealtimeHub::welcome(WsSession *session, qint64 latestChangeId)
{
    if (m_deps.registry.sessionsOf(session->userId()).size() >= m_maxConnectionsPerUser)
        return session->close(kCloseTryAgainLater,
                              u"too many connections for this account; close one and retry"_s);
    session->admit();
    const bool first = m_deps.registry.add(session);
    qCDebug(lcRealtime) << "user" << session->userId() << "connected";

    session->send(
        frames::encode(frames::connected(session->userId(), currentTimeMs(), latestChangeId)));
    session->beginBacklog();
    pushBacklog(session, std::make_shared<BacklogPush>());
    if (first) {
        Q_EMIT presenceChangedHere(session->userId(), true);
        if (!m_deps.registry.isOnlineElsewhere(session->userId()))
            announcePresence(session->userId(), session->username(), true);
    }
    for (const frames::ParsedClientFrame &early : session->takeEarly())
        onFrame(session, early);
}

QList<WsSession *> RealtimeHub::sessions() const
{
    // Every session in the registry is one of this hub's (the transport registers them).
    QList<WsSession *> sessions;
    for (ClientSession *session : m_deps.registry.all()) {
        if (auto *ws = qobject_cast<WsSession *>(session))
            sessions.append(ws);
    }
    return sessions;
}

void RealtimeHub::closeAll()
{
    for (WsSession *session : sessions())
        session->close(QWebSocketProtocol::CloseCodeGoingAway, u"server shutting down"_s);
}

struct RealtimeHub::BacklogPush
{
    QList<QPair<qint64, QByteArray>> waiting; // read and encoded, not yet sent
    qint64 afterId = 0;                       // the last id read
    bool more = true;                         // the last chunk read was full
};

void RealtimeHub::pushBacklog(WsSession *session, const std::shared_ptr<BacklogPush> &push)
{
    if (!push->waiting.isEmpty())
        return sendBacklogPage(session, push);
    if (!push->more)
        return session->finishBacklog();
    const qint64 userId = session->userId();
    const qint64 afterId = push->afterId;
    whenReady(m_deps.db.submitFor<QList<Message>>(userId,
                                                  [userId, afterId](QSqlDatabase &db) {
                                                      return MessageRepository::undelivered(
                                                          db, userId, afterId, kBacklogChunk);
                                                  }),
              session, [this, session, push](Result<QList<Message>> chunk) {
                  if (!chunk.ok()) {
                      refuse(session, chunk.error());
                      return session->finishBacklog();
                  }
                  for (const Message &message : chunk.value())
                      push->waiting.append({message.id, frames::encodeNewMessage(message)});
                  push->more = chunk.value().size() == kBacklogChunk;
                  if (!chunk.value().isEmpty())
                      push->afterId = chunk.value().constLast().id;
                  pushBacklog(session, push);
              });
}

void RealtimeHub::sendBacklogPage(WsSession *session, const std::shared_ptr<BacklogPush> &push)
{
    const qsizetype pageBytes = m_deps.io.maxOutput() / kBacklogPageShare;
    qsizetype count = 0;
    qsizetype bytes = 0;
    while (count < push->waiting.size() &&
           (count == 0 || bytes + push->waiting.at(count).second.size() <= pageBytes))
        bytes += push->waiting.at(count++).second.size();
    session->sendBacklog(push->waiting.first(count));
    push->waiting.remove(0, count);
    m_deps.metrics.messagesDelivered.fetch_add(quint64(count), std::memory_order_relaxed);
    session->whenDrained([this, session, push] { pushBacklog(session, push); });
}

void RealtimeHub::onFrame(WsSession *session, const frames::ParsedClientFrame &parsed)
{
    if (!session->admitted()) {
        if (!session->keepEarly(parsed))
            session->close(QWebSocketProtocol::CloseCodePolicyViolated,
                           u"too many frames before the token was checked"_s);
        return;
    }
    if (!m_deps.userLimiter.tryAcquire(session->userId())) {
        // (Coalesced with the I/O thread's refusals of the same connection.)
        session->refuseForRate(frames::refOf(parsed));
        return;
    }
    if (const auto *refusal = std::get_if<frames::Refusal>(&parsed)) {
        refuse(session, refusal->error, refusal->ref);
        return;
    }
    handle(session, std::get<frames::ClientFrame>(parsed));
}

template<typename T>
auto RealtimeHub::refusedWith(WsSession *session, const frames::ClientFrame &frame)
{
    return guarded(session, [session, ref = frames::refOf(frame)](const Result<T> &result) {
        if (!result.ok())
            refuse(session, result.error(), ref);
    });
}

void RealtimeHub::handle(WsSession *session, const frames::ClientFrame &frame)
{
    const qint64 userId = session->userId();
    if (std::holds_alternative<frames::Ping>(frame)) {
        session->send(frames::encode(frames::pong()));
    } else if (const auto *send = std::get_if<frames::SendMessage>(&frame)) {
        m_deps.messages.send(userId, *send, session, refusedWith<StoredMessage>(session, frame));
    } else if (const auto *delivered = std::get_if<frames::MessageDelivered>(&frame)) {
        queueDelivered(session, delivered->messageId);
    } else if (const auto *read = std::get_if<frames::MessageRead>(&frame)) {
        m_deps.messages.markRead(userId, read->messageId, session,
                                 refusedWith<std::optional<ReadReceipt>>(session, frame));
    } else if (const auto *typing = std::get_if<frames::Typing>(&frame)) {
        handleTyping(session, *typing);
    } else if (const auto *join = std::get_if<frames::JoinConversation>(&frame)) {
        handleJoin(session, join->conversationId);
    } else if (const auto *edit = std::get_if<frames::EditMessage>(&frame)) {
        m_deps.messages.edit(userId, *edit, session, refusedWith<ChangedMessage>(session, frame));
    } else if (const auto *remove = std::get_if<frames::DeleteMessage>(&frame)) {
        m_deps.messages.remove(userId, *remove, session,
                               refusedWith<DeletedMessage>(session, frame));
    } else if (const auto *react = std::get_if<frames::React>(&frame)) {
        m_deps.messages.react(userId, *react, session,
                              refusedWith<Reactions::Reacted>(session, frame));
    }
}

void RealtimeHub::queueDelivered(WsSession *session, qint64 messageId)
{
    if (!m_flushAcks.isActive())
        m_flushAcks.start(); // once the frames already read in this pass are queued too
    m_pendingAcks.append({session, session->userId(), messageId});
}

void RealtimeHub::flushDelivered()
{
    QList<PendingAck> acks;
    acks.swap(m_pendingAcks);
    QList<MessageService::Ack> batch;
    batch.reserve(acks.size());
    for (const PendingAck &ack : std::as_const(acks))
        batch.append({ack.userId, ack.messageId});
    m_deps.messages.markDeliveredMany(
        batch, [acks](const MessageService::DeliveryResults &results) {
            for (qsizetype i = 0; i < results.size() && i < acks.size(); ++i) {
                if (!results.at(i).ok() && acks.at(i).session)
                    refuse(acks.at(i).session, results.at(i).error());
            }
        });
}

void RealtimeHub::handleTyping(WsSession *session, const frames::Typing &typing)
{
    whenReady(m_deps.participants.participants(typing.conversationId), session,
              [this, session, typing](Result<ParticipantCache::Participants> participants) {
                  if (!participants.ok())
                      return refuse(session, participants.error());
                  if (!participants.value())
                      return refuse(session, Error::notFound(u"no such conversation"_s));
                  if (!participants.value()->contains(session->userId()))
                      return refuse(
                          session,
                          Error::forbidden(u"you are not a participant of this conversation"_s));
                  m_deps.participants.remember(typing.conversationId, *participants.value());
                  const qint64 userId = session->userId();
                  if (m_sharesTyping.contains(userId))
                      return forwardTyping(session, typing);
                  whenReady(m_deps.db.submit<NotificationPreferences>([userId](QSqlDatabase &db) {
                      return PreferencesRepository::get(db, userId);
                  }),
                            session, [this, session, typing](Result<NotificationPreferences> got) {
                                if (!got.ok())
                                    return refuse(session, got.error());
                                m_sharesTyping.insert(session->userId(),
                                                      got.value().sendTypingIndicators);
                                forwardTyping(session, typing);
                            });
              });
}

void RealtimeHub::forwardTyping(WsSession *session, const frames::Typing &typing)
{
    // A user who keeps typing private is never announced, not even by expiry.
    if (!m_sharesTyping.value(session->userId(), true))
        return;
    if (typing.isTyping)
        m_typing->start(typing.conversationId, session->userId());
    else
        m_typing->stop(typing.conversationId, session->userId());
    broadcastTyping(typing.conversationId, session->userId(), typing.isTyping);
}

void RealtimeHub::broadcastTyping(qint64 conversationId, qint64 userId, bool isTyping)
{
    whenReady(m_deps.participants.participants(conversationId), this,
              [this, conversationId, userId,
               isTyping](Result<ParticipantCache::Participants> participants) {
                  if (!participants.ok() || !participants.value())
                      return;
                  QList<qint64> others = *participants.value();
                  others.removeAll(userId);
                  m_deps.registry.sendTo(
                      others, frames::encode(frames::userTyping(userId, conversationId, isTyping)));
              });
}

void RealtimeHub::handleJoin(WsSession *session, qint64 conversationId)
{
    const qint64 userId = session->userId();
    whenReady(m_deps.db.submitFor<HistoryPage>(conversationId,
                                               [conversationId, userId](QSqlDatabase &db) {
                                                   return MessageRepository::historyFor(
                                                       db, conversationId, userId,
                                                       {std::nullopt, std::nullopt, kJoinHistory,
                                                        std::nullopt, false});
                                               }),
              session, [session, conversationId](Result<HistoryPage> page) {
                  if (!page.ok())
                      return refuse(session, page.error());
                  session->send(frames::encode(
                      frames::conversationHistory(conversationId, page.value().messages)));
              });
}

void RealtimeHub::onClosed(WsSession *session)
{
    if (!session->admitted()) { // never registered, never announced
        session->deleteLater();
        return;
    }
    const qint64 userId = session->userId();
    const QString username = session->username();
    const bool last = m_deps.registry.remove(session);
    session->deleteLater();
    qCDebug(lcRealtime) << "user" << userId << "disconnected";
    if (last) {
        Q_EMIT presenceChangedHere(userId, false);
        if (!m_deps.registry.isOnlineElsewhere(userId))
            announcePresence(userId, username, false);
    }
}

void RealtimeHub::announceElsewhereChange(const QList<qint64> &userIds, bool online)
{
    struct Gone
    {
        User user;
        QList<qint64> contacts;
    };
    whenReady(m_deps.db.submit<QList<Gone>>([userIds](QSqlDatabase &db) -> Result<QList<Gone>> {
        auto users = UserRepository::byIds(db, userIds);
        if (!users.ok())
            return users.error();
        QList<Gone> gone;
        for (const User &user : users.value()) {
            auto contacts = UserRepository::contactsOf(db, user.id);
            if (!contacts.ok())
                return contacts.error();
            gone.append({user, contacts.value()});
        }
        return gone;
    }),
              this, [this, online](const Result<QList<Gone>> &gone) {
                  if (!gone.ok())
                      return;
                  for (const Gone &entry : gone.value()) {
                      if (m_deps.registry.isOnline(entry.user.id) != online)
                          continue; // changed again meanwhile
                      Q_EMIT presenceChanged(entry.user.id, online);
                      m_deps.registry.sendHere(entry.contacts,
                                               frames::encode(frames::presence(
                                                   entry.user.id, entry.user.username, online)));
                  }
              });
}

void RealtimeHub::announcePresence(qint64 userId, const QString &username, bool online)
{
    Q_EMIT presenceChanged(userId, online);
    whenReady(m_deps.db.submit<QList<qint64>>(
                  [userId](QSqlDatabase &db) { return UserRepository::contactsOf(db, userId); }),
              this, [this, userId, username, online](Result<QList<qint64>> contacts) {
                  // A reconnect (or a quick disconnect) may have overtaken this announcement.
                  if (!contacts.ok() || m_deps.registry.isOnline(userId) != online)
                      return;
                  // This node's connections only: in a cluster every node sees the change
                  // and tells its own.
                  m_deps.registry.sendHere(
                      contacts.value(), frames::encode(frames::presence(userId, username, online)));
              });
}

void RealtimeHub::refuse(WsSession *session, const Error &error, const QJsonValue &ref)
{
    session->send(frames::encode(frames::error(error, ref)));
}

} // namespace pitchey::server
