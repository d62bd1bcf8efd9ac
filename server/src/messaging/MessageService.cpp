#include "messaging/MessageService.h"

#include "base/Async.h"
#include "base/Metrics.h"
#include "messaging/ParticipantCache.h"
#include "presence/ClientSession.h"
#include "presence/ConnectionRegistry.h"
#include "protocol/ServerFrames.h"
#include "protocol/Time.h"
#include "storage/DbWorker.h"

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {
constexpr std::chrono::milliseconds kCatchUpRetry{250};
} // namespace

MessageService::MessageService(DbWorker &db, ConnectionRegistry &registry,
                               ParticipantCache &participants, Metrics &metrics, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_registry(registry)
    , m_participants(participants)
    , m_metrics(metrics)
{
    m_catchUpRetry.setSingleShot(true);
    m_catchUpRetry.setInterval(kCatchUpRetry);
    connect(&m_catchUpRetry, &QTimer::timeout, this, [this] { catchUp(m_catchUpUsers); });
}

void MessageService::send(qint64 senderId, const frames::SendMessage &send, ClientSession *origin,
                          Done<StoredMessage> done)
{
    if (m_maxDbBacklog > 0 && m_db.backlog() >= m_maxDbBacklog) {
        // Refused before anything is stored: a client sends it again later with the same
        // clientMessageId (the contract's answer to rate_limited), nothing is lost.
        m_metrics.messagesRefusedBusy.fetch_add(1, std::memory_order_relaxed);
        if (done)
            done(Error{ErrorCode::RateLimited,
                       QStringLiteral("the server is busy; try again shortly")});
        return;
    }
    if (send.attachmentIds.size() > m_maxAttachments) {
        if (done)
            done(Error::badRequest(
                u"a message carries at most %1 attachments"_s.arg(m_maxAttachments)));
        return;
    }
    const auto received = std::chrono::steady_clock::now();
    // A conversation's writes stay on one connection of the pool (the pair of a first
    // message by recipientId is not known yet: the conversation's row lock and the
    // sequencer keep its order then).
    const qint64 lane = send.conversationId.value_or(senderId);
    const NewMessage message{send.conversationId,  send.recipientId, send.content,
                             send.clientMessageId, send.replyToId,   send.threadRootId,
                             send.mentions,        m_maxMentions,    send.attachmentIds};
    m_db.submitThen<StoredMessage>(
        lane,
        [senderId, message, publish = m_publishInTransaction](QSqlDatabase &db) {
            auto result = MessageRepository::store(db, senderId, message);
            if (result.ok() && !result.value().duplicate && publish) {
                if (auto published = publish(db, result.value()); !published.ok())
                    return Result<StoredMessage>(published.error());
            }
            return result;
        },
        this,
        [this, from = QPointer<ClientSession>(origin), done = std::move(done),
         received](const Result<StoredMessage> &result) {
            if (result.ok())
                publish(result.value(), from, received);
            if (done)
                done(result);
        });
}

void MessageService::publish(const StoredMessage &stored, const QPointer<ClientSession> &origin,
                             std::chrono::steady_clock::time_point received)
{
    const Message &message = stored.message;
    if (stored.duplicate) {
        // The first answer was lost: answer again, tell nobody else.
        if (origin)
            origin->send(frames::encodeMessageSent(message));
        return;
    }
    m_metrics.messagesStored.fetch_add(1, std::memory_order_relaxed);
    m_participants.remember(message.conversationId, stored.participants);
    const QByteArray newMessage = frames::encodeNewMessage(message);
    const QByteArray sent = origin ? frames::encodeMessageSent(message) : QByteArray();
    if (origin)
        origin->send(sent);
    m_sequencer.arrived(
        message.conversationId, message.id, stored.previousId,
        [this, participants = stored.participants, id = message.id, newMessage, origin, received] {
            if (deliverHere(participants, id, newMessage, origin.data()) > 0)
                m_metrics.deliveryLatency.observe(std::chrono::steady_clock::now() - received);
        });
    if (!stored.notified.isEmpty())
        m_registry.sendTo(stored.notified, frames::encodeNotification(stored.notification));
    if (!stored.mentioned.isEmpty()) {
        Notification mention = stored.notification;
        mention.kind = u"mention"_s;
        m_registry.sendTo(stored.mentioned, frames::encodeNotification(mention));
    }
    if (stored.threadRoot)
        tellChanged(u"thread"_s, *stored.threadRoot, nullptr, std::nullopt);
}

void MessageService::deliverFromCluster(const QList<qint64> &userIds, qint64 conversationId,
                                        qint64 messageId, qint64 previousId,
                                        const QByteArray &frame)
{
    m_sequencer.arrived(conversationId, messageId, previousId, [this, userIds, messageId, frame] {
        deliverHere(userIds, messageId, frame);
    });
}

qsizetype MessageService::deliverHere(const QList<qint64> &userIds, qint64 messageId,
                                      const QByteArray &frame, const ClientSession *except)
{
    const qsizetype delivered = m_registry.sendMessageHere(userIds, messageId, frame, except);
    m_metrics.messagesDelivered.fetch_add(delivered, std::memory_order_relaxed);
    return delivered;
}

void MessageService::clusterGapBegan()
{
    m_sequencer.setPatienceSuspended(true);
}

void MessageService::catchUp(const QList<qint64> &userIds)
{
    auto waiting = m_db.submit<QList<MessageRepository::Waiting>>(
        [userIds](QSqlDatabase &db) { return MessageRepository::undeliveredForAny(db, userIds); });
    whenReady(waiting, this,
              [this, userIds](const Result<QList<MessageRepository::Waiting>> &result) {
                  if (!result.ok()) {
                      // Without this read, what was stored while the listener was away would reach
                      // these users only on their next connection.
                      m_catchUpUsers = userIds;
                      m_catchUpRetry.start();
                      return;
                  }
                  // In id order; what this node handed out already (the conversation's newest
                  // here is not older) is skipped, the rest goes on from there.
                  for (const MessageRepository::Waiting &entry : result.value()) {
                      const Message &message = entry.message;
                      const auto last = m_sequencer.lastDelivered(message.conversationId);
                      if (last && message.id <= *last)
                          continue;
                      deliverFromCluster(entry.userIds, message.conversationId, message.id,
                                         last.value_or(0), frames::encodeNewMessage(message));
                  }
                  m_sequencer.setPatienceSuspended(false);
              });
}

void MessageService::markDeliveredMany(const QList<Ack> &acks,
                                       std::function<void(const DeliveryResults &)> done)
{
    const qint64 lane = acks.isEmpty() ? 0 : acks.constFirst().userId;
    m_db.submitThen<DeliveryResults>(
        lane, [acks](QSqlDatabase &db) { return MessageRepository::markDeliveredMany(db, acks); },
        this,
        [this, count = acks.size(),
         done = std::move(done)](const Result<DeliveryResults> &results) {
            const DeliveryResults each =
                results.ok() ? results.value() : DeliveryResults(count, results.error());
            for (const auto &receipt : each) {
                if (!receipt.ok() || !receipt.value())
                    continue;
                const DeliveryReceipt &r = *receipt.value();
                m_registry.sendTo({r.senderId},
                                  frames::encodeMessageDelivered(r.messageId, r.conversationId,
                                                                 r.deliveredTo, r.deliveredAt));
            }
            if (done)
                done(each);
        });
}

void MessageService::markRead(qint64 userId, qint64 messageId, ClientSession *origin,
                              Done<std::optional<ReadReceipt>> done)
{
    m_db.submitThen<std::optional<ReadReceipt>>(
        userId,
        [userId, messageId](QSqlDatabase &db) {
            return MessageRepository::markRead(db, userId, messageId);
        },
        this,
        [this, from = QPointer<ClientSession>(origin),
         done = std::move(done)](const Result<std::optional<ReadReceipt>> &receipt) {
            if (receipt.ok() && receipt.value()) {
                const ReadReceipt &r = *receipt.value();
                // The other participants, and the reader's other devices (to clear
                // their unread counts).
                m_registry.sendTo(r.participants,
                                  frames::encode(frames::messageRead(r.messageId, r.conversationId,
                                                                     r.readBy, r.readAt)),
                                  from.data());
            }
            if (done)
                done(receipt);
        });
}

void MessageService::edit(qint64 editorId, const frames::EditMessage &edit, ClientSession *origin,
                          Done<ChangedMessage> done)
{
    const MessageChanges::Edit change{editorId,      edit.messageId,  edit.content,
                                      edit.version,  currentTimeMs(), m_editWindow.count(),
                                      edit.mentions, m_maxMentions};
    m_db.submitThen<ChangedMessage>(
        editorId, [change](QSqlDatabase &db) { return MessageChanges::edit(db, change); }, this,
        [this, from = QPointer<ClientSession>(origin), ref = edit.clientRequestId,
         done = std::move(done)](const Result<ChangedMessage> &result) {
            if (result.ok()) {
                tellChanged(u"edited"_s, result.value(), from.data(), ref);
                const MentionNews &news = result.value().mentionNews;
                if (!news.notified.isEmpty())
                    m_registry.sendTo(news.notified, frames::encodeNotification(news.notification));
                if (!news.revoked.isEmpty())
                    m_registry.sendTo(
                        news.revoked,
                        frames::encode(frames::server::toJson(
                            frames::server::NotificationRevoked{{news.notification.id}})));
            }
            if (done)
                done(result);
        });
}

void MessageService::remove(qint64 userId, const frames::DeleteMessage &remove,
                            ClientSession *origin, Done<DeletedMessage> done)
{
    m_db.submitThen<DeletedMessage>(
        userId,
        [userId, id = remove.messageId, now = currentTimeMs()](QSqlDatabase &db) {
            return MessageChanges::remove(db, userId, id, now);
        },
        this,
        [this, from = QPointer<ClientSession>(origin), ref = remove.clientRequestId,
         done = std::move(done)](const Result<DeletedMessage> &result) {
            if (result.ok()) {
                const DeletedMessage &deleted = result.value();
                tellChanged(u"deleted"_s, deleted.tombstone, from.data(), ref);
                if (deleted.tombstone.changed) {
                    m_registry.sendTo(
                        deleted.recipients,
                        frames::encode(frames::server::toJson(
                            frames::server::NotificationRevoked{{deleted.tombstone.message.id}})));
                }
                if (deleted.threadRoot)
                    tellChanged(u"thread"_s, *deleted.threadRoot, nullptr, std::nullopt);
                if (deleted.reactionNotification) {
                    m_registry.sendTo(
                        {deleted.tombstone.message.senderId},
                        frames::encode(frames::server::toJson(
                            frames::server::NotificationRevoked{{*deleted.reactionNotification}})));
                }
                for (const auto &[userId, conversation] : deleted.affected) {
                    m_registry.sendTo({userId},
                                      frames::encode(frames::server::toJson(
                                          frames::server::ConversationUpdated{conversation})));
                }
            }
            if (done)
                done(result);
        });
}

void MessageService::react(qint64 userId, const frames::React &react, ClientSession *origin,
                           Done<Reactions::Reacted> done)
{
    const Reactions::React change{userId,   react.messageId, react.emoji,
                                  react.on, currentTimeMs(), m_maxReactions};
    m_db.submitThen<Reactions::Reacted>(
        userId, [change](QSqlDatabase &db) { return Reactions::react(db, change); }, this,
        [this, from = QPointer<ClientSession>(origin), ref = react.clientRequestId,
         done = std::move(done)](const Result<Reactions::Reacted> &result) {
            if (result.ok()) {
                const Reactions::Reacted &reacted = result.value();
                tellChanged(u"reactions"_s, reacted.changed, from.data(), ref);
                const qint64 senderId = reacted.changed.message.senderId;
                if (reacted.notification)
                    m_registry.sendTo({senderId},
                                      frames::encodeNotification(*reacted.notification));
                if (reacted.revoked) {
                    m_registry.sendTo(
                        {senderId}, frames::encode(frames::server::toJson(
                                        frames::server::NotificationRevoked{{*reacted.revoked}})));
                }
            }
            if (done)
                done(result);
        });
}

void MessageService::tellChanged(const QString &change, const ChangedMessage &changed,
                                 ClientSession *origin, const std::optional<QString> &ref)
{
    // Each participant sees its own `me` in the reactions: those who reacted get a frame
    // of their own, everyone else shares one.
    QSet<qint64> reactors;
    for (const ReactionTally &tally : changed.tallies)
        reactors.unite(QSet<qint64>(tally.userIds.cbegin(), tally.userIds.cend()));
    const auto updated = [&](qint64 viewerId, const QJsonValue &echo) {
        Message seen = changed.message;
        seen.reactions = Reactions::forViewer(changed.tallies, viewerId);
        return frames::encode(
            frames::server::toJson(frames::server::MessageUpdated{change, seen, echo}));
    };
    if (changed.changed) {
        QList<qint64> others;
        for (const qint64 participant : changed.participants) {
            if (reactors.contains(participant))
                m_registry.sendTo({participant}, updated(participant, QJsonValue::Null), origin);
            else
                others.append(participant);
        }
        if (!others.isEmpty())
            m_registry.sendTo(others, updated(0, QJsonValue::Null), origin);
    }
    if (origin)
        origin->send(updated(origin->userId(), ref ? QJsonValue(*ref) : QJsonValue::Null));
}

} // namespace pitchey::server
