#include "http/HttpServer.h"

#include <QHttpServerRequest>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    default:
        return "UNKNOWN";
    }
}

QByteArray header(const QHttpServerRequest &request, QByteArrayView name)
{
    for (const auto &[key, value] : request.headers()) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace

HttpServer::HttpServer(QString webSocketPath, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_webSocketPath(std::move(webSocketPath))
{}

bool HttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const bool upgrade = header(request, "upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
    if (upgrade) {
        // Qt 6.4 upgrades whatever the answer (RealtimeHub closes the strays).
        if (m_upgrading.size() > 64) // handshakes that failed leave a null behind
            m_upgrading.removeIf([](const auto &entry) { return entry.value().isNull(); });
        m_upgrading.insert({socket->peerAddress(), socket->peerPort()}, socket);
        return request.url().path() == m_webSocketPath; // true: Qt hands the socket over
    }

    HttpRequest copy;
    copy.method = methodName(request.method());
    copy.path = request.url().path();
    copy.query = request.query();
    copy.body = request.body();
    copy.authorization = header(request, "authorization");
    copy.origin = header(request, "origin");
    copy.remoteAddress = request.remoteAddress();
    copy.closeConnection = header(request, "connection").compare("close", Qt::CaseInsensitive) == 0;
    if (m_handler)
        m_handler(copy, HttpReply(socket, copy.closeConnection));
    return true;
}

QTcpSocket *HttpServer::takeUpgradedSocket(const QWebSocket &socket)
{
    return m_upgrading.take({socket.peerAddress(), socket.peerPort()}).data();
}

void HttpServer::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    HttpReply(socket, true).error(Error::notFound(u"no such endpoint"_s));
}

} // namespace pitchey::server
