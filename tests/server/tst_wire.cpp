// WebSocketWire, the server's own WebSocket frame layer, on a real TCP connection over
// loopback: the test is the client, writing frames byte by byte where it matters, and
// reading what the wire answers.
#include "protocol/Frames.h"
#include "websocket/WebSocketWire.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>

#include <fcntl.h>

#include <memory>

using pitchey::server::WebSocketWire;
using pitchey::server::WireListener;

namespace {

constexpr quint64 kHandle = 7;

struct Recorder : WireListener
{
    QList<QByteArray> texts;
    int binaries = 0;
    int signs = 0;
    bool closed = false;

    void textReceived(quint64 handle, QByteArray utf8) override
    {
        QCOMPARE(handle, kHandle);
        texts.append(utf8);
    }
    void binaryReceived(quint64) override { ++binaries; }
    void signOfLife(quint64) override { ++signs; }
    void wireClosed(quint64 handle) override
    {
        QCOMPARE(handle, kHandle);
        closed = true;
    }
    void outputDrained(quint64 handle) override
    {
        QCOMPARE(handle, kHandle);
        ++drained;
    }
    int drained = 0;
};

// More than the 6 MB these tests queue: they are about waiting, not the bound.
constexpr qsizetype kRoomForSixMegabytes = 8 * 1024 * 1024;

struct Frame
{
    quint8 opcode = 0;
    bool fin = false;
    QByteArray payload;
};

// A client frame: masked unless told otherwise.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true,
                       bool masked = true, quint8 reserved = 0)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0) | reserved | opcode));
    const char maskBit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        out.append(char(maskBit | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char(payload.size() >> 8)).append(char(payload.size() & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        const quint64 length = qToBigEndian(quint64(payload.size()));
        out.append(reinterpret_cast<const char *>(&length), 8);
    }
    if (!masked)
        return out + payload;
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    out.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ mask[i % 4]));
    return out;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    QByteArray out(2, Qt::Uninitialized);
    qToBigEndian(code, out.data());
    return out + reason;
}

} // namespace

class TestWire : public QObject
{
    Q_OBJECT

private:
    QTcpServer m_server;
    std::unique_ptr<QTcpSocket> m_client;
    std::unique_ptr<WebSocketWire> m_wire;
    Recorder m_events;
    QByteArray m_received; // from the wire, not yet parsed

    // A fresh connection; the server's end goes to a wire, as IoThreads does it.
    void connectWire(const QByteArray &early = {},
                     qsizetype maxOutput = pitchey::server::kDefaultMaxOutput)
    {
        m_events = {};
        m_received.clear();
        m_client = std::make_unique<QTcpSocket>();
        m_client->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
        QVERIFY(m_client->waitForConnected(5000));
        QTRY_VERIFY(m_server.hasPendingConnections());
        std::unique_ptr<QTcpSocket> accepted(m_server.nextPendingConnection());
        const int fd = ::fcntl(int(accepted->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        accepted->abort();
        m_wire = std::make_unique<WebSocketWire>(fd, kHandle, m_events, early, maxOutput);
        m_wire->start();
    }

    // The next frame the wire sent, waiting for it.
    Frame nextFrame()
    {
        Frame frame;
        readFrame(frame);
        return frame;
    }

    void readFrame(Frame &frame)
    {
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 5000) {
            m_received += m_client->readAll();
            const auto *p = reinterpret_cast<const uchar *>(m_received.constData());
            qsizetype header = 2;
            qsizetype length = m_received.size() >= 2 ? p[1] & 0x7F : 0;
            if (length == 126) {
                header = 4;
                length = m_received.size() >= 4 ? qFromBigEndian<quint16>(p + 2) : 0;
            } else if (length == 127) {
                header = 10;
                length = m_received.size() >= 10 ? qsizetype(qFromBigEndian<quint64>(p + 2)) : 0;
            }
            if (m_received.size() >= header) {
                QVERIFY2((p[1] & 0x80) == 0, "a server frame is never masked");
                if (m_received.size() >= header + length) {
                    frame.fin = (p[0] & 0x80) != 0;
                    frame.opcode = p[0] & 0x0F;
                    frame.payload = m_received.mid(header, length);
                    m_received.remove(0, header + length);
                    return;
                }
            }
            QTest::qWait(5);
        }
        QFAIL("no frame from the wire");
    }

    // Expects a close frame with `code`, then the server's end of the connection to go.
    void expectClose(quint16 code)
    {
        const Frame frame = nextFrame();
        QCOMPARE(frame.opcode, quint8(0x8));
        QVERIFY(frame.payload.size() >= 2);
        QCOMPARE(qFromBigEndian<quint16>(frame.payload.constData()), code);
        QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
    }

    void send(const QByteArray &bytes)
    {
        m_client->write(bytes);
        QVERIFY(m_client->waitForBytesWritten(5000));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_server.listen(QHostAddress::LocalHost, 0)); }

    void cleanup()
    {
        m_wire.reset();
        m_client.reset();
    }

    void textFramesArriveWholeWhateverTheSegments()
    {
        connectWire();
        const QByteArray burst = clientFrame(0x1, R"({"type":"ping"})") +
                                 clientFrame(0x1, QByteArray(300, 'a')) // 16-bit length
                                 + clientFrame(0x1, QByteArray(60000, 'b'));
        // One byte at a time for the first frames, then the rest at once.
        for (int i = 0; i < 40; ++i) {
            send(burst.mid(i, 1));
            QTest::qWait(1);
        }
        send(burst.mid(40));
        QTRY_COMPARE(m_events.texts.size(), 3);
        QCOMPARE(m_events.texts[0], QByteArray(R"({"type":"ping"})"));
        QCOMPARE(m_events.texts[1], QByteArray(300, 'a'));
        QCOMPARE(m_events.texts[2], QByteArray(60000, 'b'));
        QVERIFY(m_wire->isOpen());
    }

    void fragmentsJoinAndPingsBetweenThemAreAnswered()
    {
        connectWire();
        send(clientFrame(0x1, "{\"type\":", false) + clientFrame(0x9, "are you there") +
             clientFrame(0x0, "\"ping\"", false) + clientFrame(0x0, "}", true));
        QTRY_COMPARE(m_events.texts.size(), 1);
        QCOMPARE(m_events.texts[0], QByteArray(R"({"type":"ping"})"));
        const Frame pong = nextFrame();
        QCOMPARE(pong.opcode, quint8(0xA));
        QCOMPARE(pong.payload, QByteArray("are you there"));
        QCOMPARE(m_events.signs, 1);
    }

    void earlyBytesComeFirst()
    {
        connectWire(clientFrame(0x1, "first"));
        send(clientFrame(0x1, "second"));
        QTRY_COMPARE(m_events.texts.size(), 2);
        QCOMPARE(m_events.texts, (QList<QByteArray>{"first", "second"}));
    }

    void multiByteUtf8SplitAcrossFragments()
    {
        connectWire();
        const QByteArray text = QStringLiteral("caf\u00e9 \U0001F600").toUtf8();
        send(clientFrame(0x1, text.left(4), false) + clientFrame(0x0, text.mid(4, 3), false) +
             clientFrame(0x0, text.mid(7)));
        QTRY_COMPARE(m_events.texts.size(), 1);
        QCOMPARE(m_events.texts[0], text);
    }

    void binaryMessagesAreReported()
    {
        connectWire();
        send(clientFrame(0x2, "\x01\x02"));
        QTRY_COMPARE(m_events.binaries, 1);
        QVERIFY(m_events.texts.isEmpty());
    }

    void serverFramesAreUnmaskedText()
    {
        connectWire();
        const QByteArray small = R"({"type":"pong"})";
        const QByteArray large(70000, 'x'); // 64-bit length
        m_wire->sendText(small);
        m_wire->sendText(large);
        m_wire->ping();
        Frame frame = nextFrame();
        QCOMPARE(frame.opcode, quint8(0x1));
        QVERIFY(frame.fin);
        QCOMPARE(frame.payload, small);
        frame = nextFrame();
        QCOMPARE(frame.payload.size(), large.size());
        QCOMPARE(frame.payload, large);
        QCOMPARE(nextFrame().opcode, quint8(0x9));
    }

    void outputWaitsForASlowReader()
    {
        connectWire({}, kRoomForSixMegabytes);
        // Far more than the kernel's buffers take at once: the rest waits in the wire.
        const int count = 100;
        const QByteArray text(60000, 'y');
        for (int i = 0; i < count; ++i)
            m_wire->sendText(text + QByteArray::number(i));
        for (int i = 0; i < count; ++i) {
            const Frame frame = nextFrame();
            QCOMPARE(frame.payload, text + QByteArray::number(i));
        }
    }

    // Thousands of frames of every header size wait, and go out over many partial vectored
    // writes, after the bytes that are not a frame (the handshake's answer).
    void manyWaitingFramesKeepTheirOrderAfterTheRawBytes()
    {
        connectWire({}, kRoomForSixMegabytes);
        const QByteArray answer = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
        m_wire->sendRaw(answer);
        QList<QByteArray> sent;
        bool mustFlush = false;
        for (int i = 0; i < 20000; ++i) {
            const qsizetype sizes[] = {0, 1, 125, 126, 127, 400, 65535, 65536};
            const qsizetype size = i % 500 == 0 ? sizes[(i / 500) % 8] : 100 + i % 200;
            sent.append(QByteArray(size, char('a' + i % 26)) + QByteArray::number(i));
            mustFlush = m_wire->queueText(sent.last()) || mustFlush;
        }
        QVERIFY(mustFlush);
        m_wire->flush();
        QTRY_VERIFY(m_client->bytesAvailable() >= answer.size());
        QCOMPARE(m_client->read(answer.size()), answer);
        for (const QByteArray &expected : std::as_const(sent)) {
            const Frame frame = nextFrame();
            QCOMPARE(frame.opcode, quint8(0x1));
            QCOMPARE(frame.payload, expected);
        }
    }

    // What paces a large backlog: the wire says when a slow reader has taken everything.
    void drainingIsReportedOnceTheReaderHasTakenEverything()
    {
        connectWire({}, kRoomForSixMegabytes);
        QVERIFY(m_wire->notifyWhenDrained()); // nothing waiting: "now", and no report later
        const int count = 100;
        const QByteArray text(60000, 'z');
        for (int i = 0; i < count; ++i)
            m_wire->sendText(text);
        QVERIFY(!m_wire->notifyWhenDrained());
        QCOMPARE(m_events.drained, 0);
        for (int i = 0; i < count; ++i)
            QCOMPARE(nextFrame().payload, text);
        QTRY_COMPARE(m_events.drained, 1);
        m_wire->sendText("after");
        QCOMPARE(nextFrame().payload, QByteArray("after"));
        QCOMPARE(m_events.drained, 1); // one report per request
    }

    // The bound counts what waits in the wire: frames queued and not yet handed to the
    // kernel (queueText, before flush) pass it exactly where their bytes do.
    void theOutputBoundHoldsAtItsEdge()
    {
        const qsizetype bound = 4 * 60004; // four frames of 60,000 bytes and 4 of header
        connectWire({}, bound);
        const QByteArray text(60000, 'e');
        for (int i = 0; i < 4; ++i)
            (void)m_wire->queueText(text);
        QVERIFY(m_wire->isOpen());
        (void)m_wire->queueText("x");
        QVERIFY(!m_wire->isOpen());
        QVERIFY(m_events.closed);
    }

    void aReaderThatFallsFarBehindIsCutOff()
    {
        connectWire();
        const QByteArray text(60000, 'y');
        for (int i = 0; i < 400 && m_wire->isOpen(); ++i) // 24 MB, never read
            m_wire->sendText(text);
        QVERIFY(!m_wire->isOpen());
        QVERIFY(m_events.closed);
    }

    void clientCloseIsAnsweredAndTheConnectionEnds()
    {
        connectWire();
        send(clientFrame(0x8, closePayload(1000, "bye")));
        expectClose(1000);
        QTRY_VERIFY(m_events.closed);
        QVERIFY(!m_wire->isOpen());
    }

    // An application's own code (3000-4999) is answered with itself (found by
    // fuzz_websocket_frames: under UBSan the code was cast to QWebSocketProtocol::CloseCode).
    void anApplicationCloseCodeIsEchoed()
    {
        connectWire();
        send(clientFrame(0x8, closePayload(4865, "app")));
        expectClose(4865);
        QTRY_VERIFY(m_events.closed);
    }

    void serverCloseWaitsForTheAnswer()
    {
        connectWire();
        m_wire->close(QWebSocketProtocol::CloseCodePolicyViolated, "invalid or expired token");
        const Frame frame = nextFrame();
        QCOMPARE(frame.opcode, quint8(0x8));
        QCOMPARE(qFromBigEndian<quint16>(frame.payload.constData()), quint16(1008));
        QCOMPARE(frame.payload.mid(2), QByteArray("invalid or expired token"));
        m_wire->sendText("not after a close");
        QTest::qWait(50);
        QVERIFY(m_wire->isOpen()); // until the client answers
        send(clientFrame(0x1, "ignored") + clientFrame(0x8, closePayload(1008)));
        QTRY_VERIFY(m_events.closed);
        QVERIFY(m_events.texts.isEmpty());
        QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
        QVERIFY((m_received + m_client->readAll()).isEmpty()); // nothing after the close
    }

    void clientHangingUpIsReported()
    {
        connectWire();
        m_client->abort();
        QTRY_VERIFY(m_events.closed);
    }

    void violationsCloseWithTheirCode_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::newRow("unmasked") << clientFrame(0x1, "{}", true, false) << 1002;
        QTest::newRow("reserved bits") << clientFrame(0x1, "{}", true, true, 0x40) << 1002;
        QTest::newRow("unknown opcode") << clientFrame(0x3, "{}") << 1002;
        QTest::newRow("unknown control opcode") << clientFrame(0xB, "") << 1002;
        QTest::newRow("long control frame") << clientFrame(0x9, QByteArray(126, 'p')) << 1002;
        QTest::newRow("fragmented control frame") << clientFrame(0x9, "p", false) << 1002;
        QTest::newRow("continuation first") << clientFrame(0x0, "{}") << 1002;
        QTest::newRow("text inside a message")
            << clientFrame(0x1, "{", false) + clientFrame(0x1, "}") << 1002;
        QTest::newRow("invalid UTF-8") << clientFrame(0x1, "\xc3\x28") << 1007;
        QTest::newRow("overlong UTF-8") << clientFrame(0x1, "\xc0\xaf") << 1007;
        QTest::newRow("close code 1005") << clientFrame(0x8, closePayload(1005)) << 1002;
        QTest::newRow("one-byte close") << clientFrame(0x8, "x") << 1002;
        QTest::newRow("over 64 KiB")
            << clientFrame(0x1, QByteArray(pitchey::frames::kMaxFrameBytes + 1, 'z')) << 1009;
        QTest::newRow("over 64 KiB in fragments")
            << clientFrame(0x1, QByteArray(40000, 'z'), false) +
                   clientFrame(0x0, QByteArray(40000, 'z'))
            << 1009;
    }

    void violationsCloseWithTheirCode()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        connectWire();
        m_client->write(bytes); // (a large one may not all go: the wire stops reading)
        expectClose(quint16(code));
        QTRY_VERIFY(m_events.closed);
        QVERIFY(m_events.texts.isEmpty());
    }

    void aLargeFrameIsRefusedFromItsHeader()
    {
        connectWire();
        // Only the header of a 10 MiB frame: the wire does not wait for the rest.
        send(clientFrame(0x1, QByteArray(10 * 1024 * 1024, 'z')).left(14));
        expectClose(1009);
    }
};

QTEST_GUILESS_MAIN(TestWire)
#include "tst_wire.moc"
