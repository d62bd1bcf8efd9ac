#include "rest/NotificationHandlers.h"

#include "base/Async.h"
#include "notify/EmailService.h"
#include "protocol/Api.h"
#include "protocol/Validation.h"
#include "storage/DbWorker.h"
#include "storage/NotificationRepository.h"
#include "storage/PreferencesRepository.h"
#include "storage/UserRepository.h"

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

NotificationHandlers::NotificationHandlers(DbWorker &db, const QByteArray &secret, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_secret(secret)
{}

QList<Route> NotificationHandlers::routes()
{
    using A = Route::Access;
    return {
        Route::make("GET", api::kPreferencesPath, A::ByToken, false,
                    [this](const Call &c) { getPreferences(c); }),
        Route::make("PUT", api::kPreferencesPath, A::ByToken, true,
                    [this](const Call &c) { putPreferences(c); }),
        Route::make("GET", api::kNotificationsPath, A::ByToken, false,
                    [this](const Call &c) { list(c); }),
        Route::make("POST", api::kReadNotificationsPath, A::ByToken, true,
                    [this](const Call &c) { markRead(c); }),
        // The link in email digests (RFC 8058 one-click): signed, no login needed.
        Route::make("GET", api::kUnsubscribePath, A::Open, false,
                    [this](const Call &c) { unsubscribe(c); }),
        Route::make("POST", api::kUnsubscribePath, A::Open, false,
                    [this](const Call &c) { unsubscribe(c); }),
    };
}

void NotificationHandlers::getPreferences(const Call &call)
{
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submit<NotificationPreferences>(
                  [userId](QSqlDatabase &db) { return PreferencesRepository::get(db, userId); }),
              this, [call](Result<NotificationPreferences> preferences) {
                  if (!preferences.ok())
                      return call.reply.error(preferences.error());
                  call.reply.json(200, api::PreferencesAnswer{preferences.value()}.toJson());
              });
}

void NotificationHandlers::putPreferences(const Call &call)
{
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submit<NotificationPreferences>([userId, patch = call.body](QSqlDatabase &db) {
        return PreferencesRepository::update(db, userId, patch);
    }),
              this, [this, call, userId](Result<NotificationPreferences> preferences) {
                  if (!preferences.ok())
                      return call.reply.error(preferences.error());
                  Q_EMIT preferencesChanged(userId);
                  call.reply.json(200, api::PreferencesAnswer{preferences.value()}.toJson());
              });
}

void NotificationHandlers::list(const Call &call)
{
    const auto query = api::NotificationsQuery::fromQuery(call.request.query);
    if (!query.ok())
        return call.reply.error(query.error());
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submit<QList<NotificationRepository::Listed>>([userId, q = query.value()](
                                                                     QSqlDatabase &db) {
        return NotificationRepository::list(db, userId, q.unreadOnly, q.limit, q.before);
    }),
              this, [call](Result<QList<NotificationRepository::Listed>> listed) {
                  if (!listed.ok())
                      return call.reply.error(listed.error());
                  api::NotificationsAnswer answer;
                  for (const auto &entry : listed.value())
                      answer.notifications.append({entry.notification, entry.read});
                  call.reply.json(200, answer.toJson());
              });
}

void NotificationHandlers::markRead(const Call &call)
{
    const auto read = api::ReadNotifications::fromJson(call.body);
    if (!read.ok())
        return call.reply.error(read.error());
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submit<qint64>([userId, r = read.value()](QSqlDatabase &db) {
        return NotificationRepository::markRead(db, userId, r.ids, r.all);
    }),
              this, [call](Result<qint64> changed) {
                  if (!changed.ok())
                      return call.reply.error(changed.error());
                  call.reply.json(200, {{"updated"_L1, changed.value()}});
              });
}

void NotificationHandlers::unsubscribe(const Call &call)
{
    const auto userId = parseId(call.request.query.queryItemValue(u"user"_s));
    const QByteArray signature = call.request.query.queryItemValue(u"sig"_s).toLatin1();
    const QByteArray expected =
        userId ? EmailService::unsubscribeSignature(m_secret, *userId) : QByteArray();
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
    whenReady(m_db.submit<NotificationPreferences>([id = *userId](QSqlDatabase &db)
                                                       -> Result<NotificationPreferences> {
        // A signed link may outlive its account (after a restore from a backup).
        auto account = UserRepository::byId(db, id);
        if (!account.ok())
            return account.error();
        if (!account.value())
            return Error::notFound(u"there is no such user"_s);
        return PreferencesRepository::update(db, id, {{api::preference::kEmailEnabled, false}});
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
