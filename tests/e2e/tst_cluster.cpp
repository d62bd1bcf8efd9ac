// Three pitchey-server processes on one PostgreSQL act as one server: clients spread over
// them exchange messages, typing, receipts and presence as on one node; a killed node's
// users go offline for the others, and its clients reconnect elsewhere and lose nothing.
// Runs under tests/support/with-postgres.sh (skipped without PITCHEY_TEST_POSTGRES).
#include "Clients.h"
#include "MediaFiles.h"
#include "ScratchPostgres.h"
#include "ServerProcess.h"

#include <QDeadlineTimer>
#include <QImage>
#include <QJsonArray>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

namespace {

struct Node
{
    QTemporaryDir dir;
    QProcess process;
    quint16 port = 0;

    QUrl http() const { return httpUrl(port); }
};

constexpr auto kClusterTimeoutSeconds = "2";

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ScratchPostgres> m_database;
    std::array<std::unique_ptr<Node>, 3> m_nodes;
    QTemporaryDir m_media; // the media directory every node shares

    bool startNode(std::unique_ptr<Node> &node)
    {
        node = std::make_unique<Node>();
        node->port = startServer(node->process, node->dir.path(),
                                 {u"--database"_s, m_database->urlText(), u"--jwt-secret"_s,
                                  u"one-secret-for-the-whole-cluster"_s, u"--cluster-timeout"_s,
                                  QString::fromLatin1(kClusterTimeoutSeconds), u"--rate-burst"_s,
                                  u"10000"_s, u"--media-dir"_s, m_media.path()});
        return node->port != 0;
    }

    std::unique_ptr<WsClient> connectTo(const Node &node, const HttpClient::Account &account)
    {
        auto client = std::make_unique<WsClient>();
        if (!client->open(wsUrl(node.port, account.token)))
            qWarning() << "could not connect" << account.username;
        return client;
    }

    // alice and bob, registered through node 1, with a 1:1 conversation; alice connected
    // to node 1.
    struct Pair
    {
        HttpClient::Account alice, bob;
        qint64 conversation = 0;
        std::unique_ptr<WsClient> aliceSocket;
    };
    Pair twoUsers()
    {
        HttpClient a(m_nodes[0]->http());
        Pair pair{a.registerUser(u"alice"_s), a.registerUser(u"bob"_s), 0, nullptr};
        pair.conversation = a.createConversation(pair.alice, {pair.bob.id});
        pair.aliceSocket = connectTo(*m_nodes[0], pair.alice);
        return pair;
    }

    // alice, bob and carol, registered through node 1, in a group; each connected to a node
    // of their own (alice 1, bob 2, carol 3).
    struct Trio
    {
        HttpClient::Account alice, bob, carol;
        qint64 group = 0;
        std::unique_ptr<WsClient> aliceSocket, bobSocket, carolSocket;
    };
    Trio threeInAGroup(const QString &title)
    {
        HttpClient a(m_nodes[0]->http());
        Trio trio{a.registerUser(u"alice"_s),
                  a.registerUser(u"bob"_s),
                  a.registerUser(u"carol"_s),
                  0,
                  nullptr,
                  nullptr,
                  nullptr};
        trio.group = a.createConversation(trio.alice, {trio.bob.id, trio.carol.id}, title);
        trio.aliceSocket = connectTo(*m_nodes[0], trio.alice);
        trio.bobSocket = connectTo(*m_nodes[1], trio.bob);
        trio.carolSocket = connectTo(*m_nodes[2], trio.carol);
        return trio;
    }

private Q_SLOTS:
    void init()
    {
        if (!ScratchPostgres::available())
            QSKIP("needs PostgreSQL: run under tests/support/with-postgres.sh");
        m_database = std::make_unique<ScratchPostgres>();
        for (auto &node : m_nodes)
            QVERIFY(startNode(node));
    }

    void cleanup()
    {
        for (auto &node : m_nodes) {
            if (node && node->process.state() != QProcess::NotRunning) {
                node->process.terminate();
                node->process.waitForFinished(10000);
            }
            node.reset();
        }
        m_database.reset();
    }

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
            QVERIFY(kill.exec(u"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE application_name = 'pitchey-listener'"_s));
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
