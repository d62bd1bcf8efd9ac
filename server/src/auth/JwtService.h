#pragma once

#include "protocol/Result.h"

#include <QByteArray>
#include <QString>

namespace pitchey::server {

struct TokenClaims
{
    qint64 userId = 0;
    QString username;
    qint64 issuedAt = 0;  // seconds since the epoch
    qint64 expiresAt = 0; // seconds since the epoch
};

// HS256 JSON Web Tokens keyed with the UTF-8 bytes of the server's secret.
// Only HS256 is accepted ("alg": "none" and every other algorithm are refused) and
// signatures are compared in constant time.
class JwtService
{
public:
    JwtService(QByteArray secret, qint64 lifetimeSeconds);

    [[nodiscard]] QString issue(qint64 userId, const QString &username) const;
    [[nodiscard]] QString issue(const TokenClaims &claims) const;
    // unauthorized for anything but a well-formed, correctly signed, unexpired token.
    [[nodiscard]] Result<TokenClaims> verify(QStringView token) const;

private:
    [[nodiscard]] QByteArray sign(const QByteArray &signingInput) const;

    QByteArray m_secret;
    qint64 m_lifetimeSeconds;
};

} // namespace pitchey::server
