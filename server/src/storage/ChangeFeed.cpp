#include "storage/ChangeFeed.h"
#include "storage/Attachments.h"
#include "storage/MessageRepository.h"
#include "storage/Reactions.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::server::ChangeFeed {

namespace {

bool onPostgres(const QSqlDatabase &db)
{
    return db.driverName() == "QPSQL"_L1;
}

// PostgreSQL's advisory locks of the feed, both held until the writer's transaction ends
// (or its job's savepoint is rolled back): the writer's own (pair form: kWriterLockClass and
// its backend's pid), taken before it takes a position, and one on each position it took
// (the 64-bit form: the tag plus the position). A position whose lock is gone belongs to a
// transaction that committed or rolled back.
constexpr qint64 kPositionTag = qint64(0x7066) << 48; // "pf", above any position
constexpr int kPositionTagHigh = 0x7066;              // the tag in pg_locks' classid >> 16
// How often a reader looks again after waiting for a writer that was taking a position.
constexpr int kLooks = 100;

Result<qint64> nextOnPostgres(QSqlDatabase &db)
{
    auto writer = sql::exec(
        db, u"SELECT 1 FROM pg_advisory_xact_lock(%1, pg_backend_pid())"_s.arg(kWriterLockClass));
    if (!writer.ok())
        return writer.error();
    auto taken = sql::exec(db, u"SELECT v FROM nextval('change_feed_positions') AS v, "
                               "LATERAL pg_advisory_xact_lock(%1 + v) AS held"_s.arg(kPositionTag));
    if (!taken.ok())
        return taken.error();
    if (!taken.value().next())
        return Error::internal(u"the change feed gave no position"_s);
    return taken.value().value(0).toLongLong();
}

// The feed's locks in this database, read at once: the smallest position held (0: none) and
// a writer that holds no position yet (0: none), which may be taking one this moment.
const QString &heldPositions()
{
    static const QString statement = uR"(WITH feed AS (
    SELECT objsubid, classid::BIGINT AS high, objid::BIGINT AS low, pid FROM pg_locks
    WHERE locktype = 'advisory' AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND ((objsubid = 1 AND classid::BIGINT >> 16 = %1) OR (objsubid = 2 AND classid::BIGINT = %2)))
SELECT COALESCE((SELECT MIN(((high & 65535) << 32) | low) FROM feed WHERE objsubid = 1), 0),
       COALESCE((SELECT MIN(w.pid) FROM feed w WHERE w.objsubid = 2 AND NOT EXISTS (
           SELECT 1 FROM feed p WHERE p.objsubid = 1 AND p.pid = w.pid)), 0))"_s
                                         .arg(kPositionTagHigh)
                                         .arg(kWriterLockClass);
    return statement;
}

// Every position up to the newest one taken (read first), except from the smallest one
// still held. A writer caught between its own lock and its position's may be taking a
// smaller one: wait for its transaction and look again.
Result<qint64> latestOnPostgres(QSqlDatabase &db)
{
    for (int look = 0; look < kLooks; ++look) {
        auto taken = sql::scalar(db, u"SELECT CASE WHEN is_called THEN last_value "
                                     "ELSE last_value - 1 END FROM change_feed_positions"_s);
        if (!taken.ok())
            return taken.error();
        auto held = sql::exec(db, heldPositions());
        if (!held.ok())
            return held.error();
        if (!held.value().next())
            return Error::internal(u"the change feed's locks could not be read"_s);
        const qint64 smallestHeld = held.value().value(0).toLongLong();
        const qint64 taking = held.value().value(1).toLongLong();
        if (taking == 0)
            return smallestHeld > 0 ? std::min(taken.value(), smallestHeld - 1) : taken.value();
        // Session locks, released at once: a transaction-long one would hold that backend's
        // next transaction back.
        for (const auto &step : {u"SELECT 1 FROM pg_advisory_lock_shared(%1, ?)"_s,
                                 u"SELECT 1 FROM pg_advisory_unlock_shared(%1, ?)"_s}) {
            if (auto waited = sql::exec(db, step.arg(kWriterLockClass), {taking}); !waited.ok())
                return waited.error();
        }
    }
    return Error::internal(u"the change feed was too busy to read; try again"_s);
}

} // namespace

Result<qint64> next(QSqlDatabase &db)
{
    if (onPostgres(db))
        return nextOnPostgres(db);
    auto taken = sql::exec(
        db, u"UPDATE change_feed SET latest = latest + 1 WHERE id = 1 RETURNING latest"_s);
    if (!taken.ok())
        return taken.error();
    if (!taken.value().next())
        return Error::internal(u"the change feed has no row"_s);
    return taken.value().value(0).toLongLong();
}

Result<qint64> latest(QSqlDatabase &db)
{
    if (onPostgres(db))
        return latestOnPostgres(db);
    return sql::scalar(db, u"SELECT latest FROM change_feed WHERE id = 1"_s);
}

Result<Page> changesFor(QSqlDatabase &db, qint64 userId, qint64 since, int limit)
{
    // The position first, then the changes up to it: whatever commits in between comes
    // with the next call (read the other way round, it would be skipped).
    auto newest = latest(db);
    if (!newest.ok())
        return newest.error();
    auto rows = sql::exec(
        db,
        u"SELECT %1 FROM messages m JOIN participants p ON p.conversation_id = m.conversation_id "
        "AND p.user_id = ? WHERE m.change_id > ? AND m.change_id <= ? ORDER BY m.change_id "
        "LIMIT ?"_s.arg(MessageRepository::columns()),
        {userId, since, newest.value(), limit + 1});
    if (!rows.ok())
        return rows.error();
    Page page;
    page.latestChangeId = newest.value();
    while (rows.value().next()) {
        if (page.messages.size() == limit) {
            page.hasMore = true;
            break;
        }
        page.messages.append(MessageRepository::fromRow(rows.value()));
    }
    if (auto reactions = Reactions::attach(db, page.messages, userId); !reactions.ok())
        return reactions.error();
    if (auto files = Attachments::attach(db, page.messages); !files.ok())
        return files.error();
    return page;
}

} // namespace pitchey::server::ChangeFeed
