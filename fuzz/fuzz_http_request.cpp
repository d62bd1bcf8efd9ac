// HTTP requests as the server reads them: RequestReader over bytes that arrive in pieces
// (the first input byte picks the piece size), request after request, as on a keep-alive
// connection. Crashes, sanitizer reports and broken invariants are what it looks for; one
// of them: the requests read do not depend on how the bytes were cut into pieces. (Where
// reading stops may: a head that is still incomplete can be refused as soon as what has
// arrived of it is wrong, or only once it is whole.)
#include "http/RequestReader.h"

#include <cstdint>
#include <cstdlib>

using pitchey::server::HttpLimits;
using pitchey::server::RequestReader;

namespace {

// What was read: each request's method, target, field count and body size.
QByteArray readAll(QByteArrayView input, qsizetype piece)
{
    HttpLimits limits;
    limits.requestLineBytes = 256; // small, so that the fuzzer reaches them
    limits.headerBytes = 1024;
    limits.headerLines = 16;
    RequestReader reader(limits);
    QByteArray buffer; // what the connection holds, as HttpConnection does
    QByteArray read;
    qsizetype given = 0;
    quint64 body = 0;
    for (int rounds = 0; rounds < 100000; ++rounds) {
        qsizetype used = 0;
        const auto step = reader.read(buffer, used);
        if (used < 0 || used > buffer.size())
            std::abort();
        buffer.remove(0, used);
        switch (step) {
        case RequestReader::Step::NeedMore:
            if (given == input.size())
                return read;
            buffer.append(input.sliced(given, std::min(piece, input.size() - given)));
            given += std::min(piece, input.size() - given);
            break;
        case RequestReader::Step::Head:
            if (reader.head().method.isEmpty() || reader.head().fields.size() > limits.headerLines)
                std::abort();
            read += reader.head().method + ' ' + reader.head().target + ' ' +
                    QByteArray::number(reader.head().fields.size());
            body = 0;
            break;
        case RequestReader::Step::Body:
            body += quint64(reader.takeBody().size());
            if (body != reader.bodyBytes())
                std::abort();
            break;
        case RequestReader::Step::Complete:
            read += ' ' + QByteArray::number(body) + '\n';
            reader.reset();
            break;
        case RequestReader::Step::Failed:
            if (reader.failureStatus() < 400 || reader.failureStatus() > 505)
                std::abort();
            return read;
        }
    }
    return read;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype piece = 1 + data[0] % 64;
    const QByteArrayView input(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    if (readAll(input, piece) != readAll(input, std::max<qsizetype>(input.size(), 1)))
        std::abort();
    return 0;
}
