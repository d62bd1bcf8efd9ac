#include "http/HttpServer.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpServer>
#include <QThread>
#include <QWebSocket>

#include <fcntl.h>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace pitchey::server {

HttpServer::HttpServer(QString webSocketPath, HttpLimits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_routes(std::make_shared<HttpConnection::Routes>())
    , m_webSockets(u"pitchey"_s, QWebSocketServer::NonSecureMode) // (TLS is the socket's)
{
    m_routes->webSocketPath = std::move(webSocketPath);
    // Called on a connection's thread; what is for the handler comes over to this one.
    m_routes->handler = [this](const HttpRequest &request, const HttpReply &reply) {
        if (QThread::currentThread() == thread())
            return m_handler(request, reply);
        QMetaObject::invokeMethod(
            this, [this, request, reply] { m_handler(request, reply); }, Qt::QueuedConnection);
    };
    m_routes->upgrader = [this](QTcpSocket *socket, QByteArrayView handshake,
                                WebSocketUpgrade &&upgrade) {
        if (qobject_cast<QSslSocket *>(socket))
            upgradeTls(socket, handshake, std::move(upgrade));
        else
            this->upgrade(socket, handshake, std::move(upgrade));
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

void HttpServer::serve(QTcpServer *listener)
{
    connect(listener, &QTcpServer::pendingConnectionAvailable, this,
            [this, listener] { accept(listener); });
}

void HttpServer::accept(QTcpServer *listener)
{
    while (QTcpSocket *socket = listener->nextPendingConnection()) {
        // TLS connections stay here: QSslServer has done their TLS handshake here, and
        // QWebSocketServer takes their upgrades here.
        if (m_hosts.empty() || qobject_cast<QSslSocket *>(socket)) {
            new HttpConnection(socket, m_limits, m_routes, this);
            continue;
        }
        QObject *host = m_hosts.at(m_nextHost++ % m_hosts.size());
        socket->setParent(nullptr);
        socket->moveToThread(host->thread());
        // (Runs before anything the destructor asks of the thread: events keep their order.)
        QMetaObject::invokeMethod(
            host,
            [socket, host, limits = m_limits, routes = m_routes] {
                new HttpConnection(socket, limits, routes, host);
            },
            Qt::QueuedConnection);
    }
}

void HttpServer::upgrade(QTcpSocket *socket, QByteArrayView /*handshake*/,
                         WebSocketUpgrade &&upgrade)
{
    // The descriptor is duplicated, and Qt's socket closes only its own. Whatever an answer
    // to an earlier (pipelined) request left unwritten goes first; if the kernel does not
    // take it now, the connection is dropped rather than the answers mixed up.
    socket->flush();
    if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() == 0)
        upgrade.fd = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    socket->abort();
    socket->deleteLater(); // (this runs inside its readyRead)
    if (upgrade.fd < 0) {
        qCInfo(lcHttp) << "a WebSocket handshake whose connection could not be taken over";
        return;
    }
    if (QThread::currentThread() == thread())
        return m_upgraded(std::move(upgrade));
    QMetaObject::invokeMethod(
        this,
        [this, moving = std::make_shared<WebSocketUpgrade>(std::move(upgrade))] {
            m_upgraded(std::move(*moving));
        },
        Qt::QueuedConnection);
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
    m_upgrading.insert({socket->peerAddress(), socket->peerPort()}, std::move(upgrading));
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
