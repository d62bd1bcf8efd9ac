#pragma once

#include "protocol/Result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

namespace pitchey::server::sql {

// Prepares `statement`, binds `args` to its `?` placeholders in order and runs it.
// Every statement of the project goes through here: prepared, never concatenated.
// A failure is logged (the statement, never the bound values) and returned as `internal`.
[[nodiscard]] Result<QSqlQuery> exec(QSqlDatabase &db, const QString &statement,
                                     const QVariantList &args = {});

// A query's first column of its first row as an integer, or `fallback` without rows.
[[nodiscard]] Result<qint64> scalar(QSqlDatabase &db, const QString &statement,
                                    const QVariantList &args = {}, qint64 fallback = 0);

// "?, ?, ?" for an IN list of n values.
[[nodiscard]] QString placeholders(qsizetype n);

// A nullable column as std::optional.
[[nodiscard]] std::optional<qint64> optionalInt(const QVariant &value);
[[nodiscard]] QVariant nullable(const std::optional<qint64> &value);
[[nodiscard]] QVariant nullable(const std::optional<QString> &value);

} // namespace pitchey::server::sql
