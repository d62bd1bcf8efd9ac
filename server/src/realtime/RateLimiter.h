#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>

#include <functional>

namespace pitchey::server {

// A token bucket per key: `burst` tokens at most, refilled at `perSecond`. One instance
// serves one kind of key (user ids for frames and API calls, addresses for logins).
class RateLimiter
{
public:
    RateLimiter(double burst, double perSecond);

    // Takes one token for `key`; false when its bucket is empty.
    [[nodiscard]] bool tryAcquire(const QByteArray &key);
    [[nodiscard]] qsizetype trackedKeys() const { return m_buckets.size(); }

    // For tests: the clock the limiter reads, in milliseconds.
    void setClockForTesting(std::function<qint64()> clock) { m_clock = std::move(clock); }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    void pruneFullBuckets(qint64 nowMs);

    double m_burst;
    double m_perSecond;
    QHash<QByteArray, Bucket> m_buckets;
    QElapsedTimer m_elapsed;
    std::function<qint64()> m_clock;
    quint32 m_callsSincePrune = 0;
};

} // namespace pitchey::server
