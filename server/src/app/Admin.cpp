#include "app/Admin.h"

#include "app/ServerConfig.h"
#include "auth/PasswordHasher.h"
#include "http/Tls.h"
#include "protocol/Validation.h"
#include "storage/DbWorker.h"
#include "storage/Migrations.h"
#include "storage/Sql.h"
#include "storage/UserRepository.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

constexpr auto kUsage = R"(Usage: pitchey-server admin COMMAND [ARGUMENTS] [server options]

Commands:
  create-user USERNAME   Create an account; the password is read from standard input.
  reset-password USERNAME
                         Set a new password, read from standard input.
  migrate                Bring the database schema to this version's.
  check-config           Check the settings, files and database; change nothing.
  backup FILE            Write a consistent copy of the SQLite database while the server runs,
                         and the attachments' files after it in FILE.media/.

The server options (--config, --data-dir, --database, ...) select the database, exactly as
for the server. `pitchey-server admin COMMAND --help` lists them.)";

void out(const QString &text)
{
    std::fprintf(stdout, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stdout);
}

int fail(const QString &text)
{
    std::fprintf(stderr, "pitchey-server admin: %s\n", text.toLocal8Bit().constData());
    return 1;
}

QString readLine(bool hidden)
{
    termios saved{};
    const bool terminal =
        hidden && ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    QTextStream in(stdin);
    QString line = in.readLine();
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fprintf(stderr, "\n");
    }
    return line;
}

// From a terminal: asked twice, without echo. From a pipe: the first line.
std::optional<QString> readNewPassword()
{
    if (!::isatty(STDIN_FILENO))
        return readLine(false);
    std::fprintf(stderr, "New password: ");
    const QString first = readLine(true);
    std::fprintf(stderr, "Repeat it: ");
    if (readLine(true) != first)
        return std::nullopt;
    return first;
}

// Runs one job on a database worker and waits for it.
template<typename T> Result<T> runJob(DbWorker &db, std::function<Result<T>(QSqlDatabase &)> job)
{
    auto future = db.submit<T>(std::move(job));
    future.waitForFinished();
    return future.result();
}

std::optional<QString> passwordOrError(int &status)
{
    auto password = readNewPassword();
    if (!password) {
        status = fail(u"the two passwords differ"_s);
        return std::nullopt;
    }
    if (auto invalid = validatePassword(*password)) {
        status = fail(invalid->message);
        return std::nullopt;
    }
    return password;
}

int createUser(const ServerConfig &config, const ServerConfigLoader::Command &command)
{
    const QString username = command.arguments.at(0);
    if (auto invalid = validateUsername(username))
        return fail(invalid->message);
    const QString displayName = command.values.value(u"display-name"_s, username);
    if (auto invalid = validateDisplayName(displayName))
        return fail(invalid->message);
    std::optional<QString> email;
    if (command.values.contains(u"email"_s)) {
        email = command.values.value(u"email"_s);
        if (auto invalid = validateEmail(*email))
            return fail(invalid->message);
    }
    int status = 0;
    const auto password = passwordOrError(status);
    if (!password)
        return status;
    const QByteArray hash = PasswordHasher(config.passwordCost).hash(*password);
    if (hash.isEmpty())
        return fail(u"could not hash the password"_s);

    DbWorker db(config.database);
    if (auto opened = db.start(); !opened.ok())
        return fail(opened.error().message);
    auto created = runJob<Credentials>(db, [&](QSqlDatabase &connection) {
        return UserRepository::create(connection, username, displayName, email, hash);
    });
    if (!created.ok())
        return fail(created.error().message);
    const User &user = created.value().user;
    out(u"created user %1 (id %2)"_s.arg(user.username).arg(user.id));
    return 0;
}

int resetPassword(const ServerConfig &config, const ServerConfigLoader::Command &command)
{
    const QString username = command.arguments.at(0);
    DbWorker db(config.database);
    if (auto opened = db.start(); !opened.ok())
        return fail(opened.error().message);
    auto known = runJob<std::optional<Credentials>>(db, [&](QSqlDatabase &connection) {
        return UserRepository::credentials(connection, username);
    });
    if (!known.ok())
        return fail(known.error().message);
    if (!known.value())
        return fail(u"there is no user %1"_s.arg(username));
    int status = 0;
    const auto password = passwordOrError(status);
    if (!password)
        return status;
    const QByteArray hash = PasswordHasher(config.passwordCost).hash(*password);
    auto changed = runJob<bool>(db, [&](QSqlDatabase &connection) {
        return UserRepository::setPasswordHash(connection, username, hash);
    });
    if (!changed.ok() || !changed.value())
        return fail(changed.ok() ? u"there is no user %1"_s.arg(username)
                                 : changed.error().message);
    out(u"new password set for %1 (tokens issued before stay valid until they expire)"_s.arg(
        username));
    return 0;
}

Result<int> schemaVersion(const DatabaseUrl &url)
{
    DbWorker db(url, DbWorker::kOpenOnly);
    if (auto opened = db.start(); !opened.ok())
        return opened.error();
    return runJob<int>(db, [](QSqlDatabase &connection) -> Result<int> {
        return Migrations::currentVersion(connection);
    });
}

int migrate(const ServerConfig &config)
{
    auto before = schemaVersion(config.database);
    if (!before.ok())
        return fail(before.error().message);
    {
        DbWorker db(config.database);
        if (auto migrated = db.start(); !migrated.ok())
            return fail(migrated.error().message);
    }
    if (before.value() == Migrations::latestVersion())
        out(u"the schema is at version %1 already"_s.arg(before.value()));
    else
        out(u"the schema went from version %1 to %2"_s.arg(before.value())
                .arg(Migrations::latestVersion()));
    return 0;
}

int checkConfig(const ServerConfig &config)
{
    int problems = 0;
    auto report = [&](bool ok, const QString &what) {
        out(u"%1 %2"_s.arg(ok ? u"ok     "_s : u"PROBLEM"_s, what));
        if (!ok)
            ++problems;
    };
    const bool tls = !config.tlsCertFile.isEmpty();
    report(true, u"listen on %1:%2 (%3)"_s.arg(config.listenAddress.toString())
                     .arg(config.port)
                     .arg(tls ? u"https, wss"_s : u"http, ws"_s));
    report(true, u"data directory %1 is writable"_s.arg(config.dataDir));
    if (tls) {
        auto loaded = loadTlsConfiguration(config.tlsCertFile, config.tlsKeyFile);
        report(loaded.ok(),
               loaded.ok() ? u"TLS certificate and key load"_s : loaded.error().message);
    }
    if (config.jwtSecret.isEmpty()) {
        const QFileInfo secret(QDir(config.dataDir).filePath(u"jwt-secret"_s));
        report(!secret.exists() || secret.isReadable(),
               secret.exists() ? u"token secret kept in %1"_s.arg(secret.filePath())
                               : u"token secret will be generated at the first start"_s);
    }
    auto version = schemaVersion(config.database);
    if (!version.ok()) {
        report(false, version.error().message);
    } else if (version.value() > Migrations::latestVersion()) {
        report(false, u"database %1 has schema version %2, newer than this server's %3"_s
                          .arg(config.database.describe())
                          .arg(version.value())
                          .arg(Migrations::latestVersion()));
    } else {
        report(true,
               u"database %1 answers, schema version %2 of %3%4"_s.arg(config.database.describe())
                   .arg(version.value())
                   .arg(Migrations::latestVersion())
                   .arg(version.value() < Migrations::latestVersion()
                            ? u" (the server migrates it at start)"_s
                            : QString()));
    }
    report(true, config.smtpUrl.isEmpty() ? u"email digests are off"_s
                                          : u"email digests through %1"_s.arg(config.smtpUrl));
    report(
        true,
        config.metricsPort
            ? u"metrics on %1:%2"_s.arg(config.metricsAddress.toString()).arg(*config.metricsPort)
            : u"metrics on the main port, for loopback%1"_s.arg(
                  config.metricsToken.isEmpty() ? QString() : u" and token holders"_s));
    if (problems > 0)
        return fail(u"%1 problem(s)"_s.arg(problems));
    return 0;
}

// The attachments' files beside the database's copy (`target`.media/): hard links where
// the backup is on the same file system (files never change once written: their name is
// their hash), copies elsewhere. After the database: every file its copy names is there,
// unless a sweep removed it in between (its message deleted meanwhile). -1 on failure.
qint64 backupMedia(const ServerConfig &config, const QString &target)
{
    const QString media =
        config.mediaDir.isEmpty() ? config.dataDir + u"/media"_s : config.mediaDir;
    const QDir from(media);
    qint64 files = 0;
    QDirIterator it(media, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = from.relativeFilePath(path);
        if (relative.startsWith(u"tmp/"_s))
            continue; // uploads under way
        const QString copy = target + u".media/"_s + relative;
        if (!QDir().mkpath(QFileInfo(copy).absolutePath()))
            return -1;
        if (::link(QFile::encodeName(path).constData(), QFile::encodeName(copy).constData()) != 0 &&
            !QFile::copy(path, copy) && QFile::exists(path))
            return -1;
        ++files;
    }
    return files;
}

int backup(const ServerConfig &config, const QString &target)
{
    if (config.database.kind != DatabaseUrl::Kind::SQLite)
        return fail(u"backup copies SQLite databases; for PostgreSQL use pg_dump"_s);
    const QFileInfo targetInfo(target);
    if (targetInfo.exists())
        return fail(u"%1 exists already; name a new file"_s.arg(target));
    if (!QFileInfo(config.database.sqlitePath).exists())
        return fail(u"there is no database at %1"_s.arg(config.database.sqlitePath));
    const QString partial = targetInfo.absoluteFilePath() + u".partial"_s;
    QFile::remove(partial);

    const QString name = u"pitchey-backup"_s;
    QString error;
    qint64 messages = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(config.database.sqlitePath);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            // One read transaction: a consistent snapshot, while the server goes on writing.
            QSqlQuery query(db);
            query.exec(u"PRAGMA busy_timeout=10000"_s);
            if (!query.prepare(u"VACUUM INTO ?"_s)) {
                error = query.lastError().text();
            } else {
                query.addBindValue(partial);
                if (!query.exec())
                    error = query.lastError().text();
            }
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    if (error.isEmpty()) {
        // Check the copy before it takes the name.
        QSqlDatabase copy = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        copy.setDatabaseName(partial);
        if (!copy.open()) {
            error = copy.lastError().text();
        } else {
            QSqlQuery check(copy);
            if (!check.exec(u"PRAGMA integrity_check"_s) || !check.next() ||
                check.value(0).toString() != "ok"_L1)
                error = u"the copy fails its integrity check"_s;
            else if (check.exec(u"SELECT COUNT(*) FROM messages"_s) && check.next())
                messages = check.value(0).toLongLong();
            copy.close();
        }
        copy = {};
        QSqlDatabase::removeDatabase(name);
    }
    if (!error.isEmpty()) {
        QFile::remove(partial);
        return fail(u"backup failed: %1"_s.arg(error));
    }
    if (!QFile::rename(partial, target)) {
        QFile::remove(partial);
        return fail(u"cannot write %1"_s.arg(target));
    }
    out(u"backup written to %1 (%2 messages, %3 bytes)"_s.arg(target).arg(messages).arg(
        QFileInfo(target).size()));
    const qint64 files = backupMedia(config, target);
    if (files < 0)
        return fail(u"cannot copy the attachments to %1.media"_s.arg(target));
    out(u"attachments in %1.media (%2 files)"_s.arg(target).arg(files));
    return 0;
}

} // namespace

int runAdmin(const QStringList &arguments)
{
    const QString name = arguments.value(2);
    if (name.isEmpty() || name == "--help"_L1 || name == "-h"_L1 || name == "help"_L1) {
        out(QString::fromLatin1(kUsage));
        return name.isEmpty() ? 2 : 0;
    }
    ServerConfigLoader::Command command;
    if (name == "create-user"_L1) {
        command.synopsis = u"USERNAME"_s;
        command.positionals = 1;
        command.options = {
            QCommandLineOption(u"display-name"_s, u"Name shown to others (default: username)."_s,
                               u"name"_s),
            QCommandLineOption(u"email"_s, u"Address for email digests."_s, u"address"_s)};
    } else if (name == "reset-password"_L1) {
        command.synopsis = u"USERNAME"_s;
        command.positionals = 1;
    } else if (name == "backup"_L1) {
        command.synopsis = u"FILE"_s;
        command.positionals = 1;
    } else if (name != "migrate"_L1 && name != "check-config"_L1) {
        std::fprintf(stderr, "pitchey-server admin: unknown command '%s'\n\n%s\n",
                     name.toLocal8Bit().constData(), kUsage);
        return 2;
    }

    QStringList forLoader = {arguments.value(0) + u" admin "_s + name};
    forLoader += arguments.mid(3);
    ServerConfigLoader loader;
    ServerConfig config;
    const auto loaded =
        loader.load(forLoader, QProcessEnvironment::systemEnvironment(), config, &command);
    if (!loaded.ok()) {
        std::fprintf(stderr, "pitchey-server admin %s: %s\n", name.toLocal8Bit().constData(),
                     loaded.error().message.toLocal8Bit().constData());
        return 2;
    }
    if (loaded.value() != ServerConfigLoader::Outcome::Run) {
        out(loader.helpText());
        return 0;
    }

    if (name == "create-user"_L1)
        return createUser(config, command);
    if (name == "reset-password"_L1)
        return resetPassword(config, command);
    if (name == "migrate"_L1)
        return migrate(config);
    if (name == "check-config"_L1)
        return checkConfig(config);
    return backup(config, command.arguments.at(0));
}

} // namespace pitchey::server
