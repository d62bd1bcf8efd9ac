#include "presence/TypingTracker.h"

#include <QDateTime>

#include <algorithm>

namespace pitchey::server {

TypingTracker::TypingTracker(std::chrono::milliseconds expiry, QObject *parent)
    : QObject(parent)
    , m_expiry(expiry)
{
    // Late by a thirtieth of the expiry at most (200 ms of the contract's 6 s).
    m_sweep.setInterval(std::max(m_expiry / 30, std::chrono::milliseconds(10)));
    connect(&m_sweep, &QTimer::timeout, this, &TypingTracker::sweep);
}

void TypingTracker::start(qint64 conversationId, qint64 userId)
{
    m_deadlines.insert({conversationId, userId},
                       QDateTime::currentMSecsSinceEpoch() + m_expiry.count());
    if (!m_sweep.isActive())
        m_sweep.start();
}

bool TypingTracker::stop(qint64 conversationId, qint64 userId)
{
    return m_deadlines.remove({conversationId, userId});
}

bool TypingTracker::isTyping(qint64 conversationId, qint64 userId) const
{
    return m_deadlines.contains({conversationId, userId});
}

void TypingTracker::sweep()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Key> ended;
    for (auto it = m_deadlines.cbegin(); it != m_deadlines.cend(); ++it) {
        if (it.value() <= now)
            ended.append(it.key());
    }
    for (const Key &key : ended) {
        m_deadlines.remove(key);
        Q_EMIT expired(key.first, key.second);
    }
    if (m_deadlines.isEmpty())
        m_sweep.stop();
}

} // namespace pitchey::server
