#include "rest/Router.h"

#include "auth/Authenticator.h"
#include "base/Metrics.h"
#include "messaging/RateLimiter.h"
#include "protocol/Api.h"
#include "protocol/Validation.h"

#include <QJsonDocument>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::server {

Route Route::make(const char *method, QLatin1StringView pattern, Access access, bool needsBody,
                  std::function<void(const Call &)> handler)
{
    QString regex = QRegularExpression::escape(pattern);
    regex.replace(QRegularExpression(uR"(\\\{\w+\\\})"_s), u"([^/]+)"_s);
    return {method,
            QByteArray(pattern.data(), pattern.size()),
            QRegularExpression(u"^%1$"_s.arg(regex)),
            access,
            needsBody,
            std::move(handler)};
}

Router::Router(Dependencies deps, QList<Route> routes, QObject *parent)
    : QObject(parent)
    , m_deps(deps)
    , m_routes(std::move(routes))
{}

void Router::dispatch(const HttpRequest &request, const HttpReply &answer)
{
    const Route *match = nullptr;
    QByteArrayList allowed;
    QStringList captures;
    // A path spelled out by some route (/api/messages/changes) is that route's, whatever
    // the method: a pattern (/api/messages/{messageId}) takes only the paths none spells.
    const auto literal = [](const Route &route) { return !route.pattern.contains('{'); };
    const bool spelledOut = std::any_of(m_routes.cbegin(), m_routes.cend(), [&](const Route &r) {
        return literal(r) && r.path.match(request.path).hasMatch();
    });
    for (const Route &route : std::as_const(m_routes)) {
        if (spelledOut && !literal(route))
            continue;
        const QRegularExpressionMatch found = route.path.match(request.path);
        if (!found.hasMatch())
            continue;
        allowed.append(route.method);
        if (route.method == request.method) {
            match = &route;
            captures = found.capturedTexts().mid(1);
        }
    }
    HttpReply reply = answer;
    reply.setObserver([metrics = &m_deps.metrics, method = request.method,
                       route = match ? match->pattern : QByteArray("unmatched")](int status) {
        metrics->countHttpRequest(route, method, status);
    });
    if (!match && request.method == "OPTIONS" && !allowed.isEmpty()) {
        return reply.empty(204, {{"Access-Control-Allow-Methods", allowed.join(", ") + ", OPTIONS"},
                                 {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                                 {"Access-Control-Max-Age", "86400"}});
    }
    if (!match && allowed.isEmpty())
        return reply.error(Error::notFound(u"no such endpoint: %1"_s.arg(request.path.left(200))));
    if (!match) {
        // The contract: status 405, with the code bad_request.
        const Error wrongMethod = Error::badRequest(
            u"method %1 is not allowed here"_s.arg(QString::fromLatin1(request.method)));
        return reply.json(405, api::errorBody(wrongMethod), {{"Allow", allowed.join(", ")}});
    }

    Call call{request, reply, {}, captures, {}};
    switch (match->access) {
    case Route::Access::Open:
        return run(*match, std::move(call));
    case Route::Access::ByAddress:
        if (!m_deps.authLimiter.tryAcquire(request.remoteAddress.toString().toLatin1()))
            return reply.error({ErrorCode::RateLimited, u"too many attempts; try again shortly"_s});
        return run(*match, std::move(call));
    case Route::Access::ByToken:
    case Route::Access::ByTokenDownload:
        break;
    }
    const auto token = bearerToken(request.authorization);
    if (!token)
        return reply.error(Error::unauthorized(u"missing bearer token"_s),
                           {{"WWW-Authenticate", "Bearer"}});
    m_deps.auth.check(
        QString::fromLatin1(*token), this,
        [this, match, call = std::move(call)](Result<TokenClaims> claims) mutable {
            if (!claims.ok())
                return call.reply.error(claims.error(), {{"WWW-Authenticate", "Bearer"}});
            call.caller = claims.value();
            RateLimiter &limiter = match->access == Route::Access::ByTokenDownload
                                       ? m_deps.downloadLimiter
                                       : m_deps.apiLimiter;
            if (!limiter.tryAcquire(call.caller.userId))
                return call.reply.error(
                    {ErrorCode::RateLimited, u"too many requests; slow down"_s});
            run(*match, std::move(call));
        });
}

void Router::run(const Route &route, Call call)
{
    if (route.needsBody) {
        QJsonParseError parseError{};
        const QJsonDocument document = QJsonDocument::fromJson(call.request.body, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject() ||
            hasRawControlInString(call.request.body))
            return call.reply.error(Error::badRequest(u"the body must be a JSON object"_s));
        call.body = document.object();
    }
    route.handler(call);
}

} // namespace pitchey::server
