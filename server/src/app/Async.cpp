#include "app/Async.h"

namespace pitchey::server::detail {

QObject *threadDispatcher()
{
    thread_local QObject dispatcher;
    return &dispatcher;
}

} // namespace pitchey::server::detail
