#include "http/HttpServer.h"

#include <QTcpServer>

using namespace Qt::StringLiterals;

namespace pitchey::server {

HttpServer::HttpServer(QString webSocketPath, HttpLimits limits, QObject *parent)
    : QObject(parent)
    , m_webSocketPath(std::move(webSocketPath))
    , m_limits(limits)
    , m_webSockets(u"pitchey"_s, QWebSocketServer::NonSecureMode) // (TLS is the socket's)
{
    connect(&m_webSockets, &QWebSocketServer::newConnection, this,
            &HttpServer::newWebSocketConnection);
}

void HttpServer::serve(QTcpServer *listener)
{
    connect(listener, &QTcpServer::pendingConnectionAvailable, this,
            [this, listener] { accept(listener); });
}

void HttpServer::accept(QTcpServer *listener)
{
    while (QTcpSocket *socket = listener->nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, m_limits, m_handler, m_webSocketPath, this);
        connect(connection, &HttpConnection::upgradeRequested, this, &HttpServer::handOver);
    }
}

void HttpServer::handOver(QTcpSocket *socket, const QByteArray &handshake, const QByteArray &early)
{
    socket->setParent(this);
    // The handshake goes back into the socket for QWebSocketServer to read again. The
    // frames after it do not: Qt's QWebSocket would read them before anyone listens to it.
    for (qsizetype i = handshake.size() - 1; i >= 0; --i)
        socket->ungetChar(handshake.at(i));
    if (m_upgrading.size() > 64) // handshakes that failed leave a null behind
        m_upgrading.removeIf([](const auto &entry) { return entry.value().tcp.isNull(); });
    m_upgrading.insert({socket->peerAddress(), socket->peerPort()}, {socket, early});
    m_webSockets.handleConnection(socket);
}

bool HttpServer::hasPendingWebSocketConnections() const
{
    return m_webSockets.hasPendingConnections();
}

std::unique_ptr<QWebSocket> HttpServer::nextPendingWebSocketConnection()
{
    return std::unique_ptr<QWebSocket>(m_webSockets.nextPendingConnection());
}

HttpServer::Upgraded HttpServer::takeUpgradedSocket(const QWebSocket &socket)
{
    Upgrading taken = m_upgrading.take({socket.peerAddress(), socket.peerPort()});
    return {taken.tcp.data(), std::move(taken.early)};
}

} // namespace pitchey::server
