#pragma once

#include "protocol/Types.h"

#include <QSqlDatabase>

#include <optional>

namespace pitchey::server {

struct Credentials
{
    User user;
    QByteArray passwordHash;
    qint64 tokenKey = 0; // what its tokens must name (JwtService, Authenticator)
};

// SQL for users. Runs on the database thread only (see DbWorker).
namespace UserRepository {

// A new account, with a fresh token key.
[[nodiscard]] Result<Credentials> create(QSqlDatabase &db, const QString &username,
                                         const QString &displayName,
                                         const std::optional<QString> &email,
                                         const QByteArray &passwordHash);
[[nodiscard]] Result<std::optional<Credentials>> credentials(QSqlDatabase &db,
                                                             const QString &username);
// False when there is no such user. The account gets a new token key: every token issued
// before is refused from now on.
[[nodiscard]] Result<bool> setPasswordHash(QSqlDatabase &db, const QString &username,
                                           const QByteArray &passwordHash);
// The account's token key; nullopt when there is no such account.
[[nodiscard]] Result<std::optional<qint64>> tokenKey(QSqlDatabase &db, qint64 id);
// Makes the next new account's id at least `floor` + 1 (never lowers it). Called at start
// with the time in milliseconds: a database restored from a backup would otherwise give
// new accounts the ids of accounts made after the backup, whose old links, tokens and
// clients' caches name them. (Fewer than 1,000 accounts a second over a node's uptime
// keep the ids under the clock.)
[[nodiscard]] Result<bool> raiseIdFloor(QSqlDatabase &db, qint64 floor);
[[nodiscard]] Result<std::optional<User>> byId(QSqlDatabase &db, qint64 id);
[[nodiscard]] Result<QList<User>> byIds(QSqlDatabase &db, const QList<qint64> &ids);
// Users whose username or display name starts with `prefix` (case-insensitive), by username.
[[nodiscard]] Result<QList<User>> search(QSqlDatabase &db, const QString &prefix, qint64 excludeId,
                                         int limit);
// Everyone who shares at least one conversation with `userId`.
[[nodiscard]] Result<QList<qint64>> contactsOf(QSqlDatabase &db, qint64 userId);

} // namespace UserRepository
} // namespace pitchey::server
