#pragma once

#include "protocol/Types.h"
#include "storage/Sql.h"

#include <QSet>
#include <QSqlDatabase>

#include <optional>

namespace pitchey::server {

// A participant as a message's notification sees them.
struct Recipient
{
    qint64 userId = 0;
    bool muted = false;            // the conversation is muted
    bool realtime = true;          // realtimeEnabled
    bool mentionsWhenMuted = true; // mentionsWhenMuted
};

// Who gets a message's notification frame: the ordinary one, or the `mention` one.
struct Routing
{
    QList<qint64> ordinary;
    QList<qint64> mention;
};

// Mentions (contract v2, "Mentions"): only the ids a sender gives count, never the text.
// Database thread only, except the pure check(), reached() and route().
namespace MentionStore {

// The mentions a sender may store: the sender dropped, every id a participant, at most
// `max` distinct ids, `all` only in a group (bad_request otherwise).
[[nodiscard]] Result<Mentions> check(const Mentions &mentions, qint64 senderId,
                                     const QList<qint64> &participants, bool isGroup, int max);

// Everyone the mentions reach (named, or all participants through `all`) but the sender.
[[nodiscard]] QSet<qint64> reached(const Mentions &mentions, qint64 senderId,
                                   const QList<qint64> &participants);

// Who hears of `message` in real time. A participant who muted the conversation only of a
// mention by name (while mentionsWhenMuted); everyone else of any message (of a thread
// reply only as a follower, unless mentioned), as a mention when it mentions them;
// nobody with realtimeEnabled off.
[[nodiscard]] Routing route(const QList<Recipient> &recipients, const Message &message,
                            const std::optional<QList<qint64>> &threadFollowers);

// SQL columns for a Recipient (muted, realtime, mentionsWhenMuted as 0/1) from the rows
// `mc` (muted_conversations) and `np` (notification_preferences) of a left join.
[[nodiscard]] QString recipientColumns();
[[nodiscard]] Recipient recipientFrom(qint64 userId, const sql::Cursor &row, int first);
// The participants of the conversation as Recipients.
[[nodiscard]] Result<QList<Recipient>> recipients(QSqlDatabase &db, qint64 conversationId);

// Stores `message.mentions` (already checked) as the message's, replacing what it had.
[[nodiscard]] Status write(QSqlDatabase &db, const Message &message,
                           const QList<qint64> &participants);

// SQL that is true when message `m` mentions participant `p` (by name when `byName`).
[[nodiscard]] QString mentionedCondition(bool byName);

// Reads the columns mention_ids and mentions_all.
[[nodiscard]] Mentions fromColumns(const QVariant &ids, const QVariant &all);

} // namespace MentionStore
} // namespace pitchey::server
