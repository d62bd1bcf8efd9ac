#pragma once

#include "auth/JwtService.h"
#include "http/HttpTypes.h"
#include "protocol/Types.h"

#include <QObject>
#include <QRegularExpression>

namespace pitchey::server {

class Authenticator;
class ConnectionRegistry;
struct Credentials;
class DbWorker;
class MessageService;
class Metrics;
class ParticipantCache;
class PasswordHasher;
class RateLimiter;

// The HTTP JSON API of the contract (and the user directory extension): routing, bearer
// authentication, rate limits and the endpoints themselves.
class RestApi : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        const JwtService &jwt;
        const Authenticator &auth;
        PasswordHasher &hasher;
        DbWorker &db;
        ConnectionRegistry &registry;
        ParticipantCache &participants;
        MessageService &messages;
        RateLimiter &apiLimiter;
        RateLimiter &authLimiter;
        const QByteArray &secret; // signs unsubscribe links
        Metrics &metrics;
    };

    // Who may read /metrics on the API port.
    enum class MetricsAccess
    {
        LoopbackOrToken, // from 127.0.0.1/::1, or anywhere with the bearer token if one is set
        Elsewhere,       // served on a listener of its own (--metrics-listen): 404 here
    };

    explicit RestApi(Dependencies deps, QObject *parent = nullptr);

    void handle(const HttpRequest &request, const HttpReply &reply);
    // The operations listener (--metrics-listen): /health, /ready and /metrics, no checks.
    void handleOperations(const HttpRequest &request, const HttpReply &reply);
    void setMetricsAccess(MetricsAccess access, const QByteArray &token);

Q_SIGNALS:
    void preferencesChanged(qint64 userId);

private:
    struct Call
    {
        HttpRequest request;
        HttpReply reply;
        TokenClaims caller;
        QStringList captures;
        QJsonObject body;
    };
    using Handler = void (RestApi::*)(const Call &);
    struct Route
    {
        QByteArray method;
        QByteArray pattern; // "/api/messages/{id}/messages": the label in /metrics
        QRegularExpression path;
        bool authenticated;
        bool needsBody;
        Handler handler;
    };

    static Route route(const char *method, const char *pattern, bool authenticated, bool needsBody,
                       Handler handler);
    void dispatch(const QList<Route> &routes, const HttpRequest &request, const HttpReply &reply);
    void run(const Route &route, Call call); // the body parsed, the handler called

    void health(const Call &call);
    void ready(const Call &call);
    void metrics(const Call &call);
    void protectedMetrics(const Call &call);
    void registerUser(const Call &call);
    void login(const Call &call);
    void listConversations(const Call &call);
    void createConversation(const Call &call);
    void history(const Call &call);
    void sendMessage(const Call &call);
    void getPreferences(const Call &call);
    void putPreferences(const Call &call);
    void searchUsers(const Call &call);
    void listNotifications(const Call &call);
    void readNotifications(const Call &call);
    void unsubscribe(const Call &call);

    [[nodiscard]] QJsonObject withPresence(const User &user) const;
    [[nodiscard]] QJsonObject tokenResponse(const Credentials &credentials) const;

    Dependencies m_deps;
    QList<Route> m_routes;
    QList<Route> m_operationRoutes;
    MetricsAccess m_metricsAccess = MetricsAccess::LoopbackOrToken;
    QByteArray m_metricsTokenHash; // BLAKE2b of the token; empty: no token
};

} // namespace pitchey::server
