#pragma once

#include "protocol/Types.h"
#include "storage/MessageChanges.h"
#include "storage/Sql.h"

#include <QSqlDatabase>

#include <optional>

namespace pitchey::server {

struct StoredMessage
{
    Message message;
    bool duplicate = false; // a repeated clientMessageId: the first message, nothing new stored
    bool conversationCreated = false;
    // The conversation's message before this one (0: the first). Under the conversation's
    // row lock, so on PostgreSQL, whatever node stored them, each message names the one
    // committed before it: nodes deliver a conversation in this chain's order.
    qint64 previousId = 0;
    QList<qint64> participants;
    // The message's notification (the same for every recipient but its kind) and who gets
    // it in real time (MentionStore::route): `notified` as it is, `mentioned` with kind
    // "mention".
    Notification notification;
    QList<qint64> notified;
    QList<qint64> mentioned;
    std::optional<ChangedMessage> threadRoot; // a thread reply's root, its summary renewed
};

// A message to store, as its sender asked for it (a send_message frame or POST
// /api/messages): conversationId, or recipientId for the pair's conversation.
struct NewMessage
{
    std::optional<qint64> conversationId;
    std::optional<qint64> recipientId;
    QString content;
    std::optional<QString> clientMessageId;
    std::optional<qint64> replyToId;
    std::optional<qint64> threadRootId;
    Mentions mentions;
    int maxMentions = 50;        // the server's limit (max-mentions-per-message)
    QList<qint64> attachmentIds; // the sender's uploads (the count checked before)
};

struct HistoryPage
{
    QList<Message> messages; // oldest first
    bool hasMore = false;
};

struct DeliveryReceipt
{
    qint64 messageId = 0;
    qint64 conversationId = 0;
    qint64 senderId = 0;
    qint64 deliveredTo = 0;
    qint64 deliveredAt = 0;
};

struct ReadReceipt
{
    qint64 messageId = 0;
    qint64 conversationId = 0;
    qint64 readBy = 0;
    qint64 readAt = 0;
    QList<qint64> participants;
};

// SQL for messages and their delivery state. Database thread only.
namespace MessageRepository {

[[nodiscard]] QString columns();        // the column list fromRow() reads, for table alias m
inline constexpr int kColumnCount = 23; // how many columns() names
// Reads columns() starting at column `first`.
[[nodiscard]] Message fromRow(const sql::Cursor &row, int first = 0);

// Stores a message (resolving recipientId to the pair's conversation), queues it for
// every other participant and records their notifications, in the caller's transaction.
[[nodiscard]] Result<StoredMessage> store(QSqlDatabase &db, qint64 senderId,
                                          const NewMessage &send);

// The newest `limit` messages older than `page.before` (or the newest), or, with
// `page.after`, the oldest `limit` messages newer than it; oldest first either way.
struct HistoryQuery
{
    std::optional<qint64> before;
    std::optional<qint64> after;
    int limit = 50;
    std::optional<qint64> threadRootId; // only that thread's replies
    bool mainOnly = false;              // no thread replies
};
[[nodiscard]] Result<HistoryPage> history(QSqlDatabase &db, qint64 conversationId,
                                          const HistoryQuery &page);
// history() for a participant of the conversation; forbidden/not_found for anyone else.
[[nodiscard]] Result<HistoryPage> historyFor(QSqlDatabase &db, qint64 conversationId, qint64 userId,
                                             const HistoryQuery &page);

// Messages from others that userId has not acknowledged yet, in id order.
[[nodiscard]] Result<QList<Message>> undelivered(QSqlDatabase &db, qint64 userId, qint64 afterId,
                                                 int limit);

// Every message waiting for any of `userIds`, each with the users it waits for, in id order.
struct Waiting
{
    Message message;
    QList<qint64> userIds;
};
[[nodiscard]] Result<QList<Waiting>> undeliveredForAny(QSqlDatabase &db,
                                                       const QList<qint64> &userIds);

// nullopt when there is nothing new to tell (already delivered, or the user's own message).
[[nodiscard]] Result<std::optional<DeliveryReceipt>> markDelivered(QSqlDatabase &db, qint64 userId,
                                                                   qint64 messageId);
// Many acknowledgements in a few statements, whatever their number; one result per ack, in
// order, each what markDelivered() gives it.
struct Ack
{
    qint64 userId = 0;
    qint64 messageId = 0;
};
using DeliveryResults = QList<Result<std::optional<DeliveryReceipt>>>;
[[nodiscard]] Result<DeliveryResults> markDeliveredMany(QSqlDatabase &db, const QList<Ack> &acks);
// Moves the user's read marker forward to messageId; nullopt when it was there already.
[[nodiscard]] Result<std::optional<ReadReceipt>> markRead(QSqlDatabase &db, qint64 userId,
                                                          qint64 messageId);

} // namespace MessageRepository
} // namespace pitchey::server
