// The change feed's positions (contract v2, "Change feed"): a reader is never handed a
// position while a smaller one can still commit. On PostgreSQL (under
// tests/support/with-postgres.sh) transactions of other connections commit side by side,
// so that is checked with them held open at each step; on SQLite, one writer, the
// positions of a job that was rolled back.
#include "ScratchPostgres.h"
#include "storage/ChangeFeed.h"
#include "storage/DbWorker.h"
#include "storage/Migrations.h"
#include "storage/Sql.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <latch>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::server;

class TestChangeFeed : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<testing::ScratchDatabase> m_database;
    std::unique_ptr<DbWorker> m_db;

    [[nodiscard]] DatabaseUrl url() const { return m_database->url(); }

    template<typename T> static T valueOf(QFuture<Result<T>> future)
    {
        future.waitForFinished();
        const Result<T> &result = future.result();
        if (!result.ok())
            qWarning() << "job failed:" << result.error().message;
        return result.ok() ? result.value() : T{};
    }

    static bool succeeded(QFuture<Result<Done>> future)
    {
        future.waitForFinished();
        return future.result().ok();
    }

    qint64 latest() { return valueOf(m_db->submit<qint64>(&ChangeFeed::latest)); }

    // Another node's connection, which takes a position (after proceed(), if it was to
    // stop before) and keeps its transaction open until commit(). A test that fails early
    // lets it finish when it goes.
    struct Writer
    {
        DbWorker node;
        std::latch taken{1};
        qint64 position = 0;
        QFuture<Result<Done>> done;

        Writer(const DatabaseUrl &url, bool stopBeforePosition = false)
            : node(url, DbWorker::kOpenOnly, 1)
        {
            if (!node.start().ok())
                return;
            if (!stopBeforePosition)
                proceed();
            done = node.submit<Done>([this, stopBeforePosition](QSqlDatabase &db) -> Result<Done> {
                if (stopBeforePosition) {
                    // A writer caught between its own lock and its position's.
                    auto mine = sql::exec(db,
                                          u"SELECT 1 FROM pg_advisory_xact_lock(?, "
                                          "pg_backend_pid())"_s,
                                          {ChangeFeed::kWriterLockClass});
                    if (!mine.ok())
                        return mine.error();
                    taken.count_down();
                }
                m_proceed.wait();
                auto next = ChangeFeed::next(db);
                if (!next.ok())
                    return next.error();
                position = next.value();
                if (!stopBeforePosition)
                    taken.count_down();
                m_commit.wait();
                return Done{};
            });
        }
        ~Writer()
        {
            proceed();
            commit();
            done.waitForFinished(); // before the latches go
        }
        Writer(const Writer &) = delete;
        Writer &operator=(const Writer &) = delete;

        void proceed() { open(m_proceed, m_proceeded); }
        void commit() { open(m_commit, m_committed); }

    private:
        std::latch m_proceed{1};
        std::latch m_commit{1};
        bool m_proceeded = false;
        bool m_committed = false;

        static void open(std::latch &latch, bool &opened)
        {
            if (!std::exchange(opened, true))
                latch.count_down();
        }
    };

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u"failed|cannot"_s));
        m_database = std::make_unique<testing::ScratchDatabase>();
        m_db = std::make_unique<DbWorker>(url(), -1, 1);
        QVERIFY(m_db->start().ok());
    }

    void cleanup()
    {
        m_db.reset();
        m_database.reset();
    }

    void theNewestCommittedPositionIsTheLatest()
    {
        QCOMPARE(latest(), 0);
        const qint64 second = valueOf(m_db->submit<qint64>([](QSqlDatabase &db) {
            (void)ChangeFeed::next(db);
            return ChangeFeed::next(db);
        }));
        QVERIFY(second >= 2);
        QCOMPARE(latest(), second);
    }

    void aRolledBackPositionDoesNotHoldTheFeedBack()
    {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"job failed"_s));
        const auto refused = valueOf(m_db->submit<qint64>([](QSqlDatabase &db) -> Result<qint64> {
            (void)ChangeFeed::next(db);
            return Error::badRequest(u"no"_s);
        }));
        QCOMPARE(refused, 0);
        const qint64 taken = valueOf(m_db->submit<qint64>(&ChangeFeed::next));
        QVERIFY(taken >= 1);
        QCOMPARE(latest(), taken);
    }

    void aPositionStillOpenHoldsReadersBelowIt()
    {
        if (!m_database->onPostgres())
            QSKIP("SQLite has one writer: a second one waits for the first to commit");
        const qint64 before = valueOf(m_db->submit<qint64>(&ChangeFeed::next));
        Writer slow(url());
        slow.taken.wait();
        Writer fast(url());
        fast.taken.wait();
        fast.commit();
        QVERIFY(succeeded(fast.done));
        QVERIFY(fast.position > slow.position);
        // The later position committed; the earlier one may still: neither is handed out.
        QCOMPARE(latest(), slow.position - 1);
        QCOMPARE(slow.position - 1, before);
        slow.commit();
        QVERIFY(succeeded(slow.done));
        QCOMPARE(latest(), fast.position);
    }

    void aReaderWaitsForAWriterTakingAPosition()
    {
        if (!m_database->onPostgres())
            QSKIP("SQLite has one writer");
        Writer taking(url(), true);
        taking.taken.wait(); // it holds its own lock, not yet a position
        auto read = m_db->submit<qint64>(&ChangeFeed::latest);
        DbWorker watcher(url(), DbWorker::kOpenOnly, 1);
        QVERIFY(watcher.start().ok());
        const auto waitingForALock = [&] {
            return valueOf(watcher.submit<qint64>([](QSqlDatabase &db) {
                       return sql::scalar(db, u"SELECT COUNT(*) FROM pg_stat_activity WHERE "
                                              "datname = current_database() AND "
                                              "wait_event_type = 'Lock'"_s);
                   })) == 1;
        };
        QTRY_VERIFY(waitingForALock());
        QVERIFY(!read.isFinished());
        taking.proceed();
        taking.commit();
        const qint64 seen = valueOf(read);
        QVERIFY(succeeded(taking.done));
        // It may still have seen the position's lock, released a moment after the commit
        // (lagging is safe; handing out a position that can still commit is not).
        QVERIFY(seen <= taking.position);
        QCOMPARE(latest(), taking.position);
    }

    void theMigrationKeepsCountingWhereTheRowStopped()
    {
        if (!m_database->onPostgres())
            QSKIP("SQLite keeps the row");
        m_db.reset();
        testing::ScratchPostgres older;
        {
            DbWorker v13(older.url(), 13, 1);
            QVERIFY(v13.start().ok());
            QVERIFY(succeeded(v13.submit<Done>([](QSqlDatabase &db) -> Result<Done> {
                auto set = sql::exec(db, u"UPDATE change_feed SET latest = 41"_s);
                if (!set.ok())
                    return set.error();
                return Done{};
            })));
        }
        m_db = std::make_unique<DbWorker>(older.url(), -1, 1);
        QVERIFY(m_db->start().ok());
        QCOMPARE(latest(), 41);
        QCOMPARE(valueOf(m_db->submit<qint64>(&ChangeFeed::next)), 42);
        QCOMPARE(latest(), 42);
        m_db.reset();
    }
};

QTEST_GUILESS_MAIN(TestChangeFeed)
#include "tst_change_feed.moc"
