#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>

#include <functional>

namespace pitchey::server {

// One token bucket: at most `burst` tokens, refilled at `perSecond`.
struct TokenBucket
{
    double tokens = 0;
    qint64 updatedMs = 0;

    // Refills for the time since the last call, then takes a token; false when none is left.
    [[nodiscard]] bool take(qint64 nowMs, double burst, double perSecond);
    // Whether it would be full at `nowMs` (a full bucket is the same as none).
    [[nodiscard]] bool fullAt(qint64 nowMs, double burst, double perSecond) const
    {
        return tokens + double(nowMs - updatedMs) * perSecond / 1000.0 >= burst;
    }
};

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
    template<typename Key> bool take(QHash<Key, TokenBucket> &buckets, const Key &key);
    void pruneFullBuckets(qint64 nowMs);

    double m_burst;
    double m_perSecond;
    QHash<QByteArray, TokenBucket> m_byName;
    QHash<qint64, TokenBucket> m_byId;
    QElapsedTimer m_elapsed;
    std::function<qint64()> m_clock;
    quint32 m_callsSincePrune = 0;
};

} // namespace pitchey::server
