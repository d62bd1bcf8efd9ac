// The installed-style pitchey-messenger binary: command line, and a window that comes up
// (offscreen) and stays up.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestMessengerProcess : public QObject
{
    Q_OBJECT

    static QProcessEnvironment environment(const QTemporaryDir &home)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_s, home.path());
        env.insert(u"XDG_CONFIG_HOME"_s, home.path() + "/config"_L1);
        env.insert(u"XDG_DATA_HOME"_s, home.path() + "/data"_L1);
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.remove(u"DISPLAY"_s);
        return env;
    }

private Q_SLOTS:
    void helpAndVersionNeedNoDisplay()
    {
        QTemporaryDir home;
        QProcess process;
        QProcessEnvironment env = environment(home);
        env.remove(u"QT_QPA_PLATFORM"_s);
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(PITCHEY_MESSENGER_BINARY), {u"--version"_s});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 0);
        QVERIFY(process.readAllStandardOutput().startsWith("Pitchey Messenger "));
        process.start(QStringLiteral(PITCHEY_MESSENGER_BINARY), {u"--help"_s});
        QVERIFY(process.waitForFinished(10000));
        const QByteArray help = process.readAllStandardOutput();
        QVERIFY(help.contains("--server <URL>"));
        QVERIFY(help.contains("--profile <NAME>"));
    }

    void badArgumentsAreRefused()
    {
        QTemporaryDir home;
        QProcess process;
        process.setProcessEnvironment(environment(home));
        process.start(QStringLiteral(PITCHEY_MESSENGER_BINARY), {u"--server"_s, u"ftp://x"_s});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(process.readAllStandardError().contains("--server"));
        process.start(QStringLiteral(PITCHEY_MESSENGER_BINARY), {u"--profile"_s, u"../x"_s});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 2);
    }

    void theWindowComesUp()
    {
        QTemporaryDir home;
        QProcess process;
        process.setProcessEnvironment(environment(home));
        process.start(QStringLiteral(PITCHEY_MESSENGER_BINARY),
                      {u"--server"_s, u"http://127.0.0.1:9"_s});
        QVERIFY(process.waitForStarted());
        // Loaded and running (a QML error exits with 1 at once).
        QVERIFY(!process.waitForFinished(3000));
        QCOMPARE(process.state(), QProcess::Running);
        QVERIFY2(!process.readAllStandardError().contains("qrc:/"), "QML warnings at start");
        process.terminate();
        QVERIFY(process.waitForFinished(10000));
    }
};

QTEST_GUILESS_MAIN(TestMessengerProcess)
#include "tst_messenger_process.moc"
