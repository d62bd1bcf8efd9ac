#pragma once

#include "auth/JwtService.h"
#include "protocol/Result.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QObject>

#include <chrono>
#include <functional>

namespace pitchey::server {

class DbWorker;

// Whether a token opens its account: a correct signature and claims (JwtService), and an
// account that exists and still has the token's key. A key changes with the password (and
// a restored database may have given the id to someone else); any node or `pitchey-server
// admin` may change it. Keys read from the database are remembered for `keyLifetime`
// (so a busy database does not hold up every request, and a revocation elsewhere takes
// effect within it); a token whose key differs from the remembered one is checked against
// the database again. Used on one thread.
class Authenticator
{
public:
    static constexpr std::chrono::seconds kDefaultKeyLifetime{30};

    Authenticator(const JwtService &jwt, DbWorker &db,
                  std::chrono::milliseconds keyLifetime = kDefaultKeyLifetime)
        : m_jwt(jwt)
        , m_db(db)
        , m_keyLifetime(keyLifetime)
    {}

    // Calls done(claims, or unauthorized) on the calling thread, unless `context` is gone
    // by then. A token refused by its signature or claims is answered at once.
    void check(QStringView token, QObject *context,
               std::function<void(Result<TokenClaims>)> done) const;
    // The second half of check(), for claims that JwtService::verify has accepted.
    void checkAccount(const TokenClaims &verified, QObject *context,
                      std::function<void(Result<TokenClaims>)> done) const;

private:
    void remember(qint64 userId, qint64 key) const;

    struct KnownKey
    {
        qint64 key = 0; // 0: no such account
        QDeadlineTimer fresh;
    };
    const JwtService &m_jwt;
    DbWorker &m_db;
    std::chrono::milliseconds m_keyLifetime;
    mutable QHash<qint64, KnownKey> m_known;
    mutable int m_sinceSweep = 0;
};

} // namespace pitchey::server
