#include "app/ServerOptions.h"

#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <functional>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

// Every number setting lies between its minimum and, unless it says otherwise, a billion
// (seconds, days, a rate): large enough for any use, small enough for the integers the
// settings end up in. Counts of threads or connections: 1 to 64.
constexpr double kMaxNumber = 1e9;
constexpr double kMaxThreads = 64;

Status number(const QString &name, const QString &text, double minimum, double maximum,
              const std::function<void(double)> &set)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !(value >= minimum && value <= maximum)) // NaN and infinities too
        return Error::badRequest(u"--%1 must be a number from %2 to %3, not '%4'"_s.arg(name)
                                     .arg(minimum)
                                     .arg(maximum, 0, 'f', 0)
                                     .arg(text));
    set(value);
    return Done{};
}

// (Beast counts the header section in 32 bits; a megabyte is more than any client needs.)
qsizetype kibibytes(double kib)
{
    return qsizetype(std::min(kib, 1024.0) * 1024.0);
}

std::chrono::milliseconds milliseconds(double seconds)
{
    return std::chrono::milliseconds(qint64(seconds * 1000));
}

Status applyListen(const QString &, const QString &text, ServerConfig &config)
{
    if (!config.listenAddress.setAddress(text))
        return Error::badRequest(u"--listen: '%1' is not an IP address"_s.arg(text));
    return Done{};
}

Status applyPort(const QString &, const QString &text, ServerConfig &config)
{
    bool ok = false;
    const uint number = text.toUInt(&ok);
    if (!ok || number > 65535)
        return Error::badRequest(u"--port: '%1' is not a port number"_s.arg(text));
    config.port = quint16(number);
    return Done{};
}

Status applyJwtSecret(const QString &, const QString &text, ServerConfig &config)
{
    if (text.size() < 16)
        return Error::badRequest(u"JWT_SECRET must be at least 16 characters"_s);
    config.jwtSecret = text.toUtf8();
    return Done{};
}

Status applyPasswordCost(const QString &, const QString &text, ServerConfig &config)
{
    if (text == "interactive"_L1)
        config.passwordCost = PasswordHasher::Cost::Interactive;
    else if (text == "minimal"_L1)
        config.passwordCost = PasswordHasher::Cost::Minimal;
    else
        return Error::badRequest(u"--password-cost must be interactive or minimal"_s);
    return Done{};
}

Status applySmtpUrl(const QString &, const QString &text, ServerConfig &config)
{
    if (!text.isEmpty()) {
        const QUrl smtp(text, QUrl::StrictMode);
        if (!smtp.isValid() || smtp.host().isEmpty() ||
            (smtp.scheme() != "smtp"_L1 && smtp.scheme() != "smtps"_L1))
            return Error::badRequest(
                u"--smtp-url must be like smtp://host:587 or smtps://host:465"_s);
    }
    config.smtpUrl = text;
    return Done{};
}

Status applySmtpCaFile(const QString &, const QString &text, ServerConfig &config)
{
    if (!text.isEmpty() && !QFileInfo(text).isReadable())
        return Error::badRequest(u"--smtp-ca-file: cannot read %1"_s.arg(text));
    config.smtpCaFile = text;
    return Done{};
}

Status applyMetricsListen(const QString &, const QString &text, ServerConfig &config)
{
    const qsizetype colon = text.lastIndexOf(u':');
    bool ok = false;
    const uint port = colon > 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
    QString host = colon > 0 ? text.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    if (!ok || port > 65535 || !config.metricsAddress.setAddress(host))
        return Error::badRequest(
            u"--metrics-listen must be like 127.0.0.1:9100, not '%1'"_s.arg(text));
    config.metricsPort = quint16(port);
    return Done{};
}

Status applyMetricsToken(const QString &, const QString &text, ServerConfig &config)
{
    if (!text.isEmpty() && text.toUtf8().size() < 16)
        return Error::badRequest(u"--metrics-token must be at least 16 characters"_s);
    config.metricsToken = text.toUtf8();
    return Done{};
}

Status applyLogLevel(const QString &, const QString &text, ServerConfig &config)
{
    static const QHash<QString, QtMsgType> levels = {{u"debug"_s, QtDebugMsg},
                                                     {u"info"_s, QtInfoMsg},
                                                     {u"warning"_s, QtWarningMsg},
                                                     {u"error"_s, QtCriticalMsg}};
    if (!levels.contains(text))
        return Error::badRequest(u"--log-level must be debug, info, warning or error"_s);
    config.logLevel = levels.value(text);
    return Done{};
}

const ServerOption kOptions[] = {
    {"listen", "PITCHEY_LISTEN", "address", "Address to listen on (default 127.0.0.1).",
     applyListen},
    {"port", "PITCHEY_PORT", "port",
     "Port for HTTP and WebSocket (default 8000; 0 picks a free one).", applyPort},
    {"data-dir", "PITCHEY_DATA_DIR", "dir", "Directory for the database and the generated secret.",
     nullptr},
    {"database", "DATABASE_URL", "url",
     "sqlite (default), sqlite:///path/file.db or postgresql://user:pass@host:port/db.", nullptr},
    {"config", "PITCHEY_CONFIG", "file", "INI file with any of these settings.", nullptr},
    {"jwt-secret", "JWT_SECRET", "secret",
     "Token signing secret (default: generated and kept in the data dir).", applyJwtSecret},
    {"token-lifetime-days", "PITCHEY_TOKEN_LIFETIME_DAYS", "days",
     "How long a login token lasts (default 30).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0.0001, kMaxNumber,
                       [&](double days) { config.tokenLifetimeSeconds = qint64(days * 86400.0); });
     }},
    {"rate-burst", "PITCHEY_RATE_BURST", "n",
     "Frames/requests a user may send at once (default 50).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber, [&](double n) { config.rateBurst = n; });
     }},
    {"rate-per-second", "PITCHEY_RATE_PER_SECOND", "n",
     "Frames/requests per second after the burst (default 20).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0.01, kMaxNumber, [&](double n) { config.ratePerSecond = n; });
     }},
    {"download-burst", "PITCHEY_DOWNLOAD_BURST", "n",
     "Attachment and thumbnail downloads a user may ask for at once (default 300).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber, [&](double n) { config.downloadBurst = n; });
     }},
    {"download-per-second", "PITCHEY_DOWNLOAD_PER_SECOND", "n",
     "Downloads per second after the burst (default 50).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0.01, kMaxNumber,
                       [&](double n) { config.downloadPerSecond = n; });
     }},
    {"auth-burst", "PITCHEY_AUTH_BURST", "n",
     "Login/register attempts per address at once (default 30).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber, [&](double n) { config.authBurst = n; });
     }},
    {"auth-per-second", "PITCHEY_AUTH_PER_SECOND", "n",
     "Login/register attempts per address per second (default 5).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0.01, kMaxNumber, [&](double n) { config.authPerSecond = n; });
     }},
    {"max-connections-per-user", "PITCHEY_MAX_CONNECTIONS_PER_USER", "n",
     "WebSocket connections one account may have open on this node; one more is closed "
     "with 1013 (default 20).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double n) { config.maxConnectionsPerUser = int(std::min(n, 1e6)); });
     }},
    {"edit-window", "PITCHEY_EDIT_WINDOW", "seconds",
     "How long after sending a message its sender may edit it; 0 for always (default "
     "172800, 48 hours).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0, kMaxNumber, [&](double seconds) {
             config.editWindow = std::chrono::milliseconds(qint64(std::min(seconds, 1e10) * 1000));
         });
     }},
    {"max-reactions-per-message", "PITCHEY_MAX_REACTIONS_PER_MESSAGE", "n",
     "Distinct emoji one message may carry; a new one past it is refused, one already "
     "there is always accepted (default 20).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double n) { config.maxReactionsPerMessage = int(std::min(n, 1e4)); });
     }},
    {"max-mentions-per-message", "PITCHEY_MAX_MENTIONS_PER_MESSAGE", "n",
     "Distinct users one message may mention by id, the sender not counted; more are "
     "refused (default 50).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double n) { config.maxMentionsPerMessage = int(std::min(n, 1e4)); });
     }},
    {"max-upload-bytes", "PITCHEY_MAX_UPLOAD_BYTES", "bytes",
     "Largest attachment upload; a larger one is refused (413) from its headers (default "
     "52428800, 50 MiB).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double n) { config.maxUploadBytes = qint64(std::min(n, 1e12)); });
     }},
    {"max-unsent-upload-bytes", "PITCHEY_MAX_UNSENT_UPLOAD_BYTES", "bytes",
     "Most one user's uploads not yet sent in a message may take; an upload past it is "
     "refused (413) from its headers; 0: no limit (default 1073741824, 1 GiB).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0, kMaxNumber,
                       [&](double n) { config.maxUnsentUploadBytes = qint64(std::min(n, 1e15)); });
     }},
    {"max-image-pixels", "PITCHEY_MAX_IMAGE_PIXELS", "n",
     "Largest image (width x height) given thumbnails; a larger one is kept as a plain file, "
     "never decoded (default 40000000).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double n) { config.maxImagePixels = qint64(std::min(n, 1e10)); });
     }},
    {"max-attachments-per-message", "PITCHEY_MAX_ATTACHMENTS_PER_MESSAGE", "n",
     "Files one message may carry; more are refused (default 10).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double n) { config.maxAttachmentsPerMessage = int(std::min(n, 1e3)); });
     }},
    {"media-dir", "PITCHEY_MEDIA_DIR", "path",
     "Where attachments are kept (default: the data directory's media/); every node of a "
     "PostgreSQL cluster must see the same directory.",
     [](const QString &, const QString &text, ServerConfig &config) -> Status {
         config.mediaDir = text;
         return Done{};
     }},
    {"media-threads", "PITCHEY_MEDIA_THREADS", "n",
     "Threads that examine uploaded images and make their thumbnails (default 2).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double n) { config.mediaThreads = int(std::min(n, 64.0)); });
     }},
    {"max-output-kib", "PITCHEY_MAX_OUTPUT_KIB", "KiB",
     "What may wait unsent for one WebSocket before it is cut off; it gets what it missed "
     "on its next connection (default 512, at least 256).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 256, kMaxNumber, [&](double kib) {
             config.maxOutputBytes = qsizetype(std::min(kib, 1e7) * 1024.0);
         });
     }},
    {"max-request-line-kib", "PITCHEY_MAX_REQUEST_LINE_KIB", "KiB",
     "Longest HTTP request line (method, target, version); a longer one is answered 414 "
     "(default 8, at least 1).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double kib) { config.http.requestLineBytes = kibibytes(kib); });
     }},
    {"max-header-kib", "PITCHEY_MAX_HEADER_KIB", "KiB",
     "Largest HTTP header section, request line included; a larger one is answered 431 "
     "(default 16, at least 1).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double kib) { config.http.headerBytes = kibibytes(kib); });
     }},
    {"max-header-lines", "PITCHEY_MAX_HEADER_LINES", "n",
     "Most HTTP header fields in one request; more are answered 431 (default 100, at least "
     "10).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 10, kMaxNumber,
                       [&](double n) { config.http.headerLines = int(std::min(n, 1e5)); });
     }},
    {"request-timeout", "PITCHEY_REQUEST_TIMEOUT", "seconds",
     "An HTTP request's header section must arrive within this of its first byte, and its "
     "body may pause no longer; else 408 (default 10, at least 0.1).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0.1, kMaxNumber,
                       [&](double s) { config.http.requestTimeout = milliseconds(s); });
     }},
    {"keep-alive-timeout", "PITCHEY_KEEP_ALIVE_TIMEOUT", "seconds",
     "Close an HTTP connection idle between requests for this long (default 60, at least "
     "0.1).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0.1, kMaxNumber,
                       [&](double s) { config.http.keepAliveTimeout = milliseconds(s); });
     }},
    {"idle-timeout", "PITCHEY_IDLE_TIMEOUT", "seconds",
     "Close a WebSocket silent for this long (default 120).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double s) { config.idleTimeout = milliseconds(s); });
     }},
    {"password-cost", "PITCHEY_PASSWORD_COST", "cost",
     "Argon2id cost: interactive (default) or minimal (tests only).", applyPasswordCost},
    {"smtp-url", "PITCHEY_SMTP_URL", "url",
     "SMTP server for email digests, smtp://host:587 or smtps://host:465 (default: email off).",
     applySmtpUrl},
    {"smtp-user", "PITCHEY_SMTP_USER", "user",
     "SMTP login (the password comes from SMTP_PASSWORD only).",
     [](const QString &, const QString &text, ServerConfig &config) -> Status {
         config.smtpUser = text;
         return Done{};
     }},
    {"smtp-ca-file", "PITCHEY_SMTP_CA_FILE", "file",
     "PEM certificates to trust for the SMTP server's TLS (default: the system's).",
     applySmtpCaFile},
    {"mail-from", "PITCHEY_MAIL_FROM", "address", "Sender of email digests.",
     [](const QString &, const QString &text, ServerConfig &config) -> Status {
         config.mailFrom = text; // checked with smtp-url (ServerConfigLoader)
         return Done{};
     }},
    {"public-url", "PITCHEY_PUBLIC_URL", "url",
     "The server's address as users reach it, for links in emails (default http://LISTEN:PORT).",
     [](const QString &, const QString &text, ServerConfig &config) -> Status {
         config.publicUrl = text;
         return Done{};
     }},
    {"email-batch-seconds", "PITCHEY_EMAIL_BATCH_SECONDS", "seconds",
     "How often email digests are put together (default 60).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double s) { config.emailBatchSeconds = int(s); });
     }},
    {"tls-cert", "PITCHEY_TLS_CERT", "file",
     "PEM certificate (chain) to serve https and wss directly; needs --tls-key.",
     [](const QString &, const QString &text, ServerConfig &config) -> Status {
         config.tlsCertFile = text; // checked with tls-key (ServerConfigLoader)
         return Done{};
     }},
    {"tls-key", "PITCHEY_TLS_KEY", "file", "PEM private key of --tls-cert (unencrypted).",
     [](const QString &, const QString &text, ServerConfig &config) -> Status {
         config.tlsKeyFile = text;
         return Done{};
     }},
    {"metrics-listen", "PITCHEY_METRICS_LISTEN", "address:port",
     "Serve /metrics, /health and /ready on a listener of their own (default: on the main "
     "port, to loopback clients and to holders of --metrics-token).",
     applyMetricsListen},
    {"metrics-token", "PITCHEY_METRICS_TOKEN", "token",
     "Bearer token that lets any address read /metrics on the main port.", applyMetricsToken},
    {"log-level", "PITCHEY_LOG_LEVEL", "level", "debug, info (default), warning or error.",
     applyLogLevel},
    {"db-connections", "PITCHEY_DB_CONNECTIONS", "n",
     "With PostgreSQL: connections in this node's pool (default 2; SQLite always uses one).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxThreads,
                       [&](double n) { config.databaseConnections = int(n); });
     }},
    {"commit-window", "PITCHEY_COMMIT_WINDOW", "ms",
     "While writes arrive closer together than this, the database waits up to this long to "
     "store several of them with one disk sync (default 2; 0: never waits; at most 1000).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0, 1000, [&](double ms) {
             config.commitWindow = std::chrono::microseconds(qint64(ms * 1000));
         });
     }},
    {"max-db-backlog", "PITCHEY_MAX_DB_BACKLOG", "n",
     "Database jobs waiting beyond which new messages are refused with rate_limited until "
     "the backlog shrinks (default 20000; 0: no limit).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 0, kMaxNumber,
                       [&](double n) { config.maxDbBacklog = qint64(n); });
     }},
    {"io-threads", "PITCHEY_IO_THREADS", "n",
     "Threads that own the WebSocket connections (default: one per core, up to 16).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxThreads, [&](double n) { config.ioThreads = int(n); });
     }},
    {"cluster-timeout", "PITCHEY_CLUSTER_TIMEOUT", "seconds",
     "With PostgreSQL: a node silent this long is taken for dead, its users offline "
     "(default 30).",
     [](const QString &name, const QString &text, ServerConfig &config) {
         return number(name, text, 1, kMaxNumber,
                       [&](double s) { config.clusterTimeoutMs = qint64(s * 1000); });
     }},
};

} // namespace

std::span<const ServerOption> serverOptions()
{
    return kOptions;
}

} // namespace pitchey::server
