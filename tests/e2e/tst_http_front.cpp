// The real pitchey-server's HTTP front end, spoken to byte by byte: RFC 9112 framing held
// strictly (smuggling, folding, versions, transfer codings), the limits answered before
// anything is buffered, pipelining, HEAD, and the WebSocket opening handshake. Answers are
// read with Boost.Beast's response parser, not by hand.
#include "Clients.h"
#include "ServerProcess.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;
namespace http = boost::beast::http;

namespace {

constexpr int kRequestTimeoutMs = 800;
constexpr int kKeepAliveMs = 1500;

struct Answer
{
    int status = 0;
    QByteArray body;
    QByteArray contentLength;
    [[nodiscard]] QString errorCode() const
    {
        return QJsonDocument::fromJson(body).object()[u"error"_s][u"code"_s].toString();
    }
};

// What came back on one connection: the answers, in order, and whether the server closed.
struct Exchange
{
    QList<Answer> answers;
    bool closed = false;
    QByteArray rest; // bytes after the last whole answer (a WebSocket's frames)
    [[nodiscard]] QList<int> statuses() const
    {
        QList<int> out;
        for (const Answer &answer : answers)
            out.append(answer.status);
        return out;
    }
};

// Parses whole answers off the front of `in`; `heads` says which are answers to HEAD.
void parseAnswers(QByteArray &in, Exchange &exchange, const QList<bool> &heads)
{
    while (!in.isEmpty()) {
        http::response_parser<http::string_body> parser;
        parser.eager(true);
        const qsizetype index = exchange.answers.size();
        if (index < heads.size() && heads.at(index))
            parser.skip(true);
        boost::system::error_code error;
        const std::size_t used =
            parser.put(boost::asio::const_buffer(in.constData(), std::size_t(in.size())), error);
        if (error || !parser.is_done())
            return;
        const auto &message = parser.get();
        exchange.answers.append(
            {int(message.result_int()), QByteArray::fromStdString(message.body()),
             QByteArray::fromStdString(std::string(message[http::field::content_length]))});
        in.remove(0, qsizetype(used));
    }
}

// Sends `bytes` on a new connection and reads until `count` answers have come, the server
// has closed (`waitForClose`: only that), or five seconds have passed.
Exchange exchange(quint16 port, const QByteArray &bytes, int count, const QList<bool> &heads = {},
                  bool waitForClose = false)
{
    Exchange out;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return out;
    socket.write(bytes);
    QByteArray in;
    const bool done = QTest::qWaitFor(
        [&] {
            in += socket.readAll();
            parseAnswers(in, out, heads);
            out.closed = socket.state() == QAbstractSocket::UnconnectedState;
            return out.closed || (!waitForClose && out.answers.size() >= count);
        },
        5000);
    Q_UNUSED(done);
    out.rest = in;
    return out;
}

QByteArray headersOfSize(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += "X-Filler-" + QByteArray::number(i) + ": x\r\n";
    return out;
}

} // namespace

class TestHttpFront : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess m_server;
    quint16 m_port = 0;
    HttpClient::Account m_alice;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_port = startServer(m_server, m_dir.path(),
                             {u"--request-timeout"_s, QString::number(kRequestTimeoutMs / 1000.0),
                              u"--keep-alive-timeout"_s, QString::number(kKeepAliveMs / 1000.0)});
        QVERIFY(m_port != 0);
        m_alice = HttpClient(httpUrl(m_port)).registerUser(u"alice"_s);
    }

    void cleanupTestCase()
    {
        m_server.terminate();
        QVERIFY(m_server.waitForFinished(10000));
        QCOMPARE(m_server.exitCode(), 0);
    }

    // Content-Length beside Transfer-Encoding is refused, and what follows the chunked end
    // is never run as a request of its own.
    void aSmuggledRequestIsNeverRun()
    {
        const auto got = exchange(m_port,
                                  "POST /api/auth/login HTTP/1.1\r\nHost: a\r\n"
                                  "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "0\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n",
                                  2, {}, true);
        QCOMPARE(got.statuses(), QList<int>{400});
        QCOMPARE(got.answers.at(0).errorCode(), u"bad_request"_s);
        QVERIFY(got.closed);
    }

    void malformedRequestsAreRefusedAndClosed_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::newRow("space before a colon")
            << "GET /health HTTP/1.1\r\nHost : a\r\n\r\n"_ba << 400;
        QTest::newRow("folded line")
            << "GET /health HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"_ba << 400;
        QTest::newRow("line without a colon")
            << "GET /health HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"_ba << 400;
        QTest::newRow("NUL in a value")
            << QByteArray("GET /health HTTP/1.1\r\nHost: a\r\nX-A: a\0b\r\n\r\n", 43) << 400;
        QTest::newRow("HTTP/9.9") << "GET /health HTTP/9.9\r\nHost: a\r\n\r\n"_ba << 505;
        QTest::newRow("fourth token") << "GET /health HTTP/1.1 x\r\nHost: a\r\n\r\n"_ba << 400;
        QTest::newRow("no Host") << "GET /health HTTP/1.1\r\n\r\n"_ba << 400;
        QTest::newRow("two Hosts")
            << "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"_ba << 400;
        QTest::newRow("unknown coding")
            << "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, "
               "chunked\r\n\r\n0\r\n\r\n"_ba
            << 501;
        QTest::newRow("not chunked last")
            << "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nxx"_ba
            << 400;
        QTest::newRow("negative chunk")
            << "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
               "-5\r\nabcde\r\n0\r\n\r\n"_ba
            << 400;
        QTest::newRow("coding in HTTP/1.0")
            << "POST /api/auth/login HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"_ba
            << 400;
        QTest::newRow("two lengths")
            << "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
               "Content-Length: 3\r\n\r\nabc"_ba
            << 400;
        QTest::newRow("expectation")
            << "GET /health HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n"_ba << 417;
    }

    void malformedRequestsAreRefusedAndClosed()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        const auto got = exchange(m_port, request, 1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{status});
        QVERIFY(!got.answers.at(0).errorCode().isEmpty());
        QVERIFY(got.closed);
    }

    // The token after 99 other headers still counts; past the line limit it is 431.
    void manyHeadersKeepTheToken()
    {
        const QByteArray request = "GET /api/messages/conversations HTTP/1.1\r\nHost: a\r\n" +
                                   headersOfSize(98) + "Authorization: Bearer " +
                                   m_alice.token.toLatin1() + "\r\n\r\n";
        QCOMPARE(exchange(m_port, request, 1).statuses(), QList<int>{200}); // 100 fields
        const QByteArray over = "GET /health HTTP/1.1\r\nHost: a\r\n" + headersOfSize(100) + "\r\n";
        const auto got = exchange(m_port, over, 1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{431});
        QCOMPARE(got.answers.at(0).errorCode(), u"too_large"_s);
        QVERIFY(got.closed);
    }

    // 16 KiB of header section is served, one byte more is 431; 8 KiB of request line is
    // served, one byte more is 414: each answered from what came, however much follows.
    void theHeaderLimitsHoldAtTheirEdge()
    {
        const QByteArray start = "GET /health HTTP/1.1\r\nHost: a\r\nX-Pad: ";
        const auto padded = [&](int total) {
            return start + QByteArray(total - start.size() - 4, 'v') + "\r\n\r\n";
        };
        QCOMPARE(exchange(m_port, padded(16 * 1024), 1).statuses(), QList<int>{200});
        QCOMPARE(exchange(m_port, padded(16 * 1024 + 1), 1).statuses(), QList<int>{431});
        // A header line that never ends.
        QCOMPARE(exchange(m_port, start + QByteArray(64 * 1024, 'v'), 1).statuses(),
                 QList<int>{431});

        const auto line = [](int length) {
            const QByteArray prefix = "GET /health?pad=";
            const QByteArray suffix = " HTTP/1.1";
            return prefix + QByteArray(length - prefix.size() - suffix.size(), 'p') + suffix +
                   "\r\nHost: a\r\n\r\n";
        };
        QCOMPARE(exchange(m_port, line(8 * 1024), 1).statuses(), QList<int>{200});
        QCOMPARE(exchange(m_port, line(8 * 1024 + 1), 1).statuses(), QList<int>{414});
    }

    // 413 as soon as the announced length passes 1 MiB: nothing of the body was sent.
    void anOversizedBodyIsRefusedFromItsHeaders()
    {
        auto got = exchange(m_port,
                            "POST /api/auth/login HTTP/1.1\r\nHost: a\r\n"
                            "Content-Length: 268435456\r\n\r\n",
                            1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{413});
        QCOMPARE(got.answers.at(0).errorCode(), u"too_large"_s);
        QVERIFY(got.closed);

        // Exactly 1 MiB is read (and answered by the route); a chunked body past it is 413.
        const QByteArray mib(1024 * 1024, 'x');
        got = exchange(m_port,
                       "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                           QByteArray::number(mib.size()) + "\r\n\r\n" + mib,
                       1);
        QCOMPARE(got.statuses(), QList<int>{400}); // not JSON: the route's answer
        const QByteArray chunk = QByteArray::number(mib.size(), 16) + "\r\n" + mib + "\r\n";
        got = exchange(m_port,
                       "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                       "chunked\r\n\r\n" +
                           chunk + "1\r\nx\r\n",
                       1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{413});
        QVERIFY(got.closed);
    }

    // A client that says it will send a body once allowed is told to go on.
    void expectContinueIsAnswered()
    {
        const auto got = exchange(m_port,
                                  "POST /api/auth/login HTTP/1.1\r\nHost: a\r\n"
                                  "Content-Type: application/json\r\nContent-Length: 2\r\n"
                                  "Expect: 100-continue\r\n\r\n{}",
                                  2);
        QCOMPARE(got.statuses(), (QList<int>{100, 400}));
    }

    void aSlowHeaderIsAnswered408()
    {
        QElapsedTimer clock;
        clock.start();
        auto got = exchange(m_port, "GET /health HTTP/1.1\r\nHost: a\r\n", 1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{408});
        QVERIFY(got.closed);
        QVERIFY(clock.elapsed() >= kRequestTimeoutMs - 50);
        // A body that stops.
        got = exchange(m_port,
                       "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n{\"a",
                       1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{408});
    }

    void anIdleConnectionIsClosedWithoutAWord()
    {
        QElapsedTimer clock;
        clock.start();
        const auto got = exchange(m_port, "GET /health HTTP/1.1\r\nHost: a\r\n\r\n", 1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{200});
        QVERIFY(got.closed);
        QVERIFY(clock.elapsed() >= kKeepAliveMs - 50);
        QVERIFY(got.rest.isEmpty());
    }

    // Pipelined requests, some answered at once and some after the database, are answered
    // in the order they came; HEAD is GET without the body and leaves the stream intact.
    void pipelinedRequestsAreAnsweredInOrder()
    {
        const QByteArray token = m_alice.token.toLatin1();
        const QByteArray login = R"({"username":"alice","password":"wrong-password"})";
        const QByteArray requests =
            "GET /api/messages/conversations HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
            token +
            "\r\n\r\n"
            "HEAD /health HTTP/1.1\r\nHost: a\r\n\r\n"
            "POST /api/auth/login HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
            QByteArray::number(login.size()) + "\r\n\r\n" + login +
            "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET /api/messages/conversations HTTP/1.1\r\nHost: a\r\n\r\n";
        const auto got = exchange(m_port, requests, 6, {false, true, false, false, false, false});
        QCOMPARE(got.statuses(), (QList<int>{200, 200, 401, 404, 200, 401}));
        QVERIFY(got.answers.at(1).body.isEmpty());
        QCOMPARE(got.answers.at(1).contentLength,
                 QByteArray::number(got.answers.at(4).body.size()));
        QVERIFY(!got.closed);
    }

    // Far more pipelined answers than the kernel's buffers hold, to a client that reads
    // them slowly: the server stops reading requests while answers wait, goes on as they
    // are taken, and every one arrives, whole and in order, on the same connection.
    void answersOverTheKernelsBuffersArriveInOrder()
    {
        constexpr int kCount = 20'000;
        QByteArray requests;
        for (int i = 0; i < kCount; ++i)
            requests += i % 2 ? "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"_ba
                              : "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n"_ba;
        QTcpSocket socket;
        socket.setReadBufferSize(16 * 1024); // what the kernel holds stays there
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(requests);
        Exchange got;
        QByteArray in;
        QVERIFY(QTest::qWaitFor(
            [&] {
                // (Once the server has written everything, its keep-alive timeout may
                // close the connection while answers still wait here to be read.)
                const QByteArray piece = socket.read(16 * 1024);
                in += piece;
                parseAnswers(in, got, {});
                return got.answers.size() >= kCount ||
                       (piece.isEmpty() && socket.state() == QAbstractSocket::UnconnectedState);
            },
            60'000));
        QCOMPARE(got.answers.size(), kCount);
        for (int i = 0; i < kCount; ++i)
            QCOMPARE(got.answers.at(i).status, i % 2 ? 200 : 404);
    }

    void aWebSocketKeyMustBeSixteenBytesOfBase64_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("version");
        QTest::addColumn<int>("status");
        QTest::newRow("not base64") << "not a key at all!!!!!!=="_ba
                                    << "13"_ba << 400;
        QTest::newRow("15 bytes") << QByteArray(15, 'k').toBase64() << "13"_ba << 400;
        QTest::newRow("17 bytes") << QByteArray(17, 'k').toBase64() << "13"_ba << 400;
        QTest::newRow("none") << QByteArray() << "13"_ba << 400;
        QTest::newRow("version 8") << QByteArray(16, 'k').toBase64() << "8"_ba << 426;
    }

    void aWebSocketKeyMustBeSixteenBytesOfBase64()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, version);
        QFETCH(int, status);
        const auto got =
            exchange(m_port, webSocketHandshake(m_alice.token, key, version), 1, {}, true);
        QCOMPARE(got.statuses(), QList<int>{status});
        QVERIFY(got.closed);
    }

    // A frame in the same write as the handshake is processed like any later one.
    void framesSentWithTheHandshakeAreProcessed()
    {
        const QByteArray frame = maskedTextFrame(R"({"type":"no_such_frame"})");
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket.waitForConnected(5000));
        socket.write(webSocketHandshake(m_alice.token) + frame);
        QByteArray in;
        QVERIFY(readUntil(socket, in, R"("type":"error")"));
        QVERIFY(in.startsWith("HTTP/1.1 101"));
        QVERIFY(in.contains(R"("code":"bad_request")"));
    }
};

QTEST_GUILESS_MAIN(TestHttpFront)
#include "tst_http_front.moc"
