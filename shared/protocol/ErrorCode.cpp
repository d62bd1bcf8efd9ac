#include "protocol/ErrorCode.h"

using namespace Qt::StringLiterals;

namespace pitchey {

QString errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest:
        return u"bad_request"_s;
    case ErrorCode::Unauthorized:
        return u"unauthorized"_s;
    case ErrorCode::Forbidden:
        return u"forbidden"_s;
    case ErrorCode::NotFound:
        return u"not_found"_s;
    case ErrorCode::Conflict:
        return u"conflict"_s;
    case ErrorCode::RateLimited:
        return u"rate_limited"_s;
    case ErrorCode::TooLarge:
        return u"too_large"_s;
    case ErrorCode::Internal:
        return u"internal"_s;
    }
    return u"internal"_s;
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (ErrorCode code :
         {ErrorCode::BadRequest, ErrorCode::Unauthorized, ErrorCode::Forbidden, ErrorCode::NotFound,
          ErrorCode::Conflict, ErrorCode::RateLimited, ErrorCode::TooLarge, ErrorCode::Internal}) {
        if (name == errorCodeName(code))
            return code;
    }
    return std::nullopt;
}

int httpStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadRequest:
        return 400;
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::RateLimited:
        return 429;
    case ErrorCode::TooLarge:
        return 413;
    case ErrorCode::Internal:
        return 500;
    }
    return 500;
}

QJsonObject Error::toJson() const
{
    QJsonObject object = details;
    object.insert("code"_L1, errorCodeName(code));
    object.insert("message"_L1, message);
    return object;
}

} // namespace pitchey
