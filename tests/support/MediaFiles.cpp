#include "MediaFiles.h"

#include <QBuffer>
#include <QImageWriter>
#include <QRandomGenerator>
#include <QtEndian>

#include <array>

namespace pitchey::testing {

namespace {

QByteArray encoded(const QImage &image, const char *format, int quality)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(quality);
    writer.write(image);
    return bytes;
}

quint32 crc32(QByteArrayView data)
{
    static const auto table = [] {
        std::array<quint32, 256> entries{};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            entries.at(n) = c;
        }
        return entries;
    }();
    quint32 c = 0xFFFFFFFFU;
    for (const char byte : data)
        c = table.at((c ^ quint8(byte)) & 0xFF) ^ (c >> 8);
    return c ^ 0xFFFFFFFFU;
}

QByteArray bigEndian32(quint32 value)
{
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray pngChunk(const char *type, const QByteArray &data)
{
    const QByteArray typed = QByteArray(type) + data;
    return bigEndian32(quint32(data.size())) + typed + bigEndian32(crc32(typed));
}

} // namespace

QByteArray jpegOf(const QImage &image, int quality)
{
    return encoded(image, "jpeg", quality);
}

QByteArray pngOf(const QImage &image)
{
    return encoded(image, "png", -1);
}

QByteArray withExifOrientation(const QByteArray &jpeg, int orientation)
{
    // TIFF, big-endian: header, one IFD with one entry (0x0112 SHORT 1), no next IFD.
    QByteArray tiff("MM\x00\x2A\x00\x00\x00\x08", 8);
    tiff += QByteArray("\x00\x01", 2);
    tiff += QByteArray("\x01\x12\x00\x03\x00\x00\x00\x01", 8);
    tiff += char(0);
    tiff += char(orientation);
    tiff += QByteArray(2, '\0');
    tiff += QByteArray(4, '\0');
    const QByteArray payload = QByteArray("Exif\x00\x00", 6) + tiff;
    const int length = int(payload.size()) + 2;
    QByteArray segment("\xFF\xE1", 2);
    segment += char(length >> 8);
    segment += char(length & 0xFF);
    segment += payload;
    return jpeg.first(2) + segment + jpeg.sliced(2);
}

QByteArray hugeBlankPng(int width, int height)
{
    QByteArray header = bigEndian32(quint32(width)) + bigEndian32(quint32(height));
    header += QByteArray("\x01\x00\x00\x00\x00", 5); // 1-bit greyscale, no interlace
    const qsizetype row = 1 + (width + 7) / 8;       // filter byte, then the bits
    const QByteArray raw(row * height, '\0');
    const QByteArray zlib = qCompress(raw, 9).sliced(4); // (Qt's 4-byte length prefix off)
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", header) + pngChunk("IDAT", zlib) +
           pngChunk("IEND", {});
}

QImage quadrantImage(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(Qt::blue);
    for (int y = 0; y < height / 2; ++y) {
        for (int x = 0; x < width / 2; ++x)
            image.setPixelColor(x, y, Qt::red);
    }
    return image;
}

QByteArray noise(qsizetype size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    for (char &byte : bytes)
        byte = char(generator.generate() & 0xFF);
    return bytes;
}

} // namespace pitchey::testing
