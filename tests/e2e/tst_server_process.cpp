// The real pitchey-server executable: durability across SIGKILL, graceful SIGTERM, the
// command line.
#include "Clients.h"
#include "ServerProcess.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestServerProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acknowledgedMessagesSurviveSigkill()
    {
        QTemporaryDir dir;
        AliceWritesToBob load;
        QVERIFY(load.start(dir.path()));
        QProcess &server = load.server;
        WsClient &socket = load.socket;
        const auto &bob = load.bob;
        // Keep a stream of sends in flight and kill the server in the middle of it.
        const int total = 2000;
        load.send(total, u"d"_s);
        QVERIFY(QTest::qWaitFor([&] { return socket.framesOf(u"message_sent"_s).size() >= 300; },
                                20000));
        ::kill(pid_t(server.processId()), SIGKILL);
        QVERIFY(server.waitForFinished(5000));
        QTest::qWait(200); // let the last frames that were already on the wire arrive

        QMap<qint64, QString> acknowledged;
        for (const QJsonObject &frame : socket.framesOf(u"message_sent"_s))
            acknowledged.insert(frame.value("messageId"_L1).toInteger(),
                                frame.value("clientMessageId"_L1).toString());
        QVERIFY(acknowledged.size() >= 300);
        qInfo() << acknowledged.size() << "of" << total << "sends were acknowledged before SIGKILL";

        QProcess restarted;
        const quint16 again = startServer(restarted, dir.path());
        QVERIFY(again != 0);
        HttpClient after(httpUrl(again));
        // The old token still works: the generated secret was kept in the data directory.
        const auto conversations = after.get(u"/api/messages/conversations"_s, bob.token);
        QCOMPARE(conversations.status, 200);
        const qint64 conversationId = conversations.body.value("conversations"_L1)
                                          .toArray()
                                          .at(0)
                                          .toObject()
                                          .value("id"_L1)
                                          .toInteger();
        QMap<qint64, QString> stored;
        QString before;
        while (true) {
            const auto page = after.get(
                u"/api/messages/%1/messages?limit=100%2"_s.arg(conversationId).arg(before),
                bob.token);
            QCOMPARE(page.status, 200);
            const QJsonArray messages = page.body.value("messages"_L1).toArray();
            for (const auto &value : messages)
                stored.insert(value.toObject().value("id"_L1).toInteger(),
                              value.toObject().value("clientMessageId"_L1).toString());
            if (!page.body.value("hasMore"_L1).toBool() || messages.isEmpty())
                break;
            before = u"&before=%1"_s.arg(messages.first().toObject().value("id"_L1).toInteger());
        }
        for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it)
            QVERIFY2(stored.value(it.key()) == it.value(),
                     qPrintable(u"lost acknowledged message %1"_s.arg(it.key())));
        QCOMPARE(QSet<QString>(stored.begin(), stored.end()).size(),
                 stored.size()); // no duplicates
        restarted.terminate();
        QVERIFY(restarted.waitForFinished(10000));
    }

    void sigtermClosesSocketsWith1001AndExitsZero()
    {
        QTemporaryDir dir;
        QProcess server;
        const quint16 port = startServer(server, dir.path());
        QVERIFY(port != 0);
        HttpClient http(httpUrl(port));
        const auto alice = http.registerUser(u"alice"_s);
        WsClient socket;
        QVERIFY(socket.open(wsUrl(port, alice.token)));
        server.terminate(); // SIGTERM
        QVERIFY(socket.waitForDisconnect(10000));
        QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QVERIFY(server.waitForFinished(10000));
        QCOMPARE(server.exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.exitCode(), 0);
    }

    void runsOnTheAllocatorItWasBuiltWith()
    {
#ifndef PITCHEY_SERVER_TCMALLOC
        QSKIP("built without tcmalloc (PITCHEY_TCMALLOC=OFF, or the sanitizers)");
#else
        // Nothing of tcmalloc is called by name, so a linker that drops unneeded libraries
        // would leave glibc's malloc in place without a word.
        QTemporaryDir dir;
        QProcess server;
        QVERIFY(startServer(server, dir.path()) != 0);
        QFile maps(u"/proc/%1/maps"_s.arg(server.processId()));
        QVERIFY(maps.open(QIODevice::ReadOnly));
        QVERIFY(maps.readAll().contains("libtcmalloc_minimal"));
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
#endif
    }

    void portInUseIsOneLineAndNonZeroExit()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost));
        QTemporaryDir dir;
        QProcess server;
        server.start(
            QStringLiteral(PITCHEY_SERVER_BINARY),
            {u"--port"_s, QString::number(blocker.serverPort()), u"--data-dir"_s, dir.path()});
        QVERIFY(server.waitForFinished(10000));
        QVERIFY(server.exitCode() != 0);
        const QString err = QString::fromUtf8(server.readAllStandardError());
        QVERIFY2(err.contains(u"cannot listen"_s), qPrintable(err));
        QCOMPARE(err.trimmed().split(u'\n').filter(u"pitchey-server:"_s).size(), 1);
    }

    void logsCarryTheirLevelForJournald()
    {
        // Under systemd, journald reads "<N>" at the start of a line as its priority.
        QTemporaryDir dir;
        QProcess server;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"JOURNAL_STREAM"_s, u"8:12345"_s);
        environment.remove(u"QT_MESSAGE_PATTERN"_s);
        server.setProcessEnvironment(environment);
        QVERIFY(startServer(server, dir.path()) != 0);
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
        const QStringList lines =
            QString::fromUtf8(server.readAllStandardError()).split(u'\n', Qt::SkipEmptyParts);
        QVERIFY(lines.contains(u"<6>pitchey.server: email digests are off (no --smtp-url)"_s));
        for (const QString &line : lines)
            QVERIFY2(QRegularExpression(u"^<[2-7]>"_s).match(line).hasMatch(), qPrintable(line));

        // --log-level warning: the info lines are gone.
        QProcess quiet;
        quiet.setProcessEnvironment(environment);
        QVERIFY(startServer(quiet, dir.path(), {u"--log-level"_s, u"warning"_s}) != 0);
        quiet.terminate();
        QVERIFY(quiet.waitForFinished(10000));
        QVERIFY(!quiet.readAllStandardError().contains("<6>"));
    }

    void helpAndVersion()
    {
        QProcess help;
        help.start(QStringLiteral(PITCHEY_SERVER_BINARY), {u"--help"_s});
        QVERIFY(help.waitForFinished(5000));
        QCOMPARE(help.exitCode(), 0);
        const QString text = QString::fromUtf8(help.readAllStandardOutput());
        for (const char *option :
             {"--listen", "--port", "--data-dir", "--database", "--config", "DATABASE_URL",
              "JWT_SECRET", "--tls-cert", "--metrics-listen", "--log-level", "admin --help"})
            QVERIFY2(text.contains(QLatin1StringView(option)), option);
        QProcess version;
        version.start(QStringLiteral(PITCHEY_SERVER_BINARY), {u"--version"_s});
        QVERIFY(version.waitForFinished(5000));
        QCOMPARE(version.exitCode(), 0);
        QVERIFY(version.readAllStandardOutput().startsWith("pitchey-server "));
    }
};

QTEST_MAIN(TestServerProcess)
#include "tst_server_process.moc"
