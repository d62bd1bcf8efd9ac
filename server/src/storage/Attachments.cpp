#include "storage/Attachments.h"

#include "storage/Sql.h"

using namespace Qt::StringLiterals;

namespace pitchey::server::Attachments {

namespace {

// The attachment's columns, for a the attachment and f its file, in the order read().
const QString kColumns = u"a.id, a.filename, f.mime_type, f.size, f.sha256, f.width, "
                         "f.height, f.thumbnail_state, f.thumbnail_type"_s;
constexpr int kColumnCount = 9;

Attachment read(const sql::Cursor &row, int first = 0)
{
    Attachment attachment;
    attachment.id = row.value(first).toLongLong();
    attachment.filename = row.value(first + 1).toString();
    attachment.mimeType = row.value(first + 2).toString();
    attachment.size = row.value(first + 3).toLongLong();
    attachment.sha256 = row.value(first + 4).toString();
    if (const auto width = sql::optionalInt(row.value(first + 5)))
        attachment.width = int(*width);
    if (const auto height = sql::optionalInt(row.value(first + 6)))
        attachment.height = int(*height);
    attachment.thumbnailState = row.value(first + 7).toString();
    return attachment;
}

// The file's row, created (then `placeFile` runs) or found and locked: the facts of the
// first upload of these bytes hold for every later one.
Result<FileFacts> fileRow(QSqlDatabase &db, const Upload &upload,
                          const std::function<Status()> &placeFile)
{
    const FileFacts &facts = upload.facts;
    auto created = sql::exec(
        db,
        u"INSERT INTO media_files (sha256, size, mime_type, width, height, thumbnail_state, "
        "thumbnail_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (sha256) DO NOTHING RETURNING sha256"_s,
        {facts.sha256, facts.size, facts.mimeType,
         facts.width ? QVariant(*facts.width) : QVariant(QMetaType::fromType<int>()),
         facts.height ? QVariant(*facts.height) : QVariant(QMetaType::fromType<int>()),
         facts.thumbnailState, facts.thumbnailType.isNull() ? u""_s : facts.thumbnailType,
         upload.now});
    if (!created.ok())
        return created.error();
    if (created.value().next()) {
        sql::finishAll(db);
        if (auto placed = placeFile(); !placed.ok())
            return placed.error();
        return facts;
    }
    auto found = sql::exec(db,
                           u"SELECT size, mime_type, width, height, thumbnail_state, "
                           "thumbnail_type FROM media_files WHERE sha256 = ?"_s +
                               sql::lockRowClause(db),
                           {facts.sha256});
    if (!found.ok())
        return found.error();
    if (!found.value().next())
        return Error::internal(u"the file went while it was being stored; try again"_s);
    FileFacts known{
        facts.sha256, found.value().value(0).toLongLong(), found.value().value(1).toString(), {},
        {},           found.value().value(4).toString(),   found.value().value(5).toString()};
    if (const auto width = sql::optionalInt(found.value().value(2)))
        known.width = int(*width);
    if (const auto height = sql::optionalInt(found.value().value(3)))
        known.height = int(*height);
    // (Placed again: the same bytes, and a file lost from the store comes back.)
    if (auto placed = placeFile(); !placed.ok())
        return placed.error();
    return known;
}

} // namespace

Result<qint64> unsentBytes(QSqlDatabase &db, qint64 userId)
{
    auto sum = sql::exec(db,
                         u"SELECT COALESCE(SUM(f.size), 0) FROM attachments a "
                         "JOIN media_files f ON f.sha256 = a.sha256 WHERE a.uploader_id = ? "
                         "AND NOT EXISTS (SELECT 1 FROM message_attachments ma "
                         "WHERE ma.attachment_id = a.id)"_s,
                         {userId});
    if (!sum.ok())
        return sum.error();
    const qint64 bytes = sum.value().next() ? sum.value().value(0).toLongLong() : 0;
    sql::finishAll(db);
    return bytes;
}

Status checkUnsent(QSqlDatabase &db, qint64 userId, qint64 size, qint64 limit)
{
    if (limit <= 0)
        return Done{};
    auto unsent = unsentBytes(db, userId);
    if (!unsent.ok())
        return unsent.error();
    if (unsent.value() + size <= limit)
        return Done{};
    return Error{ErrorCode::TooLarge,
                 u"your uploads not yet sent in a message take %1 bytes, and this server keeps "
                 "at most %2 bytes of them for you: send them, or wait until they expire"_s
                     .arg(unsent.value())
                     .arg(limit)};
}

Result<Stored> store(QSqlDatabase &db, const Upload &upload,
                     const std::function<Status()> &placeFile)
{
    if (upload.maxUnsentBytes > 0) {
        auto had =
            sql::exec(db, u"SELECT 1 FROM attachments WHERE uploader_id = ? AND sha256 = ?"_s,
                      {upload.uploaderId, upload.facts.sha256});
        if (!had.ok())
            return had.error();
        const bool again = had.value().next(); // the same bytes: nothing more kept
        sql::finishAll(db);
        if (!again) {
            if (Status room =
                    checkUnsent(db, upload.uploaderId, upload.facts.size, upload.maxUnsentBytes);
                !room.ok())
                return room.error();
        }
    }
    auto facts = fileRow(db, upload, placeFile);
    if (!facts.ok())
        return facts.error();
    auto inserted =
        sql::exec(db,
                  u"INSERT INTO attachments (uploader_id, sha256, filename, created_at) "
                  "VALUES (?, ?, ?, ?) ON CONFLICT (uploader_id, sha256) DO NOTHING RETURNING id"_s,
                  {upload.uploaderId, upload.facts.sha256, upload.filename, upload.now});
    if (!inserted.ok())
        return inserted.error();
    Stored stored;
    Attachment &attachment = stored.attachment;
    if (inserted.value().next()) {
        stored.created = true;
        attachment.id = inserted.value().value(0).toLongLong();
        attachment.filename = upload.filename;
    } else {
        auto existing = sql::exec(
            db, u"SELECT id, filename FROM attachments WHERE uploader_id = ? AND sha256 = ?"_s,
            {upload.uploaderId, upload.facts.sha256});
        if (!existing.ok())
            return existing.error();
        if (!existing.value().next())
            return Error::internal(u"the upload went while it was being stored; try again"_s);
        attachment.id = existing.value().value(0).toLongLong();
        attachment.filename = existing.value().value(1).toString();
    }
    sql::finishAll(db);
    attachment.mimeType = facts.value().mimeType;
    attachment.size = facts.value().size;
    attachment.sha256 = facts.value().sha256;
    attachment.width = facts.value().width;
    attachment.height = facts.value().height;
    attachment.thumbnailState = facts.value().thumbnailState;
    return stored;
}

Result<Download> forDownload(QSqlDatabase &db, qint64 attachmentId, qint64 userId)
{
    auto row = sql::exec(
        db,
        u"SELECT %1, a.uploader_id, "
        "EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id), "
        "EXISTS (SELECT 1 FROM message_attachments ma JOIN messages m ON m.id = ma.message_id "
        "JOIN participants p ON p.conversation_id = m.conversation_id AND p.user_id = ? "
        "WHERE ma.attachment_id = a.id AND m.deleted_at IS NULL) "
        "FROM attachments a JOIN media_files f ON f.sha256 = a.sha256 WHERE a.id = ?"_s.arg(
            kColumns),
        {userId, attachmentId});
    if (!row.ok())
        return row.error();
    const sql::Cursor &found = row.value();
    const Error missing = Error::notFound(u"no such attachment"_s);
    if (!row.value().next())
        return missing;
    const bool uploader = found.value(kColumnCount).toLongLong() == userId;
    const bool carried = found.value(kColumnCount + 1).toInt() != 0;
    const bool seen = found.value(kColumnCount + 2).toInt() != 0;
    if (!seen && !(uploader && !carried))
        return missing; // (never forbidden: whether it exists is not anyone's business)
    return Download{read(found), found.value(kColumnCount - 1).toString()};
}

Result<QList<Attachment>> link(QSqlDatabase &db, qint64 messageId, qint64 senderId,
                               const QList<qint64> &ids)
{
    if (ids.isEmpty())
        return QList<Attachment>();
    QVariantList args{senderId};
    for (const qint64 id : ids)
        args.append(id);
    auto rows = sql::exec(db,
                          u"SELECT %1 FROM attachments a JOIN media_files f ON f.sha256 = "
                          "a.sha256 WHERE a.uploader_id = ? AND a.id IN (%2)"_s.arg(
                              kColumns, sql::placeholders(ids.size())),
                          args);
    if (!rows.ok())
        return rows.error();
    QHash<qint64, Attachment> mine;
    while (rows.value().next()) {
        Attachment attachment = read(rows.value());
        mine.insert(attachment.id, attachment);
    }
    QList<Attachment> linked;
    for (qsizetype position = 0; position < ids.size(); ++position) {
        const auto found = mine.constFind(ids.at(position));
        if (found == mine.cend())
            return Error::badRequest(
                u"attachment %1 is not one of your uploads"_s.arg(ids.at(position)));
        auto inserted = sql::exec(db,
                                  u"INSERT INTO message_attachments (message_id, attachment_id, "
                                  "position) VALUES (?, ?, ?)"_s,
                                  {messageId, found->id, position});
        if (!inserted.ok())
            return inserted.error();
        linked.append(*found);
    }
    return linked;
}

Status unlink(QSqlDatabase &db, qint64 messageId)
{
    auto carried = sql::exec(
        db, u"SELECT attachment_id FROM message_attachments WHERE message_id = ?"_s, {messageId});
    if (!carried.ok())
        return carried.error();
    QVariantList ids;
    while (carried.value().next())
        ids.append(carried.value().value(0));
    if (ids.isEmpty())
        return Done{};
    if (auto gone =
            sql::exec(db, u"DELETE FROM message_attachments WHERE message_id = ?"_s, {messageId});
        !gone.ok())
        return gone.error();
    auto orphans =
        sql::exec(db,
                  u"DELETE FROM attachments WHERE id IN (%1) AND NOT EXISTS (SELECT 1 FROM "
                  "message_attachments ma WHERE ma.attachment_id = attachments.id)"_s.arg(
                      sql::placeholders(ids.size())),
                  ids);
    if (!orphans.ok())
        return orphans.error();
    return Done{};
}

Status attach(QSqlDatabase &db, QList<Message> &messages)
{
    QVariantList ids;
    for (const Message &message : std::as_const(messages)) {
        if (!message.deletedAt)
            ids.append(message.id);
    }
    if (ids.isEmpty())
        return Done{};
    auto rows = sql::exec(
        db,
        u"SELECT ma.message_id, %1 FROM message_attachments ma JOIN "
        "attachments a ON a.id = ma.attachment_id JOIN media_files f ON "
        "f.sha256 = a.sha256 WHERE ma.message_id IN (%2) "
        "ORDER BY ma.message_id, ma.position"_s.arg(kColumns, sql::placeholders(ids.size())),
        ids);
    if (!rows.ok())
        return rows.error();
    QHash<qint64, QList<Attachment>> found;
    while (rows.value().next())
        found[rows.value().value(0).toLongLong()].append(read(rows.value(), 1));
    if (found.isEmpty())
        return Done{};
    for (Message &message : messages) {
        if (const auto it = found.constFind(message.id); it != found.cend())
            message.attachments = *it;
    }
    return Done{};
}

Result<qint64> countOf(QSqlDatabase &db, qint64 messageId)
{
    return sql::scalar(db, u"SELECT COUNT(*) FROM message_attachments WHERE message_id = ?"_s,
                       {messageId});
}

Result<int> sweep(QSqlDatabase &db, qint64 cutoff,
                  const std::function<Status(const QString &sha256)> &removeFile)
{
    auto expired = sql::exec(db,
                             u"DELETE FROM attachments WHERE created_at < ? AND NOT EXISTS "
                             "(SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = "
                             "attachments.id)"_s,
                             {cutoff});
    if (!expired.ok())
        return expired.error();
    auto unused = sql::exec(db, u"SELECT sha256 FROM media_files f WHERE NOT EXISTS (SELECT 1 FROM "
                                "attachments a WHERE a.sha256 = f.sha256) LIMIT 100"_s);
    if (!unused.ok())
        return unused.error();
    QStringList files;
    while (unused.value().next())
        files.append(unused.value().value(0).toString());
    int removed = 0;
    for (const QString &sha256 : std::as_const(files)) {
        // Locked, then looked at again: an upload of the same bytes may have come since.
        auto locked = sql::exec(db,
                                u"SELECT 1 FROM media_files f WHERE f.sha256 = ? AND NOT EXISTS "
                                "(SELECT 1 FROM attachments a WHERE a.sha256 = f.sha256)"_s +
                                    sql::lockRowClause(db, u"f"_s),
                                {sha256});
        if (!locked.ok())
            return locked.error();
        if (!locked.value().next())
            continue;
        auto gone = sql::exec(db, u"DELETE FROM media_files WHERE sha256 = ?"_s, {sha256});
        if (!gone.ok())
            return gone.error();
        if (auto file = removeFile(sha256); !file.ok())
            return file.error();
        ++removed;
    }
    return removed;
}

} // namespace pitchey::server::Attachments
