#include "realtime/MessageService.h"

#include "realtime/ConnectionRegistry.h"
#include "realtime/ParticipantCache.h"
#include "realtime/WsSession.h"
#include "storage/DbWorker.h"

namespace pitchey::server {

MessageService::MessageService(DbWorker &db, ConnectionRegistry &registry,
                               ParticipantCache &participants, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_registry(registry)
    , m_participants(participants)
{}

QFuture<Result<StoredMessage>>
MessageService::send(qint64 senderId, const frames::SendMessage &send, WsSession *origin)
{
    QPointer<WsSession> from(origin);
    return m_db
        .submit<StoredMessage>([senderId, send](QSqlDatabase &db) {
            return MessageRepository::store(db, senderId, send);
        })
        .then(this, [this, from](Result<StoredMessage> stored) {
            if (stored.ok())
                publish(stored.value(), from);
            return stored;
        });
}

void MessageService::publish(const StoredMessage &stored, const QPointer<WsSession> &origin)
{
    const Message &message = stored.message;
    if (stored.duplicate) {
        // The first answer was lost: answer again, tell nobody else.
        if (origin)
            origin->send(frames::encode(frames::messageSent(message)));
        return;
    }
    m_participants.remember(message.conversationId, stored.participants);
    const QByteArray newMessage = frames::encode(frames::newMessage(message));
    const QByteArray sent = origin ? frames::encode(frames::messageSent(message)) : QByteArray();
    for (qint64 userId : stored.participants) {
        for (WsSession *session : m_registry.sessionsOf(userId)) {
            if (session == origin)
                session->send(sent);
            else
                session->sendMessage(message.id, newMessage);
        }
    }
    for (const UserNotification &entry : stored.notifications) {
        if (entry.realtime)
            m_registry.sendTo({entry.userId},
                              frames::encode(frames::notification(entry.notification)));
    }
    Q_EMIT messageStored(message.conversationId);
}

QFuture<Result<std::optional<DeliveryReceipt>>> MessageService::markDelivered(qint64 userId,
                                                                              qint64 messageId)
{
    return m_db
        .submit<std::optional<DeliveryReceipt>>([userId, messageId](QSqlDatabase &db) {
            return MessageRepository::markDelivered(db, userId, messageId);
        })
        .then(this, [this](Result<std::optional<DeliveryReceipt>> receipt) {
            if (receipt.ok() && receipt.value()) {
                const DeliveryReceipt &r = *receipt.value();
                m_registry.sendTo({r.senderId}, frames::encode(frames::messageDelivered(
                                                    r.messageId, r.conversationId, r.deliveredTo,
                                                    r.deliveredAt)));
            }
            return receipt;
        });
}

QFuture<Result<std::optional<ReadReceipt>>>
MessageService::markRead(qint64 userId, qint64 messageId, WsSession *origin)
{
    QPointer<WsSession> from(origin);
    return m_db
        .submit<std::optional<ReadReceipt>>([userId, messageId](QSqlDatabase &db) {
            return MessageRepository::markRead(db, userId, messageId);
        })
        .then(this, [this, from](Result<std::optional<ReadReceipt>> receipt) {
            if (receipt.ok() && receipt.value()) {
                const ReadReceipt &r = *receipt.value();
                // The other participants, and the reader's other devices (to clear their unread).
                m_registry.sendTo(r.participants,
                                  frames::encode(frames::messageRead(r.messageId, r.conversationId,
                                                                     r.readBy, r.readAt)),
                                  from.data());
            }
            return receipt;
        });
}

} // namespace pitchey::server
