#pragma once

#include "storage/DatabaseUrl.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace pitchey::server {

// Every difference between the SQL of SQLite and of PostgreSQL lives here; the
// repositories and services write one SQL that both accept.
class SqlDialect
{
public:
    explicit SqlDialect(DatabaseUrl::Kind kind)
        : m_kind(kind)
    {}

    [[nodiscard]] DatabaseUrl::Kind kind() const { return m_kind; }
    [[nodiscard]] QString driverName() const;
    // Replaces the schema placeholders of a migration ({{ID}}: an auto-increasing 64-bit key;
    // {{RANDOM_KEY}}: a random positive integer below 2^53, per row).
    [[nodiscard]] QString schema(QString sql) const;
    // Statements run on every new connection (pragmas for SQLite).
    [[nodiscard]] QStringList sessionSetup() const;
    [[nodiscard]] bool isUniqueViolation(const QSqlError &error) const;

private:
    DatabaseUrl::Kind m_kind;
};

} // namespace pitchey::server
