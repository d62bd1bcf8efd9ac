#pragma once

#include "http/HttpTypes.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QTcpSocket>
#include <QWebSocket>

#include <functional>

namespace pitchey::server {

// HTTP and WebSocket on one port. Requests go to the handler as HttpRequest values; an
// upgrade to the WebSocket path is let through to newWebSocketConnection().
class HttpServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    using Handler = std::function<void(const HttpRequest &, const HttpReply &)>;

    explicit HttpServer(QString webSocketPath, QObject *parent = nullptr);
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // The TCP socket under an upgraded WebSocket (Qt does not tell, and the QWebSocket does
    // not own it): whoever moves the connection to another thread moves both. Null when
    // unknown.
    QTcpSocket *takeUpgradedSocket(const QWebSocket &socket);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    QString m_webSocketPath;
    Handler m_handler;
    // By peer address and port (unique among open connections), until taken.
    QHash<QPair<QHostAddress, quint16>, QPointer<QTcpSocket>> m_upgrading;
};

} // namespace pitchey::server
