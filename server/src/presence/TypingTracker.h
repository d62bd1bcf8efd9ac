#pragma once

#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace pitchey::server {

// Who is typing where. Typing that is not renewed within the expiry ends by itself and is
// reported through expired().
class TypingTracker : public QObject
{
    Q_OBJECT

public:
    explicit TypingTracker(std::chrono::milliseconds expiry, QObject *parent = nullptr);

    void start(qint64 conversationId, qint64 userId);
    // True when the user was typing there.
    bool stop(qint64 conversationId, qint64 userId);
    [[nodiscard]] bool isTyping(qint64 conversationId, qint64 userId) const;

Q_SIGNALS:
    void expired(qint64 conversationId, qint64 userId);

private:
    void sweep();

    using Key = QPair<qint64, qint64>; // conversation, user
    QHash<Key, qint64> m_deadlines;    // ms since the epoch
    std::chrono::milliseconds m_expiry;
    QTimer m_sweep;
};

} // namespace pitchey::server
