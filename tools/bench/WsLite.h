#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QTcpSocket>

#include <functional>
#include <optional>

namespace pitchey::bench {

// RFC 6455 framing shared by the client below and EchoServer.
struct WsFrameHeader
{
    quint8 opcode = 0;
    bool masked = false;
    qsizetype size = 0;       // header bytes, the mask included
    qsizetype maskOffset = 0; // where the 4 mask bytes start, when masked
    qsizetype length = 0;     // payload bytes
};
// The header of the frame at the start of `data`; nullopt until all of it has arrived.
[[nodiscard]] std::optional<WsFrameHeader> readFrameHeader(QByteArrayView data);
// Appends a final frame's header (FIN set) for a payload of `length` bytes.
void appendFrameHeader(QByteArray &out, quint8 opcode, qsizetype length, bool masked);

// Where a client connects: the address (resolved once, not per socket), and the name for
// the Host header and, over TLS, for the certificate check.
struct WsTarget
{
    QHostAddress address;
    QString hostName;
    bool tls = false; // wss: QSslSocket, trusting the system's CAs and --ca-file
};

// A minimal RFC 6455 client over QTcpSocket (QSslSocket for wss): text frames, ping/pong,
// close. Cheaper than QWebSocket (the generator must never be the bottleneck), and it can
// bind its source address, which spreads thousands of sockets over several 127.0.0.x
// addresses.
class WsLite : public QObject
{
    Q_OBJECT

public:
    std::function<void()> onOpen;
    std::function<void(QByteArrayView)> onText;
    std::function<void()> onClosed;

    explicit WsLite(bool tls = false, QObject *parent = nullptr);
    void open(const WsTarget &server, quint16 port, const QByteArray &pathAndQuery,
              const QHostAddress &source, const QByteArray &subprotocol = {});
    void sendText(QByteArrayView text);
    void close();
    [[nodiscard]] bool isOpen() const { return m_open; }

private:
    void onReadyRead();
    void readFrames(); // the handshake's answer, then every whole frame in m_buffer
    void reportClosed();
    void sendFrame(quint8 opcode, QByteArrayView payload);

    QTcpSocket *m_socket; // a child
    QByteArray m_buffer;
    QByteArray m_request;
    bool m_open = false;
    bool m_closeReported = false; // onClosed runs once per open()
    quint32 m_maskState;
};

} // namespace pitchey::bench
