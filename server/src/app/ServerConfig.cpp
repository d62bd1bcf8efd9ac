#include "app/ServerConfig.h"

#include "app/ServerOptions.h"

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
    for (const ServerOption &option : serverOptions())
        m_optionNames.append(QString::fromLatin1(option.name));
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
    auto parsed = parseCommandLine(parser, arguments, command);
    if (!parsed.ok() || parsed.value() != Outcome::Run)
        return parsed;

    // Each setting from the command line, else the environment, else the INI file.
    std::unique_ptr<QSettings> ini;
    auto value = [&](const ServerOption &option) -> std::optional<QString> {
        const QString name = QString::fromLatin1(option.name);
        if (parser.isSet(name))
            return parser.value(name);
        const QString variable = QString::fromLatin1(option.environment);
        if (environment.contains(variable))
            return environment.value(variable);
        if (ini && ini->contains(name))
            return ini->value(name).toString();
        return std::nullopt;
    };
    auto valueOf = [&](const char *name) {
        for (const ServerOption &option : serverOptions()) {
            if (qstrcmp(option.name, name) == 0)
                return value(option);
        }
        return std::optional<QString>();
    };

    if (const auto file = valueOf("config")) {
        auto opened = openIni(*file);
        if (!opened.ok())
            return opened.error();
        ini = std::move(opened.value());
    }
    if (auto stored = applyStorage(valueOf("data-dir"), valueOf("database"), config); !stored.ok())
        return stored.error();
    for (const ServerOption &option : serverOptions()) {
        const auto text = option.apply ? value(option) : std::nullopt;
        if (!text)
            continue;
        if (auto applied = option.apply(QString::fromLatin1(option.name), *text, config);
            !applied.ok())
            return applied.error();
    }
    config.smtpPassword = environment.value(u"SMTP_PASSWORD"_s);
    if (auto checked = checkTogether(config); !checked.ok())
        return checked.error();
    return Outcome::Run;
}

Result<ServerConfigLoader::Outcome>
ServerConfigLoader::parseCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                                     Command *command)
{
    parser.setApplicationDescription(
        u"Pitchey Messenger server: HTTP JSON API and WebSocket on one port.\n"
        "Every option may also be given as the environment variable shown, or as a\n"
        "key of the --config INI file; the command line wins, then the environment.\n"
        "Administration (create-user, reset-password, migrate, check-config, backup):\n"
        "pitchey-server admin --help"_s);
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    for (const ServerOption &option : serverOptions()) {
        parser.addOption(
            QCommandLineOption(QString::fromLatin1(option.name),
                               u"%1 [%2]"_s.arg(QString::fromLatin1(option.description),
                                                QString::fromLatin1(option.environment)),
                               QString::fromLatin1(option.valueName)));
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
    return Outcome::Run;
}

Result<std::unique_ptr<QSettings>> ServerConfigLoader::openIni(const QString &file) const
{
    if (!QFileInfo(file).isReadable())
        return Error::badRequest(u"config file %1 cannot be read"_s.arg(file));
    auto ini = std::make_unique<QSettings>(file, QSettings::IniFormat);
    if (ini->status() != QSettings::NoError)
        return Error::badRequest(u"config file %1 is not a valid INI file"_s.arg(file));
    for (const QString &key : ini->allKeys()) {
        if (!m_optionNames.contains(key) || key == "config"_L1)
            return Error::badRequest(u"config file %1: unknown setting '%2'"_s.arg(file, key));
    }
    return ini;
}

// The data directory (made if missing, and writable) and the database, which defaults to
// a file in it.
Status ServerConfigLoader::applyStorage(const std::optional<QString> &dataDir,
                                        const std::optional<QString> &database,
                                        ServerConfig &config)
{
    config.dataDir =
        dataDir.value_or(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
    if (config.dataDir.isEmpty())
        return Error::badRequest(u"no data directory: give --data-dir"_s);
    config.dataDir = QDir(config.dataDir).absolutePath();
    if (auto writable = checkWritable(config.dataDir); !writable.ok())
        return writable.error();
    auto url = DatabaseUrl::parse(database.value_or(QString()), config.dataDir);
    if (!url.ok())
        return Error::badRequest(u"--database: %1"_s.arg(url.error().message));
    config.database = url.value();
    return Done{};
}

// What only makes sense with another setting.
Status ServerConfigLoader::checkTogether(const ServerConfig &config)
{
    if (!config.smtpUrl.isEmpty() && !config.mailFrom.contains(u'@'))
        return Error::badRequest(u"--mail-from: give the sender's address for email"_s);
    if (config.tlsCertFile.isEmpty() != config.tlsKeyFile.isEmpty())
        return Error::badRequest(u"--tls-cert and --tls-key go together"_s);
    for (const QString &file : {config.tlsCertFile, config.tlsKeyFile}) {
        if (!file.isEmpty() && !QFileInfo(file).isReadable())
            return Error::badRequest(u"cannot read the TLS file %1"_s.arg(file));
    }
    return Done{};
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
