#pragma once

#include "protocol/Result.h"

#include <QString>

namespace pitchey::server {

// Where the data lives, parsed from `--database`/`DATABASE_URL`:
//   sqlite                     the file pitchey.db in the data directory (the default)
//   sqlite:///absolute/path.db a SQLite file elsewhere
//   postgresql://user:pass@host:port/db
struct DatabaseUrl
{
    enum class Kind
    {
        SQLite,
        PostgreSQL
    };
    Kind kind = Kind::SQLite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString databaseName;

    static Result<DatabaseUrl> parse(const QString &url, const QString &dataDir);
    [[nodiscard]] QString describe() const; // for logs: never includes the password
};

} // namespace pitchey::server
