#pragma once

#include "auth/JwtService.h"
#include "http/HttpTypes.h"
#include "rest/OperationsHandlers.h"

#include <QObject>

namespace pitchey::server {

class Authenticator;
class AuthHandlers;
class ConnectionRegistry;
class ConversationHandlers;
class MediaHandlers;
class MediaService;
class MessageHandlers;
class DbWorker;
class MessageService;
class Metrics;
class NotificationHandlers;
class ParticipantCache;
class PasswordHasher;
class RateLimiter;
class Router;
class UserHandlers;

// The HTTP JSON API of the contract (and the user directory extension): a Router in front of
// one handler class per area (operations, auth, conversations, users, notifications). A new
// endpoint is a method and a Route in its area's class.
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
        MediaService &media;
        RateLimiter &apiLimiter;
        RateLimiter &downloadLimiter;
        RateLimiter &authLimiter;
        const QByteArray &secret; // signs unsubscribe links
        Metrics &metrics;
    };
    using MetricsAccess = OperationsHandlers::MetricsAccess;

    explicit RestApi(Dependencies deps, QObject *parent = nullptr);

    void handle(const HttpRequest &request, const HttpReply &reply);
    // The operations listener (--metrics-listen): /health, /ready and /metrics, no checks.
    void handleOperations(const HttpRequest &request, const HttpReply &reply);
    void setMetricsAccess(MetricsAccess access, const QByteArray &token);

Q_SIGNALS:
    void preferencesChanged(qint64 userId);

private:
    OperationsHandlers *m_operations;
    AuthHandlers *m_auth;
    ConversationHandlers *m_conversations;
    MessageHandlers *m_messages;
    MediaHandlers *m_media;
    UserHandlers *m_users;
    NotificationHandlers *m_notifications;
    Router *m_router;
    Router *m_operationsRouter;
};

} // namespace pitchey::server
