#pragma once

#include "auth/PasswordHasher.h"
#include "http/RequestReader.h"
#include "protocol/Result.h"
#include "storage/DatabaseUrl.h"
#include "storage/DbWorker.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QHash>
#include <QHostAddress>
#include <QProcessEnvironment>
#include <QSettings>
#include <QStringList>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace pitchey::server {

// One I/O thread per core, up to 16.
int defaultIoThreads();

struct ServerConfig
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 port = 8000;
    QString dataDir;
    DatabaseUrl database;
    // PostgreSQL: the size of the node's connection pool (SQLite has one writer).
    int databaseConnections = 2;
    // Group commit: how long a write may wait for others to share its disk sync.
    std::chrono::microseconds commitWindow = DbWorker::kDefaultCommitWindow;
    // Database jobs waiting beyond which new messages are refused (rate_limited) until the
    // backlog shrinks: under more load than the disk takes, latency and memory stay bounded
    // instead of growing without end. Zero: no limit.
    qint64 maxDbBacklog = 20'000;
    // Threads that own the WebSocket connections (RealtimeHub and the rest stay on main).
    int ioThreads = defaultIoThreads();
    QByteArray jwtSecret; // empty: generated once and kept in the data directory
    qint64 tokenLifetimeSeconds = 30LL * 24 * 3600;
    // Frames and API calls per user: a burst, then a steady rate.
    double rateBurst = 50;
    double ratePerSecond = 20;
    // Attachment and thumbnail downloads per user, in a bucket of their own: opening a
    // conversation full of pictures asks for dozens at once.
    double downloadBurst = 300;
    double downloadPerSecond = 50;
    // Register and login attempts per client address.
    double authBurst = 30;
    double authPerSecond = 5;
    // A WebSocket silent this long is closed (pings go out every quarter of it).
    std::chrono::milliseconds idleTimeout = std::chrono::seconds(120);
    // WebSocket connections of one account on this node (a client that leaks them, or one
    // account opening thousands, cannot take the node's memory).
    int maxConnectionsPerUser = 20;
    // How long after sending a message its sender may edit it (contract v2; zero: always).
    std::chrono::milliseconds editWindow = std::chrono::hours(48);
    // Distinct emoji on one message (contract v2).
    int maxReactionsPerMessage = 20;
    // Distinct users one message may mention, the sender not counted (contract v2).
    int maxMentionsPerMessage = 50;
    // Attachments (contract v2): an upload's size, the largest image given thumbnails, the
    // files per message; where the files live (empty: the data directory's media/), and
    // the threads that examine images.
    qint64 maxUploadBytes = 50LL * 1024 * 1024;
    qint64 maxImagePixels = 40'000'000;
    int maxAttachmentsPerMessage = 10;
    qint64 maxUnsentUploadBytes = 1024LL * 1024 * 1024; // per user; 0: no limit
    QString mediaDir;
    int mediaThreads = 2;
    // Not options: tests shorten them.
    std::chrono::milliseconds uploadRetention = std::chrono::hours(24);
    std::chrono::milliseconds mediaSweepInterval = std::chrono::minutes(10);
    // What may wait unsent for one WebSocket before it is cut off (it gets what it missed
    // on its next connection): the memory a reader that stalls can cost.
    qsizetype maxOutputBytes = 512 * 1024;
    // What an HTTP request may be (request line, header section) and how long it may take.
    HttpLimits http;
    PasswordHasher::Cost passwordCost = PasswordHasher::Cost::Interactive;

    // Email digests for users who are away; off without an SMTP URL.
    QString smtpUrl;
    QString smtpUser;
    QString smtpPassword; // SMTP_PASSWORD, environment only
    QString smtpCaFile;   // certificates to trust for the SMTP server, besides the system's
    QString mailFrom;
    QString publicUrl; // the server's address as users reach it, for links in emails
    int emailBatchSeconds = 60;
    // TLS: both set, the port speaks https and wss only.
    QString tlsCertFile;
    QString tlsKeyFile;
    // /metrics: on a listener of its own (no checks there), or on the API port for loopback
    // clients and for whoever has the token.
    QHostAddress metricsAddress;
    std::optional<quint16> metricsPort; // none: no listener of its own; 0: any free port
    QByteArray metricsToken;
    QtMsgType logLevel = QtInfoMsg;
    // PostgreSQL clusters: the silence after which a node is taken for dead (heartbeats
    // go out six times as often).
    qint64 clusterTimeoutMs = 30'000;

    // Not options: tests make minutes and retries short, and move the email service's
    // clock (milliseconds since the epoch; empty: the system's).
    qint64 emailMinuteMs = 60'000;
    qint64 emailRetryBaseMs = 30'000;
    std::function<qint64()> emailClock;
    // The contract's 6 s after which typing that is not renewed ends.
    std::chrono::milliseconds typingExpiry{6000};
};

// Reads the configuration from the command line, then the environment, then the INI file
// named by --config / PITCHEY_CONFIG, then the defaults: the first that gives a value wins.
class ServerConfigLoader
{
public:
    enum class Outcome
    {
        Run,
        ShowHelp,
        ShowVersion
    };

    // What a subcommand (`pitchey-server admin ...`) takes besides the server's settings.
    struct Command
    {
        QString synopsis; // positional arguments, for --help: "USERNAME"
        int positionals = 0;
        QList<QCommandLineOption> options;
        // Filled by load():
        QStringList arguments;
        QHash<QString, QString> values;
    };

    ServerConfigLoader();
    // Fills `config`; an unusable value is an error whose message is one line for the user.
    [[nodiscard]] Result<Outcome> load(const QStringList &arguments,
                                       const QProcessEnvironment &environment, ServerConfig &config,
                                       Command *command = nullptr);
    [[nodiscard]] QString helpText() const;
    // Every setting's name (the option without "--", the INI key).
    [[nodiscard]] QStringList optionNames() const { return m_optionNames; }

    // Reads the secret kept in the data directory, creating it (owner-only) on first start.
    [[nodiscard]] static Result<QByteArray> loadOrCreateSecret(const QString &dataDir);

private:
    Result<Outcome> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                                     Command *command);
    [[nodiscard]] Result<std::unique_ptr<QSettings>> openIni(const QString &file) const;
    static Status applyStorage(const std::optional<QString> &dataDir,
                               const std::optional<QString> &database, ServerConfig &config);
    static Status checkTogether(const ServerConfig &config);

    QStringList m_optionNames;
    QString m_help;
};

} // namespace pitchey::server
