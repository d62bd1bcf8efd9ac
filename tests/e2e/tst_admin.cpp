// `pitchey-server admin ...`, the real executable against a real SQLite database, and the
// server it administers.
#include "Clients.h"
#include "ServerProcess.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run admin(const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    process.start(QStringLiteral(PITCHEY_SERVER_BINARY), QStringList{u"admin"_s} + arguments);
    if (!process.waitForStarted(5000))
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QStringList on(const QTemporaryDir &dir)
{
    return {u"--data-dir"_s, dir.path(), u"--password-cost"_s, u"minimal"_s};
}

int loginStatus(quint16 port, const QString &username, const QString &password)
{
    HttpClient http(httpUrl(port));
    return http.post(u"/api/auth/login"_s, {{"username"_L1, username}, {"password"_L1, password}})
        .status;
}

} // namespace

class TestAdmin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usageWithoutACommand()
    {
        const Run none = admin({});
        QCOMPARE(none.exitCode, 2);
        QVERIFY(none.out.contains(u"create-user"_s));
        const Run unknown = admin({u"frobnicate"_s});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains(u"unknown command 'frobnicate'"_s));
        const Run help = admin({u"backup"_s, u"--help"_s});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains(u"--data-dir"_s));
    }

    void createUserThenLogIn()
    {
        QTemporaryDir dir;
        const Run created =
            admin(QStringList{u"create-user"_s, u"alice"_s, u"--display-name"_s, u"Alice Liddell"_s,
                              u"--email"_s, u"a@example.org"_s} +
                      on(dir),
                  "wonderland1\n");
        QCOMPARE(created.exitCode, 0);
        QVERIFY2(created.out.contains(u"created user alice (id 1)"_s), qPrintable(created.out));
        QVERIFY(!created.out.contains(u"wonderland1"_s) && !created.err.contains(u"wonderland1"_s));

        const Run again = admin(QStringList{u"create-user"_s, u"alice"_s} + on(dir), "another1\n");
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains(u"taken"_s));
        const Run weak = admin(QStringList{u"create-user"_s, u"bob"_s} + on(dir), "short\n");
        QCOMPARE(weak.exitCode, 1);
        QVERIFY(weak.err.contains(u"at least 8"_s));
        const Run badName = admin(QStringList{u"create-user"_s, u"no spaces"_s} + on(dir), "x\n");
        QCOMPARE(badName.exitCode, 1);

        QProcess server;
        const quint16 port = startServer(server, dir.path());
        QVERIFY(port != 0);
        HttpClient http(httpUrl(port));
        const auto login = http.post(
            u"/api/auth/login"_s, {{"username"_L1, u"alice"_s}, {"password"_L1, u"wonderland1"_s}});
        QCOMPARE(login.status, 200);
        QCOMPARE(login.body.value("user"_L1).toObject().value("displayName"_L1).toString(),
                 u"Alice Liddell"_s);
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
    }

    void resetPasswordWhileTheServerRuns()
    {
        QTemporaryDir dir;
        QCOMPARE(
            admin(QStringList{u"create-user"_s, u"alice"_s} + on(dir), "first-pass\n").exitCode, 0);
        QProcess server;
        const quint16 port = startServer(server, dir.path());
        QVERIFY(port != 0);
        QCOMPARE(loginStatus(port, u"alice"_s, u"first-pass"_s), 200);

        const Run reset =
            admin(QStringList{u"reset-password"_s, u"ALICE"_s} + on(dir), "second-pass\n");
        QCOMPARE(reset.exitCode, 0);
        QCOMPARE(loginStatus(port, u"alice"_s, u"first-pass"_s), 401);
        QCOMPARE(loginStatus(port, u"alice"_s, u"second-pass"_s), 200);

        const Run unknown =
            admin(QStringList{u"reset-password"_s, u"nobody"_s} + on(dir), "whatever-pass\n");
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains(u"there is no user nobody"_s));
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
    }

    void migrateReportsTheVersion()
    {
        QTemporaryDir dir;
        const Run first = admin(QStringList{u"migrate"_s} + on(dir));
        QCOMPARE(first.exitCode, 0);
        QVERIFY2(first.out.contains(u"the schema went from version 0 to "_s),
                 qPrintable(first.out));
        const Run second = admin(QStringList{u"migrate"_s} + on(dir));
        QCOMPARE(second.exitCode, 0);
        QVERIFY(second.out.contains(u"already"_s));
    }

    void checkConfigFindsProblemsAndChangesNothing()
    {
        QTemporaryDir dir;
        QFile ini(dir.filePath(u"server.conf"_s));
        QVERIFY(ini.open(QIODevice::WriteOnly));
        ini.write("; a comment\nport = 8123\nlog-level = warning\n");
        ini.close();
        const QStringList withConfig = QStringList{u"--config"_s, ini.fileName()} + on(dir);
        const Run good = admin(QStringList{u"check-config"_s} + withConfig);
        QCOMPARE(good.exitCode, 0);
        QVERIFY2(good.out.contains(u"127.0.0.1:8123"_s), qPrintable(good.out));
        QVERIFY(good.out.contains(u"schema version 0 of"_s));
        QVERIFY(!QFile::exists(dir.filePath(u"jwt-secret"_s)));
        QCOMPARE(admin(QStringList{u"check-config"_s} + withConfig).exitCode, 0);

        // A "certificate" that is none: found by loading it, as the server would.
        QFile junk(dir.filePath(u"junk.pem"_s));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a certificate\n");
        junk.close();
        const Run badTls = admin(QStringList{u"check-config"_s, u"--tls-cert"_s, junk.fileName(),
                                             u"--tls-key"_s, junk.fileName()} +
                                 withConfig);
        QCOMPARE(badTls.exitCode, 1);
        QVERIFY2(badTls.out.contains(u"PROBLEM"_s), qPrintable(badTls.out));

        const Run badValue =
            admin(QStringList{u"check-config"_s, u"--log-level"_s, u"loud"_s} + withConfig);
        QCOMPARE(badValue.exitCode, 2);
        QVERIFY(badValue.err.contains(u"--log-level"_s));
    }

    void backupIsConsistentWhileTheServerWrites()
    {
        QTemporaryDir dir;
        AliceWritesToBob load;
        QVERIFY(load.start(dir.path()));
        QProcess &server = load.server;
        WsClient &socket = load.socket;
        HttpClient http(httpUrl(load.port));
        const QByteArray file = "a file that goes with the backup";
        const auto uploaded =
            http.sendWithHeaders("POST", u"/api/media?filename=f.txt"_s, file,
                                 {{"Authorization", "Bearer " + load.alice.token.toLatin1()}});
        QCOMPARE(uploaded.status, 201);
        const QString hash = uploaded.body["attachment"_L1]["sha256"_L1].toString();
        load.send(100, u"b"_s);
        QVERIFY(!socket.waitFor(u"message_sent"_s, 10000).isEmpty());
        // The backup runs while the rest is still being written.
        const QString target = dir.filePath(u"copy.db"_s);
        const Run backup = admin(QStringList{u"backup"_s, target} + on(dir));
        QCOMPARE(backup.exitCode, 0);
        QVERIFY2(backup.out.contains(u"backup written"_s), qPrintable(backup.out + backup.err));
        for (int i = 1; i < 100; ++i)
            QVERIFY(!socket.waitFor(u"message_sent"_s, 10000).isEmpty());

        qint64 copied = -1;
        {
            QSqlDatabase copy = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"copy"_s);
            copy.setDatabaseName(target);
            QVERIFY(copy.open());
            QSqlQuery query(copy);
            QVERIFY(query.exec(u"PRAGMA integrity_check"_s) && query.next());
            QCOMPARE(query.value(0).toString(), u"ok"_s);
            QVERIFY(query.exec(u"SELECT COUNT(*) FROM messages"_s) && query.next());
            copied = query.value(0).toLongLong();
            QVERIFY(query.exec(u"SELECT COUNT(*) FROM users"_s) && query.next());
            QCOMPARE(query.value(0).toInt(), 2);
            QVERIFY(query.exec(u"SELECT MAX(id) - MIN(id) + 1 FROM messages"_s) && query.next());
            QCOMPARE(query.value(0).toLongLong(), copied); // a prefix, no holes
        }
        QSqlDatabase::removeDatabase(u"copy"_s);
        QVERIFY(copied >= 1 && copied <= 100);
        QVERIFY(backup.out.contains(u"(%1 messages"_s.arg(copied)));

        QVERIFY2(backup.out.contains(u"attachments in %1.media (1 files)"_s.arg(target)),
                 qPrintable(backup.out));
        QFile copiedFile(target + u".media/"_s + hash.left(2) + u'/' + hash);
        QVERIFY(copiedFile.open(QIODevice::ReadOnly));
        QCOMPARE(copiedFile.readAll(), file);
        QCOMPARE(admin(QStringList{u"backup"_s, target} + on(dir)).exitCode, 1); // never overwrites
        server.terminate();
        QVERIFY(server.waitForFinished(10000));

        // The copy is a working data directory.
        QTemporaryDir restored;
        QVERIFY(QFile::copy(target, restored.filePath(u"pitchey.db"_s)));
        QProcess second;
        const quint16 again = startServer(second, restored.path());
        QVERIFY(again != 0);
        QCOMPARE(loginStatus(again, u"alice"_s, u"password123"_s), 200);
        second.terminate();
        QVERIFY(second.waitForFinished(10000));
    }
};

QTEST_GUILESS_MAIN(TestAdmin)
#include "tst_admin.moc"
