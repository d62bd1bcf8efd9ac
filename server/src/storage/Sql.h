#pragma once

#include "protocol/Result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

#include <optional>

namespace pitchey::server::sql {

class Statement;

// The rows of a statement just run. It reads the connection's cached prepared statement,
// so it is valid until that same statement text runs again.
class Cursor
{
public:
    explicit Cursor(Statement *statement)
        : m_statement(statement)
    {}
    bool next();
    [[nodiscard]] QVariant value(int column) const;
    [[nodiscard]] int numRowsAffected() const;

private:
    Statement *m_statement;
};

// Prepares `statement` (once per connection: prepared statements are cached), binds `args`
// to its `?` placeholders in order and runs it. Every statement of the project goes through
// here: prepared, never concatenated with values. On SQLite the statement is SQLite's own,
// prepared and bound directly (where the Qt driver uses the same library as this program;
// see Sql.cpp): QSqlQuery's binding cost more than a typical statement's own work. A failure is
// logged (the statement, never the bound values) and returned as `internal`.
[[nodiscard]] Result<Cursor> exec(QSqlDatabase &db, const QString &statement,
                                  const QVariantList &args = {});

// True when exec() runs this connection's statements through SQLite's own API.
[[nodiscard]] bool sqliteDirect(const QSqlDatabase &db);

// Transaction control (SAVEPOINT, RELEASE, ROLLBACK TO): statements without values, which
// PostgreSQL cannot PREPARE, so they run as they are there (SQLite caches them).
[[nodiscard]] Status control(QSqlDatabase &db, const QString &statement);

// True when a statement failed since the last call because PostgreSQL broke a deadlock or
// a serialization conflict: worth running again once the other transaction is gone.
[[nodiscard]] bool takeTransientFailure();

// A query's first column of its first row as an integer, or `fallback` without rows.
[[nodiscard]] Result<qint64> scalar(QSqlDatabase &db, const QString &statement,
                                    const QVariantList &args = {}, qint64 fallback = 0);

// Ends every statement run since the last call, read to its end or not: before SAVEPOINT,
// RELEASE, ROLLBACK TO and COMMIT, which SQLite refuses while a writing statement (an
// INSERT ... RETURNING read for one row) is active. dropCache() forgets all the prepared
// statements, before the connection closes.
void finishAll(const QSqlDatabase &db);
void dropCache(const QSqlDatabase &db);

// " FOR NO KEY UPDATE NOWAIT" on PostgreSQL: appended to a SELECT of one row, it holds the
// row until the commit, or fails at once if another transaction holds it (the job runs
// again in the next batch: batches that waited for each other's rows would deadlock).
// Empty on SQLite, whose one writer holds the whole database. In a join, `of` names the
// table whose row is locked.
[[nodiscard]] QString lockRowClause(const QSqlDatabase &db, const QString &of = {});

// "?, ?, ?" for an IN list of n values.
[[nodiscard]] QString placeholders(qsizetype n);

// A nullable column as std::optional, and back.
[[nodiscard]] std::optional<qint64> optionalInt(const QVariant &value);
[[nodiscard]] QVariant nullable(const std::optional<qint64> &value);
[[nodiscard]] QVariant nullable(const std::optional<QString> &value);

} // namespace pitchey::server::sql
