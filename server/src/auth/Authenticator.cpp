#include "auth/Authenticator.h"

#include "storage/DbWorker.h"
#include "storage/UserRepository.h"

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {
// (Constant time, like every other comparison of credentials; 0 is no account's key.)
bool matches(qint64 expected, qint64 given)
{
    return expected != 0 && sodium_memcmp(&expected, &given, sizeof expected) == 0;
}
} // namespace

void Authenticator::check(QStringView token, QObject *context,
                          std::function<void(Result<TokenClaims>)> done) const
{
    auto claims = m_jwt.verify(token);
    if (!claims.ok())
        return done(claims.error());
    checkAccount(claims.value(), context, std::move(done));
}

void Authenticator::checkAccount(const TokenClaims &verified, QObject *context,
                                 std::function<void(Result<TokenClaims>)> done) const
{
    const qint64 userId = verified.userId;
    if (const auto known = m_known.constFind(userId);
        known != m_known.cend() && !known->fresh.hasExpired() && matches(known->key, verified.key))
        return done(verified);
    // (submitThen: no future and watcher per check, which a storm of connections of users
    // not seen lately would otherwise pile up while the database catches up.)
    m_db.submitThen<std::optional<qint64>>(
        userId, [userId](QSqlDatabase &db) { return UserRepository::tokenKey(db, userId); },
        context,
        [this, verified, done = std::move(done)](const Result<std::optional<qint64>> &key) {
            if (!key.ok())
                return done(key.error());
            const qint64 expected = key.value().value_or(0);
            remember(verified.userId, expected);
            if (!matches(expected, verified.key))
                return done(Error::unauthorized(u"invalid or expired token"_s));
            done(verified);
        });
}

void Authenticator::remember(qint64 userId, qint64 key) const
{
    // Memory follows the accounts active within a lifetime: the expired go now and then.
    if (++m_sinceSweep >= 4096) {
        m_sinceSweep = 0;
        m_known.removeIf([](const auto &entry) { return entry.value().fresh.hasExpired(); });
    }
    m_known.insert(userId, {key, QDeadlineTimer(m_keyLifetime)});
}

} // namespace pitchey::server
