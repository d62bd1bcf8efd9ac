#include "websocket/IoThreads.h"

#include "base/EpollEventDispatcher.h"
#include "messaging/RateLimiter.h"
#include "protocol/Frames.h"
#include "websocket/WebSocketWire.h"
#include "websocket/WsSession.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <unordered_map>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSession, "pitchey.server.session", QtInfoMsg)

namespace pitchey::server {

namespace {

// Appends `batch` to `queue` under `lock` (and empties it); true when the queue was empty,
// so that its reader, which empties it, needs waking.
template<typename T> bool handOver(QMutex &lock, std::vector<T> &queue, std::vector<T> &batch)
{
    bool wasEmpty = false;
    {
        QMutexLocker locker(&lock);
        wasEmpty = queue.empty();
        if (wasEmpty)
            queue.swap(batch);
        else
            std::move(batch.begin(), batch.end(), std::back_inserter(queue));
    }
    batch.clear();
    return wasEmpty;
}

// Small frames go out at once (Nagle would hold one back until the peer acknowledges the
// previous one, up to its 40 ms delayed-ACK timer).
constexpr int kNoDelay = 1;

} // namespace

QByteArray encodeRateRefusal(const QJsonValue &ref)
{
    return frames::encode(
        frames::error({ErrorCode::RateLimited, u"too many frames; slow down"_s}, ref));
}

namespace {

QByteArray binaryRefused()
{
    return frames::encode(frames::error(Error::badRequest(u"frames must be JSON text frames"_s)));
}

} // namespace

// One I/O thread's side: its connections by handle, and the queue of commands for them.
class IoWorker : public QObject, public WireListener
{
    Q_OBJECT

public:
    IoWorker(IoThreads &owner, const IoThreads::Settings &settings)
        : m_owner(owner)
        , m_idleTimeout(settings.idleTimeout)
        , m_maxOutput(settings.maxOutput)
        , m_frameBurst(settings.frameBurst)
        , m_framesPerSecond(settings.framesPerSecond)
    {
        m_clock.start();
        // (Queued connections, not invokeMethod: one posted event each, nothing allocated
        // per call that the static analyser cannot follow.)
        connect(this, &IoWorker::commandsWaiting, this, &IoWorker::drain, Qt::QueuedConnection);
        connect(
            this, &IoWorker::eventsGathered, this, [this] { m_owner.deliver(m_outgoing); },
            Qt::QueuedConnection);
    }

    // From the main thread: what it queued for this thread in one pass of its loop.
    void post(std::vector<IoThreads::Command> &commands)
    {
        if (handOver(m_lock, m_commands, commands))
            Q_EMIT commandsWaiting();
    }

    // On this worker's thread, with its event loop about to stop.
    void dropAll()
    {
        drain();
        while (!m_peers.empty())
            drop(m_peers.begin()->first);
    }

Q_SIGNALS:
    void commandsWaiting(); // emitted by the main thread
    void eventsGathered();

private:
    struct Peer
    {
        qint64 userId = 0;
        std::unique_ptr<WebSocketWire> wire; // a plain TCP connection
        QWebSocket *socket = nullptr;        // a TLS one, on Qt's objects
        QPointer<QTcpSocket> tcp;
        QElapsedTimer sinceLastSign;
        QElapsedTimer sinceRateRefusal; // invalid until the first
        TokenBucket frames;             // the connection's own frame rate
        bool closed = false;
    };

    void drain()
    {
        {
            QMutexLocker locker(&m_lock);
            m_batch.swap(m_commands);
        }
        for (IoThreads::Command &command : m_batch)
            run(command);
        m_batch.clear();
        // Every connection's frames of the batch in one write.
        for (quint64 handle : m_unflushed) {
            if (const auto it = m_peers.find(handle); it != m_peers.end() && it->second.wire)
                it->second.wire->flush();
        }
        m_unflushed.clear();
    }

    void run(IoThreads::Command &command)
    {
        if (command.kind == IoThreads::Command::Adopt)
            return adopt(command);
        if (command.kind == IoThreads::Command::Drop)
            return drop(command.handle);
        const auto it = m_peers.find(command.handle);
        if (it == m_peers.end() || it->second.closed)
            return;
        Peer &peer = it->second;
        switch (command.kind) {
        case IoThreads::Command::Send:
            if (!peer.wire)
                sendOverTls(command.handle, peer, command.text);
            else if (peer.wire->queueText(command.text))
                m_unflushed.push_back(command.handle);
            break;
        case IoThreads::Command::Close:
            close(peer, command.code, command.text);
            break;
        case IoThreads::Command::Heartbeat:
            if (peer.sinceLastSign.elapsed() > m_idleTimeout.count()) {
                qCInfo(lcSession) << "closing silent connection of user" << peer.userId;
                close(peer, QWebSocketProtocol::CloseCodeGoingAway, "no sign of life");
            } else if (peer.wire) {
                peer.wire->ping();
            } else {
                peer.socket->ping();
            }
            break;
        case IoThreads::Command::WhenDrained:
            whenDrained(command.handle, peer);
            break;
        case IoThreads::Command::RateRefusal:
            if (mayRefuse(peer, command.coalesce))
                sendNow(command.handle, peer, command.text);
            break;
        case IoThreads::Command::Adopt:
        case IoThreads::Command::Drop:
            break;
        }
    }

    // The wire's output bound, for a connection on Qt's objects: what waits in the TLS
    // socket.
    void sendOverTls(quint64 handle, Peer &peer, const QByteArray &frame)
    {
        peer.socket->sendTextMessage(QString::fromUtf8(frame));
        auto *tls = qobject_cast<QSslSocket *>(peer.tcp.data());
        if (tls && tls->bytesToWrite() + tls->encryptedBytesToWrite() > m_maxOutput) {
            qCInfo(lcSession) << "cutting off user" << peer.userId << "who stopped reading";
            peer.socket->abort();
            closed(handle);
        }
    }

    // Frames queued in this batch go out at its end (drain()), so a wire asked here
    // answers after that flush at the earliest.
    void whenDrained(quint64 handle, Peer &peer)
    {
        if (peer.wire) {
            if (peer.wire->notifyWhenDrained())
                outputDrained(handle);
            return;
        }
        auto *tls = qobject_cast<QSslSocket *>(peer.tcp.data());
        const auto empty = [tls] {
            return !tls || (tls->bytesToWrite() == 0 && tls->encryptedBytesToWrite() == 0);
        };
        if (empty())
            return outputDrained(handle);
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = connect(tls, &QSslSocket::encryptedBytesWritten, this, [this, handle, empty, once] {
            if (!empty())
                return;
            QObject::disconnect(*once);
            outputDrained(handle);
        });
    }

    void adopt(const IoThreads::Command &command)
    {
        Peer &peer = m_peers[command.handle];
        peer.userId = command.userId;
        peer.sinceLastSign.start();
        peer.frames = {m_frameBurst, m_clock.elapsed()};
        if (command.fd >= 0) {
            ::setsockopt(command.fd, IPPROTO_TCP, TCP_NODELAY, &kNoDelay, sizeof kNoDelay);
            peer.wire = std::make_unique<WebSocketWire>(command.fd, command.handle, *this,
                                                        command.early, m_maxOutput);
            peer.wire->sendRaw(command.text);
            peer.wire->start();
            return;
        }
        if (!command.socket) // lost on the way
            return closed(command.handle);
        peer.socket = command.socket;
        peer.tcp = command.tcp;
        peer.tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (!command.early.isEmpty()) {
            // Back in front of the socket's input, and read as if they had just come.
            for (qsizetype i = command.early.size() - 1; i >= 0; --i)
                peer.tcp->ungetChar(command.early.at(i));
            QMetaObject::invokeMethod(peer.tcp, "readyRead", Qt::QueuedConnection);
        }
        // A socket that went while it was on its way here says so now.
        if (peer.socket->state() != QAbstractSocket::ConnectedState)
            closed(command.handle);
    }

    void closed(quint64 handle)
    {
        const auto it = m_peers.find(handle);
        if (it != m_peers.end()) {
            if (it->second.closed)
                return;
            it->second.closed = true;
        }
        tell({handle, IoThreads::Event::Closed, {}});
    }

    // Events for the main thread go in one batch per pass of this thread's loop.
    void tell(IoThreads::Event event)
    {
        m_outgoing.push_back(std::move(event));
        if (m_outgoing.size() == 1)
            Q_EMIT eventsGathered();
    }

    void signOfLife(quint64 handle) override
    {
        if (const auto it = m_peers.find(handle); it != m_peers.end())
            it->second.sinceLastSign.restart();
    }

public:
    // From the main thread, before the socket moves here: what it says is handled here
    // from now on (queued while it is still on the main thread, and not lost then).
    void watch(quint64 handle, QWebSocket *socket)
    {
        connect(socket, &QWebSocket::textMessageReceived, this,
                [this, handle](const QString &text) { frameReceived(handle, text.toUtf8()); });
        connect(socket, &QWebSocket::binaryMessageReceived, this, [this, handle] {
            signOfLife(handle);
            const auto it = m_peers.find(handle);
            if (it != m_peers.end() && !it->second.closed)
                it->second.socket->sendTextMessage(QString::fromUtf8(binaryRefused()));
        });
        connect(socket, &QWebSocket::pong, this, [this, handle] { signOfLife(handle); });
        connect(socket, &QWebSocket::disconnected, this, [this, handle] { closed(handle); });
    }

private:
    // WireListener
    void textReceived(quint64 handle, QByteArray utf8) override { frameReceived(handle, utf8); }

    // A frame over the connection's rate is refused here, and the main thread never sees
    // it: a flood costs this thread's time, not the main thread's or memory.
    void frameReceived(quint64 handle, const QByteArray &utf8)
    {
        const auto it = m_peers.find(handle);
        if (it == m_peers.end() || it->second.closed)
            return;
        Peer &peer = it->second;
        peer.sinceLastSign.restart();
        frames::ParsedClientFrame parsed = frames::parseClientFrame(utf8);
        const bool allowed = peer.frames.take(m_clock.elapsed(), m_frameBurst, m_framesPerSecond);
        if (peer.wire)
            peer.wire->setThrottled(!allowed);
        if (allowed)
            return tell({handle, IoThreads::Event::Frame, std::move(parsed)});
        const QJsonValue ref = frames::refOf(parsed);
        if (mayRefuse(peer, ref.isNull())) // (before the frame is encoded: most are not)
            sendNow(handle, peer, encodeRateRefusal(ref));
    }

    // A send with a clientMessageId always hears of its refusal (its client waits for an
    // answer to it); for everything else one refusal a second is enough to slow a client
    // down, and a flood's thousands of answers would only fill its output.
    static bool mayRefuse(Peer &peer, bool coalesce)
    {
        if (!coalesce)
            return true;
        if (peer.sinceRateRefusal.isValid() && peer.sinceRateRefusal.elapsed() < 1000)
            return false;
        peer.sinceRateRefusal.start();
        return true;
    }

    // (From the read path too, where nothing flushes later: written now.)
    void sendNow(quint64 handle, Peer &peer, const QByteArray &frame)
    {
        if (!peer.wire)
            sendOverTls(handle, peer, frame);
        else
            peer.wire->sendText(frame);
    }
    void binaryReceived(quint64 handle) override
    {
        signOfLife(handle);
        if (const auto it = m_peers.find(handle); it != m_peers.end() && it->second.wire)
            it->second.wire->sendText(binaryRefused());
    }
    void wireClosed(quint64 handle) override { closed(handle); }
    void outputDrained(quint64 handle) override { tell({handle, IoThreads::Event::Drained, {}}); }

    void close(Peer &peer, QWebSocketProtocol::CloseCode code, const QByteArray &reason)
    {
        if (peer.wire)
            return peer.wire->close(code, reason);
        peer.socket->close(code, QString::fromUtf8(reason));
        // A peer that never answers the closing handshake is cut off.
        auto *deadline = new QTimer(peer.socket);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, peer.socket, &QWebSocket::abort);
        deadline->start(kCloseDeadline);
    }

    void drop(quint64 handle)
    {
        const auto it = m_peers.find(handle);
        if (it == m_peers.end())
            return;
        QWebSocket *socket = it->second.socket;
        QPointer<QTcpSocket> tcp = it->second.tcp;
        m_peers.erase(it); // (and a wire with it)
        if (socket) {
            socket->disconnect(this);
            socket->abort();
            delete socket;
            delete tcp.data(); // (QWebSocket does not own it)
        }
        m_owner.released();
    }

    IoThreads &m_owner;
    std::chrono::milliseconds m_idleTimeout;
    qsizetype m_maxOutput;
    double m_frameBurst;
    double m_framesPerSecond;
    QElapsedTimer m_clock;
    std::unordered_map<quint64, Peer> m_peers; // this thread only

    QMutex m_lock;
    std::vector<IoThreads::Command> m_commands;
    std::vector<IoThreads::Command> m_batch;
    std::vector<IoThreads::Event> m_outgoing; // this thread only
    std::vector<quint64> m_unflushed;         // wires with frames queued by this batch
};

IoThreads::IoThreads(int count, Settings settings, QObject *parent)
    : QObject(parent)
    , m_maxOutput(settings.maxOutput)
{
    connect(this, &IoThreads::moveQueued, this, &IoThreads::move, Qt::QueuedConnection);
    connect(this, &IoThreads::flushQueued, this, &IoThreads::flush, Qt::QueuedConnection);
    connect(this, &IoThreads::eventsWaiting, this, &IoThreads::drainEvents, Qt::QueuedConnection);
    const bool epoll =
        qobject_cast<EpollEventDispatcher *>(QCoreApplication::eventDispatcher()) != nullptr;
    for (int i = 0; i < std::max(1, count); ++i) {
        auto *thread = new QThread;
        thread->setObjectName(u"pitchey-io-%1"_s.arg(i));
        if (epoll)
            thread->setEventDispatcher(new EpollEventDispatcher);
        auto *worker = new IoWorker(*this, settings);
        worker->moveToThread(thread);
        auto *host = new QObject;
        host->moveToThread(thread);
        thread->start();
        m_threads.push_back(thread);
        m_workers.push_back(worker);
        m_hosts.push_back(host);
        m_load.push_back(0);
        m_outbox.emplace_back();
    }
}

IoThreads::~IoThreads()
{
    flush();
    for (size_t i = 0; i < m_threads.size(); ++i) {
        IoWorker *worker = m_workers.at(i);
        QObject *host = m_hosts.at(i);
        QMetaObject::invokeMethod(
            worker,
            [worker, host] {
                worker->dropAll();
                delete host;
            },
            Qt::BlockingQueuedConnection);
        m_threads.at(i)->quit();
        m_threads.at(i)->wait();
        delete worker;
        delete m_threads.at(i);
    }
}

void IoThreads::adopt(WsSession *session, WebSocketUpgrade &&upgrade)
{
    const auto least = std::min_element(m_load.cbegin(), m_load.cend());
    const int index = int(least - m_load.cbegin());
    ++m_load[index];
    const quint64 handle = ++m_nextHandle;
    session->m_handle = handle;
    session->m_ioThread = index;
    m_sessions.insert(handle, session);
    m_held.fetch_add(1, std::memory_order_relaxed);

    if (upgrade.fd >= 0) {
        Command adoption;
        adoption.handle = handle;
        adoption.kind = Command::Adopt;
        adoption.userId = session->userId();
        adoption.fd = upgrade.takeFd();
        adoption.text = std::move(upgrade.answer);
        adoption.early = std::move(upgrade.early);
        return queue(index, std::move(adoption));
    }
    // QWebSocketServer deletes the TCP socket once it is disconnected, from this thread;
    // from now on its I/O thread does.
    QObject::disconnect(upgrade.tcp, &QAbstractSocket::disconnected, nullptr, nullptr);
    // A frame over 64 KiB closes the socket with 1009 (QWebSocket does that itself).
    upgrade.socket->setMaxAllowedIncomingMessageSize(quint64(frames::kMaxFrameBytes));
    upgrade.socket->setMaxAllowedIncomingFrameSize(quint64(frames::kMaxFrameBytes));
    m_workers.at(index)->watch(handle, upgrade.socket.get());
    // QWebSocketServer may still have a call queued here that reads the TCP socket (the
    // handshake's readyRead comes twice): the move waits for it, behind it in this thread's
    // queue. Commands for the connection wait meanwhile.
    m_moving.insert(handle, {upgrade.socket.release(),
                             std::exchange(upgrade.tcp, nullptr),
                             index,
                             session->userId(),
                             {},
                             std::move(upgrade.early),
                             false});
    Q_EMIT moveQueued(handle);
}

void IoThreads::move(quint64 handle)
{
    Moving moving = m_moving.take(handle);
    if (moving.gone) { // the session went meanwhile; nothing reads the socket any more
        moving.socket->abort();
        delete moving.socket;
        delete moving.tcp;
        released();
        return;
    }
    Command adoption;
    adoption.handle = handle;
    adoption.kind = Command::Adopt;
    adoption.userId = moving.userId;
    adoption.early = std::move(moving.early);
    QThread *thread = m_threads.at(moving.index);
    moving.socket->setParent(nullptr);
    moving.tcp->setParent(nullptr);
    moving.socket->moveToThread(thread);
    moving.tcp->moveToThread(thread);
    adoption.socket = moving.socket;
    adoption.tcp = moving.tcp;
    queue(moving.index, std::move(adoption));
    for (Command &command : moving.commands)
        queue(moving.index, std::move(command));
}

void IoThreads::post(const WsSession &session, Command command)
{
    command.handle = session.m_handle;
    if (const auto moving = m_moving.find(command.handle); moving != m_moving.end())
        moving->commands.push_back(std::move(command));
    else
        queue(session.m_ioThread, std::move(command));
}

void IoThreads::forget(const WsSession &session)
{
    if (!m_sessions.remove(session.m_handle))
        return;
    --m_load[session.m_ioThread];
    if (const auto moving = m_moving.find(session.m_handle); moving != m_moving.end()) {
        moving->gone = true; // deleted by move(), still behind what may read it here
        moving->commands.clear();
        return;
    }
    Command drop;
    drop.kind = Command::Drop;
    post(session, std::move(drop));
}

void IoThreads::queue(int thread, Command command)
{
    // Handed over once per pass of the main loop: a fan-out, or every frame answered in
    // one pass, costs each thread one lock and one wake-up.
    m_outbox.at(thread).push_back(std::move(command));
    if (!m_flushQueued) {
        m_flushQueued = true;
        Q_EMIT flushQueued();
    }
}

void IoThreads::flush()
{
    m_flushQueued = false;
    for (size_t i = 0; i < m_outbox.size(); ++i) {
        if (!m_outbox[i].empty())
            m_workers[i]->post(m_outbox[i]);
    }
}

void IoThreads::deliver(std::vector<Event> &events)
{
    if (handOver(m_eventsLock, m_events, events))
        Q_EMIT eventsWaiting();
}

void IoThreads::drainEvents()
{
    {
        QMutexLocker locker(&m_eventsLock);
        m_eventBatch.swap(m_events);
    }
    for (Event &event : m_eventBatch) {
        WsSession *session = m_sessions.value(event.handle);
        if (!session)
            continue; // gone meanwhile
        if (event.kind == Event::Frame)
            session->frameArrived(event.frame);
        else if (event.kind == Event::Drained)
            session->outputDrained();
        else
            session->socketClosed();
    }
    m_eventBatch.clear();
}

} // namespace pitchey::server

#include "IoThreads.moc"
