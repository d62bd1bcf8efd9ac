// Email digests against a real SMTP server (Debian's python3-aiosmtpd, writing a maildir),
// with minutes shortened to seconds and a batch pass every second.
#include "Clients.h"
#include "TestMain.h"
#include "TestServer.h"

#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

struct Mail
{
    QByteArray raw;
    QString to;
    QString subject;
    QString text;
    QString html;
    QString unsubscribe;
};

QString decodePart(const QByteArray &raw, const QByteArray &type)
{
    const qsizetype at = raw.indexOf("Content-Type: " + type);
    if (at < 0)
        return {};
    const qsizetype start = raw.indexOf("\r\n\r\n", at);
    const qsizetype startLf = raw.indexOf("\n\n", at);
    const bool crlf = start >= 0 && (startLf < 0 || start < startLf);
    const qsizetype body = crlf ? start + 4 : startLf + 2;
    const qsizetype end = raw.indexOf("--pitchey-", body);
    QByteArray encoded = raw.mid(body, end - body);
    encoded.replace("\r", "").replace("\n", "");
    return QString::fromUtf8(QByteArray::fromBase64(encoded));
}

QString header(const QByteArray &raw, const char *name)
{
    const QRegularExpression line(u"^%1: (.*)$"_s.arg(QLatin1StringView(name)),
                                  QRegularExpression::MultilineOption);
    return line.match(QString::fromUtf8(raw)).captured(1).trimmed();
}

// A real SMTP server on 127.0.0.1 that keeps what it receives in a maildir.
class SmtpServer
{
public:
    explicit SmtpServer(quint16 port)
        : m_port(port)
    {}
    ~SmtpServer() { stop(); }

    // secure: STARTTLS and a login required (tests/support/smtp_server.py), with a
    // throwaway certificate; caFile() is what the mailer must trust.
    bool start(bool secure = false)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        if (secure) {
            QProcess openssl;
            openssl.start(u"openssl"_s,
                          {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s,
                           u"-keyout"_s, m_dir.path() + "/key.pem"_L1, u"-out"_s, caFile(),
                           u"-days"_s, u"1"_s, u"-subj"_s, u"/CN=127.0.0.1"_s, u"-addext"_s,
                           u"subjectAltName=IP:127.0.0.1"_s});
            if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
                return false;
            m_process.start(u"/usr/bin/python3"_s,
                            {QStringLiteral(PITCHEY_SOURCE_DIR "/tests/support/smtp_server.py"),
                             QString::number(m_port), m_dir.path() + "/maildir"_L1, caFile(),
                             m_dir.path() + "/key.pem"_L1, u"pitchey"_s, u"s3cret"_s});
        } else {
            m_process.start(u"/usr/bin/python3"_s,
                            {u"-m"_s, u"aiosmtpd"_s, u"-n"_s, u"-l"_s,
                             u"127.0.0.1:%1"_s.arg(m_port), u"-c"_s, u"aiosmtpd.handlers.Mailbox"_s,
                             m_dir.path() + "/maildir"_L1});
        }
        if (!m_process.waitForStarted())
            return false;
        for (int i = 0; i < 100; ++i) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(100))
                return true;
            QTest::qWait(50);
        }
        return false;
    }
    QString caFile() const { return m_dir.path() + "/cert.pem"_L1; }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        m_process.waitForFinished(5000);
    }
    QList<Mail> mails() const
    {
        QList<Mail> mails;
        for (const char *sub : {"new", "cur"}) {
            QDir dir(m_dir.path() + "/maildir/"_L1 + QLatin1StringView(sub));
            const auto files = dir.entryInfoList(QDir::Files, QDir::Name);
            for (const QFileInfo &info : files) {
                QFile file(info.filePath());
                if (!file.open(QIODevice::ReadOnly))
                    continue;
                Mail mail;
                mail.raw = file.readAll();
                mail.to = header(mail.raw, "To");
                mail.subject = header(mail.raw, "Subject");
                mail.unsubscribe = header(mail.raw, "List-Unsubscribe").remove(u'<').remove(u'>');
                mail.text = decodePart(mail.raw, "text/plain");
                mail.html = decodePart(mail.raw, "text/html");
                mails.append(mail);
            }
        }
        return mails;
    }

private:
    quint16 m_port;
    QTemporaryDir m_dir;
    QProcess m_process;
};

} // namespace

class TestEmail : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<SmtpServer> m_smtp;
    quint16 m_smtpPort = 0;

    HttpClient::Account withEmail(const QString &name)
    {
        const auto result =
            m_http->post(u"/api/auth/register"_s, {{"username"_L1, name},
                                                   {"password"_L1, "password123"_L1},
                                                   {"email"_L1, u"%1@example.test"_s.arg(name)}});
        return {result.body.value("token"_L1).toString(),
                result.body.value("user"_L1).toObject().value("id"_L1).toInteger(), name};
    }

    void setPreferences(const HttpClient::Account &user, const QJsonObject &patch)
    {
        QCOMPARE(m_http->put(u"/api/notifications/preferences"_s, patch, user.token).status, 200);
    }

    qint64 conversation(const HttpClient::Account &a, const HttpClient::Account &b)
    {
        return m_http->createConversation(a, {b.id});
    }

    void say(const HttpClient::Account &from, qint64 conversationId, const QString &text)
    {
        QCOMPARE(m_http
                     ->post(u"/api/messages/send"_s,
                            {{"conversationId"_L1, conversationId}, {"content"_L1, text}},
                            from.token)
                     .status,
                 201);
    }

    // No mail within `ms` (several batch passes).
    bool noMail(int ms = 3000)
    {
        QTest::qWait(ms);
        return m_smtp->mails().isEmpty();
    }

private Q_SLOTS:
    void init()
    {
        m_smtpPort = freePort();
        m_server = std::make_unique<TestServer>([this](server::ServerConfig &config) {
            config.smtpUrl = u"smtp://127.0.0.1:%1"_s.arg(m_smtpPort);
            config.mailFrom = u"Pitchey <noreply@pitchey.test>"_s;
            config.publicUrl = u"https://chat.example.test"_s;
            config.emailBatchSeconds = 1;
            config.emailMinuteMs = 1000; // emailDelayMinutes counts seconds here
            config.emailRetryBaseMs = 500;
            config.rateBurst = 100'000;
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        m_smtp = std::make_unique<SmtpServer>(m_smtpPort);
    }

    void cleanup()
    {
        m_server.reset();
        m_http.reset();
        m_smtp.reset();
    }

    void fiveMessagesMakeOneDigest()
    {
        QVERIFY(m_smtp->start());
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 3}}); // 3 s: all sent before the first pass
        const qint64 pair = conversation(bob, alice);
        const QStringList texts{u"one"_s, u"two"_s, u"three"_s, u"four"_s,
                                u"<script>alert(5)</script>"_s};
        for (const QString &text : texts)
            say(bob, pair, text);

        QTRY_COMPARE_WITH_TIMEOUT(m_smtp->mails().size(), 1, 10000);
        QVERIFY(noMail(0) == false);
        QTest::qWait(3000); // more batch passes: still one
        const QList<Mail> mails = m_smtp->mails();
        QCOMPARE(mails.size(), 1);
        const Mail &mail = mails.constFirst();
        QCOMPARE(mail.to, u"alice@example.test"_s);
        QCOMPARE(mail.subject, u"5 unread messages from bob"_s);
        for (const QString &text : texts)
            QVERIFY2(mail.text.contains(text), qPrintable(text));
        QVERIFY(mail.html.contains(u"&lt;script&gt;alert(5)&lt;/script&gt;"_s));
        QVERIFY(!mail.html.contains(u"<script>"_s));
        QVERIFY(mail.unsubscribe.startsWith(
            u"https://chat.example.test/api/notifications/unsubscribe?"_s));
        QVERIFY(mail.raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

        // The link works without a login, and only with its signature.
        const QUrl link(mail.unsubscribe);
        const QString pathAndQuery = link.path() + u'?' + link.query();
        QCOMPARE(m_http->get(pathAndQuery).status, 200); // offers the button only
        QCOMPARE(m_http->get(u"/api/notifications/preferences"_s, alice.token)
                     .body["preferences"_L1]["emailEnabled"_L1]
                     .toBool(),
                 true);
        QCOMPARE(m_http->send("POST", pathAndQuery + u'x', "List-Unsubscribe=One-Click").status,
                 403);
        QCOMPARE(m_http->send("POST", pathAndQuery, "List-Unsubscribe=One-Click").status, 200);
        QCOMPARE(m_http->get(u"/api/notifications/preferences"_s, alice.token)
                     .body["preferences"_L1]["emailEnabled"_L1]
                     .toBool(),
                 false);
    }

    void digestsSumUpEveryConversation()
    {
        QVERIFY(m_smtp->start());
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        const auto carol = withEmail(u"carol"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 3}}); // 3 s: all sent before the first pass
        say(bob, conversation(bob, alice), u"from bob"_s);
        say(carol, conversation(carol, alice), u"from carol"_s);
        QTRY_COMPARE_WITH_TIMEOUT(m_smtp->mails().size(), 1, 10000);
        QVERIFY(noMail(0) == false);
        QTest::qWait(2500);
        QCOMPARE(m_smtp->mails().size(), 1);
        const Mail mail = m_smtp->mails().constFirst();
        QCOMPARE(mail.subject, u"2 unread messages in 2 conversations"_s);
        QVERIFY(mail.text.contains(u"from bob"_s) && mail.text.contains(u"from carol"_s));
    }

    void noEmailWhenOnlineOffMutedOrRead_data()
    {
        QTest::addColumn<QString>("why");
        QTest::newRow("online") << u"online"_s;
        QTest::newRow("email off") << u"off"_s;
        QTest::newRow("muted") << u"muted"_s;
        QTest::newRow("read before the delay") << u"read"_s;
        QTest::newRow("online meanwhile") << u"online meanwhile"_s;
    }

    void noEmailWhenOnlineOffMutedOrRead()
    {
        QFETCH(QString, why);
        QVERIFY(m_smtp->start());
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        const qint64 pair = conversation(bob, alice);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 2}});
        WsClient aliceSocket;
        if (why == "online"_L1)
            QVERIFY(aliceSocket.open(m_server->wsUrl(alice.token)));
        if (why == "off"_L1)
            setPreferences(alice, {{"emailEnabled"_L1, false}});
        if (why == "muted"_L1)
            setPreferences(alice, {{"mutedConversationIds"_L1, QJsonArray{pair}}});
        say(bob, pair, u"hello"_s);
        if (why == "read"_L1) {
            QCOMPARE(m_http->post(u"/api/notifications/read"_s, {{"all"_L1, true}}, alice.token)
                         .body.value("updated"_L1)
                         .toInt(),
                     1);
        }
        if (why == "online meanwhile"_L1) {
            QVERIFY(aliceSocket.open(m_server->wsUrl(alice.token)));
            aliceSocket.socket().close();
            QVERIFY(aliceSocket.waitForDisconnect());
        }
        QVERIFY(noMail(4000));
        // The same user, away, with a new message: the digest comes (the setup works).
        if (why == "online"_L1) {
            aliceSocket.socket().close();
            QVERIFY(aliceSocket.waitForDisconnect());
            QTest::qWait(300);
            say(bob, pair, u"while away"_s);
            QTRY_COMPARE_WITH_TIMEOUT(m_smtp->mails().size(), 1, 10000);
            QVERIFY(m_smtp->mails().constFirst().text.contains(u"while away"_s));
            QVERIFY(!m_smtp->mails().constFirst().text.contains(u"hello"_s));
        }
    }

    void smtpDownThenUpSendsOnce()
    {
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 0}});
        say(bob, conversation(bob, alice), u"are you there?"_s);
        QTest::qWait(2500); // queued, and at least one attempt failed
        QVERIFY(m_smtp->start());
        QTRY_COMPARE_WITH_TIMEOUT(m_smtp->mails().size(), 1, 15000);
        QTest::qWait(2500);
        QCOMPARE(m_smtp->mails().size(), 1);
    }

    void aRestartResumesTheOutbox()
    {
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 0}});
        say(bob, conversation(bob, alice), u"before the restart"_s);
        QTest::qWait(2000); // in the outbox, not sent
        m_server->restart();
        QVERIFY(m_server->port() > 0);
        QVERIFY(m_smtp->start());
        QTRY_COMPARE_WITH_TIMEOUT(m_smtp->mails().size(), 1, 15000);
        QTest::qWait(2500);
        QCOMPARE(m_smtp->mails().size(), 1);
        QVERIFY(m_smtp->mails().constFirst().text.contains(u"before the restart"_s));
    }

    void startTlsAndLogin()
    {
        QVERIFY(m_smtp->start(true));
        // A server of its own: this one must trust the throwaway certificate and log in.
        m_server = std::make_unique<TestServer>([this](server::ServerConfig &config) {
            config.smtpUrl = u"smtp://127.0.0.1:%1"_s.arg(m_smtpPort);
            config.smtpUser = u"pitchey"_s;
            config.smtpPassword = u"s3cret"_s;
            config.smtpCaFile = m_smtp->caFile();
            config.mailFrom = u"noreply@pitchey.test"_s;
            config.emailBatchSeconds = 1;
            config.emailMinuteMs = 1000;
            config.emailRetryBaseMs = 500;
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 0}});
        say(bob, conversation(bob, alice), u"over TLS"_s);
        QTRY_COMPARE_WITH_TIMEOUT(m_smtp->mails().size(), 1, 10000);
        QVERIFY(m_smtp->mails().constFirst().text.contains(u"over TLS"_s));
    }

    void notificationsCanBeListedAndRead()
    {
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        const qint64 pair = conversation(bob, alice);
        for (int i = 0; i < 3; ++i)
            say(bob, pair, u"n%1"_s.arg(i));
        auto listed = m_http->get(u"/api/notifications?unreadOnly=true"_s, alice.token);
        QCOMPARE(listed.status, 200);
        QJsonArray notifications = listed.body.value("notifications"_L1).toArray();
        QCOMPARE(notifications.size(), 3);
        QCOMPARE(notifications.first()["body"_L1].toString(), u"n2"_s); // newest first
        QCOMPARE(notifications.first()["kind"_L1].toString(), u"new_message"_s);
        const qint64 newest = notifications.first()["id"_L1].toInteger();
        QCOMPARE(
            m_http
                ->post(u"/api/notifications/read"_s, {{"ids"_L1, QJsonArray{newest}}}, alice.token)
                .body.value("updated"_L1)
                .toInt(),
            1);
        // Someone else's ids change nothing.
        QCOMPARE(
            m_http->post(u"/api/notifications/read"_s, {{"ids"_L1, QJsonArray{newest}}}, bob.token)
                .body.value("updated"_L1)
                .toInt(),
            0);
        listed = m_http->get(u"/api/notifications?unreadOnly=true&limit=1"_s, alice.token);
        QCOMPARE(listed.body.value("notifications"_L1).toArray().size(), 1);
        QCOMPARE(m_http->get(u"/api/notifications?limit=0"_s, alice.token).status, 400);
        QCOMPARE(
            m_http->post(u"/api/notifications/read"_s, {{"ids"_L1, "x"_L1}}, alice.token).status,
            400);
        QCOMPARE(m_http->get(u"/api/notifications"_s).status, 401);
    }
};

PITCHEY_TEST_MAIN(TestEmail)
#include "tst_email.moc"
