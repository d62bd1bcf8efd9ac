#pragma once

#include "protocol/ErrorCode.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>

namespace pitchey::server {

inline constexpr qsizetype kMaxRequestBody = 1024 * 1024;

// A request, copied out of QHttpServerRequest so that it can outlive handleRequest()
// while the database or the password hasher works on it.
struct HttpRequest
{
    QByteArray method; // "GET", "POST", ...
    QString path;
    QUrlQuery query;
    QByteArray body;
    QByteArray authorization;
    QByteArray origin;
    QHostAddress remoteAddress;
    bool closeConnection = false;
};

// The credentials of an `Authorization: Bearer <token>` header (the scheme's name in any
// case, RFC 9110 11.1); nullopt for another scheme or none.
[[nodiscard]] std::optional<QByteArray> bearerToken(QByteArrayView authorization);

// Answers one request, now or later. Writes the HTTP/1.1 response itself: Qt 6.4's
// QHttpServerResponder refers to the request and cannot be kept past handleRequest().
// If the client went away meanwhile, answering does nothing.
class HttpReply
{
public:
    HttpReply(QTcpSocket *socket, bool closeConnection);

    void json(int status, const QJsonObject &body,
              const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {}) const;
    void error(const Error &error,
               const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {}) const;
    void empty(int status, const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {}) const;
    void html(int status, const QByteArray &body) const;
    void text(int status, const QByteArray &contentType, const QByteArray &body) const;

    // Called with the status when the answer is written (or would be: the client left).
    void setObserver(std::function<void(int status)> observer) { m_observer = std::move(observer); }

private:
    void write(int status, const QByteArray &contentType, const QByteArray &body,
               const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const;

    QPointer<QTcpSocket> m_socket;
    bool m_close;
    std::shared_ptr<bool> m_sent;
    std::function<void(int)> m_observer;
};

} // namespace pitchey::server
