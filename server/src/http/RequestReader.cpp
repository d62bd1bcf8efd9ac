#include "http/RequestReader.h"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

namespace pitchey::server {

namespace http = boost::beast::http;

namespace {

constexpr qsizetype kBodyPiece = 64 * 1024;
thread_local std::array<char, kBodyPiece> t_bodyBuffer;

// "HTTP/" DIGIT "." DIGIT at the end of the request line: a version, if not one we speak.
bool endsWithVersion(QByteArrayView line)
{
    if (line.size() < 8)
        return false;
    const QByteArrayView version = line.last(8);
    return version.startsWith("HTTP/") && std::isdigit(version.at(5)) != 0 &&
           version.at(6) == '.' && std::isdigit(version.at(7)) != 0;
}

} // namespace

struct RequestReader::Parser
{
    http::request_parser<http::buffer_body> beast;
};

QByteArray HttpHead::field(QByteArrayView name) const
{
    for (const auto &[key, value] : fields) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpHead::hasField(QByteArrayView name) const
{
    return std::any_of(fields.cbegin(), fields.cend(), [name](const auto &entry) {
        return entry.first.compare(name, Qt::CaseInsensitive) == 0;
    });
}

bool HttpHead::fieldHasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const auto &[key, value] : fields) {
        if (key.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &item : value.split(',')) {
            if (item.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

RequestReader::RequestReader(HttpLimits limits)
    : m_limits(limits)
{
    reset();
}

RequestReader::~RequestReader() = default;

void RequestReader::reset()
{
    m_parser = std::make_unique<Parser>();
    auto &beast = m_parser->beast;
    beast.header_limit(std::uint32_t(m_limits.headerBytes * 2));
    // The route's limit is the connection's to apply, once it has seen the head.
    beast.body_limit(std::numeric_limits<std::uint64_t>::max());
    beast.eager(false); // stop after the header section
    m_head = {};
    m_body.clear();
    m_bodyBytes = 0;
    m_headTaken = 0;
    m_headDone = false;
    m_complete = false;
    m_failureStatus = 0;
    m_failureMessage.clear();
}

RequestReader::Step RequestReader::fail(int status, QByteArray message)
{
    m_failureStatus = status;
    m_failureMessage = std::move(message);
    return Step::Failed;
}

RequestReader::Step RequestReader::read(QByteArrayView data, qsizetype &used)
{
    used = 0;
    if (m_failureStatus != 0)
        return Step::Failed;
    if (m_complete)
        return Step::Complete;
    return m_headDone ? readBody(data, used) : readHead(data, used);
}

RequestReader::Step RequestReader::readHead(QByteArrayView data, qsizetype &used)
{
    // The line so far (a CR at the end may be its end).
    const qsizetype lineEnd = data.indexOf("\r\n");
    const qsizetype line = lineEnd >= 0 ? lineEnd : data.size() - (data.endsWith('\r') ? 1 : 0);
    if (line > m_limits.requestLineBytes)
        return fail(414, "the request line is too long");
    boost::system::error_code error;
    auto &beast = m_parser->beast;
    // Beast takes the request line as soon as it is whole, even when it answers need_more
    // for the fields: what it took is not given to it again.
    m_headTaken +=
        qsizetype(beast.put(boost::asio::const_buffer(data.data() + m_headTaken,
                                                      std::size_t(data.size() - m_headTaken)),
                            error));
    // (Beast's own header limit is only approximate: ours is exact, its a backstop.)
    const bool tooLarge =
        error == http::error::header_limit ||
        (error == http::error::need_more && data.size() >= m_limits.headerBytes) ||
        (!error && m_headTaken > m_limits.headerBytes);
    if (tooLarge)
        return fail(431, "the header section is too large");
    if (error == http::error::need_more)
        return Step::NeedMore;
    if (error) {
        if (error == http::error::bad_version && lineEnd > 0 &&
            endsWithVersion(data.first(lineEnd)))
            return fail(505, "only HTTP/1.0 and HTTP/1.1 are served");
        return fail(400, "malformed request: " + QByteArray::fromStdString(error.message()));
    }
    used = std::exchange(m_headTaken, 0);
    if (const Step checked = checkHead(data.first(used)); checked == Step::Failed)
        return checked;
    m_headDone = true;
    beast.eager(true);
    m_complete = beast.is_done();
    return Step::Head;
}

RequestReader::Step RequestReader::checkHead(QByteArrayView raw)
{
    const auto &message = m_parser->beast.get();
    m_head.method = QByteArray::fromStdString(std::string(message.method_string()));
    m_head.target = QByteArray::fromStdString(std::string(message.target()));
    m_head.version = int(message.version());
    for (const auto &field : message) {
        m_head.fields.emplaceBack(QByteArray::fromStdString(std::string(field.name_string())),
                                  QByteArray::fromStdString(std::string(field.value())));
    }
    m_head.keepAlive = m_parser->beast.keep_alive();
    m_head.chunked = m_parser->beast.chunked();
    if (const auto length = m_parser->beast.content_length())
        m_head.contentLength = quint64(*length);

    if (m_head.fields.size() > m_limits.headerLines)
        return fail(431, "too many header fields");
    // RFC 9112 5.2: a line folded onto the next (obs-fold) is refused, not unfolded.
    if (raw.contains("\r\n ") || raw.contains("\r\n\t"))
        return fail(400, "obsolete line folding in the header section");
    // RFC 9112 3.2: exactly one Host in HTTP/1.1.
    qsizetype hosts = 0;
    for (const auto &[key, value] : m_head.fields)
        hosts += key.compare("host", Qt::CaseInsensitive) == 0 ? 1 : 0;
    if (hosts > 1 || (hosts == 0 && m_head.version == 11))
        return fail(400, "HTTP/1.1 needs exactly one Host header");
    // RFC 9112 6.1 and 6.3: chunked is the one transfer coding served; a request whose
    // final coding is not chunked has no knowable length; HTTP/1.0 has no transfer coding.
    if (m_head.hasField("transfer-encoding")) {
        const QByteArray coding = m_head.field("transfer-encoding");
        if (m_head.version == 10 || !m_head.chunked)
            return fail(400, "the request's body length cannot be determined");
        if (coding.trimmed().compare("chunked", Qt::CaseInsensitive) != 0)
            return fail(501, "only the chunked transfer coding is supported");
    }
    return Step::Head;
}

RequestReader::Step RequestReader::readBody(QByteArrayView data, qsizetype &used)
{
    auto &beast = m_parser->beast;
    while (!beast.is_done()) {
        auto &body = beast.get().body();
        body.data = t_bodyBuffer.data();
        body.size = t_bodyBuffer.size();
        boost::system::error_code error;
        const std::size_t taken = beast.put(
            boost::asio::const_buffer(data.data() + used, std::size_t(data.size() - used)), error);
        used += qsizetype(taken);
        const auto produced = qsizetype(t_bodyBuffer.size() - body.size);
        if (produced > 0) {
            m_body.append(t_bodyBuffer.data(), produced);
            m_bodyBytes += quint64(produced);
        }
        if (error == http::error::need_buffer)
            continue; // the piece buffer was full
        if (error == http::error::need_more)
            break;
        if (error)
            return fail(400, "malformed body: " + QByteArray::fromStdString(error.message()));
        if (taken == 0)
            break;
    }
    m_complete = beast.is_done();
    if (!m_body.isEmpty())
        return Step::Body;
    return m_complete ? Step::Complete : Step::NeedMore;
}

} // namespace pitchey::server
