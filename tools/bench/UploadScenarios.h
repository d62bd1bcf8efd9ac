#pragma once

#include "BenchApi.h"
#include "BenchReport.h"

namespace pitchey::bench {

// Attachments: uploads over loopback, and the thumbnails made of them.
struct UploadSettings
{
    QString prefix;                               // of the account registered
    int parallel = 20;                            // uploads at once
    int uploads = 20;                             // in all
    qint64 bytes = 50LL * 1024 * 1024;            // each (distinct content, never deduplicated)
    int images = 40;                              // the thumbnail run: distinct 12 MP JPEGs
    QString floorDirectory = QStringLiteral("."); // where the disk's floor is measured
    qint64 serverPid = 0;                         // 0: no server figures
};

// `uploads` files of `bytes`, `parallel` at a time: throughput against the floor (the same
// bytes written and synced to a file in `floorDirectory`, in the same run), the server's
// peak resident memory (sampled every 20 ms) and its CPU.
[[nodiscard]] Report uploads(const UploadSettings &settings, BenchApi &api);
// `images` 4000x3000 JPEGs one after the other: the server's CPU per image (examining,
// EXIF, two thumbnails) and images per second.
[[nodiscard]] Report thumbnails(const UploadSettings &settings, BenchApi &api);

} // namespace pitchey::bench
