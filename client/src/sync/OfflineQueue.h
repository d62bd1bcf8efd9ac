#pragma once

#include "protocol/Result.h"
#include "protocol/ServerFrames.h"
#include "store/LocalCache.h"

#include <QObject>
#include <QTimer>

namespace pitchey::client {

class RealtimeConnection;

// What the user did, on its way to the server: messages typed, edits and deletes. Each is
// written to the local cache's outbox (with a fresh UUID clientMessageId or
// clientRequestId) before anything else happens, then sent over the realtime connection
// one at a time, in the order done, so that nothing overtakes an earlier step. A message in flight
// when the connection drops is sent again after reconnect with the same clientMessageId; the
// server's idempotency turns that into an acknowledgement, never a duplicate. A refusal (forbidden,
// bad_request, too_large...) marks the message failed for the user to retry or drop; rate_limited
// and internal are retried after a pause. A refused edit or delete is undone in the cache (or
// replaced by the server's current message, which a conflict carries) and said.
class OfflineQueue : public QObject
{
    Q_OBJECT

public:
    OfflineQueue(LocalCache &cache, RealtimeConnection &connection, QObject *parent = nullptr);

    [[nodiscard]] Result<LocalMessage> enqueue(qint64 conversationId, qint64 senderId,
                                               const QString &content,
                                               const SendOptions &options = {});
    void retry(const QString &clientMessageId);
    void discard(const QString &clientMessageId);
    // An edit (with its new `content` and `mentions`) or a delete of one of the user's sent
    // messages, or a reaction (`content` the emoji, `on` whether added) to any message.
    [[nodiscard]] Result<LocalMessage> change(Outgoing::Kind kind, qint64 messageId,
                                              const QString &content = {}, bool on = true,
                                              const Mentions &mentions = {});
    // Consumes message_sent and error frames that answer what is in flight (a
    // message_updated answering it goes on to the cache).
    bool handleFrame(const frames::server::ServerFrame &frame);
    void pump();

    [[nodiscard]] QString inFlight() const { return m_inFlight; }

Q_SIGNALS:
    void messageChanged(const pitchey::client::LocalMessage &message);
    void messageRemoved(const QString &clientMessageId);
    void changeRefused(const QString &why);

private:
    void sendHead();
    void pauseThenPump(int ms);
    void next(); // what was in flight is answered: on to the next
    void refusedForGood(const Error &error);

    LocalCache &m_cache;
    RealtimeConnection &m_connection;
    QString m_inFlight;
    QTimer m_answerTimer; // no answer for a frame in flight: send it again
    QTimer m_pauseTimer;
};

} // namespace pitchey::client
