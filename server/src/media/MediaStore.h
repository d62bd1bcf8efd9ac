#pragma once

#include "protocol/Result.h"

#include <QByteArray>
#include <QIODevice>
#include <QMap>
#include <QString>

#include <memory>

namespace pitchey::server {

// Where the bytes of attachments live, by the SHA-256 of their content, with the
// thumbnails made of them. A file is staged while it arrives, then placed under its hash
// (durably: on disk before the upload is answered) or dropped.
class MediaStore
{
public:
    // One upload's bytes on their way in. Written from one thread at a time.
    class Staged
    {
    public:
        virtual ~Staged() = default; // drops whatever was not placed
        [[nodiscard]] virtual bool write(QByteArrayView piece) = 0;
        // The bytes written, made durable; then they can be read back.
        [[nodiscard]] virtual Status finish() = 0;
        [[nodiscard]] virtual std::unique_ptr<QIODevice> read() = 0;
        // A thumbnail of `size` (its longest side) to place with the file, made durable.
        [[nodiscard]] virtual Status addThumbnail(int size, const QByteArray &encoded) = 0;
    };

    virtual ~MediaStore() = default;
    [[nodiscard]] virtual Result<std::unique_ptr<Staged>> stage() = 0;
    // Puts a finished upload (and its thumbnails) under `sha256`; replaces what is there.
    [[nodiscard]] virtual Status place(Staged &staged, const QString &sha256) = 0;
    // The file, or one of its thumbnails (`thumbnailSize` > 0); null when it is not there.
    [[nodiscard]] virtual std::unique_ptr<QIODevice> open(const QString &sha256,
                                                          int thumbnailSize = 0) = 0;
    [[nodiscard]] virtual Status remove(const QString &sha256) = 0;
};

// The default store: files in a directory (the data directory's media/, or --media-dir,
// which every node of a cluster may share): `ab/<sha256>` and `ab/<sha256>.<size>` for
// thumbnails, staged in `tmp/` and renamed into place, the directory synced after.
class FileMediaStore final : public MediaStore
{
public:
    explicit FileMediaStore(QString root);
    // Creates the directories and drops staged files a crash left (older than a day: with
    // a shared directory, another node may be writing the newer ones).
    [[nodiscard]] Status open();

    Result<std::unique_ptr<Staged>> stage() override;
    Status place(Staged &staged, const QString &sha256) override;
    std::unique_ptr<QIODevice> open(const QString &sha256, int thumbnailSize) override;
    Status remove(const QString &sha256) override;

    [[nodiscard]] QString root() const { return m_root; }
    [[nodiscard]] QString pathOf(const QString &sha256, int thumbnailSize = 0) const;

private:
    QString m_root;
};

} // namespace pitchey::server
