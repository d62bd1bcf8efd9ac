#pragma once

#include "protocol/Frames.h"
#include "storage/MessageRepository.h"

#include <QObject>
#include <QPointer>

#include <chrono>
#include <functional>

namespace pitchey::server {

class ConnectionRegistry;
class DbWorker;
class Metrics;
class ParticipantCache;
class WsSession;

// Messages and their receipts, for both front ends: stores through the database thread and,
// once the commit is done, tells every open connection concerned, then calls `done`.
// Results are published in commit order, so every participant sees a conversation in the
// order of its ids.
class MessageService : public QObject
{
    Q_OBJECT

public:
    template<typename T> using Done = std::function<void(const Result<T> &)>;

    MessageService(DbWorker &db, ConnectionRegistry &registry, ParticipantCache &participants,
                   Metrics &metrics, QObject *parent = nullptr);

    // `origin` is the WebSocket session that sent it (it gets message_sent, not new_message);
    // nullptr for HTTP, where every connection gets new_message.
    void send(qint64 senderId, const frames::SendMessage &send, WsSession *origin,
              Done<StoredMessage> done);
    // Many acknowledgements in one database job (a recipient acknowledges every message it
    // receives, so these are as frequent as deliveries); `done` gets one result per ack.
    struct Ack
    {
        qint64 userId = 0;
        qint64 messageId = 0;
    };
    using DeliveryResults = QList<Result<std::optional<DeliveryReceipt>>>;
    void markDeliveredMany(const QList<Ack> &acks,
                           std::function<void(const DeliveryResults &)> done);
    void markRead(qint64 userId, qint64 messageId, WsSession *origin,
                  Done<std::optional<ReadReceipt>> done);

private:
    void publish(const StoredMessage &stored, const QPointer<WsSession> &origin,
                 std::chrono::steady_clock::time_point received);

    DbWorker &m_db;
    ConnectionRegistry &m_registry;
    ParticipantCache &m_participants;
    Metrics &m_metrics;
};

} // namespace pitchey::server
