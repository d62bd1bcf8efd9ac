#include "EchoServer.h"

#include "WsLite.h"

#include <QCryptographicHash>
#include <QTcpSocket>

namespace pitchey::bench {

namespace {

class EchoConnection : public QObject
{
public:
    EchoConnection(QTcpSocket *socket)
        : QObject(socket)
        , m_socket(socket)
    {
        connect(socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

private:
    void onReadyRead()
    {
        m_buffer.append(m_socket->readAll());
        if (!m_open && !handshake())
            return;
        qsizetype pos = 0;
        QByteArray out;
        while (const auto header = readFrameHeader(QByteArrayView(m_buffer).sliced(pos))) {
            const quint8 opcode = header->opcode;
            QByteArray payload = m_buffer.mid(pos + header->size, header->length);
            if (header->masked) {
                const char *mask = m_buffer.constData() + pos + header->maskOffset;
                for (qsizetype i = 0; i < payload.size(); ++i)
                    payload[i] = char(payload[i] ^ mask[i & 3]);
            }
            pos += header->size + header->length;
            if (opcode == 0x1)
                appendFrame(out, 0x1, payload);
            else if (opcode == 0x9)
                appendFrame(out, 0xA, payload);
            else if (opcode == 0x8) {
                appendFrame(out, 0x8, {});
                m_socket->write(out);
                m_socket->disconnectFromHost();
                return;
            }
        }
        m_buffer.remove(0, pos);
        if (!out.isEmpty())
            m_socket->write(out);
    }

    bool handshake()
    {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        static constexpr QByteArrayView keyHeader = "sec-websocket-key:";
        const QByteArray request = m_buffer.left(end).toLower();
        const qsizetype at = request.indexOf(keyHeader);
        if (at < 0) {
            m_socket->abort();
            return false;
        }
        const qsizetype lineEnd = request.indexOf("\r\n", at);
        // The key is case-sensitive: read it from the original bytes.
        const QByteArray key =
            m_buffer
                .mid(at + keyHeader.size(), (lineEnd < 0 ? end : lineEnd) - at - keyHeader.size())
                .trimmed();
        const QByteArray accept =
            QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                     QCryptographicHash::Sha1)
                .toBase64();
        m_socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                        accept + "\r\n\r\n");
        m_buffer.remove(0, end + 4);
        m_open = true;
        return true;
    }

    static void appendFrame(QByteArray &out, quint8 opcode, QByteArrayView payload)
    {
        appendFrameHeader(out, opcode, payload.size(), false);
        out.append(payload.data(), payload.size());
    }

    QTcpSocket *m_socket;
    QByteArray m_buffer;
    bool m_open = false;
};

} // namespace

void EchoServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    new EchoConnection(socket);
}

} // namespace pitchey::bench
