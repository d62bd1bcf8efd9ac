#pragma once

#include <QByteArray>
#include <QIODevice>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace pitchey::server {

// What an uploaded file is, from its bytes alone (never its name): its MIME type
// (QMimeDatabase's magic), and for an image Qt can decode, its size as displayed (EXIF
// orientation applied) and its thumbnails. Pure: runs on the media worker threads.
struct ExaminedFile
{
    QString mimeType;
    std::optional<int> width; // an image with thumbnails only
    std::optional<int> height;
    QMap<int, QByteArray> thumbnails; // longest side -> PNG (alpha) or JPEG
    QString thumbnailType;            // "image/png" or "image/jpeg"; empty without thumbnails
};

struct ExamineLimits
{
    qint64 maxImagePixels = 40'000'000; // larger images are plain files, never decoded
    QList<int> thumbnailSizes{320, 800};
};

[[nodiscard]] ExaminedFile examineFile(QIODevice &file, const ExamineLimits &limits);

// The most an image decode may allocate (QImageReader::setAllocationLimit, process-wide)
// for images up to `maxImagePixels`, in MiB.
[[nodiscard]] int imageAllocationLimitMiB(qint64 maxImagePixels);

} // namespace pitchey::server
