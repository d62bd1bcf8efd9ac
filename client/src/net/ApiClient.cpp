#include "net/ApiClient.h"

#include "protocol/Api.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
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
    if (auto error = api::errorOf(body))
        return *error;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0)
        return Error::internal(u"Could not reach the server (%1)"_s.arg(reply->errorString()));
    return Error::internal(u"The server answered %1"_s.arg(status));
}

// An answer read by `read`; an unreadable one is reported as what it is.
template<typename T, typename Read> auto reading(std::function<void(Result<T>)> done, Read read)
{
    return [done = std::move(done), read](const Result<QJsonObject> &answer) {
        if (!answer.ok())
            return done(answer.error());
        Result<T> value = read(answer.value());
        if (!value.ok())
            return done(
                Error::internal(u"The server sent an answer this client cannot read (%1)"_s.arg(
                    value.error().message)));
        done(value);
    };
}

// Reads an answer of the type `Answer` and keeps its `member`.
template<typename Answer, typename T> auto member(T Answer::*field)
{
    return [field](const QJsonObject &body) -> Result<T> {
        auto answer = Answer::fromJson(body);
        if (!answer.ok())
            return answer.error();
        return answer.value().*field;
    };
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
    url.setPath(m_base.path() + api::kWebSocketPath);
    url.setQuery(api::webSocketQuery(m_token));
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
    const bool withToken = !m_token.isEmpty() && !path.startsWith(api::kAuthPrefix);
    if (withToken)
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    const QByteArray payload =
        body ? QJsonDocument(*body).toJson(QJsonDocument::Compact) : QByteArray();
    answerWhenFinished(m_nam.sendCustomRequest(request, method, payload), withToken, context,
                       std::move(done));
}

void ApiClient::answerWhenFinished(QNetworkReply *reply, bool withToken, QObject *context,
                                   std::function<void(Result<QJsonObject>)> done)
{
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
    request("POST", path, {}, &body, context,
            reading<Session>(std::move(done), [](const QJsonObject &answer) -> Result<Session> {
                auto auth = api::AuthAnswer::fromJson(answer);
                if (!auth.ok())
                    return auth.error();
                return Session{auth.value().token, auth.value().user};
            }));
}

void ApiClient::registerUser(const QString &username, const QString &password,
                             const QString &displayName, const QString &email, QObject *context,
                             Callback<Session> done)
{
    const auto given = [](const QString &text) {
        const QString trimmed = text.trimmed();
        return trimmed.isEmpty() ? std::nullopt : std::optional(trimmed);
    };
    const api::Credentials credentials{username, password, given(displayName), given(email)};
    authenticate(api::kRegisterPath, credentials.toJson(), context, std::move(done));
}

void ApiClient::login(const QString &username, const QString &password, QObject *context,
                      Callback<Session> done)
{
    authenticate(api::kLoginPath,
                 api::Credentials{username, password, std::nullopt, std::nullopt}.toJson(), context,
                 std::move(done));
}

void ApiClient::conversations(QObject *context, Callback<QList<Conversation>> done)
{
    request("GET", api::kConversationsPath, {}, nullptr, context,
            reading<QList<Conversation>>(std::move(done),
                                         member(&api::ConversationsAnswer::conversations)));
}

void ApiClient::createConversation(const QList<qint64> &participantIds, const QString &title,
                                   QObject *context, Callback<Conversation> done)
{
    const QString trimmed = title.trimmed();
    const QJsonObject body =
        api::NewConversation{participantIds,
                             trimmed.isEmpty() ? std::nullopt : std::optional(trimmed)}
            .toJson();
    request("POST", api::kConversationsPath, {}, &body, context,
            reading<Conversation>(std::move(done), member(&api::ConversationAnswer::conversation)));
}

api::HistoryQuery ApiClient::mainPage(qint64 before, int limit)
{
    api::HistoryQuery query;
    query.before = before > 0 ? std::optional(before) : std::nullopt;
    query.limit = limit;
    query.mainOnly = true;
    return query;
}

void ApiClient::history(qint64 conversationId, const api::HistoryQuery &query, QObject *context,
                        Callback<HistoryPage> done)
{
    request(
        "GET", api::historyPath(conversationId), query.toQuery(), nullptr, context,
        reading<HistoryPage>(std::move(done), [](const QJsonObject &answer) -> Result<HistoryPage> {
            auto page = api::HistoryAnswer::fromJson(answer);
            if (!page.ok())
                return page.error();
            return HistoryPage{page.value().messages, page.value().hasMore};
        }));
}

void ApiClient::versions(qint64 messageId, QObject *context,
                         Callback<QList<api::VersionsAnswer::Version>> done)
{
    QString path = api::kMessageVersionsPattern;
    path.replace("{messageId}"_L1, QString::number(messageId));
    request("GET", path, {}, nullptr, context,
            reading<QList<api::VersionsAnswer::Version>>(std::move(done),
                                                         member(&api::VersionsAnswer::versions)));
}

void ApiClient::follow(qint64 rootId, bool following, QObject *context, Callback<bool> done)
{
    QString path = api::kFollowPattern;
    path.replace("{messageId}"_L1, QString::number(rootId));
    request(following ? "PUT" : "DELETE", path, {}, nullptr, context,
            reading<bool>(std::move(done), member(&api::FollowAnswer::following)));
}

void ApiClient::changes(qint64 since, int limit, QObject *context,
                        Callback<api::ChangesAnswer> done)
{
    request("GET", api::kChangesPath, api::ChangesQuery{since, limit}.toQuery(), nullptr, context,
            reading<api::ChangesAnswer>(std::move(done), [](const QJsonObject &answer) {
                return api::ChangesAnswer::fromJson(answer);
            }));
}

void ApiClient::searchUsers(const QString &prefix, QObject *context, Callback<QList<User>> done)
{
    request("GET", api::kUsersPath, api::UserSearch{prefix}.toQuery(), nullptr, context,
            reading<QList<User>>(std::move(done), member(&api::UsersAnswer::users)));
}

void ApiClient::preferences(const QJsonObject &patch, QObject *context,
                            Callback<NotificationPreferences> done)
{
    auto answer = reading<NotificationPreferences>(std::move(done),
                                                   member(&api::PreferencesAnswer::preferences));
    if (patch.isEmpty())
        request("GET", api::kPreferencesPath, {}, nullptr, context, std::move(answer));
    else
        request("PUT", api::kPreferencesPath, {}, &patch, context, std::move(answer));
}

} // namespace pitchey::client

namespace pitchey::client {

void ApiClient::mediaConfig(QObject *context, Callback<api::MediaConfig> done)
{
    request("GET", api::kMediaConfigPath, {}, nullptr, context,
            reading<api::MediaConfig>(std::move(done), &api::MediaConfig::fromJson));
}

void ApiClient::upload(const QString &path, const QString &filename, QObject *context,
                       std::function<void(qint64, qint64)> progress, Callback<Attachment> done)
{
    auto *file = new QFile(path);
    if (!file->open(QIODevice::ReadOnly)) {
        delete file;
        return done(Error::badRequest(u"Cannot read %1"_s.arg(filename)));
    }
    QUrl url = m_base;
    url.setPath(m_base.path() + api::kMediaPath);
    // Every byte but the unreserved escaped: "+" and "&" are a name's, not the query's.
    url.setQuery(u"filename="_s + QString::fromLatin1(QUrl::toPercentEncoding(filename)),
                 QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/octet-stream"_ba);
    request.setHeader(QNetworkRequest::ContentLengthHeader, file->size());
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    QNetworkReply *reply = m_nam.post(request, file); // read from disk as it goes out
    file->setParent(reply);
    connect(reply, &QNetworkReply::uploadProgress, context, std::move(progress));
    connect(context, &QObject::destroyed, reply, &QNetworkReply::abort);
    answerWhenFinished(
        reply, true, context,
        reading<Attachment>(std::move(done), member(&api::AttachmentAnswer::attachment)));
}

void ApiClient::download(qint64 attachmentId, int thumbnailSize, const QString &target,
                         QObject *context, Callback<QString> done)
{
    QString path =
        thumbnailSize > 0 ? QString(api::kThumbnailPattern) : QString(api::kMediaPattern);
    path.replace("{attachmentId}"_L1, QString::number(attachmentId));
    QUrl url = m_base;
    url.setPath(m_base.path() + path);
    if (thumbnailSize > 0)
        url.setQuery(u"size=%1"_s.arg(thumbnailSize));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    QDir().mkpath(QFileInfo(target).absolutePath());
    auto file = std::make_shared<QFile>(target + u".part"_s);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate))
        return done(Error::internal(u"cannot write %1"_s.arg(file->fileName())));
    QNetworkReply *reply = m_nam.get(request);
    connect(reply, &QNetworkReply::readyRead, this, [reply, file] {
        if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
            file->write(reply->readAll());
    });
    connect(
        reply, &QNetworkReply::finished, this,
        [this, reply, file, target, guard = QPointer<QObject>(context), done = std::move(done)] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 200)
                file->write(reply->readAll());
            file->close();
            if (status == 401)
                Q_EMIT unauthorized();
            const bool whole = status == 200 && reply->error() == QNetworkReply::NoError;
            if (whole) {
                QFile::remove(target);
                file->rename(target);
            } else {
                file->remove();
            }
            if (!guard)
                return;
            if (!whole)
                return done(errorFrom(reply, QJsonDocument::fromJson(reply->readAll()).object()));
            done(target);
        });
}

} // namespace pitchey::client
