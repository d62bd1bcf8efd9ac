#include "storage/DbWorker.h"

#include "ops/Metrics.h"
#include "storage/Migrations.h"
#include "storage/Sql.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStorage, "pitchey.server.storage", QtInfoMsg)

namespace pitchey::server {

namespace {
constexpr std::size_t kMaxBatch = 512;
std::atomic<int> g_connectionCounter{0};
} // namespace

DbWorker::DbWorker(DatabaseUrl url, int schemaTarget)
    : m_url(std::move(url))
    , m_dialect(m_url.kind)
    , m_schemaTarget(schemaTarget)
    , m_connectionName(u"pitchey-db-%1"_s.arg(g_connectionCounter.fetch_add(1)))
{}

DbWorker::~DbWorker()
{
    stop();
}

Status DbWorker::start()
{
    auto started = std::make_shared<QPromise<Status>>();
    started->start();
    QFuture<Status> result = started->future();
    m_running = true;
    m_thread = std::thread([this, started] { threadMain(started); });
    result.waitForFinished();
    Status status = result.result();
    if (!status.ok()) {
        m_thread.join();
        m_running = false;
    }
    return status;
}

void DbWorker::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_running)
            return;
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
    m_running = false;
}

DbWorker::Stats DbWorker::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void DbWorker::enqueue(Job job)
{
    job.queued = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopping) {
            m_queue.push_back(std::move(job));
            m_wake.notify_one();
            return;
        }
    }
    job.finish(false); // refused after shutdown began
}

void DbWorker::threadMain(std::shared_ptr<QPromise<Status>> started)
{
    auto fail = [&](const QString &message) {
        started->addResult(Status(Error::internal(message)));
        started->finish();
    };
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(m_dialect.driverName(), m_connectionName);
        if (m_url.kind == DatabaseUrl::Kind::SQLite) {
            const QFileInfo file(m_url.sqlitePath);
            if (!QDir().mkpath(file.absolutePath())) {
                fail(u"cannot create the directory %1"_s.arg(file.absolutePath()));
                db = {};
                QSqlDatabase::removeDatabase(m_connectionName);
                return;
            }
            db.setDatabaseName(m_url.sqlitePath);
        } else {
            db.setHostName(m_url.host);
            db.setPort(m_url.port);
            db.setUserName(m_url.user);
            db.setPassword(m_url.password);
            db.setDatabaseName(m_url.databaseName);
        }
        Status ready = Status(Done{});
        if (!db.open()) {
            ready = Error::internal(
                u"cannot open the database %1: %2"_s.arg(m_url.describe(), db.lastError().text()));
        } else {
            for (const QString &statement : m_dialect.sessionSetup()) {
                QSqlQuery query(db);
                if (!query.exec(statement)) {
                    ready = Error::internal(
                        u"cannot prepare the database: %1"_s.arg(query.lastError().text()));
                    break;
                }
            }
            if (ready.ok() && m_schemaTarget != kOpenOnly)
                ready = Migrations::migrate(db, m_dialect, m_schemaTarget);
        }
        started->addResult(ready);
        started->finish();
        if (!ready.ok()) {
            sql::dropCache(db);
            db.close();
            db = {};
            QSqlDatabase::removeDatabase(m_connectionName);
            return;
        }
        qCInfo(lcStorage) << "database ready:" << m_url.describe();

        std::deque<Job> batch;
        bool healthy = true;
        auto nextAttempt = std::chrono::steady_clock::now();
        while (true) {
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return !m_queue.empty() || m_stopping; });
                if (m_queue.empty() && m_stopping)
                    break;
                while (!m_queue.empty() && batch.size() < kMaxBatch) {
                    batch.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                }
            }
            const auto now = std::chrono::steady_clock::now();
            if (!healthy && now >= nextAttempt) {
                healthy = reopen(db);
                nextAttempt = now + std::chrono::seconds(1);
                if (healthy)
                    qCInfo(lcStorage) << "the database is back:" << m_url.describe();
            }
            if (!healthy) {
                // Refused at once, each job with "the database is unavailable".
                finishBatch(batch, false);
            } else if (!runBatch(db, batch) && m_url.kind == DatabaseUrl::Kind::PostgreSQL &&
                       !alive(db)) {
                qCWarning(lcStorage) << "lost the database; reconnecting every second";
                healthy = false;
                nextAttempt = now;
            }
            batch.clear();
        }
        sql::dropCache(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool DbWorker::alive(QSqlDatabase &db)
{
    QSqlQuery probe(db);
    return probe.exec(u"SELECT 1"_s);
}

bool DbWorker::reopen(QSqlDatabase &db)
{
    sql::dropCache(db);
    db.close();
    if (!db.open())
        return false;
    for (const QString &statement : m_dialect.sessionSetup()) {
        QSqlQuery query(db);
        if (!query.exec(statement))
            return false;
    }
    return true;
}

bool DbWorker::runBatch(QSqlDatabase &db, std::deque<Job> &batch)
{
    bool committed = db.transaction();
    if (!committed)
        qCWarning(lcStorage) << "cannot begin a transaction:" << db.lastError().text();
    if (committed) {
        for (Job &job : batch) {
            if (!sql::control(db, u"SAVEPOINT job"_s).ok()) {
                committed = false; // no isolation between jobs: run none of them
                break;
            }
            const bool succeeded = job.run(db);
            sql::finishAll(db);
            if (!succeeded)
                (void)sql::control(db, u"ROLLBACK TO SAVEPOINT job"_s);
            (void)sql::control(db, u"RELEASE SAVEPOINT job"_s);
            sql::finishAll(db);
        }
        committed = committed && db.commit();
        if (!committed) {
            qCWarning(lcStorage) << "commit failed:" << db.lastError().text();
            db.rollback();
        }
    }
    finishBatch(batch, committed);
    return committed;
}

void DbWorker::finishBatch(std::deque<Job> &batch, bool committed)
{
    {
        std::lock_guard lock(m_mutex);
        m_stats.jobs += batch.size();
        m_stats.transactions += 1;
    }
    const auto now = std::chrono::steady_clock::now();
    for (Job &job : batch) {
        if (m_metrics)
            m_metrics->dbLatency.observe(now - job.queued);
        job.finish(committed);
    }
}

} // namespace pitchey::server
