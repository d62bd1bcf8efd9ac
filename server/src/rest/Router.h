#pragma once

#include "auth/JwtService.h"
#include "http/HttpTypes.h"

#include <QJsonObject>
#include <QObject>
#include <QRegularExpression>

#include <functional>

namespace pitchey::server {

class Authenticator;
class Metrics;
class RateLimiter;

// One request on its way to its handler: who asks (for a route that needs a token), the
// path's {placeholders} in order, and the JSON body (for a route that takes one).
struct Call
{
    HttpRequest request;
    HttpReply reply;
    TokenClaims caller;
    QStringList captures;
    QJsonObject body;
};

struct Route
{
    enum class Access
    {
        Open,      // anyone, no limit (health, signed links)
        ByAddress, // anyone, rate-limited per remote address (register, login)
        ByToken,   // a valid bearer token, rate-limited per user
        // A valid bearer token, rate-limited per user in a bucket of its own: attachment
        // downloads (a conversation full of pictures asks for many at once).
        ByTokenDownload,
    };
    QByteArray method;
    QByteArray pattern; // "/api/messages/{conversationId}/messages": the label in /metrics
    QRegularExpression path;
    Access access = Access::ByToken;
    bool needsBody = false; // a JSON object, else bad_request before the handler runs
    std::function<void(const Call &)> handler;

    // "{name}" in the pattern is one path segment; everything else is literal.
    [[nodiscard]] static Route make(const char *method, QLatin1StringView pattern, Access access,
                                    bool needsBody, std::function<void(const Call &)> handler);
};

// Finds a request's route, answers what no handler should see (404, 405 with Allow, CORS
// preflight, a missing or rejected token, a rate limit, a body that is not a JSON object)
// and counts every answer in /metrics by route, method and status.
class Router : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        const Authenticator &auth;
        RateLimiter &apiLimiter;      // per user, for ByToken routes
        RateLimiter &downloadLimiter; // per user, for ByTokenDownload routes
        RateLimiter &authLimiter;     // per remote address, for ByAddress routes
        Metrics &metrics;
    };

    Router(Dependencies deps, QList<Route> routes, QObject *parent = nullptr);

    void dispatch(const HttpRequest &request, const HttpReply &reply);

private:
    void run(const Route &route, Call call);

    Dependencies m_deps;
    QList<Route> m_routes;
};

} // namespace pitchey::server
