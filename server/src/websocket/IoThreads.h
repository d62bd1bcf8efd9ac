#pragma once

#include "http/HttpTypes.h"
#include "protocol/Frames.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QWebSocketProtocol>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

class QTcpSocket;
class QThread;
class QWebSocket;

namespace pitchey::server {

class IoWorker;
class WsSession;

// The error frame that refuses a frame over the rate (`ref`: frames::refOf() of it).
[[nodiscard]] QByteArray encodeRateRefusal(const QJsonValue &ref);

// The threads that own the WebSocket connections. Everything a connection does on the
// wire (reading and unmasking frames, checking UTF-8, framing and writing, pings, the
// closing handshake, the idle timeout) happens on the connection's I/O thread; what the
// frames mean (the hub, the registry, the services) stays on the main thread, which talks
// to a connection only through its WsSession.
//
// Nothing crosses threads by pointer to a connection: the main thread addresses one by its
// handle, and each side keeps its own table from handles to objects, so a connection that
// has gone on one side is simply not found by a late command or event from the other.
// Commands to a thread and events back are queued and handed over in batches: a fan-out
// to 1,000 connections on one thread wakes it once.
class IoThreads : public QObject
{
    Q_OBJECT

public:
    // What a connection's thread does for the main thread.
    struct Command
    {
        enum Kind : quint8
        {
            Adopt,
            Send,
            Close,
            Heartbeat,
            Drop,
            WhenDrained, // answered with Event::Drained once the output has gone out
            RateRefusal, // `text`; `coalesce`: unless one went out less than a second ago
        };
        quint64 handle = 0;
        Kind kind = Send;
        QWebSocketProtocol::CloseCode code = QWebSocketProtocol::CloseCodeNormal;
        QByteArray text; // the frame, or the close reason (UTF-8)
        // Adopt: whose connection it is, and the connection: a plain TCP descriptor (a
        // WebSocketWire takes it, and writes `text` first: the handshake's answer), or,
        // for TLS, Qt's objects, already moved to the thread; neither: it was lost on the
        // way. `early`: what was read after the handshake.
        qint64 userId = 0;
        int fd = -1;
        QByteArray early{};
        QWebSocket *socket = nullptr;
        QTcpSocket *tcp = nullptr;
        bool coalesce = false;
    };
    // What a connection's thread tells the main thread: a frame arrives parsed (and
    // validated), so that the main thread does not spend its time in JSON.
    struct Event
    {
        enum Kind : quint8
        {
            Frame,
            Closed,
            Drained,
        };
        quint64 handle = 0;
        Kind kind = Frame;
        frames::ParsedClientFrame frame;
    };

    struct Settings
    {
        std::chrono::milliseconds idleTimeout{std::chrono::seconds(120)};
        // What may wait unsent for one connection before it is cut off.
        qsizetype maxOutput = 512 * 1024;
        // Each connection's frames: a burst, then a steady rate. What is over it is refused
        // on the I/O thread and never reaches the main thread (which applies the same rate
        // to the account, over all its connections).
        double frameBurst = 50;
        double framesPerSecond = 20;
    };

    // `count` threads (at least one), on the main thread's kind of event dispatcher.
    IoThreads(int count, Settings settings, QObject *parent = nullptr);
    IoThreads(const IoThreads &) = delete;
    IoThreads &operator=(const IoThreads &) = delete;
    ~IoThreads() override; // closes what is still open, then stops the threads

    // Hands a connection whose handshake was accepted to the thread with the fewest
    // connections, on behalf of `session`: a plain TCP connection as its descriptor (the
    // thread writes the handshake's answer first), a TLS one as Qt's objects, which move
    // there. What the client sent after the handshake is read before the socket's input.
    void adopt(WsSession *session, WebSocketUpgrade &&upgrade);
    void post(const WsSession &session, Command command);
    void forget(const WsSession &session); // the session is going: drop its connection

    // One object living on each thread, to make other objects there as its children (the
    // front end's HTTP connections): they are deleted with it, on its thread, when the
    // threads stop.
    [[nodiscard]] std::vector<QObject *> hosts() const { return m_hosts; }

    // Connections (socket objects) the threads hold, closed ones until their session goes.
    [[nodiscard]] qsizetype socketsHeld() const { return m_held.load(std::memory_order_relaxed); }
    [[nodiscard]] qsizetype maxOutput() const { return m_maxOutput; }

    // Called by the I/O threads, with a batch of events (taken).
    void deliver(std::vector<Event> &events);
    void released() { m_held.fetch_sub(1, std::memory_order_relaxed); }

Q_SIGNALS:
    // Queued to this object's own thread (see the constructor).
    void moveQueued(quint64 handle);
    void flushQueued();
    void eventsWaiting(); // emitted by the I/O threads

private:
    void move(quint64 handle);
    void queue(int thread, Command command);
    void flush();
    void drainEvents();

    std::vector<QThread *> m_threads;
    std::vector<IoWorker *> m_workers;
    std::vector<QObject *> m_hosts;
    std::vector<qsizetype> m_load;              // connections per thread
    std::vector<std::vector<Command>> m_outbox; // per thread, until flush()
    bool m_flushQueued = false;
    QHash<quint64, WsSession *> m_sessions; // main thread only
    // TLS connections still on their way to their thread, with the commands that wait for
    // them.
    struct Moving
    {
        QWebSocket *socket = nullptr;
        QTcpSocket *tcp = nullptr;
        int index = 0;
        qint64 userId = 0;
        std::vector<Command> commands;
        QByteArray early;
        bool gone = false; // the session went first
    };
    QHash<quint64, Moving> m_moving;
    quint64 m_nextHandle = 0;

    std::atomic<qsizetype> m_held{0};
    qsizetype m_maxOutput;

    QMutex m_eventsLock;
    std::vector<Event> m_events;
    std::vector<Event> m_eventBatch;
};

} // namespace pitchey::server
