#include "storage/Sql.h"

#include <QHash>
#include <QLoggingCategory>
#include <QSqlError>

#include <memory>
#include <unordered_map>
#include <utility>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

namespace pitchey::server::sql {

namespace {

// Prepared statements by connection name, then by text. A connection is used by one
// thread only (DbWorker), so each thread keeps its own cache.
struct StatementCache
{
    QHash<QString, std::shared_ptr<QSqlQuery>> byText;
    // Run since the last finishAll(): a statement that was not read to its end (a SELECT
    // read for one row, an INSERT ... RETURNING) stays active, and SQLite refuses
    // SAVEPOINT, RELEASE and COMMIT while a writing statement is active.
    QList<QSqlQuery *> active;
};
thread_local std::unordered_map<std::string, StatementCache> t_caches;
thread_local bool t_transientFailure = false;

// serialization_failure, deadlock_detected, lock_not_available
bool isTransient(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    return code == "40001"_L1 || code == "40P01"_L1 || code == "55P03"_L1;
}

StatementCache &cacheFor(const QSqlDatabase &db)
{
    return t_caches[db.connectionName().toStdString()];
}

} // namespace

Result<Cursor> exec(QSqlDatabase &db, const QString &statement, const QVariantList &args)
{
    StatementCache &cache = cacheFor(db);
    std::shared_ptr<QSqlQuery> &query = cache.byText[statement];
    if (!query) {
        query = std::make_shared<QSqlQuery>(db);
        query->setForwardOnly(true);
        if (!query->prepare(statement)) {
            qCWarning(lcStorage).noquote()
                << "prepare failed:" << query->lastError().text() << "in" << statement;
            cache.byText.remove(statement);
            return Error::internal(u"database error"_s);
        }
    }
    for (int i = 0; i < args.size(); ++i)
        query->bindValue(i, args.at(i));
    if (!cache.active.contains(query.get()))
        cache.active.append(query.get());
    if (!query->exec()) {
        if (isTransient(query->lastError())) {
            // Expected under contention, and run again (DbWorker).
            t_transientFailure = true;
            qCDebug(lcStorage).noquote()
                << "busy:" << query->lastError().nativeErrorCode() << "in" << statement;
        } else {
            qCWarning(lcStorage).noquote()
                << "query failed:" << query->lastError().text() << "in" << statement;
        }
        return Error::internal(u"database error"_s);
    }
    return Cursor(query.get());
}

bool takeTransientFailure()
{
    return std::exchange(t_transientFailure, false);
}

Status control(QSqlDatabase &db, const QString &statement)
{
    // SQLite prepares them like any other: cached, as they run twice for every job.
    if (db.driverName() != "QPSQL"_L1) {
        auto cached = exec(db, statement);
        return cached.ok() ? Status(Done{}) : Status(cached.error());
    }
    QSqlQuery query(db);
    if (!query.exec(statement)) {
        qCWarning(lcStorage).noquote()
            << "query failed:" << query.lastError().text() << "in" << statement;
        return Error::internal(u"database error"_s);
    }
    return Done{};
}

Result<qint64> scalar(QSqlDatabase &db, const QString &statement, const QVariantList &args,
                      qint64 fallback)
{
    auto query = exec(db, statement, args);
    if (!query.ok())
        return query.error();
    if (!query.value().next() || query.value().value(0).isNull())
        return fallback;
    return query.value().value(0).toLongLong();
}

void finishAll(const QSqlDatabase &db)
{
    StatementCache &cache = cacheFor(db);
    for (QSqlQuery *query : std::as_const(cache.active))
        query->finish();
    cache.active.clear();
}

void dropCache(const QSqlDatabase &db)
{
    t_caches.erase(db.connectionName().toStdString());
}

QString lockRowClause(const QSqlDatabase &db, const QString &of)
{
    if (db.driverName() != "QPSQL"_L1)
        return {};
    return of.isEmpty() ? u" FOR NO KEY UPDATE NOWAIT"_s
                        : u" FOR NO KEY UPDATE OF %1 NOWAIT"_s.arg(of);
}

QString placeholders(qsizetype n)
{
    QString text;
    for (qsizetype i = 0; i < n; ++i)
        text += i == 0 ? u"?"_s : u", ?"_s;
    return text;
}

std::optional<qint64> optionalInt(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toLongLong();
}

QVariant nullable(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

QVariant nullable(const std::optional<QString> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<QString>());
}

} // namespace pitchey::server::sql
