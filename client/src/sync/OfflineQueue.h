#pragma once

#include "protocol/Result.h"
#include "protocol/ServerFrames.h"
#include "store/LocalCache.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace pitchey::client {

class ApiClient;
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
//
// A message with files uploads them first, one after another over HTTP (from the cache's
// copies), each answer kept in the cache so that a restart goes on from the next file; the
// message goes out once all are up, so a text queued after it waits. An upload the server
// refuses (too large, bad request) fails the message; an unreachable server is tried again.
// The server answers the same bytes with the same attachment, so an upload interrupted
// anywhere is simply made again.
class OfflineQueue : public QObject
{
    Q_OBJECT

public:
    OfflineQueue(LocalCache &cache, RealtimeConnection &connection, ApiClient &api,
                 QObject *parent = nullptr);
    ~OfflineQueue() override;

    [[nodiscard]] Result<LocalMessage> enqueue(qint64 conversationId, qint64 senderId,
                                               const QString &content,
                                               const SendOptions &options = {});
    void retry(const QString &clientMessageId);
    // Takes back a message not acknowledged: a failed one, or a queued one not yet sent to
    // the server (its upload stopped); false when it is out already.
    bool discard(const QString &clientMessageId);
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
    // The share of a queued message's files uploaded (0 to 1), at most once per percent;
    // -1 once its uploads are over (done, failed or stopped).
    void uploadProgress(const QString &clientMessageId, double done);

private:
    void sendHead();
    void pauseThenPump(int ms);
    void next(); // what was in flight is answered: on to the next
    void refusedForGood(const Error &error);
    bool uploadNext(const Outgoing &head); // true: an upload started
    void uploaded(const QString &clientMessageId, qsizetype index,
                  const Result<Attachment> &answer);
    void stopUpload();
    void endProgress(); // uploadProgress -1 for what is in flight, unless said

    LocalCache &m_cache;
    RealtimeConnection &m_connection;
    ApiClient &m_api;
    QString m_inFlight;
    std::unique_ptr<QObject> m_upload; // the upload's context: reset to stop it
    int m_percent = -1;                // of the upload's message, as last said
    QTimer m_answerTimer;              // no answer for a frame in flight: send it again
    QTimer m_pauseTimer;
};

} // namespace pitchey::client
