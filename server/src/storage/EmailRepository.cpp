#include "storage/EmailRepository.h"

#include "storage/MessageRepository.h"
#include "storage/NotificationRepository.h"
#include "storage/Sql.h"

#include <QHash>
#include <QMap>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::server::EmailRepository {

namespace {

constexpr int kLatestLines = 5;
// The PostgreSQL advisory lock that makes one node of a cluster queue the digests.
constexpr qint64 kDigestLock = 0x70697463'68657901;

struct Pending
{
    qint64 id = 0; // the message's
    qint64 conversationId = 0;
    QString title;
    QString body;
    qint64 createdAt = 0;
    bool mention = false;
};

struct Recipient
{
    QString email;
    QString name;
    bool emailEnabled = true;
    int delayMinutes = 5;
    QList<Pending> pending; // oldest first
};

Pending pendingFrom(const Message &message, const QString &title, bool mention)
{
    const Notification notification = NotificationRepository::forMessage(message, title);
    return {message.id,        message.conversationId, notification.title,
            notification.body, message.createdAt,      mention};
}

// Per (user, conversation): the newest notification that is in a digest now, or never will be.
using Handled = QMap<std::pair<qint64, qint64>, qint64>;

void handle(Handled &handled, qint64 userId, const Pending &pending)
{
    qint64 &through = handled[{userId, pending.conversationId}];
    through = std::max(through, pending.id);
}

Status markHandled(QSqlDatabase &db, const Handled &handled)
{
    for (auto it = handled.cbegin(); it != handled.cend(); ++it) {
        auto moved = sql::exec(db,
                               u"UPDATE participants SET emailed_through = ? WHERE user_id = ? "
                               "AND conversation_id = ? AND emailed_through < ?"_s,
                               {it.value(), it.key().first, it.key().second, it.value()});
        if (!moved.ok())
            return moved.error();
    }
    return Done{};
}

// On PostgreSQL several nodes run batch passes: one of them puts the digests together, the
// others skip this round. True when this one does.
Result<bool> takeDigestTurn(QSqlDatabase &db)
{
    if (db.driverName() != "QPSQL"_L1)
        return true;
    auto mine = sql::scalar(
        db, u"SELECT CASE WHEN pg_try_advisory_xact_lock(?) THEN 1 ELSE 0 END"_s, {kDigestLock});
    if (!mine.ok())
        return mine.error();
    return mine.value() != 0;
}

// Every unread message from others above its participant's emailed_through mark, by user;
// those that are no notification of the user (NotificationRepository::notifiedCondition)
// go straight to `handled`.
Result<QMap<qint64, Recipient>> readPending(QSqlDatabase &db, Handled &handled)
{
    auto rows = sql::exec(
        db, u"SELECT %3, p.user_id, %1, u.email, u.display_name, COALESCE(np.email_enabled, 1), "
            "COALESCE(np.email_delay_minutes, 5), CASE WHEN %4 THEN 0 ELSE 1 END, %5 "
            "FROM participants p JOIN conversations c ON c.id = p.conversation_id "
            "JOIN messages m ON m.conversation_id = p.conversation_id AND m.id > p.emailed_through "
            "JOIN users u ON u.id = p.user_id JOIN users s ON s.id = m.sender_id "
            "LEFT JOIN notification_preferences np ON np.user_id = p.user_id "
            "WHERE c.last_message_id > p.emailed_through AND c.last_message_id > "
            "p.last_read_message_id AND c.last_message_id > p.notifications_read_through "
            "AND m.sender_id <> p.user_id "
            "AND NOT %2 ORDER BY p.user_id, m.id"_s.arg(
                NotificationRepository::titleColumn(), NotificationRepository::readCondition(),
                MessageRepository::columns(), NotificationRepository::notifiedCondition(),
                NotificationRepository::mentionColumn()));
    if (!rows.ok())
        return rows.error();
    QMap<qint64, Recipient> recipients;
    while (rows.value().next()) {
        const auto &row = rows.value();
        // The message's columns (MessageRepository::fromRow()), then eight more.
        const Message message = MessageRepository::fromRow(row);
        constexpr int more = MessageRepository::kColumnCount;
        const qint64 userId = row.value(more).toLongLong();
        Recipient &recipient = recipients[userId];
        recipient.email = row.value(more + 2).toString();
        recipient.name = row.value(more + 3).toString();
        recipient.emailEnabled = row.value(more + 4).toInt() != 0;
        recipient.delayMinutes = row.value(more + 5).toInt();
        const Notification notification =
            NotificationRepository::forMessage(message, row.value(more + 1).toString());
        const Pending pending{message.id,         message.conversationId,
                              notification.title, notification.body,
                              message.createdAt,  row.value(more + 7).toInt() != 0};
        if (row.value(more + 6).toInt() != 0) {
            handle(handled, userId, pending);
            continue;
        }
        recipient.pending.append(pending);
    }
    return recipients;
}

// Notifications by conversation, the conversations that mention the user first.
QList<DigestConversation> digestOf(const QList<Pending> &pending)
{
    QList<DigestConversation> conversations;
    QHash<qint64, qsizetype> indexOf;
    for (const Pending &entry : pending) {
        if (!indexOf.contains(entry.conversationId)) {
            indexOf.insert(entry.conversationId, conversations.size());
            conversations.append({entry.conversationId, entry.title, 0, {}, {}});
        }
        DigestConversation &conversation = conversations[indexOf.value(entry.conversationId)];
        ++conversation.count;
        conversation.title = entry.title; // the newest sender names it
        const QString line = u"%1: %2"_s.arg(entry.title, entry.body);
        conversation.latest.append(line);
        if (conversation.latest.size() > kLatestLines)
            conversation.latest.removeFirst();
        if (entry.mention)
            conversation.mentions.append(line);
        if (conversation.mentions.size() > kLatestLines)
            conversation.mentions.removeFirst();
    }
    std::stable_sort(conversations.begin(), conversations.end(),
                     [](const DigestConversation &a, const DigestConversation &b) {
                         return !a.mentions.isEmpty() && b.mentions.isEmpty();
                     });
    return conversations;
}

// Queues one user's digest when it is due; true when it did.
Result<bool> queueDigest(QSqlDatabase &db, const BatchRules &rules, qint64 userId,
                         const Recipient &recipient, Handled &handled)
{
    if (recipient.pending.isEmpty())
        return false;
    if (!recipient.emailEnabled || recipient.email.isEmpty() || rules.online.contains(userId)) {
        for (const Pending &pending : recipient.pending)
            handle(handled, userId, pending);
        return false;
    }
    const qint64 delayMs = qint64(recipient.delayMinutes) * rules.minuteMs;
    if (recipient.pending.constFirst().createdAt > rules.now - delayMs)
        return false; // not unread long enough yet
    // At most one digest per user per delay window (and at least one minute's worth).
    auto recent =
        sql::scalar(db, u"SELECT COUNT(*) FROM email_outbox WHERE user_id = ? AND created_at > ?"_s,
                    {userId, rules.now - std::max(delayMs, rules.minuteMs)});
    if (!recent.ok())
        return recent.error();
    if (recent.value() > 0)
        return false;

    for (const Pending &pending : recipient.pending)
        handle(handled, userId, pending);
    const ComposedEmail email = rules.compose(userId, recipient.name, digestOf(recipient.pending));
    auto inserted = sql::exec(
        db,
        u"INSERT INTO email_outbox (user_id, recipient, subject, text_body, html_body, "
        "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
        {userId, recipient.email, email.subject, email.text, email.html, rules.now, rules.now});
    if (!inserted.ok())
        return inserted.error();
    if (!inserted.value().next())
        return Error::internal(u"database error"_s);
    const qint64 emailId = inserted.value().value(0).toLongLong();
    for (const Pending &pending : recipient.pending) {
        auto kept = sql::exec(
            db, u"INSERT INTO email_outbox_messages (email_id, message_id) VALUES (?, ?)"_s,
            {emailId, pending.id});
        if (!kept.ok())
            return kept.error();
    }
    return true;
}

// The live messages unsent digest `emailId` of `userId` sums up, as they are now.
Result<QList<Pending>> pendingOf(QSqlDatabase &db, qint64 emailId, qint64 userId)
{
    auto rows = sql::exec(
        db,
        u"SELECT %1, %2, %3 FROM email_outbox_messages e JOIN messages m ON m.id = e.message_id "
        "JOIN conversations c ON c.id = m.conversation_id JOIN users s ON s.id = m.sender_id "
        "JOIN participants p ON p.conversation_id = m.conversation_id AND p.user_id = ? "
        "WHERE e.email_id = ? AND m.deleted_at IS NULL ORDER BY m.id"_s.arg(
            MessageRepository::columns(), NotificationRepository::titleColumn(),
            NotificationRepository::mentionColumn()),
        {userId, emailId});
    if (!rows.ok())
        return rows.error();
    QList<Pending> pending;
    constexpr int more = MessageRepository::kColumnCount;
    while (rows.value().next()) {
        const auto &row = rows.value();
        pending.append(pendingFrom(MessageRepository::fromRow(row), row.value(more).toString(),
                                   row.value(more + 1).toInt() != 0));
    }
    return pending;
}

// A digest that went stale (a message of it was edited or deleted) written anew from its
// messages as they are now; false when none is left: it is dropped (marked sent).
Result<bool> rewrite(QSqlDatabase &db, OutboxEmail &email, qint64 now, const Compose &compose)
{
    auto pending = pendingOf(db, email.id, email.userId);
    if (!pending.ok())
        return pending.error();
    if (pending.value().isEmpty()) {
        auto dropped = sql::exec(db,
                                 u"UPDATE email_outbox SET sent_at = ?, stale = 0, "
                                 "last_error = 'nothing left to tell' WHERE id = ?"_s,
                                 {now, email.id});
        return dropped.ok() ? Result<bool>(false) : Result<bool>(dropped.error());
    }
    auto name = sql::exec(db, u"SELECT display_name FROM users WHERE id = ?"_s, {email.userId});
    if (!name.ok())
        return name.error();
    const QString recipientName =
        name.value().next() ? name.value().value(0).toString() : QString();
    email.email = compose(email.userId, recipientName, digestOf(pending.value()));
    auto written = sql::exec(db,
                             u"UPDATE email_outbox SET subject = ?, text_body = ?, html_body = ?, "
                             "stale = 0 WHERE id = ?"_s,
                             {email.email.subject, email.email.text, email.email.html, email.id});
    return written.ok() ? Result<bool>(true) : Result<bool>(written.error());
}

} // namespace

Result<int> queueDigests(QSqlDatabase &db, const BatchRules &rules)
{
    auto turn = takeDigestTurn(db);
    if (!turn.ok() || !turn.value())
        return turn.ok() ? Result<int>(0) : Result<int>(turn.error());
    Handled handled; // muted now, no address, email off, online; or in a digest below
    auto recipients = readPending(db, handled);
    if (!recipients.ok())
        return recipients.error();
    int queued = 0;
    for (auto it = recipients.value().cbegin(); it != recipients.value().cend(); ++it) {
        auto one = queueDigest(db, rules, it.key(), it.value(), handled);
        if (!one.ok())
            return one.error();
        queued += one.value() ? 1 : 0;
    }
    if (auto marked = markHandled(db, handled); !marked.ok())
        return marked.error();
    return queued;
}

Status skipPending(QSqlDatabase &db, qint64 userId)
{
    const QString newest = NotificationRepository::newestMessageColumn();
    auto updated = sql::exec(db,
                             u"UPDATE participants SET emailed_through = %1 WHERE user_id = ? "
                             "AND emailed_through < %1"_s.arg(newest),
                             {userId});
    if (!updated.ok())
        return updated.error();
    return Done{};
}

Result<std::optional<OutboxEmail>> nextDue(QSqlDatabase &db, qint64 now, qint64 leaseUntil,
                                           const Compose &compose)
{
    // Claimed for this mailer until leaseUntil: another node's mailer skips it (and takes
    // it over if this one dies before it is sent or failed).
    const QString skipLocked =
        db.driverName() == "QPSQL"_L1 ? u" FOR UPDATE SKIP LOCKED"_s : QString();
    for (;;) {
        auto row =
            sql::exec(db,
                      u"UPDATE email_outbox SET next_attempt_at = ? WHERE id = (SELECT id FROM "
                      "email_outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY "
                      "next_attempt_at, id LIMIT 1%1) RETURNING id, user_id, recipient, subject, "
                      "text_body, html_body, attempts, stale"_s.arg(skipLocked),
                      {leaseUntil, now});
        if (!row.ok())
            return row.error();
        if (!row.value().next())
            return std::optional<OutboxEmail>();
        OutboxEmail email;
        email.id = row.value().value(0).toLongLong();
        email.userId = row.value().value(1).toLongLong();
        email.recipient = row.value().value(2).toString();
        email.email = {row.value().value(3).toString(), row.value().value(4).toString(),
                       row.value().value(5).toString()};
        email.attempts = row.value().value(6).toInt();
        if (row.value().value(7).toInt() == 0)
            return std::optional<OutboxEmail>(email);
        auto rewritten = rewrite(db, email, now, compose);
        if (!rewritten.ok())
            return rewritten.error();
        if (rewritten.value())
            return std::optional<OutboxEmail>(email);
        // Nothing left of it: on to the next.
    }
}

Status messageChanged(QSqlDatabase &db, qint64 messageId, bool deleted)
{
    auto marked = sql::exec(
        db,
        u"UPDATE email_outbox SET stale = 1%1 WHERE sent_at IS NULL AND id IN (SELECT email_id "
        "FROM email_outbox_messages WHERE message_id = ?)"_s.arg(
            deleted ? u", subject = '', text_body = '', html_body = ''"_s : QString()),
        {messageId});
    return marked.ok() ? Status(Done{}) : Status(marked.error());
}

Status markSent(QSqlDatabase &db, qint64 id, qint64 now)
{
    auto updated = sql::exec(db,
                             u"UPDATE email_outbox SET sent_at = ?, last_error = NULL "
                             "WHERE id = ?"_s,
                             {now, id});
    if (!updated.ok())
        return updated.error();
    // What it summed up matters no more.
    auto forgotten = sql::exec(db, u"DELETE FROM email_outbox_messages WHERE email_id = ?"_s, {id});
    if (!forgotten.ok())
        return forgotten.error();
    return Done{};
}

Status markFailed(QSqlDatabase &db, qint64 id, qint64 retryAt, const QString &why)
{
    auto updated = sql::exec(db,
                             u"UPDATE email_outbox SET attempts = attempts + 1, "
                             "next_attempt_at = ?, last_error = ? WHERE id = ?"_s,
                             {retryAt, why.left(500), id});
    if (!updated.ok())
        return updated.error();
    return Done{};
}

Result<qint64> unsentCount(QSqlDatabase &db)
{
    return sql::scalar(db, u"SELECT COUNT(*) FROM email_outbox WHERE sent_at IS NULL"_s);
}

} // namespace pitchey::server::EmailRepository
