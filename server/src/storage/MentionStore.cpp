#include "storage/MentionStore.h"

using namespace Qt::StringLiterals;

namespace pitchey::server::MentionStore {

Result<Mentions> check(const Mentions &mentions, qint64 senderId, const QList<qint64> &participants,
                       bool isGroup, int max)
{
    Mentions checked{{}, mentions.all};
    for (const qint64 user : mentions.userIds) {
        if (user == senderId)
            continue;
        if (!participants.contains(user))
            return Error::badRequest(
                u"mentions names user %1, who is not in this conversation"_s.arg(user));
        checked.userIds.append(user); // distinct already (Mentions::fromJson)
    }
    if (checked.userIds.size() > max)
        return Error::badRequest(u"a message may mention at most %1 users"_s.arg(max));
    if (checked.all && !isGroup)
        return Error::badRequest(u"mentions.all is for groups only"_s);
    return checked;
}

QSet<qint64> reached(const Mentions &mentions, qint64 senderId, const QList<qint64> &participants)
{
    QSet<qint64> users;
    for (const qint64 user : mentions.all ? participants : mentions.userIds) {
        if (user != senderId)
            users.insert(user);
    }
    return users;
}

Routing route(const QList<Recipient> &recipients, const Message &message,
              const std::optional<QList<qint64>> &threadFollowers)
{
    Routing routing;
    for (const Recipient &recipient : recipients) {
        if (recipient.userId == message.senderId || !recipient.realtime)
            continue;
        const bool byName = message.mentions.userIds.contains(recipient.userId);
        if (recipient.muted) {
            if (byName && recipient.mentionsWhenMuted)
                routing.mention.append(recipient.userId);
        } else if (byName || message.mentions.all) {
            routing.mention.append(recipient.userId);
        } else if (!threadFollowers || threadFollowers->contains(recipient.userId)) {
            routing.ordinary.append(recipient.userId);
        }
    }
    return routing;
}

QString recipientColumns()
{
    return u"CASE WHEN mc.user_id IS NULL THEN 0 ELSE 1 END, "
           "COALESCE(np.realtime_enabled, 1), COALESCE(np.mentions_when_muted, 1)"_s;
}

Recipient recipientFrom(qint64 userId, const sql::Cursor &row, int first)
{
    return {userId, row.value(first).toInt() != 0, row.value(first + 1).toInt() != 0,
            row.value(first + 2).toInt() != 0};
}

Result<QList<Recipient>> recipients(QSqlDatabase &db, qint64 conversationId)
{
    auto rows =
        sql::exec(db,
                  u"SELECT p.user_id, %1 FROM participants p "
                  "LEFT JOIN muted_conversations mc ON mc.user_id = p.user_id "
                  "AND mc.conversation_id = p.conversation_id "
                  "LEFT JOIN notification_preferences np ON np.user_id = p.user_id "
                  "WHERE p.conversation_id = ? ORDER BY p.user_id"_s.arg(recipientColumns()),
                  {conversationId});
    if (!rows.ok())
        return rows.error();
    QList<Recipient> found;
    while (rows.value().next())
        found.append(recipientFrom(rows.value().value(0).toLongLong(), rows.value(), 1));
    return found;
}

Status write(QSqlDatabase &db, const Message &message, const QList<qint64> &participants)
{
    const Mentions &mentions = message.mentions;
    QStringList ids;
    for (const qint64 user : mentions.userIds)
        ids.append(QString::number(user));
    auto stored = sql::exec(
        db, u"UPDATE messages SET mention_ids = ?, mentions_all = ? WHERE id = ?"_s,
        {ids.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(ids.join(u',')),
         mentions.all ? 1 : 0, message.id});
    if (!stored.ok())
        return stored.error();
    auto cleared =
        sql::exec(db, u"DELETE FROM message_mentions WHERE message_id = ?"_s, {message.id});
    if (!cleared.ok())
        return cleared.error();
    for (const qint64 user : reached(mentions, message.senderId, participants)) {
        auto added = sql::exec(
            db,
            u"INSERT INTO message_mentions (message_id, user_id, "
            "conversation_id, direct) VALUES (?, ?, ?, ?)"_s,
            {message.id, user, message.conversationId, mentions.userIds.contains(user) ? 1 : 0});
        if (!added.ok())
            return added.error();
    }
    return Done{};
}

QString mentionedCondition(bool byName)
{
    return u"EXISTS (SELECT 1 FROM message_mentions mm WHERE mm.message_id = m.id AND "
           "mm.user_id = p.user_id%1)"_s.arg(byName ? u" AND mm.direct <> 0"_s : QString());
}

Mentions fromColumns(const QVariant &ids, const QVariant &all)
{
    Mentions mentions;
    mentions.all = all.toInt() != 0;
    for (const QString &user : ids.toString().split(u',', Qt::SkipEmptyParts))
        mentions.userIds.append(user.toLongLong());
    return mentions;
}

} // namespace pitchey::server::MentionStore
