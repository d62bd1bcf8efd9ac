// Edits, deletes and reactions in client_core (contract v2) against a real server on
// 127.0.0.1: shown at once, queued in order with sends across a restart, undone when
// refused, and caught up through the change feed by a device that was away.
#include "ClientRig.h"
#include "store/LocalCache.h"
#include "sync/OfflineQueue.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::client;
using namespace pitchey::testing;

class TestClientChanges : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<QTemporaryDir> m_aliceDir;
    std::unique_ptr<QTemporaryDir> m_bobDir;
    HttpClient::Account m_alice;
    HttpClient::Account m_bob;
    qint64 m_pair = 0;

    // What the server holds of the conversation, for Bob: [content or "(deleted)"].
    QStringList serverHistory()
    {
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(m_pair), m_bob.token);
        QStringList contents;
        for (const auto &message : history.body.value("messages"_L1).toArray())
            contents.append(message["deletedAt"_L1].isNull() ? message["content"_L1].toString()
                                                             : u"(deleted)"_s);
        return contents;
    }

    // Bob sends `text` in the pair over HTTP: its id.
    qint64 bobSays(const QString &text) { return m_http->sendMessage(m_bob, m_pair, text); }

    static QString contentOf(ClientRig &rig, qint64 messageId)
    {
        for (const LocalMessage &message : rig.chat.messages()->messages()) {
            if (message.id == messageId)
                return message.isDeleted() ? u"(deleted)"_s : message.content;
        }
        return u"(not shown)"_s;
    }

    // The reactions the rig's view shows on a message: ["👍 1 me", ...].
    static QStringList reactionsShown(ClientRig &rig, qint64 messageId)
    {
        const int row = rig.chat.messages()->rowOfMessage(messageId);
        QStringList shown;
        if (row < 0)
            return {u"(not shown)"_s};
        const auto list =
            rig.chat.messages()->index(row).data(MessageListModel::ReactionsRole).toList();
        for (const QVariant &entry : list) {
            const QVariantMap chip = entry.toMap();
            shown.append(u"%1 %2%3"_s.arg(chip[u"emoji"_s].toString())
                             .arg(chip[u"count"_s].toLongLong())
                             .arg(chip[u"me"_s].toBool() ? u" me"_s : QString()));
        }
        return shown;
    }

    // Alice sends `text` through her client and it is acknowledged: its id.
    static qint64 sendAndWait(ClientRig &rig, const QString &text)
    {
        if (!rig.chat.send(text))
            return 0;
        if (!QTest::qWaitFor([&] { return rig.chat.cache()->queued().isEmpty(); }))
            return 0;
        const auto last = rig.chat.cache()->lastEditable(rig.chat.currentConversationId());
        return last && last->content == text ? last->id : 0;
    }

    void startServer(std::chrono::milliseconds editWindow = std::chrono::hours(48))
    {
        m_server = std::make_unique<TestServer>([editWindow](server::ServerConfig &config) {
            config.rateBurst = 100'000;
            config.editWindow = editWindow;
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(serverUrl(*m_server));
        m_aliceDir = std::make_unique<QTemporaryDir>();
        m_bobDir = std::make_unique<QTemporaryDir>();
        m_alice = m_http->registerUser(u"alice"_s);
        m_bob = m_http->registerUser(u"bob"_s);
        m_pair = m_http->createConversation(m_alice, {m_bob.id});
    }

private Q_SLOTS:
    void init() { startServer(); }

    void cleanup()
    {
        m_http.reset();
        m_server.reset();
        m_aliceDir.reset();
        m_bobDir.reset();
    }

    void editsAndDeletesShowAtOnceOnBothSides()
    {
        ClientRig alice(serverUrl(*m_server));
        ClientRig bob(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        QVERIFY(bob.startAndOpen(sessionFor(m_bob), m_bobDir->path(), m_pair));
        const qint64 typo = sendAndWait(alice, u"helo"_s);
        const qint64 regret = sendAndWait(alice, u"something I regret"_s);
        QVERIFY(typo > 0 && regret > 0);
        QTRY_COMPARE(contentOf(bob, regret), u"something I regret"_s);

        QVERIFY(alice.chat.editMessage(typo, u"hello"_s));
        // The editor's view changes before the server answers.
        QCOMPARE(contentOf(alice, typo), u"hello"_s);
        QTRY_COMPARE(contentOf(bob, typo), u"hello"_s);
        const QModelIndex edited = bob.chat.messages()->index(1);
        QCOMPARE(edited.data(MessageListModel::MessageIdRole).toLongLong(), typo);
        QVERIFY(!edited.data(MessageListModel::EditedAtRole).toString().isEmpty());
        QTRY_VERIFY(alice.chat.cache()->nextOutgoing() == std::nullopt);
        QCOMPARE(alice.chat.cache()->byId(typo)->version, 2);

        QSignalSpy deletedAtBob(&bob.chat, &ChatController::messageDeleted);
        QVERIFY(alice.chat.deleteMessage(regret));
        QCOMPARE(contentOf(alice, regret), u"(deleted)"_s);
        QTRY_COMPARE(contentOf(bob, regret), u"(deleted)"_s);
        QCOMPARE(deletedAtBob.size(), 1);
        QCOMPARE(bob.chat.cache()->byId(regret)->content, QString());
        // The list's preview is the newest live message, on both sides.
        for (ClientRig *rig : {&alice, &bob})
            QTRY_COMPARE(rig->chat.conversations()->find(m_pair)->lastMessage->content, u"hello"_s);
        QCOMPARE(serverHistory(), (QStringList{u"hello"_s, u"(deleted)"_s}));
        // Nothing more to change on a deleted message.
        QVERIFY(!alice.chat.editMessage(regret, u"back"_s));
        QVERIFY(!alice.chat.deleteMessage(regret));
    }

    void theOutboxKeepsSendsEditsAndDeletesInOrderAcrossARestart()
    {
        const Session session = sessionFor(m_alice);
        const QUrl url = serverUrl(*m_server);
        qint64 first = 0;
        qint64 second = 0;
        {
            ClientRig rig(url);
            QVERIFY(rig.startAndOpen(session, m_aliceDir->path(), m_pair));
            first = sendAndWait(rig, u"one"_s);
            second = sendAndWait(rig, u"two"_s);
            QVERIFY(first > 0 && second > 0);
            m_server->stop();
            QTRY_VERIFY(!rig.connected());
            QVERIFY(rig.chat.send(u"three"_s));
            QVERIFY(rig.chat.editMessage(first, u"one, edited"_s));
            QVERIFY(rig.chat.editMessage(first, u"one, edited twice"_s));
            QVERIFY(rig.chat.deleteMessage(second));
            QVERIFY(rig.chat.send(u"four"_s));
            QCOMPARE(contentOf(rig, first), u"one, edited twice"_s);
        } // the app quits with all of it unsent

        const qint64 before = m_http->get(u"/api/messages/changes?since=0"_s, m_bob.token)
                                  .body["latestChangeId"_L1]
                                  .toInteger();
        QVERIFY(m_server->start());
        ClientRig restarted(url);
        QVERIFY(restarted.startAndOpen(session, m_aliceDir->path(), m_pair));
        QTRY_VERIFY(restarted.chat.cache()->nextOutgoing() == std::nullopt);
        QCOMPARE(serverHistory(),
                 (QStringList{u"one, edited twice"_s, u"(deleted)"_s, u"three"_s, u"four"_s}));
        // In the order done: the feed lists each message at its latest change.
        const auto feed = m_http->get(u"/api/messages/changes?since=%1"_s.arg(before), m_bob.token);
        QStringList order;
        for (const auto &message : feed.body["messages"_L1].toArray())
            order.append(message["content"_L1].toString());
        QCOMPARE(order, (QStringList{u"three"_s, u"one, edited twice"_s, QString(), u"four"_s}));
        // Each once: two edits, two versions after the first.
        const auto versions =
            m_http->get(u"/api/messages/%1/history"_s.arg(first), m_bob.token).body["versions"_L1];
        QCOMPARE(versions.toArray().size(), 3);
    }

    void mentionsTypedOfflineGoOutAfterARestartAndEditsChangeThem()
    {
        const Session session = sessionFor(m_alice);
        const QUrl url = serverUrl(*m_server);
        const auto lastMentions = [this] {
            const auto history =
                m_http->get(u"/api/messages/%1/messages"_s.arg(m_pair), m_bob.token);
            return history.body["messages"_L1].toArray().last()["mentions"_L1].toObject();
        };
        {
            ClientRig rig(url);
            QVERIFY(rig.startAndOpen(session, m_aliceDir->path(), m_pair));
            m_server->stop();
            QTRY_VERIFY(!rig.connected());
            QVERIFY(rig.chat.send(u"@bob look"_s)); // the text names Bob: that mentions him
        }
        QVERIFY(m_server->start());
        ClientRig restarted(url);
        QVERIFY(restarted.startAndOpen(session, m_aliceDir->path(), m_pair));
        QTRY_VERIFY(restarted.chat.cache()->nextOutgoing() == std::nullopt);
        QCOMPARE(lastMentions(),
                 (QJsonObject{{"userIds"_L1, QJsonArray{m_bob.id}}, {"all"_L1, false}}));
        const qint64 id = restarted.chat.lastEditable().value(u"messageId"_s).toLongLong();
        QVERIFY(restarted.chat.editMessage(id, u"look"_s));
        QTRY_COMPARE(lastMentions(),
                     (QJsonObject{{"userIds"_L1, QJsonArray{}}, {"all"_L1, false}}));
    }

    void aThreadReplyTypedOfflineStaysInItsThreadAcrossARestart()
    {
        const Session session = sessionFor(m_alice);
        const QUrl url = serverUrl(*m_server);
        const qint64 root = bobSays(u"ship it?"_s);
        {
            ClientRig rig(url);
            QVERIFY(rig.startAndOpen(session, m_aliceDir->path(), m_pair));
            QTRY_VERIFY(rig.chat.cache()->byId(root));
            m_server->stop();
            QTRY_VERIFY(!rig.connected());
            rig.chat.openThread(root); // from the cache
            QCOMPARE(rig.chat.thread()->rowCount(), 1);
            QVERIFY(rig.chat.sendInThread(u"after lunch"_s));
            QCOMPARE(rig.chat.thread()->rowCount(), 2);
            QCOMPARE(rig.chat.messages()->rowOfMessage(0), -1); // not in the main view
        }
        QVERIFY(m_server->start());
        ClientRig restarted(url);
        QVERIFY(restarted.startAndOpen(session, m_aliceDir->path(), m_pair));
        QTRY_VERIFY(restarted.chat.cache()->nextOutgoing() == std::nullopt);
        const auto thread = m_http->get(
            u"/api/messages/%1/messages?threadRootId=%2"_s.arg(m_pair).arg(root), m_bob.token);
        QCOMPARE(thread.body["messages"_L1].toArray().size(), 1);
        QCOMPARE(thread.body["messages"_L1][0]["content"_L1].toString(), u"after lunch"_s);
        QCOMPARE(m_http->get(u"/api/messages/%1/messages?mainOnly=true"_s.arg(m_pair), m_bob.token)
                     .body["messages"_L1]
                     .toArray()
                     .size(),
                 1); // the main view has the root alone
    }

    void aRefusedChangeIsUndoneAndSaid()
    {
        ClientRig alice(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        const qint64 id = sendAndWait(alice, u"as sent"_s);
        QVERIFY(id > 0);
        // Another device edits it first; this one's edit, made on version 1, is stale.
        alice.connection.stop();
        QTRY_VERIFY(!alice.connected());
        const auto other = m_http->send("PATCH", u"/api/messages/%1"_s.arg(id),
                                        R"({"content": "from the phone"})", m_alice.token);
        QCOMPARE(other.status, 200);
        QVERIFY(alice.chat.editMessage(id, u"from the desktop"_s));
        QCOMPARE(contentOf(alice, id), u"from the desktop"_s);
        QSignalSpy said(&alice.chat, &ChatController::errorOccurred);
        alice.connection.start(alice.api.webSocketUrl());
        QTRY_COMPARE(contentOf(alice, id), u"from the phone"_s);
        QTRY_COMPARE(said.size(), 1);
        QVERIFY(alice.chat.cache()->nextOutgoing() == std::nullopt);
        QCOMPARE(serverHistory(), QStringList{u"from the phone"_s});
    }

    // The same edit made on two devices (or one whose answer was lost and is sent again):
    // stale by version, but already true, so nothing is refused.
    void anEditTheServerAlreadyHasIsNotAConflict()
    {
        ClientRig alice(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        const qint64 id = sendAndWait(alice, u"teh plan"_s);
        QVERIFY(id > 0);
        alice.connection.stop();
        QTRY_VERIFY(!alice.connected());
        QCOMPARE(m_http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(id), R"({"content": "the plan"})",
                            m_alice.token)
                     .status,
                 200);
        QVERIFY(alice.chat.editMessage(id, u"the plan"_s));
        QSignalSpy said(&alice.chat, &ChatController::errorOccurred);
        alice.connection.start(alice.api.webSocketUrl());
        QTRY_VERIFY(alice.chat.cache()->nextOutgoing() == std::nullopt);
        QCOMPARE(contentOf(alice, id), u"the plan"_s);
        QCOMPARE(alice.chat.cache()->byId(id)->version, 2);
        // The next change goes out as usual (the queue moved on).
        QVERIFY(alice.chat.send(u"after it"_s));
        QTRY_VERIFY(alice.chat.cache()->nextOutgoing() == std::nullopt);
        QCOMPARE(said.size(), 0);
        QCOMPARE(serverHistory(), (QStringList{u"the plan"_s, u"after it"_s}));
    }

    void anEditPastTheWindowIsUndone()
    {
        startServer(std::chrono::milliseconds(50));
        ClientRig alice(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        const qint64 id = sendAndWait(alice, u"as sent"_s);
        QVERIFY(id > 0);
        const qint64 sentAt = alice.chat.cache()->byId(id)->createdAt;
        QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > sentAt + 100);
        QSignalSpy said(&alice.chat, &ChatController::errorOccurred);
        QVERIFY(alice.chat.editMessage(id, u"too late"_s));
        QTRY_COMPARE(said.size(), 1);
        QCOMPARE(contentOf(alice, id), u"as sent"_s);
        QCOMPARE(alice.chat.cache()->byId(id)->editedAt, 0);
        QVERIFY(alice.chat.cache()->nextOutgoing() == std::nullopt);
    }

    void aReplyShowsItsParentFromTheStartAndFollowsIt()
    {
        const qint64 parent = bobSays(u"lunch?"_s);
        ClientRig alice(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        QTRY_COMPARE(contentOf(alice, parent), u"lunch?"_s);
        alice.connection.stop(); // offline: the reply waits, already showing what it answers
        QTRY_VERIFY(!alice.connected());
        QVERIFY(alice.chat.send(u"yes!"_s, parent));
        const QModelIndex queued = alice.chat.messages()->index(0);
        QCOMPARE(queued.data(MessageListModel::ReplyToIdRole).toLongLong(), parent);
        QCOMPARE(queued.data(MessageListModel::ReplyExcerptRole).toString(), u"lunch?"_s);
        QCOMPARE(queued.data(MessageListModel::ReplySenderRole).toString(), u"bob"_s);
        alice.connection.start(alice.api.webSocketUrl());
        QTRY_VERIFY(alice.chat.cache()->nextOutgoing() == std::nullopt);
        const auto history =
            m_http->get(u"/api/messages/%1/messages"_s.arg(m_pair), m_bob.token).body;
        QCOMPARE(history["messages"_L1][1]["replyToId"_L1].toInteger(), parent);

        // The parent changes: the reply held here shows it as it is now.
        QCOMPARE(m_http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(parent),
                            R"({"content": "lunch at 1?"})", m_bob.token)
                     .status,
                 200);
        QTRY_COMPARE(alice.chat.messages()->index(0).data(MessageListModel::ReplyExcerptRole),
                     u"lunch at 1?"_s);
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(parent), {}, m_bob.token).status,
                 200);
        QTRY_VERIFY(
            alice.chat.messages()->index(0).data(MessageListModel::ReplyDeletedRole).toBool());
        QCOMPARE(alice.chat.messages()->index(0).data(MessageListModel::ReplyExcerptRole),
                 QString());
    }

    void reactionsShowAtOnceAndReachTheOtherSide()
    {
        const QString thumbs = u"\U0001F44D"_s;
        ClientRig alice(serverUrl(*m_server));
        ClientRig bob(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        QVERIFY(bob.startAndOpen(sessionFor(m_bob), m_bobDir->path(), m_pair));
        const qint64 id = sendAndWait(alice, u"lunch?"_s);
        QVERIFY(id > 0);
        QTRY_COMPARE(contentOf(bob, id), u"lunch?"_s);

        QVERIFY(bob.chat.toggleReaction(id, thumbs));
        QCOMPARE(reactionsShown(bob, id), QStringList{thumbs + u" 1 me"_s}); // before the answer
        QTRY_COMPARE(reactionsShown(alice, id), QStringList{thumbs + u" 1"_s});
        const int row = alice.chat.messages()->rowOfMessage(id);
        QCOMPARE(alice.chat.messages()
                     ->index(row)
                     .data(MessageListModel::ReactionsRole)
                     .toList()
                     .constFirst()
                     .toMap()[u"who"_s]
                     .toString(),
                 u"bob"_s);
        QVERIFY(alice.chat.toggleReaction(id, thumbs));
        QTRY_COMPARE(reactionsShown(bob, id), QStringList{thumbs + u" 2 me"_s});
        QTRY_VERIFY(bob.chat.cache()->nextOutgoing() == std::nullopt);
        // Clicking it again takes it back.
        QVERIFY(bob.chat.toggleReaction(id, thumbs));
        QCOMPARE(reactionsShown(bob, id), QStringList{thumbs + u" 1"_s});
        QTRY_COMPARE(reactionsShown(alice, id), QStringList{thumbs + u" 1 me"_s});
        // A reaction is not a message: nothing unread for Alice.
        QCOMPARE(alice.chat.conversations()->find(m_pair)->unreadCount, 0);
    }

    // The thread panel's Follow: the thread of one's own message is followed by itself, one
    // of someone else's is not; changed there, the server notifies of its replies or not.
    void aThreadIsFollowedOrNotFromItsPanel()
    {
        ClientRig alice(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        const qint64 own = sendAndWait(alice, u"picnic?"_s);
        const qint64 bobs = bobSays(u"or the lake?"_s);
        QTRY_VERIFY(alice.chat.cache()->byId(bobs));
        const auto bobReplies = [&](qint64 root) {
            return m_http
                ->post(u"/api/messages/send"_s,
                       {{"conversationId"_L1, m_pair},
                        {"content"_L1, u"sure"_s},
                        {"threadRootId"_L1, root}},
                       m_bob.token)
                .body["message"_L1]["id"_L1]
                .toInteger();
        };
        const auto notified = [&](qint64 messageId) {
            const auto list = m_http->get(u"/api/notifications"_s, m_alice.token);
            const QJsonArray all = list.body["notifications"_L1].toArray();
            return std::any_of(all.begin(), all.end(), [messageId](const QJsonValue &n) {
                return n["messageId"_L1].toInteger() == messageId;
            });
        };
        const auto follow = [&](bool following) {
            alice.chat.followThread(following);
            QCOMPARE(alice.chat.threadFollowing(), following); // shown at once
            QVERIFY(alice.chat.threadFollowPending());
            QTRY_VERIFY(!alice.chat.threadFollowPending());
            QCOMPARE(alice.chat.threadFollowing(), following); // as the server answered
        };

        alice.chat.openThread(own);
        QVERIFY(alice.chat.threadFollowing());
        follow(false);
        QVERIFY(!notified(bobReplies(own)));
        follow(true);
        QVERIFY(notified(bobReplies(own)));

        alice.chat.openThread(bobs);
        QVERIFY(!alice.chat.threadFollowing());
        QVERIFY(!notified(bobReplies(bobs)));
        follow(true);
        QVERIFY(notified(bobReplies(bobs)));
        alice.chat.closeThread();
        QVERIFY(!alice.chat.threadFollowing());
    }

    void aThreadRootShowsItsRepliesAsTheServerCountsThem()
    {
        ClientRig alice(serverUrl(*m_server));
        QVERIFY(alice.startAndOpen(sessionFor(m_alice), m_aliceDir->path(), m_pair));
        const qint64 root = sendAndWait(alice, u"release friday?"_s);
        QVERIFY(root > 0);
        const auto reply = m_http->post(
            u"/api/messages/send"_s,
            {{"conversationId"_L1, m_pair}, {"content"_L1, u"yes"_s}, {"threadRootId"_L1, root}},
            m_bob.token);
        QCOMPARE(reply.status, 201);
        const qint64 replyId = reply.body["message"_L1]["id"_L1].toInteger();
        const auto summary = [&] {
            const int row = alice.chat.messages()->rowOfMessage(root);
            return alice.chat.messages()->index(row).data(MessageListModel::ThreadSummaryRole);
        };
        QTRY_VERIFY(summary().toString().startsWith(u"1 reply \u00b7 last "_s));
        QTRY_COMPARE(alice.chat.cache()->byId(replyId)->threadRootId, root);
        // The reply is in the thread, not in the conversation's main view.
        QCOMPARE(alice.chat.messages()->rowOfMessage(replyId), -1);
        // Seeing the newest message of the main view reads the replies after it.
        alice.chat.setWindowActive(true);
        alice.chat.markSeen(root);
        QCOMPARE(alice.chat.conversations()->find(m_pair)->unreadCount, 0);
        QTRY_COMPARE(m_http->get(u"/api/messages/conversations"_s, m_alice.token)
                         .body["conversations"_L1][0]["unreadCount"_L1]
                         .toInt(),
                     0);

        // Its panel: the root, then the replies; what is sent there is a reply in it.
        alice.chat.openThread(root);
        QCOMPARE(alice.chat.threadRootId(), root);
        QTRY_COMPARE(alice.chat.thread()->rowCount(), 2);
        QCOMPARE(alice.chat.thread()->messageIdAt(1), root);
        QCOMPARE(alice.chat.thread()->messageIdAt(0), replyId);
        QVERIFY(alice.chat.sendInThread(u"then friday"_s, replyId));
        QCOMPARE(alice.chat.thread()->rowCount(), 3); // shown at once
        QTRY_VERIFY(alice.chat.thread()->messageIdAt(0) > replyId);
        const qint64 own = alice.chat.thread()->messageIdAt(0);
        const auto inThread = m_http->get(
            u"/api/messages/%1/messages?threadRootId=%2"_s.arg(m_pair).arg(root), m_bob.token);
        QCOMPARE(inThread.body["messages"_L1].toArray().size(), 2);
        QCOMPARE(inThread.body["messages"_L1][1]["id"_L1].toInteger(), own);
        QCOMPARE(inThread.body["messages"_L1][1]["replyToId"_L1].toInteger(), replyId);
        QCOMPARE(alice.chat.messages()->rowOfMessage(own), -1);
        QTRY_VERIFY(summary().toString().startsWith(u"2 replies"_s));
        // Read by Bob: shown so in the thread, also by a device that never had the thread.
        WsClient bob;
        QVERIFY(bob.open(m_server->wsUrl(m_bob.token)));
        bob.sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, own}});
        const auto stateIn = [&](ClientRig &rig) {
            return rig.chat.thread()->index(0).data(MessageListModel::StateRole).toInt();
        };
        QTRY_COMPARE(stateIn(alice), int(MessageListModel::Read));
        {
            QTemporaryDir otherCache;
            ClientRig otherDevice(serverUrl(*m_server));
            QVERIFY(otherDevice.startAndOpen(sessionFor(m_alice), otherCache.path(), m_pair));
            QTRY_VERIFY(otherDevice.chat.cache()->byId(root));
            otherDevice.chat.openThread(root);
            QTRY_COMPARE(otherDevice.chat.thread()->rowCount(), 3);
            QTRY_COMPARE(stateIn(otherDevice), int(MessageListModel::Read));
        }
        // Up in the thread's empty composer edits the last reply there, not in the main view.
        QCOMPARE(alice.chat.lastEditable(root)[u"messageId"_s].toLongLong(), own);
        QCOMPARE(alice.chat.lastEditable()[u"messageId"_s].toLongLong(), root);
        // What is typed in the thread is its own draft, kept across a restart of the view.
        alice.chat.threadComposerChanged(u"and saturday?"_s);
        QCOMPARE(alice.chat.currentDraft(), QString());
        alice.chat.closeThread();
        QCOMPARE(alice.chat.thread()->rowCount(), 0);
        alice.chat.openThread(root);
        QCOMPARE(alice.chat.threadDraft(), u"and saturday?"_s);
        alice.chat.threadComposerChanged({});
        // Opening another conversation closes it.
        alice.chat.closeConversation();
        QCOMPARE(alice.chat.threadRootId(), 0);

        // The reply deleted: no live reply, no summary.
        // A notification of a reply in it opens its conversation and the thread.
        alice.chat.showMessage(m_pair, replyId);
        QCOMPARE(alice.chat.currentConversationId(), m_pair);
        QCOMPARE(alice.chat.threadRootId(), root);
        QVERIFY(alice.chat.deleteMessage(own));
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(replyId), {}, m_bob.token).status,
                 200);
        QTRY_COMPARE(summary().toString(), QString());
    }

    void offlineReactionsWaitInOrderAcrossARestart()
    {
        const QString thumbs = u"\U0001F44D"_s;
        const QString heart = u"\u2764\uFE0F"_s;
        const qint64 id = bobSays(u"new logo"_s);
        const Session session = sessionFor(m_alice);
        const QUrl url = serverUrl(*m_server);
        {
            ClientRig rig(url);
            QVERIFY(rig.startAndOpen(session, m_aliceDir->path(), m_pair));
            QTRY_COMPARE(contentOf(rig, id), u"new logo"_s);
            m_server->stop();
            QTRY_VERIFY(!rig.connected());
            QVERIFY(rig.chat.toggleReaction(id, thumbs));
            QVERIFY(rig.chat.send(u"love it"_s));
            QVERIFY(rig.chat.toggleReaction(id, heart));
            QVERIFY(rig.chat.toggleReaction(id, thumbs)); // changed her mind
            QCOMPARE(reactionsShown(rig, id), QStringList{heart + u" 1 me"_s});
        } // quits with all of it unsent
        QVERIFY(m_server->start());
        ClientRig restarted(url);
        QVERIFY(restarted.startAndOpen(session, m_aliceDir->path(), m_pair));
        QCOMPARE(reactionsShown(restarted, id), QStringList{heart + u" 1 me"_s});
        QTRY_VERIFY(restarted.chat.cache()->nextOutgoing() == std::nullopt);
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(m_pair), m_bob.token);
        const QJsonArray messages = history.body["messages"_L1].toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[1]["content"_L1].toString(), u"love it"_s);
        const QJsonArray reactions = messages[0]["reactions"_L1].toArray();
        QCOMPARE(reactions.size(), 1);
        QCOMPARE(reactions[0]["emoji"_L1].toString(), heart);
        QCOMPARE(reactions[0]["userIds"_L1].toArray(), QJsonArray{m_alice.id});
        QCOMPARE(reactionsShown(restarted, id), QStringList{heart + u" 1 me"_s});
    }

    void aDeviceThatWasAwayCatchesUpThroughTheFeed()
    {
        const QUrl url = serverUrl(*m_server);
        QList<qint64> ids;
        for (const QString &text : {u"keep"_s, u"fix"_s, u"drop"_s}) {
            const auto sent =
                m_http->post(u"/api/messages/send"_s,
                             {{"conversationId"_L1, m_pair}, {"content"_L1, text}}, m_alice.token);
            ids.append(sent.body["message"_L1]["id"_L1].toInteger());
        }
        {
            ClientRig bob(url);
            QVERIFY(bob.startAndOpen(sessionFor(m_bob), m_bobDir->path(), m_pair));
            QTRY_COMPARE(contentOf(bob, ids.at(2)), u"drop"_s);
        } // Bob's computer is off
        QCOMPARE(m_http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(ids.at(1)),
                            R"({"content": "fixed"})", m_alice.token)
                     .status,
                 200);
        QCOMPARE(
            m_http->send("DELETE", u"/api/messages/%1"_s.arg(ids.at(2)), {}, m_alice.token).status,
            200);
        QCOMPARE(m_http
                     ->send("PUT", u"/api/messages/%1/reactions/\U0001F389"_s.arg(ids.at(0)), {},
                            m_alice.token)
                     .status,
                 200);

        ClientRig bob(url);
        bob.startAs(sessionFor(m_bob), m_bobDir->path());
        // From the cache, before any page of history: the feed brought the changes.
        QTRY_COMPARE(bob.chat.cache()->byId(ids.at(1))->content, u"fixed"_s);
        QTRY_VERIFY(bob.chat.cache()->byId(ids.at(2))->isDeleted());
        QCOMPARE(bob.chat.cache()->byId(ids.at(0))->content, u"keep"_s);
        QTRY_COMPARE(bob.chat.cache()->byId(ids.at(0))->reactions.size(), 1);
        QCOMPARE(bob.chat.cache()->byId(ids.at(0))->reactions.constFirst().emoji, u"\U0001F389"_s);
        const qint64 latest = m_http->get(u"/api/messages/changes?since=0"_s, m_bob.token)
                                  .body["latestChangeId"_L1]
                                  .toInteger();
        QTRY_COMPARE(bob.chat.cache()->feedPosition(), latest);
        bob.chat.openConversation(m_pair);
        QCOMPARE(contentOf(bob, ids.at(1)), u"fixed"_s);
        QCOMPARE(contentOf(bob, ids.at(2)), u"(deleted)"_s);
    }
};

QTEST_GUILESS_MAIN(TestClientChanges)
#include "tst_client_changes.moc"
