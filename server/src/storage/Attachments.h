#pragma once

#include "protocol/Types.h"

#include <QSqlDatabase>

#include <functional>
#include <optional>

namespace pitchey::server {

// Attachments (contract v2, "Attachments"): the files uploaded (media_files, one row per
// distinct content, by SHA-256), each user's uploads of them (attachments) and the
// messages that carry them (message_attachments). Database thread only. The bytes are the
// media store's (media/); the functions that place or remove them take it as a callback,
// run under the file's row lock, so that an upload and a sweep of the same content never
// cross (PostgreSQL: row locks; SQLite: the one writer).
namespace Attachments {

// What the server learnt of a file's bytes before storing it.
struct FileFacts
{
    QString sha256;
    qint64 size = 0;
    QString mimeType;
    std::optional<int> width; // images with a thumbnail only
    std::optional<int> height;
    QString thumbnailState = QStringLiteral("none");
    QString thumbnailType; // "image/png" or "image/jpeg" with thumbnails, else empty
};

struct Upload
{
    qint64 uploaderId = 0;
    QString filename; // cleaned
    FileFacts facts;
    qint64 now = 0;
    // The most the uploader's uploads no message carries may take, this one counted
    // (0: no limit); over it: too_large. Bytes the uploader has already are not counted.
    qint64 maxUnsentBytes = 0;
};

struct Stored
{
    Attachment attachment;
    bool created = false; // false: the uploader had these bytes already (200, not 201)
};

// Records an upload. `placeFile` puts the bytes where the media store keeps them; it runs
// only when the content is new to the server (its row created here and locked), in the
// transaction: a failure rolls the row back.
[[nodiscard]] Result<Stored> store(QSqlDatabase &db, const Upload &upload,
                                   const std::function<Status()> &placeFile);

// The bytes of `userId`'s uploads no message carries (yet).
[[nodiscard]] Result<qint64> unsentBytes(QSqlDatabase &db, qint64 userId);
// too_large when `userId`'s unsent uploads and `size` more would be over `limit`.
[[nodiscard]] Status checkUnsent(QSqlDatabase &db, qint64 userId, qint64 size, qint64 limit);

// An attachment as `userId` may download it: the uploader while no message carries it, or
// a participant of a conversation with a live message that does. Anyone else: not_found.
struct Download
{
    Attachment attachment;
    QString thumbnailType;
};
[[nodiscard]] Result<Download> forDownload(QSqlDatabase &db, qint64 attachmentId, qint64 userId);

// The message's attachments: `ids` must be `senderId`'s uploads (bad_request otherwise);
// links them to the message in order.
[[nodiscard]] Result<QList<Attachment>> link(QSqlDatabase &db, qint64 messageId, qint64 senderId,
                                             const QList<qint64> &ids);
// A message is deleted: its links go, and so do the uploads no other message carries
// (their bytes stay until sweep()).
[[nodiscard]] Status unlink(QSqlDatabase &db, qint64 messageId);
// Sets each live message's `attachments`.
[[nodiscard]] Status attach(QSqlDatabase &db, QList<Message> &messages);
[[nodiscard]] Result<qint64> countOf(QSqlDatabase &db, qint64 messageId);

// Removes uploads no message carries that are older than `cutoff`, then the files no
// upload refers to, each with `removeFile(sha256)` under its row's lock. How many files
// went.
[[nodiscard]] Result<int> sweep(QSqlDatabase &db, qint64 cutoff,
                                const std::function<Status(const QString &sha256)> &removeFile);

} // namespace Attachments
} // namespace pitchey::server
