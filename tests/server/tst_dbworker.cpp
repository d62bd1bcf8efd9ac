// DbWorker: group commit, and isolation of each job inside its batch.
#include "storage/DbWorker.h"
#include "storage/Sql.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::server;

class TestDbWorker : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<DbWorker> m_db;

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
        m_db = std::make_unique<DbWorker>(
            DatabaseUrl::parse(u"sqlite://"_s + m_dir.filePath(u"w.db"_s), {}).value());
        QVERIFY(m_db->start().ok());
    }

    void cleanup() { m_db.reset(); }

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

    void resultsArriveAfterTheCommit()
    {
        // A result is only handed out once its batch is durable: a second connection sees it.
        auto future =
            m_db->submit<qint64>([this](QSqlDatabase &db) { return insertUser(db, u"durable"_s); });
        future.waitForFinished();
        QVERIFY(future.result().ok());
        {
            QSqlDatabase other = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"reader"_s);
            other.setDatabaseName(m_dir.filePath(u"w.db"_s));
            QVERIFY(other.open());
            QSqlQuery query(other);
            QVERIFY(query.exec(u"SELECT COUNT(*) FROM users WHERE username = 'durable'"_s));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toInt(), 1);
        }
        QSqlDatabase::removeDatabase(u"reader"_s);
    }
};

QTEST_GUILESS_MAIN(TestDbWorker)
#include "tst_dbworker.moc"
