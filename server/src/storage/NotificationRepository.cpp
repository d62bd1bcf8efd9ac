#include "storage/NotificationRepository.h"

#include "storage/MentionStore.h"
#include "storage/MessageRepository.h"
#include "storage/Sql.h"
#include "storage/Threads.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::server::NotificationRepository {

namespace {

constexpr qsizetype kBodyLength = 140;
constexpr qsizetype kChunk = 500;

// SQL that is true when participant `p` keeps mentionsWhenMuted on.
QString mentionsWhenMutedCondition()
{
    return u"COALESCE((SELECT np.mentions_when_muted FROM notification_preferences np WHERE "
           "np.user_id = p.user_id), 1) <> 0"_s;
}

// The user's notifications in one conversation, newest first.
Result<QList<Listed>> listIn(QSqlDatabase &db, qint64 userId, qint64 conversationId,
                             bool unreadOnly, int limit, std::optional<qint64> before)
{
    QVariantList args{userId, conversationId};
    // A deleted message's is gone; a thread reply's is for the thread's followers.
    QString filter = u" AND m.deleted_at IS NULL AND "_s + notifiedCondition();
    if (unreadOnly)
        filter += u" AND NOT "_s + readCondition();
    if (before) {
        filter += u" AND m.id < ?"_s;
        args.append(*before);
    }
    args.append(limit);
    auto rows =
        sql::exec(db,
                  u"SELECT %4, %1, CASE WHEN %2 THEN 1 ELSE 0 END, %5 FROM participants p "
                  "JOIN conversations c ON c.id = p.conversation_id "
                  "JOIN messages m ON m.conversation_id = p.conversation_id "
                  "JOIN users s ON s.id = m.sender_id "
                  "WHERE p.user_id = ? AND p.conversation_id = ? AND m.sender_id <> p.user_id%3 "
                  "ORDER BY m.id DESC LIMIT ?"_s.arg(titleColumn(), readCondition(), filter,
                                                     MessageRepository::columns(), mentionColumn()),
                  args);
    if (!rows.ok())
        return rows.error();
    QList<Listed> listed;
    while (rows.value().next()) {
        const auto &row = rows.value(); // the message's columns, then two more
        constexpr int more = MessageRepository::kColumnCount;
        listed.append({forMessage(MessageRepository::fromRow(row), row.value(more).toString(),
                                  row.value(more + 2).toInt() != 0),
                       row.value(more + 1).toInt() != 0});
    }
    return listed;
}

} // namespace

QString newestMessageColumn()
{
    return u"(SELECT COALESCE(c.last_message_id, 0) FROM conversations c "
           "WHERE c.id = participants.conversation_id)"_s;
}

QString unmutedCondition()
{
    return u"NOT EXISTS (SELECT 1 FROM muted_conversations mc WHERE mc.user_id = p.user_id AND "
           "mc.conversation_id = p.conversation_id)"_s;
}

QString notifiedCondition()
{
    return u"(CASE WHEN %1 THEN (%2 OR %3) ELSE (%4 AND %5) END)"_s.arg(
        unmutedCondition(), Threads::notifiedCondition(), MentionStore::mentionedCondition(false),
        MentionStore::mentionedCondition(true), mentionsWhenMutedCondition());
}

QString mentionColumn()
{
    return u"CASE WHEN %1 THEN 1 ELSE 0 END"_s.arg(MentionStore::mentionedCondition(false));
}

Notification forMessage(const Message &message, const QString &title, bool mention)
{
    QString body = message.content.simplified();
    // Only a message with files may have no text: say so rather than nothing (the same
    // words wherever a notification is read back, which knows the text alone).
    if (body.isEmpty() && !message.deletedAt)
        body = u"\U0001F4CE File"_s;
    if (body.size() > kBodyLength)
        body = body.left(kBodyLength - 1) + u'\u2026';
    const QString kind = mention                ? u"mention"_s
                         : message.threadRootId ? u"thread_reply"_s
                                                : u"new_message"_s;
    return {message.id, kind, title, body, message.conversationId, message.id, message.createdAt};
}

QString titleColumn()
{
    return u"CASE WHEN c.is_group <> 0 AND c.title IS NOT NULL AND c.title <> '' "
           "THEN s.display_name || ' in ' || c.title ELSE s.display_name END"_s;
}

QString readCondition()
{
    return u"(m.deleted_at IS NOT NULL OR m.id <= p.last_read_message_id OR "
           "m.id <= p.notifications_read_through OR "
           "EXISTS (SELECT 1 FROM notification_reads r WHERE r.user_id = p.user_id AND "
           "r.message_id = m.id))"_s;
}

Result<QList<Listed>> list(QSqlDatabase &db, qint64 userId, bool unreadOnly, int limit,
                           std::optional<qint64> before)
{
    // Conversation by conversation, the most recently active first, each with an indexed
    // range of its messages: a page costs about `limit` rows whatever the history's size.
    // Unread only: conversations read up to their newest message have none.
    const QString unreadHere =
        unreadOnly ? u" AND c.last_message_id > p.last_read_message_id AND c.last_message_id > "
                     "p.notifications_read_through"_s
                   : QString();
    auto conversations =
        sql::exec(db,
                  u"SELECT p.conversation_id, c.last_message_id FROM participants p "
                  "JOIN conversations c ON c.id = p.conversation_id WHERE p.user_id = ? "
                  "AND c.last_message_id IS NOT NULL AND (%1 OR (%3 AND EXISTS (SELECT 1 FROM "
                  "message_mentions mm WHERE mm.user_id = p.user_id AND mm.conversation_id = "
                  "p.conversation_id AND mm.direct <> 0)))%2 "
                  "ORDER BY c.last_message_id DESC"_s.arg(unmutedCondition(), unreadHere,
                                                          mentionsWhenMutedCondition()),
                  {userId});
    if (!conversations.ok())
        return conversations.error();
    QList<std::pair<qint64, qint64>> active; // conversation, newest message
    while (conversations.value().next())
        active.append({conversations.value().value(0).toLongLong(),
                       conversations.value().value(1).toLongLong()});

    QList<Listed> page;
    const auto newerFirst = [](const Listed &a, const Listed &b) {
        return a.notification.id > b.notification.id;
    };
    for (const auto &[conversationId, newest] : active) {
        // The page is full, and nothing here can be newer than its oldest entry.
        if (page.size() >= limit &&
            std::min(newest, before.value_or(newest + 1) - 1) < page.constLast().notification.id)
            break;
        auto listed = listIn(db, userId, conversationId, unreadOnly, limit, before);
        if (!listed.ok())
            return listed.error();
        page += listed.value();
        std::sort(page.begin(), page.end(), newerFirst);
        if (page.size() > limit)
            page.resize(limit);
    }
    return page;
}

Result<qint64> markRead(QSqlDatabase &db, qint64 userId, const QList<qint64> &ids, bool all)
{
    const QString notified = notifiedCondition();
    if (all) {
        auto unread = sql::scalar(
            db,
            u"SELECT COUNT(*) FROM participants p JOIN messages m ON m.conversation_id = "
            "p.conversation_id AND m.id > p.last_read_message_id AND m.id > "
            "p.notifications_read_through WHERE p.user_id = ? AND m.sender_id <> p.user_id AND "
            "%1 AND NOT %2"_s.arg(notified, readCondition()),
            {userId});
        if (!unread.ok())
            return unread.error();
        const QString newest = newestMessageColumn();
        auto moved =
            sql::exec(db,
                      u"UPDATE participants SET notifications_read_through = %1 "
                      "WHERE user_id = ? AND notifications_read_through < %1"_s.arg(newest),
                      {userId});
        if (!moved.ok())
            return moved.error();
        // Read one by one and now under the mark: not needed any more.
        auto cleared = sql::exec(
            db,
            u"DELETE FROM notification_reads WHERE user_id = ? AND message_id <= (SELECT "
            "p.notifications_read_through FROM messages m JOIN participants p ON "
            "p.conversation_id = m.conversation_id AND p.user_id = notification_reads.user_id "
            "WHERE m.id = notification_reads.message_id)"_s,
            {userId});
        if (!cleared.ok())
            return cleared.error();
        return unread.value();
    }
    qint64 changed = 0;
    for (qsizetype start = 0; start < ids.size(); start += kChunk) {
        const QList<qint64> chunk = ids.mid(start, kChunk);
        QVariantList args{userId};
        for (qint64 id : chunk)
            args.append(id);
        // Only notifications of this user that are unread: someone else's ids, the user's
        // own messages and read ones change nothing.
        auto inserted = sql::exec(
            db,
            u"INSERT INTO notification_reads (user_id, message_id) SELECT p.user_id, m.id "
            "FROM messages m JOIN participants p ON p.conversation_id = m.conversation_id "
            "AND p.user_id = ? WHERE m.id IN (%1) AND m.sender_id <> p.user_id AND %2 AND NOT %3 "
            "ON CONFLICT (user_id, message_id) DO NOTHING"_s.arg(sql::placeholders(chunk.size()),
                                                                 notified, readCondition()),
            args);
        if (!inserted.ok())
            return inserted.error();
        changed += inserted.value().numRowsAffected();
    }
    return changed;
}

} // namespace pitchey::server::NotificationRepository
