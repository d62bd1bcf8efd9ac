#pragma once

#include "protocol/Types.h"
#include "storage/Sql.h"

#include <QSqlDatabase>

namespace pitchey::server {

// The change feed (contract v2): every change of a message takes the next position from
// the one row of `change_feed`. Taking it locks that row until the transaction ends, so
// transactions that change messages commit one after the other, in the order of their
// positions, whichever node or lane runs them: once a position is visible, no smaller one
// can still commit. Database thread only.
namespace ChangeFeed {

// The next position, for a change made in the caller's transaction.
[[nodiscard]] Result<qint64> next(QSqlDatabase &db);
// The newest committed position (0: none yet).
[[nodiscard]] Result<qint64> latest(QSqlDatabase &db);

struct Page
{
    QList<Message> messages; // in the order of their changeId
    qint64 latestChangeId = 0;
    bool hasMore = false;
};
// Every message of userId's conversations changed after `since`, at most `limit`.
[[nodiscard]] Result<Page> changesFor(QSqlDatabase &db, qint64 userId, qint64 since, int limit);

} // namespace ChangeFeed
} // namespace pitchey::server
