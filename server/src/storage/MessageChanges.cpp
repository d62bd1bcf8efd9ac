#include "storage/MessageChanges.h"

#include "storage/Attachments.h"
#include "storage/ChangeFeed.h"
#include "storage/ConversationRepository.h"
#include "storage/EmailRepository.h"
#include "storage/MentionStore.h"
#include "storage/MessageRepository.h"
#include "storage/NotificationRepository.h"
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
        QList<Message> one{found.message};
        if (auto files = Attachments::attach(db, one); !files.ok())
            return files.error();
        found.message.attachments = one.constFirst().attachments;
    }
    return found;
}

Error conflict(const QString &why, const Message &current)
{
    return Error::conflict(why, {{"current"_L1, current.toJson()}});
}

// The mentions an edit asks for, checked as a send's are.
Result<Mentions> editedMentions(QSqlDatabase &db, const Edit &edit, const ChangedMessage &found)
{
    if (!edit.mentions)
        return found.message.mentions;
    auto isGroup = sql::scalar(db, u"SELECT is_group FROM conversations WHERE id = ?"_s,
                               {found.message.conversationId});
    if (!isGroup.ok())
        return isGroup.error();
    return MentionStore::check(*edit.mentions, edit.editorId, found.participants,
                               isGroup.value() != 0, edit.maxMentions);
}

// The message at its new feed position, nothing else changed.
Status moveInFeed(QSqlDatabase &db, const Message &message)
{
    auto moved = sql::exec(db, u"UPDATE messages SET change_id = ? WHERE id = ?"_s,
                           {message.changeId, message.id});
    return moved.ok() ? Status(Done{}) : Status(moved.error());
}

// The message's content replaced by the edit's, the version replaced kept in its history
// (the first one with its send time).
Status newVersion(QSqlDatabase &db, Message &message, const Edit &edit)
{
    auto kept = sql::exec(db,
                          u"INSERT INTO message_edits (message_id, version, content, edited_at) "
                          "VALUES (?, ?, ?, ?)"_s,
                          {message.id, message.version, message.content,
                           message.editedAt.value_or(message.createdAt)});
    if (!kept.ok())
        return kept.error();
    message.content = edit.content;
    message.version += 1;
    message.editedAt = edit.now;
    auto updated =
        sql::exec(db,
                  u"UPDATE messages SET content = ?, version = ?, edited_at = ?, "
                  "change_id = ? WHERE id = ?"_s,
                  {message.content, message.version, edit.now, message.changeId, message.id});
    if (!updated.ok())
        return updated.error();
    return EmailRepository::messageChanged(db, message.id, false); // pending email: the new text
}

// The edit changed the message's mentions to `mentions`: stored, and who is told what
// (MentionNews). A thread's root or reply makes those it now names follow the thread.
Status changeMentions(QSqlDatabase &db, ChangedMessage &changed, const Mentions &mentions)
{
    Message &message = changed.message;
    const QSet<qint64> before =
        MentionStore::reached(message.mentions, message.senderId, changed.participants);
    message.mentions = mentions;
    const QSet<qint64> after =
        MentionStore::reached(message.mentions, message.senderId, changed.participants);
    if (auto written = MentionStore::write(db, message, changed.participants); !written.ok())
        return written.error();
    if (auto rootId = message.threadRootId
                          ? message.threadRootId
                          : (message.thread ? std::optional(message.id) : std::nullopt)) {
        if (auto followed = Threads::followMentioned(db, *rootId, message.id); !followed.ok())
            return followed.error();
    }
    auto recipients = MentionStore::recipients(db, message.conversationId);
    if (!recipients.ok())
        return recipients.error();
    QList<Recipient> added;
    for (const Recipient &recipient : recipients.value()) {
        if (after.contains(recipient.userId) && !before.contains(recipient.userId))
            added.append(recipient);
        else if (before.contains(recipient.userId) && !after.contains(recipient.userId))
            changed.mentionNews.revoked.append(recipient.userId);
    }
    changed.mentionNews.notified = MentionStore::route(added, message, std::nullopt).mention;
    auto title = sql::exec(db,
                           u"SELECT %1 FROM messages m JOIN conversations c ON "
                           "c.id = m.conversation_id JOIN users s ON s.id = m.sender_id "
                           "WHERE m.id = ?"_s.arg(NotificationRepository::titleColumn()),
                           {message.id});
    if (!title.ok())
        return title.error();
    changed.mentionNews.notification = NotificationRepository::forMessage(
        message, title.value().next() ? title.value().value(0).toString() : QString(), true);
    return Done{};
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
    if (edit.content.isEmpty() && message.attachments.isEmpty())
        return Error::badRequest(u"content must not be empty"_s);
    auto mentions = editedMentions(db, edit, result);
    if (!mentions.ok())
        return mentions.error();
    const bool newMentions = mentions.value() != message.mentions;
    if (edit.content == message.content && !newMentions)
        return result; // nothing to store, nothing to tell
    auto changeId = ChangeFeed::next(db);
    if (!changeId.ok())
        return changeId.error();
    message.changeId = changeId.value();
    result.changed = true;
    if (auto written = edit.content == message.content ? moveInFeed(db, message)
                                                       : newVersion(db, message, edit);
        !written.ok())
        return written.error();
    if (newMentions) { // a change of the mentions alone keeps the version
        if (auto changed = changeMentions(db, result, mentions.value()); !changed.ok())
            return changed.error();
    }
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

    if (auto files = Attachments::unlink(db, message.id); !files.ok())
        return files.error();
    message.attachments.clear();
    auto reactionNotification = Reactions::removeAll(db, message.id);
    if (!reactionNotification.ok())
        return reactionNotification.error();
    result.reactionNotification = reactionNotification.value();
    auto changeId = ChangeFeed::next(db);
    if (!changeId.ok())
        return changeId.error();
    message.content.clear();
    message.reactions.clear();
    message.mentions = {};
    result.tombstone.tallies.clear();
    message.deletedAt = now;
    message.changeId = changeId.value();
    for (const auto &[statement, args] :
         {std::pair{u"UPDATE messages SET content = '', deleted_at = ?, change_id = ?, "
                    "mention_ids = NULL, mentions_all = 0 WHERE id = ?"_s,
                    QVariantList{now, message.changeId, message.id}},
          std::pair{u"DELETE FROM message_mentions WHERE message_id = ?"_s,
                    QVariantList{message.id}},
          std::pair{u"DELETE FROM message_edits WHERE message_id = ?"_s, QVariantList{message.id}},
          std::pair{u"DELETE FROM pending_deliveries WHERE message_id = ?"_s,
                    QVariantList{message.id}},
          std::pair{u"DELETE FROM notification_reads WHERE message_id = ?"_s,
                    QVariantList{message.id}}}) {
        if (auto done = sql::exec(db, statement, args); !done.ok())
            return done.error();
    }
    if (auto pending = EmailRepository::messageChanged(db, message.id, true); !pending.ok())
        return pending.error();
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
