#pragma once

#include "base/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QTest>

namespace pitchey::testing {
// QCoreApplication takes ownership of the dispatcher; the analyzer cannot see that.
// NOLINTBEGIN(clang-analyzer-cplusplus.NewDeleteLeaks)
inline void useEpollIfAsked()
{
    if (qgetenv("PITCHEY_EVENT_DISPATCHER") == "epoll")
        QCoreApplication::setEventDispatcher(new server::EpollEventDispatcher);
}
// NOLINTEND(clang-analyzer-cplusplus.NewDeleteLeaks)
} // namespace pitchey::testing

// QTEST_GUILESS_MAIN, but with PITCHEY_EVENT_DISPATCHER=epoll the test runs on the
// server's epoll event dispatcher, as pitchey-server does.
#define PITCHEY_TEST_MAIN(TestObject)                                                              \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        pitchey::testing::useEpollIfAsked();                                                       \
        QCoreApplication app(argc, argv);                                                          \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                   \
        TestObject tc;                                                                             \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }
