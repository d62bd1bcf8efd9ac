#pragma once

#include "protocol/Types.h"

#include <QJsonObject>
#include <QSqlDatabase>

namespace pitchey::server {

// SQL for notification preferences. Database thread only.
namespace PreferencesRepository {

[[nodiscard]] Result<NotificationPreferences> get(QSqlDatabase &db, qint64 userId);
// Applies a partial update (validated by NotificationPreferences::merged); muting a
// conversation the user is not part of is forbidden.
[[nodiscard]] Result<NotificationPreferences> update(QSqlDatabase &db, qint64 userId,
                                                     const QJsonObject &patch);

} // namespace PreferencesRepository
} // namespace pitchey::server
