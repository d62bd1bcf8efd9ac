#pragma once

#include "BenchReport.h"
#include "LoadWorker.h"
#include "ProcessStats.h"

#include <QElapsedTimer>
#include <QList>
#include <QThread>

#include <atomic>

namespace pitchey::bench {

// The worker threads of the message scenarios and the clients they own.
class Load
{
public:
    // `threads` worker threads, each with its share of the clients.
    Load(const LoadWorker::Settings &settings, int threads);
    ~Load();
    Load(const Load &) = delete;
    Load &operator=(const Load &) = delete;

    // Connects every client; returns the seconds it took, or -1 on timeout.
    double connect(const QList<ClientSpec> &clients);

    void send(double perSecond, double seconds)
    {
        startSending(perSecond, seconds);
        waitForSending(seconds);
    }
    void waitForSending(double seconds);
    void startSending(double perSecond, double seconds);

    // Waits until each of `sent` messages the server did not refuse (rate_limited) has
    // reached its `recipientsPerSend` recipients and its sender has its message_sent (which
    // may come after a delivery: another connection), or nothing arrived for five seconds;
    // returns the seconds from `start` to the last delivery seen, the time the load took.
    double drain(quint64 sent, quint64 recipientsPerSend, const QElapsedTimer &start);

    WorkerResults results();

    // A counter of every worker, added up.
    template<typename T> T sum(std::atomic<T> LoadWorker::*counter) const
    {
        T n = 0;
        for (LoadWorker *worker : m_workers)
            n += (worker->*counter).load(std::memory_order_relaxed);
        return n;
    }
    int openCount() const { return sum(&LoadWorker::open); }
    // Connections that closed, whether or not they had opened.
    int closedCount() const { return sum(&LoadWorker::refused) + sum(&LoadWorker::dropped); }
    quint64 receivedCount() const { return sum(&LoadWorker::received); }
    quint64 busyCount() const { return sum(&LoadWorker::refusedBusy); }
    quint64 ackedCount() const { return sum(&LoadWorker::acknowledged); }

private:
    bool m_acknowledged = true; // senders get message_sent
    QList<QThread *> m_threads;
    QList<LoadWorker *> m_workers;
};

// The figures of a message load into `report`: what was sent, delivered, lost, the
// latencies, and the server's CPU (before/after samples) per 1000 delivered and per
// operation of --mix.
void addMessageFigures(Report &report, WorkerResults &results, quint64 expected, double seconds,
                       const ProcessSample &before, const ProcessSample &after, double benchCpu);

} // namespace pitchey::bench
