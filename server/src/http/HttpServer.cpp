#include "http/HttpServer.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QTcpServer>
#include <QThread>
#include <QWebSocket>

#include <unistd.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcHttp, "pitchey.server.http", QtInfoMsg)

namespace pitchey::server {

HttpServer::HttpServer(QString webSocketPath, HttpLimits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_routes(std::make_shared<HttpConnection::Routes>())
    , m_webSockets(u"pitchey"_s, QWebSocketServer::NonSecureMode) // (TLS is the socket's)
{
    m_routes->webSocketPath = std::move(webSocketPath);
    // Called on a connection's thread; what is for the handler and the upgrades comes over
    // to this one (invokeMethod's AutoConnection: called at once when already here).
    m_routes->handler = [this](const HttpRequest &request, const HttpReply &reply) {
        QMetaObject::invokeMethod(this, [this, request, reply] { m_handler(request, reply); });
    };
    m_routes->upgrader = [this](ByteStream::Released connection, QByteArrayView handshake,
                                WebSocketUpgrade &&upgrade) {
        auto *const *socket = std::get_if<QTcpSocket *>(&connection);
        if (socket)
            (*socket)->moveToThread(thread()); // (pushed by the thread it lives on)
        QMetaObject::invokeMethod(
            this, [this, connection, raw = socket ? handshake.toByteArray() : QByteArray(),
                   moving = std::make_shared<WebSocketUpgrade>(std::move(upgrade))] {
                if (auto *const *tls = std::get_if<QTcpSocket *>(&connection))
                    upgradeTls(*tls, raw, std::move(*moving));
                else
                    this->upgrade(std::get<int>(connection), std::move(*moving));
            });
    };
    connect(&m_webSockets, &QWebSocketServer::newConnection, this, &HttpServer::upgradedTls);
}

HttpServer::~HttpServer()
{
    // Connections on other threads call back here: they go first, each on its thread.
    for (QObject *host : m_hosts) {
        QMetaObject::invokeMethod(
            host,
            [host] {
                qDeleteAll(host->findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly));
            },
            Qt::BlockingQueuedConnection);
    }
}

void TcpListener::incomingConnection(qintptr fd)
{
    if (m_accepted)
        m_accepted(int(fd));
    else
        ::close(int(fd));
}

void HttpServer::serve(QTcpServer *listener)
{
    if (auto *plain = qobject_cast<TcpListener *>(listener))
        return plain->onAccepted([this](int fd) { accept(fd); });
    connect(listener, &QTcpServer::pendingConnectionAvailable, this,
            [this, listener] { accept(listener); });
}

void HttpServer::accept(QTcpServer *listener)
{
    // (QSslServer has done the TLS handshake here; QWebSocketServer takes the upgrades
    // here, where upgradeTls() brings their sockets back.) Each socket moves to its thread
    // from the event loop, not from here: this runs inside the socket's `encrypted`
    // signal, and QSslSocket goes on decrypting what came with the handshake's last flight
    // (often the request) on this thread after it returns.
    while (QTcpSocket *socket = listener->nextPendingConnection()) {
        QMetaObject::invokeMethod(
            this,
            [this, socket = QPointer<QTcpSocket>(socket)] {
                if (!socket)
                    return;
                QObject *host = nextHost();
                socket->setParent(nullptr);
                socket->moveToThread(host->thread());
                open(host, [tcp = socket.data()] { return std::make_unique<SocketStream>(tcp); });
            },
            Qt::QueuedConnection);
    }
}

void HttpServer::accept(int fd)
{
    open(nextHost(), [fd] { return std::make_unique<FdStream>(fd); });
}

QObject *HttpServer::nextHost()
{
    return m_hosts.empty() ? this : m_hosts.at(m_nextHost++ % m_hosts.size());
}

void HttpServer::open(QObject *host, std::function<std::unique_ptr<ByteStream>()> stream)
{
    // (Runs before anything the destructor asks of the thread: events keep their order.)
    QMetaObject::invokeMethod(
        host, [host, stream = std::move(stream), limits = m_limits, routes = m_routes] {
            new HttpConnection(stream(), limits, routes, host);
        });
}

void HttpServer::upgrade(int fd, WebSocketUpgrade &&upgrade)
{
    // (-1: an answer to an earlier, pipelined request was not all written; the connection
    // was dropped rather than the answers mixed up.)
    upgrade.fd = fd;
    if (upgrade.fd < 0) {
        qCInfo(lcHttp) << "a WebSocket handshake whose connection could not be taken over";
        return;
    }
    m_upgraded(std::move(upgrade));
}

void HttpServer::upgradeTls(QTcpSocket *socket, QByteArrayView handshake,
                            WebSocketUpgrade &&upgrade)
{
    socket->setParent(this);
    // The handshake goes back into the socket for QWebSocketServer to read again. The
    // frames after it do not: Qt's QWebSocket would read them before anyone listens to it.
    for (qsizetype i = handshake.size() - 1; i >= 0; --i)
        socket->ungetChar(handshake.at(i));
    if (m_upgrading.size() > 64) // handshakes that failed leave a null behind
        m_upgrading.removeIf([](const auto &entry) { return entry.value()->tcp.isNull(); });
    auto upgrading = std::make_shared<Upgrading>();
    upgrading->tcp = socket;
    upgrading->upgrade = std::move(upgrade);
    m_upgrading.insert({socket->peerAddress(), socket->peerPort()}, upgrading);
    m_webSockets.handleConnection(socket);
}

void HttpServer::upgradedTls()
{
    while (m_webSockets.hasPendingConnections()) {
        std::unique_ptr<QWebSocket> socket(m_webSockets.nextPendingConnection());
        const auto upgrading = m_upgrading.take({socket->peerAddress(), socket->peerPort()});
        if (!upgrading || !upgrading->tcp) { // cannot happen: every upgrade came through here
            qCWarning(lcHttp) << "an upgraded connection without its socket; dropping it";
            socket->abort();
            continue;
        }
        WebSocketUpgrade upgrade(std::move(upgrading->upgrade));
        upgrade.socket = std::move(socket);
        upgrade.tcp = upgrading->tcp;
        m_upgraded(std::move(upgrade));
    }
}

} // namespace pitchey::server
