#include "storage/ChangeFeed.h"

#include "storage/MessageRepository.h"
#include "storage/Reactions.h"

using namespace Qt::StringLiterals;

namespace pitchey::server::ChangeFeed {

Result<qint64> next(QSqlDatabase &db)
{
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
    return page;
}

} // namespace pitchey::server::ChangeFeed
