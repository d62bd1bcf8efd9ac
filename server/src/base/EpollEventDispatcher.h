#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>

#include <map>

namespace pitchey::server {

// An event dispatcher on Linux epoll. Qt 6.4's own dispatchers (glib and UNIX) call poll()
// over every registered socket on every wake-up, so each event costs time in proportion to
// the number of open connections; with thousands of WebSockets that dominates the server's
// CPU. Here a wake-up costs in proportion to the sockets that are ready.
//
// Sockets are level-triggered, as QSocketNotifier expects. Timers are kept in one ordered
// map by deadline (all treated as precise). Posted events are sent at the start of each
// pass; wakeUp() writes to an eventfd.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    [[nodiscard]] QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
    };
    struct Timer
    {
        int id;
        qint64 interval; // ms
        Qt::TimerType type;
        QObject *object;
        qint64 deadline; // ms on the monotonic clock
    };

    void updateWatch(int fd);
    int dispatchTimers();
    [[nodiscard]] int waitTimeoutMs() const;

    int m_epoll = -1;
    int m_wakeFd = -1;
    QHash<int, Watch> m_watches;
    QHash<int, Timer> m_timers;                    // by id
    std::multimap<qint64, int> m_timersByDeadline; // deadline -> id
    QAtomicInt m_interrupted{0};
    QAtomicInt m_wakePending{0};
};

} // namespace pitchey::server
