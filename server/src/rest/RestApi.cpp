#include "rest/RestApi.h"

#include "notify/EmailService.h"
#include "storage/NotificationRepository.h"

#include "auth/Authenticator.h"
#include "auth/PasswordHasher.h"
#include "base/Async.h"
#include "base/Metrics.h"
#include "messaging/MessageService.h"
#include "messaging/ParticipantCache.h"
#include "messaging/RateLimiter.h"
#include "presence/ConnectionRegistry.h"
#include "protocol/Frames.h"
#include "protocol/Time.h"
#include "protocol/Validation.h"
#include "storage/ConversationRepository.h"
#include "storage/DbWorker.h"
#include "storage/EmailRepository.h"
#include "storage/MessageRepository.h"
#include "storage/Migrations.h"
#include "storage/PreferencesRepository.h"
#include "storage/Sql.h"
#include "storage/UserRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <sodium.h>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcHttp) // http/HttpServer.cpp

namespace pitchey::server {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 100;
constexpr int kMaxUserResults = 20;
constexpr qsizetype kMaxTitle = 128;

} // namespace

RestApi::RestApi(Dependencies deps, QObject *parent)
    : QObject(parent)
    , m_deps(deps)
{
    m_routes = {
        route("GET", "/health", false, false, &RestApi::health),
        route("GET", "/ready", false, false, &RestApi::ready),
        route("GET", "/metrics", false, false, &RestApi::protectedMetrics),
        route("POST", "/api/auth/register", false, true, &RestApi::registerUser),
        route("POST", "/api/auth/login", false, true, &RestApi::login),
        route("GET", "/api/messages/conversations", true, false, &RestApi::listConversations),
        route("POST", "/api/messages/conversations", true, true, &RestApi::createConversation),
        route("POST", "/api/messages/send", true, true, &RestApi::sendMessage),
        route("GET", "/api/messages/{conversationId}/messages", true, false, &RestApi::history),
        route("GET", "/api/notifications/preferences", true, false, &RestApi::getPreferences),
        route("PUT", "/api/notifications/preferences", true, true, &RestApi::putPreferences),
        route("GET", "/api/users", true, false, &RestApi::searchUsers),
        route("GET", "/api/notifications", true, false, &RestApi::listNotifications),
        route("POST", "/api/notifications/read", true, true, &RestApi::readNotifications),
        // The link in email digests (RFC 8058 one-click): signed, no login needed.
        route("GET", "/api/notifications/unsubscribe", false, false, &RestApi::unsubscribe),
        route("POST", "/api/notifications/unsubscribe", false, false, &RestApi::unsubscribe),
    };
    m_operationRoutes = {
        route("GET", "/health", false, false, &RestApi::health),
        route("GET", "/ready", false, false, &RestApi::ready),
        route("GET", "/metrics", false, false, &RestApi::metrics),
    };
}

RestApi::Route RestApi::route(const char *method, const char *pattern, bool authenticated,
                              bool needsBody, Handler handler)
{
    // "{name}" is one path segment; everything else is literal.
    QString regex = QRegularExpression::escape(QString::fromLatin1(pattern));
    regex.replace(QRegularExpression(uR"(\\\{\w+\\\})"_s), u"([^/]+)"_s);
    return {method,        pattern,   QRegularExpression(u"^%1$"_s.arg(regex)),
            authenticated, needsBody, handler};
}

void RestApi::setMetricsAccess(MetricsAccess access, const QByteArray &token)
{
    m_metricsAccess = access;
    m_metricsTokenHash.clear();
    if (!token.isEmpty()) {
        m_metricsTokenHash.resize(crypto_generichash_BYTES);
        crypto_generichash(reinterpret_cast<unsigned char *>(m_metricsTokenHash.data()),
                           crypto_generichash_BYTES,
                           reinterpret_cast<const unsigned char *>(token.constData()),
                           quint64(token.size()), nullptr, 0);
    }
}

void RestApi::handle(const HttpRequest &request, const HttpReply &reply)
{
    dispatch(m_routes, request, reply);
}

void RestApi::handleOperations(const HttpRequest &request, const HttpReply &reply)
{
    dispatch(m_operationRoutes, request, reply);
}

void RestApi::dispatch(const QList<Route> &routes, const HttpRequest &request,
                       const HttpReply &answer)
{
    const Route *match = nullptr;
    QByteArrayList allowed;
    QStringList captures;
    for (const Route &route : routes) {
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
        return reply.json(405, {{"error"_L1, wrongMethod.toJson()}},
                          {{"Allow", allowed.join(", ")}});
    }

    Call call{request, reply, {}, captures, {}};
    if (!match->authenticated) {
        if (match->needsBody &&
            !m_deps.authLimiter.tryAcquire(request.remoteAddress.toString().toLatin1()))
            return reply.error({ErrorCode::RateLimited, u"too many attempts; try again shortly"_s});
        return run(*match, std::move(call));
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
            if (!m_deps.apiLimiter.tryAcquire(call.caller.userId))
                return call.reply.error(
                    {ErrorCode::RateLimited, u"too many requests; slow down"_s});
            run(*match, std::move(call));
        });
}

void RestApi::run(const Route &route, Call call)
{
    const HttpRequest &request = call.request;
    const HttpReply &reply = call.reply;
    if (route.needsBody) {
        QJsonParseError parseError{};
        const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject() ||
            hasRawControlInString(request.body))
            return reply.error(Error::badRequest(u"the body must be a JSON object"_s));
        call.body = document.object();
    }
    (this->*(route.handler))(call);
}

QJsonObject RestApi::withPresence(const User &user) const
{
    User copy = user;
    copy.online = m_deps.registry.isOnline(user.id);
    return copy.toJson();
}

QJsonObject RestApi::tokenResponse(const Credentials &credentials) const
{
    return {{"token"_L1, m_deps.jwt.issue(credentials.user.id, credentials.user.username,
                                          credentials.tokenKey)},
            {"user"_L1, withPresence(credentials.user)}};
}

void RestApi::health(const Call &call)
{
    call.reply.json(200, {{"status"_L1, "ok"_L1}});
}

void RestApi::ready(const Call &call)
{
    // Ready: the database answers and its schema is the one this binary expects.
    auto checked = m_deps.db.submit<int>([](QSqlDatabase &db) -> Result<int> {
        auto alive = sql::scalar(db, u"SELECT 1"_s);
        if (!alive.ok())
            return alive.error();
        return Migrations::currentVersion(db);
    });
    whenReady(checked, this, [reply = call.reply](const Result<int> &version) {
        if (!version.ok())
            return reply.json(
                503, {{"status"_L1, "unavailable"_L1},
                      {"error"_L1, Error::internal(u"the database is unavailable"_s).toJson()}});
        if (version.value() != Migrations::latestVersion())
            return reply.json(
                503, {{"status"_L1, "unavailable"_L1},
                      {"error"_L1, Error::internal(u"the database schema is at version %1, not %2"_s
                                                       .arg(version.value())
                                                       .arg(Migrations::latestVersion()))
                                       .toJson()}});
        reply.json(200, {{"status"_L1, "ready"_L1}, {"schemaVersion"_L1, version.value()}});
    });
}

void RestApi::protectedMetrics(const Call &call)
{
    if (m_metricsAccess == MetricsAccess::Elsewhere)
        return call.reply.error(Error::notFound(u"no such endpoint: /metrics"_s));
    const auto bearer = bearerToken(call.request.authorization);
    if (!m_metricsTokenHash.isEmpty() && bearer) {
        const QByteArray &given = *bearer;
        QByteArray hash(crypto_generichash_BYTES, Qt::Uninitialized);
        crypto_generichash(reinterpret_cast<unsigned char *>(hash.data()), crypto_generichash_BYTES,
                           reinterpret_cast<const unsigned char *>(given.constData()),
                           quint64(given.size()), nullptr, 0);
        // Equal-length digests, compared in constant time.
        if (sodium_memcmp(hash.constData(), m_metricsTokenHash.constData(),
                          crypto_generichash_BYTES) == 0)
            return metrics(call);
        return call.reply.error(Error::unauthorized(u"wrong metrics token"_s),
                                {{"WWW-Authenticate", "Bearer"}});
    }
    if (call.request.remoteAddress.isLoopback())
        return metrics(call);
    if (!m_metricsTokenHash.isEmpty())
        return call.reply.error(Error::unauthorized(u"missing bearer token"_s),
                                {{"WWW-Authenticate", "Bearer"}});
    return call.reply.error(Error::forbidden(
        u"metrics are served to loopback only; set metrics-token or metrics-listen"_s));
}

void RestApi::metrics(const Call &call)
{
    Metrics::Gauges gauges;
    gauges.connections = m_deps.registry.connectionCount();
    gauges.onlineUsers = m_deps.registry.onlineUserCount();
    gauges.dbBacklog = m_deps.db.backlog();
    auto outbox =
        m_deps.db.submit<qint64>([](QSqlDatabase &db) { return EmailRepository::unsentCount(db); });
    whenReady(outbox, this,
              [this, gauges, reply = call.reply](const Result<qint64> &count) mutable {
                  gauges.emailOutbox = count.ok() ? count.value() : -1;
                  reply.text(200, "text/plain; version=0.0.4; charset=utf-8",
                             m_deps.metrics.render(gauges));
              });
}

void RestApi::registerUser(const Call &call)
{
    const auto username = readRequiredString(call.body, "username"_L1);
    const auto password = readRequiredString(call.body, "password"_L1);
    const auto email = readString(call.body, "email"_L1);
    const auto displayName = readString(call.body, "displayName"_L1);
    for (const auto *field : {&username, &password}) {
        if (!field->ok())
            return call.reply.error(field->error());
    }
    for (const auto *field : {&email, &displayName}) {
        if (!field->ok())
            return call.reply.error(field->error());
    }
    if (auto invalid = validateUsername(username.value()))
        return call.reply.error(*invalid);
    if (auto invalid = validatePassword(password.value()))
        return call.reply.error(*invalid);
    const QString name = displayName.value().value_or(username.value());
    if (auto invalid = validateDisplayName(name))
        return call.reply.error(*invalid);
    std::optional<QString> mail = email.value();
    if (mail && mail->isEmpty())
        mail.reset();
    if (mail) {
        if (auto invalid = validateEmail(*mail))
            return call.reply.error(*invalid);
    }

    whenReady(m_deps.hasher.hashAsync(password.value()), this,
              [this, call, name, mail, username = username.value()](const QByteArray &hash) {
                  if (hash.isEmpty())
                      return call.reply.error(Error::internal(u"could not hash the password"_s));
                  whenReady(
                      m_deps.db.submit<Credentials>([username, name, mail, hash](QSqlDatabase &db) {
                          return UserRepository::create(db, username, name, mail, hash);
                      }),
                      this, [this, call](Result<Credentials> created) {
                          if (!created.ok())
                              return call.reply.error(created.error());
                          qCInfo(lcHttp) << "registered user" << created.value().user.id;
                          call.reply.json(201, tokenResponse(created.value()));
                      });
              });
}

void RestApi::login(const Call &call)
{
    const auto username = readRequiredString(call.body, "username"_L1);
    const auto password = readRequiredString(call.body, "password"_L1);
    if (!username.ok())
        return call.reply.error(username.error());
    if (!password.ok())
        return call.reply.error(password.error());

    whenReady(
        m_deps.db.submit<std::optional<Credentials>>([name = username.value()](QSqlDatabase &db) {
            return UserRepository::credentials(db, name);
        }),
        this, [this, call, password = password.value()](Result<std::optional<Credentials>> found) {
            if (!found.ok())
                return call.reply.error(found.error());
            const std::optional<Credentials> credentials = found.value();
            // An unknown username costs a verification too, and gets the same answer.
            whenReady(m_deps.hasher.verifyAsync(
                          credentials ? credentials->passwordHash : QByteArray(), password),
                      this, [this, call, credentials](bool match) {
                          if (!match || !credentials)
                              return call.reply.error(
                                  Error::unauthorized(u"wrong username or password"_s));
                          call.reply.json(200, tokenResponse(*credentials));
                      });
        });
}

void RestApi::listConversations(const Call &call)
{
    const qint64 userId = call.caller.userId;
    whenReady(m_deps.db.submit<QList<Conversation>>([userId](QSqlDatabase &db) {
        return ConversationRepository::listFor(db, userId);
    }),
              this, [this, call](Result<QList<Conversation>> conversations) {
                  if (!conversations.ok())
                      return call.reply.error(conversations.error());
                  QJsonArray list;
                  for (Conversation conversation : conversations.value()) {
                      QList<qint64> ids;
                      for (User &user : conversation.participants) {
                          user.online = m_deps.registry.isOnline(user.id);
                          ids.append(user.id);
                      }
                      m_deps.participants.remember(conversation.id, ids);
                      list.append(conversation.toJson());
                  }
                  call.reply.json(200, {{"conversations"_L1, list}});
              });
}

void RestApi::createConversation(const Call &call)
{
    const QJsonValue idsValue = call.body.value("participantIds"_L1);
    if (!idsValue.isArray())
        return call.reply.error(
            Error::badRequest(u"participantIds must be an array of user ids"_s));
    QList<qint64> ids;
    for (const auto &value : idsValue.toArray()) {
        const qint64 id = value.isDouble() ? value.toInteger(0) : 0;
        if (id <= 0)
            return call.reply.error(
                Error::badRequest(u"participantIds must be an array of user ids"_s));
        ids.append(id);
    }
    const auto title = readString(call.body, "title"_L1);
    if (!title.ok())
        return call.reply.error(title.error());
    std::optional<QString> name = title.value();
    if (name && name->trimmed().isEmpty())
        name.reset();
    if (name && codePointCount(*name) > kMaxTitle)
        return call.reply.error(
            Error::badRequest(u"title is longer than %1 characters"_s.arg(kMaxTitle)));

    const qint64 userId = call.caller.userId;
    struct Answer
    {
        Conversation conversation;
        bool created = false;
    };
    whenReady(m_deps.db.submit<Answer>([userId, ids, name](QSqlDatabase &db) -> Result<Answer> {
        auto made = ConversationRepository::findOrCreate(db, userId, ids, name);
        if (!made.ok())
            return made.error();
        auto listed = ConversationRepository::listFor(db, userId, made.value().conversationId);
        if (!listed.ok() || listed.value().isEmpty())
            return Error::internal(u"database error"_s);
        return Answer{listed.value().constFirst(), made.value().created};
    }),
              this, [this, call](Result<Answer> answer) {
                  if (!answer.ok())
                      return call.reply.error(answer.error());
                  Conversation conversation = answer.value().conversation;
                  QList<qint64> participantIds;
                  for (User &user : conversation.participants) {
                      user.online = m_deps.registry.isOnline(user.id);
                      participantIds.append(user.id);
                  }
                  m_deps.participants.remember(conversation.id, participantIds);
                  call.reply.json(answer.value().created ? 201 : 200,
                                  {{"conversation"_L1, conversation.toJson()}});
              });
}

void RestApi::history(const Call &call)
{
    const auto conversationId = parseId(call.captures.value(0));
    if (!conversationId)
        return call.reply.error(Error::badRequest(u"conversation id must be a positive integer"_s));
    MessageRepository::HistoryQuery range;
    range.limit = kDefaultPageSize;
    for (auto [name, bound] : {std::pair{u"before"_s, &range.before}, {u"after"_s, &range.after}}) {
        if (!call.request.query.hasQueryItem(name))
            continue;
        *bound = parseId(call.request.query.queryItemValue(name));
        if (!*bound)
            return call.reply.error(Error::badRequest(u"%1 must be a message id"_s.arg(name)));
    }
    if (range.before && range.after)
        return call.reply.error(Error::badRequest(u"before and after cannot be combined"_s));
    if (call.request.query.hasQueryItem(u"limit"_s)) {
        const auto requested = parseId(call.request.query.queryItemValue(u"limit"_s));
        if (!requested)
            return call.reply.error(Error::badRequest(u"limit must be a positive integer"_s));
        range.limit = int(std::min<qint64>(*requested, kMaxPageSize));
    }
    const qint64 userId = call.caller.userId;
    whenReady(
        m_deps.db.submitFor<HistoryPage>(*conversationId,
                                         [id = *conversationId, userId, range](QSqlDatabase &db) {
                                             return MessageRepository::historyFor(db, id, userId,
                                                                                  range);
                                         }),
        this, [call](Result<HistoryPage> page) {
            if (!page.ok())
                return call.reply.error(page.error());
            QJsonArray messages;
            for (const Message &message : page.value().messages)
                messages.append(message.toJson());
            call.reply.json(200, {{"messages"_L1, messages}, {"hasMore"_L1, page.value().hasMore}});
        });
}

void RestApi::sendMessage(const Call &call)
{
    auto send = frames::parseSendMessage(call.body);
    if (!send.ok())
        return call.reply.error(send.error());
    m_deps.messages.send(call.caller.userId, send.value(), nullptr,
                         [call](const Result<StoredMessage> &stored) {
                             if (!stored.ok())
                                 return call.reply.error(stored.error());
                             call.reply.json(stored.value().duplicate ? 200 : 201,
                                             {{"message"_L1, stored.value().message.toJson()}});
                         });
}

void RestApi::getPreferences(const Call &call)
{
    const qint64 userId = call.caller.userId;
    whenReady(m_deps.db.submit<NotificationPreferences>(
                  [userId](QSqlDatabase &db) { return PreferencesRepository::get(db, userId); }),
              this, [call](Result<NotificationPreferences> preferences) {
                  if (!preferences.ok())
                      return call.reply.error(preferences.error());
                  call.reply.json(200, {{"preferences"_L1, preferences.value().toJson()}});
              });
}

void RestApi::putPreferences(const Call &call)
{
    const qint64 userId = call.caller.userId;
    whenReady(
        m_deps.db.submit<NotificationPreferences>([userId, patch = call.body](QSqlDatabase &db) {
            return PreferencesRepository::update(db, userId, patch);
        }),
        this, [this, call, userId](Result<NotificationPreferences> preferences) {
            if (!preferences.ok())
                return call.reply.error(preferences.error());
            Q_EMIT preferencesChanged(userId);
            call.reply.json(200, {{"preferences"_L1, preferences.value().toJson()}});
        });
}

void RestApi::searchUsers(const Call &call)
{
    const QString prefix =
        call.request.query.queryItemValue(u"search"_s, QUrl::FullyDecoded).trimmed();
    if (prefix.size() > 64)
        return call.reply.error(Error::badRequest(u"search is longer than 64 characters"_s));
    const qint64 userId = call.caller.userId;
    whenReady(m_deps.db.submit<QList<User>>([prefix, userId](QSqlDatabase &db) {
        return UserRepository::search(db, prefix, userId, kMaxUserResults);
    }),
              this, [this, call](Result<QList<User>> users) {
                  if (!users.ok())
                      return call.reply.error(users.error());
                  QJsonArray list;
                  for (const User &user : users.value())
                      list.append(withPresence(user));
                  call.reply.json(200, {{"users"_L1, list}});
              });
}

void RestApi::listNotifications(const Call &call)
{
    const QUrlQuery &query = call.request.query;
    const bool unreadOnly = query.queryItemValue(u"unreadOnly"_s) == "true"_L1;
    int limit = kDefaultPageSize;
    if (query.hasQueryItem(u"limit"_s)) {
        const auto requested = parseId(query.queryItemValue(u"limit"_s));
        if (!requested)
            return call.reply.error(Error::badRequest(u"limit must be a positive integer"_s));
        limit = int(std::min<qint64>(*requested, kMaxPageSize));
    }
    std::optional<qint64> before;
    if (query.hasQueryItem(u"before"_s)) {
        before = parseId(query.queryItemValue(u"before"_s));
        if (!before)
            return call.reply.error(Error::badRequest(u"before must be a notification id"_s));
    }
    const qint64 userId = call.caller.userId;
    whenReady(m_deps.db.submit<QList<NotificationRepository::Listed>>(
                  [userId, unreadOnly, limit, before](QSqlDatabase &db) {
                      return NotificationRepository::list(db, userId, unreadOnly, limit, before);
                  }),
              this, [call](Result<QList<NotificationRepository::Listed>> listed) {
                  if (!listed.ok())
                      return call.reply.error(listed.error());
                  QJsonArray list;
                  for (const auto &entry : listed.value()) {
                      QJsonObject object = entry.notification.toJson();
                      object.insert("read"_L1, entry.read);
                      list.append(object);
                  }
                  call.reply.json(200, {{"notifications"_L1, list}});
              });
}

void RestApi::readNotifications(const Call &call)
{
    const bool all = call.body.value("all"_L1).toBool(false);
    QList<qint64> ids;
    const QJsonValue idsValue = call.body.value("ids"_L1);
    if (!all && !idsValue.isArray())
        return call.reply.error(
            Error::badRequest(u"give ids (an array of notification ids) or all: true"_s));
    for (const auto &value : idsValue.toArray()) {
        const qint64 id = value.isDouble() ? value.toInteger(0) : 0;
        if (id <= 0)
            return call.reply.error(Error::badRequest(u"ids must be notification ids"_s));
        ids.append(id);
    }
    const qint64 userId = call.caller.userId;
    whenReady(m_deps.db.submit<qint64>([userId, ids, all](QSqlDatabase &db) {
        return NotificationRepository::markRead(db, userId, ids, all);
    }),
              this, [call](Result<qint64> changed) {
                  if (!changed.ok())
                      return call.reply.error(changed.error());
                  call.reply.json(200, {{"updated"_L1, changed.value()}});
              });
}

void RestApi::unsubscribe(const Call &call)
{
    const auto userId = parseId(call.request.query.queryItemValue(u"user"_s));
    const QByteArray signature = call.request.query.queryItemValue(u"sig"_s).toLatin1();
    const QByteArray expected =
        userId ? EmailService::unsubscribeSignature(m_deps.secret, *userId) : QByteArray();
    if (!userId || signature.size() != expected.size() ||
        sodium_memcmp(signature.constData(), expected.constData(), size_t(expected.size())) != 0)
        return call.reply.error(Error::forbidden(u"this unsubscribe link is not valid"_s));
    if (call.request.method == "GET") {
        // Mail scanners open links: a GET only offers the button (RFC 8058).
        return call.reply.html(200,
                               "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">"
                               "<p>Stop email notifications from Pitchey?</p><form method=\"post\">"
                               "<button type=\"submit\">Unsubscribe</button></form></body></html>");
    }
    whenReady(m_deps.db.submit<NotificationPreferences>(
                  [id = *userId](QSqlDatabase &db) -> Result<NotificationPreferences> {
                      // A signed link may outlive its account (after a restore from a backup).
                      auto account = UserRepository::byId(db, id);
                      if (!account.ok())
                          return account.error();
                      if (!account.value())
                          return Error::notFound(u"there is no such user"_s);
                      return PreferencesRepository::update(db, id, {{"emailEnabled"_L1, false}});
                  }),
              this, [call](const Result<NotificationPreferences> &preferences) {
                  if (!preferences.ok())
                      return call.reply.error(preferences.error());
                  call.reply.html(200, "<!DOCTYPE html><html><body style=\"font-family:"
                                       "sans-serif\"><p>Email notifications are off. You can "
                                       "turn them on again in the messenger's settings.</p>"
                                       "</body></html>");
              });
}

} // namespace pitchey::server
