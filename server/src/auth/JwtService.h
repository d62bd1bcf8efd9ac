#pragma once

#include "protocol/Api.h"
#include "protocol/Result.h"

#include <QByteArray>
#include <QString>

namespace pitchey::server {

// What a token says: its payload, written and read by the protocol library.
using TokenClaims = api::TokenClaims;

// HS256 JSON Web Tokens keyed with the UTF-8 bytes of the server's secret.
// Only HS256 is accepted ("alg": "none" and every other algorithm are refused) and
// signatures are compared in constant time.
class JwtService
{
public:
    JwtService(QByteArray secret, qint64 lifetimeSeconds);

    [[nodiscard]] QString issue(qint64 userId, const QString &username, qint64 key) const;
    [[nodiscard]] QString issue(const TokenClaims &claims) const;
    // unauthorized for anything but a well-formed, correctly signed, unexpired token with a
    // key, issued no later than a minute from now (clock skew). Whether its account still
    // exists and has that key is the Authenticator's question.
    [[nodiscard]] Result<TokenClaims> verify(QStringView token) const;

private:
    [[nodiscard]] QByteArray sign(const QByteArray &signingInput) const;

    QByteArray m_secret;
    qint64 m_lifetimeSeconds;
};

} // namespace pitchey::server
