#include "sync/OfflineQueue.h"

#include "net/RealtimeConnection.h"
#include "store/LocalCache.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClientQueue, "pitchey.client.queue", QtInfoMsg)

namespace pitchey::client {

namespace {
constexpr int kAnswerTimeoutMs = 15'000;
constexpr int kRateLimitPauseMs = 1'000;
constexpr int kServerTroublePauseMs = 5'000;
} // namespace

OfflineQueue::OfflineQueue(LocalCache &cache, RealtimeConnection &connection, QObject *parent)
    : QObject(parent)
    , m_cache(cache)
    , m_connection(connection)
{
    m_answerTimer.setSingleShot(true);
    connect(&m_answerTimer, &QTimer::timeout, this, [this] {
        m_inFlight.clear();
        pump();
    });
    m_pauseTimer.setSingleShot(true);
    connect(&m_pauseTimer, &QTimer::timeout, this, &OfflineQueue::pump);
    connect(&m_connection, &RealtimeConnection::stateChanged, this,
            [this](RealtimeConnection::State state) {
                // Whatever was in flight is sent again on the next connection.
                m_inFlight.clear();
                m_answerTimer.stop();
                if (state == RealtimeConnection::State::Connected)
                    pump();
            });
}

Result<LocalMessage> OfflineQueue::enqueue(qint64 conversationId, qint64 senderId,
                                           const QString &content, const SendOptions &options)
{
    auto message = m_cache.addOutgoing(conversationId, senderId, content, options);
    if (message.ok())
        pump();
    return message;
}

void OfflineQueue::retry(const QString &clientMessageId)
{
    if (auto message = m_cache.requeue(clientMessageId)) {
        Q_EMIT messageChanged(*message);
        pump();
    }
}

void OfflineQueue::discard(const QString &clientMessageId)
{
    m_cache.removeFailed(clientMessageId);
    Q_EMIT messageRemoved(clientMessageId);
}

Result<LocalMessage> OfflineQueue::change(Outgoing::Kind kind, qint64 messageId,
                                          const QString &content, bool on, const Mentions &mentions)
{
    auto message = kind == Outgoing::Kind::React
                       ? m_cache.addReaction(messageId, content, on)
                       : m_cache.addChange(kind, messageId, content, mentions);
    if (message.ok()) {
        Q_EMIT messageChanged(message.value());
        pump();
    }
    return message;
}

void OfflineQueue::pump()
{
    if (!m_inFlight.isEmpty() || m_pauseTimer.isActive() ||
        m_connection.state() != RealtimeConnection::State::Connected)
        return;
    sendHead();
}

void OfflineQueue::sendHead()
{
    const auto head = m_cache.nextOutgoing();
    if (!head)
        return;
    bool sent = false;
    switch (head->kind) {
    case Outgoing::Kind::Send:
        sent = m_connection.send(frames::SendMessage{
            head->message.conversationId,
            std::nullopt,
            head->message.content,
            head->requestId,
            head->message.replyToId != 0 ? std::optional(head->message.replyToId) : std::nullopt,
            head->message.threadRootId != 0 ? std::optional(head->message.threadRootId)
                                            : std::nullopt,
            head->message.mentions,
            {}});
        break;
    case Outgoing::Kind::Edit:
        sent = m_connection.send(frames::EditMessage{head->messageId, head->content, head->version,
                                                     head->requestId, head->message.mentions});
        break;
    case Outgoing::Kind::Delete:
        sent = m_connection.send(frames::DeleteMessage{head->messageId, head->requestId});
        break;
    case Outgoing::Kind::React:
        sent = m_connection.send(
            frames::React{head->messageId, head->content, head->version != 0, head->requestId});
        break;
    }
    if (!sent)
        return;
    m_inFlight = head->requestId;
    m_answerTimer.start(kAnswerTimeoutMs);
}

void OfflineQueue::pauseThenPump(int ms)
{
    m_inFlight.clear();
    m_answerTimer.stop();
    m_pauseTimer.start(ms);
}

void OfflineQueue::next()
{
    m_inFlight.clear();
    m_answerTimer.stop();
    pump();
}

bool OfflineQueue::handleFrame(const frames::server::ServerFrame &frame)
{
    namespace in = frames::server;
    if (const auto *sent = std::get_if<in::MessageSent>(&frame)) {
        const QString clientMessageId = sent->clientMessageId.value_or(QString());
        if (auto message = m_cache.markSent(clientMessageId, sent->messageId, sent->createdAt))
            Q_EMIT messageChanged(*message);
        if (clientMessageId == m_inFlight)
            next();
        return true;
    }
    if (const auto *updated = std::get_if<in::MessageUpdated>(&frame)) {
        // The change in flight is done; the frame itself is for the cache (not consumed).
        if (updated->ref.isString() && updated->ref.toString() == m_inFlight) {
            m_cache.finishOutgoing(m_inFlight);
            // Later edits of it were made on top of this one.
            m_cache.rebaseEdits(updated->message.id, updated->message.version);
            next();
        }
        return false;
    }
    const auto *refused = std::get_if<in::Refused>(&frame);
    if (!refused || !refused->ref.isString() || refused->ref.toString() != m_inFlight)
        return false;
    const ErrorCode code = refused->error.code;
    qCInfo(lcClientQueue) << "refused:" << errorCodeName(code);
    if (code == ErrorCode::RateLimited)
        pauseThenPump(kRateLimitPauseMs);
    else if (code == ErrorCode::Internal)
        pauseThenPump(kServerTroublePauseMs);
    else
        refusedForGood(refused->error);
    return true;
}

void OfflineQueue::refusedForGood(const Error &error)
{
    const auto current = Message::fromJson(error.details.value("current"_L1).toObject());
    const auto head = m_cache.nextOutgoing();
    if (auto message = m_cache.markFailed(m_inFlight, error.message)) {
        Q_EMIT messageChanged(*message); // a send: kept, failed, for the person to retry
    } else if (current.ok() && head && head->requestId == m_inFlight &&
               head->kind == Outgoing::Kind::Edit && current.value().content == head->content &&
               !current.value().deletedAt) {
        // Stale, but the message already says this (the edit's answer was lost before a
        // resend, or another device made the same edit): done, nothing to tell.
        m_cache.finishOutgoing(m_inFlight);
        Q_EMIT messageChanged(m_cache.storeFromServer(current.value()).message);
    } else if (auto before = m_cache.revertOutgoing(m_inFlight)) {
        // A change: the message as it was, or as the server now has it (a conflict says).
        if (current.ok())
            before = m_cache.storeFromServer(current.value()).message;
        Q_EMIT messageChanged(*before);
        Q_EMIT changeRefused(
            error.code == ErrorCode::Conflict
                ? tr("The message was changed elsewhere; your change was not made.")
                : error.message);
    }
    next();
}

} // namespace pitchey::client
