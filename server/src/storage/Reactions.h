#pragma once

#include "protocol/Types.h"
#include "storage/MessageChanges.h"
#include "storage/Sql.h"

#include <QHash>
#include <QSqlDatabase>

#include <optional>

namespace pitchey::server {

// Reactions to messages (contract v2, "Reactions"). Database thread only, except
// forViewer(), which is pure.
namespace Reactions {

// Notification ids: a message's notification has the message's id; a reaction
// notification has its row's id plus this, so the two never meet.
inline constexpr qint64 kNotificationIdBase = qint64(1) << 40;

[[nodiscard]] QList<Reaction> forViewer(const ReactionTallies &tallies, qint64 viewerId);

// The tallies of those of `messageIds` that have reactions.
[[nodiscard]] Result<QHash<qint64, ReactionTallies>> load(QSqlDatabase &db,
                                                          const QList<qint64> &messageIds);
// Sets each message's `reactions` as `viewerId` sees them.
[[nodiscard]] Status attach(QSqlDatabase &db, QList<Message> &messages, qint64 viewerId);

struct React
{
    qint64 userId = 0;
    qint64 messageId = 0;
    QString emoji; // validated
    bool on = true;
    qint64 now = 0;
    int maxDistinct = 20;
};

// What a reaction changed, and what the message's sender is told of it.
struct Reacted
{
    ChangedMessage changed;
    // The sender's reaction notification, made or updated (same id within a minute), when
    // it should reach them in real time; or the one taken back with the last reaction.
    std::optional<Notification> notification;
    std::optional<qint64> revoked;
};

// Adds or takes back one user's reaction, under the message's row lock, with a new change
// feed position when anything changed. Deleted message -> conflict; a new emoji past
// maxDistinct -> bad_request.
[[nodiscard]] Result<Reacted> react(QSqlDatabase &db, const React &react);

// The message is being deleted: its reactions go, and the sender's reaction notification
// with them (its id, to revoke).
[[nodiscard]] Result<std::optional<qint64>> removeAll(QSqlDatabase &db, qint64 messageId);

} // namespace Reactions
} // namespace pitchey::server
