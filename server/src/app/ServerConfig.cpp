#include "app/ServerConfig.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QThread>
#include <QUrl>

#include <sodium.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

int defaultIoThreads()
{
    return std::clamp(QThread::idealThreadCount(), 1, 16);
}

namespace {

struct OptionSpec
{
    const char *name; // also the INI key
    const char *environment;
    const char *valueName;
    const char *description;
};

// The one list of settings: each is a command-line option, an environment variable and a
// key of the INI file. docs/operations.md and packaging/server.conf mirror it.
constexpr OptionSpec kOptions[] = {
    {"listen", "PITCHEY_LISTEN", "address", "Address to listen on (default 127.0.0.1)."},
    {"port", "PITCHEY_PORT", "port",
     "Port for HTTP and WebSocket (default 8000; 0 picks a free one)."},
    {"data-dir", "PITCHEY_DATA_DIR", "dir", "Directory for the database and the generated secret."},
    {"database", "DATABASE_URL", "url",
     "sqlite (default), sqlite:///path/file.db or postgresql://user:pass@host:port/db."},
    {"config", "PITCHEY_CONFIG", "file", "INI file with any of these settings."},
    {"jwt-secret", "JWT_SECRET", "secret",
     "Token signing secret (default: generated and kept in the data dir)."},
    {"token-lifetime-days", "PITCHEY_TOKEN_LIFETIME_DAYS", "days",
     "How long a login token lasts (default 30)."},
    {"rate-burst", "PITCHEY_RATE_BURST", "n",
     "Frames/requests a user may send at once (default 50)."},
    {"rate-per-second", "PITCHEY_RATE_PER_SECOND", "n",
     "Frames/requests per second after the burst (default 20)."},
    {"auth-burst", "PITCHEY_AUTH_BURST", "n",
     "Login/register attempts per address at once (default 30)."},
    {"auth-per-second", "PITCHEY_AUTH_PER_SECOND", "n",
     "Login/register attempts per address per second (default 5)."},
    {"max-connections-per-user", "PITCHEY_MAX_CONNECTIONS_PER_USER", "n",
     "WebSocket connections one account may have open on this node; one more is closed "
     "with 1013 (default 20)."},
    {"max-output-kib", "PITCHEY_MAX_OUTPUT_KIB", "KiB",
     "What may wait unsent for one WebSocket before it is cut off; it gets what it missed "
     "on its next connection (default 512, at least 256)."},
    {"max-request-line-kib", "PITCHEY_MAX_REQUEST_LINE_KIB", "KiB",
     "Longest HTTP request line (method, target, version); a longer one is answered 414 "
     "(default 8, at least 1)."},
    {"max-header-kib", "PITCHEY_MAX_HEADER_KIB", "KiB",
     "Largest HTTP header section, request line included; a larger one is answered 431 "
     "(default 16, at least 1)."},
    {"max-header-lines", "PITCHEY_MAX_HEADER_LINES", "n",
     "Most HTTP header fields in one request; more are answered 431 (default 100, at least "
     "10)."},
    {"request-timeout", "PITCHEY_REQUEST_TIMEOUT", "seconds",
     "An HTTP request's header section must arrive within this of its first byte, and its "
     "body may pause no longer; else 408 (default 10, at least 0.1)."},
    {"keep-alive-timeout", "PITCHEY_KEEP_ALIVE_TIMEOUT", "seconds",
     "Close an HTTP connection idle between requests for this long (default 60, at least "
     "0.1)."},
    {"idle-timeout", "PITCHEY_IDLE_TIMEOUT", "seconds",
     "Close a WebSocket silent for this long (default 120)."},
    {"password-cost", "PITCHEY_PASSWORD_COST", "cost",
     "Argon2id cost: interactive (default) or minimal (tests only)."},
    {"smtp-url", "PITCHEY_SMTP_URL", "url",
     "SMTP server for email digests, smtp://host:587 or smtps://host:465 (default: email off)."},
    {"smtp-user", "PITCHEY_SMTP_USER", "user",
     "SMTP login (the password comes from SMTP_PASSWORD only)."},
    {"smtp-ca-file", "PITCHEY_SMTP_CA_FILE", "file",
     "PEM certificates to trust for the SMTP server's TLS (default: the system's)."},
    {"mail-from", "PITCHEY_MAIL_FROM", "address", "Sender of email digests."},
    {"public-url", "PITCHEY_PUBLIC_URL", "url",
     "The server's address as users reach it, for links in emails (default http://LISTEN:PORT)."},
    {"email-batch-seconds", "PITCHEY_EMAIL_BATCH_SECONDS", "seconds",
     "How often email digests are put together (default 60)."},
    {"tls-cert", "PITCHEY_TLS_CERT", "file",
     "PEM certificate (chain) to serve https and wss directly; needs --tls-key."},
    {"tls-key", "PITCHEY_TLS_KEY", "file", "PEM private key of --tls-cert (unencrypted)."},
    {"metrics-listen", "PITCHEY_METRICS_LISTEN", "address:port",
     "Serve /metrics, /health and /ready on a listener of their own (default: on the main "
     "port, to loopback clients and to holders of --metrics-token)."},
    {"metrics-token", "PITCHEY_METRICS_TOKEN", "token",
     "Bearer token that lets any address read /metrics on the main port."},
    {"log-level", "PITCHEY_LOG_LEVEL", "level", "debug, info (default), warning or error."},
    {"db-connections", "PITCHEY_DB_CONNECTIONS", "n",
     "With PostgreSQL: connections in this node's pool (default 2; SQLite always uses one)."},
    {"commit-window", "PITCHEY_COMMIT_WINDOW", "ms",
     "While writes arrive closer together than this, the database waits up to this long to "
     "store several of them with one disk sync (default 2; 0: never waits; at most 1000)."},
    {"max-db-backlog", "PITCHEY_MAX_DB_BACKLOG", "n",
     "Database jobs waiting beyond which new messages are refused with rate_limited until "
     "the backlog shrinks (default 20000; 0: no limit)."},
    {"io-threads", "PITCHEY_IO_THREADS", "n",
     "Threads that own the WebSocket connections (default: one per core, up to 16)."},
    {"cluster-timeout", "PITCHEY_CLUSTER_TIMEOUT", "seconds",
     "With PostgreSQL: a node silent this long is taken for dead, its users offline "
     "(default 30)."},
};

// Every number setting lies between its minimum and, unless it says otherwise, a billion
// (seconds, days, a rate): large enough for any use, small enough for the integers the
// settings end up in.
Result<double> boundedNumber(const QString &name, const QString &text, double minimum,
                             double maximum = 1e9)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !(value >= minimum && value <= maximum)) // NaN and infinities too
        return Error::badRequest(u"--%1 must be a number from %2 to %3, not '%4'"_s.arg(name)
                                     .arg(minimum)
                                     .arg(maximum, 0, 'f', 0)
                                     .arg(text));
    return value;
}

// A count of threads or connections: 1 to 64.
Result<int> smallCount(const QString &name, const QString &text)
{
    auto number = boundedNumber(name, text, 1, 64);
    if (!number.ok())
        return number.error();
    return int(number.value());
}

Status checkWritable(const QString &dir)
{
    if (!QDir().mkpath(dir))
        return Error::badRequest(u"data directory %1 cannot be created"_s.arg(dir));
    QTemporaryFile probe(QDir(dir).filePath(u".write-test-XXXXXX"_s));
    if (!probe.open())
        return Error::badRequest(u"data directory %1 is not writable"_s.arg(dir));
    return Done{};
}

} // namespace

ServerConfigLoader::ServerConfigLoader()
{
    for (const OptionSpec &spec : kOptions)
        m_optionNames.append(QString::fromLatin1(spec.name));
}

QString ServerConfigLoader::helpText() const
{
    return m_help;
}

Result<ServerConfigLoader::Outcome> ServerConfigLoader::load(const QStringList &arguments,
                                                             const QProcessEnvironment &environment,
                                                             ServerConfig &config, Command *command)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Pitchey Messenger server: HTTP JSON API and WebSocket on one port.\n"
        "Every option may also be given as the environment variable shown, or as a\n"
        "key of the --config INI file; the command line wins, then the environment.\n"
        "Administration (create-user, reset-password, migrate, check-config, backup):\n"
        "pitchey-server admin --help"_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    for (const OptionSpec &spec : kOptions) {
        parser.addOption(QCommandLineOption(QString::fromLatin1(spec.name),
                                            u"%1 [%2]"_s.arg(QString::fromLatin1(spec.description),
                                                             QString::fromLatin1(spec.environment)),
                                            QString::fromLatin1(spec.valueName)));
    }
    if (command) {
        parser.addOptions(command->options);
        if (!command->synopsis.isEmpty())
            parser.addPositionalArgument(command->synopsis, QString(), command->synopsis);
    }
    m_help = parser.helpText();
    if (!parser.parse(arguments))
        return Error::badRequest(parser.errorText());
    if (parser.isSet(help))
        return Outcome::ShowHelp;
    if (parser.isSet(version))
        return Outcome::ShowVersion;
    const qsizetype expected = command ? command->positionals : 0;
    if (parser.positionalArguments().size() > expected)
        return Error::badRequest(
            u"unexpected argument: %1"_s.arg(parser.positionalArguments().at(expected)));
    if (parser.positionalArguments().size() < expected)
        return Error::badRequest(u"missing argument: %1"_s.arg(command->synopsis));
    if (command) {
        command->arguments = parser.positionalArguments();
        for (const QCommandLineOption &option : command->options) {
            if (parser.isSet(option))
                command->values.insert(option.names().constFirst(), parser.value(option));
        }
    }

    std::unique_ptr<QSettings> ini;
    auto lookup = [&](const OptionSpec &spec) -> std::optional<QString> {
        const QString name = QString::fromLatin1(spec.name);
        if (parser.isSet(name))
            return parser.value(name);
        const QString env = QString::fromLatin1(spec.environment);
        if (environment.contains(env))
            return environment.value(env);
        if (ini && ini->contains(name))
            return ini->value(name).toString();
        return std::nullopt;
    };
    auto value = [&](const char *name) -> std::optional<QString> {
        for (const OptionSpec &spec : kOptions) {
            if (qstrcmp(spec.name, name) == 0)
                return lookup(spec);
        }
        return std::nullopt;
    };

    if (const auto file = value("config")) {
        if (!QFileInfo(*file).isReadable())
            return Error::badRequest(u"config file %1 cannot be read"_s.arg(*file));
        ini = std::make_unique<QSettings>(*file, QSettings::IniFormat);
        if (ini->status() != QSettings::NoError)
            return Error::badRequest(u"config file %1 is not a valid INI file"_s.arg(*file));
        for (const QString &key : ini->allKeys()) {
            if (!m_optionNames.contains(key) || key == "config"_L1)
                return Error::badRequest(u"config file %1: unknown setting '%2'"_s.arg(*file, key));
        }
    }

    if (const auto listen = value("listen")) {
        if (!config.listenAddress.setAddress(*listen))
            return Error::badRequest(u"--listen: '%1' is not an IP address"_s.arg(*listen));
    }
    if (const auto port = value("port")) {
        bool ok = false;
        const uint number = port->toUInt(&ok);
        if (!ok || number > 65535)
            return Error::badRequest(u"--port: '%1' is not a port number"_s.arg(*port));
        config.port = quint16(number);
    }
    config.dataDir =
        value("data-dir")
            .value_or(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    if (config.dataDir.isEmpty())
        return Error::badRequest(u"no data directory: give --data-dir"_s);
    config.dataDir = QDir(config.dataDir).absolutePath();
    if (auto writable = checkWritable(config.dataDir); !writable.ok())
        return writable.error();

    auto database = DatabaseUrl::parse(value("database").value_or(QString()), config.dataDir);
    if (!database.ok())
        return Error::badRequest(u"--database: %1"_s.arg(database.error().message));
    config.database = database.value();

    if (const auto secret = value("jwt-secret")) {
        if (secret->size() < 16)
            return Error::badRequest(u"JWT_SECRET must be at least 16 characters"_s);
        config.jwtSecret = secret->toUtf8();
    }

    struct NumberSetting
    {
        const char *name;
        double *target;
        double minimum;
    };
    double tokenDays = double(config.tokenLifetimeSeconds) / 86400.0;
    double idle = config.idleTimeoutSeconds;
    double perUser = config.maxConnectionsPerUser;
    double outputKib = double(config.maxOutputBytes) / 1024.0;
    double requestLineKib = double(config.http.requestLineBytes) / 1024.0;
    double headerKib = double(config.http.headerBytes) / 1024.0;
    double headerLines = config.http.headerLines;
    double requestTimeout = double(config.http.requestTimeout.count()) / 1000.0;
    double keepAlive = double(config.http.keepAliveTimeout.count()) / 1000.0;
    for (const NumberSetting &setting :
         {NumberSetting{"rate-burst", &config.rateBurst, 1},
          NumberSetting{"rate-per-second", &config.ratePerSecond, 0.01},
          NumberSetting{"auth-burst", &config.authBurst, 1},
          NumberSetting{"auth-per-second", &config.authPerSecond, 0.01},
          NumberSetting{"token-lifetime-days", &tokenDays, 0.0001},
          NumberSetting{"idle-timeout", &idle, 1},
          NumberSetting{"max-connections-per-user", &perUser, 1},
          NumberSetting{"max-output-kib", &outputKib, 256},
          NumberSetting{"max-request-line-kib", &requestLineKib, 1},
          NumberSetting{"max-header-kib", &headerKib, 1},
          NumberSetting{"max-header-lines", &headerLines, 10},
          NumberSetting{"request-timeout", &requestTimeout, 0.1},
          NumberSetting{"keep-alive-timeout", &keepAlive, 0.1}}) {
        if (const auto text = value(setting.name)) {
            auto number = boundedNumber(QString::fromLatin1(setting.name), *text, setting.minimum);
            if (!number.ok())
                return number.error();
            *setting.target = number.value();
        }
    }
    config.tokenLifetimeSeconds = qint64(tokenDays * 86400.0);
    config.maxConnectionsPerUser = int(std::min(perUser, 1e6));
    config.maxOutputBytes = qsizetype(std::min(outputKib, 1e7) * 1024.0);
    // (Beast counts the header section in 32 bits; a megabyte is more than any client needs.)
    config.http.requestLineBytes = qsizetype(std::min(requestLineKib, 1024.0) * 1024.0);
    config.http.headerBytes = qsizetype(std::min(headerKib, 1024.0) * 1024.0);
    config.http.headerLines = int(std::min(headerLines, 1e5));
    config.http.requestTimeout = std::chrono::milliseconds(qint64(requestTimeout * 1000));
    config.http.keepAliveTimeout = std::chrono::milliseconds(qint64(keepAlive * 1000));
    if (const auto timeout = value("cluster-timeout")) {
        auto number = boundedNumber(u"cluster-timeout"_s, *timeout, 1);
        if (!number.ok())
            return number.error();
        config.clusterTimeoutMs = qint64(number.value() * 1000);
    }
    if (const auto connections = value("db-connections")) {
        auto count = smallCount(u"db-connections"_s, *connections);
        if (!count.ok())
            return count.error();
        config.databaseConnections = count.value();
    }
    if (const auto window = value("commit-window")) {
        auto ms = boundedNumber(u"commit-window"_s, *window, 0, 1000);
        if (!ms.ok())
            return ms.error();
        config.commitWindow = std::chrono::microseconds(qint64(ms.value() * 1000));
    }
    if (const auto backlog = value("max-db-backlog")) {
        auto number = boundedNumber(u"max-db-backlog"_s, *backlog, 0);
        if (!number.ok())
            return number.error();
        config.maxDbBacklog = qint64(number.value());
    }
    if (const auto threads = value("io-threads")) {
        auto count = smallCount(u"io-threads"_s, *threads);
        if (!count.ok())
            return count.error();
        config.ioThreads = count.value();
    }
    if (const auto batch = value("email-batch-seconds")) {
        auto number = boundedNumber(u"email-batch-seconds"_s, *batch, 1);
        if (!number.ok())
            return number.error();
        config.emailBatchSeconds = int(number.value());
    }
    config.smtpUrl = value("smtp-url").value_or(QString());
    if (!config.smtpUrl.isEmpty()) {
        const QUrl smtp(config.smtpUrl, QUrl::StrictMode);
        if (!smtp.isValid() || smtp.host().isEmpty() ||
            (smtp.scheme() != "smtp"_L1 && smtp.scheme() != "smtps"_L1))
            return Error::badRequest(
                u"--smtp-url must be like smtp://host:587 or smtps://host:465"_s);
        config.mailFrom = value("mail-from").value_or(QString());
        if (!config.mailFrom.contains(u'@'))
            return Error::badRequest(u"--mail-from: give the sender's address for email"_s);
    }
    config.smtpUser = value("smtp-user").value_or(QString());
    config.smtpCaFile = value("smtp-ca-file").value_or(QString());
    if (!config.smtpCaFile.isEmpty() && !QFileInfo(config.smtpCaFile).isReadable())
        return Error::badRequest(u"--smtp-ca-file: cannot read %1"_s.arg(config.smtpCaFile));
    config.smtpPassword = environment.value(u"SMTP_PASSWORD"_s);
    config.publicUrl = value("public-url").value_or(QString());
    config.idleTimeoutSeconds = int(idle);

    config.tlsCertFile = value("tls-cert").value_or(QString());
    config.tlsKeyFile = value("tls-key").value_or(QString());
    if (config.tlsCertFile.isEmpty() != config.tlsKeyFile.isEmpty())
        return Error::badRequest(u"--tls-cert and --tls-key go together"_s);
    for (const QString &file : {config.tlsCertFile, config.tlsKeyFile}) {
        if (!file.isEmpty() && !QFileInfo(file).isReadable())
            return Error::badRequest(u"cannot read the TLS file %1"_s.arg(file));
    }
    if (const auto metrics = value("metrics-listen")) {
        const qsizetype colon = metrics->lastIndexOf(u':');
        bool ok = false;
        const uint port = colon > 0 ? metrics->mid(colon + 1).toUInt(&ok) : 0;
        QString host = colon > 0 ? metrics->left(colon) : QString();
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        if (!ok || port > 65535 || !config.metricsAddress.setAddress(host))
            return Error::badRequest(
                u"--metrics-listen must be like 127.0.0.1:9100, not '%1'"_s.arg(*metrics));
        config.metricsPort = quint16(port);
    }
    config.metricsToken = value("metrics-token").value_or(QString()).toUtf8();
    if (!config.metricsToken.isEmpty() && config.metricsToken.size() < 16)
        return Error::badRequest(u"--metrics-token must be at least 16 characters"_s);
    if (const auto level = value("log-level")) {
        static const QHash<QString, QtMsgType> levels = {{u"debug"_s, QtDebugMsg},
                                                         {u"info"_s, QtInfoMsg},
                                                         {u"warning"_s, QtWarningMsg},
                                                         {u"error"_s, QtCriticalMsg}};
        if (!levels.contains(*level))
            return Error::badRequest(u"--log-level must be debug, info, warning or error"_s);
        config.logLevel = levels.value(*level);
    }

    if (const auto cost = value("password-cost")) {
        if (*cost == "interactive"_L1)
            config.passwordCost = PasswordHasher::Cost::Interactive;
        else if (*cost == "minimal"_L1)
            config.passwordCost = PasswordHasher::Cost::Minimal;
        else
            return Error::badRequest(u"--password-cost must be interactive or minimal"_s);
    }
    return Outcome::Run;
}

Result<QByteArray> ServerConfigLoader::loadOrCreateSecret(const QString &dataDir)
{
    const QString path = QDir(dataDir).filePath(u"jwt-secret"_s);
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return Error::internal(u"cannot read %1"_s.arg(path));
        const QByteArray secret = file.readAll().trimmed();
        if (secret.size() < 16)
            return Error::internal(
                u"%1 holds no usable secret; delete it to make a new one"_s.arg(path));
        return secret;
    }
    unsigned char random[32];
    randombytes_buf(random, sizeof random);
    const QByteArray secret =
        QByteArray(reinterpret_cast<const char *>(random), sizeof random).toHex();
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(secret + '\n') != secret.size() + 1 || !file.flush())
        return Error::internal(u"cannot write %1"_s.arg(path));
    return secret;
}

} // namespace pitchey::server
