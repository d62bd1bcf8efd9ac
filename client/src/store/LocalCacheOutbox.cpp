// The local cache's outbox (what the user did that the server has not acknowledged, in
// the order done) and the change feed's position. See LocalCache.h.
#include "store/CacheSql.h"
#include "store/LocalCache.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace pitchey::client {

using cachesql::exec;
using cachesql::nullableTime;
using State = LocalMessage::State;

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
              messageId, emoji, on ? 1 : 0, cachesql::reactionsJson(message->reactions),
              message->changeId}) &&
        exec(query, u"UPDATE messages SET reactions = ? WHERE id = ?"_s,
             {cachesql::reactionsJson(withReaction(message->reactions, emoji, on, m_me)),
              messageId});
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
