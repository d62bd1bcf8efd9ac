#pragma once

#include "protocol/Result.h"
#include "storage/SqlDialect.h"

#include <QSqlDatabase>

namespace pitchey::server {

// Numbered schema migrations, recorded in the table schema_migrations. A database is
// brought to the latest version (or to `target`, for the tests that prove an upgraded
// database equals a fresh one) in one transaction per step.
class Migrations
{
public:
    [[nodiscard]] static int latestVersion();
    [[nodiscard]] static int currentVersion(QSqlDatabase &db);
    [[nodiscard]] static Status migrate(QSqlDatabase &db, const SqlDialect &dialect,
                                        int target = -1);
};

} // namespace pitchey::server
