#include "storage/NotificationRepository.h"

#include "storage/Sql.h"

using namespace Qt::StringLiterals;

namespace pitchey::server::NotificationRepository {

Result<QList<Listed>> list(QSqlDatabase &db, qint64 userId, bool unreadOnly, int limit,
                           std::optional<qint64> before)
{
    QVariantList args{userId};
    QString filter;
    if (unreadOnly)
        filter += u" AND read_at IS NULL"_s;
    if (before) {
        filter += u" AND id < ?"_s;
        args.append(*before);
    }
    args.append(limit);
    auto rows = sql::exec(
        db,
        u"SELECT id, kind, title, body, conversation_id, message_id, created_at, "
        "read_at FROM notifications WHERE user_id = ?%1 ORDER BY id DESC LIMIT ?"_s.arg(filter),
        args);
    if (!rows.ok())
        return rows.error();
    QList<Listed> listed;
    while (rows.value().next()) {
        const auto &row = rows.value();
        Listed entry;
        entry.notification = {row.value(0).toLongLong(),      row.value(1).toString(),
                              row.value(2).toString(),        row.value(3).toString(),
                              sql::optionalInt(row.value(4)), sql::optionalInt(row.value(5)),
                              row.value(6).toLongLong()};
        entry.read = !row.value(7).isNull();
        listed.append(entry);
    }
    return listed;
}

Result<qint64> markRead(QSqlDatabase &db, qint64 userId, const QList<qint64> &ids, bool all,
                        qint64 now)
{
    if (all) {
        auto updated = sql::exec(
            db, u"UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL"_s,
            {now, userId});
        if (!updated.ok())
            return updated.error();
        return qint64(updated.value().numRowsAffected());
    }
    qint64 changed = 0;
    for (qsizetype start = 0; start < ids.size(); start += 500) {
        const QList<qint64> chunk = ids.mid(start, 500);
        QVariantList args{now, userId};
        for (qint64 id : chunk)
            args.append(id);
        auto updated =
            sql::exec(db,
                      u"UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL "
                      "AND id IN (%1)"_s.arg(sql::placeholders(chunk.size())),
                      args);
        if (!updated.ok())
            return updated.error();
        changed += updated.value().numRowsAffected();
    }
    return changed;
}

} // namespace pitchey::server::NotificationRepository
