// The WebSocket half of the wire contract, line by line, against a real server on a real
// socket with a real SQLite file.
#include "Clients.h"
#include "TestMain.h"
#include "TestServer.h"
#include "base/Metrics.h"
#include "storage/DbWorker.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>
#include <QUuid>

#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestWebSocket : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;
    HttpClient::Account m_alice, m_bob, m_carol;
    qint64 m_pair = 0;      // alice + bob
    QByteArray m_serverFor; // the test function m_server was started for
    // The contract's 6 s (typingExpiryIsTheContracts), shortened here.
    static constexpr std::chrono::milliseconds kTypingExpiry{500};

    std::unique_ptr<WsClient> connectAs(const HttpClient::Account &account)
    {
        auto client = std::make_unique<WsClient>();
        if (!client->open(m_server->wsUrl(account.token)))
            qWarning() << "could not connect" << account.username;
        return client;
    }

    // A fresh server with these settings, and the HTTP client for it (replacing init()'s).
    bool startServer(const std::function<void(pitchey::server::ServerConfig &)> &adjust)
    {
        m_http.reset();
        m_server = std::make_unique<TestServer>(adjust);
        if (!m_server->start())
            return false;
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        return true;
    }

    qint64 storedMessageCount(qint64 conversationId)
    {
        return m_http
            ->get(u"/api/messages/%1/messages?limit=100"_s.arg(conversationId), m_alice.token)
            .body.value("messages"_L1)
            .toArray()
            .size();
    }

private Q_SLOTS:
    void init()
    {
        // The server logs a storage failure as a warning; none may happen in these suites.
        QTest::failOnWarning(
            QRegularExpression(u"query failed|prepare failed|commit failed|cannot begin"_s));
        // The rows of a data-driven test share one server (each row leaves it as it found
        // it, see cleanup()); every test function gets a fresh one.
        if (m_server && m_serverFor == QTest::currentTestFunction())
            return;
        m_serverFor = QTest::currentTestFunction();
        QVERIFY(startServer([](auto &config) {
            config.rateBurst = 1000;
            config.typingExpiry = kTypingExpiry;
        }));
        m_alice = m_http->registerUser(u"alice"_s);
        m_bob = m_http->registerUser(u"bob"_s);
        m_carol = m_http->registerUser(u"carol"_s);
        const auto pair =
            m_http->post(u"/api/messages/conversations"_s,
                         {{"participantIds"_L1, QJsonArray{m_bob.id}}}, m_alice.token);
        QCOMPARE(pair.status, 201);
        m_pair = pair.body.value("conversation"_L1).toObject().value("id"_L1).toInteger();
    }

    void cleanup()
    {
        if (QTest::currentDataTag() && !QTest::currentTestFailed())
            return; // the next row goes on with this server
        m_http.reset();
        m_server.reset();
        m_serverFor.clear();
    }

    void connectedIsTheFirstFrame()
    {
        auto alice = connectAs(m_alice);
        const QJsonObject first = alice->frames().constFirst();
        QCOMPARE(first.value("type"_L1).toString(), u"connected"_s);
        QCOMPARE(first.value("userId"_L1).toInteger(), m_alice.id);
        QVERIFY(first.value("serverTime"_L1).toString().endsWith(u'Z'));
        // Version 2: the change feed's position, as the feed itself gives it.
        const auto feed = [&] {
            return m_http->get(u"/api/messages/changes"_s, m_alice.token)
                .body.value("latestChangeId"_L1)
                .toInteger();
        };
        QCOMPARE(first.value("latestChangeId"_L1).toInteger(), feed());
        m_http->post(u"/api/messages/send"_s,
                     {{"conversationId"_L1, m_pair}, {"content"_L1, u"moves the feed"_s}},
                     m_bob.token);
        const auto again = connectAs(m_alice);
        const qint64 latest = again->frames().constFirst().value("latestChangeId"_L1).toInteger();
        QCOMPARE(latest, feed());
        QCOMPARE(latest, first.value("latestChangeId"_L1).toInteger() + 1);
    }

    // Version 2, Editing, over the WebSocket: every connection of every participant hears
    // of it, the requesting one with its clientRequestId as ref; an edit that changes nothing
    // reaches the requester alone; refusals carry the ref (and a conflict the current one).
    void editMessageReachesEveryParticipant()
    {
        auto alice = connectAs(m_alice);
        auto aliceElsewhere = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, u"teh"_s}});
        const qint64 id = alice->waitFor(u"message_sent"_s)["messageId"_L1].toInteger();
        QVERIFY(id > 0);
        QVERIFY(!bob->waitFor(u"new_message"_s).isEmpty());
        QVERIFY(!bob->waitFor(u"notification"_s).isEmpty()); // the message's, not the edit's

        const QJsonObject edit{{"type"_L1, "edit_message"_L1},
                               {"messageId"_L1, id},
                               {"content"_L1, u"the"_s},
                               {"version"_L1, 1},
                               {"clientRequestId"_L1, u"e1"_s}};
        alice->sendJson(edit);
        const QJsonObject mine = alice->waitFor(u"message_updated"_s);
        QCOMPARE(mine["ref"_L1].toString(), u"e1"_s);
        QCOMPARE(mine["change"_L1].toString(), u"edited"_s);
        QCOMPARE(mine["message"_L1]["content"_L1].toString(), u"the"_s);
        QCOMPARE(mine["message"_L1]["version"_L1].toInteger(), 2);
        QCOMPARE(mine["changeId"_L1], mine["message"_L1]["changeId"_L1]);
        for (WsClient *other : {aliceElsewhere.get(), bob.get()}) {
            const QJsonObject theirs = other->waitFor(u"message_updated"_s);
            QVERIFY(theirs["ref"_L1].isNull());
            QCOMPARE(theirs["message"_L1], mine["message"_L1]);
        }
        // An edit is not a new message: nothing else arrives.
        QVERIFY(bob->staysQuiet(u"new_message"_s));
        QVERIFY(bob->staysQuiet(u"notification"_s));

        // The same text again: only the requester hears, with its ref.
        QJsonObject again = edit;
        again["version"_L1] = 2;
        again["clientRequestId"_L1] = u"e2"_s;
        alice->sendJson(again);
        QCOMPARE(alice->waitFor(u"message_updated"_s)["ref"_L1].toString(), u"e2"_s);
        QVERIFY(bob->staysQuiet(u"message_updated"_s));

        // Stale: conflict, with the ref and the current message.
        QJsonObject stale = edit;
        stale["content"_L1] = u"then"_s;
        stale["clientRequestId"_L1] = u"e3"_s;
        alice->sendJson(stale);
        const QJsonObject conflict = alice->waitFor(u"error"_s);
        QCOMPARE(conflict["code"_L1].toString(), u"conflict"_s);
        QCOMPARE(conflict["ref"_L1].toString(), u"e3"_s);
        QCOMPARE(conflict["current"_L1]["version"_L1].toInteger(), 2);
        // Someone else's message; a malformed frame: refused with the ref, kept connected.
        QJsonObject notMine = edit;
        notMine["clientRequestId"_L1] = u"b1"_s;
        notMine.remove("version"_L1);
        bob->sendJson(notMine);
        const QJsonObject forbidden = bob->waitFor(u"error"_s);
        QCOMPARE(forbidden["code"_L1].toString(), u"forbidden"_s);
        QCOMPARE(forbidden["ref"_L1].toString(), u"b1"_s);
        bob->sendJson({{"type"_L1, "edit_message"_L1},
                       {"messageId"_L1, id},
                       {"clientRequestId"_L1, u"b2"_s}});
        const QJsonObject malformed = bob->waitFor(u"error"_s);
        QCOMPARE(malformed["code"_L1].toString(), u"bad_request"_s);
        QCOMPARE(malformed["ref"_L1].toString(), u"b2"_s);
        bob->sendJson({{"type"_L1, "ping"_L1}});
        QVERIFY(!bob->waitFor(u"pong"_s).isEmpty());
    }

    // Version 2, Deleting, over the WebSocket: the tombstone reaches every connection, the
    // recipients' notifications are revoked, each participant whose conversation changed
    // gets it again; a recipient who was away is not pushed the deleted message.
    void deleteMessageReachesEveryParticipant()
    {
        auto alice = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        const auto say = [&](const QString &text) {
            alice->sendJson({{"type"_L1, "send_message"_L1},
                             {"conversationId"_L1, m_pair},
                             {"content"_L1, text}});
            return alice->waitFor(u"message_sent"_s)["messageId"_L1].toInteger();
        };
        say(u"keep"_s);
        const qint64 id = say(u"oops"_s);
        QVERIFY(
            !bob->waitFor(u"new_message"_s, 5000,
                          [&](const QJsonObject &f) { return f["messageId"_L1].toInteger() == id; })
                 .isEmpty());

        alice->sendJson({{"type"_L1, "delete_message"_L1},
                         {"messageId"_L1, id},
                         {"clientRequestId"_L1, u"d1"_s}});
        const QJsonObject mine = alice->waitFor(u"message_updated"_s);
        QCOMPARE(mine["change"_L1].toString(), u"deleted"_s);
        QCOMPARE(mine["ref"_L1].toString(), u"d1"_s);
        QCOMPARE(mine["message"_L1]["content"_L1].toString(), QString());
        QVERIFY(mine["message"_L1]["deletedAt"_L1].isString());
        const QJsonObject theirs = bob->waitFor(u"message_updated"_s);
        QVERIFY(theirs["ref"_L1].isNull());
        QCOMPARE(theirs["message"_L1], mine["message"_L1]);
        const QJsonObject revoked = bob->waitFor(u"notification_revoked"_s);
        QCOMPARE(revoked["ids"_L1].toArray(), QJsonArray{id});
        // Bob had it unread, and it was everybody's last message.
        const QJsonObject bobs = bob->waitFor(u"conversation_updated"_s);
        QCOMPARE(bobs["conversation"_L1]["unreadCount"_L1].toInteger(), 1);
        QCOMPARE(bobs["conversation"_L1]["lastMessage"_L1]["content"_L1].toString(), u"keep"_s);
        const QJsonObject alices = alice->waitFor(u"conversation_updated"_s);
        QCOMPARE(alices["conversation"_L1]["lastMessage"_L1]["content"_L1].toString(), u"keep"_s);
        QVERIFY(alice->staysQuiet(u"notification_revoked"_s)); // she had none

        // Deleting again answers the requester alone; someone else's: forbidden, with ref.
        alice->sendJson({{"type"_L1, "delete_message"_L1}, {"messageId"_L1, id}});
        QVERIFY(alice->waitFor(u"message_updated"_s)["ref"_L1].isNull());
        QVERIFY(bob->staysQuiet(u"message_updated"_s));
        bob->sendJson({{"type"_L1, "delete_message"_L1},
                       {"messageId"_L1, id - 1},
                       {"clientRequestId"_L1, u"b1"_s}});
        const QJsonObject forbidden = bob->waitFor(u"error"_s);
        QCOMPARE(forbidden["code"_L1].toString(), u"forbidden"_s);
        QCOMPARE(forbidden["ref"_L1].toString(), u"b1"_s);

        // Carol, away, gets a message that is deleted before she comes back: never pushed.
        const qint64 group =
            m_http
                ->post(u"/api/messages/conversations"_s,
                       {{"participantIds"_L1, QJsonArray{m_carol.id}}}, m_alice.token)
                .body["conversation"_L1]["id"_L1]
                .toInteger();
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, group},
                         {"content"_L1, u"never mind"_s}});
        const qint64 gone = alice->waitFor(u"message_sent"_s)["messageId"_L1].toInteger();
        alice->sendJson({{"type"_L1, "delete_message"_L1}, {"messageId"_L1, gone}});
        QVERIFY(!alice->waitFor(u"message_updated"_s).isEmpty());
        auto carol = connectAs(m_carol);
        QVERIFY(carol->staysQuiet(u"new_message"_s));
    }

    void closedConnectionsLeaveNothingBehind()
    {
        // A server that runs for months sees millions of connections come and go: each must
        // free its socket once it is closed, whichever side closed it.
        // (Sockets on the main thread hang under the server; the I/O threads count theirs.)
        auto sockets = [this] {
            return m_server->server().findChildren<QTcpSocket *>().size() +
                   m_server->server().webSocketsHeld();
        };
        const qsizetype before = sockets();
        std::vector<std::unique_ptr<WsClient>> clients;
        clients.reserve(5);
        for (int i = 0; i < 5; ++i)
            clients.push_back(connectAs(i % 2 ? m_alice : m_bob));
        QCOMPARE(sockets(), before + 5);
        clients.front()->socket().close();
        clients.at(1)->socket().abort();
        clients.resize(2); // the rest are destroyed: closed from the client's side
        QTRY_COMPARE(sockets(), before);
        WsClient refused; // and one the server closes (bad token)
        refused.socket().open(m_server->wsUrl(u"not-a-jwt"_s));
        QVERIFY(refused.waitForDisconnect());
        QTRY_COMPARE(sockets(), before);
    }

    void badTokensAreClosedWith1008_data()
    {
        QTest::addColumn<QString>("token");
        QTest::newRow("missing") << QString();
        QTest::newRow("garbage") << u"not-a-jwt"_s;
        QTest::newRow("tampered") << u"x"_s; // replaced below
    }

    void badTokensAreClosedWith1008()
    {
        QFETCH(QString, token);
        if (token == "x"_L1) {
            // One character of the signature changed (not the last: its low bits are
            // padding, and a fixed replacement could be what was there).
            token = m_alice.token;
            const qsizetype at = token.size() - 5;
            token[at] = token.at(at) == u'A' ? u'B' : u'A';
        }
        WsClient client;
        client.socket().open(m_server->wsUrl(token));
        QVERIFY(client.waitForDisconnect());
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
        QVERIFY(client.frames().isEmpty());
    }

    void pingIsAnsweredWithPong()
    {
        auto alice = connectAs(m_alice);
        alice->sendJson({{"type"_L1, "ping"_L1}});
        QVERIFY(!alice->waitFor(u"pong"_s).isEmpty());
    }

    void sendReachesEveryOtherConnection()
    {
        auto alice = connectAs(m_alice);
        auto aliceSecond = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, "  <b>hi</b> & bye "_L1},
                         {"clientMessageId"_L1, "c-1"_L1}});
        const QJsonObject sent = alice->waitFor(u"message_sent"_s);
        QCOMPARE(sent.value("clientMessageId"_L1).toString(), u"c-1"_s);
        QCOMPARE(sent.value("conversationId"_L1).toInteger(), m_pair);
        QVERIFY(sent.value("messageId"_L1).toInteger() > 0);
        QVERIFY(sent.value("createdAt"_L1).toString().endsWith(u'Z'));

        for (WsClient *other : {bob.get(), aliceSecond.get()}) {
            const QJsonObject received = other->waitFor(u"new_message"_s);
            QCOMPARE(received.value("messageId"_L1), sent.value("messageId"_L1));
            QCOMPARE(received.value("content"_L1).toString(),
                     u"  <b>hi</b> & bye "_s); // byte for byte
            QCOMPARE(received.value("senderId"_L1).toInteger(), m_alice.id);
            QVERIFY(received.contains("replyToId"_L1));
        }
        QVERIFY(alice->staysQuiet(u"new_message"_s));
    }

    void repeatedClientMessageIdIsNotStoredTwice()
    {
        auto alice = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        const QJsonObject frame{{"type"_L1, "send_message"_L1},
                                {"conversationId"_L1, m_pair},
                                {"content"_L1, "once"_L1},
                                {"clientMessageId"_L1, "dup-1"_L1}};
        alice->sendJson(frame);
        const QJsonObject first = alice->waitFor(u"message_sent"_s);
        QVERIFY(!bob->waitFor(u"new_message"_s).isEmpty());
        alice->sendJson(frame);
        const QJsonObject again = alice->waitFor(u"message_sent"_s);
        QCOMPARE(again.value("messageId"_L1), first.value("messageId"_L1));
        QVERIFY(bob->staysQuiet(u"new_message"_s));
        QCOMPARE(storedMessageCount(m_pair), 1);
    }

    void sendToRecipientCreatesThePairConversation()
    {
        auto carol = connectAs(m_carol);
        auto alice = connectAs(m_alice);
        carol->sendJson({{"type"_L1, "send_message"_L1},
                         {"recipientId"_L1, m_alice.id},
                         {"content"_L1, "hello"_L1}});
        const QJsonObject sent = carol->waitFor(u"message_sent"_s);
        QVERIFY(sent.value("conversationId"_L1).toInteger() > 0);
        QVERIFY(sent.value("clientMessageId"_L1).isNull());
        QCOMPARE(alice->waitFor(u"new_message"_s).value("conversationId"_L1),
                 sent.value("conversationId"_L1));
    }

    void refusedFramesKeepTheConnectionAndStoreNothing_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("ref");
        QTest::newRow("not json") << u"{nope"_s << u"bad_request"_s << QString();
        QTest::newRow("not an object") << u"[1,2]"_s << u"bad_request"_s << QString();
        QTest::newRow("unknown type") << u"{\"type\":\"dance\"}"_s << u"bad_request"_s << QString();
        QTest::newRow("no type") << u"{\"content\":\"x\"}"_s << u"bad_request"_s << QString();
        QTest::newRow("missing content")
            << u"{\"type\":\"send_message\",\"conversationId\":%1,\"clientMessageId\":\"r1\"}"_s
            << u"bad_request"_s << u"r1"_s;
        QTest::newRow("mistyped id")
            << u"{\"type\":\"send_message\",\"conversationId\":\"1\",\"content\":\"x\"}"_s
            << u"bad_request"_s << QString();
        QTest::newRow("both targets")
            << u"{\"type\":\"send_message\",\"conversationId\":%1,\"recipientId\":2,\"content\":\"x\"}"_s
            << u"bad_request"_s << QString();
        QTest::newRow("no target")
            << u"{\"type\":\"send_message\",\"content\":\"x\"}"_s << u"bad_request"_s << QString();
        QTest::newRow("blank content")
            << u"{\"type\":\"send_message\",\"conversationId\":%1,\"content\":\" \\n\\t \"}"_s
            << u"bad_request"_s << QString();
        QTest::newRow("too long")
            << u"{\"type\":\"send_message\",\"conversationId\":%1,\"content\":\"%2\",\"clientMessageId\":\"r2\"}"_s
            << u"bad_request"_s << u"r2"_s;
        QTest::newRow("unknown recipient")
            << u"{\"type\":\"send_message\",\"recipientId\":999,\"content\":\"x\"}"_s
            << u"bad_request"_s << QString();
        QTest::newRow("not a participant")
            << u"{\"type\":\"send_message\",\"conversationId\":%1,\"content\":\"x\",\"clientMessageId\":\"r3\"}"_s
            << u"forbidden"_s << u"r3"_s;
        QTest::newRow("typing elsewhere") << u"{\"type\":\"typing_start\",\"conversationId\":%1}"_s
                                          << u"forbidden"_s << QString();
        QTest::newRow("join elsewhere")
            << u"{\"type\":\"join_conversation\",\"conversationId\":%1}"_s << u"forbidden"_s
            << QString();
        QTest::newRow("read elsewhere")
            << u"{\"type\":\"message_read\",\"messageId\":%3}"_s << u"forbidden"_s << QString();
        QTest::newRow("negative id") << u"{\"type\":\"message_delivered\",\"messageId\":-4}"_s
                                     << u"bad_request"_s << QString();
    }

    void refusedFramesKeepTheConnectionAndStoreNothing()
    {
        QFETCH(QString, text);
        QFETCH(QString, code);
        QFETCH(QString, ref);
        auto alice = connectAs(m_alice);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, "seed"_L1}});
        const qint64 seed = alice->waitFor(u"message_sent"_s).value("messageId"_L1).toInteger();
        const bool asCarol = QByteArray(QTest::currentDataTag()).contains("elsewhere") ||
                             QByteArray(QTest::currentDataTag()) == "not a participant";
        auto sender = asCarol ? connectAs(m_carol) : connectAs(m_alice);
        const qint64 before = storedMessageCount(m_pair);

        sender->sendRaw(text.arg(m_pair).arg(QString(10001, u'x')).arg(seed));
        const QJsonObject error = sender->waitFor(u"error"_s);
        QCOMPARE(error.value("code"_L1).toString(), code);
        QVERIFY(!error.value("message"_L1).toString().isEmpty());
        if (ref.isEmpty())
            QVERIFY(error.value("ref"_L1).isNull());
        else
            QCOMPARE(error.value("ref"_L1).toString(), ref);

        sender->sendJson({{"type"_L1, "ping"_L1}});
        QVERIFY(!sender->waitFor(u"pong"_s).isEmpty());
        QCOMPARE(storedMessageCount(m_pair), before);
    }

    void frameOver64KiBClosesWith1009()
    {
        auto alice = connectAs(m_alice);
        alice->sendRaw(QString(65 * 1024, u'x'));
        QVERIFY(alice->waitForDisconnect());
        QCOMPARE(alice->closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    }

    void typingStartStopAndExpiry()
    {
        auto alice = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        alice->sendJson({{"type"_L1, "typing_start"_L1}, {"conversationId"_L1, m_pair}});
        QJsonObject typing = bob->waitFor(u"user_typing"_s);
        QCOMPARE(typing.value("userId"_L1).toInteger(), m_alice.id);
        QCOMPARE(typing.value("conversationId"_L1).toInteger(), m_pair);
        QCOMPARE(typing.value("isTyping"_L1).toBool(), true);
        QVERIFY(alice->staysQuiet(u"user_typing"_s));

        alice->sendJson({{"type"_L1, "typing_stop"_L1}, {"conversationId"_L1, m_pair}});
        QCOMPARE(bob->waitFor(u"user_typing"_s).value("isTyping"_L1).toBool(), false);

        // Not renewed: it ends by itself after the expiry.
        QElapsedTimer clock;
        clock.start();
        alice->sendJson({{"type"_L1, "typing_start"_L1}, {"conversationId"_L1, m_pair}});
        QVERIFY(bob->waitFor(u"user_typing"_s).value("isTyping"_L1).toBool());
        const QJsonObject ended = bob->waitFor(u"user_typing"_s);
        QCOMPARE(ended.value("isTyping"_L1).toBool(), false);
        QVERIFY2(clock.elapsed() >= kTypingExpiry.count(), "typing ended too early");
    }

    void typingExpiryIsTheContracts()
    {
        QCOMPARE(pitchey::server::ServerConfig().typingExpiry, std::chrono::seconds(6));
    }

    void readingOnOneDeviceClearsNotificationsOnTheOthers()
    {
        auto phone = connectAs(m_alice);
        auto desktop = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        bob->sendJson({{"type"_L1, "send_message"_L1},
                       {"conversationId"_L1, m_pair},
                       {"content"_L1, "ping"_L1},
                       {"clientMessageId"_L1, "x1"_L1}});
        const qint64 id = desktop->waitFor(u"notification"_s)
                              .value("notification"_L1)
                              .toObject()
                              .value("messageId"_L1)
                              .toInteger();
        QCOMPARE(phone->waitFor(u"notification"_s)["notification"_L1]["messageId"_L1].toInteger(),
                 id);
        QCOMPARE(m_http->get(u"/api/notifications?unreadOnly=true"_s, m_alice.token)
                     .body.value("notifications"_L1)
                     .toArray()
                     .size(),
                 1);
        phone->sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, id}});
        const QJsonObject cleared = desktop->waitFor(u"message_read"_s);
        QCOMPARE(cleared.value("readBy"_L1).toInteger(), m_alice.id);
        QCOMPARE(cleared.value("conversationId"_L1).toInteger(), m_pair);
        QCOMPARE(m_http->get(u"/api/notifications?unreadOnly=true"_s, m_alice.token)
                     .body.value("notifications"_L1)
                     .toArray()
                     .size(),
                 0);
    }

    void privateReadReceiptsAndTyping()
    {
        auto alice = connectAs(m_alice);
        auto aliceElsewhere = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        QCOMPARE(m_http
                     ->put(u"/api/notifications/preferences"_s,
                           {{"sendReadReceipts"_L1, false}, {"sendTypingIndicators"_L1, false}},
                           m_alice.token)
                     .status,
                 200);
        bob->sendJson({{"type"_L1, "send_message"_L1},
                       {"conversationId"_L1, m_pair},
                       {"content"_L1, "hi"_L1},
                       {"clientMessageId"_L1, "p1"_L1}});
        const qint64 id = bob->waitFor(u"message_sent"_s).value("messageId"_L1).toInteger();

        // Alice types and reads: Bob hears of neither; her other device learns of the read.
        alice->sendJson({{"type"_L1, "typing_start"_L1}, {"conversationId"_L1, m_pair}});
        alice->sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, id}});
        QCOMPARE(aliceElsewhere->waitFor(u"message_read"_s).value("messageId"_L1).toInteger(), id);
        QVERIFY(bob->staysQuiet(u"message_read"_s));
        QVERIFY(bob->framesOf(u"user_typing"_s).isEmpty());
        const auto readMarkers = [&](const QString &token) {
            QHash<qint64, qint64> markers;
            const auto list = m_http->get(u"/api/messages/conversations"_s, token);
            for (const auto &marker : list.body["conversations"_L1][0]["readMarkers"_L1].toArray())
                markers.insert(marker["userId"_L1].toInteger(), marker["messageId"_L1].toInteger());
            return markers;
        };
        QVERIFY(!readMarkers(m_bob.token).contains(m_alice.id));
        QCOMPARE(readMarkers(m_alice.token).value(m_alice.id), id); // her own, for her devices

        // Switched back on, typing flows again.
        QCOMPARE(m_http
                     ->put(u"/api/notifications/preferences"_s, {{"sendTypingIndicators"_L1, true}},
                           m_alice.token)
                     .status,
                 200);
        alice->sendJson({{"type"_L1, "typing_start"_L1}, {"conversationId"_L1, m_pair}});
        QVERIFY(bob->waitFor(u"user_typing"_s).value("isTyping"_L1).toBool());
        // The private one, decided long before, never came.
        QCOMPARE(bob->framesOf(u"user_typing"_s).size(), 1);
        QCOMPARE(m_http
                     ->put(u"/api/notifications/preferences"_s, {{"sendReadReceipts"_L1, 1}},
                           m_alice.token)
                     .status,
                 400);
    }

    void presenceFollowsFirstAndLastConnection()
    {
        auto bob = connectAs(m_bob);
        auto carol = connectAs(m_carol); // shares no conversation with alice
        auto alice = connectAs(m_alice);
        const QJsonObject online = bob->waitFor(u"user_online"_s);
        QCOMPARE(online.value("userId"_L1).toInteger(), m_alice.id);
        QCOMPARE(online.value("username"_L1).toString(), u"alice"_s);

        auto aliceSecond = connectAs(m_alice); // admitted: its presence is decided
        QVERIFY(bob->staysQuiet(u"user_online"_s));
        alice.reset();
        aliceSecond.reset();
        // Offline once the last is gone: the first close, handled before, announced nothing.
        QCOMPARE(bob->waitFor(u"user_offline"_s).value("userId"_L1).toInteger(), m_alice.id);
        QVERIFY(bob->staysQuiet(u"user_offline"_s));
        QVERIFY(carol->staysQuiet(u"user_online"_s));
        QVERIFY(carol->framesOf(u"user_offline"_s).isEmpty());
    }

    void deliveryAndReadReceipts()
    {
        auto alice = connectAs(m_alice);
        auto bob = connectAs(m_bob);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, "one"_L1}});
        const qint64 first = alice->waitFor(u"message_sent"_s).value("messageId"_L1).toInteger();
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, "two"_L1}});
        const qint64 second = alice->waitFor(u"message_sent"_s).value("messageId"_L1).toInteger();

        bob->sendJson({{"type"_L1, "message_delivered"_L1}, {"messageId"_L1, first}});
        const QJsonObject delivered = alice->waitFor(u"message_delivered"_s);
        QCOMPARE(delivered.value("messageId"_L1).toInteger(), first);
        QCOMPARE(delivered.value("conversationId"_L1).toInteger(), m_pair);
        QCOMPARE(delivered.value("deliveredTo"_L1).toInteger(), m_bob.id);
        QVERIFY(delivered.value("deliveredAt"_L1).toString().endsWith(u'Z'));

        QCOMPARE(m_http->get(u"/api/messages/conversations"_s, m_bob.token)
                     .body.value("conversations"_L1)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value("unreadCount"_L1)
                     .toInteger(),
                 2);
        bob->sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, second}});
        const QJsonObject read = alice->waitFor(u"message_read"_s);
        QCOMPARE(read.value("messageId"_L1).toInteger(), second);
        QCOMPARE(read.value("readBy"_L1).toInteger(), m_bob.id);
        QCOMPARE(read.value("conversationId"_L1).toInteger(), m_pair);
        QVERIFY(read.value("readAt"_L1).toString().endsWith(u'Z'));
        QCOMPARE(m_http->get(u"/api/messages/conversations"_s, m_bob.token)
                     .body.value("conversations"_L1)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value("unreadCount"_L1)
                     .toInteger(),
                 0);
    }

    void offlineMessagesArriveInOrderAfterConnected()
    {
        {
            auto alice = connectAs(m_alice);
            for (int i = 0; i < 5; ++i) {
                alice->sendJson({{"type"_L1, "send_message"_L1},
                                 {"conversationId"_L1, m_pair},
                                 {"content"_L1, u"offline %1"_s.arg(i)}});
                QVERIFY(!alice->waitFor(u"message_sent"_s).isEmpty());
            }
        }
        auto bob = connectAs(m_bob);
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i) {
            const QJsonObject message = bob->waitFor(u"new_message"_s);
            QCOMPARE(message.value("content"_L1).toString(), u"offline %1"_s.arg(i));
            ids.append(message.value("messageId"_L1).toInteger());
        }
        QVERIFY(std::is_sorted(ids.begin(), ids.end()));
        // Acknowledge three: only the other two come again on the next connection.
        for (int i = 0; i < 3; ++i)
            bob->sendJson({{"type"_L1, "message_delivered"_L1}, {"messageId"_L1, ids.at(i)}});
        bob->sendJson({{"type"_L1, "ping"_L1}});
        QVERIFY(!bob->waitFor(u"pong"_s).isEmpty());
        bob.reset();
        auto again = connectAs(m_bob);
        QCOMPARE(again->waitFor(u"new_message"_s).value("messageId"_L1).toInteger(), ids.at(3));
        QCOMPARE(again->waitFor(u"new_message"_s).value("messageId"_L1).toInteger(), ids.at(4));
        QVERIFY(again->staysQuiet(u"new_message"_s));
    }

    void joinAnswersWithTheLast50()
    {
        auto alice = connectAs(m_alice);
        for (int i = 0; i < 55; ++i)
            alice->sendJson({{"type"_L1, "send_message"_L1},
                             {"conversationId"_L1, m_pair},
                             {"content"_L1, u"m%1"_s.arg(i)}});
        for (int i = 0; i < 55; ++i)
            QVERIFY(!alice->waitFor(u"message_sent"_s).isEmpty());
        alice->sendJson({{"type"_L1, "join_conversation"_L1}, {"conversationId"_L1, m_pair}});
        const QJsonObject history = alice->waitFor(u"conversation_history"_s);
        QCOMPARE(history.value("conversationId"_L1).toInteger(), m_pair);
        const QJsonArray messages = history.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 50);
        QCOMPARE(messages.first().toObject().value("content"_L1).toString(), u"m5"_s);
        QCOMPARE(messages.last().toObject().value("content"_L1).toString(), u"m54"_s);
    }

    void groupNotificationsNameTheGroup()
    {
        const auto group = m_http->post(
            u"/api/messages/conversations"_s,
            {{"participantIds"_L1, QJsonArray{m_bob.id, m_carol.id}}, {"title"_L1, "Team"_L1}},
            m_alice.token);
        QCOMPARE(group.status, 201);
        const qint64 teamId =
            group.body.value("conversation"_L1).toObject().value("id"_L1).toInteger();
        auto bob = connectAs(m_bob);
        auto carol = connectAs(m_carol);
        auto alice = connectAs(m_alice);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, teamId},
                         {"content"_L1, u"  lunch\n at   noon "_s}});
        for (WsClient *member : {bob.get(), carol.get()}) {
            const QJsonObject notification =
                member->waitFor(u"notification"_s).value("notification"_L1).toObject();
            QCOMPARE(notification.value("title"_L1).toString(), u"alice in Team"_s);
            QCOMPARE(notification.value("body"_L1).toString(), u"lunch at noon"_s);
            QCOMPARE(notification.value("conversationId"_L1).toInteger(), teamId);
        }
        QVERIFY(alice->staysQuiet(u"notification"_s));
    }

    void notificationsRespectPreferences()
    {
        auto bob = connectAs(m_bob);
        auto alice = connectAs(m_alice);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, "ding"_L1}});
        const QJsonObject frame = bob->waitFor(u"notification"_s);
        const QJsonObject notification = frame.value("notification"_L1).toObject();
        QCOMPARE(notification.value("conversationId"_L1).toInteger(), m_pair);
        QCOMPARE(notification.value("kind"_L1).toString(), u"new_message"_s);
        for (const char *field : {"id", "title", "body", "messageId", "createdAt"})
            QVERIFY2(notification.contains(QLatin1StringView(field)), field);
        QCOMPARE(notification.value("title"_L1).toString(), u"alice"_s); // the display name
        QCOMPARE(notification.value("body"_L1).toString(), u"ding"_s);
        // Derived from the message: one notification per message, with its id.
        QCOMPARE(notification.value("id"_L1).toInteger(),
                 notification.value("messageId"_L1).toInteger());
        QVERIFY(alice->staysQuiet(u"notification"_s));

        QCOMPARE(m_http
                     ->put(u"/api/notifications/preferences"_s,
                           {{"mutedConversationIds"_L1, QJsonArray{m_pair}}}, m_bob.token)
                     .status,
                 200);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, "muted"_L1}});
        QVERIFY(
            !bob->waitFor(u"new_message"_s, 5000,
                          [](const QJsonObject &m) { return m.value("content"_L1) == "muted"_L1; })
                 .isEmpty());
        QVERIFY(bob->staysQuiet(u"notification"_s));

        QCOMPARE(
            m_http
                ->put(u"/api/notifications/preferences"_s,
                      {{"mutedConversationIds"_L1, QJsonArray{}}, {"realtimeEnabled"_L1, false}},
                      m_bob.token)
                .status,
            200);
        alice->sendJson({{"type"_L1, "send_message"_L1},
                         {"conversationId"_L1, m_pair},
                         {"content"_L1, "quiet"_L1}});
        QVERIFY(
            !bob->waitFor(u"new_message"_s, 5000,
                          [](const QJsonObject &m) { return m.value("content"_L1) == "quiet"_L1; })
                 .isEmpty());
        QVERIFY(bob->staysQuiet(u"notification"_s));
    }

    void tooManyFramesAreRateLimited()
    {
        QVERIFY(startServer([](auto &config) {
            config.rateBurst = 5;
            config.ratePerSecond = 1;
        }));
        const auto dave = m_http->registerUser(u"dave"_s);
        auto client = connectAs(dave);
        for (int i = 0; i < 8; ++i)
            client->sendJson({{"type"_L1, "ping"_L1}});
        const QJsonObject limited = client->waitFor(u"error"_s);
        QCOMPARE(limited.value("code"_L1).toString(), u"rate_limited"_s);
        // The burst is answered (by the main thread; the refusal comes from the I/O thread,
        // so the two may arrive in either order). The limiter's exact arithmetic is
        // tst_ratelimiter's.
        QTRY_COMPARE(client->framesOf(u"pong"_s).size(), 5);
        QCOMPARE(client->socket().state(), QAbstractSocket::ConnectedState);
    }

    void aDatabaseFarBehindRefusesNewMessagesUntilItCatchesUp()
    {
        QVERIFY(startServer([](auto &config) {
            config.rateBurst = 1000;
            config.maxDbBacklog = 2;
        }));
        const auto frank = m_http->registerUser(u"frank"_s);
        const auto grace = m_http->registerUser(u"grace"_s);
        const auto pair = m_http->post(u"/api/messages/conversations"_s,
                                       {{"participantIds"_L1, QJsonArray{grace.id}}}, frank.token);
        QCOMPARE(pair.status, 201);
        const qint64 conversation =
            pair.body.value("conversation"_L1).toObject().value("id"_L1).toInteger();
        auto sender = connectAs(frank);
        auto recipient = connectAs(grace);

        // Hold up the conversation's database lane: one job waiting, then one message.
        std::atomic<bool> release{false};
        const auto releaseOnFailure = qScopeGuard([&release] { release = true; });
        auto blocker =
            m_server->server().database().submitFor<int>(conversation, [&release](QSqlDatabase &) {
                while (!release.load())
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                return pitchey::Result<int>(0);
            });
        auto sendFrame = [&](const QString &clientMessageId) {
            sender->sendJson({{"type"_L1, "send_message"_L1},
                              {"conversationId"_L1, conversation},
                              {"content"_L1, clientMessageId},
                              {"clientMessageId"_L1, clientMessageId}});
        };
        sendFrame(u"first"_s);
        QVERIFY(QTest::qWaitFor([&] { return m_server->server().database().backlog() == 2; }));
        // Two waiting: the next message is refused, and says which one it was...
        sendFrame(u"second"_s);
        const QJsonObject busy = sender->waitFor(u"error"_s);
        QCOMPARE(busy.value("code"_L1).toString(), u"rate_limited"_s);
        QCOMPARE(busy.value("ref"_L1).toString(), u"second"_s);
        QVERIFY(!busy.value("message"_L1).toString().isEmpty());
        // ...over HTTP too, with 429.
        const auto posted = m_http->post(
            u"/api/messages/send"_s,
            {{"conversationId"_L1, conversation}, {"content"_L1, "by http"_L1}}, frank.token);
        QCOMPARE(posted.status, 429);
        QCOMPARE(posted.errorCode(), u"rate_limited"_s);
        QCOMPARE(posted.headers.value("retry-after"), "1");
        QVERIFY(sender->staysQuiet(u"message_sent"_s));
        QCOMPARE(m_server->server().metrics().messagesRefusedBusy.load(), 2U);

        // Caught up: the waiting message is stored and delivered, a resend of the refused
        // one goes through, and nothing refused was stored.
        release = true;
        blocker.waitForFinished();
        QCOMPARE(sender->waitFor(u"message_sent"_s).value("clientMessageId"_L1).toString(),
                 u"first"_s);
        sendFrame(u"second"_s);
        QCOMPARE(sender->waitFor(u"message_sent"_s).value("clientMessageId"_L1).toString(),
                 u"second"_s);
        QCOMPARE(recipient->waitFor(u"new_message"_s).value("content"_L1).toString(), u"first"_s);
        QCOMPARE(recipient->waitFor(u"new_message"_s).value("content"_L1).toString(), u"second"_s);
        const auto stored =
            m_http->get(u"/api/messages/%1/messages"_s.arg(conversation), frank.token);
        QCOMPARE(stored.body.value("messages"_L1).toArray().size(), 2);
    }

    void silentConnectionsAreClosed()
    {
        // A short timeout: pings go out every 250 ms, so a healthy client has 750 ms to answer.
        QVERIFY(startServer([](auto &config) { config.idleTimeout = std::chrono::seconds(1); }));
        const auto erin = m_http->registerUser(u"erin"_s);
        // QWebSocket answers pings by itself, so a live client stays connected while one
        // that upgrades at the same time but never answers a ping is cut off.
        WsClient healthy;
        QVERIFY(healthy.open(m_server->wsUrl(erin.token)));
        QTcpSocket silent;
        silent.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(silent.waitForConnected(3000));
        silent.write(
            // QWebSocket answers pings by itself, so a live client stays connected while one
            // that upgrades at the same time but never answers a ping is cut off.
            "GET /api/messages/ws?token=" + erin.token.toLatin1() +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QVERIFY(QTest::qWaitFor([&] { return silent.bytesAvailable() > 0; }, 3000));
        QVERIFY(silent.peek(12).startsWith("HTTP/1.1 101"));
        QElapsedTimer clock;
        clock.start();
        // The server's close frame (1001, "no sign of life") after its pings; it then waits
        // for the answer that never comes (that deadline is tst_wire's).
        QByteArray received;
        QVERIFY(QTest::qWaitFor(
            [&] {
                received += silent.readAll();
                return received.contains("\x03\xe9no sign of life");
            },
            15000));
        QVERIFY2(clock.elapsed() >= 750, "closed before the idle timeout");
        // The healthy one, connected before it, has been through a whole idle timeout.
        QCOMPARE(healthy.socket().state(), QAbstractSocket::ConnectedState);
    }
};

PITCHEY_TEST_MAIN(TestWebSocket)
#include "tst_websocket.moc"
