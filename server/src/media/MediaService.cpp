#include "media/MediaService.h"

#include "media/FileExaminer.h"
#include "protocol/Time.h"
#include "storage/DbWorker.h"

#include <QFileInfo>
#include <QImageReader>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMedia, "pitchey.media", QtInfoMsg)

namespace pitchey::server {

namespace {

constexpr qsizetype kMaxFilename = 255;
constexpr qsizetype kMaxExtension = 16;

bool unsafeInName(char32_t c)
{
    // Controls (C0, DEL, C1), and the bidirectional marks, embeddings, overrides and
    // isolates that make a name read as another ("gpj.exe" shown as "exe.jpg").
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

} // namespace

bool MediaService::Incoming::write(QByteArrayView piece)
{
    if (m_failed)
        return false;
    if (!m_staged->write(piece)) {
        m_failed = true;
        return false;
    }
    m_hash.addData(piece);
    m_size += piece.size();
    return true;
}

MediaService::MediaService(DbWorker &db, std::unique_ptr<MediaStore> store, Settings settings,
                           QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_store(std::move(store))
    , m_settings(std::move(settings))
{
    m_pool.setMaxThreadCount(std::max(1, m_settings.threads));
    QImageReader::setAllocationLimit(imageAllocationLimitMiB(m_settings.maxImagePixels));
    m_sweeper.setInterval(m_settings.sweepInterval);
    connect(&m_sweeper, &QTimer::timeout, this, [this] { sweep(); });
    m_sweeper.start();
}

MediaService::~MediaService()
{
    m_pool.waitForDone();
}

api::MediaConfig MediaService::config() const
{
    return {m_settings.maxUploadBytes, m_settings.maxImagePixels,
            m_settings.maxAttachmentsPerMessage, m_settings.thumbnailSizes};
}

void MediaService::checkRoom(qint64 userId, qint64 size, QObject *context,
                             std::function<void(const Status &)> done)
{
    if (m_settings.maxUnsentBytes <= 0)
        return done(Done{});
    m_db.submitThen<Done>(
        userId,
        [userId, size, limit = m_settings.maxUnsentBytes](QSqlDatabase &db) {
            return Attachments::checkUnsent(db, userId, size, limit);
        },
        context, std::move(done));
}

Result<std::shared_ptr<MediaService::Incoming>> MediaService::receive()
{
    auto staged = m_store->stage();
    if (!staged.ok())
        return staged.error();
    return std::make_shared<Incoming>(std::move(staged).value());
}

void MediaService::store(const std::shared_ptr<Incoming> &incoming, qint64 uploaderId,
                         const QString &filename,
                         std::function<void(const Result<Attachments::Stored> &)> done)
{
    if (incoming->m_failed)
        return done(Error::internal(u"the upload could not be written to the media store"_s));
    const ExamineLimits limits{m_settings.maxImagePixels, m_settings.thumbnailSizes};
    // (The destructor waits for the pool: the service outlives every task.)
    m_pool.start([this, incoming, uploaderId, filename, limits, done = std::move(done)]() mutable {
        // On a worker: the disk sync and the decoding, never on a socket's or the main thread.
        Attachments::Upload upload{
            uploaderId, filename, {}, currentTimeMs(), m_settings.maxUnsentBytes};
        Status ready = incoming->m_staged->finish();
        if (ready.ok()) {
            const auto file = incoming->m_staged->read();
            ExaminedFile examined;
            if (file)
                examined = examineFile(*file, limits);
            else
                examined.mimeType = u"application/octet-stream"_s;
            upload.facts = {QString::fromLatin1(incoming->m_hash.result().toHex()),
                            incoming->m_size,
                            examined.mimeType,
                            examined.width,
                            examined.height,
                            examined.thumbnails.isEmpty() ? u"none"_s : u"ready"_s,
                            examined.thumbnailType};
            for (auto it = examined.thumbnails.cbegin();
                 it != examined.thumbnails.cend() && ready.ok(); ++it)
                ready = incoming->m_staged->addThumbnail(it.key(), it.value());
        }
        QMetaObject::invokeMethod(
            this,
            [this, incoming, upload, ready, done = std::move(done)] {
                if (!ready.ok())
                    return done(ready.error());
                m_db.submitThen<Attachments::Stored>(
                    upload.uploaderId,
                    [store = m_store.get(), incoming, upload](QSqlDatabase &db) {
                        return Attachments::store(db, upload, [&] {
                            return store->place(*incoming->m_staged, upload.facts.sha256);
                        });
                    },
                    this, done);
            },
            Qt::QueuedConnection);
    });
}

void MediaService::open(qint64 attachmentId, qint64 userId, int thumbnailSize,
                        std::function<void(const Result<Opened> &)> done)
{
    m_db.submitThen<Attachments::Download>(
        userId,
        [attachmentId, userId](QSqlDatabase &db) {
            return Attachments::forDownload(db, attachmentId, userId);
        },
        this,
        [this, thumbnailSize, done = std::move(done)](const Result<Attachments::Download> &found) {
            if (!found.ok())
                return done(found.error());
            const Attachment &attachment = found.value().attachment;
            if (thumbnailSize > 0 && attachment.thumbnailState != "ready"_L1)
                return done(Error::notFound(u"this attachment has no thumbnail"_s));
            std::shared_ptr<QIODevice> file = m_store->open(attachment.sha256, thumbnailSize);
            if (!file) {
                qCWarning(lcMedia)
                    << "attachment" << attachment.id << "is missing from the media store";
                return done(Error::notFound(u"no such attachment"_s));
            }
            done(Opened{attachment,
                        thumbnailSize > 0 ? found.value().thumbnailType : attachment.mimeType, file,
                        file->size()});
        });
}

void MediaService::sweep(std::function<void(const Result<int> &)> done)
{
    const qint64 cutoff = currentTimeMs() - qint64(m_settings.uploadRetention.count());
    m_db.submitThen<int>(
        0,
        [store = m_store.get(), cutoff](QSqlDatabase &db) {
            return Attachments::sweep(
                db, cutoff, [store](const QString &sha256) { return store->remove(sha256); });
        },
        this,
        [done = std::move(done)](const Result<int> &removed) {
            if (removed.ok() && removed.value() > 0)
                qCInfo(lcMedia) << "removed" << removed.value() << "unused files";
            if (done)
                done(removed);
        });
}

QString MediaService::cleanFilename(const QString &name)
{
    QString last = name.section(u'/', -1).section(u'\\', -1);
    QString clean;
    for (const char32_t c : last.toUcs4()) {
        if (!unsafeInName(c))
            clean += QString::fromUcs4(&c, 1);
    }
    clean = clean.trimmed();
    while (clean.startsWith(u'.'))
        clean.remove(0, 1);
    clean = clean.trimmed();
    if (clean.isEmpty())
        return u"file"_s;
    const QList<uint> codePoints = clean.toUcs4();
    if (codePoints.size() <= kMaxFilename)
        return clean;
    const QString suffix = QFileInfo(clean).suffix();
    const qsizetype kept = suffix.size() <= kMaxExtension ? suffix.size() + 1 : 0;
    QString cut;
    for (qsizetype i = 0; i < kMaxFilename - kept; ++i)
        cut += QString::fromUcs4(reinterpret_cast<const char32_t *>(&codePoints.at(i)), 1);
    return kept > 0 ? cut + u'.' + suffix : cut;
}

} // namespace pitchey::server
