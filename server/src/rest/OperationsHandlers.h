#pragma once

#include "rest/Router.h"

namespace pitchey::server {

class ConnectionRegistry;
class DbWorker;
class Metrics;

// GET /health, /ready and /metrics: on the API port, and on the operations listener of
// --metrics-listen.
class OperationsHandlers : public QObject
{
    Q_OBJECT

public:
    // Who may read /metrics on the API port.
    enum class MetricsAccess
    {
        LoopbackOrToken, // from 127.0.0.1/::1, or anywhere with the bearer token if one is set
        Elsewhere,       // served on a listener of its own (--metrics-listen): 404 here
    };

    OperationsHandlers(DbWorker &db, ConnectionRegistry &registry, Metrics &metrics,
                       QObject *parent = nullptr);

    void setMetricsAccess(MetricsAccess access, const QByteArray &token);

    // On the API port: /metrics as setMetricsAccess says.
    [[nodiscard]] QList<Route> routes();
    // On the operations listener: no checks.
    [[nodiscard]] QList<Route> operationRoutes();

private:
    void health(const Call &call);
    void ready(const Call &call);
    void metrics(const Call &call);
    void protectedMetrics(const Call &call);

    DbWorker &m_db;
    ConnectionRegistry &m_registry;
    Metrics &m_metrics;
    MetricsAccess m_metricsAccess = MetricsAccess::LoopbackOrToken;
    QByteArray m_metricsTokenHash; // BLAKE2b of the token; empty: no token
};

} // namespace pitchey::server
