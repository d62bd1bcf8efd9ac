#pragma once

#include "storage/DatabaseUrl.h"

#include <QTemporaryDir>

#include <memory>

namespace pitchey::testing {

// A fresh PostgreSQL database for one test, dropped again when this goes, on the server
// PITCHEY_TEST_POSTGRES names (an administrative URL; tests/support/with-postgres.sh sets
// it).
class ScratchPostgres
{
public:
    [[nodiscard]] static bool available();

    ScratchPostgres();
    ~ScratchPostgres();
    ScratchPostgres(const ScratchPostgres &) = delete;
    ScratchPostgres &operator=(const ScratchPostgres &) = delete;

    [[nodiscard]] const server::DatabaseUrl &url() const { return m_url; }
    [[nodiscard]] QString urlText() const; // postgresql://user:pass@host:port/db

private:
    QString m_name;
    server::DatabaseUrl m_url;
};

// The database of a storage test: a ScratchPostgres when PITCHEY_TEST_POSTGRES names a server,
// else an SQLite file (sqliteFile()) in a directory of its own.
class ScratchDatabase
{
public:
    ScratchDatabase();
    [[nodiscard]] bool onPostgres() const { return m_postgres != nullptr; }
    [[nodiscard]] server::DatabaseUrl url() const;
    [[nodiscard]] QString sqliteFile() const { return m_dir.filePath(QStringLiteral("test.db")); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<ScratchPostgres> m_postgres;
};

} // namespace pitchey::testing
