#include "storage/Migrations.h"

#include "protocol/Time.h"
#include "storage/Sql.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <span>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

namespace pitchey::server {

namespace {

// The backends a migration's statements run on (its version is recorded on both).
enum class On
{
    Both,
    PostgreSQL
};

struct Migration
{
    int version;
    const char *name;
    QList<const char *> statements;
    On on = On::Both;
};

// Append only: a released migration is never edited. Times are ms since the epoch.
const Migration kMigrations[] = {
    {1,
     "users, conversations, messages, delivery state",
     {R"(CREATE TABLE users (
                id {{ID}},
                username TEXT NOT NULL,
                username_key TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                email TEXT,
                password_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL))",
      R"(CREATE TABLE conversations (
                id {{ID}},
                title TEXT,
                is_group INTEGER NOT NULL DEFAULT 0,
                pair_key TEXT UNIQUE,
                created_by BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                last_message_id BIGINT))",
      R"(CREATE TABLE participants (
                conversation_id BIGINT NOT NULL REFERENCES conversations(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                joined_at BIGINT NOT NULL,
                last_read_message_id BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (conversation_id, user_id)))",
      "CREATE INDEX participants_by_user ON participants(user_id, conversation_id)",
      R"(CREATE TABLE messages (
                id {{ID}},
                conversation_id BIGINT NOT NULL REFERENCES conversations(id),
                sender_id BIGINT NOT NULL REFERENCES users(id),
                content TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                edited_at BIGINT,
                reply_to_id BIGINT REFERENCES messages(id),
                client_message_id TEXT,
                attachments TEXT))",
      "CREATE INDEX messages_by_conversation ON messages(conversation_id, id)",
      R"(CREATE UNIQUE INDEX messages_by_client_id ON messages(sender_id, client_message_id)
             WHERE client_message_id IS NOT NULL)",
      R"(CREATE TABLE pending_deliveries (
                user_id BIGINT NOT NULL REFERENCES users(id),
                message_id BIGINT NOT NULL REFERENCES messages(id),
                conversation_id BIGINT NOT NULL REFERENCES conversations(id),
                PRIMARY KEY (user_id, message_id)))",
      R"(CREATE TABLE message_receipts (
                message_id BIGINT NOT NULL REFERENCES messages(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                delivered_at BIGINT NOT NULL,
                PRIMARY KEY (message_id, user_id)))"}},
    {2,
     "notifications and their preferences",
     {R"(CREATE TABLE notification_preferences (
                user_id BIGINT PRIMARY KEY REFERENCES users(id),
                email_enabled INTEGER NOT NULL DEFAULT 1,
                realtime_enabled INTEGER NOT NULL DEFAULT 1,
                email_delay_minutes INTEGER NOT NULL DEFAULT 5,
                updated_at BIGINT NOT NULL))",
      R"(CREATE TABLE muted_conversations (
                user_id BIGINT NOT NULL REFERENCES users(id),
                conversation_id BIGINT NOT NULL REFERENCES conversations(id),
                PRIMARY KEY (user_id, conversation_id)))",
      R"(CREATE TABLE notifications (
                id {{ID}},
                user_id BIGINT NOT NULL REFERENCES users(id),
                kind TEXT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                conversation_id BIGINT REFERENCES conversations(id),
                message_id BIGINT REFERENCES messages(id),
                created_at BIGINT NOT NULL,
                read_at BIGINT))",
      "CREATE INDEX notifications_by_user ON notifications(user_id, id)"}},
    {3,
     "email digests and their outbox",
     // email_state: 0 waiting for a digest, 1 in one, 2 never to be emailed (the user was
     // online, or turned email off).
     {"ALTER TABLE notifications ADD COLUMN email_state INTEGER NOT NULL DEFAULT 0",
      R"(CREATE INDEX notifications_email_pending ON notifications(user_id, id)
             WHERE email_state = 0 AND read_at IS NULL)",
      R"(CREATE TABLE email_outbox (
                id {{ID}},
                user_id BIGINT NOT NULL REFERENCES users(id),
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                text_body TEXT NOT NULL,
                html_body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                sent_at BIGINT,
                last_error TEXT))",
      "CREATE INDEX email_outbox_due ON email_outbox(next_attempt_at) WHERE sent_at IS NULL",
      "CREATE INDEX email_outbox_by_user ON email_outbox(user_id, created_at)"}},
    {4,
     "privacy switches",
     {"ALTER TABLE notification_preferences ADD COLUMN send_read_receipts INTEGER NOT NULL "
      "DEFAULT 1",
      "ALTER TABLE notification_preferences ADD COLUMN send_typing_indicators INTEGER NOT "
      "NULL DEFAULT 1"}},
    {5,
     "cluster events too big for NOTIFY",
     {"CREATE TABLE cluster_events (id {{ID}}, payload TEXT NOT NULL, created_at BIGINT NOT "
      "NULL)",
      "CREATE INDEX cluster_events_by_age ON cluster_events(created_at)"}},
    {6,
     "notifications derived from messages",
     // A notification is a message from someone else in an unmuted conversation; its id
     // is the message's. Instead of a row per recipient and message, a participant keeps
     // two marks: every notification up to notifications_read_through is read ("mark all
     // read"), every one up to emailed_through has been in a digest or never will be.
     // Notifications read one by one are in notification_reads. Reading the
     // conversation (last_read_message_id) reads its notifications too.
     {"ALTER TABLE participants ADD COLUMN notifications_read_through BIGINT NOT NULL "
      "DEFAULT 0",
      "ALTER TABLE participants ADD COLUMN emailed_through BIGINT NOT NULL DEFAULT 0",
      R"(CREATE TABLE notification_reads (
                user_id BIGINT NOT NULL REFERENCES users(id),
                message_id BIGINT NOT NULL REFERENCES messages(id),
                PRIMARY KEY (user_id, message_id)))",
      "INSERT INTO notification_reads (user_id, message_id) SELECT DISTINCT user_id, "
      "message_id FROM notifications WHERE read_at IS NOT NULL AND message_id IS NOT NULL",
      "UPDATE participants SET emailed_through = COALESCE((SELECT MAX(n.message_id) FROM "
      "notifications n WHERE n.user_id = participants.user_id AND n.conversation_id = "
      "participants.conversation_id AND n.email_state <> 0), 0)",
      "DROP TABLE notifications"}},
    {7,
     "token keys",
     // A token names its account's key; a token whose account has another key (a new
     // password, or a restored database whose id went to someone else) is refused.
     {"ALTER TABLE users ADD COLUMN token_key BIGINT NOT NULL DEFAULT 0",
      "UPDATE users SET token_key = {{RANDOM_KEY}}"}},
    {8,
     "message versions and the change feed",
     // Every change of a message takes the next position of the feed from its one row,
     // whose lock is held until the commit: changes commit in the order of their positions,
     // on every node (docs/architecture.md, "The change feed"). Existing messages keep
     // their ids as positions.
     {"ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text'",
      "ALTER TABLE messages ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
      "ALTER TABLE messages ADD COLUMN deleted_at BIGINT",
      "ALTER TABLE messages ADD COLUMN change_id BIGINT NOT NULL DEFAULT 0",
      "ALTER TABLE messages ADD COLUMN thread_root_id BIGINT REFERENCES messages(id)",
      "UPDATE messages SET change_id = id",
      "CREATE INDEX messages_by_change ON messages(change_id)",
      "CREATE TABLE change_feed (id INTEGER PRIMARY KEY, latest BIGINT NOT NULL)",
      "INSERT INTO change_feed (id, latest) SELECT 1, COALESCE(MAX(id), 0) FROM messages"}},
    {9,
     "edit history",
     // The versions an edit replaced (the current one is the message itself).
     {R"(CREATE TABLE message_edits (
                message_id BIGINT NOT NULL REFERENCES messages(id),
                version INTEGER NOT NULL,
                content TEXT NOT NULL,
                edited_at BIGINT NOT NULL,
                PRIMARY KEY (message_id, version)))"}},
    {10,
     "reactions",
     // One row per user and emoji on a message; an emoji's place is its oldest row's id
     // (taken back by everyone and added again: last). A message's sender has at most one
     // reaction notification at a time, coalescing the reactions of a minute.
     {R"(CREATE TABLE message_reactions (
                id {{ID}},
                message_id BIGINT NOT NULL REFERENCES messages(id),
                emoji TEXT NOT NULL,
                user_id BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL,
                UNIQUE (message_id, emoji, user_id)))",
      R"(CREATE TABLE reaction_notifications (
                id {{ID}},
                message_id BIGINT NOT NULL UNIQUE REFERENCES messages(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                created_at BIGINT NOT NULL))"}},
    {11,
     "threads",
     // A root keeps its summary (live replies: how many, the newest, the five most recent
     // repliers, newest first, as "5,3,9"), rewritten with each reply and each deleted
     // one. Who follows a thread: replying, or the root's own sender, follows; PUT/DELETE
     // .../follow sets it either way.
     {"ALTER TABLE messages ADD COLUMN thread_reply_count INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE messages ADD COLUMN thread_last_reply_id BIGINT",
      "ALTER TABLE messages ADD COLUMN thread_last_reply_at BIGINT",
      "ALTER TABLE messages ADD COLUMN thread_participants TEXT",
      R"(CREATE INDEX messages_by_thread ON messages(thread_root_id, id)
                WHERE thread_root_id IS NOT NULL)",
      R"(CREATE TABLE thread_follows (
                root_id BIGINT NOT NULL REFERENCES messages(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                following INTEGER NOT NULL,
                PRIMARY KEY (root_id, user_id)))"}},
    {12,
     "mentions",
     // The message keeps its mentions as sent ("4,2" and the all flag); message_mentions
     // has a row for each participant it mentions (direct: named in userIds, else through
     // `all`), for the mention counts and notifications. A tombstone keeps none.
     {"ALTER TABLE messages ADD COLUMN mention_ids TEXT",
      "ALTER TABLE messages ADD COLUMN mentions_all INTEGER NOT NULL DEFAULT 0",
      R"(CREATE TABLE message_mentions (
                message_id BIGINT NOT NULL REFERENCES messages(id),
                user_id BIGINT NOT NULL REFERENCES users(id),
                conversation_id BIGINT NOT NULL REFERENCES conversations(id),
                direct INTEGER NOT NULL,
                PRIMARY KEY (message_id, user_id)))",
      R"(CREATE INDEX message_mentions_by_user
                ON message_mentions(user_id, conversation_id, message_id))",
      R"(ALTER TABLE notification_preferences
                ADD COLUMN mentions_when_muted INTEGER NOT NULL DEFAULT 1)"}},
    {13,
     "digests follow their messages",
     // The messages an unsent digest sums up: an edit or a delete of one marks the digest
     // stale (a delete also blanks it), and the mailer writes it anew before sending.
     {R"(CREATE TABLE email_outbox_messages (
                email_id BIGINT NOT NULL REFERENCES email_outbox(id),
                message_id BIGINT NOT NULL REFERENCES messages(id),
                PRIMARY KEY (email_id, message_id)))",
      "CREATE INDEX email_outbox_messages_by_message ON email_outbox_messages(message_id)",
      "ALTER TABLE email_outbox ADD COLUMN stale INTEGER NOT NULL DEFAULT 0"}},
    {14,
     "the change feed from a sequence on PostgreSQL",
     // Positions come from a sequence, each held under an advisory lock until its
     // transaction ends, instead of the one row whose lock made every change wait for the
     // others (ChangeFeed.cpp). SQLite, one writer, keeps the row.
     {"CREATE SEQUENCE change_feed_positions AS BIGINT",
      "SELECT setval('change_feed_positions', (SELECT latest + 1 FROM change_feed), false)",
      "DROP TABLE change_feed"},
     On::PostgreSQL},
    {15,
     "attachments",
     // One row per distinct content (the media store keeps its bytes under its SHA-256),
     // each user's uploads of it, and the messages that carry them.
     {R"(CREATE TABLE media_files (
                sha256 TEXT PRIMARY KEY,
                size BIGINT NOT NULL,
                mime_type TEXT NOT NULL,
                width INTEGER,
                height INTEGER,
                thumbnail_state TEXT NOT NULL,
                thumbnail_type TEXT NOT NULL DEFAULT '',
                created_at BIGINT NOT NULL))",
      R"(CREATE TABLE attachments (
                id {{ID}},
                uploader_id BIGINT NOT NULL REFERENCES users(id),
                sha256 TEXT NOT NULL REFERENCES media_files(sha256),
                filename TEXT NOT NULL,
                created_at BIGINT NOT NULL))",
      "CREATE UNIQUE INDEX attachments_by_uploader ON attachments(uploader_id, sha256)",
      "CREATE INDEX attachments_by_file ON attachments(sha256)",
      "CREATE INDEX attachments_by_age ON attachments(created_at)",
      R"(CREATE TABLE message_attachments (
                message_id BIGINT NOT NULL REFERENCES messages(id),
                attachment_id BIGINT NOT NULL REFERENCES attachments(id),
                position INTEGER NOT NULL,
                PRIMARY KEY (message_id, position)))",
      "CREATE INDEX message_attachments_by_attachment ON message_attachments(attachment_id)"}},
};

std::span<const Migration> migrations()
{
    return kMigrations;
}

} // namespace

int Migrations::latestVersion()
{
    return migrations().back().version;
}

int Migrations::currentVersion(QSqlDatabase &db)
{
    if (!db.tables().contains(u"schema_migrations"_s))
        return 0;
    auto version = sql::scalar(db, u"SELECT MAX(version) FROM schema_migrations"_s);
    return version.ok() ? int(version.value()) : 0;
}

Status Migrations::migrate(QSqlDatabase &db, const SqlDialect &dialect, int target)
{
    if (target < 0)
        target = latestVersion();
    QSqlQuery bootstrap(db);
    if (!bootstrap.exec(
            u"CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"_s))
        return Error::internal(
            u"cannot create schema_migrations: %1"_s.arg(bootstrap.lastError().text()));

    const int current = currentVersion(db);
    sql::finishAll(db); // SQLite refuses DROP TABLE while a read (the version's) is active
    if (current > latestVersion())
        return Error::internal(
            u"the database has schema version %1, newer than this server knows (%2)"_s.arg(current)
                .arg(latestVersion()));
    for (const Migration &migration : migrations()) {
        if (migration.version <= current || migration.version > target)
            continue;
        if (!db.transaction())
            return Error::internal(u"cannot begin migration %1"_s.arg(migration.version));
        const bool runs =
            migration.on == On::Both || dialect.kind() == DatabaseUrl::Kind::PostgreSQL;
        for (const char *statement : runs ? migration.statements : QList<const char *>{}) {
            QSqlQuery query(db);
            if (!query.exec(dialect.schema(QString::fromUtf8(statement)))) {
                const QString why = query.lastError().text();
                db.rollback();
                return Error::internal(
                    u"migration %1 failed: %2"_s.arg(migration.version).arg(why));
            }
        }
        auto recorded = sql::exec(
            db, u"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"_s,
            {migration.version, QString::fromUtf8(migration.name), currentTimeMs()});
        if (!recorded.ok() || !db.commit()) {
            db.rollback();
            return Error::internal(u"cannot record migration %1"_s.arg(migration.version));
        }
        qCInfo(lcStorage) << "applied migration" << migration.version << migration.name;
    }
    return Done{};
}

} // namespace pitchey::server
