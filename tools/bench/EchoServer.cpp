#include "EchoServer.h"

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
        while (m_buffer.size() - pos >= 2) {
            const auto *p = reinterpret_cast<const uchar *>(m_buffer.constData() + pos);
            const quint8 opcode = p[0] & 0x0f;
            const bool masked = p[1] & 0x80;
            quint64 length = p[1] & 0x7f;
            qsizetype header = 2;
            if (length == 126) {
                if (m_buffer.size() - pos < 4)
                    break;
                length = (quint64(p[2]) << 8) | p[3];
                header = 4;
            } else if (length == 127) {
                if (m_buffer.size() - pos < 10)
                    break;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | p[2 + i];
                header = 10;
            }
            const qsizetype maskAt = pos + header;
            if (masked)
                header += 4;
            if (quint64(m_buffer.size() - pos - header) < length)
                break;
            QByteArray payload = m_buffer.mid(pos + header, qsizetype(length));
            if (masked) {
                const char *mask = m_buffer.constData() + maskAt;
                for (qsizetype i = 0; i < payload.size(); ++i)
                    payload[i] = char(payload[i] ^ mask[i & 3]);
            }
            pos += header + qsizetype(length);
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
        out.append(char(0x80 | opcode));
        const qsizetype n = payload.size();
        if (n < 126) {
            out.append(char(n));
        } else if (n < 65536) {
            out.append(char(126));
            out.append(char(n >> 8));
            out.append(char(n & 0xff));
        } else {
            out.append(char(127));
            for (int shift = 56; shift >= 0; shift -= 8)
                out.append(char((quint64(n) >> shift) & 0xff));
        }
        out.append(payload.data(), n);
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
