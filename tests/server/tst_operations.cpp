// What operators rely on: /health, /ready, /metrics (and who may read it), TLS on the
// API port, against a real server on real sockets.
#include "Certificates.h"
#include "Clients.h"
#include "TestMain.h"
#include "TestServer.h"

#include <QJsonArray>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

namespace {

// A non-loopback address of this machine, to reach the server from "elsewhere".
QHostAddress outsideAddress()
{
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (!address.isLoopback() && address.protocol() == QAbstractSocket::IPv4Protocol)
            return address;
    }
    return {};
}

} // namespace

class TestOperations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void healthAndReady()
    {
        TestServer server;
        QVERIFY(server.start());
        HttpClient http(server.httpUrl({}));
        const auto health = http.get(u"/health"_s);
        QCOMPARE(health.status, 200);
        QCOMPARE(health.body.value("status"_L1).toString(), u"ok"_s);
        const auto ready = http.get(u"/ready"_s);
        QCOMPARE(ready.status, 200);
        QCOMPARE(ready.body.value("status"_L1).toString(), u"ready"_s);
        QVERIFY(ready.body.value("schemaVersion"_L1).toInt() > 0);
    }

    void metricsFollowTheTraffic()
    {
        TestServer server;
        QVERIFY(server.start());
        HttpClient http(server.httpUrl({}));
        const auto alice = http.registerUser(u"alice"_s);
        const auto bob = http.registerUser(u"bob"_s);
        const qint64 pair = http.createConversation(alice, {bob.id});
        WsClient aliceSocket, bobSocket;
        QVERIFY(aliceSocket.open(server.wsUrl(alice.token)));
        QVERIFY(bobSocket.open(server.wsUrl(bob.token)));
        aliceSocket.sendJson({{"type"_L1, "send_message"_L1},
                              {"conversationId"_L1, pair},
                              {"content"_L1, u"hello"_s},
                              {"clientMessageId"_L1, u"m-1"_s}});
        QVERIFY(!bobSocket.waitFor(u"new_message"_s).isEmpty());
        QCOMPARE(http.get(u"/api/messages/%1/messages"_s.arg(pair), alice.token).status, 200);
        QCOMPARE(http.get(u"/api/messages/conversations"_s).status, 401);

        const auto scraped = http.get(u"/metrics"_s);
        QCOMPARE(scraped.status, 200);
        const QByteArray &text = scraped.raw;
        QCOMPARE(sample(text, u"pitchey_connections"_s), 2.0);
        QCOMPARE(sample(text, u"pitchey_online_users"_s), 2.0);
        QCOMPARE(sample(text, u"pitchey_messages_stored_total"_s), 1.0);
        QCOMPARE(sample(text, u"pitchey_messages_delivered_total"_s), 1.0);
        QCOMPARE(sample(text, u"pitchey_delivery_latency_seconds_count"_s), 1.0);
        QCOMPARE(sample(text, u"pitchey_delivery_latency_seconds_bucket{le=\"+Inf\"}"_s), 1.0);
        QCOMPARE(sample(text, u"pitchey_email_outbox"_s), 0.0);
        QVERIFY(sample(text, u"pitchey_db_query_latency_seconds_count"_s).value_or(0) > 3);
        // Requests by route pattern (never by the ids in the path) and status.
        QCOMPARE(sample(text,
                        u"pitchey_http_requests_total{route=\"/api/auth/register\",method=\"POST\","
                        "status=\"201\"}"_s),
                 2.0);
        QCOMPARE(sample(text, u"pitchey_http_requests_total{route=\"/api/messages/"
                              "{conversationId}/messages\",method=\"GET\",status=\"200\"}"_s),
                 1.0);
        QCOMPARE(sample(text, u"pitchey_http_requests_total{route=\"/api/messages/conversations\","
                              "method=\"GET\",status=\"401\"}"_s),
                 1.0);
        QVERIFY(!text.contains("hello")); // no message bodies, ever

        // Store-and-forward counts too: carol is offline when the message is sent and gets
        // it from the backlog when she connects.
        const auto carol = http.registerUser(u"carol"_s);
        const qint64 group = http.createConversation(alice, {bob.id, carol.id}, u"g"_s);
        aliceSocket.sendJson({{"type"_L1, "send_message"_L1},
                              {"conversationId"_L1, group},
                              {"content"_L1, u"to the group"_s},
                              {"clientMessageId"_L1, u"m-2"_s}});
        QVERIFY(!bobSocket.waitFor(u"new_message"_s).isEmpty());
        WsClient carolSocket;
        QVERIFY(carolSocket.open(server.wsUrl(carol.token)));
        QVERIFY(!carolSocket.waitFor(u"new_message"_s).isEmpty());
        const auto later = http.get(u"/metrics"_s);
        QCOMPARE(sample(later.raw, u"pitchey_messages_stored_total"_s), 2.0);
        QCOMPARE(sample(later.raw, u"pitchey_messages_delivered_total"_s), 3.0);
    }

    void metricsTokenLetsOthersIn()
    {
        TestServer server([](auto &config) { config.metricsToken = "a-metrics-token-of-length"; });
        QVERIFY(server.start());
        HttpClient http(server.httpUrl({}));
        QCOMPARE(http.get(u"/metrics"_s, u"a-metrics-token-of-length"_s).status, 200);
        const auto wrong = http.get(u"/metrics"_s, u"a-metrics-token-of-lengtX"_s);
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.errorCode(), u"unauthorized"_s);
        QCOMPARE(http.get(u"/metrics"_s).status, 200); // loopback needs no token
    }

    void metricsAreForLoopbackByDefault()
    {
        const QHostAddress outside = outsideAddress();
        if (outside.isNull())
            QSKIP("this machine has no non-loopback IPv4 address");
        TestServer server([outside](auto &config) { config.listenAddress = outside; });
        QVERIFY(server.start());
        HttpClient http(QUrl(u"http://%1:%2"_s.arg(outside.toString()).arg(server.port())));
        QCOMPARE(http.get(u"/health"_s).status, 200);
        const auto refused = http.get(u"/metrics"_s);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.errorCode(), u"forbidden"_s);
    }

    void metricsOnAListenerOfTheirOwn()
    {
        TestServer server([](auto &config) {
            config.metricsAddress = QHostAddress::LocalHost;
            config.metricsPort = 0;
        });
        QVERIFY(server.start());
        QVERIFY(server.server().metricsPort() != 0);
        QVERIFY(server.server().metricsPort() != server.port());
        HttpClient api(server.httpUrl({}));
        QCOMPARE(api.get(u"/metrics"_s).status, 404);
        HttpClient ops(QUrl(u"http://127.0.0.1:%1"_s.arg(server.server().metricsPort())));
        const auto scraped = ops.get(u"/metrics"_s);
        QCOMPARE(scraped.status, 200);
        QVERIFY(sample(scraped.raw, u"pitchey_connections"_s).has_value());
        QCOMPARE(ops.get(u"/ready"_s).status, 200);
        QCOMPARE(ops.get(u"/health"_s).status, 200);
        // The API is not there.
        QCOMPARE(ops.post(u"/api/auth/login"_s, {}).status, 404);
    }

    void tlsServesHttpsAndWss()
    {
        QTemporaryDir dir;
        QVERIFY(makeSelfSignedCertificate(dir.path(), u"IP:127.0.0.1"_s));
        const QString cert = dir.filePath(u"cert.pem"_s);
        const QString key = dir.filePath(u"key.pem"_s);

        TestServer server([&](auto &config) {
            config.tlsCertFile = cert;
            config.tlsKeyFile = key;
        });
        QVERIFY(server.start());
        QVERIFY(server.httpUrl({}).scheme() == "https"_L1);

        // Trust exactly the throwaway certificate: the handshake verifies it for real.
        QSslConfiguration trust = QSslConfiguration::defaultConfiguration();
        trust.setCaCertificates(QSslCertificate::fromPath(cert));
        HttpClient https(server.httpUrl({}));
        https.setSslConfiguration(trust);
        const auto alice = https.registerUser(u"alice"_s);
        const auto bob = https.registerUser(u"bob"_s);
        QVERIFY(!alice.token.isEmpty());

        WsClient aliceSocket, bobSocket;
        aliceSocket.socket().setSslConfiguration(trust);
        bobSocket.socket().setSslConfiguration(trust);
        QVERIFY(aliceSocket.open(server.wsUrl(alice.token)));
        // A backlog of several pages (256 KiB each), each sent once the one before has gone
        // out through the TLS socket.
        const QString big(10000, u'b'); // the longest a message may be
        const int backlog = 45;         // 450 KB, under the rate burst of 50
        for (int i = 0; i < backlog; ++i)
            aliceSocket.sendJson({{"type"_L1, "send_message"_L1},
                                  {"recipientId"_L1, bob.id},
                                  {"content"_L1, big},
                                  {"clientMessageId"_L1, u"b-%1"_s.arg(i)}});
        QTRY_COMPARE_WITH_TIMEOUT(aliceSocket.framesOf(u"message_sent"_s).size(), backlog, 15000);
        QVERIFY(bobSocket.open(server.wsUrl(bob.token)));
        QTRY_COMPARE_WITH_TIMEOUT(bobSocket.framesOf(u"new_message"_s).size(), backlog, 15000);
        aliceSocket.sendJson({{"type"_L1, "send_message"_L1},
                              {"recipientId"_L1, bob.id},
                              {"content"_L1, u"over wss"_s},
                              {"clientMessageId"_L1, u"t-1"_s}});
        const QJsonObject received =
            bobSocket.waitFor(u"new_message"_s, 5000, [](const QJsonObject &frame) {
                return frame.value("clientMessageId"_L1) == u"t-1"_s;
            });
        QCOMPARE(received.value("content"_L1).toString(), u"over wss"_s);

        // A frame in the same write as the handshake is read, over TLS too.
        QSslSocket raw;
        raw.setSslConfiguration(trust);
        raw.connectToHostEncrypted(u"127.0.0.1"_s, server.port());
        QVERIFY(QTest::qWaitFor([&] { return raw.isEncrypted(); }, 5000)); // (server: this thread)
        raw.write(webSocketHandshake(alice.token) + maskedTextFrame(R"({"type":"no_such_frame"})"));
        QByteArray in;
        QVERIFY(readUntil(raw, in, R"("code":"bad_request")"));

        // Requests over TLS are read and checked on an I/O thread too: a bad one is
        // answered while this (the server's main) thread handles no event at all.
        QSslSocket blocking;
        blocking.setSslConfiguration(trust);
        blocking.connectToHostEncrypted(u"127.0.0.1"_s, server.port());
        QVERIFY(QTest::qWaitFor([&] { return blocking.isEncrypted(); }, 5000));
        QByteArray answer;
        blocking.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readUntil(blocking, answer, "{\"status\":\"ok\"}")); // the server has it
        answer.clear();
        blocking.write("GET /health HTTP/9.9\r\nHost: x\r\n\r\n");
        QVERIFY2(readUntilBlocking(blocking, answer, "\r\n\r\n"), answer.constData());
        QVERIFY2(answer.startsWith("HTTP/1.1 505 "), answer.constData());

        // Without trusting the certificate, the client refuses the server.
        HttpClient untrusting(server.httpUrl({}));
        QCOMPARE(untrusting.get(u"/health"_s).status, 0);
        // Plain http on the TLS port gets no answer.
        HttpClient plain(QUrl(u"http://127.0.0.1:%1"_s.arg(server.port())));
        QCOMPARE(plain.get(u"/health"_s).status, 0);
    }
};

PITCHEY_TEST_MAIN(TestOperations)
#include "tst_operations.moc"
