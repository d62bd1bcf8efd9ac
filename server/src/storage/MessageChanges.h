#pragma once

#include "protocol/Types.h"
#include "storage/Sql.h"

#include <QSqlDatabase>

namespace pitchey::server {

// One emoji's reactions to a message with everyone who reacted, in the order they did
// (the wire shows each viewer the first ten and whether they are among all of them:
// Reactions::forViewer).
struct ReactionTally
{
    QString emoji;
    QList<qint64> userIds;
    friend bool operator==(const ReactionTally &, const ReactionTally &) = default;
};
using ReactionTallies = QList<ReactionTally>; // in the order of first use

// What an edit of a message's mentions tells: those it now mentions get its notification
// (kind "mention", the message's id), those it no longer mentions have it revoked.
struct MentionNews
{
    Notification notification;
    QList<qint64> notified;
    QList<qint64> revoked;
};

// A message changed (contract v2), as stored.
struct ChangedMessage
{
    Message message;      // its state after the change, as the one who changed it sees it
    bool changed = false; // false: identical to what was stored, nothing stored
    QList<qint64> participants;
    ReactionTallies tallies; // its reactions, for each participant's view of it
    MentionNews mentionNews; // an edit's
};

// A message deleted by its sender, as stored (MessageChanges::remove).
struct DeletedMessage
{
    ChangedMessage tombstone;
    QList<qint64> recipients; // everyone but the sender: their notification is revoked
    QList<QPair<qint64, Conversation>> affected;
    std::optional<qint64> reactionNotification; // the sender's, revoked with the message
    std::optional<ChangedMessage> threadRoot;   // a thread reply's root, its summary renewed
};

struct MessageVersion
{
    qint64 version = 0;
    QString content;
    qint64 editedAt = 0; // when this version was written (the first: when sent)
};

// SQL for changes to stored messages: edits and deletes (reactions: Reactions.h). Each takes the
// message's row lock (NOWAIT on PostgreSQL) and a new change feed position, and writes
// everything the change touches in the caller's transaction. Database thread only.
namespace MessageChanges {

// The message, its row locked until the commit, and its conversation's participants, for
// one of them: no such message -> not_found, someone else's conversation -> forbidden.
[[nodiscard]] Result<ChangedMessage> lockedFor(QSqlDatabase &db, qint64 userId, qint64 messageId);

struct Edit
{
    qint64 editorId = 0;
    qint64 messageId = 0;
    QString content; // already validated
    std::optional<qint64> version;
    qint64 now = 0;
    qint64 windowMs = 0;              // 0: no limit
    std::optional<Mentions> mentions; // nullopt: as they are
    int maxMentions = 50;
};
[[nodiscard]] Result<ChangedMessage> edit(QSqlDatabase &db, const Edit &edit);

// A delete by the sender: the message becomes a tombstone (content, edit history and
// pending deliveries gone) at a new feed position. Deleting a tombstone again changes
// nothing. `affected`: the participants whose conversation (unread count, last message)
// changed, each with the conversation as they now see it.
[[nodiscard]] Result<DeletedMessage> remove(QSqlDatabase &db, qint64 userId, qint64 messageId,
                                            qint64 now);

// Every version of a message, oldest first, for a participant of its conversation.
[[nodiscard]] Result<QList<MessageVersion>> versions(QSqlDatabase &db, qint64 userId,
                                                     qint64 messageId);

} // namespace MessageChanges
} // namespace pitchey::server
