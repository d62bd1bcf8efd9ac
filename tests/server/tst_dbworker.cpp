// DbWorker: group commit, isolation of each job inside its batch and, on PostgreSQL (under
// tests/support/with-postgres.sh), the pool: lanes side by side, one key's jobs in order, a
// deadlock's victim run again. And the set-based statements that batches lean on.
#include "ScratchPostgres.h"
#include "storage/DbWorker.h"
#include "storage/MessageRepository.h"
#include "storage/Sql.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <latch>
#include <limits>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::server;

class TestDbWorker : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<testing::ScratchDatabase> m_database;
    std::unique_ptr<DbWorker> m_db;

    [[nodiscard]] DatabaseUrl url() const { return m_database->url(); }

    template<typename T> static Result<T> wait(QFuture<Result<T>> future)
    {
        future.waitForFinished();
        return future.result();
    }

    Result<qint64> insertUser(QSqlDatabase &db, const QString &name)
    {
        // INSERT ... RETURNING read for its one row: the statement stays active until it
        // is finished, which is what broke savepoints once.
        auto inserted = sql::exec(
            db,
            u"INSERT INTO users (username, username_key, display_name, password_hash, created_at) "
            "VALUES (?, ?, ?, 'h', 0) RETURNING id"_s,
            {name, name, name});
        if (!inserted.ok())
            return inserted.error();
        inserted.value().next();
        return inserted.value().value(0).toLongLong();
    }

    qint64 countUsers(const QString &name)
    {
        auto future = m_db->submit<qint64>([name](QSqlDatabase &db) {
            return sql::scalar(db, u"SELECT COUNT(*) FROM users WHERE username = ?"_s, {name});
        });
        future.waitForFinished();
        return future.result().ok() ? future.result().value() : -1;
    }

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u"failed|cannot"_s));
        m_database = std::make_unique<testing::ScratchDatabase>();
        m_db = std::make_unique<DbWorker>(url(), -1, 4);
        QVERIFY(m_db->start().ok());
        QCOMPARE(m_db->connections(), m_database->onPostgres() ? 4 : 1); // SQLite: its one writer
    }

    void cleanup()
    {
        m_db.reset();
        m_database.reset();
    }

    // A batch of acknowledgements as one job: every kind of ack in one list, more of them
    // than one statement takes, each answered as markDelivered() would answer it alone.
    void manyAcknowledgementsAnswerEachAsOne()
    {
        using MessageRepository::Ack;
        struct Setup
        {
            qint64 alice = 0, bob = 0, carol = 0, pair = 0;
            QList<qint64> toBob;
            qint64 fromBob = 0, toCarol = 0;
        };
        auto setup = wait(m_db->submit<Setup>([this](QSqlDatabase &db) -> Result<Setup> {
            Setup s;
            s.alice = insertUser(db, u"alice"_s).value();
            s.bob = insertUser(db, u"bob"_s).value();
            s.carol = insertUser(db, u"carol"_s).value();
            auto send = [&](qint64 from, qint64 to) -> qint64 {
                NewMessage message;
                message.recipientId = to;
                message.content = u"hello"_s;
                auto stored = MessageRepository::store(db, from, message);
                return stored.ok() ? stored.value().message.id : -1;
            };
            for (int i = 0; i < 70; ++i)
                s.toBob.append(send(s.alice, s.bob));
            s.fromBob = send(s.bob, s.alice);
            s.toCarol = send(s.alice, s.carol);
            s.pair =
                sql::scalar(db, u"SELECT conversation_id FROM messages WHERE id = ?"_s, {s.fromBob})
                    .value();
            return s;
        }));
        QVERIFY(setup.ok());
        const Setup s = setup.value();
        QVERIFY(!s.toBob.contains(-1));
        // One acknowledged before the batch.
        QVERIFY(wait(m_db->submit<std::optional<DeliveryReceipt>>([&](QSqlDatabase &db) {
                    return MessageRepository::markDelivered(db, s.bob, s.toBob.at(5));
                }))
                    .value()
                    .has_value());

        QList<Ack> acks;
        for (qint64 id : s.toBob)
            acks.append({s.bob, id});
        acks.append({s.bob, s.toBob.at(0)}); // again, in the same batch
        acks.append({s.bob, s.fromBob});     // his own
        acks.append({s.bob, 999999});        // no such message
        acks.append({s.bob, s.toCarol});     // not his conversation
        auto marked = wait(m_db->submit<MessageRepository::DeliveryResults>(
            [&](QSqlDatabase &db) { return MessageRepository::markDeliveredMany(db, acks); }));
        QVERIFY(marked.ok());
        const auto results = marked.value();
        QCOMPARE(results.size(), acks.size());
        for (qsizetype i = 0; i < s.toBob.size(); ++i) {
            QVERIFY(results.at(i).ok());
            if (i == 5) {
                QVERIFY(!results.at(i).value()); // acknowledged before
                continue;
            }
            QVERIFY2(results.at(i).value().has_value(), qPrintable(QString::number(i)));
            const DeliveryReceipt &receipt = *results.at(i).value();
            QCOMPARE(receipt.messageId, s.toBob.at(i));
            QCOMPARE(receipt.conversationId, s.pair);
            QCOMPARE(receipt.senderId, s.alice);
            QCOMPARE(receipt.deliveredTo, s.bob);
            QVERIFY(receipt.deliveredAt > 0);
        }
        QVERIFY(results.at(70).ok() && !results.at(70).value());
        QVERIFY(results.at(71).ok() && !results.at(71).value());
        QCOMPARE(results.at(72).error().code, ErrorCode::NotFound);
        QCOMPARE(results.at(73).error().code, ErrorCode::Forbidden);

        // Nothing waits for bob any more, and each receipt is recorded once.
        auto left = wait(m_db->submit<QList<Message>>(
            [&](QSqlDatabase &db) { return MessageRepository::undelivered(db, s.bob, 0, 100); }));
        QVERIFY(left.ok() && left.value().isEmpty());
        auto receipts = wait(m_db->submit<qint64>([&](QSqlDatabase &db) {
            return sql::scalar(db, u"SELECT COUNT(*) FROM message_receipts WHERE user_id = ?"_s,
                               {s.bob});
        }));
        QCOMPARE(receipts.value(), 70);
        // Carol's message still waits for her.
        auto carols = wait(m_db->submit<QList<Message>>(
            [&](QSqlDatabase &db) { return MessageRepository::undelivered(db, s.carol, 0, 100); }));
        QCOMPARE(carols.value().size(), 1);
    }

    void sqliteValuesAreStoredAsQtsDriverStoresThem()
    {
        // On SQLite, sql::exec() prepares and binds with SQLite's own API (Sql.cpp); the
        // values must land exactly as through QSqlQuery, and read back the same.
        if (m_database->onPostgres())
            QSKIP("SQLite's direct path");
        const QVariantList values{u"plain"_s,
                                  u"\u00e9\u6f22\u5b57 \U0001F600"_s,
                                  QString(),
                                  u""_s,
                                  QVariant(QMetaType::fromType<qint64>()),
                                  true,
                                  std::numeric_limits<qint64>::max(),
                                  -7,
                                  1.5,
                                  QByteArray("\0bytes\xff", 7),
                                  QByteArray()};
        struct Stored
        {
            QStringList direct, throughQt;
            QVariantList readBack;
        };
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"parameter count mismatch"_s));
        auto stored = wait(m_db->submit<Stored>([&values](QSqlDatabase &db) -> Result<Stored> {
#ifdef Q_OS_LINUX
            if (!sql::sqliteDirect(db))
                return Error::internal(u"the direct path is not in use"_s);
#endif
            QSqlQuery ddl(db);
            if (!ddl.exec(u"CREATE TABLE IF NOT EXISTS kinds (path TEXT, i INTEGER, v)"_s))
                return Error::internal(ddl.lastError().text());
            for (int i = 0; i < values.size(); ++i) {
                auto direct = sql::exec(db, u"INSERT INTO kinds VALUES ('direct', ?, ?)"_s,
                                        {i, values.at(i)});
                if (!direct.ok())
                    return direct.error();
                if (direct.value().numRowsAffected() != 1)
                    return Error::internal(u"one row changed"_s);
                QSqlQuery qt(db);
                qt.prepare(u"INSERT INTO kinds VALUES ('qt', ?, ?)"_s);
                qt.addBindValue(i);
                qt.addBindValue(values.at(i));
                if (!qt.exec())
                    return Error::internal(qt.lastError().text());
            }
            Stored result;
            for (const QString &path : {u"direct"_s, u"qt"_s}) {
                auto rows = sql::exec(
                    db,
                    u"SELECT typeof(v) || ' ' || quote(v), v FROM kinds WHERE path = ? ORDER BY i"_s,
                    {path});
                if (!rows.ok())
                    return rows.error();
                while (rows.value().next()) {
                    (path == "direct"_L1 ? result.direct : result.throughQt)
                        << rows.value().value(0).toString();
                    if (path == "direct"_L1)
                        result.readBack << rows.value().value(1);
                }
            }
            // A wrong number of values is refused, and the statement still works afterwards.
            if (sql::exec(db, u"INSERT INTO kinds VALUES ('direct', ?, ?)"_s, {1}).ok())
                return Error::internal(u"a missing value was accepted"_s);
            return result;
        }));
        QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().message));
        QCOMPARE(stored.value().direct, stored.value().throughQt);
        QCOMPARE(stored.value().direct.size(), values.size());
        const QVariantList &back = stored.value().readBack;
        QCOMPARE(back.at(1).toString(), values.at(1).toString());
        QVERIFY(back.at(2).isNull());
        QVERIFY(!back.at(3).isNull());
        QCOMPARE(back.at(3).toString(), u""_s);
        QCOMPARE(back.at(6).toLongLong(), std::numeric_limits<qint64>::max());
        QCOMPARE(back.at(8).toDouble(), 1.5);
        QCOMPARE(back.at(9).toByteArray(), QByteArray("\0bytes\xff", 7));
    }

    void aRefusedJobLeavesNoTraceAndItsNeighboursCommit()
    {
        QList<QFuture<Result<qint64>>> futures;
        for (int i = 0; i < 50; ++i) {
            const QString name = u"user%1"_s.arg(i);
            const bool refuse = i % 2 == 1;
            futures.append(
                m_db->submit<qint64>([this, name, refuse](QSqlDatabase &db) -> Result<qint64> {
                    auto id = insertUser(db, name);
                    if (!id.ok())
                        return id;
                    if (refuse)
                        return Error::forbidden(u"refused after writing"_s);
                    return id;
                }));
        }
        for (auto &future : futures)
            future.waitForFinished();
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(futures.at(i).result().ok(), i % 2 == 0);
            QCOMPARE(countUsers(u"user%1"_s.arg(i)), i % 2 == 0 ? 1 : 0);
        }
    }

    // A batch of one (SQLite runs batches without savepoints first): a refusal rolls it
    // back, and what the job wrote is gone.
    void aLoneRefusedJobLeavesNoTrace()
    {
        auto refused = wait(m_db->submit<qint64>([this](QSqlDatabase &db) -> Result<qint64> {
            if (auto id = insertUser(db, u"alone"_s); !id.ok())
                return id;
            return Error::forbidden(u"refused after writing"_s);
        }));
        QCOMPARE(refused.error().code, ErrorCode::Forbidden);
        QCOMPARE(countUsers(u"alone"_s), 0);
        QVERIFY(wait(m_db->submit<qint64>([this](QSqlDatabase &db) {
                    return insertUser(db, u"alone"_s);
                })).ok());
        QCOMPARE(countUsers(u"alone"_s), 1);
    }

    void jobsQueuedTogetherShareOneCommit()
    {
        const auto before = m_db->stats();
        QList<QFuture<Result<qint64>>> futures;
        for (int i = 0; i < 500; ++i)
            futures.append(m_db->submit<qint64>(
                [this, i](QSqlDatabase &db) { return insertUser(db, u"g%1"_s.arg(i)); }));
        for (auto &future : futures)
            future.waitForFinished();
        const auto after = m_db->stats();
        QCOMPARE(after.jobs - before.jobs, 500u);
        QVERIFY2(after.transactions - before.transactions < 100,
                 qPrintable(u"%1 transactions for 500 jobs"_s.arg(after.transactions -
                                                                  before.transactions)));
        QCOMPARE(countUsers(u"g499"_s), 1);
    }

    void aSteadyStreamSharesOneCommitPerWindow()
    {
        // Reads 5 ms apart, each done long before the next comes: without the window each
        // would be a transaction of its own.
        m_db.reset();
        m_db = std::make_unique<DbWorker>(url(), DbWorker::kOpenOnly, 1);
        m_db->setCommitWindow(std::chrono::seconds(1));
        QVERIFY(m_db->start().ok());
        const auto read = [] {
            return [](QSqlDatabase &db) { return sql::scalar(db, u"SELECT 1"_s, {}); };
        };
        // The first job comes after a quiet spell: it runs at once, not a second later.
        QElapsedTimer alone;
        alone.start();
        QVERIFY(wait(m_db->submit<qint64>(read())).ok());
        QVERIFY2(alone.elapsed() < 900, qPrintable(u"%1 ms"_s.arg(alone.elapsed())));

        const auto before = m_db->stats();
        QList<QFuture<Result<qint64>>> stream;
        for (std::size_t i = 0; i < DbWorker::kWindowBatch; ++i) {
            stream.append(m_db->submit<qint64>(read()));
            QThread::msleep(5);
        }
        for (auto &future : stream)
            QCOMPARE(wait(future).value(), 1);
        QCOMPARE(m_db->stats().transactions - before.transactions, 1u);

        // Stopping does not leave the jobs that wait for the window behind.
        QList<QFuture<Result<qint64>>> last{m_db->submit<qint64>(read()),
                                            m_db->submit<qint64>(read())};
        m_db->stop();
        for (auto &future : last)
            QCOMPARE(wait(future).value(), 1);
    }

    void repliesComeBackOnTheSubmittingThreadInOrder()
    {
        QObject context;
        QStringList heard;
        const auto note = [&heard](const QString &what) {
            return [&heard, what](const Result<qint64> &result) {
                QCOMPARE(QThread::currentThread(), QCoreApplication::instance()->thread());
                heard.append(result.ok() ? what : what + u" failed: "_s + result.error().message);
            };
        };
        m_db->submitThen<qint64>(
            0, [this](QSqlDatabase &db) { return insertUser(db, u"then1"_s); }, &context,
            note(u"first"_s));
        m_db->submitThen<qint64>(
            0, [](QSqlDatabase &) -> Result<qint64> { return Error::badRequest(u"no"_s); },
            &context, note(u"second"_s));
        m_db->submitThen<qint64>(
            0, [this](QSqlDatabase &db) { return insertUser(db, u"then2"_s); }, &context,
            note(u"third"_s));
        {
            // A context that is gone by the time its reply comes hears nothing.
            QObject shortLived;
            m_db->submitThen<qint64>(
                0, [](QSqlDatabase &) { return Result<qint64>(1); }, &shortLived,
                [](const Result<qint64> &) { QFAIL("a reply for a destroyed context"); });
        }
        QVERIFY(heard.isEmpty()); // never inside submitThen()
        QTRY_COMPARE(heard, (QStringList{u"first"_s, u"second failed: no"_s, u"third"_s}));
        QCOMPARE(countUsers(u"then2"_s), 1);

        // After shutdown a job is refused, and still answered.
        m_db->stop();
        heard.clear();
        m_db->submitThen<qint64>(
            0, [](QSqlDatabase &) { return Result<qint64>(1); }, &context, note(u"late"_s));
        QTRY_COMPARE(heard, (QStringList{u"late failed: the database is unavailable"_s}));
    }

    void resultsArriveAfterTheCommit()
    {
        if (m_database->onPostgres())
            QSKIP("reads the SQLite file");
        // A result is only handed out once its batch is durable: a second connection sees it.
        auto future =
            m_db->submit<qint64>([this](QSqlDatabase &db) { return insertUser(db, u"durable"_s); });
        future.waitForFinished();
        QVERIFY(future.result().ok());
        {
            QSqlDatabase other = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"reader"_s);
            other.setDatabaseName(m_database->sqliteFile());
            QVERIFY(other.open());
            QSqlQuery query(other);
            QVERIFY(query.exec(u"SELECT COUNT(*) FROM users WHERE username = 'durable'"_s));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toInt(), 1);
        }
        QSqlDatabase::removeDatabase(u"reader"_s);
    }

    void jobsOfOneKeyRunInTheOrderTheyCameIn()
    {
        std::mutex mutex;
        QList<int> ran;
        QList<QFuture<Result<int>>> futures;
        for (int i = 0; i < 300; ++i) {
            // Other keys' jobs in between, on the other lanes.
            (void)m_db->submitFor<int>(i, [](QSqlDatabase &db) {
                return Result<int>(int(sql::scalar(db, u"SELECT 1"_s).value()));
            });
            futures.append(m_db->submitFor<int>(7, [&mutex, &ran, i](QSqlDatabase &) {
                std::lock_guard lock(mutex);
                ran.append(i);
                return Result<int>(i);
            }));
        }
        for (auto &future : futures)
            future.waitForFinished();
        QCOMPARE(ran.size(), 300);
        for (int i = 0; i < 300; ++i)
            QCOMPARE(ran.at(i), i);
    }

    void thePoolRunsTwoKeysSideBySide()
    {
        if (!m_database->onPostgres())
            QSKIP("SQLite has one connection");
        // The job of key 0 waits inside its transaction for the job of key 1: with a single
        // connection the second could never start.
        std::atomic<bool> second{false};
        auto first = m_db->submitFor<bool>(0, [&second](QSqlDatabase &db) -> Result<bool> {
            if (auto id = sql::exec(db, u"SELECT 1"_s); !id.ok())
                return id.error();
            for (int i = 0; i < 500 && !second.load(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return second.load();
        });
        auto other = m_db->submitFor<bool>(1, [&second](QSqlDatabase &) {
            second.store(true);
            return Result<bool>(true);
        });
        QVERIFY(wait(other).ok());
        const auto waited = wait(first);
        QVERIFY(waited.ok());
        QVERIFY2(waited.value(), "the second key's job did not run beside the first");
    }

    void aDeadlockVictimRunsAgainAfterTheOtherCommits()
    {
        if (!m_database->onPostgres())
            QSKIP("SQLite has one writer: no deadlock between connections");
        // Two nodes, each locking one row and then the other's, at the same moment:
        // PostgreSQL breaks the deadlock by failing one statement; that job runs again in
        // its node's next batch and both commit.
        DbWorker node1(url(), DbWorker::kOpenOnly, 1);
        DbWorker node2(url(), DbWorker::kOpenOnly, 1);
        QVERIFY(node1.start().ok());
        QVERIFY(node2.start().ok());
        QVERIFY(wait(m_db->submit<Done>([](QSqlDatabase &db) -> Result<Done> {
                    for (const QString &statement :
                         {u"CREATE TABLE counters (id INTEGER PRIMARY KEY, hits INTEGER)"_s,
                          u"INSERT INTO counters VALUES (1, 0), (2, 0)"_s}) {
                        if (auto done = sql::control(db, statement); !done.ok())
                            return done.error();
                    }
                    return Done{};
                })).ok());
        std::latch bothHoldOne(2);
        std::atomic<int> attempts{0};
        auto crossing = [&](int mine, int theirs) {
            return [&, mine, theirs](QSqlDatabase &db) -> Result<Done> {
                const bool first = attempts.fetch_add(1) < 2;
                const QString bump = u"UPDATE counters SET hits = hits + 1 WHERE id = ?"_s;
                if (auto done = sql::exec(db, bump, {mine}); !done.ok())
                    return done.error();
                if (first)
                    bothHoldOne.arrive_and_wait();
                if (auto done = sql::exec(db, bump, {theirs}); !done.ok())
                    return done.error();
                return Done{};
            };
        };
        auto one = node1.submit<Done>(crossing(1, 2));
        auto two = node2.submit<Done>(crossing(2, 1));
        QVERIFY(wait(one).ok());
        QVERIFY(wait(two).ok());
        QCOMPARE(attempts.load(), 3); // the victim ran twice
        const auto hits = wait(m_db->submit<qint64>(
            [](QSqlDatabase &db) { return sql::scalar(db, u"SELECT SUM(hits) FROM counters"_s); }));
        QVERIFY(hits.ok());
        QCOMPARE(hits.value(), 4);
    }
};

QTEST_GUILESS_MAIN(TestDbWorker)
#include "tst_dbworker.moc"
