#include "storage/EmailRepository.h"

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
    qint64 id = 0;
    qint64 conversationId = 0;
    QString title;
    QString body;
    qint64 createdAt = 0;
};

struct Recipient
{
    QString email;
    QString name;
    bool emailEnabled = true;
    int delayMinutes = 5;
    QList<Pending> pending; // oldest first
};

Status setState(QSqlDatabase &db, const QList<qint64> &ids, int state)
{
    for (qsizetype start = 0; start < ids.size(); start += 500) {
        const QList<qint64> chunk = ids.mid(start, 500);
        QVariantList args{state};
        for (qint64 id : chunk)
            args.append(id);
        auto updated = sql::exec(db,
                                 u"UPDATE notifications SET email_state = ? WHERE id IN (%1)"_s.arg(
                                     sql::placeholders(chunk.size())),
                                 args);
        if (!updated.ok())
            return updated.error();
    }
    return Done{};
}

} // namespace

Result<int> queueDigests(QSqlDatabase &db, const BatchRules &rules)
{
    if (db.driverName() == "QPSQL"_L1) {
        // Several nodes: one of them puts the digests together; the others skip this round.
        auto mine =
            sql::scalar(db, u"SELECT CASE WHEN pg_try_advisory_xact_lock(?) THEN 1 ELSE 0 END"_s,
                        {kDigestLock});
        if (!mine.ok())
            return mine.error();
        if (mine.value() == 0)
            return 0;
    }
    auto rows = sql::exec(
        db, u"SELECT n.id, n.user_id, n.conversation_id, n.title, n.body, n.created_at, u.email, "
            "u.display_name, COALESCE(p.email_enabled, 1), COALESCE(p.email_delay_minutes, 5), "
            "CASE WHEN mc.user_id IS NULL THEN 0 ELSE 1 END "
            "FROM notifications n JOIN users u ON u.id = n.user_id "
            "LEFT JOIN notification_preferences p ON p.user_id = n.user_id "
            "LEFT JOIN muted_conversations mc ON mc.user_id = n.user_id "
            " AND mc.conversation_id = n.conversation_id "
            "WHERE n.email_state = 0 AND n.read_at IS NULL ORDER BY n.user_id, n.id"_s);
    if (!rows.ok())
        return rows.error();
    QMap<qint64, Recipient> recipients;
    QList<qint64> never; // muted now, no address, email off, online
    while (rows.value().next()) {
        const auto &row = rows.value();
        const qint64 userId = row.value(1).toLongLong();
        Recipient &recipient = recipients[userId];
        recipient.email = row.value(6).toString();
        recipient.name = row.value(7).toString();
        recipient.emailEnabled = row.value(8).toInt() != 0;
        recipient.delayMinutes = row.value(9).toInt();
        const qint64 id = row.value(0).toLongLong();
        if (row.value(10).toInt() != 0) {
            never.append(id);
            continue;
        }
        recipient.pending.append({id, row.value(2).toLongLong(), row.value(3).toString(),
                                  row.value(4).toString(), row.value(5).toLongLong()});
    }

    int queued = 0;
    for (auto it = recipients.cbegin(); it != recipients.cend(); ++it) {
        const qint64 userId = it.key();
        const Recipient &recipient = it.value();
        if (recipient.pending.isEmpty())
            continue;
        if (!recipient.emailEnabled || recipient.email.isEmpty() || rules.online.contains(userId)) {
            for (const Pending &pending : recipient.pending)
                never.append(pending.id);
            continue;
        }
        const qint64 delayMs = qint64(recipient.delayMinutes) * rules.minuteMs;
        if (recipient.pending.constFirst().createdAt > rules.now - delayMs)
            continue; // not unread long enough yet
        // At most one digest per user per delay window (and at least one minute's worth).
        auto recent = sql::scalar(
            db, u"SELECT COUNT(*) FROM email_outbox WHERE user_id = ? AND created_at > ?"_s,
            {userId, rules.now - std::max(delayMs, rules.minuteMs)});
        if (!recent.ok())
            return recent.error();
        if (recent.value() > 0)
            continue;

        QList<DigestConversation> conversations;
        QHash<qint64, qsizetype> indexOf;
        QList<qint64> ids;
        for (const Pending &pending : recipient.pending) {
            if (!indexOf.contains(pending.conversationId)) {
                indexOf.insert(pending.conversationId, conversations.size());
                conversations.append({pending.conversationId, pending.title, 0, {}});
            }
            DigestConversation &conversation = conversations[indexOf.value(pending.conversationId)];
            ++conversation.count;
            conversation.title = pending.title; // the newest sender names it
            conversation.latest.append(u"%1: %2"_s.arg(pending.title, pending.body));
            if (conversation.latest.size() > kLatestLines)
                conversation.latest.removeFirst();
            ids.append(pending.id);
        }
        const ComposedEmail email = composeDigest(
            recipient.name, conversations, rules.links ? rules.links(userId) : DigestLinks{});
        auto inserted = sql::exec(
            db,
            u"INSERT INTO email_outbox (user_id, recipient, subject, text_body, html_body, "
            "created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
            {userId, recipient.email, email.subject, email.text, email.html, rules.now, rules.now});
        if (!inserted.ok())
            return inserted.error();
        if (auto marked = setState(db, ids, 1); !marked.ok())
            return marked.error();
        ++queued;
    }
    if (auto marked = setState(db, never, 2); !marked.ok())
        return marked.error();
    return queued;
}

Status skipPending(QSqlDatabase &db, qint64 userId)
{
    auto updated = sql::exec(
        db, u"UPDATE notifications SET email_state = 2 WHERE user_id = ? AND email_state = 0"_s,
        {userId});
    if (!updated.ok())
        return updated.error();
    return Done{};
}

Result<std::optional<OutboxEmail>> nextDue(QSqlDatabase &db, qint64 now, qint64 leaseUntil)
{
    // Claimed for this mailer until leaseUntil: another node's mailer skips it (and takes
    // it over if this one dies before it is sent or failed).
    const QString skipLocked =
        db.driverName() == "QPSQL"_L1 ? u" FOR UPDATE SKIP LOCKED"_s : QString();
    auto row = sql::exec(
        db,
        u"UPDATE email_outbox SET next_attempt_at = ? WHERE id = (SELECT id FROM email_outbox "
        "WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1%1) "
        "RETURNING id, user_id, recipient, subject, text_body, html_body, attempts"_s.arg(
            skipLocked),
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
    return std::optional<OutboxEmail>(email);
}

Status markSent(QSqlDatabase &db, qint64 id, qint64 now)
{
    auto updated = sql::exec(db,
                             u"UPDATE email_outbox SET sent_at = ?, last_error = NULL "
                             "WHERE id = ?"_s,
                             {now, id});
    if (!updated.ok())
        return updated.error();
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
