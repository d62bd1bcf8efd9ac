// Three pitchey-server processes on one PostgreSQL act as one server: clients spread over
// them exchange messages, typing, receipts, presence and files as on one node; a killed
// node's users go offline for the others, and its clients reconnect elsewhere and lose
// nothing. Runs under tests/support/with-postgres.sh (skipped without PITCHEY_TEST_POSTGRES).
#include "ClusterSuite.h"
#include "MediaFiles.h"

#include <QImage>
#include <QJsonArray>
#include <QSet>
#include <QTimer>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestCluster : public ClusterSuite
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        if (!ScratchPostgres::available())
            QSKIP("needs PostgreSQL: run under tests/support/with-postgres.sh");
        QVERIFY(startCluster());
    }
    void cleanup() { stopCluster(); }

    void theContractHoldsAcrossNodes()
    {
        HttpClient a(m_nodes[0]->http()), b(m_nodes[1]->http()), c(m_nodes[2]->http());
        const auto alice = a.registerUser(u"alice"_s);
        const auto bob = b.registerUser(u"bob"_s);
        const auto carol = c.registerUser(u"carol"_s);
        const qint64 group = b.createConversation(bob, {alice.id, carol.id}, u"three nodes"_s);
        QVERIFY(group > 0);

        auto aliceSocket = connectTo(*m_nodes[0], alice);
        auto carolSocket = connectTo(*m_nodes[2], carol);
        auto bobSocket = connectTo(*m_nodes[1], bob);
        // Presence: bob came online on node 2; alice (node 1) and carol (node 3) hear it.
        QCOMPARE(aliceSocket
                     ->waitFor(u"user_online"_s, 5000,
                               [&](const QJsonObject &f) {
                                   return f.value("userId"_L1).toInteger() == bob.id;
                               })
                     .value("username"_L1)
                     .toString(),
                 u"bob"_s);
        QVERIFY(!carolSocket
                     ->waitFor(u"user_online"_s, 5000,
                               [&](const QJsonObject &f) {
                                   return f.value("userId"_L1).toInteger() == bob.id;
                               })
                     .isEmpty());
        // ... and the REST API of any node says so.
        const auto users = c.get(u"/api/users?q=bob"_s, carol.token);
        QVERIFY(
            users.body.value("users"_L1).toArray().at(0).toObject().value("online"_L1).toBool());

        // A message from node 1 reaches node 2 and node 3, and alice's second device.
        auto alicePhone = connectTo(*m_nodes[2], alice);
        aliceSocket->sendJson({{"type"_L1, "send_message"_L1},
                               {"conversationId"_L1, group},
                               {"content"_L1, u"hello, cluster"_s},
                               {"clientMessageId"_L1, u"c-1"_s}});
        const QJsonObject sent = aliceSocket->waitFor(u"message_sent"_s);
        const qint64 messageId = sent.value("messageId"_L1).toInteger();
        QVERIFY(messageId > 0);
        for (WsClient *recipient : {bobSocket.get(), carolSocket.get(), alicePhone.get()}) {
            const QJsonObject received = recipient->waitFor(u"new_message"_s);
            QCOMPARE(received.value("messageId"_L1).toInteger(), messageId);
            QCOMPARE(received.value("content"_L1).toString(), u"hello, cluster"_s);
        }
        QVERIFY(aliceSocket->staysQuiet(u"new_message"_s)); // not to the sending socket

        // Receipts travel back.
        bobSocket->sendJson({{"type"_L1, "message_delivered"_L1}, {"messageId"_L1, messageId}});
        const QJsonObject delivered = aliceSocket->waitFor(u"message_delivered"_s);
        QCOMPARE(delivered.value("deliveredTo"_L1).toInteger(), bob.id);
        carolSocket->sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, messageId}});
        QCOMPARE(aliceSocket->waitFor(u"message_read"_s).value("readBy"_L1).toInteger(), carol.id);
        QCOMPARE(bobSocket->waitFor(u"message_read"_s).value("readBy"_L1).toInteger(), carol.id);

        // Typing.
        bobSocket->sendJson({{"type"_L1, "typing_start"_L1}, {"conversationId"_L1, group}});
        for (WsClient *watcher : {aliceSocket.get(), carolSocket.get()}) {
            const QJsonObject typing = watcher->waitFor(u"user_typing"_s);
            QCOMPARE(typing.value("userId"_L1).toInteger(), bob.id);
            QCOMPARE(typing.value("isTyping"_L1).toBool(), true);
        }

        // A long message (over NOTIFY's 8,000 bytes as a frame) goes through too.
        const QString longText(3000, u'é');
        bobSocket->sendJson({{"type"_L1, "send_message"_L1},
                             {"conversationId"_L1, group},
                             {"content"_L1, longText},
                             {"clientMessageId"_L1, u"c-2"_s}});
        QCOMPARE(carolSocket->waitFor(u"new_message"_s).value("content"_L1).toString(), longText);

        // Going offline on one node while online on another is no presence change: offline
        // comes once, when the last connection has gone.
        alicePhone.reset();
        aliceSocket.reset();
        QCOMPARE(bobSocket->waitFor(u"user_offline"_s).value("userId"_L1).toInteger(), alice.id);
        QVERIFY(bobSocket->staysQuiet(u"user_offline"_s));
    }

    void attachmentsTravelBetweenNodes()
    {
        Trio trio = threeInAGroup(u"Files"_s);
        const auto authorized = [](const HttpClient::Account &who) {
            return QList<QPair<QByteArray, QByteArray>>{
                {"Authorization", "Bearer " + who.token.toLatin1()}};
        };
        HttpClient one(m_nodes[0]->http());
        HttpClient two(m_nodes[1]->http());
        HttpClient three(m_nodes[2]->http());
        const QByteArray jpeg = jpegOf(quadrantImage(300, 200));
        const auto uploaded = one.sendWithHeaders("POST", u"/api/media?filename=g.jpg"_s, jpeg,
                                                  authorized(trio.alice));
        QCOMPARE(uploaded.status, 201);
        const qint64 id = uploaded.body["attachment"_L1]["id"_L1].toInteger();
        // Sent through another node; pushed by a third with the file on it.
        const auto sent = two.post(u"/api/messages/send"_s,
                                   {{"conversationId"_L1, trio.group},
                                    {"content"_L1, QString()},
                                    {"attachmentIds"_L1, QJsonArray{id}}},
                                   trio.alice.token);
        QCOMPARE(sent.status, 201);
        const QJsonObject pushed = trio.carolSocket->waitFor(u"new_message"_s);
        QCOMPARE(pushed["attachments"_L1].toArray().at(0)["id"_L1].toInteger(), id);
        const auto fetched =
            three.sendWithHeaders("GET", u"/api/media/%1"_s.arg(id), {}, authorized(trio.carol));
        QCOMPARE(fetched.status, 200);
        QCOMPARE(fetched.raw, jpeg);
        const auto thumb = two.sendWithHeaders("GET", u"/api/media/%1/thumbnail?size=320"_s.arg(id),
                                               {}, authorized(trio.bob));
        QCOMPARE(QImage::fromData(thumb.raw).size(), QSize(300, 200));
        // Deleted through node 3: gone on node 1 at once.
        const qint64 message = sent.body["message"_L1]["id"_L1].toInteger();
        QCOMPARE(
            three.send("DELETE", u"/api/messages/%1"_s.arg(message), {}, trio.alice.token).status,
            200);
        QCOMPARE(
            one.sendWithHeaders("GET", u"/api/media/%1"_s.arg(id), {}, authorized(trio.bob)).status,
            404);
    }

    void aKilledNodesUsersGoOfflineAndLoseNothing()
    {
        auto [alice, bob, pair, aliceSocket] = twoUsers();
        auto bobSocket = connectTo(*m_nodes[1], bob);
        QVERIFY(!aliceSocket->waitFor(u"user_online"_s).isEmpty());

        ::kill(pid_t(m_nodes[1]->process.processId()), SIGKILL);
        QVERIFY(m_nodes[1]->process.waitForFinished(5000));
        // Within the cluster timeout (2 s here; 30 s by default), plus a heartbeat.
        const QJsonObject offline = aliceSocket->waitFor(u"user_offline"_s, 6000);
        QCOMPARE(offline.value("userId"_L1).toInteger(), bob.id);

        // Meanwhile alice writes; bob comes back through node 3 and gets it all, once.
        for (int i = 0; i < 5; ++i)
            aliceSocket->sendJson({{"type"_L1, "send_message"_L1},
                                   {"conversationId"_L1, pair},
                                   {"content"_L1, u"while you were away %1"_s.arg(i)},
                                   {"clientMessageId"_L1, u"k-%1"_s.arg(i)}});
        for (int i = 0; i < 5; ++i)
            QVERIFY(!aliceSocket->waitFor(u"message_sent"_s).isEmpty());
        QVERIFY(bobSocket->waitForDisconnect(5000));
        auto bobAgain = connectTo(*m_nodes[2], bob);
        QVERIFY(!aliceSocket->waitFor(u"user_online"_s).isEmpty());
        for (int i = 0; i < 5; ++i)
            QCOMPARE(bobAgain->waitFor(u"new_message"_s).value("content"_L1).toString(),
                     u"while you were away %1"_s.arg(i));
        QVERIFY(bobAgain->staysQuiet(u"new_message"_s));
    }

    void aDatabaseRestartUnderLoadLosesNoAcknowledgedMessage()
    {
        // Named, not a structured binding: the lambdas below capture them.
        Pair users = twoUsers();
        const HttpClient::Account &bob = users.bob;
        const qint64 pair = users.conversation;
        std::unique_ptr<WsClient> &aliceSocket = users.aliceSocket;
        // bob stays connected to node 2 throughout: what node 2's listener could not hear
        // while it was reconnecting still reaches him, without a reconnection of his.
        auto bobLive = connectTo(*m_nodes[1], bob);

        // Alice keeps sending, one message every 20 ms, while PostgreSQL restarts.
        QSet<qint64> acknowledged;
        int refused = 0;
        int next = 0;
        auto sendOne = [&] {
            aliceSocket->sendJson({{"type"_L1, "send_message"_L1},
                                   {"conversationId"_L1, pair},
                                   {"content"_L1, u"under load %1"_s.arg(next)},
                                   {"clientMessageId"_L1, u"r-%1"_s.arg(next)}});
            ++next;
        };
        auto collect = [&] {
            for (qint64 id : aliceSocket->messageIdsOf(u"message_sent"_s))
                acknowledged.insert(id);
            refused = 0;
            for (const QJsonObject &frame : aliceSocket->framesOf(u"error"_s)) {
                QCOMPARE(frame.value("code"_L1).toString(), u"internal"_s);
                ++refused;
            }
        };
        QTimer sender;
        sender.setInterval(20);
        QObject::connect(&sender, &QTimer::timeout, sendOne);
        sender.start();
        QTest::qWait(800);
        // Down for 3 s, longer than the cluster timeout: every node takes the others for dead
        // meanwhile, and must still publish what it stores once the database is back.
        QProcess restart;
        restart.startCommand(qEnvironmentVariable("PITCHEY_TEST_POSTGRES_RESTART") + " 3"_L1);
        // Keep the event loop (and the sender) running while it restarts.
        QVERIFY(QTest::qWaitFor([&] { return restart.state() == QProcess::NotRunning; }, 60000));
        QCOMPARE(restart.exitCode(), 0);
        // The node recovers by itself: sends are acknowledged again.
        const qsizetype framesBefore = aliceSocket->frames().size();
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QList<QJsonObject> frames = aliceSocket->frames();
                for (qsizetype i = framesBefore; i < frames.size(); ++i) {
                    if (frames.at(i).value("type"_L1) == "message_sent"_L1)
                        return true;
                }
                return false;
            },
            15000));
        QTest::qWait(500);
        sender.stop();
        QTest::qWait(1000);
        collect();
        QVERIFY(aliceSocket->socket().state() == QAbstractSocket::ConnectedState); // kept
        qInfo() << next << "sent," << acknowledged.size() << "acknowledged," << refused
                << "refused while the database was away";
        QCOMPARE(acknowledged.size() + refused, next);

        // Every acknowledged message is stored, and reaches bob (through node 2).
        HttpClient b(m_nodes[1]->http());
        QSet<qint64> stored;
        qint64 before = 0;
        while (true) {
            const auto page = b.get(u"/api/messages/%1/messages?limit=100%2"_s.arg(pair).arg(
                                        before ? u"&before=%1"_s.arg(before) : QString()),
                                    bob.token);
            QCOMPARE(page.status, 200);
            const QJsonArray messages = page.body.value("messages"_L1).toArray();
            for (const auto &m : messages) {
                const qint64 id = m.toObject().value("id"_L1).toInteger();
                stored.insert(id);
                before = before == 0 ? id : std::min(before, id);
            }
            if (messages.size() < 100)
                break;
        }
        QVERIFY(stored.contains(acknowledged));
        auto receivedBy = [&](const WsClient &client) {
            const QList<qint64> ids = client.messageIdsOf(u"new_message"_s);
            return QSet<qint64>(ids.cbegin(), ids.cend());
        };
        QVERIFY(bobLive->socket().state() == QAbstractSocket::ConnectedState);
        const bool allLive =
            QTest::qWaitFor([&] { return receivedBy(*bobLive).contains(acknowledged); }, 15000);
        if (!allLive) {
            QList<qint64> sorted(acknowledged.cbegin(), acknowledged.cend());
            std::sort(sorted.begin(), sorted.end());
            QStringList missing;
            for (qint64 id : sorted) {
                if (!receivedBy(*bobLive).contains(id))
                    missing << u"%1 (acknowledged #%2)"_s.arg(id).arg(sorted.indexOf(id));
            }
            qWarning().noquote() << "missing:" << missing.join(u", "_s);
            for (int n = 0; n < 2; ++n)
                qWarning().noquote() << "node" << n + 1 << "said:\n"
                                     << m_nodes[n]->process.readAllStandardError().right(4000);
        }
        QVERIFY2(allLive, qPrintable(u"%1 of %2 acknowledged messages reached bob live"_s
                                         .arg((receivedBy(*bobLive) & acknowledged).size())
                                         .arg(acknowledged.size())));
        const QList<qint64> order = bobLive->messageIdsOf(u"new_message"_s);
        QVERIFY(std::is_sorted(order.cbegin(), order.cend()));
        QCOMPARE(QSet<qint64>(order.cbegin(), order.cend()).size(), order.size()); // each once
        auto bobSocket = connectTo(*m_nodes[1], bob);
        QVERIFY(
            QTest::qWaitFor([&] { return receivedBy(*bobSocket).contains(acknowledged); }, 15000));
    }

    void aConversationKeepsOneOrderAcrossNodes()
    {
        // Two senders on two nodes write into one group as fast as they can; every member,
        // wherever connected, sees the messages in the order of their ids.
        Trio trio = threeInAGroup(u"busy"_s);
        const auto &[alice, bob, carol] = std::tie(trio.alice, trio.bob, trio.carol);
        const qint64 group = trio.group;
        auto &aliceSocket = trio.aliceSocket;
        auto &bobSocket = trio.bobSocket;
        auto &carolSocket = trio.carolSocket;
        auto carolOnNode1 = connectTo(*m_nodes[0], carol);
        QVERIFY(!aliceSocket->waitFor(u"user_online"_s).isEmpty()); // the nodes know each other
        constexpr int kEach = 150;
        for (int i = 0; i < kEach; ++i) {
            for (auto *socket : {aliceSocket.get(), bobSocket.get()}) {
                socket->sendJson({{"type"_L1, "send_message"_L1},
                                  {"conversationId"_L1, group},
                                  {"content"_L1, u"m%1"_s.arg(i)}});
            }
        }
        auto newMessages = [](const WsClient &client) {
            return client.messageIdsOf(u"new_message"_s);
        };
        for (WsClient *reader : {carolSocket.get(), carolOnNode1.get()}) {
            QVERIFY(
                QTest::qWaitFor([&] { return newMessages(*reader).size() >= 2 * kEach; }, 30000));
            const QList<qint64> ids = newMessages(*reader);
            QCOMPARE(ids.size(), 2 * kEach);
            for (qsizetype i = 1; i < ids.size(); ++i)
                QVERIFY2(ids.at(i) > ids.at(i - 1),
                         qPrintable(u"%1 after %2"_s.arg(ids.at(i)).arg(ids.at(i - 1))));
        }
        // Each sender sees the other's messages in order too.
        QVERIFY(QTest::qWaitFor([&] { return newMessages(*aliceSocket).size() >= kEach; }, 30000));
        const QList<qint64> fromBob = newMessages(*aliceSocket);
        QVERIFY(std::is_sorted(fromBob.cbegin(), fromBob.cend()));
    }

    void aStoppedNodeSaysGoodbyeAtOnce()
    {
        auto [alice, bob, pair, aliceSocket] = twoUsers();
        auto bobSocket = connectTo(*m_nodes[2], bob);
        QVERIFY(!aliceSocket->waitFor(u"user_online"_s).isEmpty());
        m_nodes[2]->process.terminate(); // SIGTERM
        QCOMPARE(aliceSocket->waitFor(u"user_offline"_s, 1500).value("userId"_L1).toInteger(),
                 bob.id);
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
