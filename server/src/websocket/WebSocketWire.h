#pragma once

#include <QByteArray>
#include <QWebSocketProtocol>

#include <array>
#include <chrono>
#include <vector>

class QSocketNotifier;
class QTimer;

namespace pitchey::server {

// How long a peer has to answer our close frame before the connection is cut (the wire's,
// and QWebSocket's wherever the server still uses it).
inline constexpr std::chrono::seconds kCloseDeadline{5};
// A peer that stops reading is cut off once this much waits for it in the wire (what it
// missed stays pending in the database and is pushed again on its next connection).
inline constexpr qsizetype kDefaultMaxOutput = 512 * 1024;

// What a WebSocketWire reports, on its thread. `handle` is the one the wire was made with.
class WireListener
{
public:
    virtual void textReceived(quint64 handle, QByteArray utf8) = 0;
    virtual void binaryReceived(quint64 handle) = 0;
    virtual void signOfLife(quint64 handle) = 0; // a pong or a ping
    virtual void wireClosed(quint64 handle) = 0; // the descriptor is closed; nothing follows
    // The kernel has taken everything queued (asked for with notifyWhenDrained()).
    virtual void outputDrained(quint64 handle) = 0;

protected:
    ~WireListener() = default;
};

// The server's side of one WebSocket (RFC 6455) after the opening handshake, on a plain
// TCP descriptor that it owns: reading, unmasking and checking frames, reassembling
// fragmented messages, answering pings, the closing handshake, and writing.
//
// It exists for memory: QWebSocket over QTcpSocket keeps two ring-buffer chunks and some
// thirty signal connections alive for every connection, ~20 KiB; a wire keeps its
// descriptor, one socket notifier and buffers that are empty (unallocated) while the
// connection is idle. Reads go through one buffer per thread.
//
// A message over kMaxFrameBytes closes with 1009, invalid UTF-8 with 1007, a protocol
// violation (unmasked frame, reserved bits, unknown opcode, bad fragmentation or control
// frame) with 1002. Not thread-safe: used on the thread that made it.
class WebSocketWire
{
public:
    // `early`: bytes that arrived after the handshake and before the wire took over.
    WebSocketWire(int fd, quint64 handle, WireListener &listener, const QByteArray &early,
                  qsizetype maxOutput = kDefaultMaxOutput);
    WebSocketWire(const WebSocketWire &) = delete;
    WebSocketWire &operator=(const WebSocketWire &) = delete;
    ~WebSocketWire(); // closes the descriptor, without a word to the peer

    // A frame's payload is not copied: what waits for a slow reader is shared with every
    // other connection the same frame goes to.
    void sendText(const QByteArray &utf8);
    // Queues a text frame without writing it yet (frames for one connection in one pass
    // of the loop go in one write); true when the caller has to flush() this wire.
    [[nodiscard]] bool queueText(const QByteArray &utf8);
    // Bytes that are not a frame (the handshake's answer, before any frame).
    void sendRaw(const QByteArray &bytes);
    void flush();
    // True when nothing waits for the descriptor now; otherwise the listener hears
    // outputDrained() once everything queued so far has been taken.
    [[nodiscard]] bool notifyWhenDrained();
    void ping();
    // Handles the early bytes; call once the listener knows the handle.
    void start();
    // The closing handshake: a close frame now, and the descriptor closed once the peer
    // answers with its own and hangs up, or after kCloseDeadline whatever it does.
    void close(QWebSocketProtocol::CloseCode code, QByteArrayView reason);
    void abort(); // closes the descriptor now
    // A throttled wire reads 8 KiB per wake-up instead of up to 4 x 64 KiB: a connection
    // over its rate gets less of its thread's time, its other connections more, and what
    // it sends beyond that waits in the kernel (TCP slows the sender down).
    void setThrottled(bool throttled) { m_throttled = throttled; }

    [[nodiscard]] bool isOpen() const { return m_fd >= 0; }

private:
    enum class State : quint8
    {
        Open,
        CloseSent, // ours went first: waiting for the peer's close frame
        Draining,  // both sent (or the peer failed): our side shut down, reading to the end
    };

    void onReadable();
    void received(const char *data, qsizetype size);
    // Consumes whole frames from the front of `data`; returns how many bytes it used.
    qsizetype consume(const char *data, qsizetype size);
    void frame(quint8 opcode, bool fin, QByteArray payload);
    void peerClosed(const QByteArray &payload);
    void fail(QWebSocketProtocol::CloseCode code, QByteArrayView reason);
    void sendClose(quint16 code, QByteArrayView reason);
    void drain();
    // Queues a frame (`raw`: the payload alone); true when it is the first waiting
    // (nobody is to flush yet).
    bool append(quint8 opcode, const QByteArray &payload, bool raw = false);
    // Writes what waits, as much as the descriptor takes; false when it failed.
    bool writeOut();
    void finish();

    int m_fd;
    quint64 m_handle;
    WireListener &m_listener;
    QSocketNotifier *m_reader = nullptr;
    QSocketNotifier *m_writer = nullptr; // made when the descriptor first takes less
    QTimer *m_deadline = nullptr;        // made when closing starts
    QByteArray m_in;                     // the start of a frame not yet complete
    QByteArray m_message;                // the fragments of a message not yet complete
    // What the descriptor did not take yet: from m_out[m_outFirst], less the m_outOffset
    // bytes of it already written; m_outBytes in all.
    struct Pending
    {
        std::array<char, 10> head{}; // the frame's header (none for raw bytes)
        quint8 headSize = 0;
        QByteArray payload;
        [[nodiscard]] qsizetype size() const { return headSize + payload.size(); }
    };
    std::vector<Pending> m_out;
    size_t m_outFirst = 0;
    qsizetype m_outOffset = 0;
    qsizetype m_outBytes = 0;
    quint8 m_messageOpcode = 0; // of the fragmented message in m_message
    State m_state = State::Open;
    bool m_shutDown = false; // our direction of the TCP connection
    bool m_notifyDrained = false;
    bool m_throttled = false;
    qsizetype m_maxOutput;
};

} // namespace pitchey::server
