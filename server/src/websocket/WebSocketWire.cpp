#include "websocket/WebSocketWire.h"

#include "protocol/Frames.h"

#include <QSocketNotifier>
#include <QTimer>
#include <QUtf8StringView>
#include <QtEndian>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <utility>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace pitchey::server {

namespace {

using CloseCode = QWebSocketProtocol::CloseCode;

// RFC 6455 5.2 (Qt 6.4 keeps its own list private).
enum OpCode : quint8
{
    OpContinue = 0x0,
    OpText = 0x1,
    OpBinary = 0x2,
    OpClose = 0x8,
    OpPing = 0x9,
    OpPong = 0xA,
};

constexpr qsizetype kReadChunk = 64 * 1024;
constexpr int kReadsPerWakeUp = 4; // then other connections of the thread get their turn
// A throttled wire's one read per wake-up: a few hundred small frames.
constexpr qsizetype kThrottledRead = 8 * 1024;

// Reads of every wire on a thread go through this one buffer; only the start of a frame
// that is not complete yet is copied into the wire's own.
thread_local std::array<char, kReadChunk> t_readBuffer;

bool validCloseCode(quint16 code)
{
    // RFC 6455 7.4: the codes an endpoint may send, and the range for applications.
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
           (code >= 3000 && code <= 4999);
}

} // namespace

WebSocketWire::WebSocketWire(int fd, quint64 handle, WireListener &listener,
                             const QByteArray &early, qsizetype maxOutput)
    : m_fd(fd)
    , m_handle(handle)
    , m_listener(listener)
    , m_reader(new QSocketNotifier(fd, QSocketNotifier::Read))
    , m_in(early.isEmpty() ? QByteArray() : early) // (an empty one may have a capacity)
    , m_maxOutput(maxOutput)
{
    QObject::connect(m_reader, &QSocketNotifier::activated, m_reader, [this] { onReadable(); });
}

WebSocketWire::~WebSocketWire()
{
    delete m_deadline;
    delete m_reader; // (notifiers go before their descriptor)
    delete m_writer;
    if (m_fd >= 0)
        ::close(m_fd);
}

void WebSocketWire::start()
{
    if (m_in.isEmpty())
        return;
    const QByteArray early = std::exchange(m_in, {});
    received(early.constData(), early.size());
}

void WebSocketWire::sendText(const QByteArray &utf8)
{
    if (queueText(utf8))
        flush();
}

bool WebSocketWire::queueText(const QByteArray &utf8)
{
    return m_state == State::Open && append(OpText, utf8);
}

void WebSocketWire::sendRaw(const QByteArray &bytes)
{
    if (m_state == State::Open && !bytes.isEmpty() && append(0, bytes, true))
        flush();
}

void WebSocketWire::ping()
{
    if (m_state == State::Open && append(OpPing, {}))
        flush();
}

void WebSocketWire::close(CloseCode code, QByteArrayView reason)
{
    if (m_state != State::Open || m_fd < 0)
        return;
    sendClose(code, reason);
    m_state = State::CloseSent;
}

void WebSocketWire::abort()
{
    finish();
}

void WebSocketWire::onReadable()
{
    const int rounds = m_throttled ? 1 : kReadsPerWakeUp;
    const qsizetype chunk = m_throttled ? kThrottledRead : kReadChunk;
    for (int round = 0; round < rounds && m_fd >= 0; ++round) {
        const ssize_t got = ::read(m_fd, t_readBuffer.data(), size_t(chunk));
        if (got > 0) {
            received(t_readBuffer.data(), got);
            if (got < chunk)
                return;
        } else if (got == 0) {
            return finish(); // the peer hung up
        } else if (errno != EINTR) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                finish();
            return;
        }
    }
}

void WebSocketWire::received(const char *data, qsizetype size)
{
    if (m_state == State::Draining)
        return; // read to the end, and dropped
    if (m_in.isEmpty()) {
        const qsizetype used = consume(data, size);
        if (used < size && m_fd >= 0)
            m_in.append(data + used, size - used);
        return;
    }
    m_in.append(data, size);
    // (A shared copy: closing drops m_in while consume() may still be reading it.)
    const QByteArray pending = m_in;
    const qsizetype used = consume(pending.constData(), pending.size());
    if (used == pending.size() || m_state == State::Draining || m_fd < 0)
        m_in = QByteArray(); // back to nothing allocated
    else
        m_in.remove(0, used);
}

qsizetype WebSocketWire::consume(const char *data, qsizetype size)
{
    const auto *bytes = reinterpret_cast<const uchar *>(data);
    qsizetype at = 0;
    while (m_fd >= 0 && m_state != State::Draining && size - at >= 2) {
        const uchar *p = bytes + at;
        const qsizetype available = size - at;
        const bool fin = (p[0] & 0x80) != 0;
        const quint8 opcode = p[0] & 0x0F;
        if ((p[0] & 0x70) != 0) {
            fail(QWebSocketProtocol::CloseCodeProtocolError, "reserved bits set");
            break;
        }
        if ((p[1] & 0x80) == 0) {
            fail(QWebSocketProtocol::CloseCodeProtocolError, "frames from a client are masked");
            break;
        }
        quint64 length = p[1] & 0x7F;
        qsizetype headerSize = 2;
        if (length == 126) {
            if (available < 4)
                break;
            length = qFromBigEndian<quint16>(p + 2);
            headerSize = 4;
        } else if (length == 127) {
            if (available < 10)
                break;
            length = qFromBigEndian<quint64>(p + 2);
            headerSize = 10;
        }
        if ((opcode & 0x8) != 0) { // control frame
            if (opcode != OpClose && opcode != OpPing && opcode != OpPong) {
                fail(QWebSocketProtocol::CloseCodeProtocolError, "unknown opcode");
                break;
            }
            if (!fin || length > 125) {
                fail(QWebSocketProtocol::CloseCodeProtocolError,
                     "control frames are short and not fragmented");
                break;
            }
        } else {
            if (opcode > OpBinary) {
                fail(QWebSocketProtocol::CloseCodeProtocolError, "unknown opcode");
                break;
            }
            if ((opcode == OpContinue) != (m_messageOpcode != 0)) {
                fail(QWebSocketProtocol::CloseCodeProtocolError, "bad fragmentation");
                break;
            }
            // Refused from its header: a large frame is never waited for.
            if (length > quint64(frames::kMaxFrameBytes - m_message.size())) {
                fail(QWebSocketProtocol::CloseCodeTooMuchData, "message too big");
                break;
            }
        }
        const qsizetype frameSize = headerSize + 4 + qsizetype(length);
        if (available < frameSize)
            break;
        const uchar *mask = p + headerSize;
        const uchar *masked = mask + 4;
        QByteArray payload(qsizetype(length), Qt::Uninitialized);
        char *out = payload.data();
        for (qsizetype i = 0; i < qsizetype(length); ++i)
            out[i] = char(masked[i] ^ mask[i % 4]);
        at += frameSize;
        frame(opcode, fin, std::move(payload));
    }
    // Nothing more is read from a connection that is closing.
    return m_state == State::Draining || m_fd < 0 ? size : at;
}

void WebSocketWire::frame(quint8 opcode, bool fin, QByteArray payload)
{
    switch (opcode) {
    case OpPing:
        m_listener.signOfLife(m_handle);
        if (m_state == State::Open && append(OpPong, payload))
            flush();
        return;
    case OpPong:
        m_listener.signOfLife(m_handle);
        return;
    case OpClose:
        return peerClosed(payload);
    default:
        break;
    }

    if (opcode != OpContinue)
        m_messageOpcode = opcode;
    QByteArray message;
    if (fin && m_message.isEmpty()) {
        message = std::move(payload);
    } else {
        m_message.append(payload);
        if (!fin)
            return;
        message = std::exchange(m_message, {});
    }
    const quint8 kind = std::exchange(m_messageOpcode, 0);
    if (m_state != State::Open)
        return; // (our close frame went out: what follows it is not read)
    if (kind == OpBinary)
        return m_listener.binaryReceived(m_handle);
    if (!QUtf8StringView(message).isValidUtf8())
        return fail(QWebSocketProtocol::CloseCodeWrongDatatype, "invalid UTF-8");
    m_listener.textReceived(m_handle, std::move(message));
}

void WebSocketWire::peerClosed(const QByteArray &payload)
{
    if (m_state == State::CloseSent) { // the answer to ours
        drain();
        return;
    }
    // Answered with the same code, or with 1002 when the frame itself is wrong.
    if (payload.size() == 1)
        return fail(QWebSocketProtocol::CloseCodeProtocolError, "bad close frame");
    // (A number, not a CloseCode: the application's codes, 3000-4999, are not of the enum.)
    quint16 code = QWebSocketProtocol::CloseCodeNormal;
    if (payload.size() >= 2) {
        const quint16 raw = qFromBigEndian<quint16>(payload.constData());
        if (!validCloseCode(raw))
            return fail(QWebSocketProtocol::CloseCodeProtocolError, "bad close code");
        if (!QUtf8StringView(payload.constData() + 2, payload.size() - 2).isValidUtf8())
            return fail(QWebSocketProtocol::CloseCodeWrongDatatype, "invalid UTF-8");
        code = raw;
    }
    sendClose(code, {});
    drain();
}

void WebSocketWire::fail(CloseCode code, QByteArrayView reason)
{
    if (m_state == State::Open)
        sendClose(code, reason);
    drain();
}

void WebSocketWire::sendClose(quint16 code, QByteArrayView reason)
{
    QByteArray payload(2, Qt::Uninitialized);
    qToBigEndian(code, payload.data());
    payload.append(reason.first(std::min<qsizetype>(reason.size(), 123)));
    if (append(OpClose, payload))
        flush();
    if (!m_deadline && m_fd >= 0) {
        m_deadline = new QTimer;
        m_deadline->setSingleShot(true);
        QObject::connect(m_deadline, &QTimer::timeout, m_deadline, [this] { abort(); });
        m_deadline->start(kCloseDeadline);
    }
}

void WebSocketWire::drain()
{
    m_state = State::Draining;
    m_in = QByteArray();
    m_message = QByteArray();
    // Our side ends once the close frame is out; the peer hangs up when it has read it.
    if (m_fd >= 0 && m_outBytes == 0 && !m_shutDown) {
        m_shutDown = true;
        ::shutdown(m_fd, SHUT_WR);
    }
}

bool WebSocketWire::append(quint8 opcode, const QByteArray &payload, bool raw)
{
    if (m_fd < 0)
        return false;
    const bool first = m_outBytes == 0;
    Pending pending{{}, 0, payload};
    if (!raw) {
        auto &head = pending.head;
        head[0] = char(0x80 | opcode); // (server frames: final, unmasked)
        const qsizetype size = payload.size();
        if (size < 126) {
            head[1] = char(size);
            pending.headSize = 2;
        } else if (size <= 0xFFFF) {
            head[1] = char(126);
            qToBigEndian(quint16(size), head.data() + 2);
            pending.headSize = 4;
        } else {
            head[1] = char(127);
            qToBigEndian(quint64(size), head.data() + 2);
            pending.headSize = 10;
        }
    }
    m_outBytes += pending.size();
    m_out.push_back(std::move(pending));
    if (m_outBytes > m_maxOutput) {
        finish();
        return false;
    }
    return first;
}

bool WebSocketWire::writeOut()
{
    constexpr int kMaxPieces = 64;
    while (m_outBytes > 0) {
        std::array<iovec, kMaxPieces> pieces{};
        int count = 0;
        size_t offered = 0;
        qsizetype skip = m_outOffset;
        const auto offer = [&](const char *data, qsizetype size) {
            if (skip >= size) {
                skip -= size;
                return;
            }
            pieces[size_t(count++)] = {const_cast<char *>(data + skip), size_t(size - skip)};
            offered += size_t(size - skip);
            skip = 0;
        };
        for (size_t i = m_outFirst; i < m_out.size() && count + 2 <= kMaxPieces; ++i) {
            offer(m_out[i].head.data(), m_out[i].headSize);
            offer(m_out[i].payload.constData(), m_out[i].payload.size());
        }
        msghdr message{};
        message.msg_iov = pieces.data();
        message.msg_iovlen = size_t(count);
        ssize_t written = -1;
        do {
            written = ::sendmsg(m_fd, &message, MSG_NOSIGNAL);
        } while (written < 0 && errno == EINTR);
        if (written < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        m_outBytes -= written;
        qsizetype left = m_outOffset + written;
        while (m_outFirst < m_out.size() && left >= m_out[m_outFirst].size()) {
            left -= m_out[m_outFirst].size();
            m_out[m_outFirst++] = {}; // its payload is released now, not with the rest
        }
        m_outOffset = left;
        if (size_t(written) < offered)
            return true; // the kernel's buffer is full
    }
    return true;
}

void WebSocketWire::flush()
{
    if (m_fd < 0 || m_outBytes == 0 || (m_writer && m_writer->isEnabled()))
        return; // nothing to do, or waiting for the descriptor to take more
    if (!writeOut())
        return finish();
    if (m_outBytes == 0) {
        std::vector<Pending>().swap(m_out); // back to nothing allocated
        m_outFirst = 0;
        m_outOffset = 0;
        if (m_state == State::Draining)
            drain(); // the close frame is out now
        else if (std::exchange(m_notifyDrained, false))
            m_listener.outputDrained(m_handle);
        return;
    }
    if (m_outFirst > m_out.size() / 2) { // what is written goes, now and then
        m_out.erase(m_out.begin(), m_out.begin() + qsizetype(m_outFirst));
        m_outFirst = 0;
    }
    if (!m_writer) {
        m_writer = new QSocketNotifier(m_fd, QSocketNotifier::Write);
        QObject::connect(m_writer, &QSocketNotifier::activated, m_writer, [this] {
            m_writer->setEnabled(false);
            flush();
        });
    }
    m_writer->setEnabled(true);
}

bool WebSocketWire::notifyWhenDrained()
{
    if (m_outBytes == 0)
        return true;
    m_notifyDrained = true;
    return false;
}

void WebSocketWire::finish()
{
    if (m_fd < 0)
        return;
    // This may run inside a notifier's or the timer's own signal: they are disabled now
    // and deleted later.
    for (QObject *object : std::initializer_list<QObject *>{m_reader, m_writer, m_deadline}) {
        if (auto *notifier = qobject_cast<QSocketNotifier *>(object))
            notifier->setEnabled(false);
        if (object)
            object->deleteLater();
    }
    if (m_deadline)
        m_deadline->stop();
    m_reader = nullptr;
    m_writer = nullptr;
    m_deadline = nullptr;
    ::close(m_fd);
    m_fd = -1;
    m_in = QByteArray();
    m_message = QByteArray();
    std::vector<Pending>().swap(m_out);
    m_outFirst = 0;
    m_outOffset = 0;
    m_outBytes = 0;
    m_listener.wireClosed(m_handle);
}

} // namespace pitchey::server
