#include "storage/DbWorker.h"

#include "base/Metrics.h"
#include "storage/Migrations.h"
#include "storage/Sql.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>

#ifdef Q_OS_LINUX
#include <pthread.h>
#endif

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcStorage, "pitchey.server.storage", QtInfoMsg)

namespace pitchey::server {

namespace {
// Jobs in one transaction. SQLite, one writer syncing once per batch, gains from large
// ones: a sustained stream of writes makes each batch touch more pages as the indexes grow,
// and a bigger batch writes each of them to the WAL once for more messages (30 s at 22,000
// writes/s offered on 2 cores: 18,200/s stored with 512, 21,700/s with 8,192). On
// PostgreSQL every job is a subtransaction and many per transaction slow other sessions'
// snapshots, so batches stay small there.
constexpr std::size_t kMaxSqliteBatch = 8192;
constexpr std::size_t kMaxPostgresBatch = 512;
// A job that met another transaction's lock (or was a deadlock's victim) runs again in the
// next batch, until it has waited this long since it was queued.
constexpr std::chrono::seconds kRetryFor{10};
std::atomic<int> g_connectionCounter{0};
} // namespace

DbWorker::DbWorker(DatabaseUrl url, int schemaTarget, int connections)
    : m_url(std::move(url))
    , m_dialect(m_url.kind)
    , m_schemaTarget(schemaTarget)
    , m_maxBatch(m_url.kind == DatabaseUrl::Kind::SQLite ? kMaxSqliteBatch : kMaxPostgresBatch)
    , m_replies(std::make_unique<QObject>())
{
    // SQLite has one writer at a time: a second connection would only wait for its lock.
    const int lanes = m_url.kind == DatabaseUrl::Kind::SQLite ? 1 : std::max(1, connections);
    for (int i = 0; i < lanes; ++i) {
        auto lane = std::make_unique<Lane>();
        lane->index = i;
        lane->connectionName = u"pitchey-db-%1"_s.arg(g_connectionCounter.fetch_add(1));
        m_lanes.push_back(std::move(lane));
    }
}

DbWorker::~DbWorker()
{
    stop();
}

Status DbWorker::start()
{
    // The first lane migrates; the others open the schema it left.
    for (auto &lane : m_lanes) {
        const int target = lane->index == 0 ? m_schemaTarget : kOpenOnly;
        if (auto started = startLane(*lane, target); !started.ok()) {
            stop();
            return started;
        }
    }
    qCInfo(lcStorage).noquote() << "database ready:" << m_url.describe() << "with" << m_lanes.size()
                                << "connection(s)";
    return Done{};
}

Status DbWorker::startLane(Lane &lane, int schemaTarget)
{
    auto started = std::make_shared<QPromise<Status>>();
    started->start();
    QFuture<Status> result = started->future();
    lane.thread = std::thread(
        [this, &lane, schemaTarget, started] { laneMain(lane, schemaTarget, started); });
    result.waitForFinished();
    Status status = result.result();
    if (!status.ok())
        lane.thread.join();
    return status;
}

void DbWorker::stop()
{
    for (auto &lane : m_lanes) {
        {
            std::lock_guard lock(lane->mutex);
            lane->stopping = true;
        }
        lane->wake.notify_all();
    }
    for (auto &lane : m_lanes) {
        if (lane->thread.joinable())
            lane->thread.join();
    }
}

DbWorker::Stats DbWorker::stats() const
{
    return {m_jobs.load(), m_transactions.load()};
}

void DbWorker::enqueue(qint64 key, Job job)
{
    job.key = key;
    job.queued = std::chrono::steady_clock::now();
    Lane &lane = *m_lanes[quint64(key) % m_lanes.size()];
    {
        std::lock_guard lock(lane.mutex);
        if (!lane.stopping) {
            // A gap counts for at most eight windows: then a job after a quiet spell moves the
            // average up to the window at least (it runs at once), whatever came before.
            const std::chrono::nanoseconds gap = std::min<std::chrono::nanoseconds>(
                job.queued - lane.lastQueued, m_commitWindow * 8);
            lane.gap += (gap - lane.gap) / 8;
            lane.lastQueued = job.queued;
            lane.queue.push_back(std::move(job));
            m_backlog.fetch_add(1, std::memory_order_relaxed);
            if (!lane.collecting || lane.queue.size() >= kWindowBatch)
                lane.wake.notify_one();
            return;
        }
    }
    job.finish(false); // refused after shutdown began
    if (job.reply.run)
        postReplies({std::move(job.reply)});
}

void DbWorker::laneMain(Lane &lane, int schemaTarget,
                        const std::shared_ptr<QPromise<Status>> &started)
{
#ifdef Q_OS_LINUX
    // "pitchey-db-0" in top -H, perf and pitchey-bench's per-thread figures (at most 15
    // bytes), beside the I/O threads' "pitchey-io-N".
    const QByteArray name = "pitchey-db-" + QByteArray::number(lane.index);
    pthread_setname_np(pthread_self(), name.left(15).constData());
#endif
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(m_dialect.driverName(), lane.connectionName);
        const Status ready = open(db, schemaTarget);
        started->addResult(ready);
        started->finish();
        if (ready.ok())
            serve(lane, db);
        sql::dropCache(db);
        db.close();
    }
    QSqlDatabase::removeDatabase(lane.connectionName);
}

Status DbWorker::open(QSqlDatabase &db, int schemaTarget) const
{
    if (m_url.kind == DatabaseUrl::Kind::SQLite) {
        const QFileInfo file(m_url.sqlitePath);
        if (!QDir().mkpath(file.absolutePath()))
            return Error::internal(u"cannot create the directory %1"_s.arg(file.absolutePath()));
        db.setDatabaseName(m_url.sqlitePath);
    } else {
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.databaseName);
        db.setConnectOptions(u"application_name=pitchey-server"_s); // pg_stat_activity
    }
    if (!db.open())
        return Error::internal(
            u"cannot open the database %1: %2"_s.arg(m_url.describe(), db.lastError().text()));
    for (const QString &statement : m_dialect.sessionSetup()) {
        QSqlQuery query(db);
        if (!query.exec(statement))
            return Error::internal(
                u"cannot prepare the database: %1"_s.arg(query.lastError().text()));
    }
    if (schemaTarget != kOpenOnly)
        return Migrations::migrate(db, m_dialect, schemaTarget);
    return Done{};
}

void DbWorker::serve(Lane &lane, QSqlDatabase &db)
{
    std::deque<Job> batch;
    std::deque<Job> retry;
    bool healthy = true;
    auto nextAttempt = std::chrono::steady_clock::now();
    while (true) {
        {
            std::unique_lock lock(lane.mutex);
            // Jobs to run again go first, before what was queued after them.
            while (!retry.empty()) {
                lane.queue.push_front(std::move(retry.back()));
                retry.pop_back();
            }
            lane.wake.wait(lock, [&lane] { return !lane.queue.empty() || lane.stopping; });
            if (lane.queue.empty() && lane.stopping)
                break;
            if (lane.gap < m_commitWindow && lane.queue.size() < kWindowBatch && !lane.stopping) {
                lane.collecting = true;
                lane.wake.wait_until(lock, lane.queue.front().queued + m_commitWindow, [&lane] {
                    return lane.queue.size() >= kWindowBatch || lane.stopping;
                });
                lane.collecting = false;
            }
            while (!lane.queue.empty() && batch.size() < m_maxBatch) {
                batch.push_back(std::move(lane.queue.front()));
                lane.queue.pop_front();
            }
        }
        const auto now = std::chrono::steady_clock::now();
        if (!healthy && now >= nextAttempt) {
            healthy = reopen(db);
            nextAttempt = now + std::chrono::seconds(1);
            if (healthy)
                qCInfo(lcStorage) << "the database is back:" << m_url.describe();
        }
        bool committed = false; // unhealthy: refused at once, "the database is unavailable"
        if (healthy) {
            committed = runBatch(db, batch, retry);
            if (!committed && m_url.kind == DatabaseUrl::Kind::PostgreSQL && !alive(db)) {
                // The connection died since the last batch (a lane idle while PostgreSQL
                // restarted): nothing was committed, so the batch runs again on a new one.
                if (reopen(db)) {
                    qCInfo(lcStorage) << "reconnected to the database";
                    committed = runBatch(db, batch, retry);
                } else {
                    qCWarning(lcStorage) << "lost the database; reconnecting every second";
                    healthy = false;
                    nextAttempt = now + std::chrono::seconds(1);
                }
            }
        }
        finishBatch(batch, committed);
        batch.clear();
        if (!retry.empty()) {
            // Give the transaction that holds the rows time to commit: 2 ms more for each
            // attempt, at most 20 ms (the lane's other jobs wait too).
            int attempts = 0;
            for (const Job &job : retry)
                attempts = std::max(attempts, job.attempts);
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(20, 2 * attempts)));
        }
    }
}

bool DbWorker::alive(QSqlDatabase &db)
{
    QSqlQuery probe(db);
    return probe.exec(u"SELECT 1"_s);
}

bool DbWorker::reopen(QSqlDatabase &db) const
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

bool DbWorker::runBatch(QSqlDatabase &db, std::deque<Job> &batch, std::deque<Job> &retry)
{
    bool committed = db.transaction();
    if (!committed)
        qCWarning(lcStorage) << "cannot begin a transaction:" << db.lastError().text();
    std::deque<Job> again;
    QSet<qint64> deferredKeys; // a key's jobs stay in order: after one is put off, all are
    if (committed) {
        for (auto it = batch.begin(); it != batch.end();) {
            if (deferredKeys.contains(it->key)) {
                again.push_back(std::move(*it));
                it = batch.erase(it);
                continue;
            }
            if (!sql::control(db, u"SAVEPOINT job"_s).ok()) {
                committed = false; // no isolation between jobs: run none of them
                break;
            }
            (void)sql::takeTransientFailure();
            const bool succeeded = it->run(db);
            const bool transient = !succeeded && sql::takeTransientFailure();
            sql::finishAll(db);
            if (!succeeded)
                (void)sql::control(db, u"ROLLBACK TO SAVEPOINT job"_s);
            (void)sql::control(db, u"RELEASE SAVEPOINT job"_s);
            sql::finishAll(db);
            ++it->attempts;
            if (transient && std::chrono::steady_clock::now() - it->queued < kRetryFor) {
                deferredKeys.insert(it->key);
                again.push_back(std::move(*it));
                it = batch.erase(it);
            } else {
                if (transient)
                    qCWarning(lcStorage) << "a job gave up after" << it->attempts
                                         << "attempts: other transactions kept its rows";
                ++it;
            }
        }
        committed = committed && db.commit();
        if (!committed) {
            qCWarning(lcStorage) << "commit failed:" << db.lastError().text();
            db.rollback();
        }
    }
    if (committed) {
        for (Job &job : again)
            retry.push_back(std::move(job));
    } else {
        for (Job &job : again)
            batch.push_back(std::move(job));
    }
    return committed;
}

void DbWorker::finishBatch(std::deque<Job> &batch, bool committed)
{
    m_jobs.fetch_add(batch.size(), std::memory_order_relaxed);
    m_transactions.fetch_add(1, std::memory_order_relaxed);
    const auto now = std::chrono::steady_clock::now();
    std::vector<Reply> replies;
    for (Job &job : batch) {
        if (m_latency)
            m_latency->observe(now - job.queued);
        job.finish(committed);
        if (job.reply.run)
            replies.push_back(std::move(job.reply));
    }
    m_backlog.fetch_sub(qint64(batch.size()), std::memory_order_relaxed);
    if (!replies.empty())
        postReplies(std::move(replies));
}

void DbWorker::postReplies(std::vector<Reply> replies)
{
    // Queued even from the receiving thread itself (a job refused at shutdown): a reply
    // never runs inside its submitThen(). Dropped with m_replies if the worker goes first.
    QMetaObject::invokeMethod(
        m_replies.get(),
        [replies = std::move(replies)] {
            for (const Reply &reply : replies) {
                if (reply.context)
                    reply.run();
            }
        },
        Qt::QueuedConnection);
}

} // namespace pitchey::server
