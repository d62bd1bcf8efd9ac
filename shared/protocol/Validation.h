#pragma once

#include "protocol/Result.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace pitchey {

inline constexpr qsizetype kMaxContentCodePoints = 10000;
inline constexpr qsizetype kMaxClientMessageIdLength = 128;
inline constexpr qsizetype kMinPasswordLength = 8;

// Each returns the contract's bad_request error, or nothing when the value is fine.
// Content: at most kMaxContentCodePoints, never whitespace only; empty only where
// `mayBeEmpty` (a message with attachments).
[[nodiscard]] std::optional<Error> validateContent(const QString &content, bool mayBeEmpty = false);
[[nodiscard]] std::optional<Error> validateUsername(const QString &username);
[[nodiscard]] std::optional<Error> validatePassword(const QString &password);
// 1 to 64 characters, not only spaces.
[[nodiscard]] std::optional<Error> validateDisplayName(const QString &name);
// Has an '@' and at most 254 characters (the rest is the mail server's business).
[[nodiscard]] std::optional<Error> validateEmail(const QString &email);

// A reaction's emoji: one extended grapheme cluster (UAX #29) with at least one character
// of the Emoji property, no letters, no whitespace or control characters, at most 32 bytes
// of UTF-8. The Unicode data is ICU's.
inline constexpr qsizetype kMaxEmojiBytes = 32;
[[nodiscard]] std::optional<Error> validateEmoji(const QString &emoji);

[[nodiscard]] qsizetype codePointCount(const QString &text);
// True when a JSON text (that QJsonDocument parsed) has a control character (below U+0020)
// unescaped inside a string: RFC 8259 section 7 forbids it, QJsonDocument lets it through.
[[nodiscard]] bool hasRawControlInString(QByteArrayView json);

// Typed access to a JSON object's fields. A field that is absent or null reads as nullopt;
// a field of the wrong type is bad_request naming the field.
[[nodiscard]] Result<std::optional<qint64>> readId(const QJsonObject &object,
                                                   QLatin1StringView key);
[[nodiscard]] Result<qint64> readRequiredId(const QJsonObject &object, QLatin1StringView key);
[[nodiscard]] Result<std::optional<QString>> readString(const QJsonObject &object,
                                                        QLatin1StringView key);
[[nodiscard]] Result<QString> readRequiredString(const QJsonObject &object, QLatin1StringView key);

// A positive 64-bit id from a query-string or path segment.
[[nodiscard]] std::optional<qint64> parseId(QStringView text);

} // namespace pitchey
