#include "net/ApiClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace pitchey::client {

namespace {

constexpr int kTimeoutMs = 30'000;

Error errorFrom(QNetworkReply *reply, const QJsonObject &body)
{
    const QJsonObject error = body.value("error"_L1).toObject();
    const QString code = error.value("code"_L1).toString();
    const QString message = error.value("message"_L1).toString();
    static const QHash<QString, ErrorCode> codes{
        {u"bad_request"_s, ErrorCode::BadRequest}, {u"unauthorized"_s, ErrorCode::Unauthorized},
        {u"forbidden"_s, ErrorCode::Forbidden},    {u"not_found"_s, ErrorCode::NotFound},
        {u"conflict"_s, ErrorCode::Conflict},      {u"rate_limited"_s, ErrorCode::RateLimited},
        {u"too_large"_s, ErrorCode::TooLarge},     {u"internal"_s, ErrorCode::Internal},
    };
    if (codes.contains(code))
        return {codes.value(code), message.isEmpty() ? code : message};
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0)
        return Error::internal(u"Could not reach the server (%1)"_s.arg(reply->errorString()));
    return Error::internal(u"The server answered %1"_s.arg(status));
}

template<typename T, typename F>
Result<QList<T>> listOf(const QJsonObject &body, const char *key, F parse)
{
    QList<T> items;
    for (const auto &value : body.value(QLatin1StringView(key)).toArray()) {
        auto item = parse(value.toObject());
        if (!item.ok())
            return item.error();
        items.append(item.value());
    }
    return items;
}

} // namespace

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
{
    m_nam.setTransferTimeout(kTimeoutMs);
}

void ApiClient::setBaseUrl(const QUrl &url)
{
    m_base = url.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

QUrl ApiClient::webSocketUrl() const
{
    QUrl url = m_base;
    url.setScheme(m_base.scheme() == "https"_L1 ? u"wss"_s : u"ws"_s);
    url.setPath(m_base.path() + "/api/messages/ws"_L1);
    url.setQuery(QUrlQuery{{u"token"_s, m_token}});
    return url;
}

void ApiClient::request(const QByteArray &method, const QString &path, const QUrlQuery &query,
                        const QJsonObject *body, QObject *context,
                        std::function<void(Result<QJsonObject>)> done)
{
    QUrl url = m_base;
    url.setPath(m_base.path() + path);
    if (!query.isEmpty())
        url.setQuery(query);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    const bool withToken = !m_token.isEmpty() && !path.startsWith("/api/auth/"_L1);
    if (withToken)
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    const QByteArray payload =
        body ? QJsonDocument(*body).toJson(QJsonDocument::Compact) : QByteArray();
    QNetworkReply *reply = m_nam.sendCustomRequest(request, method, payload);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, withToken, guard = QPointer<QObject>(context), done = std::move(done)] {
                reply->deleteLater();
                const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
                const int status =
                    reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (status == 401 && withToken)
                    Q_EMIT unauthorized();
                if (!guard)
                    return;
                if (status >= 200 && status < 300)
                    done(answer);
                else
                    done(errorFrom(reply, answer));
            });
}

void ApiClient::authenticate(const QString &path, const QJsonObject &body, QObject *context,
                             Callback<Session> done)
{
    request("POST", path, {}, &body, context, [done = std::move(done)](Result<QJsonObject> answer) {
        if (!answer.ok())
            return done(answer.error());
        auto user = User::fromJson(answer.value().value("user"_L1).toObject());
        const QString token = answer.value().value("token"_L1).toString();
        if (!user.ok() || token.isEmpty())
            return done(Error::internal(u"The server sent an answer this client cannot read"_s));
        done(Session{token, user.value()});
    });
}

void ApiClient::registerUser(const QString &username, const QString &password,
                             const QString &displayName, QObject *context, Callback<Session> done)
{
    QJsonObject body{{"username"_L1, username}, {"password"_L1, password}};
    if (!displayName.trimmed().isEmpty())
        body.insert("displayName"_L1, displayName.trimmed());
    authenticate(u"/api/auth/register"_s, body, context, std::move(done));
}

void ApiClient::login(const QString &username, const QString &password, QObject *context,
                      Callback<Session> done)
{
    authenticate(u"/api/auth/login"_s, {{"username"_L1, username}, {"password"_L1, password}},
                 context, std::move(done));
}

void ApiClient::conversations(QObject *context, Callback<QList<Conversation>> done)
{
    request("GET", u"/api/messages/conversations"_s, {}, nullptr, context,
            [done = std::move(done)](Result<QJsonObject> answer) {
                if (!answer.ok())
                    return done(answer.error());
                done(listOf<Conversation>(answer.value(), "conversations", Conversation::fromJson));
            });
}

void ApiClient::createConversation(const QList<qint64> &participantIds, const QString &title,
                                   QObject *context, Callback<Conversation> done)
{
    QJsonArray ids;
    for (qint64 id : participantIds)
        ids.append(id);
    QJsonObject body{{"participantIds"_L1, ids}};
    if (!title.trimmed().isEmpty())
        body.insert("title"_L1, title.trimmed());
    request("POST", u"/api/messages/conversations"_s, {}, &body, context,
            [done = std::move(done)](Result<QJsonObject> answer) {
                if (!answer.ok())
                    return done(answer.error());
                done(Conversation::fromJson(answer.value().value("conversation"_L1).toObject()));
            });
}

void ApiClient::history(qint64 conversationId, qint64 before, qint64 after, int limit,
                        QObject *context, Callback<HistoryPage> done)
{
    QUrlQuery query;
    if (before > 0)
        query.addQueryItem(u"before"_s, QString::number(before));
    if (after > 0)
        query.addQueryItem(u"after"_s, QString::number(after));
    query.addQueryItem(u"limit"_s, QString::number(limit));
    request("GET", u"/api/messages/%1/messages"_s.arg(conversationId), query, nullptr, context,
            [done = std::move(done)](Result<QJsonObject> answer) {
                if (!answer.ok())
                    return done(answer.error());
                auto messages = listOf<Message>(answer.value(), "messages", Message::fromJson);
                if (!messages.ok())
                    return done(messages.error());
                done(HistoryPage{messages.value(), answer.value().value("hasMore"_L1).toBool()});
            });
}

void ApiClient::searchUsers(const QString &prefix, QObject *context, Callback<QList<User>> done)
{
    request("GET", u"/api/users"_s, QUrlQuery{{u"search"_s, prefix}}, nullptr, context,
            [done = std::move(done)](Result<QJsonObject> answer) {
                if (!answer.ok())
                    return done(answer.error());
                done(listOf<User>(answer.value(), "users", User::fromJson));
            });
}

void ApiClient::preferences(const QJsonObject &patch, QObject *context,
                            Callback<NotificationPreferences> done)
{
    const auto answer = [done = std::move(done)](Result<QJsonObject> reply) {
        if (!reply.ok())
            return done(reply.error());
        // The server's answer is complete: merge it into the defaults to read it, leaving
        // out fields a newer server may add.
        const QJsonObject all = reply.value().value("preferences"_L1).toObject();
        QJsonObject known;
        for (const char *key :
             {"emailEnabled", "realtimeEnabled", "emailDelayMinutes", "mutedConversationIds",
              "sendReadReceipts", "sendTypingIndicators"}) {
            if (all.contains(QLatin1StringView(key)))
                known.insert(QLatin1StringView(key), all.value(QLatin1StringView(key)));
        }
        done(NotificationPreferences().merged(known));
    };
    if (patch.isEmpty())
        request("GET", u"/api/notifications/preferences"_s, {}, nullptr, context, answer);
    else
        request("PUT", u"/api/notifications/preferences"_s, {}, &patch, context, answer);
}

} // namespace pitchey::client
