#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>

#include <functional>

namespace pitchey::server {

// A token bucket per key: `burst` tokens at most, refilled at `perSecond`. One instance
// serves one kind of key (user ids for frames and API calls, addresses for logins); ids
// are looked up as numbers, so the check on every frame allocates nothing.
class RateLimiter
{
public:
    RateLimiter(double burst, double perSecond);

    // Takes one token for `key`; false when its bucket is empty.
    [[nodiscard]] bool tryAcquire(const QByteArray &key);
    [[nodiscard]] bool tryAcquire(qint64 id);
    [[nodiscard]] qsizetype trackedKeys() const { return m_byName.size() + m_byId.size(); }

    // For tests: the clock the limiter reads, in milliseconds.
    void setClockForTesting(std::function<qint64()> clock) { m_clock = std::move(clock); }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    template<typename Key> bool take(QHash<Key, Bucket> &buckets, const Key &key);
    void pruneFullBuckets(qint64 nowMs);

    double m_burst;
    double m_perSecond;
    QHash<QByteArray, Bucket> m_byName;
    QHash<qint64, Bucket> m_byId;
    QElapsedTimer m_elapsed;
    std::function<qint64()> m_clock;
    quint32 m_callsSincePrune = 0;
};

} // namespace pitchey::server
