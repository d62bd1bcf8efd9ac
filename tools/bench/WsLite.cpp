#include "WsLite.h"

#include <QRandomGenerator>
#include <QSslSocket>

#include <atomic>
#include <cstdio>

namespace pitchey::bench {

WsLite::WsLite(bool tls, QObject *parent)
    : QObject(parent)
    , m_socket(tls ? new QSslSocket(this) : new QTcpSocket(this))
    , m_maskState(QRandomGenerator::global()->generate() | 1)
{
    connect(m_socket, &QTcpSocket::connected, this, [this, tls] {
        // Only now: before the connection exists, Qt 6.4 drops socket options silently, and
        // with Nagle a send right after an acknowledgement waited for the server's delayed
        // ACK (the ~45 ms maximum latency of every direct run until 2026-11-24).
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (!tls)
            m_socket->write(m_request);
    });
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
        connect(ssl, &QSslSocket::encrypted, this, [this] { m_socket->write(m_request); });
        connect(ssl, &QSslSocket::sslErrors, this, [](const QList<QSslError> &errors) {
            // Once per run: thousands of sockets fail alike.
            static std::atomic<bool> said{false};
            if (!errors.isEmpty() && !said.exchange(true))
                std::fprintf(stderr, "pitchey-bench: TLS: %s (--ca-file trusts a private CA)\n",
                             qPrintable(errors.first().errorString()));
        });
    }
    connect(m_socket, &QTcpSocket::readyRead, this, &WsLite::onReadyRead);
    // A failed connect reports an error only; a close after connecting may report both.
    connect(m_socket, &QTcpSocket::disconnected, this, &WsLite::reportClosed);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            reportClosed();
    });
}

void WsLite::open(const WsTarget &server, quint16 port, const QByteArray &pathAndQuery,
                  const QHostAddress &source, const QByteArray &subprotocol)
{
    m_buffer.clear();
    m_closeReported = false;
    const QByteArray host = server.hostName.contains(u':') ? '[' + server.hostName.toUtf8() + ']'
                                                           : server.hostName.toUtf8(); // IPv6
    m_request =
        "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + ':' + QByteArray::number(port) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: cGl0Y2hleS1iZW5jaC0xNg==\r\nSec-WebSocket-Version: 13\r\n" + // 16 bytes
        (subprotocol.isEmpty() ? QByteArray() : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n") +
        "\r\n";
    if (!source.isNull())
        m_socket->bind(source, 0);
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket))
        ssl->connectToHostEncrypted(server.address.toString(), port, server.hostName);
    else
        // Unbuffered: a frame goes out in the write() call itself (Qt keeps only what the
        // kernel does not take), not through the write notifier and a pass of the event
        // loop, two epoll_ctl calls per send.
        m_socket->connectToHost(server.address, port, QIODevice::ReadWrite | QIODevice::Unbuffered);
}

void WsLite::reportClosed()
{
    m_open = false;
    if (m_closeReported)
        return;
    m_closeReported = true;
    if (onClosed)
        onClosed();
}

void WsLite::close()
{
    m_socket->abort();
}

void WsLite::sendText(QByteArrayView text)
{
    sendFrame(0x1, text);
}

void WsLite::sendFrame(quint8 opcode, QByteArrayView payload)
{
    QByteArray frame;
    frame.reserve(payload.size() + 14);
    const qsizetype n = payload.size();
    appendFrameHeader(frame, opcode, n, true);
    // xorshift: masks need not be secret here, only present.
    m_maskState ^= m_maskState << 13;
    m_maskState ^= m_maskState >> 17;
    m_maskState ^= m_maskState << 5;
    const char mask[4] = {char(m_maskState), char(m_maskState >> 8), char(m_maskState >> 16),
                          char(m_maskState >> 24)};
    frame.append(mask, 4);
    const qsizetype start = frame.size();
    frame.append(payload.data(), n);
    char *data = frame.data() + start;
    for (qsizetype i = 0; i < n; ++i)
        data[i] ^= mask[i & 3];
    m_socket->write(frame);
}

void WsLite::onReadyRead()
{
    m_buffer.append(m_socket->readAll());
    readFrames();
    // Unbuffered, Qt 6.4 meets the peer's close inside that read and drops the socket
    // without disconnected(): this is where it shows. (Missing it left the generator
    // writing into dead sockets after a server restart.)
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        reportClosed();
}

void WsLite::readFrames()
{
    if (!m_open) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        if (!m_buffer.startsWith("HTTP/1.1 101")) {
            m_socket->abort();
            return;
        }
        m_buffer.remove(0, end + 4);
        m_open = true;
        if (onOpen)
            onOpen();
    }
    qsizetype pos = 0;
    while (const auto header = readFrameHeader(QByteArrayView(m_buffer).sliced(pos))) {
        const quint8 opcode = header->opcode;
        const QByteArrayView payload(m_buffer.constData() + pos + header->size, header->length);
        pos += header->size + header->length;
        if (opcode == 0x1 && onText)
            onText(payload);
        else if (opcode == 0x9)
            sendFrame(0xA, payload);
        else if (opcode == 0x8)
            m_socket->disconnectFromHost();
    }
    m_buffer.remove(0, pos);
}

std::optional<WsFrameHeader> readFrameHeader(QByteArrayView data)
{
    if (data.size() < 2)
        return std::nullopt;
    const auto *p = reinterpret_cast<const uchar *>(data.data());
    WsFrameHeader header;
    header.opcode = p[0] & 0x0f;
    header.masked = (p[1] & 0x80) != 0;
    quint64 length = p[1] & 0x7f;
    header.size = 2;
    if (length == 126) {
        if (data.size() < 4)
            return std::nullopt;
        length = (quint64(p[2]) << 8) | p[3];
        header.size = 4;
    } else if (length == 127) {
        if (data.size() < 10)
            return std::nullopt;
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | p[2 + i];
        header.size = 10;
    }
    header.maskOffset = header.size;
    if (header.masked)
        header.size += 4;
    if (quint64(data.size() - header.size) < length)
        return std::nullopt;
    header.length = qsizetype(length);
    return header;
}

void appendFrameHeader(QByteArray &out, quint8 opcode, qsizetype length, bool masked)
{
    const char mask = masked ? char(0x80) : char(0);
    out.append(char(0x80 | opcode));
    if (length < 126) {
        out.append(char(mask | length));
    } else if (length < 65536) {
        out.append(char(mask | 126));
        out.append(char(length >> 8));
        out.append(char(length & 0xff));
    } else {
        out.append(char(mask | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(length) >> shift) & 0xff));
    }
}

} // namespace pitchey::bench
