#pragma once

#include "app/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QTest>

// QTEST_GUILESS_MAIN, but with PITCHEY_EVENT_DISPATCHER=epoll the test runs on the
// server's epoll event dispatcher, as pitchey-server does.
#define PITCHEY_TEST_MAIN(TestObject)                                                              \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        if (qgetenv("PITCHEY_EVENT_DISPATCHER") == "epoll")                                        \
            QCoreApplication::setEventDispatcher(new pitchey::server::EpollEventDispatcher);       \
        QCoreApplication app(argc, argv);                                                          \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                   \
        TestObject tc;                                                                             \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return QTest::qExec(&tc, argc, argv);                                                      \
    }
