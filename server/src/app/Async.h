#pragma once

#include <QFuture>
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
// Qt 6.4's QFuture::then(context, ...) asserts (and misbehaves in release builds) when the
// context dies before the future finishes, which is the normal case for a connection
// that closes while the database works; this is the replacement.
template<typename T, typename F> void whenReady(QFuture<T> future, QObject *context, F &&fn)
{
    QObject *dispatcher = detail::threadDispatcher();
    future.then(QtFuture::Launch::Sync, [dispatcher, guard = QPointer<QObject>(context),
                                         fn = std::forward<F>(fn)](T value) mutable {
        QMetaObject::invokeMethod(
            dispatcher,
            [guard, fn = std::move(fn), value = std::move(value)]() mutable {
                if (guard)
                    fn(std::move(value));
            },
            Qt::QueuedConnection);
    });
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
