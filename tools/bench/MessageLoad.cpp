#include "MessageLoad.h"

#include "base/EpollEventDispatcher.h"

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace pitchey::bench {

Load::Load(const LoadWorker::Settings &settings, int threads)
    : m_acknowledged(!settings.xmpp && !settings.echo) // the wire contract's message_sent
{
    for (int i = 0; i < threads; ++i) {
        auto *thread = new QThread;
        // Thousands of sockets per thread: the generator needs epoll as much as the server.
        thread->setEventDispatcher(new pitchey::server::EpollEventDispatcher);
        auto *worker = new LoadWorker(i, settings);
        worker->moveToThread(thread);
        QObject::connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }
}

Load::~Load()
{
    for (LoadWorker *worker : m_workers)
        QMetaObject::invokeMethod(
            worker, [worker] { worker->closeAll(); }, Qt::BlockingQueuedConnection);
    for (QThread *thread : m_threads) {
        thread->quit();
        thread->wait();
        delete thread;
    }
}

double Load::connect(const QList<ClientSpec> &clients)
{
    QList<QList<ClientSpec>> shares(m_workers.size());
    for (const ClientSpec &spec : clients)
        shares[spec.index % m_workers.size()].append(spec);
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < m_workers.size(); ++i) {
        LoadWorker *worker = m_workers.at(i);
        QMetaObject::invokeMethod(worker,
                                  [worker, share = shares.at(i)] { worker->connectAll(share); });
    }
    const bool all =
        waitUntil([&] { return openCount() + closedCount() >= clients.size(); }, 120000);
    if (!all || closedCount() > 0)
        std::fprintf(stderr,
                     "pitchey-bench: %d of %lld connections open, %d refused, %d closed "
                     "after opening\n",
                     openCount(), qlonglong(clients.size()), sum(&LoadWorker::refused),
                     sum(&LoadWorker::dropped));
    return all ? double(clock.elapsed()) / 1000.0 : -1;
}

void Load::waitForSending(double seconds)
{
    waitUntil(
        [&] {
            return std::none_of(m_workers.begin(), m_workers.end(),
                                [](LoadWorker *w) { return w->sending.load(); });
        },
        int(seconds * 1000) + 60000);
}

void Load::startSending(double perSecond, double seconds)
{
    for (LoadWorker *worker : m_workers) {
        worker->sending = true;
        const double share = perSecond / double(m_workers.size());
        QMetaObject::invokeMethod(worker, [worker, share, seconds] {
            worker->startSending(share, qint64(seconds * 1000));
        });
    }
}

double Load::drain(quint64 sent, quint64 recipientsPerSend, const QElapsedTimer &start)
{
    quint64 last = receivedCount();
    qint64 lastAt = start.elapsed();
    waitUntil(
        [&] {
            const quint64 now = receivedCount();
            if (now != last) {
                last = now;
                lastAt = start.elapsed();
            }
            const quint64 stored = sent - std::min(sent, busyCount());
            return (now >= stored * recipientsPerSend &&
                    (!m_acknowledged || ackedCount() >= stored)) ||
                   start.elapsed() - lastAt > 5000;
        },
        600000);
    return double(lastAt) / 1000.0;
}

WorkerResults Load::results()
{
    WorkerResults total;
    for (LoadWorker *worker : m_workers) {
        WorkerResults part;
        QMetaObject::invokeMethod(
            worker, [&] { part = worker->takeResults(); }, Qt::BlockingQueuedConnection);
        total += part;
    }
    return total;
}

void addMessageFigures(Report &report, WorkerResults &results, quint64 expected, double seconds,
                       const ProcessSample &before, const ProcessSample &after, double benchCpu)
{
    std::sort(results.latenciesNs.begin(), results.latenciesNs.end());
    const double serverCpu = after.cpuSeconds - before.cpuSeconds;
    report.add(u"sent"_s, qint64(results.sent), u"messages"_s);
    report.add(u"acknowledged (message_sent)"_s, qint64(results.acked), u"messages"_s);
    report.add(u"delivered"_s, qint64(results.received), u"frames"_s);
    // Over the time from the first send to the last delivery, so an overloaded server
    // cannot look faster than it is.
    report.add(u"load took"_s, seconds, u"s"_s);
    report.add(u"sent per second"_s, double(results.sent) / seconds, u"/s"_s);
    report.add(u"delivered per second"_s, double(results.received) / seconds, u"/s"_s);
    const quint64 unique = results.received - results.duplicates;
    // Not delivered by the time the generator stopped waiting (5 s without a delivery). The
    // server still holds these for the recipients' next connection: see docs/benchmarks.md.
    report.add(u"lost (not delivered in the run)"_s,
               qint64(expected > unique ? expected - unique : 0), u"messages"_s);
    report.add(u"duplicated"_s, qint64(results.duplicates), u"messages"_s);
    report.add(u"out of order"_s, qint64(results.outOfOrder), u"messages"_s);
    // Refused with rate_limited (the server's database too far behind, or a per-user rate
    // limit): never stored, so neither expected nor lost (a client sends them again later).
    report.add(u"refused (rate_limited)"_s, qint64(results.busy), u"messages"_s);
    report.add(u"error frames"_s, qint64(results.errors), u"frames"_s);
    report.add(u"latency p50"_s, percentile(results.latenciesNs, 0.50), u"ms"_s);
    report.add(u"latency p95"_s, percentile(results.latenciesNs, 0.95), u"ms"_s);
    report.add(u"latency p99"_s, percentile(results.latenciesNs, 0.99), u"ms"_s);
    report.add(u"latency max"_s,
               results.latenciesNs.empty() ? 0.0 : double(results.latenciesNs.back()) / 1e6,
               u"ms"_s);
    if (after.cpuSeconds > 0) {
        report.add(u"server CPU"_s, serverCpu, u"s"_s);
        const auto per1000 = [&](double cpu) {
            return results.received ? cpu * 1000.0 / double(results.received) : 0.0;
        };
        report.add(u"server CPU per 1000 delivered"_s, per1000(serverCpu), u"s"_s);
        // Where it went, for pitchey-server (its threads are named): the database lanes
        // against the rest say how far more cores can take it (docs/benchmarks.md).
        if (after.threadCpuSeconds.contains(u"pitchey-db"_s)) {
            const auto part = [&](const QString &group) {
                return per1000(after.threadCpuSeconds.value(group) -
                               before.threadCpuSeconds.value(group));
            };
            report.add(u"main thread CPU per 1000 delivered"_s, part(u"main"_s), u"s"_s);
            report.add(u"I/O threads CPU per 1000 delivered"_s, part(u"pitchey-io"_s), u"s"_s);
            report.add(u"database CPU per 1000 delivered"_s, part(u"pitchey-db"_s), u"s"_s);
        }
        report.add(u"server RSS"_s, after.rssKiB, u"KiB"_s);
    }
    report.add(u"bench CPU"_s, benchCpu, u"s"_s);
    // --mix: the changes beside the sends, and the server's CPU over all of them.
    const quint64 changes = results.edits + results.reactions;
    if (changes > 0) {
        report.add(u"edits sent"_s, qint64(results.edits), u"frames"_s);
        report.add(u"reactions sent"_s, qint64(results.reactions), u"frames"_s);
        report.add(u"message_updated received"_s, qint64(results.updates), u"frames"_s);
        if (after.cpuSeconds > 0)
            report.add(u"server CPU per 1000 operations"_s,
                       serverCpu * 1000.0 / double(results.sent + changes), u"s"_s);
    }
}

} // namespace pitchey::bench
