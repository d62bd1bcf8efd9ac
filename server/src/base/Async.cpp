#include "base/Async.h"

namespace pitchey::server::detail {

QObject *threadDispatcher()
{
    thread_local QObject dispatcher;
    return &dispatcher;
}

} // namespace pitchey::server::detail
