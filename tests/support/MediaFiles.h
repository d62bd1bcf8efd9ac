#pragma once

#include <QByteArray>
#include <QColor>
#include <QImage>

namespace pitchey::testing {

// Files for the attachment tests, made here byte by byte where Qt would not write them.

// A JPEG of `image` (Qt's encoder).
[[nodiscard]] QByteArray jpegOf(const QImage &image, int quality = 90);
[[nodiscard]] QByteArray pngOf(const QImage &image);
// The JPEG with an EXIF block (APP1 after SOI) whose Orientation tag is `orientation`.
[[nodiscard]] QByteArray withExifOrientation(const QByteArray &jpeg, int orientation);
// A valid PNG header (IHDR) of width x height, 1-bit greyscale, every pixel black: a
// file of a few tens of KiB that would take width * height * 4 bytes to decode.
[[nodiscard]] QByteArray hugeBlankPng(int width, int height);
// An image with its top-left quadrant red and the rest blue (where it lands in a
// thumbnail tells how it was turned).
[[nodiscard]] QImage quadrantImage(int width, int height);
// Bytes that no format claims: a plain file.
[[nodiscard]] QByteArray noise(qsizetype size, quint32 seed = 1);

} // namespace pitchey::testing
