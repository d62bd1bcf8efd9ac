#pragma once

#include "protocol/ErrorCode.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QMutex>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

class QIODevice;
class QTcpSocket;
class QWebSocket;

namespace pitchey::server {

// The contract's limit of a request body; HttpConnection answers 413 past it.
inline constexpr qsizetype kMaxRequestBody = 1024 * 1024;

class HttpConnection;

// A WebSocket opening handshake the front end accepted (RFC 6455 4.2), on its way to the
// realtime side, which owns the connection from then on.
struct WebSocketUpgrade
{
    QUrlQuery query; // of the request target: the token

    // A plain TCP connection: its descriptor (closed with this object unless taken), and
    // the handshake's answer (101), which nothing has written yet.
    int fd = -1;
    QByteArray answer;
    // A TLS connection: Qt's objects, the answer sent (QWebSocketServer's).
    std::unique_ptr<QWebSocket> socket;
    QTcpSocket *tcp = nullptr;

    QByteArray early; // what the client sent after the handshake

    WebSocketUpgrade();
    WebSocketUpgrade(WebSocketUpgrade &&other) noexcept;
    WebSocketUpgrade &operator=(WebSocketUpgrade &&other) noexcept;
    ~WebSocketUpgrade();
    [[nodiscard]] int takeFd() { return std::exchange(fd, -1); }
};

// The answer to a valid opening handshake with `key` (its Sec-WebSocket-Key).
[[nodiscard]] QByteArray webSocketAnswer(QByteArrayView key);

class ReplyChannel;

// A response body read from a device as the client takes it (a download): `length` bytes
// from its current position. The device is read on the connection's thread.
struct ResponseBody
{
    std::shared_ptr<QIODevice> device;
    qint64 length = 0;
};

// How a route takes its body, decided from the request's head on the connection's thread
// (HttpConnection::Routes::bodyPolicy; without one, every route has the default).
struct BodyPolicy
{
    // Over it: 413, from Content-Length before a byte of the body is read, or as a chunked
    // body grows.
    qsizetype limit = kMaxRequestBody;
    // The handler gets the request as soon as its head is read, and the body, if it wants
    // it, through HttpRequest::stream; the connection closes after the answer.
    bool streamed = false;
};

// The body of a streamed request, read only when its route asks for it: a route may answer
// from the head alone (then the body is dropped, and the connection closed).
class HttpBodyStream
{
public:
    // Called on the connection's thread, in order: `piece` (about 64 KiB at most) for each part of
    // the body as it arrives (the next is read when the call returns), then `done(true)`
    // once the body is complete, or `done(false)` if it never will be (the client went, a
    // limit or a timeout, which the connection answers itself). `done` may also be called
    // at once, on the caller's thread, when the connection is gone already. Once.
    using Piece = std::function<void(QByteArrayView piece)>;
    using Done = std::function<void(bool complete)>;
    void read(Piece piece, Done done) const;

    HttpBodyStream(std::shared_ptr<ReplyChannel> channel, quint64 serial)
        : m_channel(std::move(channel))
        , m_serial(serial)
    {}

private:
    std::shared_ptr<ReplyChannel> m_channel;
    quint64 m_serial;
};

// A complete request, validated by the front end (HttpConnection). HEAD arrives as GET,
// its answer written without the body.
struct HttpRequest
{
    QByteArray method;                    // "GET", "POST", ...
    std::optional<quint64> contentLength; // as the head states it
    bool chunked = false;
    QByteArray range; // the Range field
    QString path;
    QUrlQuery query;
    QByteArray body;
    QByteArray authorization;
    QByteArray origin;
    QHostAddress remoteAddress;
    bool closeConnection = false;
    // A streamed route's body (BodyPolicy::streamed), when the request has one; `body` is
    // then empty.
    std::optional<HttpBodyStream> stream;
};

// What a Range field asks of a representation of `size` bytes: all of it (no field, one
// that is not valid, or several ranges), one part of it, or nothing it has (416).
struct ByteRange
{
    enum class Kind
    {
        Whole,
        Part,
        Unsatisfiable
    };
    Kind kind = Kind::Whole;
    qint64 offset = 0;
    qint64 length = 0;
};
[[nodiscard]] ByteRange byteRange(QByteArrayView field, qint64 size);

// The credentials of an `Authorization: Bearer <token>` header (the scheme's name in any
// case, RFC 9110 11.1); nullopt for another scheme or none.
[[nodiscard]] std::optional<QByteArray> bearerToken(QByteArrayView authorization);

// Where the answers to one connection's requests go, from any thread: to the connection,
// on its own thread, as long as it exists.
class ReplyChannel
{
public:
    explicit ReplyChannel(HttpConnection *connection)
        : m_connection(connection)
    {}
    void answer(quint64 serial, QByteArray response, bool close);
    void answerStream(quint64 serial, QByteArray head, ResponseBody body, bool close);
    void readBody(quint64 serial, HttpBodyStream::Piece piece, HttpBodyStream::Done done);
    void detach(); // called by the connection as it goes

private:
    QMutex m_lock;
    HttpConnection *m_connection;
};

// Answers one request, now or later, once: the connection reads no further request until
// then, so answers go out in the order of the requests. If the client went away
// meanwhile, answering does nothing.
class HttpReply
{
public:
    HttpReply(std::shared_ptr<ReplyChannel> channel, quint64 serial, bool closeConnection,
              bool headOnly);

    void json(int status, const QJsonObject &body,
              const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {}) const;
    void error(const Error &error,
               const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {}) const;
    void empty(int status, const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {}) const;
    void html(int status, const QByteArray &body) const;
    void text(int status, const QByteArray &contentType, const QByteArray &body) const;
    // `length` bytes of `body` (from its position) after the head, written as the client
    // reads them: what the connection holds stays bounded, whatever the length. HEAD: the
    // head alone.
    void stream(int status, const QByteArray &contentType,
                const QList<QPair<QByteArray, QByteArray>> &headers,
                std::shared_ptr<QIODevice> body, qint64 length) const;

    // Called with the status when the answer is written (or would be: the client left).
    void setObserver(std::function<void(int status)> observer) { m_observer = std::move(observer); }

    // The contract's error body: {"error": {code, message}}.
    [[nodiscard]] static QByteArray errorBody(const Error &error);
    // A response's head, for a body of `length` bytes (Cache-Control: no-store unless
    // `headers` name one).
    [[nodiscard]] static QByteArray formatHead(int status, const QByteArray &contentType,
                                               qint64 length,
                                               const QList<QPair<QByteArray, QByteArray>> &headers,
                                               bool close);
    // A whole HTTP/1.1 response; `headOnly`: without the body (its length still stated).
    [[nodiscard]] static QByteArray format(int status, const QByteArray &contentType,
                                           const QByteArray &body,
                                           const QList<QPair<QByteArray, QByteArray>> &headers,
                                           bool close, bool headOnly = false);

private:
    void write(int status, const QByteArray &contentType, const QByteArray &body,
               const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const;

    std::shared_ptr<ReplyChannel> m_channel;
    quint64 m_serial;
    bool m_close;
    bool m_headOnly;
    std::shared_ptr<bool> m_sent;
    std::function<void(int)> m_observer;
};

} // namespace pitchey::server
