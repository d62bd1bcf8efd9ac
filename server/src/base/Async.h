#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <utility>

namespace pitchey::server {

namespace detail {
// A QObject that lives as long as the calling thread: results are posted to it.
QObject *threadDispatcher();
} // namespace detail

// Calls fn(result) on the calling thread once `future` has its result, unless `context`
// has been destroyed by then. Results arrive in the order their futures finish.
//
// Not QFuture::then(): in Qt 6.4 a continuation added while another thread finishes the
// future can run twice, the second time on a moved-from promise (the server crashed in
// QFutureInterfaceBase::reportStarted, reading address 0xbc, in about one run in four
// of `pitchey-bench --scenario idle --users 10000`: tens of thousands of jobs a second). Nor
// then(context, ...), which asserts when the context dies first, the normal case for a connection
// that closes while the database works. A QFutureWatcher hears of the result through the future's
// own call-out events, posted in the order the futures finish.
template<typename T, typename F> void whenReady(QFuture<T> future, QObject *context, F &&fn)
{
    auto *watcher = new QFutureWatcher<T>(detail::threadDispatcher());
    QObject::connect(
        watcher, &QFutureWatcherBase::finished, watcher,
        [watcher, guard = QPointer<QObject>(context), fn = std::forward<F>(fn)]() mutable {
            watcher->deleteLater();
            if (guard)
                fn(watcher->result());
        });
    watcher->setFuture(std::move(future));
}

// Wraps a callback so that it does nothing once `context` is gone (same thread only).
template<typename F> auto guarded(QObject *context, F fn)
{
    return [guard = QPointer<QObject>(context), fn = std::move(fn)](auto &&...args) mutable {
        if (guard)
            fn(std::forward<decltype(args)>(args)...);
    };
}

} // namespace pitchey::server
