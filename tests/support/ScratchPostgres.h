#pragma once

#include "storage/DatabaseUrl.h"

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

} // namespace pitchey::testing
