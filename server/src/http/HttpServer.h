#pragma once

#include "http/HttpConnection.h"
#include "http/HttpTypes.h"
#include "http/RequestReader.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QWebSocketServer>

#include <functional>

class QTcpServer;

namespace pitchey::server {

// HTTP and WebSocket on one port: every accepted connection (plain or TLS) becomes an
// HttpConnection. A valid WebSocket handshake for `webSocketPath` comes out as a
// WebSocketUpgrade: a plain connection as its descriptor with the answer still to write
// (Qt's socket objects deleted), a TLS one through QWebSocketServer, which answers it.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = HttpConnection::Handler;
    using UpgradeHandler = std::function<void(WebSocketUpgrade &&)>;

    HttpServer(QString webSocketPath, HttpLimits limits, QObject *parent = nullptr);
    void setHandler(Handler handler) { m_routes.handler = std::move(handler); }
    void setUpgradeHandler(UpgradeHandler upgraded) { m_upgraded = std::move(upgraded); }
    // Serves the connections `listener` accepts (for a QSslServer, once encrypted).
    void serve(QTcpServer *listener);

private:
    void accept(QTcpServer *listener);
    void upgrade(QTcpSocket *socket, QByteArrayView handshake, WebSocketUpgrade &&upgrade);
    void upgradeTls(QTcpSocket *socket, QByteArrayView handshake, WebSocketUpgrade &&upgrade);
    void upgradedTls();

    HttpLimits m_limits;
    HttpConnection::Routes m_routes;
    UpgradeHandler m_upgraded;
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
