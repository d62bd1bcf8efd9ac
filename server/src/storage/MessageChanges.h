#pragma once

#include "protocol/Types.h"
#include "storage/Sql.h"

#include <QSqlDatabase>

namespace pitchey::server {

// A message changed by its sender (contract v2), as stored.
struct ChangedMessage
{
    Message message;      // its state after the change
    bool changed = false; // false: identical to what was stored, nothing stored
    QList<qint64> participants;
};

struct MessageVersion
{
    qint64 version = 0;
    QString content;
    qint64 editedAt = 0; // when this version was written (the first: when sent)
};

// SQL for changes to stored messages: edits (deletes and reactions later). Each takes the
// message's row lock (NOWAIT on PostgreSQL) and a new change feed position, and writes
// everything the change touches in the caller's transaction. Database thread only.
namespace MessageChanges {

struct Edit
{
    qint64 editorId = 0;
    qint64 messageId = 0;
    QString content; // already validated
    std::optional<qint64> version;
    qint64 now = 0;
    qint64 windowMs = 0; // 0: no limit
};
[[nodiscard]] Result<ChangedMessage> edit(QSqlDatabase &db, const Edit &edit);

// Every version of a message, oldest first, for a participant of its conversation.
[[nodiscard]] Result<QList<MessageVersion>> versions(QSqlDatabase &db, qint64 userId,
                                                     qint64 messageId);

} // namespace MessageChanges
} // namespace pitchey::server
