#include "http/HttpConnection.h"

#include <QScopeGuard>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

constexpr qsizetype kReadChunk = 64 * 1024;
// Answers the client has not read yet, beyond which no further request is read.
constexpr qsizetype kMaxUnreadAnswers = 256 * 1024;
// After the last answer before closing: how long the client's remaining input is read
// (and dropped), so that closing with it unread does not reset the connection before the
// client has read the answer.
constexpr std::chrono::seconds kLinger{2};

// The path (percent-decoded) and query of an origin-form or absolute-form target.
bool splitTarget(const QByteArray &target, QString &path, QUrlQuery &query)
{
    if (target.startsWith('/')) {
        const qsizetype mark = target.indexOf('?');
        path = QUrl::fromPercentEncoding(target.first(mark < 0 ? target.size() : mark));
        query = QUrlQuery(mark < 0 ? QString() : QString::fromUtf8(target.sliced(mark + 1)));
        return true;
    }
    const QUrl url = QUrl::fromEncoded(target, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != "http"_L1 && url.scheme() != "https"_L1))
        return false;
    path = url.path().isEmpty() ? u"/"_s : url.path();
    query = QUrlQuery(url);
    return true;
}

QByteArray tooLarge(qsizetype limit)
{
    return limit == kMaxRequestBody
               ? QByteArray("the request body is over 1 MiB")
               : "the request body is over " + QByteArray::number(limit) + " bytes";
}

bool validWebSocketKey(const QByteArray &key)
{
    // RFC 6455 4.2.1: 16 bytes, base64-encoded (24 characters).
    const auto decoded =
        QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    return key.size() == 24 && decoded && decoded.decoded.size() == 16;
}

} // namespace

HttpConnection::HttpConnection(std::unique_ptr<ByteStream> stream, const HttpLimits &limits,
                               std::shared_ptr<const Routes> routes, QObject *parent)
    : QObject(parent)
    , m_stream(std::move(stream))
    , m_routes(std::move(routes))
    , m_channel(std::make_shared<ReplyChannel>(this))
    , m_limits(limits)
    , m_reader(limits)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::timedOut);
    m_stream->start(*this);
    setWait(Wait::Idle);
    pump();
}

void HttpConnection::written()
{
    // A client reading its answers is not idle, nor late with its request: reading pauses
    // while they wait (pump), and a client that stops reading still times out.
    if (m_wait == Wait::Idle || m_wait == Wait::Head || m_wait == Wait::Body)
        setWait(m_wait);
    if (m_wait == Wait::Sending) {
        setWait(Wait::Sending); // progress
        return feed();
    }
    if (m_wait != Wait::Closing)
        pump();
    else if (m_stream->bytesToWrite() == 0)
        linger();
}

HttpConnection::~HttpConnection()
{
    m_channel->detach();
    endStream(false);
}

void HttpConnection::setWait(Wait wait)
{
    m_wait = wait;
    switch (wait) {
    case Wait::Idle:
        m_timer.start(m_limits.keepAliveTimeout);
        break;
    case Wait::Head:
    case Wait::Body:
        m_timer.start(m_limits.requestTimeout);
        break;
    case Wait::Lingering:
        m_timer.start(kLinger);
        break;
    case Wait::Handler:
    case Wait::Streamed:
        m_timer.stop();
        break;
    case Wait::Closing:
    case Wait::Sending:
        m_timer.start(m_limits.requestTimeout); // a client that does not read its answer
        break;
    }
}

void HttpConnection::timedOut()
{
    switch (m_wait) {
    case Wait::Head:
    case Wait::Body:
        return fail(408, "the request did not arrive in time");
    case Wait::Handler:
    case Wait::Streamed:
        return;
    case Wait::Idle:
    case Wait::Sending:
    case Wait::Closing:
    case Wait::Lingering:
        m_stream->abort();
        deleteLater();
        return;
    }
}

bool HttpConnection::readMore()
{
    if (m_stream->read(m_in, kReadChunk) == 0)
        return false;
    if (m_wait == Wait::Idle)
        setWait(Wait::Head); // the first byte of a request starts its clock
    else if (m_wait == Wait::Body)
        setWait(Wait::Body); // progress
    return true;
}

void HttpConnection::pump()
{
    if (m_wait == Wait::Lingering) {
        m_stream->discardInput();
        return;
    }
    if (m_pumping)
        return; // (an answer given synchronously, from inside the loop below)
    m_pumping = true;
    const auto done = qScopeGuard([this] { m_pumping = false; });
    while (m_wait == Wait::Idle || m_wait == Wait::Head || m_wait == Wait::Body) {
        if (m_stream->bytesToWrite() > kMaxUnreadAnswers)
            return; // until the client reads (bytesWritten)
        qsizetype used = 0;
        const RequestReader::Step step = m_reader.read(m_in, used);
        const QByteArray raw = step == RequestReader::Step::Head ? m_in.first(used) : QByteArray();
        m_in.remove(0, used);
        if (m_in.isEmpty())
            m_in = QByteArray(); // not its capacity (an idle keep-alive connection holds none)
        switch (step) {
        case RequestReader::Step::NeedMore:
            if (!readMore())
                return;
            break;
        case RequestReader::Step::Head:
            onHead(raw);
            break;
        case RequestReader::Step::Body:
            onBody();
            break;
        case RequestReader::Step::Complete:
            dispatch();
            break;
        case RequestReader::Step::Failed:
            return fail(m_reader.failureStatus(), m_reader.failureMessage());
        }
    }
}

void HttpConnection::onHead(QByteArrayView raw)
{
    const HttpHead &head = m_reader.head();
    if (head.fieldHasToken("upgrade", "websocket") && head.fieldHasToken("connection", "upgrade"))
        return upgrade(raw);

    m_request = {};
    m_headOnly = head.method == "HEAD";
    m_request.method = m_headOnly ? QByteArray("GET") : head.method;
    if (!splitTarget(head.target, m_request.path, m_request.query))
        return fail(400, "the request target is not a path or an http(s) URL");
    m_request.authorization = head.field("authorization");
    m_request.contentLength = head.contentLength;
    m_request.chunked = head.chunked;
    m_request.range = head.field("range");
    m_request.origin = head.field("origin");
    m_request.remoteAddress = m_stream->peerAddress();
    m_request.closeConnection = !head.keepAlive;

    const BodyPolicy policy = m_routes->bodyPolicy
                                  ? m_routes->bodyPolicy(m_request.method, m_request.path)
                                  : BodyPolicy{};
    m_bodyLimit = policy.limit;
    if (head.contentLength.value_or(0) > quint64(m_bodyLimit))
        return fail(413, tooLarge(m_bodyLimit));
    const bool hasBody = head.chunked || head.contentLength.value_or(0) > 0;
    m_continueWanted = false;
    if (head.hasField("expect")) {
        if (head.field("expect").trimmed().compare("100-continue", Qt::CaseInsensitive) != 0)
            return fail(417, "only the expectation 100-continue is met");
        m_continueWanted = head.version == 11 && hasBody;
    }
    if (policy.streamed && hasBody)
        return dispatchHead();
    if (std::exchange(m_continueWanted, false))
        m_stream->write("HTTP/1.1 100 Continue\r\n\r\n");
    setWait(hasBody ? Wait::Body : Wait::Head);
}

void HttpConnection::onBody()
{
    if (m_reader.bodyBytes() > quint64(m_bodyLimit))
        return fail(413, tooLarge(m_bodyLimit));
    if (m_streaming)
        return m_piece(m_reader.takeBody());
    m_request.body.append(m_reader.takeBody());
}

void HttpConnection::dispatchHead()
{
    // The answer closes the connection: a route may answer before the body is read, and
    // what is left of it is then not worth reading for another request.
    m_request.closeConnection = true;
    m_request.stream.emplace(m_channel, m_serial + 1);
    m_streaming = true;
    setWait(Wait::Streamed);
    m_routes->handler(m_request, HttpReply(m_channel, ++m_serial, true, m_headOnly));
}

void HttpConnection::readBody(quint64 serial, const HttpBodyStream::Piece &piece,
                              const HttpBodyStream::Done &done)
{
    if (serial != m_serial || m_wait != Wait::Streamed || !m_streaming)
        return done(false); // read twice, or answered already
    m_piece = piece;
    m_done = done;
    if (std::exchange(m_continueWanted, false))
        m_stream->write("HTTP/1.1 100 Continue\r\n\r\n");
    setWait(Wait::Body);
    pump();
}

void HttpConnection::endStream(bool complete)
{
    m_streaming = false;
    m_piece = {};
    if (const HttpBodyStream::Done done = std::exchange(m_done, {}))
        done(complete);
}

void HttpConnection::dispatch()
{
    setWait(Wait::Handler);
    m_reader.reset();
    if (m_streaming) // the body the handler has read is complete; its answer comes next
        return endStream(true);
    m_routes->handler(m_request,
                      HttpReply(m_channel, ++m_serial, m_request.closeConnection, m_headOnly));
}

void HttpConnection::answer(quint64 serial, const QByteArray &response, bool close)
{
    const bool streamAnswered = m_streaming && (m_wait == Wait::Streamed || m_wait == Wait::Body);
    if (serial != m_serial || (m_wait != Wait::Handler && !streamAnswered))
        return;
    endStream(false); // answered before the body was complete: the rest is dropped
    m_stream->write(response);
    answered(close);
}

void HttpConnection::answered(bool close)
{
    if (close)
        return closeAfterWrite();
    setWait(Wait::Idle);
    pump(); // the next request, if it is here already (unless the loop is running)
}

void HttpConnection::answerStream(quint64 serial, const QByteArray &head, const ResponseBody &body,
                                  bool close)
{
    const bool streamAnswered = m_streaming && (m_wait == Wait::Streamed || m_wait == Wait::Body);
    if (serial != m_serial || (m_wait != Wait::Handler && !streamAnswered))
        return;
    endStream(false);
    m_stream->write(head);
    m_source = body;
    m_closeAfterSource = close;
    setWait(Wait::Sending);
    feed();
}

void HttpConnection::feed()
{
    // Read ahead only while the client keeps up: at most kMaxUnreadAnswers wait for it.
    while (m_source.length > 0 && m_stream->bytesToWrite() < kMaxUnreadAnswers) {
        const QByteArray piece =
            m_source.device->read(std::min<qint64>(kReadChunk, m_source.length));
        if (piece.isEmpty()) { // the file shrank under us: the length stated cannot be kept
            m_source = {};
            m_stream->abort();
            deleteLater();
            return;
        }
        m_source.length -= piece.size();
        m_stream->write(piece);
    }
    if (m_source.length > 0)
        return; // until the client reads (written)
    m_source = {};
    answered(m_closeAfterSource);
}

void HttpConnection::upgrade(QByteArrayView raw)
{
    const HttpHead &head = m_reader.head();
    QString path;
    WebSocketUpgrade upgrade;
    if (m_routes->webSocketPath.isEmpty() || !splitTarget(head.target, path, upgrade.query) ||
        path != m_routes->webSocketPath)
        return fail(404, "no WebSocket endpoint here");
    if (head.method != "GET" || head.version != 11 || head.chunked ||
        head.contentLength.value_or(0) > 0)
        return fail(400, "a WebSocket handshake is a GET over HTTP/1.1 without a body");
    if (head.field("sec-websocket-version").trimmed() != "13")
        return fail(426, "WebSocket version 13 only", {{"Sec-WebSocket-Version", "13"}});
    const QByteArray key = head.field("sec-websocket-key").trimmed();
    if (!validWebSocketKey(key))
        return fail(400, "Sec-WebSocket-Key must be 16 bytes in base64");

    m_timer.stop();
    m_wait = Wait::Handler; // no more reading here
    upgrade.answer = webSocketAnswer(key);
    const ByteStream::Released connection = m_stream->release(m_in);
    if (!m_in.isEmpty())
        upgrade.early = QByteArray(m_in.constData(), m_in.size()); // (not m_in's capacity)
    m_in = QByteArray();
    deleteLater();
    m_routes->upgrader(connection, raw, std::move(upgrade));
}

void HttpConnection::fail(int status, const QByteArray &message,
                          const QList<QPair<QByteArray, QByteArray>> &headers)
{
    endStream(false);
    const Error error{status == 413 || status == 414 || status == 431 ? ErrorCode::TooLarge
                                                                      : ErrorCode::BadRequest,
                      QString::fromUtf8(message)};
    m_stream->write(
        HttpReply::format(status, "application/json", HttpReply::errorBody(error), headers, true));
    closeAfterWrite();
}

void HttpConnection::closeAfterWrite()
{
    setWait(Wait::Closing);
    m_in.clear();
    if (m_stream->bytesToWrite() == 0)
        linger();
}

void HttpConnection::linger()
{
    m_stream->shutdownWrite();
    setWait(Wait::Lingering);
    m_stream->discardInput();
}

} // namespace pitchey::server
