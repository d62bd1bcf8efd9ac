#include "http/ByteStream.h"

#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>

#include <array>
#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pitchey::server {

namespace {

constexpr qsizetype kReadChunk = 64 * 1024;
// Reads of every stream on a thread go through this buffer; a stream's owner gets a copy
// of what arrived, of its size.
thread_local std::array<char, kReadChunk> t_readBuffer;
// discardInput() per wake-up: then other connections of the thread get their turn.
constexpr int kDiscardsPerWakeUp = 4;

} // namespace

FdStream::FdStream(int fd)
    : m_fd(fd)
{
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

FdStream::~FdStream()
{
    closeDescriptor();
}

void FdStream::closeDescriptor()
{
    m_reader.reset(); // (notifiers go before their descriptor)
    m_writer.reset();
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_out = QByteArray();
    m_outOffset = 0;
}

void FdStream::start(StreamListener &listener)
{
    m_listener = &listener;
    if (m_fd < 0)
        return;
    m_reader = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    QObject::connect(m_reader.get(), &QSocketNotifier::activated, m_reader.get(),
                     [this] { onReadable(); });
}

void FdStream::onReadable()
{
    m_reader->setEnabled(false); // until read() finds nothing more
    m_listener->readable();
}

qsizetype FdStream::read(QByteArray &into, qsizetype max)
{
    if (m_fd < 0)
        return 0;
    const ssize_t got = ::recv(m_fd, t_readBuffer.data(), std::min(max, kReadChunk), 0);
    if (got > 0) {
        into.append(t_readBuffer.data(), got);
        return got;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (m_reader)
            m_reader->setEnabled(true);
        return 0;
    }
    failed(); // the end, or an error
    return 0;
}

void FdStream::discardInput()
{
    for (int i = 0; i < kDiscardsPerWakeUp && m_fd >= 0; ++i) {
        QByteArray dropped;
        if (read(dropped, kReadChunk) == 0)
            return; // (read() watches again, or the stream is closed)
    }
    if (m_reader)
        m_reader->setEnabled(true); // more is there: the next wake-up reads it
}

void FdStream::write(const QByteArray &bytes)
{
    if (m_fd < 0 || bytes.isEmpty())
        return;
    if (bytesToWrite() > 0) { // behind others: in order
        m_out.append(bytes);
        return;
    }
    const ssize_t sent = ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return failed();
    const qsizetype done = std::max<qsizetype>(sent, 0);
    if (done == bytes.size())
        return;
    m_out = bytes.sliced(done); // (shares the data when done is 0)
    m_outOffset = 0;
    if (!m_writer) {
        m_writer = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
        QObject::connect(m_writer.get(), &QSocketNotifier::activated, m_writer.get(),
                         [this] { onWritable(); });
    }
    m_writer->setEnabled(true);
}

void FdStream::onWritable()
{
    const ssize_t sent = ::send(m_fd, m_out.constData() + m_outOffset,
                                size_t(m_out.size() - m_outOffset), MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            failed();
        return;
    }
    m_outOffset += sent;
    if (bytesToWrite() == 0) {
        m_out = QByteArray();
        m_outOffset = 0;
        m_writer->setEnabled(false);
    }
    m_listener->written();
}

void FdStream::failed()
{
    if (m_fd < 0)
        return;
    closeDescriptor();
    if (m_listener)
        m_listener->closed();
}

void FdStream::shutdownWrite()
{
    if (m_fd >= 0)
        ::shutdown(m_fd, SHUT_WR);
}

void FdStream::abort()
{
    closeDescriptor();
}

QHostAddress FdStream::peerAddress() const
{
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (m_fd < 0 || ::getpeername(m_fd, reinterpret_cast<sockaddr *>(&address), &size) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&address));
}

FdStream::Released FdStream::release(QByteArray & /*early*/)
{
    // (What the kernel holds stays there, for the descriptor's next reader.)
    m_listener = nullptr;
    if (bytesToWrite() > 0) {
        closeDescriptor();
        return -1;
    }
    m_reader.reset();
    m_writer.reset();
    return std::exchange(m_fd, -1);
}

SocketStream::SocketStream(QTcpSocket *socket)
    : m_socket(socket)
{
    socket->setParent(nullptr);
    // Qt reads no more from the kernel than this while we are not reading: a client that
    // sends faster than it is answered is slowed down by TCP, not buffered.
    socket->setReadBufferSize(kReadChunk);
}

SocketStream::~SocketStream()
{
    if (m_listener)
        m_listener->store(nullptr);
    delete m_socket;
}

void SocketStream::start(StreamListener &listener)
{
    m_listener = std::make_shared<std::atomic<StreamListener *>>(&listener);
    const auto call = [target = m_listener](void (StreamListener::*event)()) {
        return [target, event] {
            if (StreamListener *listener = target->load())
                (listener->*event)();
        };
    };
    QObject::connect(m_socket, &QIODevice::readyRead, m_socket, call(&StreamListener::readable));
    QObject::connect(m_socket, &QIODevice::bytesWritten, m_socket, call(&StreamListener::written));
    QObject::connect(m_socket, &QAbstractSocket::disconnected, m_socket,
                     call(&StreamListener::closed));
}

qsizetype SocketStream::read(QByteArray &into, qsizetype max)
{
    const qint64 size = std::min(m_socket->bytesAvailable(), qint64(max));
    if (size <= 0)
        return 0;
    // Copied: read() of all that is buffered hands over Qt's whole read chunk (16 KiB),
    // which a connection whose request is still incomplete would otherwise keep.
    const QByteArray got = m_socket->read(size);
    into.append(got.constData(), got.size());
    return got.size();
}

void SocketStream::discardInput()
{
    m_socket->readAll();
}

void SocketStream::write(const QByteArray &bytes)
{
    m_socket->write(bytes);
}

qsizetype SocketStream::bytesToWrite() const
{
    return m_socket->bytesToWrite();
}

void SocketStream::shutdownWrite()
{
    if (qobject_cast<QSslSocket *>(m_socket)) {
        m_socket->disconnectFromHost(); // close_notify; the peer answers with its own
    } else {
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        m_socket->readAll();
    }
}

void SocketStream::abort()
{
    m_socket->abort();
}

QHostAddress SocketStream::peerAddress() const
{
    return m_socket->peerAddress();
}

SocketStream::Released SocketStream::release(QByteArray &early)
{
    if (m_listener)
        m_listener->store(nullptr);
    QObject::disconnect(m_socket, nullptr, m_socket, nullptr);
    m_socket->setReadBufferSize(0);
    // (A copy of what is there: the 16 KiB chunk of Qt's read buffer, which QIODevice
    // hands over whole, would live as long as the WebSocket.)
    const QByteArray rest = m_socket->readAll();
    early.append(rest.constData(), rest.size());
    return std::exchange(m_socket, nullptr);
}

} // namespace pitchey::server
