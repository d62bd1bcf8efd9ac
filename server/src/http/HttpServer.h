#pragma once

#include "http/HttpTypes.h"

#include <QAbstractHttpServer>

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

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    QString m_webSocketPath;
    Handler m_handler;
};

} // namespace pitchey::server
