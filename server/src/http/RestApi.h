#pragma once

#include "auth/JwtService.h"
#include "http/HttpTypes.h"
#include "protocol/Types.h"

#include <QObject>
#include <QRegularExpression>

namespace pitchey::server {

class ConnectionRegistry;
class DbWorker;
class MessageService;
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
        PasswordHasher &hasher;
        DbWorker &db;
        ConnectionRegistry &registry;
        ParticipantCache &participants;
        MessageService &messages;
        RateLimiter &apiLimiter;
        RateLimiter &authLimiter;
        const QByteArray &secret; // signs unsubscribe links
    };

    explicit RestApi(Dependencies deps, QObject *parent = nullptr);

    void handle(const HttpRequest &request, const HttpReply &reply);

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
        QRegularExpression path;
        bool authenticated;
        bool needsBody;
        Handler handler;
    };

    void health(const Call &call);
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
    [[nodiscard]] QJsonObject tokenResponse(const User &user) const;

    Dependencies m_deps;
    QList<Route> m_routes;
};

} // namespace pitchey::server
