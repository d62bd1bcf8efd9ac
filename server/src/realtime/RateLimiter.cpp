#include "realtime/RateLimiter.h"

#include <algorithm>

namespace pitchey::server {

RateLimiter::RateLimiter(double burst, double perSecond)
    : m_burst(burst)
    , m_perSecond(perSecond)
{
    m_elapsed.start();
    m_clock = [this] { return m_elapsed.elapsed(); };
}

template<typename Key> bool RateLimiter::take(QHash<Key, Bucket> &buckets, const Key &key)
{
    const qint64 now = m_clock();
    if (++m_callsSincePrune >= 4096)
        pruneFullBuckets(now);
    auto it = buckets.find(key);
    if (it == buckets.end())
        it = buckets.insert(key, Bucket{m_burst, now});
    Bucket &bucket = it.value();
    bucket.tokens =
        std::min(m_burst, bucket.tokens + double(now - bucket.updatedMs) * m_perSecond / 1000.0);
    bucket.updatedMs = now;
    if (bucket.tokens < 1.0)
        return false;
    bucket.tokens -= 1.0;
    return true;
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
        const Bucket &bucket = entry.value();
        return bucket.tokens + double(nowMs - bucket.updatedMs) * m_perSecond / 1000.0 >= m_burst;
    };
    m_byName.removeIf(full);
    m_byId.removeIf(full);
}

} // namespace pitchey::server
