#pragma once

#include <QByteArray>
#include <QMap>

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <tuple>

namespace pitchey::server {

// A latency histogram in the Prometheus sense: cumulative buckets in seconds, a sum and a
// count. Observing is lock-free, so the database thread and the socket thread both may.
class LatencyHistogram
{
public:
    static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                       0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

    void observe(std::chrono::nanoseconds elapsed);
    // Appends the `# TYPE` line and the series of `name` to `out`.
    void write(QByteArray &out, const char *name, const char *help) const;

private:
    std::array<std::atomic<quint64>, kBounds.size() + 1> m_buckets{}; // the last is +Inf
    std::atomic<quint64> m_sumNanos{0};
    std::atomic<quint64> m_count{0};
};

// The server's figures for /metrics. Counters and histograms are written to by the code
// that does the work; gauges (connections, outbox size) are read when scraped.
class Metrics
{
public:
    std::atomic<quint64> messagesStored{0};
    std::atomic<quint64> messagesDelivered{0};   // new_message frames handed to connections
    std::atomic<quint64> messagesRefusedBusy{0}; // refused while the database was behind
    LatencyHistogram deliveryLatency;            // send received -> handed to the recipients
    LatencyHistogram dbLatency;                  // a database job queued -> its commit

    void countHttpRequest(const QByteArray &route, const QByteArray &method, int status);

    struct Gauges
    {
        qsizetype connections = 0;
        qsizetype onlineUsers = 0;
        qint64 emailOutbox = -1; // -1: email is off
        qint64 dbBacklog = 0;
    };
    // The whole exposition, text format 0.0.4.
    [[nodiscard]] QByteArray render(const Gauges &gauges) const;

private:
    mutable std::mutex m_httpMutex;
    QMap<std::tuple<QByteArray, QByteArray, int>, quint64> m_http;
};

} // namespace pitchey::server
