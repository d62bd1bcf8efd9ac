#pragma once

#include "protocol/Api.h"
#include "protocol/Result.h"
#include "protocol/Types.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QNetworkReply;

namespace pitchey::client {

struct Session
{
    QString token;
    User user;
};

struct HistoryPage
{
    QList<Message> messages; // oldest first
    bool hasMore = false;
};

// The HTTP half of the wire contract. Every call answers once, on the GUI thread, through
// its callback, unless `context` is destroyed first. Failures carry the server's error
// code and message; a server that cannot be reached is `internal` with a message that
// says so.
//
// Callbacks rather than QFuture: every request starts and ends on the GUI thread, so a
// future would add a hop and nothing else.
class ApiClient : public QObject
{
    Q_OBJECT

public:
    template<typename T> using Callback = std::function<void(Result<T>)>;

    explicit ApiClient(QObject *parent = nullptr);

    void setBaseUrl(const QUrl &url);
    [[nodiscard]] QUrl baseUrl() const { return m_base; }
    void setToken(const QString &token) { m_token = token; }
    // ws(s)://host:port/api/messages/ws?token=...
    [[nodiscard]] QUrl webSocketUrl() const;

    // An empty display name or email is left out.
    void registerUser(const QString &username, const QString &password, const QString &displayName,
                      const QString &email, QObject *context, Callback<Session> done);
    void login(const QString &username, const QString &password, QObject *context,
               Callback<Session> done);
    void conversations(QObject *context, Callback<QList<Conversation>> done);
    void createConversation(const QList<qint64> &participantIds, const QString &title,
                            QObject *context, Callback<Conversation> done);
    // `before` pages back from the newest; `after` pages forward (extension); version 2:
    // one thread's replies, or the conversation without them.
    void history(qint64 conversationId, const api::HistoryQuery &query, QObject *context,
                 Callback<HistoryPage> done);
    // A page of the conversation's main view: without thread replies (`before` 0: the newest).
    static api::HistoryQuery mainPage(qint64 before, int limit);
    // Version 2: every version of a message, oldest first (empty once deleted).
    void versions(qint64 messageId, QObject *context,
                  Callback<QList<api::VersionsAnswer::Version>> done);
    // Version 2: follows the thread of `rootId`, or stops following it; answers whether the
    // caller now follows it.
    void follow(qint64 rootId, bool following, QObject *context, Callback<bool> done);
    // Version 2: the caller's messages changed after `since`, in the feed's order.
    void changes(qint64 since, int limit, QObject *context, Callback<api::ChangesAnswer> done);
    void searchUsers(const QString &prefix, QObject *context, Callback<QList<User>> done);
    // GET, or PUT with the fields of `patch`, /api/notifications/preferences.
    void preferences(const QJsonObject &patch, QObject *context,
                     Callback<NotificationPreferences> done);

    // Version 2: an attachment (`thumbnailSize` 0) or its thumbnail, into the file `target`
    // (written as it arrives, renamed into place once whole); answers `target`.
    void download(qint64 attachmentId, int thumbnailSize, const QString &target, QObject *context,
                  Callback<QString> done);

    // Version 2: what the server takes as uploads (GET /api/media/config).
    void mediaConfig(QObject *context, Callback<api::MediaConfig> done);
    // Version 2: the file at `path` uploaded as `filename`, read from disk as it goes out;
    // answers the server's attachment. `progress` hears of the bytes sent. Destroying
    // `context` stops the upload (unanswered).
    void upload(const QString &path, const QString &filename, QObject *context,
                std::function<void(qint64 sent, qint64 total)> progress, Callback<Attachment> done);

Q_SIGNALS:
    // A request with the stored token was answered 401: the session is over.
    void unauthorized();

private:
    void request(const QByteArray &method, const QString &path, const QUrlQuery &query,
                 const QJsonObject *body, QObject *context,
                 std::function<void(Result<QJsonObject>)> done);
    // Answers `done` with the JSON `reply` brings once finished (a 401 said as unauthorized()
    // when the request carried the token).
    void answerWhenFinished(QNetworkReply *reply, bool withToken, QObject *context,
                            std::function<void(Result<QJsonObject>)> done);
    void authenticate(const QString &path, const QJsonObject &body, QObject *context,
                      Callback<Session> done);

    QNetworkAccessManager m_nam;
    QUrl m_base;
    QString m_token;
};

} // namespace pitchey::client
