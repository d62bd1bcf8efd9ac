// Email digests against a real SMTP server (Debian's python3-aiosmtpd, writing a maildir).
// Minutes are seconds here, the email service's clock is the test's (moved on instead of
// waited for), and a batch pass runs when a test asks for one: each check waits for the
// pass and for the mailer's next look at the outbox, never for a length of time.
#include "Clients.h"
#include "ScratchPostgres.h"
#include "SmtpServer.h"
#include "TestMain.h"
#include "TestServer.h"
#include "notify/EmailService.h"
#include "protocol/Time.h"

#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

class TestEmail : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<SmtpServer> m_smtp;
    quint16 m_smtpPort = 0;
    std::shared_ptr<std::atomic<qint64>> m_clockAhead; // how far the email clock is ahead

    // The mail settings of every server here: the test's clock, no timed batch passes.
    void mailSettings(server::ServerConfig &config)
    {
        config.smtpUrl = u"smtp://127.0.0.1:%1"_s.arg(m_smtpPort);
        config.publicUrl = u"https://chat.example.test"_s;
        config.emailBatchSeconds = 3600;  // passes: pass()
        config.emailMinuteMs = 1000;      // emailDelayMinutes counts seconds here
        config.emailRetryBaseMs = 60'000; // far beyond real time: retries come with the clock
        config.emailClock = [ahead = m_clockAhead] { return currentTimeMs() + ahead->load(); };
    }

    // Moves the email clock on by `ms`, runs a batch pass on each server, and waits until
    // each mailer has looked at the outbox since (and sent what was due).
    bool pass(qint64 ms = 0, const QList<TestServer *> &servers = {})
    {
        m_clockAhead->fetch_add(ms);
        const QList<TestServer *> all = servers.isEmpty() ? QList{m_server.get()} : servers;
        std::vector<std::unique_ptr<QSignalSpy>> passed, settled;
        for (TestServer *each : all) {
            server::EmailService *email = each->server().email();
            passed.push_back(
                std::make_unique<QSignalSpy>(email, &server::EmailService::batchPassed));
            settled.push_back(
                std::make_unique<QSignalSpy>(email, &server::EmailService::outboxSettled));
            email->checkNow();
        }
        for (size_t i = 0; i < passed.size(); ++i) {
            if (!QTest::qWaitFor([&] { return !passed[i]->isEmpty(); }, 10000) ||
                passed[i]->constFirst().constFirst().toInt() < 0)
                return false;
        }
        for (auto &spy : settled) {
            if (!QTest::qWaitFor([&] { return !spy->isEmpty(); }, 15000))
                return false;
        }
        return true;
    }

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

    // The message's id, or -1.
    qint64 send(const HttpClient::Account &from, qint64 conversationId, const QString &text)
    {
        const auto sent =
            m_http->post(u"/api/messages/send"_s,
                         {{"conversationId"_L1, conversationId}, {"content"_L1, text}}, from.token);
        return sent.status == 201
                   ? sent.body.value("message"_L1).toObject().value("id"_L1).toInteger()
                   : -1;
    }

    // The bodies of the user's notifications, newest first, page by page (`limit` each).
    QStringList notificationBodies(const HttpClient::Account &user, const QString &filter,
                                   int limit)
    {
        QStringList bodies;
        QString before;
        for (int pages = 0; pages < 100; ++pages) {
            const auto listed = m_http->get(
                u"/api/notifications?limit=%1%2%3"_s.arg(limit).arg(filter, before), user.token);
            const QJsonArray page = listed.body.value("notifications"_L1).toArray();
            for (const auto &entry : page) {
                bodies << entry["body"_L1].toString() +
                              (entry["read"_L1].toBool() ? u" (read)"_s : QString());
                before = u"&before=%1"_s.arg(entry["id"_L1].toInteger());
            }
            if (page.size() < limit)
                break;
        }
        return bodies;
    }

private Q_SLOTS:
    void init()
    {
        m_smtpPort = freePort();
        m_clockAhead = std::make_shared<std::atomic<qint64>>(0);
        m_server = std::make_unique<TestServer>([this](server::ServerConfig &config) {
            mailSettings(config);
            config.mailFrom = u"Pitchey <noreply@pitchey.test>"_s;
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
        setPreferences(alice, {{"emailDelayMinutes"_L1, 3}});
        const qint64 pair = conversation(bob, alice);
        const QStringList texts{u"one"_s, u"two"_s, u"three"_s, u"four"_s,
                                u"<script>alert(5)</script>"_s};
        for (const QString &text : texts)
            say(bob, pair, text);

        QVERIFY(pass(2000)); // not unread long enough yet
        QVERIFY(m_smtp->mails().isEmpty());
        QVERIFY(pass(2000));
        QTRY_COMPARE(m_smtp->mails().size(), 1);
        QVERIFY(pass(1000) && pass(5000)); // more batch passes: still one
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

    void aDigestListsMentionsFirstAndOnlyWhatNotifies()
    {
        QVERIFY(m_smtp->start());
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        const auto carol = withEmail(u"carol"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 1}});
        const qint64 pair = conversation(bob, alice);
        const qint64 muted = m_http->createConversation(carol, {alice.id, bob.id}, u"Quiet"_s);
        const qint64 team = m_http->createConversation(carol, {alice.id, bob.id}, u"Team"_s);
        setPreferences(alice, {{"mutedConversationIds"_L1, QJsonArray{muted}}});
        const auto post = [&](const HttpClient::Account &from, const QJsonObject &body) {
            // -1 when refused, which the digest's lines below would show
            const auto sent = m_http->post(u"/api/messages/send"_s, body, from.token);
            return sent.status == 201 ? sent.body["message"_L1]["id"_L1].toInteger() : -1;
        };
        say(bob, pair, u"plain news"_s);
        post(carol, {{"conversationId"_L1, muted}, {"content"_L1, u"muted chatter"_s}});
        post(carol, {{"conversationId"_L1, muted},
                     {"content"_L1, u"alice, muted but named"_s},
                     {"mentions"_L1, QJsonObject{{"userIds"_L1, QJsonArray{alice.id}}}}});
        const qint64 root = post(bob, {{"conversationId"_L1, team}, {"content"_L1, u"root"_s}});
        post(carol, {{"conversationId"_L1, team},
                     {"content"_L1, u"a reply alice does not follow"_s},
                     {"threadRootId"_L1, root}});

        QVERIFY(pass(1000));
        QTRY_COMPARE(m_smtp->mails().size(), 1);
        const Mail mail = m_smtp->mails().constFirst();
        QCOMPARE(mail.to, u"alice@example.test"_s);
        const qsizetype mention = mail.text.indexOf(u"alice, muted but named"_s);
        QVERIFY2(mention >= 0, qPrintable(mail.text));
        QVERIFY(mention < mail.text.indexOf(u"Mentioned you"_s) + 40);
        QVERIFY(mention < mail.text.indexOf(u"plain news"_s));
        QVERIFY(mail.text.contains(u"root"_s));
        QVERIFY(!mail.text.contains(u"muted chatter"_s));
        QVERIFY(!mail.text.contains(u"a reply alice does not follow"_s));
        QVERIFY(mail.html.indexOf(u"Mentioned you"_s) < mail.html.indexOf(u"plain news"_s));
    }

    void oneDigestFromAClusterOfThree()
    {
        if (!ScratchPostgres::available())
            QSKIP("a cluster needs PostgreSQL (the *_postgres run)");
        // A relay that takes 2.5 s per message: the other mailers (each looks at the outbox
        // after every pass and every second) come by while the digest is being sent, and
        // must leave it alone.
        QVERIFY(m_smtp->startSlow(2.5));
        // Two more nodes on the same database, with the same mail settings: three batch
        // passes at once and three mailers, still one digest, sent once.
        const server::ServerConfig shared = m_server->config();
        auto node = [&shared](server::ServerConfig &config) {
            const QString dataDir = config.dataDir;
            config = shared;
            config.dataDir = dataDir;
            config.port = 0;
        };
        TestServer second(node), third(node);
        QVERIFY(second.start() && third.start());
        const QList<TestServer *> nodes{m_server.get(), &second, &third};
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 2}});
        say(bob, conversation(bob, alice), u"to a cluster"_s);
        QVERIFY(pass(3000, nodes)); // one mailer sends, the others found nothing to claim
        QTRY_COMPARE(m_smtp->mails().size(), 1);
        QVERIFY(pass(0, nodes) && pass(5000, nodes)); // a second send would be done by now
        QCOMPARE(m_smtp->mails().size(), 1);
        QVERIFY(m_smtp->mails().constFirst().text.contains(u"to a cluster"_s));
    }

    void digestsSumUpEveryConversation()
    {
        QVERIFY(m_smtp->start());
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        const auto carol = withEmail(u"carol"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 3}});
        say(bob, conversation(bob, alice), u"from bob"_s);
        say(carol, conversation(carol, alice), u"from carol"_s);
        QVERIFY(pass(4000));
        QTRY_COMPARE(m_smtp->mails().size(), 1);
        QVERIFY(pass(4000));
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
        QTest::newRow("read one by one") << u"read one"_s;
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
        if (why == "read one"_L1) {
            const QJsonArray unread =
                m_http->get(u"/api/notifications?unreadOnly=true"_s, alice.token)
                    .body.value("notifications"_L1)
                    .toArray();
            QCOMPARE(unread.size(), 1);
            QCOMPARE(m_http
                         ->post(u"/api/notifications/read"_s,
                                {{"ids"_L1, QJsonArray{unread.first()["id"_L1]}}}, alice.token)
                         .body.value("updated"_L1)
                         .toInt(),
                     1);
        }
        if (why == "online meanwhile"_L1) {
            QVERIFY(aliceSocket.open(m_server->wsUrl(alice.token)));
            aliceSocket.socket().close();
            QVERIFY(aliceSocket.waitForDisconnect());
        }
        QVERIFY(pass(4000) && pass(4000));
        QVERIFY(m_smtp->mails().isEmpty());
        // The same user, away, with a new message: the digest comes (the setup works).
        if (why == "online"_L1) {
            WsClient bobSocket; // hears when the server has seen Alice go
            QVERIFY(bobSocket.open(m_server->wsUrl(bob.token)));
            aliceSocket.socket().close();
            QVERIFY(aliceSocket.waitForDisconnect());
            QVERIFY(!bobSocket.waitFor(u"user_offline"_s).isEmpty());
            say(bob, pair, u"while away"_s);
            QVERIFY(pass(4000));
            QTRY_COMPARE(m_smtp->mails().size(), 1);
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
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"not sent, retry in 60 s"_s));
        QVERIFY(pass()); // queued, and the first attempt failed
        QVERIFY(m_smtp->start());
        QVERIFY(pass(30'000)); // not due yet
        QVERIFY(m_smtp->mails().isEmpty());
        QVERIFY(pass(31'000));
        QTRY_COMPARE(m_smtp->mails().size(), 1);
        QVERIFY(pass(3'600'000));
        QCOMPARE(m_smtp->mails().size(), 1);
    }

    void anUnsentDigestFollowsEditsAndDeletes()
    {
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        const auto erin = withEmail(u"erin"_s);
        for (const auto &user : {alice, erin})
            setPreferences(user, {{"emailDelayMinutes"_L1, 0}});
        const qint64 pair = conversation(bob, alice);
        const qint64 other = conversation(bob, erin);
        const auto post = [&](qint64 conversationId, const QString &text) {
            return m_http
                ->post(u"/api/messages/send"_s,
                       {{"conversationId"_L1, conversationId}, {"content"_L1, text}}, bob.token)
                .body["message"_L1]["id"_L1]
                .toInteger();
        };
        post(pair, u"keep me"_s);
        const qint64 doomed = post(pair, u"delete me"_s);
        const qint64 typo = post(pair, u"fix me"_s);
        const qint64 only = post(other, u"taken back"_s);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"not sent, retry in"_s));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"not sent, retry in"_s));
        QVERIFY(pass()); // both digests queued, neither sent (no SMTP server yet)

        QCOMPARE(m_http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(typo), R"({"content":"fixed"})",
                            bob.token)
                     .status,
                 200);
        for (const qint64 id : {doomed, only})
            QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(id), {}, bob.token).status,
                     200);
        QVERIFY(m_smtp->start());
        QVERIFY(pass(61'000));
        QTRY_COMPARE(m_smtp->mails().size(), 1);
        QVERIFY(pass(3'600'000));
        const QList<Mail> mails = m_smtp->mails();
        QCOMPARE(mails.size(), 1); // Erin's digest had nothing left: dropped
        const Mail &mail = mails.constFirst();
        QCOMPARE(mail.to, u"alice@example.test"_s);
        QCOMPARE(mail.subject, u"2 unread messages from bob"_s);
        QVERIFY2(mail.text.contains(u"keep me"_s) && mail.text.contains(u"fixed"_s),
                 qPrintable(mail.text));
        for (const QString &gone : {u"delete me"_s, u"fix me"_s, u"taken back"_s})
            QVERIFY2(!mail.text.contains(gone) && !mail.html.contains(gone), qPrintable(gone));
    }

    void aRestartResumesTheOutbox()
    {
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 0}});
        say(bob, conversation(bob, alice), u"before the restart"_s);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"not sent, retry in"_s));
        QVERIFY(pass()); // in the outbox, not sent
        m_server->restart();
        QVERIFY(m_server->port() > 0);
        QVERIFY(m_smtp->start());
        QVERIFY(pass(61'000));
        QTRY_COMPARE(m_smtp->mails().size(), 1);
        QVERIFY(pass(3'600'000));
        QCOMPARE(m_smtp->mails().size(), 1);
        QVERIFY(m_smtp->mails().constFirst().text.contains(u"before the restart"_s));
    }

    void startTlsAndLogin()
    {
        QVERIFY(m_smtp->start(true));
        // A server of its own: this one must trust the throwaway certificate and log in.
        m_server = std::make_unique<TestServer>([this](server::ServerConfig &config) {
            mailSettings(config);
            config.smtpUser = u"pitchey"_s;
            config.smtpPassword = u"s3cret"_s;
            config.smtpCaFile = m_smtp->caFile();
            config.mailFrom = u"noreply@pitchey.test"_s;
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        setPreferences(alice, {{"emailDelayMinutes"_L1, 0}});
        say(bob, conversation(bob, alice), u"over TLS"_s);
        QVERIFY(pass());
        QTRY_COMPARE(m_smtp->mails().size(), 1);
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

    void notificationsPageAcrossConversations()
    {
        const auto alice = withEmail(u"alice"_s);
        const auto bob = withEmail(u"bob"_s);
        const auto carol = withEmail(u"carol"_s);
        const auto dave = withEmail(u"dave"_s);
        const qint64 withBob = conversation(bob, alice);
        const qint64 withCarol = conversation(carol, alice);
        const qint64 withDave = conversation(dave, alice);
        setPreferences(alice, {{"mutedConversationIds"_L1, QJsonArray{withDave}}});
        // Interleaved, with Alice's own messages and a muted conversation in between.
        QStringList expected; // newest first
        QHash<QString, qint64> idOf;
        for (int i = 0; i < 4; ++i) {
            idOf[u"b%1"_s.arg(i)] = send(bob, withBob, u"b%1"_s.arg(i));
            QVERIFY(send(dave, withDave, u"d%1"_s.arg(i)) > 0);
            QVERIFY(send(alice, withCarol, u"a%1"_s.arg(i)) > 0);
            idOf[u"c%1"_s.arg(i)] = send(carol, withCarol, u"c%1"_s.arg(i));
            expected.prepend(u"b%1"_s.arg(i));
            expected.prepend(u"c%1"_s.arg(i));
        }
        QCOMPARE(notificationBodies(alice, {}, 3), expected);
        QCOMPARE(notificationBodies(alice, {}, 100), expected);

        // One by one, and by reading a conversation up to b1.
        QCOMPARE(m_http
                     ->post(u"/api/notifications/read"_s,
                            {{"ids"_L1, QJsonArray{idOf[u"c3"_s], idOf[u"b2"_s]}}}, alice.token)
                     .body.value("updated"_L1)
                     .toInt(),
                 2);
        WsClient socket;
        QVERIFY(socket.open(m_server->wsUrl(alice.token)));
        socket.sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, idOf[u"b1"_s]}});
        const QStringList unread{u"b3"_s, u"c2"_s, u"c1"_s, u"c0"_s};
        QTRY_COMPARE(notificationBodies(alice, u"&unreadOnly=true"_s, 2), unread);
        QCOMPARE(notificationBodies(alice, {}, 3),
                 (QStringList{u"c3 (read)"_s, u"b3"_s, u"c2"_s, u"b2 (read)"_s, u"c1"_s,
                              u"b1 (read)"_s, u"c0"_s, u"b0 (read)"_s}));

        // Everything: the rest, counted once.
        QCOMPARE(m_http->post(u"/api/notifications/read"_s, {{"all"_L1, true}}, alice.token)
                     .body.value("updated"_L1)
                     .toInt(),
                 4);
        QVERIFY(notificationBodies(alice, u"&unreadOnly=true"_s, 10).isEmpty());
        QCOMPARE(m_http->post(u"/api/notifications/read"_s, {{"all"_L1, true}}, alice.token)
                     .body.value("updated"_L1)
                     .toInt(),
                 0);
        // What arrives afterwards is unread again.
        QVERIFY(send(bob, withBob, u"b4"_s) > 0);
        QCOMPARE(notificationBodies(alice, u"&unreadOnly=true"_s, 10), QStringList{u"b4"_s});
    }
};

PITCHEY_TEST_MAIN(TestEmail)
#include "tst_email.moc"
