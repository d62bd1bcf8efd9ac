#pragma once

#include "protocol/Result.h"
#include "storage/DatabaseUrl.h"
#include "storage/SqlDialect.h"

#include <QFuture>
#include <QObject>
#include <QPointer>
#include <QPromise>
#include <QSqlDatabase>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace pitchey::server {

class LatencyHistogram;

// Owns the database connections and the threads that use them: a pool of lanes, each one
// connection and one thread (SQLite: always one lane, its one writer). Work is queued as
// jobs; a lane takes every job waiting in its queue (up to a batch limit), runs them in ONE
// transaction, each inside its own savepoint, commits, and only then completes their
// futures. So a message is durable before anyone is told it was stored, and the disk's sync
// rate bounds transactions per second, not messages per second (group commit).
//
// Under a steady stream that is too thin to batch by itself (say 1,000 jobs a second, each
// batch committed before the next job arrives), every job would pay a sync of its own. So
// while a lane's jobs arrive closer together than the commit window, it waits with a small
// batch until the window has passed since its oldest job was queued, or kWindowBatch jobs
// are there: up to a window of latency buys a sync shared by several jobs. A job that comes
// after a quiet spell runs at once.
//
// Jobs of one lane run in the order they were submitted. submit() uses lane 0, so every
// job submitted without a key runs in order with the others; submitFor(key) uses the
// lane of `key` (a conversation, a user), which keeps each conversation's writes in one
// order while different conversations commit side by side on PostgreSQL.
//
// A job that fails because another transaction holds its rows (a lock taken with NOWAIT, a
// deadlock PostgreSQL broke, a serialization conflict: another node or lane writing the
// same conversation) is rolled back to its savepoint and runs again in the lane's next
// batch, after this one has committed and released its locks; the later jobs of its key
// in this batch wait with it, so that a key's jobs still run in order.
class DbWorker
{
public:
    struct Stats
    {
        quint64 jobs = 0;
        quint64 transactions = 0;
    };

    // schemaTarget: migrate to that version; -1: to the latest; kOpenOnly: leave the schema.
    static constexpr int kOpenOnly = -2;
    // connections: the size of the pool on PostgreSQL (SQLite uses one).
    explicit DbWorker(DatabaseUrl url, int schemaTarget = -1, int connections = 1);
    ~DbWorker();
    DbWorker(const DbWorker &) = delete;
    DbWorker &operator=(const DbWorker &) = delete;

    // Opens the database and migrates it (see schemaTarget), then opens the rest of the
    // pool; blocks until done (start-up only).
    [[nodiscard]] Status start();
    // Runs every job already queued, then stops the threads.
    void stop();
    [[nodiscard]] int connections() const { return int(m_lanes.size()); }

    [[nodiscard]] const SqlDialect &dialect() const { return m_dialect; }
    [[nodiscard]] const DatabaseUrl &url() const { return m_url; }
    // Where each job's latency (queued -> committed) is recorded; set before start().
    void setLatencyHistogram(LatencyHistogram *latency) { m_latency = latency; }
    // The group-commit window (see above; zero: none, at most kMaxCommitWindow); set
    // before start().
    static constexpr std::chrono::milliseconds kMaxCommitWindow{1000};
    static constexpr std::chrono::microseconds kDefaultCommitWindow{2000};
    static constexpr std::size_t kWindowBatch = 8;
    void setCommitWindow(std::chrono::microseconds window)
    {
        m_commitWindow = std::clamp<std::chrono::microseconds>(window, {}, kMaxCommitWindow);
    }
    [[nodiscard]] Stats stats() const;
    // Jobs submitted and not yet finished, over every lane: how far the database is behind.
    [[nodiscard]] qint64 backlog() const { return m_backlog.load(std::memory_order_relaxed); }

    // Runs fn on lane 0, in order with every other submit(). A failed Result rolls back
    // what fn wrote.
    template<typename T> QFuture<Result<T>> submit(std::function<Result<T>(QSqlDatabase &)> fn)
    {
        return submitFor<T>(0, std::move(fn));
    }

    // Runs fn on the lane of `key`, in order with every job of the same key.
    template<typename T>
    QFuture<Result<T>> submitFor(qint64 key, std::function<Result<T>(QSqlDatabase &)> fn)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        auto outcome = std::make_shared<std::optional<Result<T>>>();
        promise->start();
        QFuture<Result<T>> future = promise->future();
        enqueue(key, settlingJob<T>(std::move(fn), outcome, [promise, outcome] {
                    promise->addResult(std::move(**outcome));
                    promise->finish();
                }));
        return future;
    }

    // Runs fn on the lane of `key` like submitFor(), then done(result) on the thread that
    // made this DbWorker, unless `context` (an object of that thread) is gone by then. No
    // future: the replies of one batch go back in one posted event, in job order, which
    // costs the receiving thread far less than a QFutureWatcher per job (the hot path of
    // every stored message).
    template<typename T>
    void submitThen(qint64 key, std::function<Result<T>(QSqlDatabase &)> fn, QObject *context,
                    std::function<void(const Result<T> &)> done)
    {
        Q_ASSERT(context && context->thread() == m_replies->thread());
        auto outcome = std::make_shared<std::optional<Result<T>>>();
        Job job = settlingJob<T>(std::move(fn), outcome, {});
        job.reply = {QPointer<QObject>(context),
                     [outcome, done = std::move(done)] { done(**outcome); }};
        enqueue(key, std::move(job));
    }

private:
    struct Reply
    {
        QPointer<QObject> context;
        std::function<void()> run; // on the receiving thread
    };
    struct Job
    {
        std::function<bool(QSqlDatabase &)> run;
        std::function<void(bool committed)> finish;
        Reply reply{}; // submitThen() only
        std::chrono::steady_clock::time_point queued{};
        qint64 key = 0;
        int attempts = 0;
    };
    struct Lane
    {
        int index = 0;
        QString connectionName;
        std::thread thread;
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<Job> queue;
        bool stopping = false;
        bool collecting = false; // waiting for the commit window: enqueue() wakes it only when full
        std::chrono::steady_clock::time_point lastQueued{};
        std::chrono::nanoseconds gap{}; // between queued jobs, a moving average
    };

    // A job that keeps fn's result in `outcome`. When its batch is over, `outcome` holds
    // that result if the batch committed, "the database is unavailable" if not, and then
    // `settled` runs (on the lane's thread).
    template<typename T>
    static Job settlingJob(std::function<Result<T>(QSqlDatabase &)> fn,
                           std::shared_ptr<std::optional<Result<T>>> outcome,
                           std::function<void()> settled)
    {
        return Job{[fn = std::move(fn), outcome](QSqlDatabase &db) {
                       outcome->emplace(fn(db));
                       return (*outcome)->ok();
                   },
                   [outcome, settled = std::move(settled)](bool committed) {
                       if (!committed || !outcome->has_value())
                           outcome->emplace(
                               Error::internal(QStringLiteral("the database is unavailable")));
                       if (settled)
                           settled();
                   }};
    }
    void enqueue(qint64 key, Job job);
    [[nodiscard]] Status startLane(Lane &lane, int schemaTarget);
    void laneMain(Lane &lane, int schemaTarget, const std::shared_ptr<QPromise<Status>> &started);
    [[nodiscard]] Status open(QSqlDatabase &db, int schemaTarget) const;
    void serve(Lane &lane, QSqlDatabase &db);
    // Runs a batch; returns true when it committed. Jobs to run again (a deadlock broken
    // by PostgreSQL) are moved to `retry`; the others stay for finishBatch().
    bool runBatch(QSqlDatabase &db, std::deque<Job> &batch, std::deque<Job> &retry);
    void finishBatch(std::deque<Job> &batch, bool committed);
    // Runs on the receiving thread, in one posted event, the replies of finished jobs.
    void postReplies(std::vector<Reply> replies);
    // A lost PostgreSQL connection: jobs are refused while it is down, and it is opened
    // again (at most once a second) until it answers.
    [[nodiscard]] static bool alive(QSqlDatabase &db);
    [[nodiscard]] bool reopen(QSqlDatabase &db) const;

    DatabaseUrl m_url;
    SqlDialect m_dialect;
    int m_schemaTarget;
    std::vector<std::unique_ptr<Lane>> m_lanes;
    std::atomic<quint64> m_jobs{0};
    std::atomic<quint64> m_transactions{0};
    std::atomic<qint64> m_backlog{0};
    LatencyHistogram *m_latency = nullptr;
    std::chrono::microseconds m_commitWindow = kDefaultCommitWindow;
    std::size_t m_maxBatch;             // jobs in one transaction
    std::unique_ptr<QObject> m_replies; // on the thread that made this: submitThen() replies
};

} // namespace pitchey::server
