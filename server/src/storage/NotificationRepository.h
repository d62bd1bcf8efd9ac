#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"

#include <QSqlDatabase>

#include <optional>

namespace pitchey::server::NotificationRepository {

struct Listed
{
    Notification notification;
    bool read = false;
};

// The user's notifications, newest first: at most `limit`, older than `before` if given.
[[nodiscard]] Result<QList<Listed>> list(QSqlDatabase &db, qint64 userId, bool unreadOnly,
                                         int limit, std::optional<qint64> before);
// Marks the given notifications of the user read (others' ids are ignored), or all of them
// when `ids` is empty and `all` is set. Returns how many changed.
[[nodiscard]] Result<qint64> markRead(QSqlDatabase &db, qint64 userId, const QList<qint64> &ids,
                                      bool all, qint64 now);

} // namespace pitchey::server::NotificationRepository
