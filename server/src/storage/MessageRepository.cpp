#include "storage/MessageRepository.h"
#include "protocol/Time.h"
#include "storage/Attachments.h"
#include "storage/ChangeFeed.h"
#include "storage/ConversationRepository.h"
#include "storage/MentionStore.h"
#include "storage/NotificationRepository.h"
#include "storage/Reactions.h"
#include "storage/Sql.h"
#include "storage/Threads.h"

#include <algorithm>
#include <bit>

using namespace Qt::StringLiterals;

namespace pitchey::server::MessageRepository {

namespace {

Result<std::optional<Message>> byClientId(QSqlDatabase &db, qint64 senderId,
                                          const QString &clientMessageId)
{
    auto query = sql::exec(
        db,
        u"SELECT %1 FROM messages m WHERE m.sender_id = ? AND m.client_message_id = ?"_s.arg(
            columns()),
        {senderId, clientMessageId});
    if (!query.ok())
        return query.error();
    if (!query.value().next())
        return std::optional<Message>{};
    QList<Message> found{fromRow(query.value())};
    sql::finishAll(db);
    if (auto files = Attachments::attach(db, found); !files.ok())
        return files.error();
    return std::optional<Message>{found.constFirst()};
}

// The message stored first under this clientMessageId, as the answer to a resend.
Result<std::optional<StoredMessage>> firstCopy(QSqlDatabase &db, qint64 senderId,
                                               const NewMessage &send)
{
    if (!send.clientMessageId)
        return std::optional<StoredMessage>{};
    auto first = byClientId(db, senderId, *send.clientMessageId);
    if (!first.ok())
        return first.error();
    if (!first.value())
        return std::optional<StoredMessage>{};
    StoredMessage copy;
    copy.message = *first.value();
    copy.duplicate = true;
    return std::optional<StoredMessage>{copy};
}

// The conversation as a message is stored into it.
struct Locked
{
    qint64 previousId = 0; // its newest message
    bool isGroup = false;
    QList<Recipient> recipients;
};

// The conversation's participants and newest message id, its row locked until the commit
// (PostgreSQL), so that two nodes or two connections storing into one conversation take
// turns: ids are drawn, and committed, in one order. SQLite has one writer anyway. The same
// read names the message's notification and what decides who gets it in real time.
Result<Locked> lockConversation(QSqlDatabase &db, qint64 conversationId, qint64 senderId,
                                StoredMessage &stored)
{
    auto rows = sql::exec(
        db,
        u"SELECT c.last_message_id, p.user_id, %1, c.is_group, %2 FROM conversations c "
        "JOIN participants p ON p.conversation_id = c.id JOIN users s ON s.id = ? "
        "LEFT JOIN muted_conversations mc ON mc.user_id = p.user_id AND mc.conversation_id = c.id "
        "LEFT JOIN notification_preferences np ON np.user_id = p.user_id "
        "WHERE c.id = ? ORDER BY p.user_id"_s.arg(NotificationRepository::titleColumn(),
                                                  MentionStore::recipientColumns()) +
            sql::lockRowClause(db, u"c"_s),
        {senderId, conversationId});
    if (!rows.ok())
        return rows.error();
    Locked locked;
    stored.participants.clear();
    while (rows.value().next()) {
        const sql::Cursor &row = rows.value();
        locked.previousId = row.value(0).toLongLong();
        locked.isGroup = row.value(3).toInt() != 0;
        const qint64 userId = row.value(1).toLongLong();
        stored.participants.append(userId);
        locked.recipients.append(MentionStore::recipientFrom(userId, row, 4));
        if (stored.notification.title.isNull()) // the same on every row
            stored.notification.title = row.value(2).toString();
    }
    // Every conversation has participants, so no rows means no conversation.
    if (stored.participants.isEmpty())
        return Error::notFound(u"no such conversation"_s);
    if (!stored.participants.contains(senderId))
        return Error::forbidden(u"you are not a participant of this conversation"_s);
    return locked;
}

// The conversation of a send by recipient: found, or created for the pair.
Result<qint64> resolvePair(QSqlDatabase &db, qint64 senderId, const NewMessage &send, bool &created)
{
    if (*send.recipientId == senderId)
        return Error::badRequest(u"recipientId must be another user"_s);
    auto exists =
        sql::scalar(db, u"SELECT COUNT(*) FROM users WHERE id = ?"_s, {*send.recipientId});
    if (!exists.ok())
        return exists.error();
    if (exists.value() == 0)
        return Error::badRequest(u"unknown recipient"_s);
    auto pair =
        ConversationRepository::findOrCreate(db, senderId, {*send.recipientId}, std::nullopt);
    if (!pair.ok())
        return pair.error();
    created = pair.value().created;
    return pair.value().conversationId;
}

// What a reply to `parentId` shows of it: bad_request unless it is a message of the
// conversation, conflict once it is deleted.
Result<ReplyExcerpt> replyExcerpt(QSqlDatabase &db, qint64 parentId, qint64 conversationId)
{
    auto parent = sql::exec(db,
                            u"SELECT sender_id, substr(content, 1, 140), deleted_at FROM messages "
                            "WHERE id = ? AND conversation_id = ?"_s,
                            {parentId, conversationId});
    if (!parent.ok())
        return parent.error();
    sql::Cursor &row = parent.value();
    if (!row.next())
        return Error::badRequest(u"replyToId is not a message of this conversation"_s);
    if (!row.value(2).isNull())
        return Error::conflict(u"the message replied to was deleted"_s);
    const ReplyExcerpt excerpt{parentId, row.value(0).toLongLong(), row.value(1).toString(), 0,
                               false};
    sql::finishAll(db);
    auto files = Attachments::countOf(db, parentId);
    if (!files.ok())
        return files.error();
    return ReplyExcerpt{excerpt.id, excerpt.senderId, excerpt.excerpt, files.value(), false};
}

// What the message refers to (contract v2): the parent it answers (its excerpt goes into
// `message`) and the root of the thread it goes into, both of the conversation and alive.
Status checkReferences(QSqlDatabase &db, const NewMessage &send, qint64 conversationId,
                       Message &message)
{
    if (send.threadRootId) {
        if (auto root = Threads::checkRoot(db, *send.threadRootId, conversationId); !root.ok())
            return root.error();
    }
    if (send.replyToId) {
        auto parent = replyExcerpt(db, *send.replyToId, conversationId);
        if (!parent.ok())
            return parent.error();
        message.replyTo = parent.value();
    }
    return Done{};
}

// The message's mentions and who hears of it (a thread reply: its root's summary is
// renewed, and only the thread's followers, or those it mentions, hear of it).
Status notifyAndThread(QSqlDatabase &db, const Locked &locked, StoredMessage &stored)
{
    const Message &message = stored.message;
    if (!message.mentions.isEmpty()) {
        if (auto written = MentionStore::write(db, message, stored.participants); !written.ok())
            return written.error();
    }
    std::optional<QList<qint64>> followers;
    if (message.threadRootId) {
        auto thread = Threads::replied(db, *message.threadRootId, message.id, message.senderId);
        if (!thread.ok())
            return thread.error();
        followers = thread.value().followers;
        stored.threadRoot = std::move(thread.value().root);
    }
    Routing routing = MentionStore::route(locked.recipients, message, followers);
    stored.notified = std::move(routing.ordinary);
    stored.mentioned = std::move(routing.mention);
    return Done{};
}

} // namespace

QString columns()
{
    // The parent of a reply as it is now (an index lookup each): its sender, its excerpt
    // (substr counts characters, code points, on both databases), whether it is deleted.
    return u"m.id, m.conversation_id, m.sender_id, m.content, m.created_at, m.edited_at, "
           "m.reply_to_id, m.client_message_id, m.kind, m.version, m.deleted_at, m.change_id, "
           "m.thread_root_id, "
           "(SELECT r.sender_id FROM messages r WHERE r.id = m.reply_to_id), "
           "(SELECT CASE WHEN r.deleted_at IS NULL THEN substr(r.content, 1, 140) ELSE '' END "
           "FROM messages r WHERE r.id = m.reply_to_id), "
           "(SELECT CASE WHEN r.deleted_at IS NULL THEN 0 ELSE 1 END FROM messages r "
           "WHERE r.id = m.reply_to_id), "
           "m.thread_reply_count, m.thread_last_reply_id, m.thread_last_reply_at, "
           "m.thread_participants, m.mention_ids, m.mentions_all, "
           "CASE WHEN m.reply_to_id IS NULL THEN 0 ELSE (SELECT COUNT(*) FROM "
           "message_attachments ma WHERE ma.message_id = m.reply_to_id) END"_s;
}

Message fromRow(const sql::Cursor &row, int first)
{
    Message message;
    message.id = row.value(first).toLongLong();
    message.conversationId = row.value(first + 1).toLongLong();
    message.senderId = row.value(first + 2).toLongLong();
    message.content = row.value(first + 3).toString();
    message.createdAt = row.value(first + 4).toLongLong();
    message.editedAt = sql::optionalInt(row.value(first + 5));
    message.replyToId = sql::optionalInt(row.value(first + 6));
    if (!row.value(first + 7).isNull())
        message.clientMessageId = row.value(first + 7).toString();
    message.kind = row.value(first + 8).toString();
    message.version = row.value(first + 9).toLongLong();
    message.deletedAt = sql::optionalInt(row.value(first + 10));
    message.changeId = row.value(first + 11).toLongLong();
    message.threadRootId = sql::optionalInt(row.value(first + 12));
    if (message.replyToId && !row.value(first + 13).isNull())
        message.replyTo =
            ReplyExcerpt{*message.replyToId, row.value(first + 13).toLongLong(),
                         row.value(first + 14).toString(), row.value(first + 22).toLongLong(),
                         row.value(first + 15).toInt() != 0};
    if (const qint64 replies = row.value(first + 16).toLongLong(); replies > 0) {
        ThreadSummary thread{
            replies, row.value(first + 17).toLongLong(), row.value(first + 18).toLongLong(), {}};
        for (const QString &user : row.value(first + 19).toString().split(u',', Qt::SkipEmptyParts))
            thread.participantIds.append(user.toLongLong());
        message.thread = thread;
    }
    message.mentions = MentionStore::fromColumns(row.value(first + 20), row.value(first + 21));
    return message;
}

Result<StoredMessage> store(QSqlDatabase &db, qint64 senderId, const NewMessage &send)
{
    // A resend (same clientMessageId) is found by the insert below, which then inserts
    // nothing: one statement less for every message that is not one.
    StoredMessage stored;
    Result<qint64> conversationId = send.conversationId.value_or(0);
    if (!send.conversationId)
        conversationId = resolvePair(db, senderId, send, stored.conversationCreated);
    if (!conversationId.ok())
        return conversationId.error();
    auto locked = lockConversation(db, conversationId.value(), senderId, stored);
    if (!locked.ok())
        return locked.error();
    stored.previousId = locked.value().previousId;

    Message &message = stored.message;
    if (auto references = checkReferences(db, send, conversationId.value(), message);
        !references.ok())
        return references.error();
    auto mentions = MentionStore::check(send.mentions, senderId, stored.participants,
                                        locked.value().isGroup, send.maxMentions);
    if (!mentions.ok())
        return mentions.error();
    message.mentions = mentions.value();

    message.conversationId = conversationId.value();
    message.senderId = senderId;
    message.content = send.content;
    message.createdAt = currentTimeMs();
    message.replyToId = send.replyToId;
    message.threadRootId = send.threadRootId;
    message.clientMessageId = send.clientMessageId;

    auto changeId = ChangeFeed::next(db);
    if (!changeId.ok())
        return changeId.error();
    message.changeId = changeId.value();
    // A resend, or one racing its first copy through another connection or node, inserts
    // nothing and is answered with the first copy (the position taken stays unused).
    auto inserted =
        sql::exec(db,
                  u"INSERT INTO messages (conversation_id, sender_id, content, created_at, "
                  u"reply_to_id, client_message_id, change_id, thread_root_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sender_id, client_message_id) "
                  "WHERE client_message_id IS NOT NULL DO NOTHING RETURNING id"_s,
                  {message.conversationId, senderId, message.content, message.createdAt,
                   sql::nullable(message.replyToId), sql::nullable(message.clientMessageId),
                   message.changeId, sql::nullable(message.threadRootId)});
    if (!inserted.ok())
        return inserted.error();
    if (!inserted.value().next()) {
        auto winner = firstCopy(db, senderId, send);
        if (!winner.ok())
            return winner.error();
        if (!winner.value())
            return Error::internal(u"database error"_s);
        return *winner.value();
    }
    message.id = inserted.value().value(0).toLongLong();
    sql::finishAll(db);
    auto files = Attachments::link(db, message.id, senderId, send.attachmentIds);
    if (!files.ok())
        return files.error();
    message.attachments = files.value();

    auto touched = sql::exec(
        db, u"UPDATE conversations SET updated_at = ?, last_message_id = ? WHERE id = ?"_s,
        {message.createdAt, message.id, message.conversationId});
    if (!touched.ok())
        return touched.error();
    auto queued = sql::exec(
        db,
        u"INSERT INTO pending_deliveries (user_id, message_id, conversation_id) "
        "SELECT user_id, ?, conversation_id FROM participants WHERE conversation_id = ? AND user_id <> ?"_s,
        {message.id, message.conversationId, senderId});
    if (!queued.ok())
        return queued.error();
    stored.notification = NotificationRepository::forMessage(message, stored.notification.title);
    if (auto notified = notifyAndThread(db, locked.value(), stored); !notified.ok())
        return notified.error();
    return stored;
}

Result<HistoryPage> history(QSqlDatabase &db, qint64 conversationId, const HistoryQuery &page)
{
    QVariantList args{conversationId};
    QString filter;
    if (page.before) {
        filter += u" AND m.id < ?"_s;
        args.append(*page.before);
    }
    if (page.after) {
        filter += u" AND m.id > ?"_s;
        args.append(*page.after);
    }
    if (page.threadRootId) {
        filter += u" AND m.thread_root_id = ?"_s;
        args.append(*page.threadRootId);
    } else if (page.mainOnly) {
        filter += u" AND m.thread_root_id IS NULL"_s;
    }
    // Paging forward reads oldest first; paging back reads newest first and reverses.
    const bool forward = page.after.has_value();
    const int limit = page.limit;
    args.append(limit + 1);
    auto query = sql::exec(
        db,
        u"SELECT %1 FROM messages m WHERE m.conversation_id = ?%2 ORDER BY m.id %3 LIMIT ?"_s.arg(
            columns(), filter, forward ? u"ASC"_s : u"DESC"_s),
        args);
    if (!query.ok())
        return query.error();
    HistoryPage result;
    while (query.value().next())
        result.messages.append(fromRow(query.value()));
    if (result.messages.size() > limit) {
        result.hasMore = true;
        result.messages.removeLast();
    }
    if (!forward)
        std::reverse(result.messages.begin(), result.messages.end());
    return result;
}

Result<HistoryPage> historyFor(QSqlDatabase &db, qint64 conversationId, qint64 userId,
                               const HistoryQuery &page)
{
    if (auto access = ConversationRepository::checkAccess(db, conversationId, userId); !access.ok())
        return access.error();
    auto found = history(db, conversationId, page);
    if (!found.ok())
        return found;
    if (auto reactions = Reactions::attach(db, found.value().messages, userId); !reactions.ok())
        return reactions.error();
    if (auto files = Attachments::attach(db, found.value().messages); !files.ok())
        return files.error();
    return found;
}

Result<QList<Message>> undelivered(QSqlDatabase &db, qint64 userId, qint64 afterId, int limit)
{
    auto query = sql::exec(
        db,
        u"SELECT %1 FROM pending_deliveries d JOIN messages m ON m.id = d.message_id "
        "WHERE d.user_id = ? AND d.message_id > ? ORDER BY d.message_id LIMIT ?"_s.arg(columns()),
        {userId, afterId, limit});
    if (!query.ok())
        return query.error();
    QList<Message> messages;
    while (query.value().next())
        messages.append(fromRow(query.value()));
    if (auto reactions = Reactions::attach(db, messages, userId); !reactions.ok())
        return reactions.error();
    if (auto files = Attachments::attach(db, messages); !files.ok())
        return files.error();
    return messages;
}

Result<QList<Waiting>> undeliveredForAny(QSqlDatabase &db, const QList<qint64> &userIds)
{
    constexpr qsizetype kChunk = 500;
    QMap<qint64, Waiting> byId;
    for (qsizetype from = 0; from < userIds.size(); from += kChunk) {
        const QList<qint64> chunk = userIds.mid(from, kChunk);
        QVariantList args;
        for (qint64 id : chunk)
            args.append(id);
        auto query =
            sql::exec(db,
                      u"SELECT d.user_id, %1 FROM pending_deliveries d JOIN messages m ON m.id = "
                      "d.message_id WHERE d.user_id IN (%2)"_s.arg(columns(),
                                                                   sql::placeholders(chunk.size())),
                      args);
        if (!query.ok())
            return query.error();
        while (query.value().next()) {
            const qint64 messageId = query.value().value(1).toLongLong();
            Waiting &waiting = byId[messageId];
            if (waiting.userIds.isEmpty())
                waiting.message = fromRow(query.value(), 1);
            waiting.userIds.append(query.value().value(0).toLongLong());
        }
    }
    QList<Waiting> waiting = byId.values();
    QList<Message> messages;
    for (const Waiting &each : std::as_const(waiting))
        messages.append(each.message);
    if (auto files = Attachments::attach(db, messages); !files.ok())
        return files.error();
    for (qsizetype i = 0; i < waiting.size(); ++i)
        waiting[i].message.attachments = messages.at(i).attachments;
    return waiting;
}

Result<std::optional<DeliveryReceipt>> markDelivered(QSqlDatabase &db, qint64 userId,
                                                     qint64 messageId)
{
    // One of the hottest paths of the server (once per recipient per message). A pending
    // row exists only for a participant other than the sender who has not acknowledged
    // (or read) the message, so removing it is the whole check on the common path.
    DeliveryReceipt receipt;
    receipt.messageId = messageId;
    receipt.deliveredTo = userId;
    receipt.deliveredAt = currentTimeMs();
    auto cleared = sql::exec(db,
                             u"DELETE FROM pending_deliveries WHERE user_id = ? AND message_id = ? "
                             "RETURNING conversation_id"_s,
                             {userId, messageId});
    if (!cleared.ok())
        return cleared.error();
    const bool wasPending = cleared.value().next();
    auto message = sql::exec(db,
                             u"SELECT m.conversation_id, m.sender_id, "
                             "EXISTS (SELECT 1 FROM participants p WHERE p.conversation_id = "
                             "m.conversation_id AND p.user_id = ?) "
                             "FROM messages m WHERE m.id = ?"_s,
                             {userId, messageId});
    if (!message.ok())
        return message.error();
    if (!message.value().next())
        return Error::notFound(u"no such message"_s);
    receipt.conversationId = message.value().value(0).toLongLong();
    receipt.senderId = message.value().value(1).toLongLong();
    if (message.value().value(2).toInt() == 0)
        return Error::forbidden(u"you are not a participant of this conversation"_s);
    if (!wasPending)
        return std::optional<DeliveryReceipt>{}; // own message, or acknowledged/read before

    auto recorded = sql::exec(
        db,
        u"INSERT INTO message_receipts (message_id, user_id, delivered_at) VALUES (?, ?, ?) "
        "ON CONFLICT (message_id, user_id) DO NOTHING"_s,
        {messageId, userId, receipt.deliveredAt});
    if (!recorded.ok())
        return recorded.error();
    return std::optional<DeliveryReceipt>{receipt};
}

namespace {

// (user, message) -> conversation for the acks acks[from, from + count) that were pending:
// the participants' messages from others, not acknowledged yet. Padded to a power of two
// (the last ack repeated, which changes nothing), so that a handful of prepared statements
// serve every batch. (An index search per ack: SQLite does not use the primary key for a
// row-value IN list.)
Result<QHash<std::pair<qint64, qint64>, qint64>>
clearPending(QSqlDatabase &db, const QList<Ack> &acks, qsizetype from, qsizetype count)
{
    const qsizetype padded = std::bit_ceil(quint64(count));
    QStringList pairs;
    QVariantList args;
    for (qsizetype i = 0; i < padded; ++i) {
        const Ack &ack = acks.at(from + std::min(i, count - 1));
        pairs.append(u"(user_id = ? AND message_id = ?)"_s);
        args << ack.userId << ack.messageId;
    }
    auto cleared = sql::exec(db,
                             u"DELETE FROM pending_deliveries WHERE %1 RETURNING user_id, "
                             u"message_id, conversation_id"_s.arg(pairs.join(u" OR "_s)),
                             args);
    if (!cleared.ok())
        return cleared.error();
    QHash<std::pair<qint64, qint64>, qint64> pending;
    while (cleared.value().next()) {
        pending.insert(
            {cleared.value().value(0).toLongLong(), cleared.value().value(1).toLongLong()},
            cleared.value().value(2).toLongLong());
    }
    return pending;
}

// Fills in the senders of the new receipts (results at `receipts`) and stores the receipts,
// again in padded lists.
Status recordReceipts(QSqlDatabase &db, DeliveryResults &results, const QList<qsizetype> &receipts)
{
    const auto receiptAt = [&](qsizetype i) -> DeliveryReceipt & {
        return *results[receipts.at(std::min(i, receipts.size() - 1))].value();
    };
    const qsizetype size = std::bit_ceil(quint64(receipts.size()));
    QVariantList ids;
    QVariantList rows;
    for (qsizetype i = 0; i < size; ++i) {
        const DeliveryReceipt &receipt = receiptAt(i);
        ids << receipt.messageId;
        rows << receipt.messageId << receipt.deliveredTo << receipt.deliveredAt;
    }
    auto senders = sql::exec(
        db, u"SELECT id, sender_id FROM messages WHERE id IN (%1)"_s.arg(sql::placeholders(size)),
        ids);
    if (!senders.ok())
        return senders.error();
    QHash<qint64, qint64> senderOf;
    while (senders.value().next())
        senderOf.insert(senders.value().value(0).toLongLong(),
                        senders.value().value(1).toLongLong());
    for (qsizetype i = 0; i < receipts.size(); ++i)
        receiptAt(i).senderId = senderOf.value(receiptAt(i).messageId);
    QStringList values(size, u"(?, ?, ?)"_s);
    auto recorded =
        sql::exec(db,
                  u"INSERT INTO message_receipts (message_id, user_id, delivered_at) VALUES %1 "
                  "ON CONFLICT (message_id, user_id) DO NOTHING"_s.arg(values.join(u", "_s)),
                  rows);
    if (!recorded.ok())
        return recorded.error();
    return Done{};
}

} // namespace

Result<DeliveryResults> markDeliveredMany(QSqlDatabase &db, const QList<Ack> &acks)
{
    constexpr qsizetype kAckChunk = 64;
    DeliveryResults results(acks.size(), std::optional<DeliveryReceipt>{});
    for (qsizetype from = 0; from < acks.size(); from += kAckChunk) {
        const qsizetype count = std::min(kAckChunk, acks.size() - from);
        auto pending = clearPending(db, acks, from, count);
        if (!pending.ok())
            return pending.error();
        QList<qsizetype> receipts; // indexes into `acks`
        for (qsizetype i = from; i < from + count; ++i) {
            const auto it = pending.value().constFind({acks.at(i).userId, acks.at(i).messageId});
            if (it == pending.value().cend()) {
                // Already acknowledged, the user's own message, or a refusal: rare, and
                // answered one by one.
                results[i] = markDelivered(db, acks.at(i).userId, acks.at(i).messageId);
                continue;
            }
            results[i] = std::optional<DeliveryReceipt>{DeliveryReceipt{
                acks.at(i).messageId, it.value(), 0, acks.at(i).userId, currentTimeMs()}};
            receipts.append(i);
            pending.value().erase(it); // the first ack of each pair takes it
        }
        if (receipts.isEmpty())
            continue;
        if (auto recorded = recordReceipts(db, results, receipts); !recorded.ok())
            return recorded.error();
    }
    return results;
}

Result<std::optional<ReadReceipt>> markRead(QSqlDatabase &db, qint64 userId, qint64 messageId)
{
    auto conversation =
        sql::scalar(db, u"SELECT conversation_id FROM messages WHERE id = ?"_s, {messageId});
    if (!conversation.ok())
        return conversation.error();
    if (conversation.value() == 0)
        return Error::notFound(u"no such message"_s);
    ReadReceipt receipt{messageId, conversation.value(), userId, currentTimeMs(), {}};
    auto participants = ConversationRepository::participantIds(db, receipt.conversationId);
    if (!participants.ok())
        return participants.error();
    receipt.participants = participants.value().value_or(QList<qint64>{});
    if (!receipt.participants.contains(userId))
        return Error::forbidden(u"you are not a participant of this conversation"_s);

    // Reading implies delivery: nothing up to here is pushed again on the next connection.
    auto cleared = sql::exec(
        db,
        u"DELETE FROM pending_deliveries WHERE user_id = ? AND conversation_id = ? AND message_id <= ?"_s,
        {userId, receipt.conversationId, messageId});
    if (!cleared.ok())
        return cleared.error();
    auto moved =
        sql::exec(db,
                  u"UPDATE participants SET last_read_message_id = ? "
                  "WHERE conversation_id = ? AND user_id = ? AND last_read_message_id < ?"_s,
                  {messageId, receipt.conversationId, userId, messageId});
    if (!moved.ok())
        return moved.error();
    if (moved.value().numRowsAffected() <= 0)
        return std::optional<ReadReceipt>{};
    // The conversation's notifications up to here are read with it (last_read_message_id).
    // A reader who keeps read receipts private tells only their own devices.
    auto shared = sql::scalar(
        db, u"SELECT send_read_receipts FROM notification_preferences WHERE user_id = ?"_s,
        {userId}, 1);
    if (!shared.ok())
        return shared.error();
    if (shared.value() == 0)
        receipt.participants = {userId};
    return std::optional<ReadReceipt>{receipt};
}

} // namespace pitchey::server::MessageRepository
