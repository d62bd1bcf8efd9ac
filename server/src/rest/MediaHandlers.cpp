#include "rest/MediaHandlers.h"

#include "media/MediaService.h"
#include "protocol/Api.h"
#include "protocol/Validation.h"

#include <QIODevice>
#include <QPointer>
#include <QUrl>

#include <atomic>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// The only types served as themselves (browsers show them, none runs script); everything
// else, SVG and HTML included, is a download of application/octet-stream.
bool servedAsItself(const QString &type)
{
    return type == "image/png"_L1 || type == "image/jpeg"_L1 || type == "image/gif"_L1 ||
           type == "image/webp"_L1;
}

// RFC 6266: a quoted ASCII fallback and the UTF-8 name (RFC 8187).
QByteArray contentDisposition(const char *kind, const QString &filename)
{
    QByteArray fallback;
    for (const QChar c : filename)
        fallback += c.unicode() >= 0x20 && c.unicode() < 0x7F && c != u'"' && c != u'\\'
                        ? char(c.unicode())
                        : '_';
    return QByteArray(kind) + "; filename=\"" + fallback + "\"; filename*=UTF-8''" +
           QUrl::toPercentEncoding(filename);
}

void serve(const Call &call, const MediaService::Opened &opened, bool thumbnail)
{
    const Attachment &attachment = opened.attachment;
    const bool asItself = servedAsItself(opened.type);
    const QByteArray type = asItself ? opened.type.toLatin1() : "application/octet-stream";
    const QString name = thumbnail ? u"thumbnail-"_s + attachment.filename : attachment.filename;
    Headers headers{
        {"X-Content-Type-Options", "nosniff"},
        {"Content-Security-Policy", "default-src 'none'; sandbox"},
        {"Cross-Origin-Resource-Policy", "same-site"},
        {"Cache-Control", "private, no-cache"},
        {"Accept-Ranges", "bytes"},
        {"ETag", '"' + attachment.sha256.toLatin1() + (thumbnail ? "-t\"" : "\"")},
        {"Content-Disposition", contentDisposition(asItself ? "inline" : "attachment", name)}};
    const ByteRange range = byteRange(call.request.range, opened.size);
    switch (range.kind) {
    case ByteRange::Kind::Whole:
        return call.reply.stream(200, type, headers, opened.file, opened.size);
    case ByteRange::Kind::Unsatisfiable:
        headers.append({"Content-Range", "bytes */" + QByteArray::number(opened.size)});
        return call.reply.json(
            416, api::errorBody(Error::badRequest(u"the range is outside the file"_s)), headers);
    case ByteRange::Kind::Part:
        break;
    }
    if (!opened.file->seek(range.offset))
        return call.reply.error(Error::internal(u"the file cannot be read"_s));
    headers.append({"Content-Range", "bytes " + QByteArray::number(range.offset) + '-' +
                                         QByteArray::number(range.offset + range.length - 1) + '/' +
                                         QByteArray::number(opened.size)});
    call.reply.stream(206, type, headers, opened.file, range.length);
}

} // namespace

MediaHandlers::MediaHandlers(MediaService &media, QObject *parent)
    : QObject(parent)
    , m_media(media)
{}

QList<Route> MediaHandlers::routes()
{
    using A = Route::Access;
    return {
        Route::make("GET", api::kMediaConfigPath, A::ByToken, false,
                    [this](const Call &c) { config(c); }),
        Route::make("POST", api::kMediaPath, A::ByToken, false,
                    [this](const Call &c) { upload(c); }),
        Route::make("GET", api::kMediaPattern, A::ByTokenDownload, false,
                    [this](const Call &c) { download(c, false); }),
        Route::make("GET", api::kThumbnailPattern, A::ByTokenDownload, false,
                    [this](const Call &c) { download(c, true); }),
    };
}

BodyPolicy MediaHandlers::bodyPolicy(const QByteArray &method, const QString &path,
                                     qint64 maxUploadBytes)
{
    if (method == "POST" && path == api::kMediaPath)
        return BodyPolicy{qsizetype(maxUploadBytes), true};
    return {};
}

void MediaHandlers::config(const Call &call)
{
    call.reply.json(200, m_media.config().toJson());
}

void MediaHandlers::upload(const Call &call)
{
    const HttpRequest &request = call.request;
    if (request.chunked || !request.contentLength)
        return call.reply.error(
            Error::badRequest(u"an upload needs a Content-Length, and no chunked body"_s));
    if (*request.contentLength == 0 || !request.stream)
        return call.reply.error(Error::badRequest(u"the upload is empty"_s));
    // Room for it is asked first: a refusal comes before a byte of the body is read.
    m_media.checkRoom(call.caller.userId, qint64(*request.contentLength), this,
                      [this, call](const Status &room) {
                          if (!room.ok())
                              return call.reply.error(room.error());
                          receive(call);
                      });
}

void MediaHandlers::receive(const Call &call)
{
    const HttpRequest &request = call.request;
    auto incoming = m_media.receive();
    if (!incoming.ok())
        return call.reply.error(incoming.error());
    const QString filename = MediaService::cleanFilename(
        request.query.queryItemValue(u"filename"_s, QUrl::FullyDecoded));
    auto file = incoming.value();
    auto failed = std::make_shared<std::atomic<bool>>(false);
    // Both on the connection's thread: the pieces go to the store as they arrive (the next
    // is read when this returns, so a slow disk slows the client, never fills memory).
    request.stream->read(
        [file, failed, reply = call.reply](QByteArrayView piece) {
            if (!file->write(piece) && !failed->exchange(true))
                reply.error(Error::internal(u"the media store cannot take the upload now"_s));
        },
        [self = QPointer<MediaHandlers>(this), file, failed, call, filename](bool complete) {
            if (!complete || failed->load())
                return; // the connection answered already, or the client is gone
            QMetaObject::invokeMethod(
                self.data(),
                [self, file, call, filename] {
                    self->m_media.store(
                        file, call.caller.userId, filename,
                        [reply = call.reply](const Result<Attachments::Stored> &stored) {
                            if (!stored.ok())
                                return reply.error(stored.error());
                            reply.json(stored.value().created ? 201 : 200,
                                       api::AttachmentAnswer{stored.value().attachment}.toJson());
                        });
                },
                Qt::QueuedConnection);
        });
}

void MediaHandlers::download(const Call &call, bool thumbnail)
{
    const auto id = parseId(call.captures.value(0));
    if (!id)
        return call.reply.error(Error::notFound(u"no such attachment"_s));
    int size = 0;
    if (thumbnail) {
        const QList<int> &sizes = m_media.settings().thumbnailSizes;
        const QString asked = call.request.query.queryItemValue(u"size"_s);
        size = asked.isEmpty() ? sizes.value(0) : asked.toInt();
        if (!sizes.contains(size)) {
            QStringList names;
            for (const int each : sizes)
                names.append(QString::number(each));
            return call.reply.error(
                Error::badRequest(u"size must be one of %1"_s.arg(names.join(u", "_s))));
        }
    }
    m_media.open(*id, call.caller.userId, size,
                 [call, thumbnail](const Result<MediaService::Opened> &opened) {
                     if (!opened.ok())
                         return call.reply.error(opened.error());
                     serve(call, opened.value(), thumbnail);
                 });
}

} // namespace pitchey::server
