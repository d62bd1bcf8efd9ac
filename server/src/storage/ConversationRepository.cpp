#include "storage/ConversationRepository.h"
#include "protocol/Time.h"
#include "storage/Attachments.h"
#include "storage/MessageRepository.h"
#include "storage/Sql.h"

#include <QHash>
#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::server::ConversationRepository {

namespace {

QString pairKey(qint64 a, qint64 b)
{
    return u"%1:%2"_s.arg(std::min(a, b)).arg(std::max(a, b));
}

} // namespace

Result<std::optional<QList<qint64>>> participantIds(QSqlDatabase &db, qint64 conversationId)
{
    auto query = sql::exec(
        db, u"SELECT user_id FROM participants WHERE conversation_id = ? ORDER BY user_id"_s,
        {conversationId});
    if (!query.ok())
        return query.error();
    QList<qint64> ids;
    while (query.value().next())
        ids.append(query.value().value(0).toLongLong());
    if (!ids.isEmpty())
        return std::optional<QList<qint64>>{ids};
    // Every conversation has participants, so no rows means no conversation.
    return std::optional<QList<qint64>>{};
}

Status checkAccess(QSqlDatabase &db, qint64 conversationId, qint64 userId)
{
    return checkAccess(db, conversationId, userId, nullptr);
}

Status checkAccess(QSqlDatabase &db, qint64 conversationId, qint64 userId,
                   QList<qint64> *participants)
{
    auto ids = participantIds(db, conversationId);
    if (!ids.ok())
        return ids.error();
    if (!ids.value())
        return Error::notFound(u"no such conversation"_s);
    if (!ids.value()->contains(userId))
        return Error::forbidden(u"you are not a participant of this conversation"_s);
    if (participants)
        *participants = *ids.value();
    return Done{};
}

Result<Created> findOrCreate(QSqlDatabase &db, qint64 creatorId, QList<qint64> ids,
                             const std::optional<QString> &title)
{
    ids.append(creatorId);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.size() < 2)
        return Error::badRequest(u"participantIds must name at least one other user"_s);

    QVariantList args;
    for (qint64 id : ids)
        args.append(id);
    auto known = sql::scalar(
        db, u"SELECT COUNT(*) FROM users WHERE id IN (%1)"_s.arg(sql::placeholders(ids.size())),
        args);
    if (!known.ok())
        return known.error();
    if (known.value() != ids.size())
        return Error::badRequest(u"unknown participant"_s);

    const bool isPair = ids.size() == 2;
    const QString key = isPair ? pairKey(ids.at(0), ids.at(1)) : QString();
    auto existingPair = [&db, &key] {
        return sql::scalar(db, u"SELECT id FROM conversations WHERE pair_key = ?"_s, {key});
    };
    if (isPair) {
        auto existing = existingPair();
        if (!existing.ok())
            return existing.error();
        if (existing.value() > 0)
            return Created{existing.value(), false};
    }

    // Two first messages between the same two people, through two connections or nodes at
    // once: the second insert waits for the first, then inserts nothing and takes its row.
    const qint64 now = currentTimeMs();
    auto inserted = sql::exec(db,
                              u"INSERT INTO conversations (title, is_group, pair_key, created_by, "
                              u"created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (pair_key) DO NOTHING "
                              "RETURNING id"_s,
                              {sql::nullable(title), isPair ? 0 : 1,
                               isPair ? QVariant(key) : QVariant(QMetaType::fromType<QString>()),
                               creatorId, now, now});
    if (!inserted.ok())
        return inserted.error();
    if (!inserted.value().next()) {
        auto winner = existingPair();
        if (!winner.ok())
            return winner.error();
        if (winner.value() <= 0)
            return Error::internal(u"database error"_s);
        return Created{winner.value(), false};
    }
    const qint64 conversationId = inserted.value().value(0).toLongLong();
    for (qint64 id : ids) {
        auto added = sql::exec(
            db,
            u"INSERT INTO participants (conversation_id, user_id, joined_at) VALUES (?, ?, ?)"_s,
            {conversationId, id, now});
        if (!added.ok())
            return added.error();
    }
    return Created{conversationId, true};
}

QString newestLiveMessage(const QString &conversationColumn)
{
    return u"(SELECT x.id FROM messages x WHERE x.conversation_id = %1 AND x.deleted_at IS "
           "NULL ORDER BY x.id DESC LIMIT 1)"_s.arg(conversationColumn);
}

namespace {

// The newest live message of each conversation of the user (`scope`: the user, and the
// conversation when `one`), with their files.
Result<QList<Message>> lastMessages(QSqlDatabase &db, const QVariantList &scope, bool one)
{
    auto last =
        sql::exec(db,
                  u"SELECT %1 FROM conversations c JOIN messages m ON m.id = %3 "
                  "JOIN participants p ON p.conversation_id = c.id WHERE p.user_id = ?%2"_s.arg(
                      MessageRepository::columns(), one ? u" AND c.id = ?"_s : QString(),
                      newestLiveMessage(u"c.id"_s)),
                  scope);
    if (!last.ok())
        return last.error();
    QList<Message> messages;
    while (last.value().next())
        messages.append(MessageRepository::fromRow(last.value()));
    if (auto files = Attachments::attach(db, messages); !files.ok())
        return files.error();
    return messages;
}

} // namespace

Result<QList<Conversation>> listFor(QSqlDatabase &db, qint64 userId, std::optional<qint64> only)
{
    const QString filter = only ? u" AND c.id = ?"_s : QString();
    QVariantList args{userId, userId};
    if (only)
        args.append(*only);

    auto rows =
        sql::exec(db,
                  u"SELECT c.id, c.title, c.is_group, c.updated_at, "
                  "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id "
                  " AND m.id > p.last_read_message_id AND m.sender_id <> ? "
                  " AND m.deleted_at IS NULL), "
                  "(SELECT COUNT(*) FROM message_mentions mm WHERE mm.user_id = p.user_id "
                  " AND mm.conversation_id = c.id AND mm.message_id > p.last_read_message_id) "
                  "FROM participants p JOIN conversations c ON c.id = p.conversation_id "
                  "WHERE p.user_id = ?%1 ORDER BY c.updated_at DESC, c.id DESC"_s.arg(filter),
                  args);
    if (!rows.ok())
        return rows.error();
    QList<Conversation> conversations;
    QHash<qint64, qsizetype> indexById;
    while (rows.value().next()) {
        const sql::Cursor &row = rows.value();
        Conversation conversation;
        conversation.id = row.value(0).toLongLong();
        if (!row.value(1).isNull())
            conversation.title = row.value(1).toString();
        conversation.isGroup = row.value(2).toInt() != 0;
        conversation.updatedAt = row.value(3).toLongLong();
        conversation.unreadCount = row.value(4).toLongLong();
        conversation.mentionCount = row.value(5).toLongLong();
        indexById.insert(conversation.id, conversations.size());
        conversations.append(conversation);
    }
    if (conversations.isEmpty())
        return conversations;

    QVariantList scope{userId};
    if (only)
        scope.append(*only);
    auto members = sql::exec(
        db,
        u"SELECT p.conversation_id, u.id, u.username, u.display_name, "
        // A private read position is shown to its owner only.
        "CASE WHEN u.id = ? OR COALESCE(np.send_read_receipts, 1) = 1 "
        " THEN p.last_read_message_id END "
        "FROM participants p JOIN users u ON u.id = p.user_id "
        "LEFT JOIN notification_preferences np ON np.user_id = u.id "
        "WHERE p.conversation_id IN (SELECT conversation_id FROM participants WHERE user_id = ?)%1 "
        "ORDER BY p.conversation_id, u.id"_s.arg(only ? u" AND p.conversation_id = ?"_s
                                                      : QString()),
        QVariantList{userId} + scope);
    if (!members.ok())
        return members.error();
    while (members.value().next()) {
        const sql::Cursor &row = members.value();
        User user;
        user.id = row.value(1).toLongLong();
        user.username = row.value(2).toString();
        user.displayName = row.value(3).toString();
        Conversation &conversation = conversations[indexById.value(row.value(0).toLongLong())];
        conversation.participants.append(user);
        if (!row.value(4).isNull())
            conversation.readMarkers.insert(user.id, row.value(4).toLongLong());
    }

    auto last = lastMessages(db, scope, only.has_value());
    if (!last.ok())
        return last.error();
    for (const Message &message : std::as_const(last.value()))
        conversations[indexById.value(message.conversationId)].lastMessage = message;
    return conversations;
}

} // namespace pitchey::server::ConversationRepository
