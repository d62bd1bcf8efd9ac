#include "storage/UserRepository.h"

#include "protocol/Time.h"
#include "storage/Sql.h"

#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace pitchey::server::UserRepository {

namespace {

QString usernameKey(const QString &username)
{
    return username.toLower();
}

// Columns: id, username, display_name
User userFromRow(const sql::Cursor &query)
{
    User user;
    user.id = query.value(0).toLongLong();
    user.username = query.value(1).toString();
    user.displayName = query.value(2).toString();
    return user;
}

// Every row of a query over (id, username, display_name).
Result<QList<User>> usersFrom(Result<sql::Cursor> &query)
{
    if (!query.ok())
        return query.error();
    QList<User> users;
    while (query.value().next())
        users.append(userFromRow(query.value()));
    return users;
}

// Random, positive, below 2^53 (a JSON number stays exact).
qint64 newTokenKey()
{
    return qint64(QRandomGenerator::system()->generate64() >> 11) | 1;
}

QString likePrefix(const QString &prefix)
{
    QString escaped = prefix.toLower();
    escaped.replace(u'\\', "\\\\"_L1).replace(u'%', "\\%"_L1).replace(u'_', "\\_"_L1);
    return escaped + u'%';
}

} // namespace

Result<Credentials> create(QSqlDatabase &db, const QString &username, const QString &displayName,
                           const std::optional<QString> &email, const QByteArray &passwordHash)
{
    auto taken = sql::scalar(db, u"SELECT COUNT(*) FROM users WHERE username_key = ?"_s,
                             {usernameKey(username)});
    if (!taken.ok())
        return taken.error();
    if (taken.value() > 0)
        return Error::conflict(u"that username is taken"_s);
    const qint64 key = newTokenKey();
    auto inserted = sql::exec(db,
                              u"INSERT INTO users (username, username_key, display_name, email, "
                              u"password_hash, created_at, token_key) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"_s,
                              {username, usernameKey(username), displayName, sql::nullable(email),
                               QString::fromLatin1(passwordHash), currentTimeMs(), key});
    if (!inserted.ok())
        return Error::conflict(u"that username is taken"_s); // only a racing insert gets here
    if (!inserted.value().next())
        return Error::internal(u"database error"_s);
    User user;
    user.id = inserted.value().value(0).toLongLong();
    user.username = username;
    user.displayName = displayName;
    user.email = email;
    return Credentials{user, passwordHash, key};
}

Result<std::optional<Credentials>> credentials(QSqlDatabase &db, const QString &username)
{
    auto query =
        sql::exec(db,
                  u"SELECT id, username, display_name, email, password_hash, token_key FROM users "
                  "WHERE username_key = ?"_s,
                  {usernameKey(username)});
    if (!query.ok())
        return query.error();
    sql::Cursor &row = query.value();
    if (!row.next())
        return std::optional<Credentials>{};
    Credentials credentials{userFromRow(row), row.value(4).toString().toLatin1(),
                            row.value(5).toLongLong()};
    if (!row.value(3).isNull())
        credentials.user.email = row.value(3).toString();
    return std::optional<Credentials>{credentials};
}

Result<bool> setPasswordHash(QSqlDatabase &db, const QString &username,
                             const QByteArray &passwordHash)
{
    auto updated =
        sql::exec(db, u"UPDATE users SET password_hash = ?, token_key = ? WHERE username_key = ?"_s,
                  {QString::fromLatin1(passwordHash), newTokenKey(), usernameKey(username)});
    if (!updated.ok())
        return updated.error();
    return updated.value().numRowsAffected() > 0;
}

Result<std::optional<qint64>> tokenKey(QSqlDatabase &db, qint64 id)
{
    auto query = sql::exec(db, u"SELECT token_key FROM users WHERE id = ?"_s, {id});
    if (!query.ok())
        return query.error();
    if (!query.value().next())
        return std::optional<qint64>{};
    return std::optional<qint64>{query.value().value(0).toLongLong()};
}

Result<bool> raiseIdFloor(QSqlDatabase &db, qint64 floor)
{
    if (db.driverName() == "QPSQL"_L1) {
        auto raised = sql::exec(
            db,
            u"SELECT setval('users_id_seq', GREATEST((SELECT last_value FROM users_id_seq), ?))"_s,
            {floor});
        if (!raised.ok())
            return raised.error();
        return true;
    }
    // SQLite: AUTOINCREMENT's counter, a row of sqlite_sequence once an account exists.
    auto raised =
        sql::exec(db, u"UPDATE sqlite_sequence SET seq = ? WHERE name = 'users' AND seq < ?"_s,
                  {floor, floor});
    if (!raised.ok())
        return raised.error();
    auto first = sql::exec(db,
                           u"INSERT INTO sqlite_sequence (name, seq) SELECT 'users', ? WHERE NOT "
                           "EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'users')"_s,
                           {floor});
    if (!first.ok())
        return first.error();
    return true;
}

Result<std::optional<User>> byId(QSqlDatabase &db, qint64 id)
{
    auto query =
        sql::exec(db, u"SELECT id, username, display_name, email FROM users WHERE id = ?"_s, {id});
    if (!query.ok())
        return query.error();
    sql::Cursor &row = query.value();
    if (!row.next())
        return std::optional<User>{};
    User user = userFromRow(row);
    if (!row.value(3).isNull())
        user.email = row.value(3).toString();
    return std::optional<User>{user};
}

Result<QList<User>> byIds(QSqlDatabase &db, const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return QList<User>{};
    QVariantList args;
    for (qint64 id : ids)
        args.append(id);
    auto query = sql::exec(
        db,
        u"SELECT id, username, display_name FROM users WHERE id IN (%1) ORDER BY id"_s.arg(
            sql::placeholders(ids.size())),
        args);
    return usersFrom(query);
}

Result<QList<User>> search(QSqlDatabase &db, const QString &prefix, qint64 excludeId, int limit)
{
    const QString pattern = likePrefix(prefix);
    auto query = sql::exec(db,
                           u"SELECT id, username, display_name FROM users "
                           "WHERE id <> ? AND (username_key LIKE ? ESCAPE '\\' OR "
                           "lower(display_name) LIKE ? ESCAPE '\\') "
                           "ORDER BY username_key LIMIT ?"_s,
                           {excludeId, pattern, pattern, limit});
    return usersFrom(query);
}

Result<QList<qint64>> contactsOf(QSqlDatabase &db, qint64 userId)
{
    auto query =
        sql::exec(db,
                  u"SELECT DISTINCT other.user_id FROM participants mine "
                  "JOIN participants other ON other.conversation_id = mine.conversation_id "
                  "WHERE mine.user_id = ? AND other.user_id <> ?"_s,
                  {userId, userId});
    if (!query.ok())
        return query.error();
    QList<qint64> ids;
    while (query.value().next())
        ids.append(query.value().value(0).toLongLong());
    return ids;
}

} // namespace pitchey::server::UserRepository
