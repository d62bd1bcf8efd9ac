#include "app/ServerConfig.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey::server;

class TestConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    pitchey::Result<ServerConfigLoader::Outcome>
    load(QStringList args, const QProcessEnvironment &env, ServerConfig &config)
    {
        args.prepend(u"pitchey-server"_s);
        ServerConfigLoader loader;
        return loader.load(args, env, config);
    }

    QString writeIni(const QByteArray &text)
    {
        QString path = m_dir.filePath(u"server.conf"_s);
        QFile file(path);
        file.open(QIODevice::WriteOnly | QIODevice::Truncate);
        file.write(text);
        return path;
    }

private Q_SLOTS:
    void defaults()
    {
        ServerConfig config;
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, {}, config).ok());
        QCOMPARE(config.listenAddress, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(config.port, 8000);
        QCOMPARE(config.database.kind, DatabaseUrl::Kind::SQLite);
        QCOMPARE(config.database.sqlitePath, m_dir.filePath(u"pitchey.db"_s));
        QCOMPARE(config.rateBurst, 50.0);
        QCOMPARE(config.ratePerSecond, 20.0);
        QCOMPARE(config.idleTimeout, std::chrono::seconds(120));
        QCOMPARE(config.commitWindow, std::chrono::milliseconds(2));
        ServerConfig shortWindow;
        QVERIFY(
            load({u"--data-dir"_s, m_dir.path(), u"--commit-window"_s, u"0.5"_s}, {}, shortWindow)
                .ok());
        QCOMPARE(shortWindow.commitWindow, std::chrono::microseconds(500));
        QCOMPARE(config.maxDbBacklog, 20'000);
        ServerConfig unbounded;
        QProcessEnvironment noLimit;
        noLimit.insert(u"PITCHEY_MAX_DB_BACKLOG"_s, u"0"_s);
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, noLimit, unbounded).ok());
        QCOMPARE(unbounded.maxDbBacklog, 0);
        QCOMPARE(config.maxConnectionsPerUser, 20);
        QCOMPARE(config.editWindow, std::chrono::hours(48)); // the contract's default
        QCOMPARE(config.maxOutputBytes, 512 * 1024);
        QCOMPARE(config.http.requestLineBytes, 8 * 1024);
        QCOMPARE(config.http.headerBytes, 16 * 1024);
        QCOMPARE(config.http.headerLines, 100);
        QCOMPARE(config.http.requestTimeout, std::chrono::seconds(10));
        QCOMPARE(config.http.keepAliveTimeout, std::chrono::seconds(60));
    }

    void connectionLimitsAtTheirEdges()
    {
        ServerConfig config;
        QVERIFY(load({u"--data-dir"_s, m_dir.path(), u"--max-output-kib"_s, u"256"_s,
                      u"--max-connections-per-user"_s, u"1"_s},
                     {}, config)
                    .ok());
        QCOMPARE(config.maxOutputBytes, 256 * 1024);
        QCOMPARE(config.maxConnectionsPerUser, 1);
    }

    void theEditWindowAtItsEdges()
    {
        ServerConfig none;
        QVERIFY(load({u"--data-dir"_s, m_dir.path(), u"--edit-window"_s, u"0"_s}, {}, none).ok());
        QCOMPARE(none.editWindow, std::chrono::milliseconds(0)); // always
        ServerConfig minute;
        QProcessEnvironment env;
        env.insert(u"PITCHEY_EDIT_WINDOW"_s, u"60"_s);
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, env, minute).ok());
        QCOMPARE(minute.editWindow, std::chrono::seconds(60));
        ServerConfig refused;
        QVERIFY(
            !load({u"--data-dir"_s, m_dir.path(), u"--edit-window"_s, u"-1"_s}, {}, refused).ok());
        QVERIFY(!load({u"--data-dir"_s, m_dir.path(), u"--edit-window"_s, u"soon"_s}, {}, refused)
                     .ok());
    }

    void mentionsPerMessageAtItsEdges()
    {
        ServerConfig defaults;
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, {}, defaults).ok());
        QCOMPARE(defaults.maxMentionsPerMessage, 50); // the contract's default
        ServerConfig one;
        QProcessEnvironment env;
        env.insert(u"PITCHEY_MAX_MENTIONS_PER_MESSAGE"_s, u"1"_s);
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, env, one).ok());
        QCOMPARE(one.maxMentionsPerMessage, 1);
        ServerConfig refused;
        QVERIFY(!load({u"--data-dir"_s, m_dir.path(), u"--max-mentions-per-message"_s, u"0"_s}, {},
                      refused)
                     .ok());
    }

    void reactionsPerMessageAtItsEdges()
    {
        ServerConfig defaults;
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, {}, defaults).ok());
        QCOMPARE(defaults.maxReactionsPerMessage, 20); // the contract's default
        ServerConfig one;
        QProcessEnvironment env;
        env.insert(u"PITCHEY_MAX_REACTIONS_PER_MESSAGE"_s, u"1"_s);
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, env, one).ok());
        QCOMPARE(one.maxReactionsPerMessage, 1);
        ServerConfig refused;
        QVERIFY(!load({u"--data-dir"_s, m_dir.path(), u"--max-reactions-per-message"_s, u"0"_s}, {},
                      refused)
                     .ok());
    }

    void httpLimitsAtTheirEdges()
    {
        ServerConfig config;
        QVERIFY(load({u"--data-dir"_s, m_dir.path(), u"--max-request-line-kib"_s, u"1"_s,
                      u"--max-header-kib"_s, u"1"_s, u"--max-header-lines"_s, u"10"_s,
                      u"--request-timeout"_s, u"0.1"_s, u"--keep-alive-timeout"_s, u"0.1"_s},
                     {}, config)
                    .ok());
        QCOMPARE(config.http.requestLineBytes, 1024);
        QCOMPARE(config.http.headerBytes, 1024);
        QCOMPARE(config.http.headerLines, 10);
        QCOMPARE(config.http.requestTimeout, std::chrono::milliseconds(100));
        QCOMPARE(config.http.keepAliveTimeout, std::chrono::milliseconds(100));
    }

    void commandLineThenEnvironmentThenFile()
    {
        const QString ini = writeIni("port=7001\nlisten=0.0.0.0\nrate-burst=9\n");
        QProcessEnvironment env;
        env.insert(u"PITCHEY_PORT"_s, u"7002"_s);
        env.insert(u"PITCHEY_CONFIG"_s, ini);
        env.insert(u"PITCHEY_DATA_DIR"_s, m_dir.path());
        env.insert(u"JWT_SECRET"_s, u"0123456789abcdef0123"_s);
        ServerConfig config;
        QVERIFY(load({}, env, config).ok());
        QCOMPARE(config.port, 7002);                                         // env over file
        QCOMPARE(config.listenAddress, QHostAddress(QHostAddress::AnyIPv4)); // file over default
        QCOMPARE(config.rateBurst, 9.0);
        QCOMPARE(config.jwtSecret, "0123456789abcdef0123"_ba);
        ServerConfig overridden;
        QVERIFY(load({u"--port"_s, u"7003"_s}, env, overridden).ok());
        QCOMPARE(overridden.port, 7003); // command line over env
    }

    void unusableValuesAreOneClearError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        // One bad value for one option; the error names the option.
        const auto refused = [](const char *name, const QString &option, const QString &value) {
            QTest::newRow(name) << QStringList{option, value} << option;
        };
        refused("port", u"--port"_s, u"70000"_s);
        refused("listen", u"--listen"_s, u"localhost:1"_s);
        refused("url", u"--database"_s, u"mysql://x/y"_s);
        QTest::newRow("data dir") << QStringList{u"--data-dir"_s, u"/etc/passwd/inside"_s}
                                  << u"data directory"_s;
        QTest::newRow("unknown option") << QStringList{u"--colour"_s, u"red"_s} << u"colour"_s;
        QTest::newRow("short secret")
            << QStringList{u"--jwt-secret"_s, u"short"_s} << u"JWT_SECRET"_s;
        QTest::newRow("missing config")
            << QStringList{u"--config"_s, u"/nonexistent.conf"_s} << u"config file"_s;
        QTest::newRow("rate") << QStringList{u"--rate-per-second"_s, u"fast"_s}
                              << u"rate-per-second"_s;
        QTest::newRow("tls cert alone")
            << QStringList{u"--tls-cert"_s, u"/etc/hostname"_s} << u"--tls-key"_s;
        QTest::newRow("tls unreadable") << QStringList{u"--tls-cert"_s, u"/nonexistent.pem"_s,
                                                       u"--tls-key"_s, u"/nonexistent.pem"_s}
                                        << u"/nonexistent.pem"_s;
        refused("metrics listen", u"--metrics-listen"_s, u"9100"_s);
        refused("metrics token", u"--metrics-token"_s, u"short"_s);
        refused("log level", u"--log-level"_s, u"loud"_s);
        refused("pool", u"--db-connections"_s, u"0"_s);
        refused("huge pool", u"--db-connections"_s, u"500"_s);
        refused("no I/O thread", u"--io-threads"_s, u"0"_s);
        refused("negative commit window", u"--commit-window"_s, u"-1"_s);
        refused("commit window not a number", u"--commit-window"_s, u"nan"_s);
        refused("rate not a number", u"--rate-burst"_s, u"nan"_s);
        refused("endless idle timeout", u"--idle-timeout"_s, u"inf"_s);
        refused("token for ever", u"--token-lifetime-days"_s, u"1e300"_s);
        refused("long commit window", u"--commit-window"_s, u"1001"_s);
        refused("negative backlog", u"--max-db-backlog"_s, u"-5"_s);
        refused("no connection per user", u"--max-connections-per-user"_s, u"0"_s);
        refused("output under a page", u"--max-output-kib"_s, u"255"_s);
        refused("request line under 1 KiB", u"--max-request-line-kib"_s, u"0.5"_s);
        refused("header under 1 KiB", u"--max-header-kib"_s, u"0"_s);
        refused("under ten header lines", u"--max-header-lines"_s, u"9"_s);
        refused("no request timeout", u"--request-timeout"_s, u"0.09"_s);
        refused("no keep-alive", u"--keep-alive-timeout"_s, u"0"_s);
        refused("too many I/O threads", u"--io-threads"_s, u"65"_s);
    }

    void unusableValuesAreOneClearError()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        if (!args.contains(u"--data-dir"_s))
            args << u"--data-dir"_s << m_dir.path();
        ServerConfig config;
        const auto result = load(args, {}, config);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().message.contains(mentions), qPrintable(result.error().message));
        QVERIFY(!result.error().message.contains(u'\n'));
    }

    void operationsSettings()
    {
        ServerConfig config;
        QVERIFY(load({u"--data-dir"_s, m_dir.path(), u"--metrics-listen"_s, u"[::1]:9100"_s,
                      u"--log-level"_s, u"debug"_s},
                     {}, config)
                    .ok());
        QCOMPARE(config.metricsAddress, QHostAddress(QHostAddress::LocalHostIPv6));
        QCOMPARE(config.metricsPort, std::optional<quint16>(9100));
        QCOMPARE(config.logLevel, QtDebugMsg);
        ServerConfig plain;
        QVERIFY(load({u"--data-dir"_s, m_dir.path()}, {}, plain).ok());
        QVERIFY(!plain.metricsPort.has_value());
        QCOMPARE(plain.logLevel, QtInfoMsg);
    }

    void packagedConfigurationDescribesEverySetting()
    {
        // packaging/server.conf (installed as /etc/pitchey/server.conf) and the man page
        // follow the one list of settings.
        QFile conf(QStringLiteral(PITCHEY_SOURCE_DIR "/packaging/server.conf"));
        QFile man(QStringLiteral(PITCHEY_SOURCE_DIR "/packaging/pitchey-server.1"));
        QVERIFY(conf.open(QIODevice::ReadOnly) && man.open(QIODevice::ReadOnly));
        const QString confText = QString::fromUtf8(conf.readAll());
        const QString manText = QString::fromUtf8(man.readAll());
        ServerConfigLoader loader;
        for (const QString &name : loader.optionNames()) {
            if (name == "config"_L1)
                continue;
            QVERIFY2(
                QRegularExpression(u"^;? ?%1 ="_s.arg(name), QRegularExpression::MultilineOption)
                    .match(confText)
                    .hasMatch(),
                qPrintable(name));
            QVERIFY2(manText.contains(u"\\-\\-"_s + QString(name).replace(u'-', u"\\-"_s)),
                     qPrintable(name));
        }
        // It loads as it is (the data directory it names is the package's).
        ServerConfig config;
        const auto loaded =
            load({u"--config"_s, conf.fileName(), u"--data-dir"_s, m_dir.path()}, {}, config);
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));
        QCOMPARE(config.port, 8000);
    }

    void unknownIniKeyIsRefused()
    {
        const QString ini = writeIni("prot=1\n");
        ServerConfig config;
        const auto result = load({u"--config"_s, ini, u"--data-dir"_s, m_dir.path()}, {}, config);
        QVERIFY(!result.ok());
        QVERIFY(result.error().message.contains(u"prot"_s));
    }

    void helpAndVersion()
    {
        ServerConfig config;
        QCOMPARE(load({u"--help"_s}, {}, config).value(), ServerConfigLoader::Outcome::ShowHelp);
        QCOMPARE(load({u"--version"_s}, {}, config).value(),
                 ServerConfigLoader::Outcome::ShowVersion);
    }

    void postgresUrlsParse()
    {
        const auto url =
            DatabaseUrl::parse(u"postgresql://app:s3cret@db.example:6543/chat"_s, m_dir.path());
        QVERIFY(url.ok());
        QCOMPARE(url.value().kind, DatabaseUrl::Kind::PostgreSQL);
        QCOMPARE(url.value().host, u"db.example"_s);
        QCOMPARE(url.value().port, 6543);
        QCOMPARE(url.value().databaseName, u"chat"_s);
        QVERIFY(!url.value().describe().contains(u"s3cret"_s));
    }

    void secretIsGeneratedOnceWithOwnerOnlyPermissions()
    {
        QTemporaryDir dir;
        const auto first = ServerConfigLoader::loadOrCreateSecret(dir.path());
        QVERIFY(first.ok());
        QVERIFY(first.value().size() >= 32);
        const QFile::Permissions permissions = QFile::permissions(dir.filePath(u"jwt-secret"_s));
        QCOMPARE(permissions &
                     (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
                 QFile::Permissions());
        QCOMPARE(ServerConfigLoader::loadOrCreateSecret(dir.path()).value(), first.value());
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
