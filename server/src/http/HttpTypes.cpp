#include "http/HttpTypes.h"

#include "http/HttpConnection.h"
#include "protocol/Api.h"

#include <QCryptographicHash>
#include <QIODevice>
#include <QJsonDocument>
#include <QWebSocket>

#include <algorithm>

#include <unistd.h>

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
    case 206:
        return "Partial Content";
    case 304:
        return "Not Modified";
    case 416:
        return "Range Not Satisfiable";
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
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 417:
        return "Expectation Failed";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 505:
        return "HTTP Version Not Supported";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Unknown";
    }
}

} // namespace

WebSocketUpgrade::WebSocketUpgrade() = default;

WebSocketUpgrade::WebSocketUpgrade(WebSocketUpgrade &&other) noexcept
    : query(other.query) // (QUrlQuery has no move constructor)
    , fd(other.takeFd())
    , answer(std::move(other.answer))
    , socket(std::move(other.socket))
    , tcp(std::exchange(other.tcp, nullptr))
    , early(std::move(other.early))
{}

WebSocketUpgrade &WebSocketUpgrade::operator=(WebSocketUpgrade &&other) noexcept
{
    if (this != &other) {
        if (fd >= 0)
            ::close(fd);
        query = std::move(other.query);
        fd = other.takeFd();
        answer = std::move(other.answer);
        socket = std::move(other.socket);
        tcp = std::exchange(other.tcp, nullptr);
        early = std::move(other.early);
    }
    return *this;
}

WebSocketUpgrade::~WebSocketUpgrade()
{
    if (fd >= 0)
        ::close(fd);
}

QByteArray webSocketAnswer(QByteArrayView key)
{
    // RFC 6455 4.2.2: the key and this GUID, hashed with SHA-1, in base64.
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    return "HTTP/1.1 101 Switching Protocols\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           sha1.result().toBase64() + "\r\n\r\n";
}

namespace {

// A non-negative decimal (RFC 9110 1*DIGIT) that fits in qint64.
std::optional<qint64> digits(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace

ByteRange byteRange(QByteArrayView field, qint64 size)
{
    // RFC 9110 14.1.2 and 14.2: one "bytes" range is served; a field that is not valid, or
    // asks for several ranges, is ignored (the whole representation, 200).
    ByteRange range{ByteRange::Kind::Whole, 0, size};
    const QByteArrayView spec = QByteArrayView(field).trimmed();
    if (!spec.startsWith("bytes=") || spec.contains(','))
        return range;
    const QByteArrayView set = spec.sliced(6).trimmed();
    const qsizetype dash = set.indexOf('-');
    if (dash < 0)
        return range;
    const auto first = digits(set.first(dash));
    const auto last = digits(set.sliced(dash + 1));
    if (!first && !last)
        return range;
    if (!first) { // the last N bytes
        if (*last == 0)
            return {ByteRange::Kind::Unsatisfiable, 0, 0};
        const qint64 length = std::min(*last, size);
        return {size == 0 ? ByteRange::Kind::Unsatisfiable : ByteRange::Kind::Part, size - length,
                length};
    }
    if (dash + 1 < set.size() && !last)
        return range;
    if (last && *last < *first)
        return range; // invalid: ignored
    if (*first >= size)
        return {ByteRange::Kind::Unsatisfiable, 0, 0};
    const qint64 end = last ? std::min(*last, size - 1) : size - 1;
    return {ByteRange::Kind::Part, *first, end - *first + 1};
}

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

void ReplyChannel::answer(quint64 serial, QByteArray response, bool close)
{
    QMutexLocker locker(&m_lock);
    if (!m_connection)
        return;
    // (An event for the connection, on its thread: discarded if it is deleted meanwhile.)
    QMetaObject::invokeMethod(
        m_connection,
        [connection = m_connection, serial, response = std::move(response), close] {
            connection->answer(serial, response, close);
        },
        Qt::QueuedConnection);
}

void ReplyChannel::answerStream(quint64 serial, QByteArray head, ResponseBody body, bool close)
{
    QMutexLocker locker(&m_lock);
    if (!m_connection)
        return;
    QMetaObject::invokeMethod(
        m_connection,
        [connection = m_connection, serial, head = std::move(head), body = std::move(body), close] {
            connection->answerStream(serial, head, body, close);
        },
        Qt::QueuedConnection);
}

void ReplyChannel::readBody(quint64 serial, HttpBodyStream::Piece piece, HttpBodyStream::Done done)
{
    QMutexLocker locker(&m_lock);
    if (!m_connection) {
        locker.unlock();
        return done(false);
    }
    QMetaObject::invokeMethod(
        m_connection,
        [connection = m_connection, serial, piece = std::move(piece), done = std::move(done)] {
            connection->readBody(serial, piece, done);
        },
        Qt::QueuedConnection);
}

void HttpBodyStream::read(Piece piece, Done done) const
{
    m_channel->readBody(m_serial, std::move(piece), std::move(done));
}

void ReplyChannel::detach()
{
    QMutexLocker locker(&m_lock);
    m_connection = nullptr;
}

HttpReply::HttpReply(std::shared_ptr<ReplyChannel> channel, quint64 serial, bool closeConnection,
                     bool headOnly)
    : m_channel(std::move(channel))
    , m_serial(serial)
    , m_close(closeConnection)
    , m_headOnly(headOnly)
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
    write(httpStatusFor(error.code), "application/json", errorBody(error), headers);
}

QByteArray HttpReply::errorBody(const Error &error)
{
    return QJsonDocument(api::errorBody(error)).toJson(QJsonDocument::Compact);
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

QByteArray HttpReply::formatHead(int status, const QByteArray &contentType, qint64 length,
                                 const QList<QPair<QByteArray, QByteArray>> &headers, bool close)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    if (!contentType.isEmpty())
        out += "Content-Type: " + contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(length) + "\r\n";
    const bool cacheGiven = std::any_of(headers.cbegin(), headers.cend(), [](const auto &header) {
        return header.first.compare("cache-control", Qt::CaseInsensitive) == 0;
    });
    if (!cacheGiven)
        out += "Cache-Control: no-store\r\n";
    out += "Access-Control-Allow-Origin: *\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    return out;
}

QByteArray HttpReply::format(int status, const QByteArray &contentType, const QByteArray &body,
                             const QList<QPair<QByteArray, QByteArray>> &headers, bool close,
                             bool headOnly)
{
    QByteArray out = formatHead(status, contentType, body.size(), headers, close);
    if (!headOnly)
        out += body;
    return out;
}

void HttpReply::stream(int status, const QByteArray &contentType,
                       const QList<QPair<QByteArray, QByteArray>> &headers,
                       std::shared_ptr<QIODevice> body, qint64 length) const
{
    if (*m_sent)
        return;
    *m_sent = true;
    if (m_observer)
        m_observer(status);
    if (!m_channel)
        return;
    QByteArray head = formatHead(status, contentType, length, headers, m_close);
    if (m_headOnly)
        return m_channel->answer(m_serial, std::move(head), m_close);
    m_channel->answerStream(m_serial, std::move(head), {std::move(body), length}, m_close);
}

void HttpReply::write(int status, const QByteArray &contentType, const QByteArray &body,
                      const QList<QPair<QByteArray, QByteArray>> &extraHeaders) const
{
    if (*m_sent)
        return;
    *m_sent = true;
    if (m_observer)
        m_observer(status);
    if (m_channel)
        m_channel->answer(m_serial,
                          format(status, contentType, body, extraHeaders, m_close, m_headOnly),
                          m_close);
}

} // namespace pitchey::server
