#include "store/LocalCache.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClientCache, "pitchey.client.cache", QtInfoMsg)

namespace pitchey::client {

namespace {

using State = LocalMessage::State;

// The schema, one step per version (PRAGMA user_version says how many are applied). A step
// once shipped never changes; a new one goes at the end.
const QList<QStringList> kSchemaSteps{
    {
        u"CREATE TABLE conversations (id INTEGER PRIMARY KEY, updated_at INTEGER NOT NULL, "
        "body TEXT NOT NULL)"_s,
        u"CREATE TABLE messages (local_id INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER UNIQUE, "
        "conversation_id INTEGER NOT NULL, sender_id INTEGER NOT NULL, content TEXT NOT NULL, "
        "created_at INTEGER NOT NULL, client_message_id TEXT, state INTEGER NOT NULL, "
        "failure TEXT)"_s,
        u"CREATE INDEX messages_by_conversation ON messages(conversation_id, id)"_s,
        u"CREATE INDEX messages_unsent ON messages(id, local_id) WHERE id IS NULL"_s,
        u"CREATE UNIQUE INDEX messages_by_client_id ON messages(sender_id, client_message_id)"_s,
    },
    {
        u"CREATE TABLE drafts (conversation_id INTEGER PRIMARY KEY, text TEXT NOT NULL)"_s,
    },
};
const char *const kColumns =
    "local_id, id, conversation_id, sender_id, content, created_at, client_message_id, state, "
    "failure";

LocalMessage fromRow(const QSqlQuery &row)
{
    LocalMessage message;
    message.localId = row.value(0).toLongLong();
    message.id = row.value(1).toLongLong();
    message.conversationId = row.value(2).toLongLong();
    message.senderId = row.value(3).toLongLong();
    message.content = row.value(4).toString();
    message.createdAt = row.value(5).toLongLong();
    message.clientMessageId = row.value(6).toString();
    message.state = State(row.value(7).toInt());
    message.failure = row.value(8).toString();
    return message;
}

QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

} // namespace

Message LocalMessage::toMessage() const
{
    Message message;
    message.id = id;
    message.conversationId = conversationId;
    message.senderId = senderId;
    message.content = content;
    message.createdAt = createdAt;
    return message;
}

LocalMessage LocalMessage::fromServer(const Message &message, qint64 me)
{
    LocalMessage local;
    local.id = message.id;
    local.conversationId = message.conversationId;
    local.senderId = message.senderId;
    local.content = message.content;
    local.createdAt = message.createdAt;
    local.clientMessageId = message.clientMessageId.value_or(QString());
    local.state = message.senderId == me ? State::Sent : State::Received;
    return local;
}

LocalCache::LocalCache(QString path, qint64 me)
    : m_path(std::move(path))
    , m_me(me)
    , m_connection(u"pitchey-cache-%1"_s.arg(quintptr(this)))
{}

LocalCache::~LocalCache()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

namespace {

bool exec(QSqlQuery &query, const QString &sql, const QVariantList &args = {})
{
    if (!query.prepare(sql)) {
        qCWarning(lcClientCache) << "cannot prepare:" << query.lastError().text();
        return false;
    }
    for (const QVariant &arg : args)
        query.addBindValue(arg);
    if (!query.exec()) {
        qCWarning(lcClientCache) << "statement failed:" << query.lastError().text();
        return false;
    }
    return true;
}

} // namespace

Status LocalCache::open()
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    db.setDatabaseName(m_path);
    if (!db.open())
        return Error::internal(u"Cannot open the local cache: %1"_s.arg(db.lastError().text()));
    QSqlQuery query(db);
    for (const char *pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"})
        exec(query, QString::fromLatin1(pragma));
    exec(query, u"PRAGMA user_version"_s);
    const int version = query.next() ? query.value(0).toInt() : 0;
    for (int step = version; step < kSchemaSteps.size(); ++step) {
        db.transaction();
        QStringList statements = kSchemaSteps.at(step);
        statements.append(u"PRAGMA user_version = %1"_s.arg(step + 1));
        for (const QString &statement : std::as_const(statements)) {
            if (!exec(query, statement)) {
                db.rollback();
                return Error::internal(u"Cannot create the local cache"_s);
            }
        }
        db.commit();
    }
    return Done{};
}

QHash<qint64, QString> LocalCache::drafts()
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    QHash<qint64, QString> drafts;
    if (!exec(query, u"SELECT conversation_id, text FROM drafts"_s))
        return drafts;
    while (query.next())
        drafts.insert(query.value(0).toLongLong(), query.value(1).toString());
    return drafts;
}

void LocalCache::saveDraft(qint64 conversationId, const QString &text)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    if (text.isEmpty())
        exec(query, u"DELETE FROM drafts WHERE conversation_id = ?"_s, {conversationId});
    else
        exec(query,
             u"INSERT INTO drafts (conversation_id, text) VALUES (?, ?) "
             "ON CONFLICT (conversation_id) DO UPDATE SET text = excluded.text"_s,
             {conversationId, text});
}

QList<Conversation> LocalCache::conversations()
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    QList<Conversation> list;
    if (!exec(query, u"SELECT body FROM conversations ORDER BY updated_at DESC, id DESC"_s))
        return list;
    while (query.next()) {
        auto conversation =
            Conversation::fromJson(QJsonDocument::fromJson(query.value(0).toByteArray()).object());
        if (conversation.ok())
            list.append(conversation.value());
    }
    return list;
}

void LocalCache::saveConversation(const Conversation &conversation)
{
    saveConversations({conversation});
}

void LocalCache::saveConversations(const QList<Conversation> &conversations)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery query(db);
    db.transaction();
    for (const Conversation &conversation : conversations) {
        exec(
            query,
            u"INSERT INTO conversations (id, updated_at, body) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, body = excluded.body"_s,
            {conversation.id, conversation.updatedAt,
             QString::fromUtf8(
                 QJsonDocument(conversation.toJson()).toJson(QJsonDocument::Compact))});
    }
    db.commit();
}

Result<LocalMessage> LocalCache::addOutgoing(qint64 conversationId, qint64 senderId,
                                             const QString &content)
{
    LocalMessage message;
    message.conversationId = conversationId;
    message.senderId = senderId;
    message.content = content;
    message.createdAt = QDateTime::currentMSecsSinceEpoch();
    message.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    message.state = State::Queued;
    QSqlQuery query(QSqlDatabase::database(m_connection));
    if (!exec(query,
              u"INSERT INTO messages (conversation_id, sender_id, content, created_at, "
              "client_message_id, state) VALUES (?, ?, ?, ?, ?, ?)"_s,
              {conversationId, senderId, content, message.createdAt, message.clientMessageId,
               int(State::Queued)}))
        return Error::internal(u"Could not save the message on this computer"_s);
    message.localId = query.lastInsertId().toLongLong();
    return message;
}

LocalCache::Stored LocalCache::storeFromServer(const Message &message)
{
    if (auto known = one(u"id = ?"_s, {message.id}))
        return {*known, false, false};
    const LocalMessage incoming = LocalMessage::fromServer(message, m_me);
    QSqlQuery query(QSqlDatabase::database(m_connection));
    if (message.senderId == m_me && !incoming.clientMessageId.isEmpty()) {
        // The server's copy of a message typed here (possibly still queued).
        if (auto mine = byClientId(incoming.clientMessageId)) {
            auto sent = markSent(incoming.clientMessageId, message.id, message.createdAt);
            return {sent.value_or(*mine), false, true};
        }
    }
    exec(query,
         u"INSERT INTO messages (id, conversation_id, sender_id, content, created_at, "
         "client_message_id, state) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
         {incoming.id, incoming.conversationId, incoming.senderId, incoming.content,
          incoming.createdAt, nullable(incoming.clientMessageId), int(incoming.state)});
    LocalMessage stored = incoming;
    stored.localId = query.lastInsertId().toLongLong();
    return {stored, true, true};
}

std::optional<LocalMessage> LocalCache::markSent(const QString &clientMessageId, qint64 id,
                                                 qint64 createdAt)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"UPDATE messages SET id = ?, created_at = ?, state = ?, failure = NULL "
         "WHERE sender_id = ? AND client_message_id = ? AND id IS NULL"_s,
         {id, createdAt, int(State::Sent), m_me, clientMessageId});
    return byClientId(clientMessageId);
}

std::optional<LocalMessage> LocalCache::markFailed(const QString &clientMessageId,
                                                   const QString &why)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"UPDATE messages SET state = ?, failure = ? WHERE client_message_id = ? AND id IS NULL"_s,
         {int(State::Failed), why, clientMessageId});
    return byClientId(clientMessageId);
}

std::optional<LocalMessage> LocalCache::requeue(const QString &clientMessageId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"UPDATE messages SET state = ?, failure = NULL "
         "WHERE client_message_id = ? AND id IS NULL"_s,
         {int(State::Queued), clientMessageId});
    return byClientId(clientMessageId);
}

void LocalCache::removeFailed(const QString &clientMessageId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"DELETE FROM messages WHERE client_message_id = ? AND state = ?"_s,
         {clientMessageId, int(State::Failed)});
}

QList<qint64> LocalCache::advanceOwn(qint64 conversationId, qint64 upToMessageId,
                                     LocalMessage::State state)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    QList<qint64> changed;
    if (!exec(query,
              u"UPDATE messages SET state = ? WHERE conversation_id = ? AND sender_id = ? "
              "AND id <= ? AND state IN (?, ?) AND state < ? RETURNING id"_s,
              {int(state), conversationId, m_me, upToMessageId, int(State::Sent),
               int(State::Delivered), int(state)}))
        return changed;
    while (query.next())
        changed.append(query.value(0).toLongLong());
    return changed;
}

bool LocalCache::markDelivered(qint64 messageId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"UPDATE messages SET state = ? WHERE id = ? AND state = ?"_s,
         {int(State::Delivered), messageId, int(State::Sent)});
    return query.numRowsAffected() > 0;
}

QList<LocalMessage> LocalCache::queued()
{
    return many(u"SELECT %1 FROM messages WHERE id IS NULL AND state = ? ORDER BY local_id"_s.arg(
                    QLatin1StringView(kColumns)),
                {int(State::Queued)});
}

QList<LocalMessage> LocalCache::messages(qint64 conversationId, int limit, qint64 beforeId)
{
    QList<LocalMessage> list =
        many(u"SELECT %1 FROM messages WHERE conversation_id = ? AND id IS NOT NULL AND id < ? "
             "ORDER BY id DESC LIMIT ?"_s.arg(QLatin1StringView(kColumns)),
             {conversationId, beforeId > 0 ? beforeId : std::numeric_limits<qint64>::max(), limit});
    std::reverse(list.begin(), list.end());
    if (beforeId == 0)
        list += many(u"SELECT %1 FROM messages WHERE conversation_id = ? AND id IS NULL "
                     "ORDER BY local_id"_s.arg(QLatin1StringView(kColumns)),
                     {conversationId});
    return list;
}

qint64 LocalCache::newestId(qint64 conversationId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"SELECT MAX(id) FROM messages WHERE conversation_id = ?"_s, {conversationId});
    return query.next() ? query.value(0).toLongLong() : 0;
}

std::optional<LocalMessage> LocalCache::byClientId(const QString &clientMessageId)
{
    return one(u"sender_id = ? AND client_message_id = ?"_s, {m_me, clientMessageId});
}

std::optional<LocalMessage> LocalCache::one(const QString &where, const QVariantList &args)
{
    QList<LocalMessage> found =
        many(u"SELECT %1 FROM messages WHERE %2"_s.arg(QLatin1StringView(kColumns), where), args);
    if (found.isEmpty())
        return std::nullopt;
    return found.constFirst();
}

QList<LocalMessage> LocalCache::many(const QString &sql, const QVariantList &args)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    query.setForwardOnly(true);
    QList<LocalMessage> list;
    if (!exec(query, sql, args))
        return list;
    while (query.next())
        list.append(fromRow(query));
    return list;
}

} // namespace pitchey::client
