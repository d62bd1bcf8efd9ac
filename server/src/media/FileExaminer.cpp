#include "media/FileExaminer.h"

#include <QBuffer>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QMimeDatabase>

#include <algorithm>
#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

// The image types given thumbnails, by the format Qt's reader is told to use (so that it
// never guesses from the content itself). SVG is not among them: never rendered here.
QByteArray decoderFor(const QString &mimeType)
{
    static const QMap<QString, QByteArray> formats{
        {u"image/png"_s, "png"},   {u"image/jpeg"_s, "jpeg"}, {u"image/gif"_s, "gif"},
        {u"image/webp"_s, "webp"}, {u"image/bmp"_s, "bmp"},   {u"image/tiff"_s, "tiff"},
    };
    return formats.value(mimeType);
}

QByteArray encode(const QImage &image, const char *format)
{
    QByteArray encoded;
    QBuffer buffer(&encoded);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(qstrcmp(format, "jpeg") == 0 ? 82 : -1);
    if (!writer.write(image))
        return {};
    return encoded;
}

// The image, upright, no larger than the largest thumbnail (scaled while it is read where
// the format can: JPEG's decoder scales by its DCT), or a null image.
QImage readUpright(QImageReader &reader, QSize stored, int largest)
{
    if (std::max(stored.width(), stored.height()) > largest)
        reader.setScaledSize(stored.scaled(largest, largest, Qt::KeepAspectRatio));
    return reader.read();
}

// Whether a JPEG decodes to its end without libjpeg's warnings: Qt's reader fills what a
// truncated or corrupt file lacks with grey and reports nothing, so libjpeg itself reads
// it first (at 1/8 scale, which skips most of the work).
struct JpegErrors
{
    jpeg_error_mgr manager{};
    std::jmp_buf failed{};
    int warnings = 0;
};

void onJpegError(j_common_ptr info)
{
    std::longjmp(reinterpret_cast<JpegErrors *>(info->err)->failed, 1);
}

void onJpegMessage(j_common_ptr info, int level)
{
    if (level < 0)
        ++reinterpret_cast<JpegErrors *>(info->err)->warnings;
}

// libjpeg's source: the file, 64 KiB at a time.
struct JpegSource
{
    jpeg_source_mgr manager{};
    QIODevice *file = nullptr;
    QByteArray buffer = QByteArray(64 * 1024, Qt::Uninitialized);
};

void onJpegInit(j_decompress_ptr) {}

boolean onJpegFill(j_decompress_ptr info)
{
    auto *source = reinterpret_cast<JpegSource *>(info->src);
    qint64 got = source->file->read(source->buffer.data(), source->buffer.size());
    if (got <= 0) { // the end before the image's end: a warning, and a fake end of image
        static const JOCTET kEnd[] = {0xFF, JPEG_EOI};
        ++reinterpret_cast<JpegErrors *>(info->err)->warnings;
        source->manager.next_input_byte = kEnd;
        source->manager.bytes_in_buffer = 2;
        return TRUE;
    }
    source->manager.next_input_byte = reinterpret_cast<const JOCTET *>(source->buffer.constData());
    source->manager.bytes_in_buffer = std::size_t(got);
    return TRUE;
}

void onJpegSkip(j_decompress_ptr info, long count)
{
    auto *source = reinterpret_cast<JpegSource *>(info->src);
    while (count > long(source->manager.bytes_in_buffer)) {
        count -= long(source->manager.bytes_in_buffer);
        onJpegFill(info);
    }
    source->manager.next_input_byte += count;
    source->manager.bytes_in_buffer -= std::size_t(count);
}

void onJpegTerm(j_decompress_ptr) {}

bool jpegIsWhole(QIODevice &file)
{
    jpeg_decompress_struct info{};
    JpegErrors errors;
    JpegSource source;
    source.file = &file;
    source.manager.init_source = onJpegInit;
    source.manager.fill_input_buffer = onJpegFill;
    source.manager.skip_input_data = onJpegSkip;
    source.manager.resync_to_restart = jpeg_resync_to_restart;
    source.manager.term_source = onJpegTerm;
    info.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = onJpegError;
    errors.manager.emit_message = onJpegMessage;
    std::vector<JSAMPLE> row;
    // NOLINTNEXTLINE(cert-err52-cpp): libjpeg reports errors by longjmp only
    if (setjmp(errors.failed) != 0) {
        jpeg_destroy_decompress(&info);
        return false;
    }
    jpeg_create_decompress(&info);
    info.src = &source.manager;
    jpeg_read_header(&info, TRUE);
    info.scale_num = 1;
    info.scale_denom = 8;
    info.dct_method = JDCT_IFAST;
    jpeg_start_decompress(&info);
    row.resize(std::size_t(info.output_width) * std::size_t(info.output_components));
    JSAMPROW rows[1] = {row.data()};
    while (info.output_scanline < info.output_height)
        jpeg_read_scanlines(&info, rows, 1);
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return errors.warnings == 0;
}

} // namespace

int imageAllocationLimitMiB(qint64 maxImagePixels)
{
    constexpr qint64 kBytesPerPixel = 4; // ARGB32, the widest format a decode produces here
    return int(std::min<qint64>(maxImagePixels * kBytesPerPixel / (1024 * 1024) + 1, 1 << 20));
}

ExaminedFile examineFile(QIODevice &file, const ExamineLimits &limits)
{
    ExaminedFile examined;
    file.seek(0);
    examined.mimeType = QMimeDatabase().mimeTypeForData(&file).name();
    const QByteArray decoder = decoderFor(examined.mimeType);
    if (decoder.isEmpty() || limits.thumbnailSizes.isEmpty())
        return examined;
    file.seek(0);
    QImageReader reader(&file, decoder);
    reader.setDecideFormatFromContent(false);
    reader.setAutoTransform(true);
    // The pixel limit from the header, before anything is decoded.
    const QSize stored = reader.size();
    if (!stored.isValid() || qint64(stored.width()) * stored.height() > limits.maxImagePixels)
        return examined;
    if (decoder == "jpeg") {
        const qint64 at = file.pos();
        if (!file.seek(0) || !jpegIsWhole(file) || !file.seek(at))
            return examined; // truncated or corrupt: a plain file
    }
    const int largest =
        *std::max_element(limits.thumbnailSizes.cbegin(), limits.thumbnailSizes.cend());
    QSize shown = stored;
    if (reader.transformation().testFlag(QImageIOHandler::TransformationRotate90))
        shown.transpose();
    const QImage image = readUpright(reader, stored, largest);
    if (image.isNull() || reader.error() != QImageReader::UnknownError)
        return examined; // undecodable: a plain file
    const bool alpha = image.hasAlphaChannel();
    const char *format = alpha ? "png" : "jpeg";
    for (const int size : limits.thumbnailSizes) {
        const QImage scaled =
            std::max(image.width(), image.height()) > size
                ? image.scaled(size, size, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                : image; // never upscaled
        QByteArray encoded =
            encode(alpha ? scaled : scaled.convertToFormat(QImage::Format_RGB32), format);
        if (encoded.isEmpty())
            return ExaminedFile{examined.mimeType, {}, {}, {}, {}};
        examined.thumbnails.insert(size, encoded);
    }
    examined.width = shown.width();
    examined.height = shown.height();
    examined.thumbnailType = alpha ? u"image/png"_s : u"image/jpeg"_s;
    return examined;
}

} // namespace pitchey::server
