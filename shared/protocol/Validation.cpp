#include "protocol/Validation.h"

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace pitchey {

bool hasRawControlInString(QByteArrayView json)
{
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const auto c = quint8(json.at(i));
        if (!inString) {
            inString = c == '"';
        } else if (c == '\\') {
            ++i; // the escaped character, whatever it is
        } else if (c == '"') {
            inString = false;
        } else if (c < 0x20) {
            return true;
        }
    }
    return false;
}

qsizetype codePointCount(const QString &text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!(text.at(i).isLowSurrogate() && i > 0 && text.at(i - 1).isHighSurrogate()))
            ++count;
    }
    return count;
}

std::optional<Error> validateContent(const QString &content, bool mayBeEmpty)
{
    if (content.trimmed().isEmpty() && !(mayBeEmpty && content.isEmpty()))
        return Error::badRequest(u"content must not be empty"_s);
    if (codePointCount(content) > kMaxContentCodePoints)
        return Error::badRequest(
            u"content is longer than %1 characters"_s.arg(kMaxContentCodePoints));
    return std::nullopt;
}

namespace {

// Where the first extended grapheme cluster of `text` ends (UTF-16 units), by ICU's
// character break iterator; -1 when ICU cannot tell.
qsizetype firstGraphemeEnd(const QString &text)
{
    UErrorCode status = U_ZERO_ERROR;
    const std::unique_ptr<UBreakIterator, decltype(&ubrk_close)> breaks(
        ubrk_open(UBRK_CHARACTER, "", reinterpret_cast<const UChar *>(text.utf16()),
                  int32_t(text.size()), &status),
        &ubrk_close);
    if (U_FAILURE(status))
        return -1;
    ubrk_first(breaks.get());
    return ubrk_next(breaks.get());
}

} // namespace

std::optional<Error> validateEmoji(const QString &emoji)
{
    const Error refused = Error::badRequest(
        u"emoji must be one emoji (a single grapheme, at most %1 bytes)"_s.arg(kMaxEmojiBytes));
    if (emoji.isEmpty() || emoji.toUtf8().size() > kMaxEmojiBytes ||
        firstGraphemeEnd(emoji) != emoji.size())
        return refused;
    bool hasEmoji = false;
    const auto *units = reinterpret_cast<const UChar *>(emoji.utf16());
    for (int32_t i = 0; i < int32_t(emoji.size());) {
        UChar32 c = 0;
        U16_NEXT(units, i, int32_t(emoji.size()), c);
        if (u_isalpha(c) || u_isUWhiteSpace(c) || u_charType(c) == U_CONTROL_CHAR ||
            u_charType(c) == U_SURROGATE)
            return refused;
        hasEmoji = hasEmoji || u_hasBinaryProperty(c, UCHAR_EMOJI);
    }
    if (!hasEmoji)
        return refused;
    return std::nullopt;
}

std::optional<Error> validateDisplayName(const QString &name)
{
    constexpr qsizetype kMaxDisplayName = 64;
    if (name.trimmed().isEmpty() || codePointCount(name) > kMaxDisplayName)
        return Error::badRequest(u"displayName must be 1 to %1 characters"_s.arg(kMaxDisplayName));
    return std::nullopt;
}

std::optional<Error> validateEmail(const QString &email)
{
    constexpr qsizetype kMaxEmail = 254;
    if (!email.contains(u'@') || email.size() > kMaxEmail)
        return Error::badRequest(u"email is not an email address"_s);
    return std::nullopt;
}

std::optional<Error> validateUsername(const QString &username)
{
    if (username.size() < 3 || username.size() > 32)
        return Error::badRequest(u"username must be 3 to 32 characters long"_s);
    for (const QChar c : username) {
        const bool allowed = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                             (c >= u'0' && c <= u'9') || c == u'_' || c == u'.' || c == u'-';
        if (!allowed)
            return Error::badRequest(
                u"username may contain only letters, digits, '_', '.' and '-'"_s);
    }
    return std::nullopt;
}

std::optional<Error> validatePassword(const QString &password)
{
    if (codePointCount(password) < kMinPasswordLength)
        return Error::badRequest(
            u"password must be at least %1 characters long"_s.arg(kMinPasswordLength));
    return std::nullopt;
}

Result<std::optional<qint64>> readId(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::optional<qint64>{};
    const qint64 id = value.isDouble() ? value.toInteger(0) : 0;
    if (id <= 0)
        return Error::badRequest(u"%1 must be a positive integer id"_s.arg(key));
    return std::optional<qint64>{id};
}

Result<qint64> readRequiredId(const QJsonObject &object, QLatin1StringView key)
{
    auto id = readId(object, key);
    if (!id.ok())
        return id.error();
    if (!id.value())
        return Error::badRequest(u"%1 is required"_s.arg(key));
    return *id.value();
}

Result<std::optional<QString>> readString(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return std::optional<QString>{};
    if (!value.isString())
        return Error::badRequest(u"%1 must be a string"_s.arg(key));
    QString text = value.toString();
    // QJsonDocument turns an escaped lone surrogate ("\ud800") into a QChar that no
    // encoding can store: refused here, so that what is stored is what was answered.
    if (!text.isValidUtf16())
        return Error::badRequest(u"%1 is not valid Unicode (a lone surrogate)"_s.arg(key));
    return std::optional<QString>{std::move(text)};
}

Result<QString> readRequiredString(const QJsonObject &object, QLatin1StringView key)
{
    auto text = readString(object, key);
    if (!text.ok())
        return text.error();
    if (!text.value())
        return Error::badRequest(u"%1 is required"_s.arg(key));
    return *text.value();
}

std::optional<qint64> parseId(QStringView text)
{
    if (text.isEmpty() || text.size() > 19)
        return std::nullopt;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
    }
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0)
        return std::nullopt;
    return id;
}

} // namespace pitchey
