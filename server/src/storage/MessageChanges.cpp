#include "storage/MessageChanges.h"

#include "storage/ChangeFeed.h"
#include "storage/ConversationRepository.h"
#include "storage/MessageRepository.h"
#include "storage/Reactions.h"
#include "storage/Threads.h"

using namespace Qt::StringLiterals;

namespace pitchey::server::MessageChanges {

namespace {

// The message (for a change: its row locked until the commit) and its conversation's
// participants, for one of them: no such message -> not_found, someone else's
// conversation -> forbidden.
enum class Access
{
    Read,
    Change
};
Result<ChangedMessage> forParticipant(QSqlDatabase &db, qint64 userId, qint64 messageId,
                                      Access access)
{
    const QString lock = access == Access::Change ? sql::lockRowClause(db, {}) : QString();
    auto row = sql::exec(
        db, u"SELECT %1 FROM messages m WHERE m.id = ?"_s.arg(MessageRepository::columns()) + lock,
        {messageId});
    if (!row.ok())
        return row.error();
    if (!row.value().next())
        return Error::notFound(u"no such message"_s);
    ChangedMessage found;
    found.message = MessageRepository::fromRow(row.value());
    auto participants = sql::exec(
        db, u"SELECT user_id FROM participants WHERE conversation_id = ? ORDER BY user_id"_s,
        {found.message.conversationId});
    if (!participants.ok())
        return participants.error();
    while (participants.value().next())
        found.participants.append(participants.value().value(0).toLongLong());
    if (!found.participants.contains(userId))
        return Error::forbidden(u"you are not a participant of this conversation"_s);
    if (!found.message.deletedAt) {
        auto tallies = Reactions::load(db, {messageId});
        if (!tallies.ok())
            return tallies.error();
        found.tallies = tallies.value().value(messageId);
        found.message.reactions = Reactions::forViewer(found.tallies, userId);
    }
    return found;
}

Error conflict(const QString &why, const Message &current)
{
    return Error::conflict(why, {{"current"_L1, current.toJson()}});
}

} // namespace

Result<ChangedMessage> lockedFor(QSqlDatabase &db, qint64 userId, qint64 messageId)
{
    return forParticipant(db, userId, messageId, Access::Change);
}

Result<ChangedMessage> edit(QSqlDatabase &db, const Edit &edit)
{
    auto locked = forParticipant(db, edit.editorId, edit.messageId, Access::Change);
    if (!locked.ok())
        return locked.error();
    ChangedMessage result = std::move(locked).value();
    Message &message = result.message;
    if (message.senderId != edit.editorId)
        return Error::forbidden(u"only the sender can edit a message"_s);
    if (message.deletedAt)
        return conflict(u"the message was deleted"_s, message);
    if (edit.version && *edit.version != message.version)
        return conflict(
            u"the message was edited meanwhile: version %1 is current"_s.arg(message.version),
            message);
    if (edit.windowMs > 0 && edit.now - message.createdAt > edit.windowMs)
        return Error::forbidden(u"the time to edit this message is over"_s);
    if (edit.content == message.content)
        return result; // nothing to store, nothing to tell

    // The version being replaced goes to the history (the first one with its send time).
    auto kept = sql::exec(db,
                          u"INSERT INTO message_edits (message_id, version, content, edited_at) "
                          "VALUES (?, ?, ?, ?)"_s,
                          {message.id, message.version, message.content,
                           message.editedAt.value_or(message.createdAt)});
    if (!kept.ok())
        return kept.error();
    auto changeId = ChangeFeed::next(db);
    if (!changeId.ok())
        return changeId.error();
    message.content = edit.content;
    message.version += 1;
    message.editedAt = edit.now;
    message.changeId = changeId.value();
    auto updated =
        sql::exec(db,
                  u"UPDATE messages SET content = ?, version = ?, edited_at = ?, "
                  "change_id = ? WHERE id = ?"_s,
                  {message.content, message.version, edit.now, message.changeId, message.id});
    if (!updated.ok())
        return updated.error();
    result.changed = true;
    return result;
}

Result<DeletedMessage> remove(QSqlDatabase &db, qint64 userId, qint64 messageId, qint64 now)
{
    auto locked = forParticipant(db, userId, messageId, Access::Change);
    if (!locked.ok())
        return locked.error();
    DeletedMessage result{std::move(locked).value(), {}, {}, {}, {}};
    Message &message = result.tombstone.message;
    if (message.senderId != userId)
        return Error::forbidden(u"only the sender can delete a message"_s);
    if (message.deletedAt)
        return result; // deleted before: the same tombstone

    // Who sees the conversation change: the newest live message goes, or an unread one.
    auto before = sql::exec(
        db,
        u"SELECT p.user_id, CASE WHEN p.last_read_message_id < ? THEN 1 ELSE 0 END, "
        "CASE WHEN %1 = ? THEN 1 ELSE 0 END FROM participants p WHERE p.conversation_id = ? "
        "ORDER BY p.user_id"_s.arg(
            ConversationRepository::newestLiveMessage(u"p.conversation_id"_s)),
        {message.id, message.id, message.conversationId});
    if (!before.ok())
        return before.error();
    QList<qint64> affected;
    while (before.value().next()) {
        const qint64 participant = before.value().value(0).toLongLong();
        const bool unread = participant != userId && before.value().value(1).toInt() != 0;
        if (participant != userId)
            result.recipients.append(participant);
        if (unread || before.value().value(2).toInt() != 0)
            affected.append(participant);
    }

    auto reactionNotification = Reactions::removeAll(db, message.id);
    if (!reactionNotification.ok())
        return reactionNotification.error();
    result.reactionNotification = reactionNotification.value();
    auto changeId = ChangeFeed::next(db);
    if (!changeId.ok())
        return changeId.error();
    message.content.clear();
    message.reactions.clear();
    result.tombstone.tallies.clear();
    message.deletedAt = now;
    message.changeId = changeId.value();
    for (const auto &[statement, args] :
         {std::pair{u"UPDATE messages SET content = '', deleted_at = ?, change_id = ? "
                    "WHERE id = ?"_s,
                    QVariantList{now, message.changeId, message.id}},
          std::pair{u"DELETE FROM message_edits WHERE message_id = ?"_s, QVariantList{message.id}},
          std::pair{u"DELETE FROM pending_deliveries WHERE message_id = ?"_s,
                    QVariantList{message.id}},
          std::pair{u"DELETE FROM notification_reads WHERE message_id = ?"_s,
                    QVariantList{message.id}}}) {
        if (auto done = sql::exec(db, statement, args); !done.ok())
            return done.error();
    }
    result.tombstone.changed = true;
    if (message.threadRootId) {
        auto root = Threads::refresh(db, *message.threadRootId, userId);
        if (!root.ok())
            return root.error();
        result.threadRoot = std::move(root).value();
    }
    for (const qint64 participant : std::as_const(affected)) {
        auto listed = ConversationRepository::listFor(db, participant, message.conversationId);
        if (!listed.ok())
            return listed.error();
        if (!listed.value().isEmpty())
            result.affected.append({participant, listed.value().constFirst()});
    }
    return result;
}

Result<QList<MessageVersion>> versions(QSqlDatabase &db, qint64 userId, qint64 messageId)
{
    auto found = forParticipant(db, userId, messageId, Access::Read);
    if (!found.ok())
        return found.error();
    const Message &message = found.value().message;
    QList<MessageVersion> versions;
    if (message.deletedAt)
        return versions;
    auto rows = sql::exec(db,
                          u"SELECT version, content, edited_at FROM message_edits "
                          "WHERE message_id = ? ORDER BY version"_s,
                          {messageId});
    if (!rows.ok())
        return rows.error();
    while (rows.value().next()) {
        const sql::Cursor &row = rows.value();
        versions.append(
            {row.value(0).toLongLong(), row.value(1).toString(), row.value(2).toLongLong()});
    }
    versions.append(
        {message.version, message.content, message.editedAt.value_or(message.createdAt)});
    return versions;
}

} // namespace pitchey::server::MessageChanges
