#include "http/HttpTypes.h"

#include <QJsonDocument>

namespace pitchey::server {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Unknown";
    }
}

} // namespace

std::optional<QByteArray> bearerToken(QByteArrayView authorization)
{
    constexpr QByteArrayView kScheme = "bearer";
    if (authorization.size() <= kScheme.size() ||
        authorization.first(kScheme.size()).compare(kScheme, Qt::CaseInsensitive) != 0 ||
        (authorization.at(kScheme.size()) != ' ' && authorization.at(kScheme.size()) != '\t'))
        return std::nullopt;
    const QByteArray token = authorization.sliced(kScheme.size()).trimmed().toByteArray();
    if (token.isEmpty())
        return std::nullopt;
    return token;
}

HttpReply::HttpReply(QTcpSocket *socket, bool closeConnection)
    : m_socket(socket)
    , m_close(closeConnection)
    , m_sent(std::make_shared<bool>(false))
{}

void HttpReply::json(int status, const QJsonObject &body,
                     const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const
{
    write(status, "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact),
          extraHeaders);
}

void HttpReply::error(const Error &error,
                      const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const
{
    // Every 429 says when to try again: a second, what each of its limits needs.
    QList<QPair<QByteArray, QByteArray>> headers = extraHeaders;
    if (error.code == ErrorCode::RateLimited)
        headers.emplaceBack("Retry-After", "1");
    json(httpStatusFor(error.code), QJsonObject{{QStringLiteral("error"), error.toJson()}},
         headers);
}

void HttpReply::empty(int status, const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const
{
    write(status, {}, {}, extraHeaders);
}

void HttpReply::html(int status, const QByteArray &body) const
{
    write(status, "text/html; charset=utf-8", body, {});
}

void HttpReply::text(int status, const QByteArray &contentType, const QByteArray &body) const
{
    write(status, contentType, body, {});
}

void HttpReply::write(int status, const QByteArray &contentType, const QByteArray &body,
                      const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const
{
    if (*m_sent)
        return;
    *m_sent = true;
    if (m_observer)
        m_observer(status);
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    QByteArray head =
        "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    if (!contentType.isEmpty())
        head += "Content-Type: " + contentType + "\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    head += "Cache-Control: no-store\r\n";
    head += "Access-Control-Allow-Origin: *\r\n";
    for (const auto &[name, value] : extraHeaders)
        head += name + ": " + value + "\r\n";
    if (m_close)
        head += "Connection: close\r\n";
    head += "\r\n";
    m_socket->write(head + body);
    if (m_close)
        m_socket->disconnectFromHost();
}

} // namespace pitchey::server
