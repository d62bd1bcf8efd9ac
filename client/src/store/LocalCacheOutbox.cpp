// The local cache's outbox (what the user did that the server has not acknowledged, in
// the order done) and the change feed's position. See LocalCache.h.
#include "store/CacheSql.h"
#include "store/LocalCache.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace pitchey::client {

using cachesql::exec;
using cachesql::nullableTime;
using State = LocalMessage::State;

QJsonObject OutgoingFile::toJson() const
{
    QJsonObject object{{u"path"_s, path},         {u"filename"_s, filename}, {u"size"_s, size},
                       {u"mimeType"_s, mimeType}, {u"width"_s, width},       {u"height"_s, height}};
    if (uploaded)
        object.insert(u"uploaded"_s, uploaded->toJson());
    return object;
}

OutgoingFile OutgoingFile::fromJson(const QJsonObject &object)
{
    OutgoingFile file{object.value("path"_L1).toString(),
                      object.value("filename"_L1).toString(),
                      object.value("size"_L1).toInteger(),
                      object.value("mimeType"_L1).toString(),
                      object.value("width"_L1).toInt(),
                      object.value("height"_L1).toInt(),
                      std::nullopt};
    if (object.contains("uploaded"_L1)) {
        auto uploaded = Attachment::fromJson(object.value("uploaded"_L1).toObject());
        if (uploaded.ok())
            file.uploaded = uploaded.value();
    }
    return file;
}

QString LocalCache::copiesOf(const QString &clientMessageId) const
{
    return QDir(outboxDir()).filePath(clientMessageId);
}

Result<QList<OutgoingFile>> LocalCache::keepCopies(const QString &clientMessageId,
                                                   QList<OutgoingFile> files) const
{
    QDir dir(copiesOf(clientMessageId));
    if (!files.isEmpty() && !dir.mkpath(u"."_s))
        return Error::internal(u"Could not write to %1"_s.arg(dir.path()));
    for (qsizetype i = 0; i < files.size(); ++i) {
        const QString copy = dir.filePath(QString::number(i));
        if (!QFile::copy(files[i].path, copy)) {
            dir.removeRecursively();
            return Error::internal(u"Could not read %1"_s.arg(files[i].filename));
        }
        files[i].path = copy;
        files[i].size = QFileInfo(copy).size(); // as sent, should it have changed since
    }
    return files;
}

void LocalCache::removeCopies(const QString &clientMessageId) const
{
    if (!clientMessageId.isEmpty())
        QDir(copiesOf(clientMessageId)).removeRecursively();
}

void LocalCache::sweepCopies()
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    QSet<QString> unsent;
    if (!exec(query, u"SELECT client_message_id FROM messages WHERE id IS NULL"_s))
        return;
    while (query.next())
        unsent.insert(query.value(0).toString());
    const auto kept = QDir(outboxDir()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : kept) {
        if (!unsent.contains(name))
            removeCopies(name);
    }
}

std::optional<LocalMessage> LocalCache::setUploaded(const QString &clientMessageId, qsizetype index,
                                                    const Attachment &attachment)
{
    auto message = byClientId(clientMessageId);
    if (!message || message->id != 0 || index < 0 || index >= message->files.size())
        return std::nullopt;
    message->files[index].uploaded = attachment;
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"UPDATE messages SET files = ? WHERE client_message_id = ? AND id IS NULL"_s,
         {cachesql::listJson(message->files), clientMessageId});
    return message;
}

std::optional<LocalMessage> LocalCache::markSent(const QString &clientMessageId, qint64 id,
                                                 qint64 createdAt)
{
    const auto unsent = byClientId(clientMessageId);
    QList<Attachment> uploaded; // its files, as the server answered their uploads
    if (unsent && unsent->id == 0) {
        for (const OutgoingFile &file : unsent->files) {
            if (!file.uploaded)
                continue;
            uploaded.append(*file.uploaded);
            if (m_keepCopy)
                m_keepCopy(file.path, *file.uploaded);
        }
    }
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"UPDATE messages SET id = ?, created_at = ?, state = ?, failure = NULL, files = NULL, "
         "attachments = coalesce(?, attachments) "
         "WHERE sender_id = ? AND client_message_id = ? AND id IS NULL"_s,
         {id, createdAt, int(State::Sent), cachesql::listJson(uploaded), m_me, clientMessageId});
    finishOutgoing(clientMessageId);
    removeCopies(clientMessageId);
    return byClientId(clientMessageId);
}

std::optional<LocalMessage> LocalCache::markFailed(const QString &clientMessageId,
                                                   const QString &why)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"UPDATE messages SET state = ?, failure = ? WHERE client_message_id = ? AND id IS NULL"_s,
         {int(State::Failed), why, clientMessageId});
    if (query.numRowsAffected() == 0)
        return std::nullopt; // not a queued message
    finishOutgoing(clientMessageId);
    return byClientId(clientMessageId);
}

std::optional<LocalMessage> LocalCache::requeue(const QString &clientMessageId)
{
    auto message = byClientId(clientMessageId);
    if (!message || message->id != 0)
        return message;
    // Its files go up again: the server forgets an upload no message carries after 24 h,
    // and answers bytes it still has with the same attachment.
    for (OutgoingFile &file : message->files)
        file.uploaded.reset();
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"UPDATE messages SET state = ?, failure = NULL, files = ? "
         "WHERE client_message_id = ? AND id IS NULL AND state = ?"_s,
         {int(State::Queued), cachesql::listJson(message->files), clientMessageId,
          int(State::Failed)});
    if (query.numRowsAffected() > 0)
        queueSend(clientMessageId); // at the end of the outbox: retried now, sent after
    return byClientId(clientMessageId);
}

bool LocalCache::removeUnsent(const QString &clientMessageId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"DELETE FROM messages WHERE sender_id = ? AND client_message_id = ? AND id IS NULL"_s,
         {m_me, clientMessageId});
    if (query.numRowsAffected() == 0)
        return false;
    finishOutgoing(clientMessageId);
    removeCopies(clientMessageId);
    return true;
}

bool LocalCache::queueSend(const QString &clientMessageId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    return exec(query, u"INSERT INTO outbox (kind, request_id) VALUES (?, ?)"_s,
                {int(Outgoing::Kind::Send), clientMessageId});
}

void LocalCache::finishOutgoing(const QString &requestId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"DELETE FROM outbox WHERE request_id = ?"_s, {requestId});
}

Result<LocalMessage> LocalCache::addChange(Outgoing::Kind kind, qint64 messageId,
                                           const QString &content, const Mentions &mentions)
{
    const auto message = byId(messageId);
    if (!message || message->isDeleted() || !message->isOwn(m_me))
        return Error::badRequest(u"This message cannot be changed"_s);
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery query(db);
    db.transaction();
    // The state before, to put back if the server refuses the change.
    bool saved =
        exec(query,
             u"INSERT INTO outbox (kind, request_id, message_id, content, version, "
             "prior_content, prior_edited_at, prior_change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s,
             {int(kind), QUuid::createUuid().toString(QUuid::WithoutBraces), messageId,
              kind == Outgoing::Kind::Edit ? QVariant(content) : QVariant(), message->version,
              message->content, nullableTime(message->editedAt), message->changeId});
    // Shown at once, as it will be: the server's answer brings its own times.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (kind == Outgoing::Kind::Edit)
        saved = saved && exec(query,
                              u"UPDATE messages SET content = ?, edited_at = ?, mentions = ? "
                              "WHERE id = ?"_s,
                              {content, now, cachesql::mentionsJson(mentions), messageId});
    else
        saved =
            saved && exec(query, u"UPDATE messages SET content = '', deleted_at = ? WHERE id = ?"_s,
                          {now, messageId});
    if (!saved) {
        db.rollback();
        return Error::internal(u"Could not save the change on this computer"_s);
    }
    db.commit();
    return byId(messageId).value_or(*message);
}

Result<LocalMessage> LocalCache::addReaction(qint64 messageId, const QString &emoji, bool on)
{
    const auto message = byId(messageId);
    if (!message || message->isDeleted())
        return Error::badRequest(u"This message cannot take reactions"_s);
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery query(db);
    db.transaction();
    // The reactions before, to put back if the server refuses.
    const bool saved =
        exec(query,
             u"INSERT INTO outbox (kind, request_id, message_id, content, version, "
             "prior_content, prior_change_id) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
             {int(Outgoing::Kind::React), QUuid::createUuid().toString(QUuid::WithoutBraces),
              messageId, emoji, on ? 1 : 0, cachesql::listJson(message->reactions),
              message->changeId}) &&
        exec(query, u"UPDATE messages SET reactions = ? WHERE id = ?"_s,
             {cachesql::listJson(withReaction(message->reactions, emoji, on, m_me)), messageId});
    if (!saved) {
        db.rollback();
        return Error::internal(u"Could not save the reaction on this computer"_s);
    }
    db.commit();
    return byId(messageId).value_or(*message);
}

std::optional<Outgoing> LocalCache::nextOutgoing()
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    if (!exec(query, u"SELECT kind, request_id, message_id, content, version FROM outbox "
                     "ORDER BY seq LIMIT 1"_s) ||
        !query.next())
        return std::nullopt;
    Outgoing next;
    next.kind = Outgoing::Kind(query.value(0).toInt());
    next.requestId = query.value(1).toString();
    next.messageId = query.value(2).toLongLong();
    next.content = query.value(3).toString();
    next.version = query.value(4).toLongLong();
    if (next.kind == Outgoing::Kind::Send) {
        auto message = byClientId(next.requestId);
        if (!message || message->state != State::Queued) { // not to be sent (any more)
            finishOutgoing(next.requestId);
            return nextOutgoing();
        }
        next.message = *message;
    } else if (next.kind == Outgoing::Kind::Edit) {
        next.message = byId(next.messageId).value_or(LocalMessage{});
    }
    return next;
}

void LocalCache::rebaseEdits(qint64 messageId, qint64 version)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"UPDATE outbox SET version = ? WHERE message_id = ? AND kind = ?"_s,
         {version, messageId, int(Outgoing::Kind::Edit)});
}

std::optional<LocalMessage> LocalCache::revertOutgoing(const QString &requestId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    if (!exec(query,
              u"SELECT message_id, prior_content, prior_edited_at, prior_change_id, kind "
              "FROM outbox WHERE request_id = ? AND kind <> ?"_s,
              {requestId, int(Outgoing::Kind::Send)}) ||
        !query.next())
        return std::nullopt;
    const qint64 messageId = query.value(0).toLongLong();
    const bool reaction = Outgoing::Kind(query.value(4).toInt()) == Outgoing::Kind::React;
    const QVariantList prior =
        reaction ? QVariantList{query.value(1), messageId, query.value(3)}
                 : QVariantList{query.value(1), query.value(2), messageId, query.value(3)};
    finishOutgoing(requestId);
    // Unless a later state from the server has replaced it meanwhile (the feed, a frame).
    exec(query,
         reaction ? u"UPDATE messages SET reactions = ? WHERE id = ? AND change_id = ?"_s
                  : u"UPDATE messages SET content = ?, edited_at = ?, deleted_at = NULL "
                    "WHERE id = ? AND change_id = ?"_s,
         prior);
    return byId(messageId);
}

qint64 LocalCache::feedPosition()
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"SELECT value FROM sync WHERE name = 'feed'"_s);
    return query.next() ? query.value(0).toLongLong() : -1;
}

void LocalCache::setFeedPosition(qint64 changeId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"INSERT INTO sync (name, value) VALUES ('feed', ?) "
         "ON CONFLICT (name) DO UPDATE SET value = excluded.value"_s,
         {changeId});
}

} // namespace pitchey::client
