#include "rest/UserHandlers.h"

#include "base/Async.h"
#include "presence/ConnectionRegistry.h"
#include "protocol/Api.h"
#include "storage/DbWorker.h"
#include "storage/UserRepository.h"

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

constexpr int kMaxUserResults = 20;
constexpr qsizetype kMaxSearch = 64;

} // namespace

UserHandlers::UserHandlers(DbWorker &db, const ConnectionRegistry &registry, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_registry(registry)
{}

QList<Route> UserHandlers::routes()
{
    return {Route::make("GET", api::kUsersPath, Route::Access::ByToken, false,
                        [this](const Call &c) { search(c); })};
}

void UserHandlers::search(const Call &call)
{
    const QString prefix = api::UserSearch::fromQuery(call.request.query).prefix;
    if (prefix.size() > kMaxSearch)
        return call.reply.error(
            Error::badRequest(u"search is longer than %1 characters"_s.arg(kMaxSearch)));
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submit<QList<User>>([prefix, userId](QSqlDatabase &db) {
        return UserRepository::search(db, prefix, userId, kMaxUserResults);
    }),
              this, [this, call](Result<QList<User>> users) {
                  if (!users.ok())
                      return call.reply.error(users.error());
                  api::UsersAnswer answer{users.value()};
                  for (User &user : answer.users)
                      user.online = m_registry.isOnline(user.id);
                  call.reply.json(200, answer.toJson());
              });
}

} // namespace pitchey::server
