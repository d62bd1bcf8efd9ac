// Streamed request bodies (BodyPolicy::streamed) through the real front end: HttpServer on a
// real listener, its connections on an I/O thread, and a route that takes its body piece by
// piece, as the attachment upload of the next contract will.
#include "Clients.h"
#include "TestMain.h"

#include "http/HttpServer.h"
#include "websocket/IoThreads.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <atomic>

using namespace Qt::StringLiterals;
using namespace pitchey::server;
using pitchey::Error;
using namespace pitchey::testing;

namespace {

constexpr qsizetype kUploadLimit = 16 * 1024 * 1024;

struct Upload
{
    QCryptographicHash hash{QCryptographicHash::Sha256};
    qint64 size = 0;
    qsizetype largestPiece = 0;
    int pieces = 0;
};

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          size / qsizetype(sizeof(quint32)));
    return bytes;
}

} // namespace

class TestHttpStream : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<IoThreads> m_io;
    std::unique_ptr<TcpListener> m_listener;
    std::unique_ptr<HttpServer> m_http;
    std::atomic<int> m_incomplete{0}; // done(false) calls
    std::atomic<int> m_handled{0};    // requests that reached the handler

    // `/upload` streams its body (Authorization required, else 401 from the head alone);
    // every other route takes it whole.
    void handle(const HttpRequest &request, const HttpReply &reply)
    {
        ++m_handled;
        if (request.path != "/upload"_L1)
            return reply.json(200, {{"size"_L1, request.body.size()}});
        if (request.authorization.isEmpty())
            return reply.error(Error::unauthorized(u"who are you?"_s));
        if (!request.stream) // (an empty body)
            return reply.error(Error::badRequest(u"nothing to upload"_s));
        auto upload = std::make_shared<Upload>();
        request.stream->read(
            [upload](QByteArrayView piece) {
                upload->hash.addData(piece);
                upload->size += piece.size();
                upload->largestPiece = std::max(upload->largestPiece, piece.size());
                ++upload->pieces;
            },
            [this, upload, reply](bool complete) {
                if (!complete) {
                    ++m_incomplete;
                    return;
                }
                reply.json(201, {{"size"_L1, upload->size},
                                 {"sha256"_L1, QString::fromLatin1(upload->hash.result().toHex())},
                                 {"pieces"_L1, upload->pieces},
                                 {"largestPiece"_L1, upload->largestPiece}});
            });
    }

    std::unique_ptr<QTcpSocket> connectClient()
    {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, m_listener->serverPort());
        if (!socket->waitForConnected(5000))
            return nullptr;
        return socket;
    }

    // The answer's head and JSON body (whole once `in` holds Content-Length bytes of it).
    static QJsonObject bodyOf(const QByteArray &in)
    {
        return QJsonDocument::fromJson(in.mid(in.indexOf("\r\n\r\n") + 4)).object();
    }

private Q_SLOTS:
    void init()
    {
        m_incomplete = 0;
        m_handled = 0;
        m_io = std::make_unique<IoThreads>(1, IoThreads::Settings{});
        m_http = std::make_unique<HttpServer>(QString(), HttpLimits{});
        m_http->setConnectionThreads(m_io->hosts());
        m_http->setBodyPolicy([](const QByteArray &, const QString &path) {
            return path == "/upload"_L1 ? BodyPolicy{kUploadLimit, true} : BodyPolicy{};
        });
        m_http->setHandler(
            [this](const HttpRequest &request, const HttpReply &reply) { handle(request, reply); });
        m_listener = std::make_unique<TcpListener>();
        QVERIFY(m_listener->listen(QHostAddress::LocalHost, 0));
        m_http->serve(m_listener.get());
    }

    void cleanup()
    {
        m_http.reset(); // (before the threads its connections live on)
        m_listener.reset();
        m_io.reset();
    }

    // Many megabytes arrive whole and in order, in pieces no larger than a read.
    void aLargeBodyArrivesInPieces()
    {
        const QByteArray file = randomBytes(12 * 1024 * 1024);
        auto client = connectClient();
        QVERIFY(client);
        client->write("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                      "Content-Length: " +
                      QByteArray::number(file.size()) + "\r\n\r\n");
        client->write(file);
        QByteArray in;
        QVERIFY(readUntil(*client, in, "\"sha256\"", 20000));
        QVERIFY2(in.startsWith("HTTP/1.1 201 "), in.left(200).constData());
        QVERIFY(in.contains("Connection: close\r\n"));
        QTRY_VERIFY(in.endsWith('}') || (in += client->readAll()).endsWith('}'));
        const QJsonObject body = bodyOf(in);
        QCOMPARE(body.value("size"_L1).toInteger(), file.size());
        QCOMPARE(body.value("sha256"_L1).toString(),
                 QString::fromLatin1(
                     QCryptographicHash::hash(file, QCryptographicHash::Sha256).toHex()));
        QVERIFY(body.value("pieces"_L1).toInt() > 100);
        QVERIFY(body.value("largestPiece"_L1).toInteger() <= 80 * 1024);
        QCOMPARE(m_incomplete.load(), 0);
    }

    void aChunkedBodyIsStreamedToo()
    {
        auto client = connectClient();
        QVERIFY(client);
        client->write("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 10; ++i)
            client->write("1000\r\n" + QByteArray(4096, char('a' + i)) + "\r\n");
        client->write("0\r\n\r\n");
        QByteArray in;
        QVERIFY(readUntil(*client, in, "\"sha256\""));
        QVERIFY2(in.startsWith("HTTP/1.1 201 "), in.left(200).constData());
        QTRY_VERIFY((in += client->readAll()).endsWith('}'));
        QCOMPARE(bodyOf(in).value("size"_L1).toInteger(), 40960);
    }

    // The route's own limit, from the head: 413 before a byte of the body is sent.
    void overTheRoutesLimitIsRefusedFromTheHead()
    {
        auto client = connectClient();
        QVERIFY(client);
        client->write("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                      "Content-Length: " +
                      QByteArray::number(kUploadLimit + 1) + "\r\n\r\n");
        QByteArray in;
        QVERIFY(readUntil(*client, in, "\r\n\r\n"));
        QVERIFY2(in.startsWith("HTTP/1.1 413 "), in.constData());
        QCOMPARE(m_handled.load(), 0);
        // At the limit, the head is accepted and goes to the route.
        auto atLimit = connectClient();
        QVERIFY(atLimit);
        atLimit->write("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                       "Content-Length: " +
                       QByteArray::number(kUploadLimit) + "\r\n\r\n");
        QTRY_COMPARE(m_handled.load(), 1);
        // Other routes keep the default of 1 MiB.
        auto other = connectClient();
        QVERIFY(other);
        other->write("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                     QByteArray::number(kMaxRequestBody + 1) + "\r\n\r\n");
        in.clear();
        QVERIFY(readUntil(*other, in, "\r\n\r\n"));
        QVERIFY2(in.startsWith("HTTP/1.1 413 "), in.constData());
    }

    void aChunkedBodyOverTheLimitIsCutOff()
    {
        auto client = connectClient();
        QVERIFY(client);
        client->write("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n");
        const QByteArray chunk = "100000\r\n" + QByteArray(0x100000, 'z') + "\r\n"; // 1 MiB
        for (qsizetype sent = 0; sent <= kUploadLimit; sent += 0x100000)
            client->write(chunk);
        QByteArray in;
        QVERIFY(readUntil(*client, in, "\r\n\r\n", 20000));
        QVERIFY2(in.startsWith("HTTP/1.1 413 "), in.constData());
        QTRY_COMPARE(m_incomplete.load(), 1);
    }

    // A route may answer from the head; the body is then never read, and with
    // `Expect: 100-continue` the client is not asked to send it.
    void aRouteAnswersFromTheHeadAlone()
    {
        auto client = connectClient();
        QVERIFY(client);
        client->write("POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                      "Content-Length: 1000000\r\n\r\n");
        QByteArray in;
        QVERIFY(readUntil(*client, in, "\r\n\r\n"));
        QVERIFY2(in.startsWith("HTTP/1.1 401 "), in.constData());
        QVERIFY(!in.contains("100 Continue"));
        QTRY_COMPARE(client->state(), QAbstractSocket::UnconnectedState); // closed after it
    }

    void continueIsSentWhenTheRouteAsksForTheBody()
    {
        auto client = connectClient();
        QVERIFY(client);
        client->write("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                      "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        QByteArray in;
        QVERIFY(readUntil(*client, in, "HTTP/1.1 100 Continue\r\n\r\n"));
        client->write("abc");
        QVERIFY(readUntil(*client, in, "\"sha256\""));
        QVERIFY(in.contains("HTTP/1.1 201 "));
    }

    void aClientThatLeavesMidBodyEndsTheStream()
    {
        auto client = connectClient();
        QVERIFY(client);
        client->write("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                      "Content-Length: 1000000\r\n\r\n" +
                      QByteArray(1000, 'x'));
        QTRY_COMPARE(m_handled.load(), 1);
        QTRY_COMPARE(client->bytesToWrite(), 0);
        client->abort();
        QTRY_COMPARE(m_incomplete.load(), 1);
    }
};

PITCHEY_TEST_MAIN(TestHttpStream)
#include "tst_http_stream.moc"
