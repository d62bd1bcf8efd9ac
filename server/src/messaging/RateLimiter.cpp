#include "messaging/RateLimiter.h"

#include <algorithm>

namespace pitchey::server {

RateLimiter::RateLimiter(double burst, double perSecond)
    : m_burst(burst)
    , m_perSecond(perSecond)
{
    m_elapsed.start();
    m_clock = [this] { return m_elapsed.elapsed(); };
}

bool TokenBucket::take(qint64 nowMs, double burst, double perSecond)
{
    tokens = std::min(burst, tokens + double(nowMs - updatedMs) * perSecond / 1000.0);
    updatedMs = nowMs;
    if (tokens < 1.0)
        return false;
    tokens -= 1.0;
    return true;
}

template<typename Key> bool RateLimiter::take(QHash<Key, TokenBucket> &buckets, const Key &key)
{
    const qint64 now = m_clock();
    if (++m_callsSincePrune >= 4096)
        pruneFullBuckets(now);
    auto it = buckets.find(key);
    if (it == buckets.end())
        it = buckets.insert(key, TokenBucket{m_burst, now});
    return it.value().take(now, m_burst, m_perSecond);
}

bool RateLimiter::tryAcquire(const QByteArray &key)
{
    return take(m_byName, key);
}

bool RateLimiter::tryAcquire(qint64 id)
{
    return take(m_byId, id);
}

void RateLimiter::pruneFullBuckets(qint64 nowMs)
{
    m_callsSincePrune = 0;
    // A bucket that has refilled completely is the same as no bucket at all.
    const auto full = [&](const auto &entry) {
        return entry.value().fullAt(nowMs, m_burst, m_perSecond);
    };
    m_byName.removeIf(full);
    m_byId.removeIf(full);
}

} // namespace pitchey::server
