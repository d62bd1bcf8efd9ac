#include "auth/JwtService.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

// How far ahead of ours a token's issuer's clock may be.
constexpr qint64 kClockSkewSeconds = 60;

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

std::optional<QJsonObject> decodeSegment(QByteArrayView segment)
{
    auto decoded = QByteArray::fromBase64Encoding(
        segment.toByteArray(), kBase64Url | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(*decoded, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

Error invalid()
{
    return Error::unauthorized(u"invalid or expired token"_s);
}

} // namespace

JwtService::JwtService(QByteArray secret, qint64 lifetimeSeconds)
    : m_secret(std::move(secret))
    , m_lifetimeSeconds(lifetimeSeconds)
{}

QString JwtService::issue(qint64 userId, const QString &username, qint64 key) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return issue(TokenClaims{userId, username, now, now + m_lifetimeSeconds, key});
}

QString JwtService::issue(const TokenClaims &claims) const
{
    const QJsonObject header{{"alg"_L1, "HS256"_L1}, {"typ"_L1, "JWT"_L1}};
    const QJsonObject payload = claims.toJson();
    const QByteArray signingInput =
        QJsonDocument(header).toJson(QJsonDocument::Compact).toBase64(kBase64Url) + '.' +
        QJsonDocument(payload).toJson(QJsonDocument::Compact).toBase64(kBase64Url);
    return QString::fromLatin1(signingInput + '.' + sign(signingInput).toBase64(kBase64Url));
}

Result<TokenClaims> JwtService::verify(QStringView token) const
{
    if (token.isEmpty() || token.size() > 4096)
        return invalid();
    const QByteArray bytes = token.toLatin1();
    const QList<QByteArray> parts = bytes.split('.');
    if (parts.size() != 3)
        return invalid();

    const auto header = decodeSegment(parts.at(0));
    if (!header || header->value("alg"_L1).toString() != "HS256"_L1)
        return invalid();

    auto signature = QByteArray::fromBase64Encoding(
        parts.at(2), kBase64Url | QByteArray::AbortOnBase64DecodingErrors);
    const QByteArray expected = sign(parts.at(0) + '.' + parts.at(1));
    if (!signature || signature.decoded.size() != expected.size() ||
        sodium_memcmp(signature.decoded.constData(), expected.constData(),
                      size_t(expected.size())) != 0)
        return invalid();

    const auto payload = decodeSegment(parts.at(1));
    if (!payload)
        return invalid();
    const auto claims = TokenClaims::fromJson(*payload);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    if (!claims || claims->key <= 0 || claims->expiresAt <= now ||
        claims->issuedAt > now + kClockSkewSeconds)
        return invalid();
    return *claims;
}

QByteArray JwtService::sign(const QByteArray &signingInput) const
{
    return QMessageAuthenticationCode::hash(signingInput, m_secret, QCryptographicHash::Sha256);
}

} // namespace pitchey::server
