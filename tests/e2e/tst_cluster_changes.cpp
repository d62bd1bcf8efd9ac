// The cluster of tst_cluster (ClusterSuite.h) under changes from every node at once: the
// change feed, edits, deletes and reactions reaching every node, races on one row, and
// what a node's listener missed. Runs under tests/support/with-postgres.sh.
#include "ClusterSuite.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestClusterChanges : public ClusterSuite
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

    // The change feed under writers on all three nodes at once, into six conversations (so
    // that nothing but the feed orders them): a reader that pages through it as the contract
    // says, while they write, sees every message once, in changeId order, and skips none.
    void theChangeFeedSkipsNothingUnderConcurrentWriters()
    {
        HttpClient a(m_nodes[0]->http());
        const auto reader = a.registerUser(u"reader"_s);
        const auto third = a.registerUser(u"third"_s);
        std::vector<std::unique_ptr<WsClient>> writers;
        QList<QList<qint64>> groups;
        for (int node = 0; node < 3; ++node) {
            const auto writer = a.registerUser(u"writer%1"_s.arg(node));
            groups.append(
                {a.createConversation(writer, {reader.id, third.id}, u"a%1"_s.arg(node)),
                 a.createConversation(writer, {reader.id, third.id}, u"b%1"_s.arg(node))});
            writers.push_back(connectTo(*m_nodes[node], writer));
        }
        constexpr int kEach = 120;
        for (int i = 0; i < kEach; ++i) {
            for (int node = 0; node < 3; ++node) {
                writers.at(node)->sendJson({{"type"_L1, "send_message"_L1},
                                            {"conversationId"_L1, groups.at(node).at(i % 2)},
                                            {"content"_L1, u"m%1"_s.arg(i)}});
            }
        }

        QSet<qint64> seen;
        qint64 position = 0;
        qint64 lastChange = 0;
        int round = 0;
        const auto allSent = [&] {
            return std::all_of(writers.cbegin(), writers.cend(), [](const auto &writer) {
                return writer->messageIdsOf(u"message_sent"_s).size() == kEach;
            });
        };
        QDeadlineTimer patience(60000);
        while ((seen.size() < 3 * kEach || !allSent()) && !patience.hasExpired()) {
            HttpClient at(m_nodes[round++ % 3]->http()); // any node answers the same
            const auto page =
                at.get(u"/api/messages/changes?since=%1&limit=7"_s.arg(position), reader.token);
            QCOMPARE(page.status, 200);
            const QJsonArray messages = page.body.value("messages"_L1).toArray();
            for (const auto &entry : messages) {
                const qint64 change = entry["changeId"_L1].toInteger();
                QVERIFY2(change > lastChange,
                         qPrintable(u"%1 after %2"_s.arg(change).arg(lastChange)));
                lastChange = change;
                QVERIFY(!seen.contains(entry["id"_L1].toInteger()));
                seen.insert(entry["id"_L1].toInteger());
            }
            position = page.body.value("hasMore"_L1).toBool()
                           ? messages.last()["changeId"_L1].toInteger()
                           : page.body.value("latestChangeId"_L1).toInteger();
            QTest::qWait(0); // the writers' answers come in meanwhile
        }
        QVERIFY(allSent());
        QSet<qint64> sent;
        for (const auto &writer : writers) {
            for (const qint64 id : writer->messageIdsOf(u"message_sent"_s))
                sent.insert(id);
        }
        QCOMPARE(sent.size(), 3 * kEach);
        QCOMPARE(seen, sent);
    }

    // Version 2's changes of a message made on one node reach the participants on the
    // others: reactions, an edit that newly mentions, a thread reply and a delete that
    // revokes what it notified.
    void aMessagesChangesReachEveryNode()
    {
        Trio trio = threeInAGroup(u"v2"_s);
        const auto &[alice, bob, carol] = std::tie(trio.alice, trio.bob, trio.carol);
        const qint64 group = trio.group;
        auto &aliceSocket = trio.aliceSocket;
        auto &bobSocket = trio.bobSocket;
        auto &carolSocket = trio.carolSocket;
        const std::array<WsClient *, 3> everyone{aliceSocket.get(), bobSocket.get(),
                                                 carolSocket.get()};
        const auto updated = [](WsClient *client, const QString &change) {
            return client->waitFor(u"message_updated"_s, 5000, [&](const QJsonObject &f) {
                return f["change"_L1].toString() == change;
            });
        };

        aliceSocket->sendJson({{"type"_L1, "send_message"_L1},
                               {"conversationId"_L1, group},
                               {"content"_L1, u"lunch?"_s}});
        const qint64 id = aliceSocket->waitFor(u"message_sent"_s)["messageId"_L1].toInteger();
        for (WsClient *other : {bobSocket.get(), carolSocket.get()})
            QCOMPARE(other->waitFor(u"new_message"_s)["messageId"_L1].toInteger(), id);

        // Bob reacts on node 2: everyone sees the tally, alice is told, nobody has a message.
        bobSocket->sendJson({{"type"_L1, "react"_L1},
                             {"messageId"_L1, id},
                             {"emoji"_L1, u"\U0001F44D"_s},
                             {"on"_L1, true}});
        for (WsClient *client : everyone) {
            const QJsonObject reacted = updated(client, u"reactions"_s);
            QCOMPARE(reacted["message"_L1]["reactions"_L1][0]["count"_L1].toInt(), 1);
        }
        QCOMPARE(aliceSocket->waitFor(u"notification"_s)["notification"_L1]["kind"_L1].toString(),
                 u"reaction"_s);
        QVERIFY(carolSocket->staysQuiet(u"new_message"_s));

        // Alice edits on node 1 and now names carol: carol (node 3) gets a mention.
        aliceSocket->sendJson({{"type"_L1, "edit_message"_L1},
                               {"messageId"_L1, id},
                               {"content"_L1, u"@carol lunch?"_s},
                               {"mentions"_L1, QJsonObject{{"userIds"_L1, QJsonArray{carol.id}}}},
                               {"clientRequestId"_L1, u"e-1"_s}});
        qint64 lastChange = 0;
        for (WsClient *client : everyone) {
            const QJsonObject edited = updated(client, u"edited"_s);
            QCOMPARE(edited["message"_L1]["content"_L1].toString(), u"@carol lunch?"_s);
            QCOMPARE(edited["message"_L1]["version"_L1].toInt(), 2);
            QCOMPARE(edited["ref"_L1].toString(),
                     client == aliceSocket.get() ? u"e-1"_s : QString());
            lastChange = edited["changeId"_L1].toInteger();
        }
        const QJsonObject mention =
            carolSocket
                ->waitFor(u"notification"_s, 5000,
                          [&](auto f) {
                              return f["notification"_L1]["kind"_L1].toString() == "mention"_L1;
                          })["notification"_L1]
                .toObject();
        QCOMPARE(mention["messageId"_L1].toInteger(), id);

        // Carol replies in a thread on node 3: the root's summary changes everywhere, and
        // alice (the root's sender, so a follower) is told.
        carolSocket->sendJson({{"type"_L1, "send_message"_L1},
                               {"conversationId"_L1, group},
                               {"content"_L1, u"yes"_s},
                               {"threadRootId"_L1, id}});
        const qint64 reply = carolSocket->waitFor(u"message_sent"_s)["messageId"_L1].toInteger();
        for (WsClient *client : everyone) {
            const QJsonObject thread = updated(client, u"thread"_s);
            QCOMPARE(thread["message"_L1]["thread"_L1]["replyCount"_L1].toInt(), 1);
            QCOMPARE(thread["message"_L1]["thread"_L1]["lastReplyId"_L1].toInteger(), reply);
            QVERIFY(thread["changeId"_L1].toInteger() > lastChange);
        }
        QCOMPARE(aliceSocket->waitFor(u"notification"_s)["notification"_L1]["kind"_L1].toString(),
                 u"thread_reply"_s);

        // Alice deletes the root on node 1: a tombstone everywhere, carol's mention revoked,
        // the reply stays.
        aliceSocket->sendJson({{"type"_L1, "delete_message"_L1}, {"messageId"_L1, id}});
        for (WsClient *client : everyone) {
            const QJsonObject deleted = updated(client, u"deleted"_s);
            QVERIFY(!deleted["message"_L1]["deletedAt"_L1].isNull());
            QCOMPARE(deleted["message"_L1]["content"_L1].toString(), QString());
        }
        QVERIFY(carolSocket->waitFor(u"notification_revoked"_s)["ids"_L1].toArray().contains(
            mention["id"_L1]));
        HttpClient c(m_nodes[2]->http());
        const auto thread =
            c.get(u"/api/messages/%1/messages?threadRootId=%2"_s.arg(group).arg(id), bob.token);
        QCOMPARE(thread.status, 200);
        QCOMPARE(thread.body["messages"_L1].toArray().size(), 1);
        QCOMPARE(thread.body["messages"_L1][0]["id"_L1].toInteger(), reply);
    }

    void racesBetweenNodesEndInOneRow()
    {
        // The same resend through two nodes at once is stored once; two people writing to
        // each other for the first time through two nodes at once get one conversation.
        HttpClient a(m_nodes[0]->http());
        const auto alice = a.registerUser(u"alice"_s);
        auto onNode1 = connectTo(*m_nodes[0], alice);
        auto onNode2 = connectTo(*m_nodes[1], alice);
        constexpr int kPeople = 12;
        QList<HttpClient::Account> people;
        std::vector<std::unique_ptr<WsClient>> sockets;
        for (int i = 0; i < kPeople; ++i) {
            people.append(a.registerUser(u"friend%1"_s.arg(i)));
            sockets.push_back(connectTo(*m_nodes[2], people.last()));
        }
        for (int i = 0; i < kPeople; ++i) {
            // alice's two devices send the same message (one clientMessageId) to friend i
            // while friend i writes to alice: three first messages of one pair at once.
            const QJsonObject toFriend{{"type"_L1, "send_message"_L1},
                                       {"recipientId"_L1, people.at(i).id},
                                       {"content"_L1, u"hi %1"_s.arg(i)},
                                       {"clientMessageId"_L1, u"first-%1"_s.arg(i)}};
            onNode1->sendJson(toFriend);
            onNode2->sendJson(toFriend);
            sockets.at(i)->sendJson({{"type"_L1, "send_message"_L1},
                                     {"recipientId"_L1, alice.id},
                                     {"content"_L1, u"hello alice"_s},
                                     {"clientMessageId"_L1, u"back"_s}});
        }
        auto sent = [](const WsClient &client) { return client.framesOf(u"message_sent"_s); };
        QVERIFY(QTest::qWaitFor(
            [&] { return sent(*onNode1).size() == kPeople && sent(*onNode2).size() == kPeople; },
            15000));
        for (int i = 0; i < kPeople; ++i) {
            QVERIFY(QTest::qWaitFor([&] { return sent(*sockets.at(i)).size() == 1; }, 15000));
            const QJsonObject reply = sent(*sockets.at(i)).constFirst();
            QJsonObject first, again;
            for (const QJsonObject &frame : sent(*onNode1)) {
                if (frame.value("clientMessageId"_L1).toString() == u"first-%1"_s.arg(i))
                    first = frame;
            }
            for (const QJsonObject &frame : sent(*onNode2)) {
                if (frame.value("clientMessageId"_L1).toString() == u"first-%1"_s.arg(i))
                    again = frame;
            }
            QCOMPARE(again.value("messageId"_L1), first.value("messageId"_L1));
            QCOMPARE(reply.value("conversationId"_L1), first.value("conversationId"_L1));
            // Stored once: the friend's history holds two messages.
            HttpClient f(m_nodes[2]->http());
            const auto page = f.get(
                u"/api/messages/%1/messages"_s.arg(reply.value("conversationId"_L1).toInteger()),
                people.at(i).token);
            QCOMPARE(page.status, 200);
            QCOMPARE(page.body.value("messages"_L1).toArray().size(), 2);
        }
        for (WsClient *client : {onNode1.get(), onNode2.get()})
            QCOMPARE(client->framesOf(u"error"_s), QList<QJsonObject>{});
        const auto conversations = a.get(u"/api/messages/conversations"_s, alice.token);
        QCOMPARE(conversations.body.value("conversations"_L1).toArray().size(), kPeople);
    }

    void whatAListenerMissedIsCaughtUp()
    {
        // The nodes' listening connections die (PostgreSQL itself stays up, as after a
        // restart before a listener is back): what alice sends meanwhile through node 1
        // still reaches bob on node 2 live, once each and in order, when node 2 listens
        // again.
        auto [alice, bob, pair, aliceSocket] = twoUsers();
        auto bobSocket = connectTo(*m_nodes[1], bob);
        QVERIFY(!aliceSocket->waitFor(u"user_online"_s).isEmpty());
        const QString connection = u"terminator"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, connection);
            const auto &url = m_database->url();
            db.setHostName(url.host);
            db.setPort(url.port);
            db.setUserName(url.user);
            db.setPassword(url.password);
            db.setDatabaseName(url.databaseName);
            QVERIFY(db.open());
            QSqlQuery kill(db);
            // This test's database only: an earlier test's listeners may still be leaving.
            QVERIFY(kill.exec(u"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE application_name = 'pitchey-listener' "
                              "AND datname = current_database()"_s));
            QVERIFY(kill.next());
            QCOMPARE(kill.value(0).toInt(), 3);
        }
        QSqlDatabase::removeDatabase(connection);
        constexpr int kCount = 20;
        for (int i = 0; i < kCount; ++i) {
            aliceSocket->sendJson({{"type"_L1, "send_message"_L1},
                                   {"conversationId"_L1, pair},
                                   {"content"_L1, u"during the gap %1"_s.arg(i)}});
        }
        auto received = [&] {
            QStringList contents;
            for (const QJsonObject &frame : bobSocket->framesOf(u"new_message"_s))
                contents.append(frame.value("content"_L1).toString());
            return contents;
        };
        QVERIFY(QTest::qWaitFor([&] { return received().size() >= kCount; }, 10000));
        QTest::qWait(500); // and nothing twice
        QStringList expected;
        for (int i = 0; i < kCount; ++i)
            expected.append(u"during the gap %1"_s.arg(i));
        QCOMPARE(received(), expected);
    }
};

QTEST_GUILESS_MAIN(TestClusterChanges)
#include "tst_cluster_changes.moc"
