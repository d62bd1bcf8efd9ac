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
                                           const QString &content)
{
    auto message = m_cache.addOutgoing(conversationId, senderId, content);
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

void OfflineQueue::pump()
{
    if (!m_inFlight.isEmpty() || m_pauseTimer.isActive() ||
        m_connection.state() != RealtimeConnection::State::Connected)
        return;
    sendHead();
}

void OfflineQueue::sendHead()
{
    const QList<LocalMessage> queued = m_cache.queued();
    if (queued.isEmpty())
        return;
    const LocalMessage &head = queued.constFirst();
    const bool sent = m_connection.send(frames::SendMessage{
        head.conversationId, std::nullopt, head.content, head.clientMessageId, std::nullopt});
    if (!sent)
        return;
    m_inFlight = head.clientMessageId;
    m_answerTimer.start(kAnswerTimeoutMs);
}

void OfflineQueue::pauseThenPump(int ms)
{
    m_inFlight.clear();
    m_answerTimer.stop();
    m_pauseTimer.start(ms);
}

bool OfflineQueue::handleFrame(const frames::server::ServerFrame &frame)
{
    if (const auto *sent = std::get_if<frames::server::MessageSent>(&frame)) {
        const QString clientMessageId = sent->clientMessageId.value_or(QString());
        if (auto message = m_cache.markSent(clientMessageId, sent->messageId, sent->createdAt))
            Q_EMIT messageChanged(*message);
        if (clientMessageId == m_inFlight) {
            m_inFlight.clear();
            m_answerTimer.stop();
            pump();
        }
        return true;
    }
    const auto *refused = std::get_if<frames::server::Refused>(&frame);
    if (!refused || !refused->ref.isString() || refused->ref.toString() != m_inFlight)
        return false;
    const ErrorCode code = refused->error.code;
    qCInfo(lcClientQueue) << "message refused:" << errorCodeName(code);
    if (code == ErrorCode::RateLimited) {
        pauseThenPump(kRateLimitPauseMs);
    } else if (code == ErrorCode::Internal) {
        pauseThenPump(kServerTroublePauseMs);
    } else {
        if (auto message = m_cache.markFailed(m_inFlight, refused->error.message))
            Q_EMIT messageChanged(*message);
        m_inFlight.clear();
        m_answerTimer.stop();
        pump();
    }
    return true;
}

} // namespace pitchey::client
