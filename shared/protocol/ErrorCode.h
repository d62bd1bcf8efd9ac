#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace pitchey {

// The machine-readable error codes of the wire contract.
enum class ErrorCode
{
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    TooLarge,
    Internal,
};

[[nodiscard]] QString errorCodeName(ErrorCode code);
// The code a name on the wire stands for; nullopt for a name this side does not know.
[[nodiscard]] std::optional<ErrorCode> errorCodeFromName(QStringView name);
[[nodiscard]] int httpStatusFor(ErrorCode code);

// An error as the contract describes it: a code and a human-readable message.
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;
    // More fields beside code and message (a conflict's `current` message, contract v2).
    QJsonObject details;

    Error() = default;
    Error(ErrorCode c, QString text, QJsonObject more = {})
        : code(c)
        , message(std::move(text))
        , details(std::move(more))
    {}

    [[nodiscard]] QJsonObject toJson() const; // {code, message, ...details}
    friend bool operator==(const Error &, const Error &) = default;

    static Error badRequest(const QString &message) { return {ErrorCode::BadRequest, message}; }
    static Error unauthorized(const QString &message) { return {ErrorCode::Unauthorized, message}; }
    static Error forbidden(const QString &message) { return {ErrorCode::Forbidden, message}; }
    static Error notFound(const QString &message) { return {ErrorCode::NotFound, message}; }
    static Error conflict(const QString &message, QJsonObject details = {})
    {
        return {ErrorCode::Conflict, message, std::move(details)};
    }
    static Error internal(const QString &message) { return {ErrorCode::Internal, message}; }
};

} // namespace pitchey
