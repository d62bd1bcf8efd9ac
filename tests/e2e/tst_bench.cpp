// pitchey-bench against a real pitchey-server: every scenario runs, small, and its figures
// say what happened (nothing lost, all reconnected); a target it cannot set up is an error.
#include "Certificates.h"
#include "ServerProcess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

namespace {

const QStringList kNoLimits{u"--rate-burst"_s, u"1000000"_s, u"--auth-burst"_s, u"1000000"_s};

struct BenchRun
{
    int exitCode = -1;
    QByteArray stderrText;
    QJsonObject figures; // of the first scenario
};

BenchRun runBench(const QStringList &args)
{
    QProcess bench;
    bench.start(QStringLiteral(PITCHEY_BENCH_BINARY), args + QStringList{u"--json"_s});
    BenchRun run;
    if (!bench.waitForFinished(120000)) {
        bench.kill();
        bench.waitForFinished();
        return run;
    }
    run.exitCode = bench.exitStatus() == QProcess::NormalExit ? bench.exitCode() : -1;
    run.stderrText = bench.readAllStandardError();
    run.figures = QJsonDocument::fromJson(bench.readAllStandardOutput())
                      .array()
                      .at(0)
                      .toObject()
                      .value("figures"_L1)
                      .toObject();
    return run;
}

} // namespace

class TestBench : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The flood scenario against a server with its default frame rate (what it measures
    // is the refusal of frames over it).
    void aFloodAgainstALocalServer()
    {
        QTemporaryDir dir;
        QProcess server;
        const quint16 port = startServer(server, dir.path(), {u"--auth-burst"_s, u"1000000"_s});
        QVERIFY(port != 0);
        const BenchRun flood =
            runBench({u"--url"_s, httpUrl(port).toString(), u"--server-pid"_s,
                      QString::number(server.processId()), u"--scenario"_s, u"flood"_s,
                      u"--users"_s, u"3"_s, u"--stalled"_s, u"5"_s, u"--duration"_s, u"1"_s});
        QVERIFY2(flood.exitCode == 0, flood.stderrText.constData());
        QCOMPARE(flood.figures.value("flooders still connected"_L1).toInt(), 3);
        QCOMPARE(flood.figures.value("stalled readers still connected"_L1).toInt(), 5);
        QVERIFY(flood.figures.value("flood frames written"_L1).toInteger() > 0);
        QVERIFY(flood.figures.value("/health answered"_L1).toInt() > 0);
        QCOMPARE(flood.figures.value("/health failed"_L1).toInt(), 0);
        QVERIFY(flood.figures.value("bystander messages delivered"_L1).toInt() > 0);
        QVERIFY(flood.figures.contains("server RSS peak growth"_L1));
        QVERIFY(flood.figures.contains("server RSS per stalled reader"_L1));
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
    }

    void everyScenarioAgainstALocalServer()
    {
        QTemporaryDir dir;
        QProcess server;
        const quint16 port = startServer(server, dir.path(), kNoLimits);
        QVERIFY(port != 0);
        const QStringList target{u"--url"_s, httpUrl(port).toString(), u"--server-pid"_s,
                                 QString::number(server.processId())};

        const BenchRun idle =
            runBench(target + QStringList{u"--scenario"_s, u"idle"_s, u"--users"_s, u"20"_s});
        QVERIFY2(idle.exitCode == 0, idle.stderrText.constData());
        QCOMPARE(idle.figures.value("connections"_L1).toInt(), 20);
        QVERIFY(idle.figures.contains("server RSS per connection"_L1));

        const BenchRun direct =
            runBench(target + QStringList{u"--scenario"_s, u"direct"_s, u"--users"_s, u"20"_s,
                                          u"--rate"_s, u"200"_s, u"--duration"_s, u"1"_s});
        QVERIFY2(direct.exitCode == 0, direct.stderrText.constData());
        const qint64 sent = direct.figures.value("sent"_L1).toInteger();
        QVERIFY2(sent >= 150, qPrintable(QString::number(sent)));
        QCOMPARE(direct.figures.value("delivered"_L1).toInteger(), sent);
        QCOMPARE(direct.figures.value("acknowledged (message_sent)"_L1).toInteger(), sent);
        QCOMPARE(direct.figures.value("lost (not delivered in the run)"_L1).toInteger(), 0);
        QCOMPARE(direct.figures.value("duplicated"_L1).toInteger(), 0);
        QCOMPARE(direct.figures.value("out of order"_L1).toInteger(), 0);
        QVERIFY(direct.figures.value("latency p99"_L1).toDouble() > 0);
        // The server's CPU by thread: each kind had work to do for every message.
        for (const char *part : {"main thread", "I/O threads", "database"}) {
            const QString figure = QLatin1String(part) + " CPU per 1000 delivered"_L1;
            QVERIFY2(direct.figures.value(figure).toDouble() > 0, qPrintable(figure));
        }

        // Sends, edits and reactions mixed: every change accepted and broadcast.
        const BenchRun mixed = runBench(
            target + QStringList{u"--scenario"_s, u"direct"_s, u"--users"_s, u"20"_s, u"--rate"_s,
                                 u"200"_s, u"--duration"_s, u"1"_s, u"--mix"_s, u"70/20/10"_s});
        QVERIFY2(mixed.exitCode == 0, mixed.stderrText.constData());
        const qint64 edits = mixed.figures.value("edits sent"_L1).toInteger();
        const qint64 reactions = mixed.figures.value("reactions sent"_L1).toInteger();
        QVERIFY2(edits >= 20 && reactions >= 10, qPrintable(u"%1 %2"_s.arg(edits).arg(reactions)));
        QCOMPARE(mixed.figures.value("error frames"_L1).toInteger(), 0);
        QCOMPARE(mixed.figures.value("delivered"_L1).toInteger(),
                 mixed.figures.value("sent"_L1).toInteger());
        QVERIFY(mixed.figures.value("message_updated received"_L1).toInteger() > 0);
        QVERIFY(mixed.figures.value("server CPU per 1000 operations"_L1).toDouble() > 0);
        QVERIFY2(
            runBench(target + QStringList{u"--scenario"_s, u"direct"_s, u"--mix"_s, u"70/20/20"_s})
                    .exitCode == 2,
            "shares that do not add up to 100 are refused");

        const BenchRun fanout =
            runBench(target + QStringList{u"--scenario"_s, u"fanout"_s, u"--users"_s, u"20"_s,
                                          u"--group-sizes"_s, u"10"_s, u"--rate"_s, u"20"_s,
                                          u"--duration"_s, u"1"_s});
        QVERIFY2(fanout.exitCode == 0, fanout.stderrText.constData());
        const qint64 groupSent = fanout.figures.value("sent"_L1).toInteger();
        QVERIFY(groupSent > 0);
        QCOMPARE(fanout.figures.value("delivered"_L1).toInteger(), groupSent * 9);
        QCOMPARE(fanout.figures.value("lost (not delivered in the run)"_L1).toInteger(), 0);

        const BenchRun history =
            runBench(target + QStringList{u"--scenario"_s, u"history"_s, u"--history-messages"_s,
                                          u"150"_s, u"--duration"_s, u"1"_s});
        QVERIFY2(history.exitCode == 0, history.stderrText.constData());
        QCOMPARE(history.figures.value("messages in the conversation"_L1).toInteger(), 150);
        QVERIFY(history.figures.value("requests"_L1).toInteger() > 0);
        QCOMPARE(history.figures.value("failed"_L1).toInteger(), 0);

        const BenchRun upload =
            runBench(target + QStringList{u"--scenario"_s, u"upload"_s, u"--concurrency"_s, u"2"_s,
                                          u"--upload-bytes"_s, u"300000"_s, u"--images"_s, u"1"_s});
        QVERIFY2(upload.exitCode == 0, upload.stderrText.constData());
        QCOMPARE(upload.figures.value("uploads"_L1).toInteger(), 2);
        QCOMPARE(upload.figures.value("failed"_L1).toInteger(), 0);
        QVERIFY(upload.figures.value("throughput"_L1).toDouble() > 0);
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
    }

    void refusedSendsAreNeitherExpectedNorLost()
    {
        // A target with tight per-user limits (a real deployment's defaults, tighter):
        // most sends are refused with rate_limited. They are counted as refused, the rest
        // arrive, and nothing counts as lost.
        QTemporaryDir dir;
        QProcess server;
        const quint16 port = startServer(server, dir.path(),
                                         {u"--auth-burst"_s, u"1000000"_s, u"--rate-burst"_s,
                                          u"5"_s, u"--rate-per-second"_s, u"1"_s});
        QVERIFY(port != 0);
        const BenchRun run = runBench({u"--url"_s, httpUrl(port).toString(), u"--scenario"_s,
                                       u"direct"_s, u"--users"_s, u"2"_s, u"--rate"_s, u"40"_s,
                                       u"--duration"_s, u"1"_s, u"--no-ack"_s});
        QVERIFY2(run.exitCode == 0, run.stderrText.constData());
        const qint64 sent = run.figures.value("sent"_L1).toInteger();
        const qint64 refused = run.figures.value("refused (rate_limited)"_L1).toInteger();
        QVERIFY2(refused > 0 && refused < sent, qPrintable(u"%1 of %2"_s.arg(refused).arg(sent)));
        QCOMPARE(run.figures.value("delivered"_L1).toInteger(), sent - refused);
        QCOMPARE(run.figures.value("lost (not delivered in the run)"_L1).toInteger(), 0);
        QCOMPARE(run.figures.value("error frames"_L1).toInteger(), 0);
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
    }

    void reconnectAcrossAKill()
    {
        // The restarted server must come back on the same port: take a free one.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QString port = QString::number(probe.serverPort());
        probe.close();
        QTemporaryDir dir;
        QProcess server;
        QCOMPARE(startServer(server, dir.path(), kNoLimits + QStringList{u"--port"_s, port}),
                 quint16(port.toUInt()));
        // The restart command runs detached; it leaves its pid for the clean-up below.
        const QString pidFile = dir.filePath(u"restarted.pid"_s);
        const QString restart =
            u"echo $$ > '%1'; exec '%2' --listen 127.0.0.1 --port %3 --data-dir '%4' "
            "--password-cost minimal %5 >/dev/null 2>&1"_s.arg(
                pidFile, QStringLiteral(PITCHEY_SERVER_BINARY), port, dir.path(),
                kNoLimits.join(u' '));
        const BenchRun run = runBench({u"--url"_s, u"http://127.0.0.1:"_s + port, u"--server-pid"_s,
                                       QString::number(server.processId()), u"--scenario"_s,
                                       u"reconnect"_s, u"--users"_s, u"10"_s, u"--rate"_s, u"100"_s,
                                       u"--duration"_s, u"2"_s, u"--restart-command"_s, restart});
        QVERIFY(server.waitForFinished(5000)); // the bench killed it
        QFile pid(pidFile);
        if (pid.open(QIODevice::ReadOnly))
            ::kill(pid_t(pid.readAll().trimmed().toInt()), SIGTERM);
        QVERIFY2(run.exitCode == 0, run.stderrText.constData());
        QCOMPARE(run.figures.value("all reconnected"_L1).toString(), u"yes"_s);
        QVERIFY(run.figures.value("sent (unique)"_L1).toInteger() > 0);
        QCOMPARE(run.figures.value("lost"_L1).toInteger(), 0);
        QCOMPARE(run.figures.value("duplicated (stored twice)"_L1).toInteger(), 0);
    }

    void aDeploymentByNameOverTls()
    {
        // A server with its own certificate, reached by name: what an operator points the
        // tool at (behind a TLS proxy it looks the same).
        QTemporaryDir dir;
        QVERIFY(makeSelfSignedCertificate(dir.path(), u"DNS:localhost"_s));
        const QString cert = dir.filePath(u"cert.pem"_s);
        const QString key = dir.filePath(u"key.pem"_s);
        QProcess server;
        const quint16 port =
            startServer(server, dir.path(),
                        kNoLimits + QStringList{u"--tls-cert"_s, cert, u"--tls-key"_s, key});
        QVERIFY(port != 0);
        const QStringList target{u"--url"_s, u"https://localhost:%1"_s.arg(port)};

        const BenchRun direct = runBench(
            target + QStringList{u"--ca-file"_s, cert, u"--scenario"_s, u"direct"_s, u"--users"_s,
                                 u"10"_s, u"--rate"_s, u"100"_s, u"--duration"_s, u"1"_s});
        QVERIFY2(direct.exitCode == 0, direct.stderrText.constData());
        const qint64 sent = direct.figures.value("sent"_L1).toInteger();
        QVERIFY2(sent >= 50, qPrintable(QString::number(sent)));
        QCOMPARE(direct.figures.value("delivered"_L1).toInteger(), sent);
        QCOMPARE(direct.figures.value("lost (not delivered in the run)"_L1).toInteger(), 0);

        // Not trusting the certificate, it cannot even register its users.
        const BenchRun untrusting =
            runBench(target + QStringList{u"--scenario"_s, u"idle"_s, u"--users"_s, u"3"_s});
        QCOMPARE(untrusting.exitCode, 2);
        server.terminate();
        QVERIFY(server.waitForFinished(10000));
    }

    void aTargetThatCannotBeSetUpIsAnError()
    {
        QTcpServer probe; // a port nothing listens on once it is closed
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QString url = httpUrl(probe.serverPort()).toString();
        probe.close();
        const BenchRun run =
            runBench({u"--url"_s, url, u"--scenario"_s, u"idle"_s, u"--users"_s, u"3"_s});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stderrText.contains("3 of 3 users could not register"),
                 run.stderrText.constData());

        const BenchRun nowhere = runBench(
            {u"--url"_s, u"http://no-such-host.invalid:8000"_s, u"--scenario"_s, u"idle"_s});
        QCOMPARE(nowhere.exitCode, 2);
        QVERIFY2(nowhere.stderrText.contains("cannot resolve no-such-host.invalid"),
                 nowhere.stderrText.constData());
    }
};

QTEST_GUILESS_MAIN(TestBench)
#include "tst_bench.moc"
