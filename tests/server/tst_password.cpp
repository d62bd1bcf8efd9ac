#include "auth/PasswordHasher.h"

#include <QTest>

using namespace Qt::StringLiterals;
using pitchey::server::PasswordHasher;

class TestPassword : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void argon2idWithSaltAndVerification()
    {
        PasswordHasher hasher(PasswordHasher::Cost::Minimal);
        const QByteArray first = hasher.hash(u"correct horse \u00e9"_s);
        const QByteArray second = hasher.hash(u"correct horse \u00e9"_s);
        QVERIFY(first.startsWith("$argon2id$"));
        QVERIFY(first != second); // salted
        QVERIFY(hasher.verify(first, u"correct horse \u00e9"_s));
        QVERIFY(!hasher.verify(first, u"correct horse e"_s));
        QVERIFY(!hasher.verify({}, u"anything"_s));
        QVERIFY(!hasher.verify("garbage", u"anything"_s));
    }

    void interactiveCostIsTheDefault()
    {
        PasswordHasher hasher;
        const QByteArray hash = hasher.hash(u"password123"_s);
        QVERIFY(hash.contains("m=65536")); // 64 MiB, libsodium's interactive limit
        QVERIFY(hasher.verify(hash, u"password123"_s));
    }

    void asyncRunsOffTheCallingThread()
    {
        PasswordHasher hasher(PasswordHasher::Cost::Minimal);
        auto future = hasher.hashAsync(u"password123"_s);
        future.waitForFinished();
        QVERIFY(hasher.verify(future.result(), u"password123"_s));
        auto verified = hasher.verifyAsync(future.result(), u"nope"_s);
        verified.waitForFinished();
        QVERIFY(!verified.result());
    }
};

QTEST_GUILESS_MAIN(TestPassword)
#include "tst_password.moc"
