#pragma once

#include "protocol/Result.h"
#include "protocol/ServerFrames.h"
#include "store/LocalMessage.h"

#include <QObject>
#include <QTimer>

namespace pitchey::client {

class LocalCache;
class RealtimeConnection;

// Messages the user typed, on their way to the server. Each is written to the local
// cache (with a fresh UUID clientMessageId) before anything else happens, then sent over
// the realtime connection one at a time, oldest first, so that no message overtakes an
// earlier one of its conversation. A message in flight when the connection drops is sent
// again after reconnect with the same clientMessageId; the server's idempotency turns
// that into an acknowledgement, never a duplicate. A refusal (forbidden, bad_request,
// too_large...) marks the message failed for the user to retry or drop; rate_limited and
// internal are retried after a pause.
class OfflineQueue : public QObject
{
    Q_OBJECT

public:
    OfflineQueue(LocalCache &cache, RealtimeConnection &connection, QObject *parent = nullptr);

    [[nodiscard]] Result<LocalMessage> enqueue(qint64 conversationId, qint64 senderId,
                                               const QString &content);
    void retry(const QString &clientMessageId);
    void discard(const QString &clientMessageId);
    // Consumes message_sent and error frames that answer a queued message.
    bool handleFrame(const frames::server::ServerFrame &frame);
    void pump();

    [[nodiscard]] QString inFlight() const { return m_inFlight; }

Q_SIGNALS:
    void messageChanged(const pitchey::client::LocalMessage &message);
    void messageRemoved(const QString &clientMessageId);

private:
    void sendHead();
    void pauseThenPump(int ms);

    LocalCache &m_cache;
    RealtimeConnection &m_connection;
    QString m_inFlight;
    QTimer m_answerTimer; // no answer for a frame in flight: send it again
    QTimer m_pauseTimer;
};

} // namespace pitchey::client
