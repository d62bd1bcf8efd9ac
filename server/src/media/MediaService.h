#pragma once

#include "media/MediaStore.h"
#include "protocol/Api.h"
#include "storage/Attachments.h"

#include <QCryptographicHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

namespace pitchey::server {

class DbWorker;

// Attachments (contract v2): uploads taken into the media store as they arrive, examined
// (type, image size, thumbnails) on a small pool of worker threads, recorded in the
// database, opened for download for those allowed; and the sweep that removes what no
// message keeps. Lives on the main thread; what it answers, it answers there.
class MediaService : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        qint64 maxUploadBytes = 50LL * 1024 * 1024;
        qint64 maxImagePixels = 40'000'000;
        int maxAttachmentsPerMessage = 10;
        QList<int> thumbnailSizes{320, 800};
        int threads = 2; // examining images: decoding and scaling them
        // The most one user's uploads no message carries yet may take (0: no limit).
        qint64 maxUnsentBytes = 1024LL * 1024 * 1024;
        // An upload no message carries is removed after this.
        std::chrono::milliseconds uploadRetention = std::chrono::hours(24);
        std::chrono::milliseconds sweepInterval = std::chrono::minutes(10);
    };

    // One upload's bytes on their way in, written by one thread at a time (the
    // connection's). A write that fails (the disk) makes every later one fail too.
    class Incoming
    {
    public:
        explicit Incoming(std::unique_ptr<MediaStore::Staged> staged)
            : m_staged(std::move(staged))
        {}
        bool write(QByteArrayView piece);
        [[nodiscard]] qint64 size() const { return m_size; }

    private:
        friend class MediaService;
        std::unique_ptr<MediaStore::Staged> m_staged;
        QCryptographicHash m_hash{QCryptographicHash::Sha256};
        qint64 m_size = 0;
        bool m_failed = false;
    };

    MediaService(DbWorker &db, std::unique_ptr<MediaStore> store, Settings settings,
                 QObject *parent = nullptr);
    ~MediaService() override;

    [[nodiscard]] api::MediaConfig config() const;
    [[nodiscard]] const Settings &settings() const { return m_settings; }

    // Whether `userId` may upload `size` bytes more (maxUnsentBytes), asked before the body
    // is read; store() checks again, exactly, as the upload is recorded.
    void checkRoom(qint64 userId, qint64 size, QObject *context,
                   std::function<void(const Status &)> done);
    [[nodiscard]] Result<std::shared_ptr<Incoming>> receive();
    // The upload is complete: made durable, examined, placed and recorded, then `done`.
    void store(const std::shared_ptr<Incoming> &incoming, qint64 uploaderId,
               const QString &filename,
               std::function<void(const Result<Attachments::Stored> &)> done);

    // An attachment, or its thumbnail (`thumbnailSize` > 0), for `userId` to download.
    struct Opened
    {
        Attachment attachment;
        QString type; // of what is opened: the file's MIME type, or the thumbnail's
        std::shared_ptr<QIODevice> file;
        qint64 size = 0;
    };
    void open(qint64 attachmentId, qint64 userId, int thumbnailSize,
              std::function<void(const Result<Opened> &)> done);

    // Removes uploads no message carries past the retention, and files no upload refers
    // to (also every sweepInterval); `done` gets how many files went.
    void sweep(std::function<void(const Result<int> &)> done = {});

    // A name as uploaded, made safe to show and to save: its last path segment, without
    // control characters, bidirectional controls or leading dots; at most 255 characters
    // (the extension kept); "file" when nothing is left.
    [[nodiscard]] static QString cleanFilename(const QString &name);

private:
    DbWorker &m_db;
    std::unique_ptr<MediaStore> m_store;
    Settings m_settings;
    QThreadPool m_pool;
    QTimer m_sweeper;
};

} // namespace pitchey::server
