#pragma once

#include "protocol/Result.h"
#include "storage/DatabaseUrl.h"
#include "storage/SqlDialect.h"

#include <QFuture>
#include <QPromise>
#include <QSqlDatabase>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace pitchey::server {

class Metrics;

// Owns the database connection and the one thread that uses it. Work is queued as jobs;
// the thread takes every job waiting (up to a batch limit), runs them in ONE transaction,
// each inside its own savepoint, commits, and only then completes their futures. So a
// message is durable before anyone is told it was stored, and the disk's sync rate bounds
// transactions per second, not messages per second (group commit).
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
    DbWorker(DatabaseUrl url, int schemaTarget = -1);
    ~DbWorker();
    DbWorker(const DbWorker &) = delete;
    DbWorker &operator=(const DbWorker &) = delete;

    // Opens the database and migrates it (see schemaTarget); blocks until done (start-up only).
    [[nodiscard]] Status start();
    // Runs every job already queued, then stops the thread.
    void stop();

    [[nodiscard]] const SqlDialect &dialect() const { return m_dialect; }
    [[nodiscard]] const DatabaseUrl &url() const { return m_url; }
    // Where each job's latency (queued -> committed) is recorded; set before start().
    void setMetrics(Metrics *metrics) { m_metrics = metrics; }
    [[nodiscard]] Stats stats() const;

    // Runs fn on the database thread. A failed Result rolls back what fn wrote.
    template<typename T> QFuture<Result<T>> submit(std::function<Result<T>(QSqlDatabase &)> fn)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        auto outcome = std::make_shared<std::optional<Result<T>>>();
        promise->start();
        QFuture<Result<T>> future = promise->future();
        enqueue(Job{[fn = std::move(fn), outcome](QSqlDatabase &db) {
                        outcome->emplace(fn(db));
                        return (*outcome)->ok();
                    },
                    [promise, outcome](bool committed) {
                        if (committed && outcome->has_value())
                            promise->addResult(std::move(**outcome));
                        else
                            promise->addResult(Result<T>(
                                Error::internal(QStringLiteral("the database is unavailable"))));
                        promise->finish();
                    }});
        return future;
    }

private:
    struct Job
    {
        std::function<bool(QSqlDatabase &)> run;
        std::function<void(bool committed)> finish;
        std::chrono::steady_clock::time_point queued{};
    };

    void enqueue(Job job);
    void threadMain(std::shared_ptr<QPromise<Status>> started);
    // True when the batch committed.
    bool runBatch(QSqlDatabase &db, std::deque<Job> &batch);
    void finishBatch(std::deque<Job> &batch, bool committed);
    // A lost PostgreSQL connection: jobs are refused while it is down, and it is opened
    // again (at most once a second) until it answers.
    [[nodiscard]] static bool alive(QSqlDatabase &db);
    [[nodiscard]] bool reopen(QSqlDatabase &db);

    DatabaseUrl m_url;
    SqlDialect m_dialect;
    int m_schemaTarget;
    QString m_connectionName;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_queue;
    bool m_stopping = false;
    bool m_running = false;
    Stats m_stats;
    Metrics *m_metrics = nullptr;
};

} // namespace pitchey::server
