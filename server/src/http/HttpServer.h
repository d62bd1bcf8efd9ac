#pragma once

#include "http/HttpConnection.h"
#include "http/HttpTypes.h"
#include "http/RequestReader.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

class QTcpServer;

namespace pitchey::server {

// HTTP and WebSocket on one port: every accepted connection (plain or TLS) becomes an
// HttpConnection; a valid WebSocket handshake for `webSocketPath` goes on to
// QWebSocketServer, which answers it, and comes out as newWebSocketConnection().
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = HttpConnection::Handler;

    HttpServer(QString webSocketPath, HttpLimits limits, QObject *parent = nullptr);
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // Serves the connections `listener` accepts (for a QSslServer, once encrypted).
    void serve(QTcpServer *listener);

    [[nodiscard]] bool hasPendingWebSocketConnections() const;
    [[nodiscard]] std::unique_ptr<QWebSocket> nextPendingWebSocketConnection();
    // The TCP socket under an upgraded WebSocket (the QWebSocket does not own it or tell),
    // and what the client sent after the handshake, which QWebSocketServer was not given:
    // whoever moves the connection to another thread moves both. A null socket when unknown.
    struct Upgraded
    {
        QTcpSocket *tcp = nullptr;
        QByteArray early;
    };
    Upgraded takeUpgradedSocket(const QWebSocket &socket);

Q_SIGNALS:
    void newWebSocketConnection();

private:
    void accept(QTcpServer *listener);
    void handOver(QTcpSocket *socket, const QByteArray &handshake, const QByteArray &early);

    QString m_webSocketPath;
    HttpLimits m_limits;
    Handler m_handler;
    QWebSocketServer m_webSockets;
    // By peer address and port (unique among open connections), until taken.
    struct Upgrading
    {
        QPointer<QTcpSocket> tcp;
        QByteArray early;
    };
    QHash<QPair<QHostAddress, quint16>, Upgrading> m_upgrading;
};

} // namespace pitchey::server
