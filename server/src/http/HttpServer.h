#pragma once

#include "http/HttpConnection.h"
#include "http/HttpTypes.h"
#include "http/RequestReader.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>
#include <vector>

namespace pitchey::server {

// A listening socket that hands what it accepts over as descriptors (HttpServer::serve
// reads them itself), without making a QTcpSocket for each.
class TcpListener : public QTcpServer
{
    Q_OBJECT

public:
    using QTcpServer::QTcpServer;
    // Called for every accepted connection, which it then owns.
    void onAccepted(std::function<void(int fd)> accepted) { m_accepted = std::move(accepted); }

protected:
    void incomingConnection(qintptr fd) override;

private:
    std::function<void(int fd)> m_accepted;
};

// HTTP and WebSocket on one port: every accepted connection becomes an HttpConnection on
// one of the connection threads (setConnectionThreads; the I/O threads), where its
// requests are read and checked: a plain one (from a TcpListener) read from its
// descriptor, a TLS one through its QSslSocket, once QSslServer has done the TLS
// handshake here. Complete requests come to the handler on this object's thread. A valid
// WebSocket handshake for `webSocketPath` comes out here too, as a WebSocketUpgrade: a
// plain connection as its descriptor with the answer still to write, a TLS one (its socket
// back on this thread) through QWebSocketServer, which answers it.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = HttpConnection::Handler;
    using UpgradeHandler = std::function<void(WebSocketUpgrade &&)>;

    HttpServer(QString webSocketPath, HttpLimits limits, QObject *parent = nullptr);
    ~HttpServer() override; // closes the connections on other threads, and waits for that
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    void setUpgradeHandler(UpgradeHandler upgraded) { m_upgraded = std::move(upgraded); }
    // How each route takes its body (called on the connections' threads); by default every
    // route takes it whole, up to kMaxRequestBody. Before serve().
    void setBodyPolicy(HttpConnection::BodyPolicyFor policy)
    {
        m_routes->bodyPolicy = std::move(policy);
    }
    // Objects living on the threads that read plain connections, taken in turn (a
    // connection's HttpConnection is made there, as their child); none: this thread.
    void setConnectionThreads(std::vector<QObject *> hosts) { m_hosts = std::move(hosts); }
    // Serves the connections `listener` accepts: a TcpListener's as descriptors, any
    // other's (a QSslServer's, once encrypted) as sockets.
    void serve(QTcpServer *listener);

private:
    void accept(QTcpServer *listener);
    void accept(int fd);
    [[nodiscard]] QObject *nextHost(); // the connection threads' hosts in turn; none: this
    // Makes an HttpConnection over what `stream` returns there, on `host`'s thread.
    void open(QObject *host, std::function<std::unique_ptr<ByteStream>()> stream);
    // The two run on this thread (the routes' upgrader brings the connection here).
    void upgrade(int fd, WebSocketUpgrade &&upgrade);
    void upgradeTls(QTcpSocket *socket, QByteArrayView handshake, WebSocketUpgrade &&upgrade);
    void upgradedTls();

    HttpLimits m_limits;
    std::shared_ptr<HttpConnection::Routes> m_routes;
    Handler m_handler;
    UpgradeHandler m_upgraded;
    std::vector<QObject *> m_hosts;
    size_t m_nextHost = 0;
    QWebSocketServer m_webSockets; // TLS only
    // TLS handshakes with QWebSocketServer, by peer address and port (unique among open
    // connections): the TCP socket (the QWebSocket does not own it or tell) and the rest.
    struct Upgrading
    {
        QPointer<QTcpSocket> tcp;
        WebSocketUpgrade upgrade;
    };
    QHash<QPair<QHostAddress, quint16>, std::shared_ptr<Upgrading>> m_upgrading;
};

} // namespace pitchey::server
