// client_core against a real server on 127.0.0.1 (port 0) and, for tokens, a real
// keychain (gnome-keyring under dbus-run-session, see tests/support/with-keyring.sh).
#include "ClientRig.h"
#include "controllers/ChatController.h"
#include "controllers/NotificationCenter.h"
#include "controllers/SessionController.h"
#include "controllers/SettingsController.h"
#include "net/ApiClient.h"
#include "net/MediaCache.h"
#include "net/RealtimeConnection.h"
#include "store/LocalCache.h"
#include "store/TokenStore.h"
#include "sync/OfflineQueue.h"

#include <QAbstractSocket>
#include <QDBusConnection>
#include <QDBusVirtualObject>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::client;
using namespace pitchey::testing;

// Takes every D-Bus call to its path and answers none.
class SilentService : public QDBusVirtualObject
{
public:
    int calls = 0;
    QString introspect(const QString &) const override { return {}; }
    bool handleMessage(const QDBusMessage &, const QDBusConnection &) override
    {
        ++calls;
        return true; // handled: no reply, ever
    }
};

class TestClientCore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<QTemporaryDir> m_cacheDir;

    qint64 pairConversation(const HttpClient::Account &a, const HttpClient::Account &b)
    {
        return m_http->createConversation(a, {b.id});
    }

    [[nodiscard]] bool startAndOpen(ClientRig &rig, const HttpClient::Account &user,
                                    qint64 conversation)
    {
        return rig.startAndOpen(sessionFor(user), m_cacheDir->path(), conversation);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(u"PitcheyTests"_s);
        QCoreApplication::setApplicationName(u"tst_client_core"_s);
    }

    void init()
    {
        QSettings().clear();
        // Tests post more than a user's burst; the limits have their own tests.
        m_server = std::make_unique<TestServer>(
            [](server::ServerConfig &config) { config.rateBurst = 100'000; });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(serverUrl(*m_server));
        m_cacheDir = std::make_unique<QTemporaryDir>();
    }

    void cleanup()
    {
        m_http.reset();
        m_server.reset();
        m_cacheDir.reset();
    }

    void tokenRoundTripsThroughTheKeychain()
    {
        if (qEnvironmentVariableIsSet("PITCHEY_TEST_NO_KEYCHAIN"))
            QSKIP("this run has no keychain on purpose");
        TokenStore store(u"pitchey-tests"_s);
        bool done = false;
        Status written = Error::internal({});
        store.write(u"account"_s, u"secret-token"_s, this, [&](const Status &status) {
            written = status;
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().message));

        done = false;
        Result<QString> read = Error::internal({});
        store.read(u"account"_s, this, [&](const Result<QString> &token) {
            read = token;
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY(read.ok());
        QCOMPARE(read.value(), u"secret-token"_s);

        done = false;
        store.remove(u"account"_s, this, [&](const Status &) { done = true; });
        QTRY_VERIFY(done);
        done = false;
        store.read(u"account"_s, this, [&](const Result<QString> &token) {
            read = token;
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY(read.ok());
        QVERIFY(read.value().isEmpty());
    }

    void loginIsRememberedAndLogoutForgets()
    {
        if (qEnvironmentVariableIsSet("PITCHEY_TEST_NO_KEYCHAIN"))
            QSKIP("this run has no keychain on purpose");
        const QString server = serverUrl(*m_server).toString();
        {
            ApiClient api;
            TokenStore tokens(u"pitchey-tests"_s);
            SessionController session(api, tokens);
            session.restore({});
            QCOMPARE(session.state(), SessionController::State::LoggedOut);
            QSignalSpy errors(&session, &SessionController::errorOccurred);
            QSignalSpy settled(&session, &SessionController::keychainSettled);
            session.registerAccount(server, u"alice"_s, u"Alice A"_s, u"short"_s);
            QTRY_COMPARE(errors.count(), 1); // the server's own message: password too short
            QVERIFY(errors.at(0).at(0).toString().contains(u"8"_s));
            session.registerAccount(server, u"alice"_s, u"Alice A"_s, u"password123"_s,
                                    u"alice@example.org"_s);
            QTRY_COMPARE(session.state(), SessionController::State::LoggedIn);
            QVERIFY(session.hasEmail());
            QCOMPARE(session.displayName(), u"Alice A"_s);
            QTRY_COMPARE(settled.count(), 1); // the token is in the keychain
            QVERIFY(session.keychainProblem().isEmpty());
        }
        const qint64 aliceId = m_http
                                   ->post(u"/api/auth/login"_s, {{"username"_L1, "alice"_L1},
                                                                 {"password"_L1, "password123"_L1}})
                                   .body.value("user"_L1)
                                   .toObject()
                                   .value("id"_L1)
                                   .toInteger();
        // The next start logs in silently, even with the server down.
        m_server->stop();
        {
            ApiClient api;
            TokenStore tokens(u"pitchey-tests"_s);
            SessionController session(api, tokens);
            QSignalSpy loggedIn(&session, &SessionController::loggedIn);
            QSignalSpy settled(&session, &SessionController::keychainSettled);
            session.restore({});
            QTRY_COMPARE(loggedIn.count(), 1);
            QVERIFY(session.hasEmail()); // remembered with the login
            QCOMPARE(session.userId(), aliceId);
            QCOMPARE(session.username(), u"alice"_s);
            session.logout();
            QCOMPARE(session.state(), SessionController::State::LoggedOut);
            QTRY_COMPARE(settled.count(), 1); // the token is gone from the keychain
        }
        {
            ApiClient api;
            TokenStore tokens(u"pitchey-tests"_s);
            SessionController session(api, tokens);
            session.restore({});
            QTRY_COMPARE(session.state(), SessionController::State::LoggedOut);
        }
    }

    void keychainProblemIsReported()
    {
        if (!qEnvironmentVariableIsSet("PITCHEY_TEST_NO_KEYCHAIN"))
            QSKIP("runs as tst_client_core_nokeychain, without a D-Bus session");
        ApiClient api;
        TokenStore tokens(u"pitchey-tests"_s);
        SessionController session(api, tokens);
        session.login(serverUrl(*m_server).toString(), u"nobody"_s, u"password123"_s);
        QSignalSpy errors(&session, &SessionController::errorOccurred);
        QTRY_COMPARE(errors.count(), 1); // wrong username or password
        m_http->registerUser(u"carol"_s);
        session.login(serverUrl(*m_server).toString(), u"carol"_s, u"password123"_s);
        QTRY_COMPARE(session.state(), SessionController::State::LoggedIn);
        QTRY_VERIFY(!session.keychainProblem().isEmpty());
        // The user chooses to stay for this run: nothing is written anywhere else.
        session.keepForThisRun();
        QVERIFY(session.keychainProblem().isEmpty());
        QCOMPARE(session.state(), SessionController::State::LoggedIn);
    }

    // A Secret Service that takes calls and never answers (as a hung or locked one): the
    // restore gives up on it after its patience and shows the login page, saying why.
    void aKeychainThatDoesNotAnswerIsGivenUpOn()
    {
        if (!qEnvironmentVariableIsSet("PITCHEY_TEST_SLOW_KEYCHAIN"))
            QSKIP("runs as tst_client_core_slowkeychain, on a D-Bus session of its own");
        SilentService silent;
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY(bus.registerVirtualObject(u"/"_s, &silent, QDBusConnection::SubPath));
        QVERIFY(bus.registerService(u"org.freedesktop.secrets"_s));
        QSettings settings;
        settings.setValue("session/server"_L1, serverUrl(*m_server));
        settings.setValue("session/username"_L1, u"alice"_s);

        ApiClient api;
        TokenStore tokens(u"pitchey-tests"_s);
        SessionController session(api, tokens);
        session.setKeychainPatience(std::chrono::milliseconds(300));
        session.restore({});
        QCOMPARE(session.state(), SessionController::State::Restoring);
        QTRY_COMPARE(session.state(), SessionController::State::LoggedOut);
        QVERIFY(session.keychainProblem().contains(u"not answered"_s));
        QVERIFY(silent.calls > 0); // it was asked
        settings.remove("session"_L1);
    }

    void messagesReceiptsTypingAndPresence()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(bob, alice);
        WsClient bobSocket;
        QVERIFY(bobSocket.open(m_server->wsUrl(bob.token)));

        ClientRig rig(serverUrl(*m_server));
        rig.chat.setWindowActive(true);
        rig.startAs(sessionFor(alice), m_cacheDir->path());
        QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Connected);
        QTRY_COMPARE(rig.chat.conversations()->rowCount(), 1);
        bobSocket.waitFor(u"user_online"_s);
        // Small frames (typing, then the message) go out at once, not after a delayed ACK.
        auto *tcp = rig.connection.findChild<QAbstractSocket *>();
        QVERIFY(tcp);
        QCOMPARE(tcp->socketOption(QAbstractSocket::LowDelayOption).toInt(), 1);

        // Receive: Bob writes; Alice's list shows it, and her client acknowledges delivery.
        bobSocket.sendJson({{"type"_L1, "send_message"_L1},
                            {"conversationId"_L1, pair},
                            {"content"_L1, "<b>hi</b> alice"_L1},
                            {"clientMessageId"_L1, "b1"_L1}});
        const qint64 first = bobSocket.waitFor(u"message_sent"_s).value("messageId"_L1).toInteger();
        const QModelIndex row = rig.chat.conversations()->index(0);
        QTRY_COMPARE(row.data(ConversationListModel::PreviewRole).toString(), u"<b>hi</b> alice"_s);
        QCOMPARE(row.data(ConversationListModel::UnreadRole).toLongLong(), 1);
        QCOMPARE(row.data(ConversationListModel::TitleRole).toString(), u"bob"_s);
        QVERIFY(row.data(ConversationListModel::OnlineRole).toBool());
        QCOMPARE(bobSocket.waitFor(u"message_delivered"_s).value("messageId"_L1).toInteger(),
                 first);

        // Open and see it: a read receipt goes to Bob, the badge clears.
        rig.chat.openConversation(pair);
        QTRY_COMPARE(rig.chat.messages()->rowCount(), 1);
        QCOMPARE(rig.chat.currentStatus(), u"online"_s);
        rig.chat.markSeen(first);
        QCOMPARE(bobSocket.waitFor(u"message_read"_s).value("messageId"_L1).toInteger(), first);
        QCOMPARE(row.data(ConversationListModel::UnreadRole).toLongLong(), 0);

        // Typing both ways.
        rig.chat.composerChanged(u"h"_s);
        QVERIFY(bobSocket.waitFor(u"user_typing"_s).value("isTyping"_L1).toBool());
        rig.chat.composerChanged(u"he"_s); // within 3 s: no second typing_start
        rig.chat.composerChanged({});
        QVERIFY(!bobSocket.waitFor(u"user_typing"_s).value("isTyping"_L1).toBool());
        QCOMPARE(bobSocket.framesOf(u"user_typing"_s).size(), 2); // start, stop: in order
        // Five seconds without a keystroke end it too.
        rig.chat.composerChanged(u"x"_s);
        QVERIFY(bobSocket.waitFor(u"user_typing"_s).value("isTyping"_L1).toBool());
        QElapsedTimer idle;
        idle.start();
        QVERIFY(!bobSocket.waitFor(u"user_typing"_s, 8000).value("isTyping"_L1).toBool());
        // After the client's 5 s, and before the server's own 6 s expiry would have said it.
        QVERIFY2(idle.elapsed() >= 4500 && idle.elapsed() < 5800,
                 qPrintable(u"typing ended after %1 ms"_s.arg(idle.elapsed())));
        rig.chat.composerChanged({});
        bobSocket.sendJson({{"type"_L1, "typing_start"_L1}, {"conversationId"_L1, pair}});
        QTRY_COMPARE(rig.chat.currentStatus(), u"bob is typing…"_s);
        QTRY_COMPARE(row.data(ConversationListModel::TypingRole).toString(), u"typing…"_s);
        bobSocket.sendJson({{"type"_L1, "typing_stop"_L1}, {"conversationId"_L1, pair}});
        QTRY_COMPARE(rig.chat.currentStatus(), u"online"_s);

        // Send: queued, then sent, delivered and read, as Bob's device reports them.
        QVERIFY(rig.chat.send(u"hello bob"_s));
        const QModelIndex mine = rig.chat.messages()->index(0); // newest first
        const QJsonObject arrived = bobSocket.waitFor(u"new_message"_s);
        QCOMPARE(arrived.value("content"_L1).toString(), u"hello bob"_s);
        QVERIFY(!arrived.value("clientMessageId"_L1).toString().isEmpty());
        const qint64 reply = arrived.value("messageId"_L1).toInteger();
        QTRY_COMPARE(mine.data(MessageListModel::StateRole).toInt(),
                     int(LocalMessage::State::Sent));
        QCOMPARE(mine.data(MessageListModel::MessageIdRole).toLongLong(), reply);
        bobSocket.sendJson({{"type"_L1, "message_delivered"_L1}, {"messageId"_L1, reply}});
        QTRY_COMPARE(mine.data(MessageListModel::StateRole).toInt(),
                     int(LocalMessage::State::Delivered));
        bobSocket.sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, reply}});
        QTRY_COMPARE(mine.data(MessageListModel::StateRole).toInt(),
                     int(LocalMessage::State::Read));
        QCOMPARE(row.data(ConversationListModel::PreviewRole).toString(), u"You: hello bob"_s);

        // Presence.
        bobSocket.socket().close();
        QTRY_VERIFY(!rig.chat.currentOnline());
        QTRY_COMPARE(rig.chat.currentStatus(), u"offline"_s);
        WsClient again;
        QVERIFY(again.open(m_server->wsUrl(bob.token)));
        QTRY_VERIFY(rig.chat.currentOnline());
        // Offline, Bob's presence is unknown: not shown as online.
        m_server->stop();
        QTRY_COMPARE(rig.chat.currentStatus(), u"waiting for network…"_s);
        QVERIFY(!rig.chat.currentOnline());
        QVERIFY(!row.data(ConversationListModel::OnlineRole).toBool());
    }

    void refusedMessagesFailAndCanBeRetried()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        ClientRig rig(serverUrl(*m_server));
        QVERIFY(startAndOpen(rig, alice, pair));

        // A message the server refuses (too long for the contract, typed into the cache
        // directly since the controller itself refuses it) is marked failed, not retried.
        auto queued = rig.chat.queue()->enqueue(pair, alice.id, QString(10'001, u'x'));
        QVERIFY(queued.ok());
        QTRY_COMPARE(rig.chat.cache()->byClientId(queued.value().clientMessageId)->state,
                     LocalMessage::State::Failed);
        QVERIFY(!rig.chat.cache()->byClientId(queued.value().clientMessageId)->failure.isEmpty());
        // The queue goes on with the next one.
        QVERIFY(rig.chat.send(u"after the refused one"_s));
        QTRY_VERIFY(rig.chat.cache()->queued().isEmpty());
        QTRY_COMPARE(rig.chat.messages()->rowCount(), 2);
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), alice.token);
        QCOMPARE(history.body.value("messages"_L1).toArray().size(), 1);

        rig.chat.discard(queued.value().clientMessageId);
        QVERIFY(!rig.chat.cache()->byClientId(queued.value().clientMessageId));
        QTRY_COMPARE(rig.chat.messages()->rowCount(), 1);
    }

    void offlineQueueSurvivesARestartWithTheServerDown()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        const Session session = sessionFor(alice);
        const QUrl url = serverUrl(*m_server);
        {
            ClientRig rig(url);
            rig.startAs(session, m_cacheDir->path());
            QTRY_COMPARE(rig.chat.conversations()->rowCount(), 1);
            QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Connected);
            m_server->stop();
            QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Offline);
            rig.chat.openConversation(pair);
            for (const QString &text : {u"one"_s, u"two"_s, u"three"_s})
                QVERIFY(rig.chat.send(text));
            QCOMPARE(rig.chat.cache()->queued().size(), 3);
            QCOMPARE(rig.chat.messages()->rowCount(), 3);
        } // the app quits with three messages unsent

        QVERIFY(m_server->start()); // the same port
        ClientRig restarted(url);
        restarted.startAs(session, m_cacheDir->path());
        // The list is there at once, from the cache, before the network answers.
        QCOMPARE(restarted.chat.conversations()->rowCount(), 1);
        QTRY_VERIFY(restarted.chat.cache()->queued().isEmpty());

        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), bob.token);
        const QJsonArray messages = history.body.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 3);
        QStringList order;
        for (const auto &message : messages)
            order.append(message["content"_L1].toString());
        QCOMPARE(order, (QStringList{u"one"_s, u"two"_s, u"three"_s}));
    }

    void aResendAfterALostAnswerIsNotADuplicate()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        ClientRig rig(serverUrl(*m_server));
        QVERIFY(startAndOpen(rig, alice, pair));
        // The server stores the message, but the connection drops before message_sent
        // is read: the client sends it again on the next connection.
        QVERIFY(rig.chat.send(u"only once"_s));
        rig.connection.retryNow();
        QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Connected);
        QTRY_VERIFY(rig.chat.cache()->queued().isEmpty());
        auto resent = rig.chat.cache()->messages(pair, 10);
        QCOMPARE(resent.size(), 1);
        QCOMPARE(resent.constFirst().state, LocalMessage::State::Sent);
        // Make the client send it again, as after a lost answer.
        const QString clientId = resent.constFirst().clientMessageId;
        bool answered = false;
        connect(&rig.connection, &RealtimeConnection::frameReceived, this,
                [&](const pitchey::frames::server::ServerFrame &frame) {
                    answered = answered ||
                               std::holds_alternative<pitchey::frames::server::MessageSent>(frame);
                });
        rig.connection.send(pitchey::frames::SendMessage{
            pair, std::nullopt, u"only once"_s, clientId, std::nullopt, std::nullopt, {}, {}});
        QTRY_VERIFY(answered);
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), bob.token);
        QCOMPARE(history.body.value("messages"_L1).toArray().size(), 1);
        QCOMPARE(rig.chat.messages()->rowCount(), 1);
    }

    void reconnectFetchesWhatArrivedMeanwhile()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        ClientRig rig(serverUrl(*m_server));
        QVERIFY(startAndOpen(rig, alice, pair));
        for (int i = 0; i < 3; ++i)
            m_http->sendMessage(bob, pair, u"before %1"_s.arg(i));
        QTRY_COMPARE(rig.chat.messages()->rowCount(), 3);

        // Offline: the server stops; Bob's messages arrive at the server after it is back
        // and before Alice reconnects, and more than one page of them.
        m_server->stop();
        QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Offline);
        rig.connection.stop();
        QVERIFY(m_server->start());
        for (int i = 0; i < 130; ++i)
            m_http->sendMessage(bob, pair, u"while away %1"_s.arg(i));
        rig.connection.start(rig.api.webSocketUrl());
        QTRY_COMPARE_WITH_TIMEOUT(rig.chat.messages()->rowCount(), 133, 10000);
        // In id order, without gaps or duplicates.
        const QList<LocalMessage> &shown = rig.chat.messages()->messages();
        for (int i = 1; i < shown.size(); ++i)
            QVERIFY(shown.at(i - 1).id < shown.at(i).id);
        QCOMPARE(shown.constLast().content, u"while away 129"_s);
    }

    // The conversation list, read by the server before a message was pushed and arriving
    // after it (as on a connect while a message comes): the message still counts, and is
    // the list's last message.
    void aListReadBeforeAPushKeepsWhatWasPushed()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        ClientRig rig(serverUrl(*m_server));
        rig.startAs(sessionFor(alice), m_cacheDir->path());
        const auto listed = [&] { return rig.chat.conversations()->find(pair); };
        QTRY_VERIFY(rig.connected() && listed());
        const qint64 first = m_http->sendMessage(bob, pair, u"listed"_s);
        QTRY_COMPARE(listed()->unreadCount, 1);

        // A message the server's next list will not have: pushed after it was read.
        Message pushed;
        pushed.id = first + 1000;
        pushed.conversationId = pair;
        pushed.senderId = bob.id;
        pushed.content = u"pushed meanwhile"_s;
        pushed.createdAt = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(rig.chat.cache()->storeFromServer(pushed).inserted);
        rig.connection.stop();
        QTRY_VERIFY(!rig.connected());
        rig.connection.start(rig.api.webSocketUrl());
        QTRY_VERIFY(rig.connected());
        QTRY_COMPARE(listed()->lastMessage->id, pushed.id);
        QCOMPARE(listed()->unreadCount, 2);
    }

    void olderMessagesPageInFromTheServer()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        qint64 newest = 0;
        for (int i = 0; i < 120; ++i)
            newest = m_http->sendMessage(bob, pair, u"m%1"_s.arg(i));
        {
            // Read on another device: nothing is pushed again, this client has no copy yet.
            WsClient otherDevice;
            QVERIFY(otherDevice.open(m_server->wsUrl(alice.token)));
            otherDevice.sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, newest}});
            QTRY_COMPARE(m_http->get(u"/api/messages/conversations"_s, alice.token)
                             .body["conversations"_L1][0]["unreadCount"_L1]
                             .toInt(),
                         0);
        }
        ClientRig rig(serverUrl(*m_server));
        rig.startAs(sessionFor(alice), m_cacheDir->path());
        QTRY_COMPARE(rig.chat.conversations()->rowCount(), 1);
        rig.chat.openConversation(pair);
        MessageListModel &timeline = *rig.chat.messages();
        QTRY_COMPARE(timeline.rowCount(), 50); // the newest page, from the server
        QTRY_VERIFY(timeline.canFetchMore({}));
        timeline.fetchMore({}); // as a view does when its top comes near
        QVERIFY(rig.chat.loadingOlder());
        QVERIFY(!timeline.canFetchMore({})); // one page at a time
        QTRY_COMPARE(timeline.rowCount(), 100);
        QTRY_VERIFY(!rig.chat.loadingOlder());
        timeline.fetchMore({});
        QTRY_COMPARE(timeline.rowCount(), 120);
        QTRY_VERIFY(!rig.chat.loadingOlder());
        QVERIFY(!timeline.canFetchMore({})); // the server said there is no more
        QCOMPARE(rig.chat.messages()->messages().constFirst().content, u"m0"_s);
        QCOMPARE(rig.chat.messages()->messages().constLast().content, u"m119"_s);

        // Opened again, the same messages come from the cache, without the network.
        rig.chat.closeConversation();
        m_server->stop();
        rig.chat.openConversation(pair);
        QCOMPARE(rig.chat.messages()->rowCount(), 50);
        for (int i = 0; i < 10 && timeline.rowCount() < 120; ++i) {
            QVERIFY(timeline.canFetchMore({}));
            timeline.fetchMore({}); // smaller steps from the cache
            QTRY_VERIFY(!rig.chat.loadingOlder());
        }
        QCOMPARE(rig.chat.messages()->rowCount(), 120);
        QCOMPARE(rig.chat.messages()->messages().constFirst().content, u"m0"_s);
    }

    void startingConversationsFromTheDirectory()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        m_http->registerUser(u"bob"_s);
        m_http->registerUser(u"bobby"_s);
        ClientRig rig(serverUrl(*m_server));
        rig.startAs(sessionFor(alice), m_cacheDir->path());
        QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Connected);

        rig.chat.searchUsers(u"bo"_s);
        QTRY_COMPARE(rig.chat.userSearch()->rowCount(), 2);
        rig.chat.userSearch()->toggle(0);
        QSignalSpy started(&rig.chat, &ChatController::conversationStarted);
        rig.chat.startConversation(u"ignored for two people"_s);
        QTRY_COMPARE(started.count(), 1);
        QCOMPARE(rig.chat.conversations()->rowCount(), 1);
        QCOMPARE(rig.chat.currentConversationId(), started.at(0).at(0).toLongLong());
        QVERIFY(!rig.chat.currentIsGroup());

        rig.chat.searchUsers(u"bo"_s);
        QTRY_COMPARE(rig.chat.userSearch()->rowCount(), 2);
        rig.chat.userSearch()->toggle(0);
        rig.chat.userSearch()->toggle(1);
        rig.chat.startConversation(u"Bobs"_s);
        QTRY_COMPARE(started.count(), 2);
        QCOMPARE(rig.chat.conversations()->rowCount(), 2);
        QCOMPARE(rig.chat.currentTitle(), u"Bobs"_s);
        QCOMPARE(rig.chat.currentInitials(), u"Bo"_s); // as in the conversation list
        QVERIFY(rig.chat.currentIsGroup());
        QCOMPARE(rig.chat.currentStatus(), u"3 members, 1 online"_s); // the viewer
        QCOMPARE(rig.chat.findConversations(u"BOBS"_s).size(), 1);
    }

    void notificationDecisions_data()
    {
        QTest::addColumn<bool>("realtime");
        QTest::addColumn<bool>("muted");
        QTest::addColumn<bool>("windowActive");
        QTest::addColumn<bool>("open");
        QTest::addColumn<bool>("mentioned");
        QTest::addColumn<bool>("whenMuted");
        QTest::addColumn<bool>("notify");
        QTest::newRow("window in the background")
            << true << false << false << true << false << true << true;
        QTest::newRow("another conversation open")
            << true << false << true << false << false << true << true;
        QTest::newRow("reading it right now")
            << true << false << true << true << false << true << false;
        QTest::newRow("muted") << true << true << false << false << false << true << false;
        QTest::newRow("muted, mentioned") << true << true << false << false << true << true << true;
        QTest::newRow("muted, mentioned, mentionsWhenMuted off")
            << true << true << false << false << true << false << false;
        QTest::newRow("real-time off") << false << false << false << false << true << true << false;
    }

    void notificationDecisions()
    {
        QFETCH(bool, realtime);
        QFETCH(bool, muted);
        QFETCH(bool, windowActive);
        QFETCH(bool, open);
        QFETCH(bool, mentioned);
        QFETCH(bool, whenMuted);
        QFETCH(bool, notify);
        QCOMPARE(NotificationCenter::shouldNotify(
                     {realtime, muted, windowActive, open, mentioned, whenMuted}),
                 notify);
    }

    void thePresenterSeesTheRightMessages()
    {
        struct Recorder : NotificationPresenter
        {
            QStringList shown;
            QList<qint64> ids;
            void show(qint64, qint64 messageId, const QString &title, const QString &body) override
            {
                if (ids.contains(messageId)) { // in the place of the one shown
                    shown[ids.indexOf(messageId)] = title + u'|' + body;
                    return;
                }
                shown.append(title + u'|' + body);
                ids.append(messageId);
            }
            void update(qint64 messageId, const QString &body) override
            {
                QVERIFY(ids.contains(messageId)); // (a presenter is told only of edits)
                shown[ids.indexOf(messageId)] = u"(edited)|"_s + body;
            }
            void withdraw(qint64 messageId) override
            {
                shown.removeAt(ids.indexOf(messageId));
                ids.removeAll(messageId);
            }
        } recorder;
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        ClientRig rig(serverUrl(*m_server));
        rig.api.setToken(alice.token);
        SettingsController settings(rig.api);
        NotificationCenter center(rig.chat, settings);
        center.setPresenter(&recorder);
        rig.startAs(sessionFor(alice), m_cacheDir->path());
        settings.reload();
        QTRY_VERIFY(settings.loaded());
        QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Connected);
        QTRY_COMPARE(rig.chat.conversations()->rowCount(), 1);

        m_http->sendMessage(bob, pair, u"in the background"_s); // window not active: shown
        QTRY_COMPARE(recorder.shown.size(), 1);
        QCOMPARE(recorder.shown.constFirst(), u"bob|in the background"_s);

        rig.chat.setWindowActive(true);
        rig.chat.openConversation(pair);
        m_http->sendMessage(bob, pair, u"while reading"_s);          // on screen: not shown
        m_http->sendMessage(alice, pair, u"from my other device"_s); // own: never shown
        QTRY_COMPARE(rig.chat.messages()->rowCount(), 3);

        rig.chat.closeConversation();
        settings.setMuted(pair, true);
        QTRY_VERIFY(settings.isMuted(pair));
        const auto arrived = [&](const QString &text) {
            return rig.chat.conversations()->index(0).data(ConversationListModel::PreviewRole) ==
                   text;
        };
        m_http->sendMessage(bob, pair, u"muted"_s);
        QTRY_VERIFY(arrived(u"muted"_s));
        settings.setMuted(pair, false);
        settings.setRealtimeEnabled(false);
        QTRY_VERIFY(!settings.isMuted(pair));
        m_http->sendMessage(bob, pair, u"real-time off"_s);
        QTRY_VERIFY(arrived(u"real-time off"_s));
        settings.setRealtimeEnabled(true);
        QTRY_VERIFY(settings.realtimeEnabled());
        m_http->sendMessage(bob, pair, u"shown again"_s);
        QTRY_COMPARE(recorder.shown.size(), 2);
        QCOMPARE(recorder.shown.constLast(), u"bob|shown again"_s);

        // An edit changes the notification; a delete takes it away.
        const qint64 first = recorder.ids.constFirst();
        QCOMPARE(m_http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(first),
                            R"({"content": "in the background, edited"})", bob.token)
                     .status,
                 200);
        QTRY_COMPARE(recorder.shown.constFirst(), u"(edited)|in the background, edited"_s);
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(first), {}, bob.token).status,
                 200);
        QTRY_COMPARE(recorder.shown, QStringList{u"bob|shown again"_s});

        // Reactions to the user's own message: one notification, renewed as more come,
        // gone when they are taken back.
        const qint64 own = m_http->sendMessage(alice, pair, u"new logo"_s);
        const auto react = [&](const QString &emoji, const QByteArray &method) {
            return m_http
                ->send(method, u"/api/messages/%1/reactions/%2"_s.arg(own).arg(emoji), {},
                       bob.token)
                .status;
        };
        QCOMPARE(react(u"\U0001F44D"_s, "PUT"), 200);
        QTRY_COMPARE(recorder.shown.size(), 2);
        QCOMPARE(recorder.ids.constLast(), own);
        QCOMPARE(recorder.shown.constLast(), u"bob|\U0001F44D on \u201cnew logo\u201d"_s);
        QCOMPARE(react(u"\U0001F389"_s, "PUT"), 200);
        QTRY_COMPARE(recorder.shown.constLast(),
                     u"bob|\U0001F44D \U0001F389 on \u201cnew logo\u201d"_s);
        QCOMPARE(recorder.shown.size(), 2);
        QCOMPARE(react(u"\U0001F44D"_s, "DELETE"), 200);
        QCOMPARE(react(u"\U0001F389"_s, "DELETE"), 200);
        QTRY_COMPARE(recorder.shown, QStringList{u"bob|shown again"_s});
    }

    void settingsRoundTripThroughTheServer()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        ApiClient api;
        api.setBaseUrl(serverUrl(*m_server));
        api.setToken(alice.token);
        {
            SettingsController settings(api);
            settings.reload();
            QTRY_VERIFY(settings.loaded());
            QVERIFY(settings.emailEnabled() && settings.realtimeEnabled());
            QCOMPARE(settings.emailDelayMinutes(), 5);
            settings.setEmailEnabled(false);
            settings.setEmailDelayMinutes(30);
            settings.setSendReadReceipts(false);
            settings.setSendTypingIndicators(false);
            settings.setMuted(pair, true);
            QSignalSpy errors(&settings, &SettingsController::errorOccurred);
            settings.setEmailDelayMinutes(5000); // out of range: refused, nothing sent
            QCOMPARE(errors.count(), 1);
            QCOMPARE(settings.emailDelayMinutes(), 30);
            QTRY_VERIFY(!settings.saving());
        }
        const QJsonObject stored = m_http->get(u"/api/notifications/preferences"_s, alice.token)
                                       .body["preferences"_L1]
                                       .toObject();
        QCOMPARE(stored["emailEnabled"_L1].toBool(), false);
        QCOMPARE(stored["emailDelayMinutes"_L1].toInt(), 30);
        QCOMPARE(stored["sendReadReceipts"_L1].toBool(), false);
        QCOMPARE(stored["sendTypingIndicators"_L1].toBool(), false);
        QCOMPARE(stored["mutedConversationIds"_L1].toArray(), QJsonArray{pair});
        SettingsController again(api);
        again.reload();
        QTRY_VERIFY(again.loaded());
        QVERIFY(again.isMuted(pair));
        QCOMPARE(again.emailDelayMinutes(), 30);
    }

    void settingsChangesReachTheServerInOrder()
    {
        // A person flicking a switch: each change is a request, and the server must end
        // with the last, as the screen does.
        const auto alice = m_http->registerUser(u"alice"_s);
        ApiClient api;
        api.setBaseUrl(serverUrl(*m_server));
        api.setToken(alice.token);
        SettingsController settings(api);
        settings.reload();
        QTRY_VERIFY(settings.loaded());
        for (int i = 1; i <= 41; ++i) {
            settings.setRealtimeEnabled(i % 2 == 0);
            settings.setEmailDelayMinutes(i);
        }
        QTRY_VERIFY(!settings.saving());
        QCOMPARE(settings.realtimeEnabled(), false);
        const QJsonObject stored = m_http->get(u"/api/notifications/preferences"_s, alice.token)
                                       .body["preferences"_L1]
                                       .toObject();
        QCOMPARE(stored["realtimeEnabled"_L1].toBool(), false);
        QCOMPARE(stored["emailDelayMinutes"_L1].toInt(), 41);
        QCOMPARE(settings.emailDelayMinutes(), 41);
    }

    // A cache written by the first version of the app (schema 1) opens, keeps what it had
    // and gains drafts; a draft is one per conversation, and an empty one is none.
    void anOldCacheGainsDrafts()
    {
        const QString path = m_cacheDir->filePath(u"old.sqlite"_s);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"old"_s);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            for (const QString &statement :
                 {u"CREATE TABLE conversations (id INTEGER PRIMARY KEY, updated_at INTEGER NOT "
                  "NULL, body TEXT NOT NULL)"_s,
                  u"CREATE TABLE messages (local_id INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER "
                  "UNIQUE, conversation_id INTEGER NOT NULL, sender_id INTEGER NOT NULL, content "
                  "TEXT NOT NULL, created_at INTEGER NOT NULL, client_message_id TEXT, state "
                  "INTEGER NOT NULL, failure TEXT)"_s,
                  u"INSERT INTO conversations VALUES (7, 1000, '{\"id\": 7}')"_s,
                  u"PRAGMA user_version = 1"_s})
                QVERIFY2(query.exec(statement), qPrintable(query.lastError().text()));
        }
        QSqlDatabase::removeDatabase(u"old"_s);
        LocalCache cache(path, 1);
        QVERIFY(cache.open().ok());
        QCOMPARE(cache.conversations().size(), 1);
        QVERIFY(cache.drafts().isEmpty());
        cache.saveDraft(7, u"first"_s);
        cache.saveDraft(7, u"second"_s);
        cache.saveDraft(8, u"elsewhere"_s);
        cache.saveDraft(8, QString());
        QCOMPARE(cache.drafts(), (QHash<qint64, QString>{{7, u"second"_s}}));
    }

    void serverAddressesAreNormalised_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("server"); // empty: refused
        QTest::newRow("host and port") << u"localhost:8000"_s << u"http://localhost:8000"_s;
        QTest::newRow("trailing slash")
            << u" https://chat.example.org/ "_s << u"https://chat.example.org"_s;
        QTest::newRow("with /api")
            << u"https://chat.example.org/api/"_s << u"https://chat.example.org"_s;
        QTest::newRow("under a path, with /api")
            << u"https://example.org/chat/API"_s << u"https://example.org/chat"_s;
        QTest::newRow("a query") << u"http://h:1/?x=1#y"_s << u"http://h:1"_s;
        QTest::newRow("not http") << u"ftp://example.org"_s << QString();
        QTest::newRow("no host") << u"http://"_s << QString();
        QTest::newRow("empty") << u"  "_s << QString();
    }

    void serverAddressesAreNormalised()
    {
        QFETCH(QString, typed);
        QFETCH(QString, server);
        const auto url = SessionController::parseServerUrl(typed);
        QCOMPARE(url ? url->toString() : QString(), server);
    }

    // Attachments come once from the server, with the token, and stay on disk within the
    // cache's bound: the least recently used go first.
    void theMediaCacheFetchesOnceAndKeepsToItsBound()
    {
        const auto ann = m_http->registerUser(u"ann"_s);
        QList<qint64> ids;
        for (int i = 0; i < 3; ++i) {
            ids.append(m_http
                           ->sendWithHeaders("POST", u"/api/media?filename=f%1.bin"_s.arg(i),
                                             QByteArray(40'000, char('a' + i)),
                                             {{"Authorization", "Bearer " + ann.token.toLatin1()}})
                           .body["attachment"_L1]["id"_L1]
                           .toInteger());
        }
        client::ApiClient api;
        api.setBaseUrl(serverUrl(*m_server));
        api.setToken(ann.token);
        client::MediaCache cache(api);
        cache.setRoot(m_cacheDir->filePath(u"media"_s));
        cache.setLimit(110'000); // two of the three (trimmed to three quarters)
        const auto fetch = [&](qint64 id) {
            std::optional<Result<QString>> got;
            cache.fetch(id, 0, u"f.bin"_s, &cache,
                        [&](const Result<QString> &file) { got = file; });
            return QTest::qWaitFor([&] { return got.has_value(); }, 5000)
                       ? *got
                       : Result<QString>(Error::internal(u"no answer"_s));
        };
        const auto first = fetch(ids.at(0));
        QVERIFY(first.ok());
        QFile file(first.value());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray(40'000, 'a'));
        file.close();
        // Twice at once: one download, both told.
        int told = 0;
        cache.fetch(ids.at(1), 0, u"f.bin"_s, &cache,
                    [&](const Result<QString> &got) { told += got.ok(); });
        cache.fetch(ids.at(1), 0, u"f.bin"_s, &cache,
                    [&](const Result<QString> &got) { told += got.ok(); });
        QTRY_COMPARE(told, 2);
        QVERIFY(QFile::exists(first.value()));
        QFile used(first.value()); // the first, used again: newer than the second
        QVERIFY(used.open(QIODevice::Append));
        QVERIFY(used.setFileTime(QDateTime::currentDateTimeUtc().addSecs(60),
                                 QFileDevice::FileModificationTime));
        used.close();
        QVERIFY(fetch(ids.at(2)).ok()); // past the bound: the least recently used goes
        QVERIFY(QFile::exists(first.value()));
        QVERIFY(!QFile::exists(cache.pathFor(ids.at(1), 0, u"f.bin"_s)));
        QVERIFY(QFile::exists(cache.pathFor(ids.at(2), 0, u"f.bin"_s)));
        // Someone else's file is not fetched, and nothing is left of the attempt.
        const auto eve = m_http->registerUser(u"eve"_s);
        api.setToken(eve.token);
        QVERIFY(!fetch(ids.at(0) + 100).ok());
    }

    // A file the user sent is kept in the media cache under its attachment: opening or
    // saving it later needs no download.
    void sentFilesAreKeptInTheMediaCache()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = pairConversation(alice, bob);
        ClientRig rig(serverUrl(*m_server));
        client::MediaCache media(rig.api);
        media.setRoot(m_cacheDir->filePath(u"media"_s));
        rig.chat.setMedia(&media, [](const QUrl &) { return true; });
        QVERIFY(startAndOpen(rig, alice, pair));
        const QByteArray bytes(30'000, 'z');
        QFile original(m_cacheDir->filePath(u"notes.bin"_s));
        QVERIFY(original.open(QIODevice::WriteOnly) && original.write(bytes) == bytes.size());
        original.close();
        QVERIFY(rig.chat.files()->addUrls({QUrl::fromLocalFile(original.fileName())}));
        QVERIFY(rig.chat.send(u"the notes"_s));
        QTRY_VERIFY(rig.chat.cache()->queued().isEmpty());
        const LocalMessage sent = rig.chat.messages()->messages().constLast();
        QCOMPARE(sent.attachments.size(), 1);
        QFile kept(media.pathFor(sent.attachments.constFirst().id, 0, u"notes.bin"_s));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), bytes);
        QVERIFY(QDir(rig.chat.cache()->outboxDir())
                    .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                    .isEmpty());
    }

    void deadConnectionsAreNoticed()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        ClientRig rig(serverUrl(*m_server));
        rig.connection.setTiming({200, 1000, 300}); // pings every 300 ms
        rig.startAs(sessionFor(alice), m_cacheDir->path());
        QTRY_COMPARE(rig.chat.connectionState(), ChatController::ConnectionState::Connected);
        QSignalSpy states(&rig.connection, &RealtimeConnection::stateChanged);
        QSignalSpy heartbeats(&rig.connection, &RealtimeConnection::heartbeat);
        // A live connection answers its pings and stays up, ping after ping.
        QTRY_VERIFY(heartbeats.count() >= 3);
        QCOMPARE(states.count(), 0);
        // A server that stops answering (stopped without closing the socket) is noticed.
        m_server->stop();
        QTRY_VERIFY(rig.chat.connectionState() != ChatController::ConnectionState::Connected);
        QVERIFY(rig.chat.retryInSeconds() >= 0);
    }
};

QTEST_GUILESS_MAIN(TestClientCore)
#include "tst_client_core.moc"
