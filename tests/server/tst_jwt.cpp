#include "auth/JwtService.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTest>

using namespace Qt::StringLiterals;
using pitchey::server::JwtService;

namespace {
QByteArray b64(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}
QString handMade(const QByteArray &header, const QByteArray &payload, const QByteArray &secret)
{
    const QByteArray input = b64(header) + '.' + b64(payload);
    return QString::fromLatin1(
        input + '.' +
        b64(QMessageAuthenticationCode::hash(input, secret, QCryptographicHash::Sha256)));
}
} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        JwtService jwt("secret-secret-secret", 3600);
        const auto claims = jwt.verify(jwt.issue(42, u"alice"_s, 99));
        QVERIFY(claims.ok());
        QCOMPARE(claims.value().userId, 42);
        QCOMPARE(claims.value().key, 99);
        QCOMPARE(claims.value().username, u"alice"_s);
        QCOMPARE(claims.value().expiresAt - claims.value().issuedAt, 3600);
    }

    void interoperatesWithAnyHs256Implementation()
    {
        // A token built by hand, the way any JWT library would, is accepted.
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 60;
        const QString token =
            handMade(R"({"alg":"HS256","typ":"JWT"})",
                     QByteArray(R"({"sub":"7","username":"bob","iat":1,"key":5,"exp":)") +
                         QByteArray::number(exp) + "}",
                     "shared-secret-bytes");
        const auto claims = JwtService("shared-secret-bytes", 60).verify(token);
        QVERIFY(claims.ok());
        QCOMPARE(claims.value().userId, 7);
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("token");
        JwtService jwt("secret-secret-secret", 3600);
        const QString good = jwt.issue(1, u"a"_s, 5);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QTest::newRow("empty") << QString();
        QTest::newRow("two parts") << good.section(u'.', 0, 1);
        QTest::newRow("tampered payload")
            << good.section(u'.', 0, 0) + u'.' +
                   QString::fromLatin1(
                       b64(R"({"sub":"2","username":"a","iat":1,"exp":9999999999})")) +
                   u'.' + good.section(u'.', 2, 2);
        QString tampered = good; // one character of the signature changed, whatever it was
        tampered[tampered.size() - 5] = tampered.at(tampered.size() - 5) == u'A' ? u'B' : u'A';
        QTest::newRow("tampered signature") << tampered;
        QTest::newRow("wrong secret")
            << JwtService("another-secret-here", 3600).issue(1, u"a"_s, 5);
        QTest::newRow("expired") << jwt.issue({1, u"a"_s, now - 100, now - 1, 5});
        QTest::newRow("issued in the future") << jwt.issue({1, u"a"_s, now + 120, now + 3600, 5});
        QTest::newRow("no key") << jwt.issue({1, u"a"_s, now, now + 3600, 0});
        QTest::newRow("sub with a sign")
            << handMade(R"({"alg":"HS256"})", R"({"sub":"+1","key":5,"iat":1,"exp":9999999999})",
                        "secret-secret-secret");
        QTest::newRow("alg none") << QString::fromLatin1(
            b64(R"({"alg":"none"})") + '.' + b64(R"({"sub":"1","exp":9999999999})") + '.');
        QTest::newRow("alg HS512") << handMade(
            R"({"alg":"HS512"})", R"({"sub":"1","exp":9999999999})", "secret-secret-secret");
        QTest::newRow("sub not a number") << handMade(
            R"({"alg":"HS256"})", R"({"sub":"x","exp":9999999999})", "secret-secret-secret");
        QTest::newRow("no exp") << handMade(R"({"alg":"HS256"})", R"({"sub":"1"})",
                                            "secret-secret-secret");
        QTest::newRow("not base64") << u"!!!.???.***"_s;
    }

    void aMinuteOfClockSkewIsTolerated()
    {
        JwtService jwt("secret-secret-secret", 3600);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QVERIFY(jwt.verify(jwt.issue({1, u"a"_s, now + 50, now + 3600, 5})).ok());
    }

    void refusals()
    {
        QFETCH(QString, token);
        const auto claims = JwtService("secret-secret-secret", 3600).verify(token);
        QVERIFY(!claims.ok());
        QCOMPARE(claims.error().code, pitchey::ErrorCode::Unauthorized);
    }
};

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
