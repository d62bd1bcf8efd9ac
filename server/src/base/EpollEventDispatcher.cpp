#include "base/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QSocketNotifier>
#include <QThread>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace pitchey::server {

namespace {

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("epoll or eventfd unavailable");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeFd);
    ::close(m_epoll);
}

void EpollEventDispatcher::updateWatch(int fd)
{
    const auto it = m_watches.constFind(fd);
    const bool known = it != m_watches.cend();
    uint32_t events = 0;
    if (known) {
        if (it->read)
            events |= EPOLLIN | EPOLLRDHUP;
        if (it->write)
            events |= EPOLLOUT;
        if (it->exception)
            events |= EPOLLPRI;
    }
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (events == 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        m_watches.remove(fd);
        return;
    }
    if (epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) != 0 && errno == ENOENT)
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Watch &watch = m_watches[fd];
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        watch.read = notifier;
        break;
    case QSocketNotifier::Write:
        watch.write = notifier;
        break;
    case QSocketNotifier::Exception:
        watch.exception = notifier;
        break;
    }
    updateWatch(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    if (it->read == notifier)
        it->read = nullptr;
    if (it->write == notifier)
        it->write = nullptr;
    if (it->exception == notifier)
        it->exception = nullptr;
    updateWatch(fd);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    const Timer timer{timerId, interval, timerType, object, nowMs() + interval};
    m_timers.insert(timerId, timer);
    m_timersByDeadline.emplace(timer.deadline, timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    auto [first, last] = m_timersByDeadline.equal_range(it->deadline);
    for (auto entry = first; entry != last; ++entry) {
        if (entry->second == timerId) {
            m_timersByDeadline.erase(entry);
            break;
        }
    }
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    QList<int> ids;
    for (const Timer &timer : std::as_const(m_timers)) {
        if (timer.object == object)
            ids.append(timer.id);
    }
    for (int id : ids)
        unregisterTimer(id);
    return !ids.isEmpty();
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (const Timer &timer : m_timers) {
        if (timer.object == object)
            list.append(TimerInfo(timer.id, int(timer.interval), timer.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    return int(std::max<qint64>(0, it->deadline - nowMs()));
}

void EpollEventDispatcher::wakeUp()
{
    // Every posted event calls this; one write per pass of the loop is enough.
    if (!m_wakePending.testAndSetAcquire(0, 1))
        return;
    const quint64 one = 1;
    [[maybe_unused]] const auto written = ::write(m_wakeFd, &one, sizeof one);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelaxed(1);
    wakeUp();
}

int EpollEventDispatcher::waitTimeoutMs() const
{
    if (m_timersByDeadline.empty())
        return -1;
    return int(
        std::clamp<qint64>(m_timersByDeadline.begin()->first - nowMs(), 0, 24 * 3600 * 1000));
}

int EpollEventDispatcher::dispatchTimers()
{
    // Fire what is due now, each at most once per pass; a handler may add, remove or
    // restart timers (or run a nested loop), so every timer is looked up again before it fires.
    const qint64 now = nowMs();
    QList<int> due;
    for (auto it = m_timersByDeadline.begin(); it != m_timersByDeadline.end() && it->first <= now;
         ++it)
        due.append(it->second);
    int fired = 0;
    for (int id : std::as_const(due)) {
        const auto it = m_timers.find(id);
        if (it == m_timers.end() || it->deadline > now)
            continue;
        Timer timer = *it;
        unregisterTimer(id);
        // Re-arm before delivering, so the handler may kill or restart it. A timer that fell
        // behind skips the ticks it missed instead of firing them in a burst.
        timer.deadline += timer.interval;
        if (timer.interval > 0 && timer.deadline <= now)
            timer.deadline = now + timer.interval;
        m_timers.insert(id, timer);
        m_timersByDeadline.emplace(timer.deadline, id);
        QTimerEvent event(id);
        QCoreApplication::sendEvent(timer.object, &event);
        ++fired;
    }
    return fired;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelaxed(0);
    Q_EMIT awake();
    // Cleared before the posted events are sent: whatever is posted after this wakes us again.
    m_wakePending.storeRelease(0);
    QCoreApplication::sendPostedEvents();
    if (m_interrupted.loadRelaxed())
        return false;

    const bool wait = flags.testFlag(QEventLoop::WaitForMoreEvents);
    int timeout = wait ? waitTimeoutMs() : 0;
    if (wait)
        Q_EMIT aboutToBlock();

    constexpr int kMaxEvents = 256;
    epoll_event events[kMaxEvents];
    int ready = epoll_wait(m_epoll, events, kMaxEvents, timeout);
    if (ready < 0)
        ready = 0; // EINTR: treat as a wake-up
    int handled = 0;
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wakeFd) {
            quint64 count = 0;
            [[maybe_unused]] const auto got = ::read(m_wakeFd, &count, sizeof count);
            continue;
        }
        const uint32_t what = events[i].events;
        const bool failed = what & (EPOLLERR | EPOLLHUP);
        // Each notifier is looked up again: an earlier handler may have removed it.
        auto deliver = [&](QSocketNotifier *Watch::*member, bool condition) {
            const auto it = m_watches.constFind(fd);
            if (!condition || it == m_watches.cend() || !(it.value().*member))
                return;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(it.value().*member, &event);
            ++handled;
        };
        deliver(&Watch::read, what & (EPOLLIN | EPOLLRDHUP) || failed);
        deliver(&Watch::write, what & EPOLLOUT || failed);
        deliver(&Watch::exception, what & EPOLLPRI);
    }
    if (!flags.testFlag(QEventLoop::X11ExcludeTimers))
        handled += dispatchTimers();
    return handled > 0;
}

} // namespace pitchey::server
