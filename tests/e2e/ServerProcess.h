#pragma once

// Runs the real pitchey-server executable (PITCHEY_SERVER_BINARY, or the one named by the
// environment's PITCHEY_SERVER_UNDER_TEST: to run a suite against an older build) for the
// end-to-end tests.
#include "Clients.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

namespace pitchey::testing {

// Where a server process started below answers.
inline QUrl httpUrl(quint16 port)
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
}
inline QUrl wsUrl(quint16 port, const QString &token)
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/api/messages/ws?token=%2").arg(port).arg(token));
}

// Starts the server on 127.0.0.1 and a free port with cheap password hashing; returns the
// port it printed, or 0.
inline quint16 startServer(QProcess &process, const QString &dataDir, const QStringList &extra = {})
{
    using namespace Qt::StringLiterals;
    process.setProgram(
        qEnvironmentVariable("PITCHEY_SERVER_UNDER_TEST", QStringLiteral(PITCHEY_SERVER_BINARY)));
    process.setArguments(QStringList{u"--listen"_s, u"127.0.0.1"_s, u"--port"_s, u"0"_s,
                                     u"--data-dir"_s, dataDir, u"--password-cost"_s, u"minimal"_s} +
                         extra);
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start();
    if (!process.waitForStarted(5000))
        return 0;
    static const QRegularExpression listening(u"listening on https?://[^:]+:(\\d+)"_s);
    QByteArray out;
    QRegularExpressionMatch match;
    const bool seen = QTest::qWaitFor(
        [&] {
            out += process.readAllStandardOutput();
            match = listening.match(QString::fromUtf8(out));
            return match.hasMatch() || process.state() == QProcess::NotRunning;
        },
        10000);
    return seen && match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
}

// A server process (no send rate limit) with alice and bob registered and alice's socket
// open: the start of the cases that write under load and then look at what was stored.
struct AliceWritesToBob
{
    QProcess server;
    quint16 port = 0;
    HttpClient::Account alice;
    HttpClient::Account bob;
    WsClient socket; // alice's

    bool start(const QString &dataDir)
    {
        using namespace Qt::StringLiterals;
        port = startServer(server, dataDir, {u"--rate-burst"_s, u"100000"_s});
        if (port == 0)
            return false;
        HttpClient http(httpUrl(port));
        alice = http.registerUser(u"alice"_s);
        bob = http.registerUser(u"bob"_s);
        return socket.open(wsUrl(port, alice.token));
    }

    // `count` messages to bob, clientMessageId "PREFIX-i", without waiting for answers.
    void send(int count, const QString &prefix)
    {
        using namespace Qt::StringLiterals;
        for (int i = 0; i < count; ++i)
            socket.sendJson({{"type"_L1, "send_message"_L1},
                             {"recipientId"_L1, bob.id},
                             {"content"_L1, u"%1 %2"_s.arg(prefix).arg(i)},
                             {"clientMessageId"_L1, u"%1-%2"_s.arg(prefix).arg(i)}});
    }
};

} // namespace pitchey::testing
