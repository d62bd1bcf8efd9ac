#pragma once

#include "app/ServerConfig.h"

#include <QObject>
#include <QTcpServer>

#include <functional>
#include <memory>

namespace pitchey::server {

class EmailService;

class ClusterBus;
class ConnectionRegistry;
class DbWorker;
class HttpServer;
class IoThreads;
class Authenticator;
class JwtService;
class MediaService;
class MessageService;
class Metrics;
class ParticipantCache;
class RateLimiter;
class RealtimeHub;
class RestApi;

// Builds the server's parts from a configuration and wires them together. Everything but
// the database (its own thread) and password hashing (its own pool) runs on the thread
// that owns this object.
class Server : public QObject
{
    Q_OBJECT

public:
    explicit Server(ServerConfig config, QObject *parent = nullptr);
    ~Server() override;

    // Opens and migrates the database, then listens. The error message is one line.
    [[nodiscard]] Status start();
    [[nodiscard]] quint16 port() const;
    [[nodiscard]] quint16 metricsPort() const; // 0 without a metrics listener of its own
    [[nodiscard]] bool tls() const { return !m_config.tlsCertFile.isEmpty(); }
    [[nodiscard]] Metrics &metrics() { return *m_metrics; }
    [[nodiscard]] DbWorker &database() { return *m_db; }
    // WebSocket connections the I/O threads hold (for tests: closed ones are let go).
    [[nodiscard]] qsizetype webSocketsHeld() const;
    [[nodiscard]] const ServerConfig &config() const { return m_config; }
    [[nodiscard]] EmailService *email() const; // null when email is off
    [[nodiscard]] MediaService *media() const { return m_media; }

    // Stops accepting, closes every WebSocket with 1001, and calls `done` once the
    // sockets are closed (or after a few seconds). Pending database writes are finished
    // when the Server is destroyed.
    void shutdown(std::function<void()> done);

private:
    void startEmail();
    [[nodiscard]] Status startCluster();
    [[nodiscard]] Status startMedia();
    void configureMessages();
    [[nodiscard]] Result<QTcpServer *> makeListener();
    [[nodiscard]] Status startMetricsListener();

    ServerConfig m_config;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<DbWorker> m_db;
    std::unique_ptr<JwtService> m_jwt;
    std::unique_ptr<Authenticator> m_auth;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<ConnectionRegistry> m_registry;
    std::unique_ptr<ParticipantCache> m_participants;
    std::unique_ptr<RateLimiter> m_frameLimiter;
    std::unique_ptr<RateLimiter> m_apiLimiter;
    std::unique_ptr<RateLimiter> m_authLimiter;
    std::unique_ptr<RateLimiter> m_downloadLimiter;
    std::unique_ptr<EmailService> m_email; // off without an SMTP URL
    std::unique_ptr<IoThreads> m_io;
    ClusterBus *m_cluster = nullptr;      // PostgreSQL only; a child of this
    MessageService *m_messages = nullptr; // children of this
    MediaService *m_media = nullptr;
    RealtimeHub *m_hub = nullptr;
    RestApi *m_api = nullptr;
    HttpServer *m_http = nullptr;
    QTcpServer *m_listener = nullptr;
    HttpServer *m_metricsHttp = nullptr; // --metrics-listen
    QTcpServer *m_metricsListener = nullptr;
};

} // namespace pitchey::server
