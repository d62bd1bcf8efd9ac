#include "realtime/MessageService.h"

#include "app/Async.h"
#include "ops/Metrics.h"
#include "realtime/ConnectionRegistry.h"
#include "realtime/ParticipantCache.h"
#include "realtime/WsSession.h"
#include "storage/DbWorker.h"

namespace pitchey::server {

MessageService::MessageService(DbWorker &db, ConnectionRegistry &registry,
                               ParticipantCache &participants, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_registry(registry)
    , m_participants(participants)
    , m_metrics(metrics)
{}

void MessageService::send(qint64 senderId, const frames::SendMessage &send, WsSession *origin,
                          Done<StoredMessage> done)
{
    const auto received = std::chrono::steady_clock::now();
    auto stored = m_db.submit<StoredMessage>([senderId, send](QSqlDatabase &db) {
        return MessageRepository::store(db, senderId, send);
    });
    whenReady(stored, this,
              [this, from = QPointer<WsSession>(origin), done,
               received](const Result<StoredMessage> &result) {
                  if (result.ok())
                      publish(result.value(), from, received);
                  if (done)
                      done(result);
              });
}

void MessageService::publish(const StoredMessage &stored, const QPointer<WsSession> &origin,
                             std::chrono::steady_clock::time_point received)
{
    const Message &message = stored.message;
    if (stored.duplicate) {
        // The first answer was lost: answer again, tell nobody else.
        if (origin)
            origin->send(frames::encode(frames::messageSent(message)));
        return;
    }
    m_metrics.messagesStored.fetch_add(1, std::memory_order_relaxed);
    m_participants.remember(message.conversationId, stored.participants);
    const QString newMessage = QString::fromUtf8(frames::encode(frames::newMessage(message)));
    const QByteArray sent = origin ? frames::encode(frames::messageSent(message)) : QByteArray();
    if (origin)
        origin->send(sent);
    const qsizetype delivered =
        m_registry.sendMessageHere(stored.participants, message.id, newMessage, origin.data());
    // Other nodes of a cluster deliver to their own connections.
    m_registry.forwardMessage(stored.participants, message.id, newMessage);
    if (delivered > 0) {
        m_metrics.messagesDelivered.fetch_add(delivered, std::memory_order_relaxed);
        m_metrics.deliveryLatency.observe(std::chrono::steady_clock::now() - received);
    }
    for (const UserNotification &entry : stored.notifications) {
        if (entry.realtime)
            m_registry.sendTo({entry.userId},
                              frames::encode(frames::notification(entry.notification)));
    }
}

void MessageService::markDeliveredMany(const QList<Ack> &acks,
                                       std::function<void(const DeliveryResults &)> done)
{
    auto marked = m_db.submit<DeliveryResults>([acks](QSqlDatabase &db) {
        DeliveryResults results;
        results.reserve(acks.size());
        // Each refusal happens before its ack writes anything, so one refused ack never
        // needs the others rolled back.
        for (const Ack &ack : acks)
            results.append(MessageRepository::markDelivered(db, ack.userId, ack.messageId));
        return Result<DeliveryResults>(results);
    });
    whenReady(marked, this,
              [this, count = acks.size(), done](const Result<DeliveryResults> &results) {
                  const DeliveryResults each =
                      results.ok() ? results.value() : DeliveryResults(count, results.error());
                  for (const auto &receipt : each) {
                      if (!receipt.ok() || !receipt.value())
                          continue;
                      const DeliveryReceipt &r = *receipt.value();
                      m_registry.sendTo({r.senderId}, frames::encode(frames::messageDelivered(
                                                          r.messageId, r.conversationId,
                                                          r.deliveredTo, r.deliveredAt)));
                  }
                  if (done)
                      done(each);
              });
}

void MessageService::markRead(qint64 userId, qint64 messageId, WsSession *origin,
                              Done<std::optional<ReadReceipt>> done)
{
    auto marked = m_db.submit<std::optional<ReadReceipt>>([userId, messageId](QSqlDatabase &db) {
        return MessageRepository::markRead(db, userId, messageId);
    });
    whenReady(marked, this,
              [this, from = QPointer<WsSession>(origin),
               done](const Result<std::optional<ReadReceipt>> &receipt) {
                  if (receipt.ok() && receipt.value()) {
                      const ReadReceipt &r = *receipt.value();
                      // The other participants, and the reader's other devices (to clear
                      // their unread counts).
                      m_registry.sendTo(r.participants,
                                        frames::encode(frames::messageRead(
                                            r.messageId, r.conversationId, r.readBy, r.readAt)),
                                        from.data());
                  }
                  if (done)
                      done(receipt);
              });
}

} // namespace pitchey::server
