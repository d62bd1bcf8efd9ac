#include "rest/OperationsHandlers.h"

#include "base/Async.h"
#include "base/Metrics.h"
#include "presence/ConnectionRegistry.h"
#include "protocol/Api.h"
#include "storage/DbWorker.h"
#include "storage/EmailRepository.h"
#include "storage/Migrations.h"
#include "storage/Sql.h"

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

QByteArray digest(QByteArrayView token)
{
    QByteArray hash(crypto_generichash_BYTES, Qt::Uninitialized);
    crypto_generichash(reinterpret_cast<unsigned char *>(hash.data()), crypto_generichash_BYTES,
                       reinterpret_cast<const unsigned char *>(token.constData()),
                       quint64(token.size()), nullptr, 0);
    return hash;
}

QJsonObject unavailable(const QString &why)
{
    QJsonObject body = api::errorBody(Error::internal(why));
    body.insert("status"_L1, "unavailable"_L1);
    return body;
}

} // namespace

OperationsHandlers::OperationsHandlers(DbWorker &db, ConnectionRegistry &registry, Metrics &metrics,
                                       QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_registry(registry)
    , m_metrics(metrics)
{}

QList<Route> OperationsHandlers::routes()
{
    using A = Route::Access;
    return {
        Route::make("GET", "/health"_L1, A::Open, false, [this](const Call &c) { health(c); }),
        Route::make("GET", "/ready"_L1, A::Open, false, [this](const Call &c) { ready(c); }),
        Route::make("GET", "/metrics"_L1, A::Open, false,
                    [this](const Call &c) { protectedMetrics(c); }),
    };
}

QList<Route> OperationsHandlers::operationRoutes()
{
    using A = Route::Access;
    return {
        Route::make("GET", "/health"_L1, A::Open, false, [this](const Call &c) { health(c); }),
        Route::make("GET", "/ready"_L1, A::Open, false, [this](const Call &c) { ready(c); }),
        Route::make("GET", "/metrics"_L1, A::Open, false, [this](const Call &c) { metrics(c); }),
    };
}

void OperationsHandlers::setMetricsAccess(MetricsAccess access, const QByteArray &token)
{
    m_metricsAccess = access;
    m_metricsTokenHash = token.isEmpty() ? QByteArray() : digest(token);
}

void OperationsHandlers::health(const Call &call)
{
    call.reply.json(200, {{"status"_L1, "ok"_L1}});
}

void OperationsHandlers::ready(const Call &call)
{
    // Ready: the database answers and its schema is the one this binary expects.
    auto checked = m_db.submit<int>([](QSqlDatabase &db) -> Result<int> {
        auto alive = sql::scalar(db, u"SELECT 1"_s);
        if (!alive.ok())
            return alive.error();
        return Migrations::currentVersion(db);
    });
    whenReady(checked, this, [reply = call.reply](const Result<int> &version) {
        if (!version.ok())
            return reply.json(503, unavailable(u"the database is unavailable"_s));
        if (version.value() != Migrations::latestVersion())
            return reply.json(503, unavailable(u"the database schema is at version %1, not %2"_s
                                                   .arg(version.value())
                                                   .arg(Migrations::latestVersion())));
        reply.json(200, {{"status"_L1, "ready"_L1}, {"schemaVersion"_L1, version.value()}});
    });
}

void OperationsHandlers::protectedMetrics(const Call &call)
{
    if (m_metricsAccess == MetricsAccess::Elsewhere)
        return call.reply.error(Error::notFound(u"no such endpoint: /metrics"_s));
    const auto bearer = bearerToken(call.request.authorization);
    if (!m_metricsTokenHash.isEmpty() && bearer) {
        // Equal-length digests, compared in constant time.
        if (sodium_memcmp(digest(*bearer).constData(), m_metricsTokenHash.constData(),
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

void OperationsHandlers::metrics(const Call &call)
{
    Metrics::Gauges gauges;
    gauges.connections = m_registry.connectionCount();
    gauges.onlineUsers = m_registry.onlineUserCount();
    gauges.dbBacklog = m_db.backlog();
    auto outbox =
        m_db.submit<qint64>([](QSqlDatabase &db) { return EmailRepository::unsentCount(db); });
    whenReady(
        outbox, this, [this, gauges, reply = call.reply](const Result<qint64> &count) mutable {
            gauges.emailOutbox = count.ok() ? count.value() : -1;
            reply.text(200, "text/plain; version=0.0.4; charset=utf-8", m_metrics.render(gauges));
        });
}

} // namespace pitchey::server
