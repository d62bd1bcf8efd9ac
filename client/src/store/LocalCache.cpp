#include "store/LocalCache.h"

#include "store/CacheSql.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClientCache, "pitchey.client.cache", QtInfoMsg)

namespace pitchey::client {

using cachesql::exec;
using cachesql::nullableTime;

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
    {
        // Version 2: edits and deletes, the change feed's position, and one outbox for
        // everything the user did that the server has not acknowledged, in the order done.
        u"ALTER TABLE messages ADD COLUMN edited_at INTEGER"_s,
        u"ALTER TABLE messages ADD COLUMN deleted_at INTEGER"_s,
        u"ALTER TABLE messages ADD COLUMN version INTEGER NOT NULL DEFAULT 1"_s,
        u"ALTER TABLE messages ADD COLUMN change_id INTEGER NOT NULL DEFAULT 0"_s,
        u"CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind INTEGER NOT NULL, "
        "request_id TEXT NOT NULL UNIQUE, message_id INTEGER, content TEXT, version INTEGER, "
        "prior_content TEXT, prior_edited_at INTEGER, prior_change_id INTEGER)"_s,
        u"INSERT INTO outbox (kind, request_id) SELECT 0, client_message_id FROM messages "
        "WHERE id IS NULL AND state = 0 ORDER BY local_id"_s,
        u"CREATE TABLE sync (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"_s,
    },
    {
        // Replies: the parent's id, and its excerpt as the server last rendered it (JSON).
        u"ALTER TABLE messages ADD COLUMN reply_to_id INTEGER"_s,
        u"ALTER TABLE messages ADD COLUMN reply_to TEXT"_s,
        u"CREATE INDEX messages_replies ON messages(reply_to_id) WHERE reply_to_id IS NOT NULL"_s,
    },
    {
        // Reactions, as the server last said them (JSON).
        u"ALTER TABLE messages ADD COLUMN reactions TEXT"_s,
    },
    {
        // Threads: the root a reply is in, and a root's summary as the server said it (JSON).
        u"ALTER TABLE messages ADD COLUMN thread_root_id INTEGER"_s,
        u"ALTER TABLE messages ADD COLUMN thread TEXT"_s,
    },
    {
        // Mentions, as the server last said them or as typed here (JSON).
        u"ALTER TABLE messages ADD COLUMN mentions TEXT"_s,
    },
    {
        // A thread's replies, for its panel.
        u"CREATE INDEX messages_by_thread ON messages(thread_root_id, id) "
        "WHERE thread_root_id IS NOT NULL"_s,
    },
    {
        // Attachments, as the server last said them (JSON).
        u"ALTER TABLE messages ADD COLUMN attachments TEXT"_s,
    },
    {
        // The files of a message not sent yet (JSON: OutgoingFile), copies in outboxDir().
        u"ALTER TABLE messages ADD COLUMN files TEXT"_s,
    },
};
const char *const kColumns =
    "local_id, id, conversation_id, sender_id, content, created_at, client_message_id, state, "
    "failure, edited_at, deleted_at, version, change_id, reply_to_id, reply_to, reactions, "
    "thread_root_id, thread, mentions, attachments, files";

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
    message.editedAt = row.value(9).toLongLong();
    message.deletedAt = row.value(10).toLongLong();
    message.version = row.value(11).toLongLong();
    message.changeId = row.value(12).toLongLong();
    message.replyToId = row.value(13).toLongLong();
    if (!row.value(14).isNull()) {
        auto excerpt =
            ReplyExcerpt::fromJson(QJsonDocument::fromJson(row.value(14).toByteArray()).object());
        if (excerpt.ok())
            message.replyTo = excerpt.value();
    }
    message.reactions = cachesql::listFrom<Reaction>(row.value(15));
    message.threadRootId = row.value(16).toLongLong();
    if (!row.value(17).isNull()) {
        auto thread =
            ThreadSummary::fromJson(QJsonDocument::fromJson(row.value(17).toByteArray()).object());
        if (thread.ok())
            message.thread = thread.value();
    }
    if (!row.value(18).isNull()) {
        auto mentions =
            Mentions::fromJson(QJsonDocument::fromJson(row.value(18).toByteArray()).object());
        if (mentions.ok())
            message.mentions = mentions.value();
    }
    message.attachments = cachesql::listFrom<Attachment>(row.value(19));
    if (!row.value(20).isNull()) {
        for (const auto &entry : QJsonDocument::fromJson(row.value(20).toByteArray()).array())
            message.files.append(OutgoingFile::fromJson(entry.toObject()));
    }
    return message;
}

QVariant replyJson(const std::optional<ReplyExcerpt> &replyTo)
{
    return replyTo ? QVariant(QString::fromUtf8(
                         QJsonDocument(replyTo->toJson()).toJson(QJsonDocument::Compact)))
                   : QVariant(QMetaType(QMetaType::QString));
}

QVariant threadJson(const std::optional<ThreadSummary> &thread)
{
    return thread ? QVariant(QString::fromUtf8(
                        QJsonDocument(thread->toJson()).toJson(QJsonDocument::Compact)))
                  : QVariant(QMetaType(QMetaType::QString));
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
    if (editedAt != 0)
        message.editedAt = editedAt;
    if (deletedAt != 0)
        message.deletedAt = deletedAt;
    message.version = version;
    message.changeId = changeId;
    if (replyToId != 0)
        message.replyToId = replyToId;
    message.replyTo = replyTo;
    message.reactions = reactions;
    if (threadRootId != 0)
        message.threadRootId = threadRootId;
    message.thread = thread;
    message.mentions = mentions;
    message.attachments = attachments;
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
    local.editedAt = message.editedAt.value_or(0);
    local.deletedAt = message.deletedAt.value_or(0);
    local.version = message.version;
    local.changeId = message.changeId;
    local.replyToId = message.replyToId.value_or(0);
    local.replyTo = message.replyTo;
    local.reactions = message.reactions;
    local.threadRootId = message.threadRootId.value_or(0);
    local.thread = message.thread;
    local.mentions = message.mentions;
    local.attachments = message.attachments;
    return local;
}

QList<Reaction> withReaction(QList<Reaction> reactions, const QString &emoji, bool on, qint64 me)
{
    constexpr qsizetype kUserIdsShown = 10;
    auto found = std::find_if(reactions.begin(), reactions.end(),
                              [&](const Reaction &r) { return r.emoji == emoji; });
    if (on) {
        if (found == reactions.end())
            found = reactions.insert(reactions.end(), Reaction{emoji, 0, {}, false});
        if (!found->me) {
            found->me = true;
            found->count += 1;
            if (found->userIds.size() < kUserIdsShown)
                found->userIds.append(me);
        }
    } else if (found != reactions.end() && found->me) {
        found->me = false;
        found->count -= 1;
        found->userIds.removeAll(me);
        if (found->count <= 0)
            reactions.erase(found);
    }
    return reactions;
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

namespace cachesql {

bool exec(QSqlQuery &query, const QString &sql, const QVariantList &args)
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

QVariant nullableTime(qint64 ms)
{
    return ms != 0 ? QVariant(ms) : QVariant(QMetaType(QMetaType::LongLong));
}

QVariant mentionsJson(const Mentions &mentions)
{
    return mentions.isEmpty()
               ? QVariant(QMetaType(QMetaType::QString))
               : QVariant(QString::fromUtf8(
                     QJsonDocument(mentions.toJson()).toJson(QJsonDocument::Compact)));
}

} // namespace cachesql

Status LocalCache::open()
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connection);
    db.setDatabaseName(m_path);
    if (!db.open())
        return Error::internal(u"Cannot open the local cache: %1"_s.arg(db.lastError().text()));
    QSqlQuery query(db);
    // A page cache of 512 KiB, not SQLite's 2 MiB: what is read is kept in the models, and
    // the system's file cache has the pages (messenger-bench: 0.4 MiB less at start, 0.7
    // MiB less scrolled, the same times).
    for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                               "PRAGMA foreign_keys=ON", "PRAGMA cache_size=-512"})
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
    sweepCopies();
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
    // In no order: the list model orders them (a sort here would copy every body once more).
    if (!exec(query, u"SELECT body FROM conversations"_s))
        return list;
    while (query.next()) {
        auto conversation =
            Conversation::fromJson(QJsonDocument::fromJson(query.value(0).toByteArray()).object());
        if (conversation.ok())
            list.append(std::move(conversation).value());
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
                                             const QString &content, const SendOptions &options)
{
    const qint64 replyToId = options.replyToId;
    LocalMessage message;
    message.mentions = options.mentions;
    message.threadRootId = options.threadRootId;
    message.conversationId = conversationId;
    message.senderId = senderId;
    message.content = content.isNull() ? QStringLiteral("") : content; // NOT NULL
    message.createdAt = QDateTime::currentMSecsSinceEpoch();
    message.clientMessageId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    message.state = State::Queued;
    if (replyToId != 0) {
        // Shown at once as the server will show it; its answer replaces this.
        const auto parent = byId(replyToId);
        message.replyToId = replyToId;
        if (parent)
            message.replyTo = excerptOf(*parent);
    }
    auto files = keepCopies(message.clientMessageId, options.files);
    if (!files.ok())
        return files.error();
    message.files = files.value();
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery query(db);
    db.transaction();
    const bool saved =
        exec(query,
             u"INSERT INTO messages (conversation_id, sender_id, content, created_at, "
             "client_message_id, state, reply_to_id, reply_to, mentions, thread_root_id, files) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
             {conversationId, senderId, message.content, message.createdAt, message.clientMessageId,
              int(State::Queued), replyToId != 0 ? QVariant(replyToId) : QVariant(),
              replyJson(message.replyTo), cachesql::mentionsJson(options.mentions),
              options.threadRootId != 0 ? QVariant(options.threadRootId) : QVariant(),
              cachesql::listJson(message.files)});
    message.localId = query.lastInsertId().toLongLong();
    if (!saved || !queueSend(message.clientMessageId)) {
        db.rollback();
        removeCopies(message.clientMessageId);
        return Error::internal(u"Could not save the message on this computer"_s);
    }
    db.commit();
    return message;
}

LocalCache::Stored LocalCache::storeFromServer(const Message &message)
{
    if (auto known = one(u"id = ?"_s, {message.id})) {
        const auto changed = applyChange(message);
        return {changed.value_or(*known), false, changed.has_value()};
    }
    const LocalMessage incoming = LocalMessage::fromServer(message, m_me);
    QSqlQuery query(QSqlDatabase::database(m_connection));
    if (message.senderId == m_me && !incoming.clientMessageId.isEmpty()) {
        // The server's copy of a message typed here (possibly still queued).
        if (auto mine = byClientId(incoming.clientMessageId)) {
            auto sent = markSent(incoming.clientMessageId, message.id, message.createdAt);
            auto current = applyChange(message); // its files, as the server has them
            return {current ? *current : sent.value_or(*mine), false, true};
        }
    }
    exec(query,
         u"INSERT INTO messages (id, conversation_id, sender_id, content, created_at, "
         "client_message_id, state, edited_at, deleted_at, version, change_id, reply_to_id, "
         "reply_to, reactions, thread_root_id, thread, mentions, attachments) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
         {incoming.id, incoming.conversationId, incoming.senderId, incoming.content,
          incoming.createdAt, nullable(incoming.clientMessageId), int(incoming.state),
          nullableTime(incoming.editedAt), nullableTime(incoming.deletedAt), incoming.version,
          incoming.changeId, message.replyToId ? QVariant(*message.replyToId) : QVariant(),
          replyJson(message.replyTo), cachesql::listJson(message.reactions),
          message.threadRootId ? QVariant(*message.threadRootId) : QVariant(),
          threadJson(message.thread), cachesql::mentionsJson(message.mentions),
          cachesql::listJson(message.attachments)});
    LocalMessage stored = incoming;
    stored.localId = query.lastInsertId().toLongLong();
    return {stored, true, true};
}

std::optional<LocalMessage> LocalCache::applyChange(const Message &message)
{
    // The change feed's position orders the states of a message: the latest wins.
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"UPDATE messages SET content = ?, edited_at = ?, deleted_at = ?, version = ?, "
         "change_id = ?, reply_to = ?, reactions = ?, thread = ?, mentions = ?, attachments = ? "
         "WHERE id = ? AND change_id < ?"_s,
         {message.content, nullableTime(message.editedAt.value_or(0)),
          nullableTime(message.deletedAt.value_or(0)), message.version, message.changeId,
          replyJson(message.replyTo), cachesql::listJson(message.reactions),
          threadJson(message.thread), cachesql::mentionsJson(message.mentions),
          cachesql::listJson(message.attachments), message.id, message.changeId});
    if (query.numRowsAffected() == 0)
        return std::nullopt;
    auto changed = byId(message.id);
    // Its replies held here show its new excerpt (the server renders the same).
    if (changed)
        exec(query, u"UPDATE messages SET reply_to = ? WHERE reply_to_id = ?"_s,
             {replyJson(excerptOf(*changed)), message.id});
    return changed;
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

QList<LocalMessage> LocalCache::messages(qint64 conversationId, int limit, qint64 beforeId,
                                         qint64 threadRootId)
{
    const QLatin1StringView columns(kColumns);
    // The conversation without thread replies, or one thread's replies.
    const QString in = threadRootId == 0 ? u"thread_root_id IS NULL"_s
                                         : u"thread_root_id = %1"_s.arg(threadRootId);
    QList<LocalMessage> list =
        many(u"SELECT %1 FROM messages WHERE conversation_id = ? AND %2 AND id IS NOT NULL "
             "AND id < ? ORDER BY id DESC LIMIT ?"_s.arg(columns, in),
             {conversationId, beforeId > 0 ? beforeId : std::numeric_limits<qint64>::max(), limit});
    std::reverse(list.begin(), list.end());
    if (beforeId == 0)
        list += many(u"SELECT %1 FROM messages WHERE conversation_id = ? AND %2 AND id IS NULL "
                     "ORDER BY local_id"_s.arg(columns, in),
                     {conversationId});
    return list;
}

QList<LocalMessage> LocalCache::messagesAfter(qint64 conversationId, qint64 afterId, int limit)
{
    return many(u"SELECT %1 FROM messages WHERE conversation_id = ? AND thread_root_id IS NULL "
                "AND id > ? ORDER BY id LIMIT ?"_s.arg(QLatin1StringView(kColumns)),
                {conversationId, afterId, limit});
}

int LocalCache::othersAfter(qint64 conversationId, qint64 afterId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query,
         u"SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND thread_root_id IS NULL "
         "AND id > ? AND sender_id <> ? AND (deleted_at IS NULL OR deleted_at = 0)"_s,
         {conversationId, afterId, m_me});
    return query.next() ? query.value(0).toInt() : 0;
}

qint64 LocalCache::newestId(qint64 conversationId)
{
    QSqlQuery query(QSqlDatabase::database(m_connection));
    exec(query, u"SELECT MAX(id) FROM messages WHERE conversation_id = ?"_s, {conversationId});
    return query.next() ? query.value(0).toLongLong() : 0;
}

ReplyExcerpt LocalCache::excerptOf(const LocalMessage &parent)
{
    // The first 140 code points, as the server counts them.
    const QString &content = parent.content;
    qsizetype units = 0;
    for (int points = 0; points < 140 && units < content.size(); ++points)
        units += content.at(units).isHighSurrogate() && units + 1 < content.size() ? 2 : 1;
    return {parent.id, parent.senderId, parent.isDeleted() ? QString() : content.left(units), 0,
            parent.isDeleted()};
}

std::optional<LocalMessage> LocalCache::byId(qint64 messageId)
{
    return one(u"id = ?"_s, {messageId});
}

QList<LocalMessage> LocalCache::repliesTo(qint64 messageId)
{
    return many(u"SELECT %1 FROM messages WHERE reply_to_id = ?"_s.arg(QLatin1StringView(kColumns)),
                {messageId});
}

std::optional<LocalMessage> LocalCache::lastEditable(qint64 conversationId, qint64 threadRootId)
{
    return one(u"conversation_id = ? AND sender_id = ? AND id IS NOT NULL AND deleted_at IS NULL "
               "AND COALESCE(thread_root_id, 0) = ? ORDER BY id DESC LIMIT 1"_s,
               {conversationId, m_me, threadRootId});
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
