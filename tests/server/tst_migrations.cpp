// Migrations: an upgraded database equals a fresh one, data survives, hot queries use indexes.
#include "storage/DbWorker.h"
#include "storage/Migrations.h"
#include "storage/NotificationRepository.h"
#include "storage/Sql.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::server;

namespace {

DatabaseUrl sqliteAt(const QString &path)
{
    return DatabaseUrl::parse(u"sqlite://"_s + path, QString()).value();
}

template<typename T> T run(DbWorker &db, std::function<Result<T>(QSqlDatabase &)> fn)
{
    auto future = db.submit<T>(std::move(fn));
    future.waitForFinished();
    const Result<T> result = future.result();
    if (!result.ok())
        qWarning() << result.error().message;
    return result.ok() ? result.value() : T{};
}

// Every table and index with its SQL, normalised for whitespace.
QStringList schemaOf(DbWorker &db)
{
    return run<QStringList>(db, [](QSqlDatabase &c) -> Result<QStringList> {
        QSqlQuery query(c);
        query.exec(
            u"SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"_s);
        QStringList rows;
        while (query.next())
            rows.append(u"%1 %2: %3"_s.arg(query.value(0).toString(), query.value(1).toString(),
                                           query.value(2).toString().simplified()));
        return rows;
    });
}

QString planOf(DbWorker &db, const QString &statement)
{
    return run<QString>(db, [statement](QSqlDatabase &c) -> Result<QString> {
        QSqlQuery query(c);
        query.exec(u"EXPLAIN QUERY PLAN "_s + statement);
        QStringList steps;
        while (query.next())
            steps.append(query.value(3).toString());
        return steps.join(u"; "_s);
    });
}

} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void upgradedEqualsFreshAndKeepsData()
    {
        DbWorker fresh(sqliteAt(m_dir.filePath(u"fresh.db"_s)));
        QVERIFY(fresh.start().ok());

        const QString oldPath = m_dir.filePath(u"old.db"_s);
        {
            DbWorker old(sqliteAt(oldPath), 1);
            QVERIFY(old.start().ok());
            QCOMPARE(run<qint64>(old,
                                 [](QSqlDatabase &c) {
                                     return Result<qint64>(Migrations::currentVersion(c));
                                 }),
                     1);
            run<Done>(old, [](QSqlDatabase &c) -> Result<Done> {
                for (
                    const auto &[statement, args] : QList<QPair<QString, QVariantList>>{
                        {u"INSERT INTO users (username, username_key, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)"_s,
                         {u"ann"_s, u"ann"_s, u"Ann"_s, u"h"_s, 1}},
                        {u"INSERT INTO conversations (is_group, created_by, created_at, updated_at) VALUES (0, 1, 1, 1)"_s,
                         {}},
                        {u"INSERT INTO participants (conversation_id, user_id, joined_at) VALUES (1, 1, 1)"_s,
                         {}},
                        {u"INSERT INTO messages (conversation_id, sender_id, content, created_at) VALUES (1, 1, ?, 1)"_s,
                         {u"before the upgrade"_s}}}) {
                    if (auto done = sql::exec(c, statement, args); !done.ok())
                        return done.error();
                }
                return Done{};
            });
        }
        DbWorker upgraded(sqliteAt(oldPath));
        QVERIFY(upgraded.start().ok());
        QCOMPARE(schemaOf(upgraded), schemaOf(fresh));
        QVERIFY(schemaOf(fresh).size() > 10);
        QCOMPARE(run<qint64>(upgraded,
                             [](QSqlDatabase &c) {
                                 return sql::scalar(c, u"SELECT COUNT(*) FROM messages"_s);
                             }),
                 1);
        QCOMPARE(run<qint64>(
                     upgraded,
                     [](QSqlDatabase &c) { return Result<qint64>(Migrations::currentVersion(c)); }),
                 Migrations::latestVersion());
    }

    void notificationStateSurvivesTheUpgrade()
    {
        // Before version 6 a notification was a row per recipient, read or not, emailed or
        // not. Bob wrote three messages to Ann: the first she read (and got in a digest), the
        // second was never to be emailed (she was online), the third waits for a digest.
        const QString path = m_dir.filePath(u"notifications.db"_s);
        {
            DbWorker old(sqliteAt(path), 5);
            QVERIFY(old.start().ok());
            run<Done>(old, [](QSqlDatabase &c) -> Result<Done> {
                QStringList statements{
                    u"INSERT INTO users (username, username_key, display_name, password_hash, created_at) VALUES ('ann', 'ann', 'Ann', 'h', 1), ('bob', 'bob', 'Bob', 'h', 1)"_s,
                    u"INSERT INTO conversations (is_group, created_by, created_at, updated_at, last_message_id) VALUES (0, 2, 1, 1, 3)"_s,
                    u"INSERT INTO participants (conversation_id, user_id, joined_at) VALUES (1, 1, 1), (1, 2, 1)"_s};
                for (int id = 1; id <= 3; ++id) {
                    statements
                        << u"INSERT INTO messages (conversation_id, sender_id, content, created_at) VALUES (1, 2, 'm%1', %1)"_s
                               .arg(id);
                    statements
                        << u"INSERT INTO notifications (user_id, kind, title, body, conversation_id, message_id, created_at, read_at, email_state) VALUES (1, 'new_message', 'Bob', 'm%1', 1, %1, %1, %2, %3)"_s
                               .arg(id)
                               .arg(id == 1 ? u"5"_s : u"NULL"_s)
                               .arg(id == 3 ? 0 : id);
                }
                for (const QString &statement : statements) {
                    if (auto done = sql::exec(c, statement); !done.ok())
                        return done.error();
                }
                return Done{};
            });
        }
        DbWorker upgraded(sqliteAt(path));
        QVERIFY(upgraded.start().ok());
        const auto listed =
            run<QList<NotificationRepository::Listed>>(upgraded, [](QSqlDatabase &c) {
                return NotificationRepository::list(c, 1, false, 10, std::nullopt);
            });
        QCOMPARE(listed.size(), 3);
        QList<qint64> ids;
        QList<bool> read;
        for (const auto &entry : listed) {
            ids << entry.notification.id;
            read << entry.read;
        }
        QCOMPARE(ids, (QList<qint64>{3, 2, 1}));
        QCOMPARE(read, (QList<bool>{false, false, true}));
        QCOMPARE(listed.constFirst().notification.title, u"Bob"_s);
        QCOMPARE(listed.constFirst().notification.body, u"m3"_s);
        QCOMPARE(run<qint64>(upgraded,
                             [](QSqlDatabase &c) {
                                 return sql::scalar(c, u"SELECT emailed_through FROM participants "
                                                       "WHERE user_id = 1"_s);
                             }),
                 2);
        // Bob wrote them: none is his.
        QVERIFY(run<QList<NotificationRepository::Listed>>(upgraded, [](QSqlDatabase &c) {
                    return NotificationRepository::list(c, 2, false, 10, std::nullopt);
                }).isEmpty());
    }

    void migratingAgainChangesNothing()
    {
        const QString path = m_dir.filePath(u"again.db"_s);
        QStringList first;
        {
            DbWorker db(sqliteAt(path));
            QVERIFY(db.start().ok());
            first = schemaOf(db);
        }
        DbWorker db(sqliteAt(path));
        QVERIFY(db.start().ok());
        QCOMPARE(schemaOf(db), first);
        QCOMPARE(run<qint64>(db,
                             [](QSqlDatabase &c) {
                                 return sql::scalar(c, u"SELECT COUNT(*) FROM schema_migrations"_s);
                             }),
                 Migrations::latestVersion());
    }

    void refusesADatabaseFromTheFuture()
    {
        const QString path = m_dir.filePath(u"future.db"_s);
        {
            DbWorker db(sqliteAt(path));
            QVERIFY(db.start().ok());
            run<Done>(db, [](QSqlDatabase &c) -> Result<Done> {
                auto done = sql::exec(
                    c,
                    u"INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', 0)"_s);
                return done.ok() ? Result<Done>(Done{}) : Result<Done>(done.error());
            });
        }
        DbWorker db(sqliteAt(path));
        const auto started = db.start();
        QVERIFY(!started.ok());
        QVERIFY(started.error().message.contains(u"newer"_s));
    }

    void walModeIsOn()
    {
        DbWorker db(sqliteAt(m_dir.filePath(u"wal.db"_s)));
        QVERIFY(db.start().ok());
        const QString mode = run<QString>(db, [](QSqlDatabase &c) -> Result<QString> {
            QSqlQuery query(c);
            query.exec(u"PRAGMA journal_mode"_s);
            query.next();
            return query.value(0).toString();
        });
        QCOMPARE(mode, u"wal"_s);
    }

    void newDatabasesGetSmallPagesOldOnesKeepTheirs()
    {
        auto pageSize = [](DbWorker &db) {
            return run<qint64>(
                db, [](QSqlDatabase &c) { return sql::scalar(c, u"PRAGMA page_size"_s, {}); });
        };
        DbWorker fresh(sqliteAt(m_dir.filePath(u"fresh.db"_s)));
        QVERIFY(fresh.start().ok());
        QCOMPARE(pageSize(fresh), 2048);

        // A file written with 4 KiB pages (and WAL, as earlier versions made them).
        const QString oldPath = m_dir.filePath(u"old-pages.db"_s);
        {
            QSqlDatabase plain = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"old-pages"_s);
            plain.setDatabaseName(oldPath);
            QVERIFY(plain.open());
            QSqlQuery query(plain);
            QVERIFY(query.exec(u"PRAGMA page_size=4096"_s));
            QVERIFY(query.exec(u"PRAGMA journal_mode=WAL"_s));
            QVERIFY(query.exec(u"CREATE TABLE unrelated (x INTEGER)"_s));
            plain.close();
        }
        QSqlDatabase::removeDatabase(u"old-pages"_s);
        DbWorker old(sqliteAt(oldPath));
        QVERIFY(old.start().ok());
        QCOMPARE(pageSize(old), 4096);
        QVERIFY(schemaOf(old).join(u'\n').contains(u"CREATE TABLE messages"_s));
    }

    void hotQueriesUseIndexes_data()
    {
        QTest::addColumn<QString>("statement");
        QTest::addColumn<QString>("index");
        QTest::newRow("history page")
            << u"SELECT id FROM messages m WHERE m.conversation_id = 1 AND m.id < 100 ORDER BY m.id DESC LIMIT 51"_s
            << u"messages_by_conversation"_s;
        QTest::newRow("unread count")
            << u"SELECT COUNT(*) FROM messages m WHERE m.conversation_id = 1 AND m.id > 5 AND m.sender_id <> 2"_s
            << u"messages_by_conversation"_s;
        QTest::newRow("idempotency")
            << u"SELECT id FROM messages m WHERE m.sender_id = 1 AND m.client_message_id = 'x'"_s
            << u"messages_by_client_id"_s;
        QTest::newRow("my conversations")
            << u"SELECT conversation_id FROM participants WHERE user_id = 3"_s
            << u"participants_by_user"_s;
        QTest::newRow("backlog")
            << u"SELECT message_id FROM pending_deliveries d WHERE d.user_id = 1 AND d.message_id > 0 ORDER BY d.message_id"_s
            << u"sqlite_autoindex_pending_deliveries_1"_s;
        QTest::newRow("login") << u"SELECT id FROM users WHERE username_key = 'a'"_s
                               << u"sqlite_autoindex_users_1"_s;
        QTest::newRow("pair") << u"SELECT id FROM conversations WHERE pair_key = '1:2'"_s
                              << u"sqlite_autoindex_conversations_1"_s;
        QTest::newRow("notification read one by one")
            << u"SELECT 1 FROM notification_reads r WHERE r.user_id = 1 AND r.message_id = 5"_s
            << u"sqlite_autoindex_notification_reads_1"_s;
    }

    void hotQueriesUseIndexes()
    {
        QFETCH(QString, statement);
        QFETCH(QString, index);
        static DbWorker db(sqliteAt(m_dir.filePath(u"plans.db"_s)));
        static const bool started = db.start().ok();
        QVERIFY(started);
        const QString plan = planOf(db, statement);
        QVERIFY2(plan.contains(index), qPrintable(plan));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
