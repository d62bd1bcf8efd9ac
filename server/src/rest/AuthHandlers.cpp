#include "rest/AuthHandlers.h"

#include "auth/PasswordHasher.h"
#include "base/Async.h"
#include "presence/ConnectionRegistry.h"
#include "protocol/Api.h"
#include "protocol/Validation.h"
#include "storage/DbWorker.h"
#include "storage/UserRepository.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcHttp) // http/HttpServer.cpp

namespace pitchey::server {

namespace {

// The rules on a new account's fields, the first broken one.
std::optional<Error> invalidAccount(const api::Credentials &account)
{
    if (auto invalid = validateUsername(account.username))
        return invalid;
    if (auto invalid = validatePassword(account.password))
        return invalid;
    if (auto invalid = validateDisplayName(account.displayName.value_or(account.username)))
        return invalid;
    if (account.email)
        return validateEmail(*account.email);
    return std::nullopt;
}

} // namespace

AuthHandlers::AuthHandlers(const JwtService &jwt, PasswordHasher &hasher, DbWorker &db,
                           const ConnectionRegistry &registry, QObject *parent)
    : QObject(parent)
    , m_jwt(jwt)
    , m_hasher(hasher)
    , m_db(db)
    , m_registry(registry)
{}

QList<Route> AuthHandlers::routes()
{
    using A = Route::Access;
    return {
        Route::make("POST", api::kRegisterPath, A::ByAddress, true,
                    [this](const Call &c) { registerUser(c); }),
        Route::make("POST", api::kLoginPath, A::ByAddress, true,
                    [this](const Call &c) { login(c); }),
    };
}

QJsonObject AuthHandlers::tokenAnswer(const Credentials &credentials) const
{
    User user = credentials.user;
    user.online = m_registry.isOnline(user.id);
    return api::AuthAnswer{m_jwt.issue(user.id, user.username, credentials.tokenKey), user}
        .toJson();
}

void AuthHandlers::registerUser(const Call &call)
{
    const auto read = api::Credentials::fromJson(call.body);
    if (!read.ok())
        return call.reply.error(read.error());
    const api::Credentials &account = read.value();
    if (auto invalid = invalidAccount(account))
        return call.reply.error(*invalid);

    whenReady(m_hasher.hashAsync(account.password), this,
              [this, call, account](const QByteArray &hash) {
                  if (hash.isEmpty())
                      return call.reply.error(Error::internal(u"could not hash the password"_s));
                  whenReady(m_db.submit<Credentials>([account, hash](QSqlDatabase &db) {
                      return UserRepository::create(db, account.username,
                                                    account.displayName.value_or(account.username),
                                                    account.email, hash);
                  }),
                            this, [this, call](Result<Credentials> created) {
                                if (!created.ok())
                                    return call.reply.error(created.error());
                                qCInfo(lcHttp) << "registered user" << created.value().user.id;
                                call.reply.json(201, tokenAnswer(created.value()));
                            });
              });
}

void AuthHandlers::login(const Call &call)
{
    const auto read = api::Credentials::fromJson(call.body, api::Credentials::Reading::Login);
    if (!read.ok())
        return call.reply.error(read.error());

    whenReady(
        m_db.submit<std::optional<Credentials>>([name = read.value().username](QSqlDatabase &db) {
            return UserRepository::credentials(db, name);
        }),
        this,
        [this, call, password = read.value().password](Result<std::optional<Credentials>> found) {
            if (!found.ok())
                return call.reply.error(found.error());
            const std::optional<Credentials> credentials = found.value();
            // An unknown username costs a verification too, and gets the same answer.
            whenReady(m_hasher.verifyAsync(credentials ? credentials->passwordHash : QByteArray(),
                                           password),
                      this, [this, call, credentials](bool match) {
                          if (!match || !credentials)
                              return call.reply.error(
                                  Error::unauthorized(u"wrong username or password"_s));
                          call.reply.json(200, tokenAnswer(*credentials));
                      });
        });
}

} // namespace pitchey::server
