#pragma once

#include "protocol/Types.h"
#include "storage/MessageChanges.h"
#include "storage/Sql.h"

#include <QSqlDatabase>

#include <optional>

namespace pitchey::server {

// Threads (contract v2, "Replies and threads"): a root's summary and who follows it.
// Database thread only, in the caller's transaction.
namespace Threads {

// Checks that `rootId` may take a reply in `conversationId`: a message of it (else
// bad_request), not itself in a thread (bad_request), not deleted (conflict). Locks the
// root's row until the commit: its summary is rewritten after the reply is stored.
[[nodiscard]] Status checkRoot(QSqlDatabase &db, qint64 rootId, qint64 conversationId);

// Reply `replyId` by `senderId` was stored: the replier follows, and so do (unless they
// chose not to) the root's sender and everyone the root or the reply mentions by name; the
// root's summary is rewritten at a new feed position. Returns the root as it now is, with
// the thread's followers but the replier.
struct ReplyStored
{
    ChangedMessage root;
    QList<qint64> followers; // who gets the reply's notification (kind thread_reply)
};
[[nodiscard]] Result<ReplyStored> replied(QSqlDatabase &db, qint64 rootId, qint64 replyId,
                                          qint64 senderId);
// Those `messageId` (a thread reply, or a root) mentions by name follow the thread of
// `rootId`, unless they chose not to.
[[nodiscard]] Status followMentioned(QSqlDatabase &db, qint64 rootId, qint64 messageId);

// A reply was deleted (or otherwise changed the live replies): the root's summary anew.
[[nodiscard]] Result<ChangedMessage> refresh(QSqlDatabase &db, qint64 rootId, qint64 viewerId);

// Sets whether `userId` follows the thread of `rootId` (a message of one of its
// conversations that is not itself a reply in a thread, else bad_request).
[[nodiscard]] Result<bool> follow(QSqlDatabase &db, qint64 userId, qint64 rootId, bool following);

// SQL that is true when participant `p` follows the thread of message `m` (or `m` is in
// no thread): only followers are notified of thread replies.
[[nodiscard]] QString notifiedCondition();

} // namespace Threads
} // namespace pitchey::server
