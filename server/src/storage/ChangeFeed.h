#pragma once

#include "protocol/Types.h"
#include "storage/Sql.h"

#include <QSqlDatabase>

namespace pitchey::server {

// The change feed (contract v2): every change of a message takes the next position, and a
// reader is never handed a position while a smaller one can still commit
// (docs/architecture.md, "The change feed"). SQLite has one writer: positions come from the
// one row of `change_feed`, whose lock orders the commits. PostgreSQL lets transactions
// that change different conversations commit side by side: positions come from a sequence,
// each held under an advisory lock until its transaction ends, and readers see up to the
// smallest position still held. Database thread only.
namespace ChangeFeed {

// PostgreSQL: the class of the advisory lock (pair form: this, the backend's pid) that a
// writer takes before its first position and holds until its transaction ends.
inline constexpr int kWriterLockClass = 0x70636877; // "pchw"

// The next position, for a change made in the caller's transaction.
[[nodiscard]] Result<qint64> next(QSqlDatabase &db);
// The newest position below which every change has committed (0: none yet).
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
