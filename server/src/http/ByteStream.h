#pragma once

#include <QByteArray>
#include <QHostAddress>

#include <atomic>
#include <memory>
#include <variant>

class QSocketNotifier;
class QTcpSocket;

namespace pitchey::server {

// What a ByteStream reports, on its thread.
class StreamListener
{
public:
    virtual void readable() = 0; // bytes (or the end) arrived; read() until it gives 0
    virtual void written() = 0;  // the peer took some of what waited for it
    virtual void closed() = 0;   // the peer is gone (or the connection failed)

protected:
    ~StreamListener() = default;
};

// The bytes under an HttpConnection: a plain TCP descriptor (FdStream) or a TLS socket
// (SocketStream). Used on the thread that made it.
class ByteStream
{
public:
    ByteStream() = default;
    ByteStream(const ByteStream &) = delete;
    ByteStream &operator=(const ByteStream &) = delete;
    virtual ~ByteStream() = default;

    // Reports to `listener` from now on (until released or destroyed).
    virtual void start(StreamListener &listener) = 0;
    // Appends what has arrived, up to `max` bytes, to `into`; 0 when nothing is there now
    // (readable() follows when more comes) or the stream ended (closed() follows).
    virtual qsizetype read(QByteArray &into, qsizetype max) = 0;
    virtual void discardInput() = 0; // reads what is there, and drops it
    virtual void write(const QByteArray &bytes) = 0;
    [[nodiscard]] virtual qsizetype bytesToWrite() const = 0;
    virtual void shutdownWrite() = 0; // our direction ends (TLS: close_notify)
    virtual void abort() = 0;         // the connection ends now
    [[nodiscard]] virtual QHostAddress peerAddress() const = 0;
    // Gives up the connection, with what was read ahead of its reader appended to `early`:
    // a plain one as its descriptor (-1, and closed, if what was written to it did not all
    // go out), a TLS one as its socket (without a parent; nobody is connected to it).
    using Released = std::variant<int, QTcpSocket *>;
    virtual Released release(QByteArray &early) = 0;
};

// A plain TCP connection read and written on its descriptor, which it owns: a socket
// notifier and a queue that is empty (unallocated) while nothing waits, instead of a
// QTcpSocket's engine, two notifiers and 16 KiB read chunk. Reading is level-triggered
// and paused from a wake-up until read() finds the kernel's buffer empty: a connection
// whose reader is busy leaves the rest in the kernel, and TCP slows its client down.
class FdStream final : public ByteStream
{
public:
    explicit FdStream(int fd); // makes it non-blocking
    ~FdStream() override;

    void start(StreamListener &listener) override;
    qsizetype read(QByteArray &into, qsizetype max) override;
    void discardInput() override;
    void write(const QByteArray &bytes) override;
    [[nodiscard]] qsizetype bytesToWrite() const override { return m_out.size() - m_outOffset; }
    void shutdownWrite() override;
    void abort() override;
    [[nodiscard]] QHostAddress peerAddress() const override;
    Released release(QByteArray &early) override;

private:
    void onReadable();
    void onWritable();
    void failed(); // the peer is gone: nothing is read or written any more
    void closeDescriptor();

    int m_fd;
    StreamListener *m_listener = nullptr;
    std::unique_ptr<QSocketNotifier> m_reader;
    std::unique_ptr<QSocketNotifier> m_writer; // made when the kernel first takes less
    QByteArray m_out;                          // not taken by the kernel yet, from m_outOffset
    qsizetype m_outOffset = 0;
};

// A connection through a QTcpSocket (QSslSocket for TLS), which it owns.
class SocketStream final : public ByteStream
{
public:
    explicit SocketStream(QTcpSocket *socket);
    ~SocketStream() override;

    void start(StreamListener &listener) override;
    qsizetype read(QByteArray &into, qsizetype max) override;
    void discardInput() override;
    void write(const QByteArray &bytes) override;
    [[nodiscard]] qsizetype bytesToWrite() const override;
    void shutdownWrite() override;
    void abort() override;
    [[nodiscard]] QHostAddress peerAddress() const override;
    Released release(QByteArray &early) override;

private:
    QTcpSocket *m_socket;
    // The listener as the socket's signal handlers reach it, cleared by release() and the
    // destructor: a handler already queued for the socket (it changes threads on its way
    // to a WebSocket upgrade, and its queued events go with it) then finds no one, rather
    // than a listener that is gone.
    std::shared_ptr<std::atomic<StreamListener *>> m_listener;
};

} // namespace pitchey::server
