#include "app/Server.h"

#include "notify/EmailService.h"

#include "auth/Authenticator.h"
#include "auth/JwtService.h"
#include "base/Metrics.h"
#include "cluster/ClusterBus.h"
#include "http/HttpServer.h"
#include "http/Tls.h"
#include "media/MediaService.h"
#include "messaging/MessageService.h"
#include "messaging/ParticipantCache.h"
#include "messaging/RateLimiter.h"
#include "presence/ConnectionRegistry.h"
#include "rest/MediaHandlers.h"
#include "rest/RestApi.h"
#include "storage/DbWorker.h"
#include "storage/UserRepository.h"
#include "websocket/IoThreads.h"
#include "websocket/RealtimeHub.h"

#include <QSslServer>

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServer, "pitchey.server", QtInfoMsg)

namespace pitchey::server {

Server::Server(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_metrics(std::make_unique<Metrics>())
{}

Server::~Server()
{
    // The mailer thread and the sockets first (they hold futures on the database), then the
    // database drains its queue.
    m_email.reset();
    delete m_http;
    m_http = nullptr;
    delete m_hub;
    m_hub = nullptr;
    delete m_media; // (waits for its workers)
    m_media = nullptr;
    m_io.reset(); // after the sessions: it closes what they left and stops its threads
    if (m_db)
        m_db->stop();
}

Status Server::start()
{
    m_db = std::make_unique<DbWorker>(m_config.database, -1, m_config.databaseConnections);
    m_db->setLatencyHistogram(&m_metrics->dbLatency);
    m_db->setCommitWindow(m_config.commitWindow);
    if (auto opened = m_db->start(); !opened.ok())
        return opened;
    // (Start-up only: waits for the database thread.)
    auto floor = m_db->submit<bool>([now = QDateTime::currentMSecsSinceEpoch()](QSqlDatabase &db) {
        return UserRepository::raiseIdFloor(db, now);
    });
    floor.waitForFinished();
    if (!floor.result().ok())
        return floor.result().error();

    m_jwt = std::make_unique<JwtService>(m_config.jwtSecret, m_config.tokenLifetimeSeconds);
    m_auth = std::make_unique<Authenticator>(*m_jwt, *m_db);
    m_hasher = std::make_unique<PasswordHasher>(m_config.passwordCost);
    m_registry = std::make_unique<ConnectionRegistry>();
    m_participants = std::make_unique<ParticipantCache>(*m_db);
    m_frameLimiter = std::make_unique<RateLimiter>(m_config.rateBurst, m_config.ratePerSecond);
    m_apiLimiter = std::make_unique<RateLimiter>(m_config.rateBurst, m_config.ratePerSecond);
    m_authLimiter = std::make_unique<RateLimiter>(m_config.authBurst, m_config.authPerSecond);
    m_downloadLimiter =
        std::make_unique<RateLimiter>(m_config.downloadBurst, m_config.downloadPerSecond);
    m_messages = new MessageService(*m_db, *m_registry, *m_participants, *m_metrics, this);
    configureMessages();
    if (auto media = startMedia(); !media.ok())
        return media;
    const auto idleTimeout = m_config.idleTimeout;
    m_io = std::make_unique<IoThreads>(
        m_config.ioThreads, IoThreads::Settings{idleTimeout, m_config.maxOutputBytes,
                                                m_config.rateBurst, m_config.ratePerSecond});
    m_hub =
        new RealtimeHub({*m_jwt, *m_auth, *m_db, *m_registry, *m_participants, *m_messages,
                         *m_frameLimiter, *m_metrics, *m_io, idleTimeout, m_config.typingExpiry},
                        this);
    m_hub->setMaxConnectionsPerUser(m_config.maxConnectionsPerUser);
    m_api = new RestApi({*m_jwt, *m_auth, *m_hasher, *m_db, *m_registry, *m_participants,
                         *m_messages, *m_media, *m_apiLimiter, *m_downloadLimiter, *m_authLimiter,
                         m_config.jwtSecret, *m_metrics},
                        this);
    m_api->setMetricsAccess(m_config.metricsPort ? RestApi::MetricsAccess::Elsewhere
                                                 : RestApi::MetricsAccess::LoopbackOrToken,
                            m_config.metricsToken);

    connect(m_api, &RestApi::preferencesChanged, m_hub, &RealtimeHub::forgetPreferences);
    if (auto cluster = startCluster(); !cluster.ok())
        return cluster;

    m_http = new HttpServer(u"/api/messages/ws"_s, m_config.http, this);
    m_http->setHandler([this](const HttpRequest &request, const HttpReply &reply) {
        m_api->handle(request, reply);
    });
    m_http->setConnectionThreads(m_io->hosts());
    m_http->setBodyPolicy(
        [limit = m_config.maxUploadBytes](const QByteArray &method, const QString &path) {
            return MediaHandlers::bodyPolicy(method, path, limit);
        });
    m_http->setUpgradeHandler(
        [this](WebSocketUpgrade &&upgrade) { m_hub->accept(std::move(upgrade)); });

    auto listener = makeListener();
    if (!listener.ok())
        return listener.error();
    m_listener = listener.value();
    m_listener->setListenBacklogSize(1024);
    if (!m_listener->listen(m_config.listenAddress, m_config.port)) {
        return Error::internal(
            u"cannot listen on %1:%2: %3"_s.arg(m_config.listenAddress.toString())
                .arg(m_config.port)
                .arg(m_listener->errorString()));
    }
    m_http->serve(m_listener);
    qCInfo(lcServer).noquote() << "listening on" << m_config.listenAddress.toString() << "port"
                               << port() << (tls() ? "(https, wss)" : "(http, ws)");
    if (auto metrics = startMetricsListener(); !metrics.ok())
        return metrics;
    startEmail();
    return Done{};
}

void Server::configureMessages()
{
    m_messages->setMaxDbBacklog(m_config.maxDbBacklog);
    m_messages->setEditWindow(m_config.editWindow);
    m_messages->setMaxReactions(m_config.maxReactionsPerMessage);
    m_messages->setMaxMentions(m_config.maxMentionsPerMessage);
    m_messages->setMaxAttachments(m_config.maxAttachmentsPerMessage);
}

Status Server::startMedia()
{
    auto store = std::make_unique<FileMediaStore>(
        m_config.mediaDir.isEmpty() ? m_config.dataDir + u"/media"_s : m_config.mediaDir);
    if (auto opened = store->open(); !opened.ok())
        return opened;
    qCInfo(lcServer).noquote() << "attachments in" << store->root();
    MediaService::Settings settings;
    settings.maxUploadBytes = m_config.maxUploadBytes;
    settings.maxImagePixels = m_config.maxImagePixels;
    settings.maxAttachmentsPerMessage = m_config.maxAttachmentsPerMessage;
    settings.maxUnsentBytes = m_config.maxUnsentUploadBytes;
    settings.threads = m_config.mediaThreads;
    settings.uploadRetention = m_config.uploadRetention;
    settings.sweepInterval = m_config.mediaSweepInterval;
    m_media = new MediaService(*m_db, std::move(store), settings, this);
    return Done{};
}

Status Server::startCluster()
{
    if (m_config.database.kind != DatabaseUrl::Kind::PostgreSQL)
        return Done{}; // SQLite: one node
    m_cluster = new ClusterBus(
        *m_db, *m_registry,
        {m_config.database,
         std::chrono::milliseconds(std::max<qint64>(200, m_config.clusterTimeoutMs / 6)),
         std::chrono::milliseconds(m_config.clusterTimeoutMs)},
        this);
    m_registry->setForward([this](const QList<qint64> &users, const QByteArray &frame) {
        m_cluster->publishFrame(users, frame);
    });
    m_messages->setClusterPublisher(
        [cluster = m_cluster](QSqlDatabase &db, const StoredMessage &stored) {
            return cluster->publishMessageIn(db, stored);
        });
    connect(m_cluster, &ClusterBus::messageArrived, m_messages,
            &MessageService::deliverFromCluster);
    connect(m_cluster, &ClusterBus::listenerLost, m_messages, &MessageService::clusterGapBegan);
    connect(m_cluster, &ClusterBus::listenerRestored, m_messages,
            [this] { m_messages->catchUp(m_registry->onlineHere()); });
    connect(m_hub, &RealtimeHub::presenceChangedHere, m_cluster, &ClusterBus::publishPresence);
    connect(m_cluster, &ClusterBus::presenceChanged, m_hub, &RealtimeHub::announceElsewhereChange);
    return m_cluster->start();
}

Result<QTcpServer *> Server::makeListener()
{
    if (!tls())
        return static_cast<QTcpServer *>(new TcpListener(this));
    auto tls = loadTlsConfiguration(m_config.tlsCertFile, m_config.tlsKeyFile);
    if (!tls.ok())
        return tls.error();
    auto *server = new QSslServer(this);
    server->setSslConfiguration(tls.value());
    server->setHandshakeTimeout(10'000);
    return static_cast<QTcpServer *>(server);
}

Status Server::startMetricsListener()
{
    if (!m_config.metricsPort)
        return Done{};
    m_metricsHttp = new HttpServer(QString(), m_config.http, this); // (no WebSocket here)
    m_metricsHttp->setHandler([this](const HttpRequest &request, const HttpReply &reply) {
        m_api->handleOperations(request, reply);
    });
    m_metricsListener = new TcpListener(this);
    if (!m_metricsListener->listen(m_config.metricsAddress, *m_config.metricsPort))
        return Error::internal(
            u"cannot listen for metrics on %1:%2: %3"_s.arg(m_config.metricsAddress.toString())
                .arg(*m_config.metricsPort)
                .arg(m_metricsListener->errorString()));
    m_metricsHttp->serve(m_metricsListener);
    qCInfo(lcServer).noquote() << "metrics, health and readiness on"
                               << m_config.metricsAddress.toString() << "port" << metricsPort();
    return Done{};
}

quint16 Server::metricsPort() const
{
    return m_metricsListener ? m_metricsListener->serverPort() : 0;
}

void Server::startEmail()
{
    if (m_config.smtpUrl.isEmpty()) {
        qCInfo(lcServer) << "email digests are off (no --smtp-url)";
        return;
    }
    EmailSettings settings;
    settings.smtp = {m_config.smtpUrl, m_config.smtpUser, m_config.smtpPassword, m_config.mailFrom,
                     m_config.smtpCaFile};
    settings.publicUrl = m_config.publicUrl.isEmpty()
                             ? u"http://%1:%2"_s.arg(m_config.listenAddress.toString()).arg(port())
                             : m_config.publicUrl;
    settings.batchSeconds = m_config.emailBatchSeconds;
    settings.minuteMs = m_config.emailMinuteMs;
    settings.retryBaseMs = m_config.emailRetryBaseMs;
    if (m_config.emailClock)
        settings.clock = m_config.emailClock;
    settings.secret = m_config.jwtSecret;
    m_email = std::make_unique<EmailService>(
        *m_db, [this] { return m_registry->onlineUsers(); }, settings);
    // Whoever connects, or leaves, has been notified in real time: no email for that.
    connect(m_hub, &RealtimeHub::presenceChanged, m_email.get(),
            [this](qint64 userId) { m_email->userPresenceChanged(userId); });
    m_email->start();
}

EmailService *Server::email() const
{
    return m_email.get();
}

qsizetype Server::webSocketsHeld() const
{
    return m_io ? m_io->socketsHeld() : 0;
}

quint16 Server::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

void Server::shutdown(std::function<void()> done)
{
    qCInfo(lcServer) << "shutting down";
    if (m_listener)
        m_listener->close();
    if (m_metricsListener)
        m_metricsListener->close();
    if (m_cluster)
        m_cluster->leave();
    if (m_hub)
        m_hub->closeAll();
    auto waited = std::make_shared<QElapsedTimer>();
    waited->start();
    auto poll = new QTimer(this);
    poll->setInterval(50);
    connect(poll, &QTimer::timeout, this, [this, poll, waited, done = std::move(done)] {
        if ((m_registry && m_registry->connectionCount() > 0) && waited->elapsed() < 3000)
            return;
        poll->deleteLater();
        done();
    });
    poll->start();
}

} // namespace pitchey::server
