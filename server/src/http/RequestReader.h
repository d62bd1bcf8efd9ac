#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace pitchey::server {

// What one HTTP connection may send before it is answered with an error and closed.
struct HttpLimits
{
    qsizetype requestLineBytes = 8 * 1024; // over it: 414
    qsizetype headerBytes = 16 * 1024;     // the whole header section; over it: 431
    int headerLines = 100;                 // header fields; over it: 431
    // A request's header section must arrive within this of its first byte, and a body
    // that stops for this long is given up (408 either way).
    std::chrono::milliseconds requestTimeout{std::chrono::seconds(10)};
    // A connection with no request under way is closed after this long.
    std::chrono::milliseconds keepAliveTimeout{std::chrono::seconds(60)};
};

// The request line and header fields of one request, as received and validated.
struct HttpHead
{
    QByteArray method; // as sent ("GET", "POST", ...)
    QByteArray target; // origin-form ("/path?query") or absolute-form
    int version = 11;  // 10 or 11
    QList<QPair<QByteArray, QByteArray>> fields;
    bool keepAlive = true;
    bool chunked = false;
    std::optional<quint64> contentLength;

    // The first field of that name (case-insensitive), or an empty array.
    [[nodiscard]] QByteArray field(QByteArrayView name) const;
    [[nodiscard]] bool hasField(QByteArrayView name) const;
    // Whether a comma-separated field (Connection, Upgrade) lists `token`, in any case.
    [[nodiscard]] bool fieldHasToken(QByteArrayView name, QByteArrayView token) const;
};

// Reads HTTP/1.1 requests (RFC 9112) out of the bytes a connection receives, one after the
// other, strictly: anything whose framing is in doubt fails, and the connection is to be
// answered with failureStatus() and closed. The parsing itself is Boost.Beast's
// (http::request_parser); this class adds the limits and the checks RFC 9112 leaves to the
// server (Host, Transfer-Encoding, obsolete line folding) and hands the body out in pieces
// as it arrives, so that a route may stream it.
class RequestReader
{
public:
    enum class Step
    {
        NeedMore, // everything given was used, or kept for later: give more bytes
        Head,     // head() is complete; the body, if any, follows
        Body,     // takeBody() has bytes
        Complete, // the request has ended; reset() before the next one
        Failed,   // answer failureStatus() and close
    };

    explicit RequestReader(HttpLimits limits);
    ~RequestReader();
    RequestReader(const RequestReader &) = delete;
    RequestReader &operator=(const RequestReader &) = delete;

    // Reads from the front of `data`; `used` is set to how many bytes were consumed (the
    // rest has to be given again, with more after it). Once Head has been returned, the
    // next call with no bytes may return Complete (a request without a body).
    Step read(QByteArrayView data, qsizetype &used);
    // True while the request line or the header section is incomplete.
    [[nodiscard]] bool inHead() const { return !m_headDone; }
    [[nodiscard]] const HttpHead &head() const { return m_head; }
    [[nodiscard]] QByteArray takeBody() { return std::exchange(m_body, {}); }
    [[nodiscard]] quint64 bodyBytes() const { return m_bodyBytes; }
    [[nodiscard]] int failureStatus() const { return m_failureStatus; }
    [[nodiscard]] const QByteArray &failureMessage() const { return m_failureMessage; }
    void reset(); // ready for the next request on the connection

private:
    struct Parser;
    Step fail(int status, QByteArray message);
    Step readHead(QByteArrayView data, qsizetype &used);
    Step readBody(QByteArrayView data, qsizetype &used);
    Step checkHead(QByteArrayView raw);

    HttpLimits m_limits;
    std::unique_ptr<Parser> m_parser;
    HttpHead m_head;
    QByteArray m_body;
    quint64 m_bodyBytes = 0;
    qsizetype m_headTaken = 0; // of the head under way: what the parser has taken already
    bool m_headDone = false;
    bool m_complete = false;
    int m_failureStatus = 0;
    QByteArray m_failureMessage;
};

} // namespace pitchey::server
