#include "messaging/RateLimiter.h"

#include <QTest>

using pitchey::server::RateLimiter;

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstThenSteadyRate()
    {
        qint64 now = 0;
        RateLimiter limiter(50, 20);
        limiter.setClockForTesting([&] { return now; });
        int allowed = 0;
        for (int i = 0; i < 60; ++i)
            allowed += limiter.tryAcquire("u1") ? 1 : 0;
        QCOMPARE(allowed, 50);
        now += 1000; // one second refills 20
        allowed = 0;
        for (int i = 0; i < 30; ++i)
            allowed += limiter.tryAcquire("u1") ? 1 : 0;
        QCOMPARE(allowed, 20);
        now += 50; // one token
        QVERIFY(limiter.tryAcquire("u1"));
        QVERIFY(!limiter.tryAcquire("u1"));
    }

    void keysAreIndependentAndFullBucketsAreForgotten()
    {
        qint64 now = 0;
        RateLimiter limiter(2, 1);
        limiter.setClockForTesting([&] { return now; });
        QVERIFY(limiter.tryAcquire("a"));
        QVERIFY(limiter.tryAcquire("a"));
        QVERIFY(!limiter.tryAcquire("a"));
        QVERIFY(limiter.tryAcquire("b"));
        now += 10000;
        for (int i = 0; i < 5000; ++i)
            (void)limiter.tryAcquire(QByteArray::number(i % 3));
        QVERIFY(limiter.trackedKeys() <= 5);
    }

    void idsCountLikeNames()
    {
        qint64 now = 0;
        RateLimiter limiter(2, 1);
        limiter.setClockForTesting([&] { return now; });
        QVERIFY(limiter.tryAcquire(qint64(7)));
        QVERIFY(limiter.tryAcquire(qint64(7)));
        QVERIFY(!limiter.tryAcquire(qint64(7)));
        QVERIFY(limiter.tryAcquire(qint64(8)));
        QVERIFY(limiter.tryAcquire("7")); // a name is another key
        now += 1000;
        QVERIFY(limiter.tryAcquire(qint64(7)));
        QVERIFY(!limiter.tryAcquire(qint64(7)));
        now += 10000;
        for (int i = 0; i < 5000; ++i)
            (void)limiter.tryAcquire(qint64(i % 3));
        QVERIFY(limiter.trackedKeys() <= 5);
    }

    void neverExceedsTheBurst()
    {
        qint64 now = 0;
        RateLimiter limiter(3, 100);
        limiter.setClockForTesting([&] { return now; });
        now += 1000000;
        int allowed = 0;
        for (int i = 0; i < 10; ++i)
            allowed += limiter.tryAcquire("x") ? 1 : 0;
        QCOMPARE(allowed, 3);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
