// The HTTP half of the wire contract against a real server on a real socket.
#include "Clients.h"
#include "TestMain.h"
#include "TestServer.h"

#include "auth/JwtService.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestHttpApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;

    qint64 createConversation(const QString &token, const QJsonArray &ids, int expectedStatus = 201)
    {
        const auto result =
            m_http->post(u"/api/messages/conversations"_s, {{"participantIds"_L1, ids}}, token);
        if (result.status != expectedStatus)
            qWarning() << result.status << result.raw;
        return result.body.value("conversation"_L1).toObject().value("id"_L1).toInteger();
    }

    qint64 send(const QString &token, qint64 conversationId, const QString &content)
    {
        const auto result =
            m_http->post(u"/api/messages/send"_s,
                         {{"conversationId"_L1, conversationId}, {"content"_L1, content}}, token);
        return result.body.value("message"_L1).toObject().value("id"_L1).toInteger();
    }

private Q_SLOTS:
    void init()
    {
        // The server logs a storage failure as a warning; none may happen in these suites.
        QTest::failOnWarning(
            QRegularExpression(u"query failed|prepare failed|commit failed|cannot begin"_s));
        m_server = std::make_unique<TestServer>([](auto &config) {
            config.rateBurst = 1000;
            config.authBurst = 1000;
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
    }

    void cleanup()
    {
        m_http.reset();
        m_server.reset();
    }

    void health()
    {
        const auto result = m_http->get(u"/health"_s);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.body, QJsonObject({{"status"_L1, "ok"_L1}}));
    }

    // Plain connections are read on the I/O threads: while this thread (the server's main
    // thread too) blocks, a request the front end refuses is still answered.
    void theFrontEndAnswersWithoutTheMainThread()
    {
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, quint16(m_server->httpUrl({}).port()));
        QVERIFY(raw.waitForConnected(5000));
        QByteArray in;
        raw.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(readUntil(raw, in, "{\"status\":\"ok\"}")); // accepted and served
        in.clear();
        raw.write("GET /health HTTP/9.9\r\nHost: x\r\n\r\n");
        QVERIFY2(readUntilBlocking(raw, in, "\r\n\r\n"), in.constData());
        QVERIFY2(in.startsWith("HTTP/1.1 505 "), in.constData());
    }

    void registerReturnsTokenAndUser()
    {
        const auto result =
            m_http->post(u"/api/auth/register"_s, {{"username"_L1, "Alice.B-1_"_L1},
                                                   {"password"_L1, "12345678"_L1},
                                                   {"email"_L1, "alice@example.org"_L1},
                                                   {"displayName"_L1, "Alice B"_L1}});
        QCOMPARE(result.status, 201);
        QVERIFY(!result.body.value("token"_L1).toString().isEmpty());
        const QJsonObject user = result.body.value("user"_L1).toObject();
        QVERIFY(user.value("id"_L1).toInteger() > 0);
        QCOMPARE(user.value("username"_L1).toString(), u"Alice.B-1_"_s);
        QCOMPARE(user.value("displayName"_L1).toString(), u"Alice B"_s);
        QCOMPARE(user.value("email"_L1).toString(), u"alice@example.org"_s);
        QVERIFY(user.contains("online"_L1));
        // The token is a JWT with the contract's claims.
        const QStringList parts = result.body.value("token"_L1).toString().split(u'.');
        QCOMPARE(parts.size(), 3);
        const QJsonObject claims =
            QJsonDocument::fromJson(
                QByteArray::fromBase64(parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding))
                .object();
        QCOMPARE(claims.value("sub"_L1).toString(),
                 QString::number(user.value("id"_L1).toInteger()));
        QCOMPARE(claims.value("username"_L1).toString(), u"Alice.B-1_"_s);
        QVERIFY(claims.value("exp"_L1).toInteger() > claims.value("iat"_L1).toInteger());
    }

    void registerRefusesBadInput_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("short name") << R"({"username":"ab","password":"12345678"})"_ba << 400;
        QTest::newRow("long name")
            << R"({"username":"abcdefghijabcdefghijabcdefghijabc","password":"12345678"})"_ba
            << 400;
        QTest::newRow("bad chars") << R"({"username":"al ice","password":"12345678"})"_ba << 400;
        QTest::newRow("short password") << R"({"username":"alice","password":"1234567"})"_ba << 400;
        QTest::newRow("no password") << R"({"username":"alice"})"_ba << 400;
        QTest::newRow("number name") << R"({"username":5,"password":"12345678"})"_ba << 400;
        QTest::newRow("not json") << "username=alice"_ba << 400;
        QTest::newRow("array") << "[]"_ba << 400;
        QTest::newRow("taken, other case")
            << R"({"username":"TAKEN","password":"12345678"})"_ba << 409;
    }

    void registerRefusesBadInput()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        m_http->registerUser(u"taken"_s);
        const auto result = m_http->send("POST", u"/api/auth/register"_s, body);
        QCOMPARE(result.status, status);
        QCOMPARE(result.errorCode(), status == 409 ? u"conflict"_s : u"bad_request"_s);
        QVERIFY(!result.body.value("error"_L1).toObject().value("message"_L1).toString().isEmpty());
    }

    void loginAnswersTheSameForWrongNameOrPassword()
    {
        m_http->registerUser(u"alice"_s);
        const auto good = m_http->post(
            u"/api/auth/login"_s, {{"username"_L1, "ALICE"_L1}, {"password"_L1, "password123"_L1}});
        QCOMPARE(good.status, 200);
        QCOMPARE(good.body.value("user"_L1).toObject().value("username"_L1).toString(), u"alice"_s);
        const auto wrongPassword = m_http->post(
            u"/api/auth/login"_s, {{"username"_L1, "alice"_L1}, {"password"_L1, "nope-nope"_L1}});
        const auto wrongName =
            m_http->post(u"/api/auth/login"_s,
                         {{"username"_L1, "nobody"_L1}, {"password"_L1, "password123"_L1}});
        QCOMPARE(wrongPassword.status, 401);
        QCOMPARE(wrongName.status, 401);
        QCOMPARE(wrongPassword.raw, wrongName.raw);
    }

    void protectedRoutesNeedAValidToken_data()
    {
        QTest::addColumn<QString>("header");
        QTest::newRow("none") << QString();
        QTest::newRow("malformed") << u"abc.def"_s;
        QTest::newRow("bad signature") << u"SIGN"_s;
        QTest::newRow("expired") << u"EXPIRED"_s;
        QTest::newRow("alg none") << u"NONE"_s;
        QTest::newRow("no such user") << u"GHOST"_s;
        QTest::newRow("another key") << u"OLDKEY"_s;
        QTest::newRow("issued in the future") << u"FUTURE"_s;
    }

    void theBearerSchemeIsCaseInsensitive()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        for (const char *scheme : {"bearer ", "BEARER ", "Bearer  "}) {
            const auto result =
                m_http->sendWithHeaders("GET", u"/api/messages/conversations"_s, {},
                                        {{"Authorization", scheme + alice.token.toLatin1()}});
            QCOMPARE(result.status, 200);
        }
        const auto basic =
            m_http->sendWithHeaders("GET", u"/api/messages/conversations"_s, {},
                                    {{"Authorization", "Basic " + alice.token.toLatin1()}});
        QCOMPARE(basic.status, 401);
    }

    void protectedRoutesNeedAValidToken()
    {
        QFETCH(QString, header);
        const auto alice = m_http->registerUser(u"alice"_s);
        QString token = header;
        if (header == "SIGN"_L1) {
            token = pitchey::server::JwtService("another-secret-entirely", 3600)
                        .issue(alice.id, alice.username, 1);
        } else if (header == "EXPIRED"_L1 || header == "GHOST"_L1 || header == "OLDKEY"_L1 ||
                   header == "FUTURE"_L1) {
            // Signed with the server's own secret: only the claims or the account are wrong.
            const qint64 now = QDateTime::currentSecsSinceEpoch();
            const pitchey::server::JwtService jwt(m_server->config().jwtSecret, 3600);
            const qint64 key = claimOf(alice.token, "key"_L1).toInteger();
            if (header == "EXPIRED"_L1)
                token = jwt.issue({alice.id, alice.username, now - 7200, now - 3600, key});
            else if (header == "GHOST"_L1)
                token = jwt.issue({alice.id + 1000, alice.username, now, now + 60, key});
            else if (header == "OLDKEY"_L1)
                token = jwt.issue({alice.id, alice.username, now, now + 60, key ^ 1});
            else
                token = jwt.issue({alice.id, alice.username, now + 120, now + 3600, key});
        } else if (header == "NONE"_L1) {
            const QStringList parts = alice.token.split(u'.');
            const QByteArray none =
                QByteArray(R"({"alg":"none","typ":"JWT"})")
                    .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
            token = QString::fromLatin1(none) + u'.' + parts.at(1) + u'.';
        }
        for (const QString &path :
             {u"/api/messages/conversations"_s, u"/api/notifications/preferences"_s,
              u"/api/users?search=a"_s}) {
            const auto result = m_http->get(path, token);
            QCOMPARE(result.status, 401);
            QCOMPARE(result.errorCode(), u"unauthorized"_s);
        }
    }

    void unknownRouteWrongMethodAndLargeBody()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        auto missing = m_http->get(u"/api/nothing-here"_s, alice.token);
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorCode(), u"not_found"_s);
        auto wrong = m_http->send("DELETE", u"/api/messages/conversations"_s, {}, alice.token);
        QCOMPARE(wrong.status, 405);
        QCOMPARE(wrong.errorCode(), u"bad_request"_s);
        auto large = m_http->send("POST", u"/api/messages/send"_s,
                                  QByteArray(1024 * 1024 + 10, ' '), alice.token);
        QCOMPARE(large.status, 413);
        QCOMPARE(large.errorCode(), u"too_large"_s);
    }

    void pairConversationsAreUnique()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 first = createConversation(alice.token, {bob.id}, 201);
        QVERIFY(first > 0);
        QCOMPARE(createConversation(bob.token, {alice.id}, 200), first);
        QCOMPARE(createConversation(alice.token, {bob.id, alice.id}, 200), first);
        const auto result = m_http->post(u"/api/messages/conversations"_s,
                                         {{"participantIds"_L1, QJsonArray{bob.id}}}, alice.token);
        const QJsonObject conversation = result.body.value("conversation"_L1).toObject();
        QCOMPARE(conversation.value("isGroup"_L1).toBool(), false);
        QCOMPARE(conversation.value("participants"_L1).toArray().size(), 2);
        QVERIFY(conversation.value("lastMessage"_L1).isNull());
        QCOMPARE(conversation.value("unreadCount"_L1).toInteger(), 0);
        QVERIFY(conversation.value("participants"_L1)
                    .toArray()
                    .at(0)
                    .toObject()
                    .value("email"_L1)
                    .isUndefined());
    }

    void groupsAndUnknownParticipants()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const auto group = m_http->post(
            u"/api/messages/conversations"_s,
            {{"participantIds"_L1, QJsonArray{bob.id, carol.id}}, {"title"_L1, "Team"_L1}},
            alice.token);
        QCOMPARE(group.status, 201);
        QCOMPARE(group.body.value("conversation"_L1).toObject().value("isGroup"_L1).toBool(), true);
        QCOMPARE(group.body.value("conversation"_L1).toObject().value("title"_L1).toString(),
                 u"Team"_s);
        QCOMPARE(group.body.value("conversation"_L1)
                     .toObject()
                     .value("participants"_L1)
                     .toArray()
                     .size(),
                 3);
        const auto unknown =
            m_http->post(u"/api/messages/conversations"_s,
                         {{"participantIds"_L1, QJsonArray{bob.id, 9999}}}, alice.token);
        QCOMPARE(unknown.status, 400);
        const auto notArray =
            m_http->post(u"/api/messages/conversations"_s, {{"participantIds"_L1, 5}}, alice.token);
        QCOMPARE(notArray.status, 400);
        const auto onlyMe =
            m_http->post(u"/api/messages/conversations"_s,
                         {{"participantIds"_L1, QJsonArray{alice.id}}}, alice.token);
        QCOMPARE(onlyMe.status, 400);
    }

    void conversationsAreOrderedWithUnreadCounts()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const qint64 withBob = createConversation(alice.token, {bob.id});
        const qint64 withCarol = createConversation(alice.token, {carol.id});
        send(bob.token, withBob, u"b1"_s);
        send(carol.token, withCarol, u"c1"_s);
        send(carol.token, withCarol, u"c2"_s);
        send(alice.token, withCarol, u"a1"_s);
        const QJsonArray list = m_http->get(u"/api/messages/conversations"_s, alice.token)
                                    .body.value("conversations"_L1)
                                    .toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list.at(0).toObject().value("id"_L1).toInteger(), withCarol);
        QCOMPARE(list.at(0).toObject().value("unreadCount"_L1).toInteger(), 2);
        QCOMPARE(
            list.at(0).toObject().value("lastMessage"_L1).toObject().value("content"_L1).toString(),
            u"a1"_s);
        QCOMPARE(list.at(1).toObject().value("unreadCount"_L1).toInteger(), 1);
        send(bob.token, withBob, u"b2"_s);
        const QJsonArray after = m_http->get(u"/api/messages/conversations"_s, alice.token)
                                     .body.value("conversations"_L1)
                                     .toArray();
        QCOMPARE(after.at(0).toObject().value("id"_L1).toInteger(), withBob);
    }

    void historyPages()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        QList<qint64> ids;
        for (int i = 0; i < 120; ++i)
            ids.append(send(i % 2 ? bob.token : alice.token, pair, u"m%1"_s.arg(i)));

        auto page = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), alice.token);
        QCOMPARE(page.status, 200);
        QJsonArray messages = page.body.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 50);
        QCOMPARE(messages.first().toObject().value("id"_L1).toInteger(), ids.at(70));
        QCOMPARE(messages.last().toObject().value("id"_L1).toInteger(), ids.at(119));
        QCOMPARE(page.body.value("hasMore"_L1).toBool(), true);

        page = m_http->get(
            u"/api/messages/%1/messages?before=%2&limit=1000"_s.arg(pair).arg(ids.at(70)),
            alice.token);
        messages = page.body.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 70); // clamped to 100, but only 70 are older
        QCOMPARE(page.body.value("hasMore"_L1).toBool(), false);
        QCOMPARE(messages.first().toObject().value("id"_L1).toInteger(), ids.at(0));

        page = m_http->get(u"/api/messages/%1/messages?limit=1000"_s.arg(pair), alice.token);
        QCOMPARE(page.body.value("messages"_L1).toArray().size(), 100);

        QCOMPARE(m_http->get(u"/api/messages/%1/messages"_s.arg(pair), carol.token).status, 403);
        QCOMPARE(m_http->get(u"/api/messages/999999/messages"_s, alice.token).status, 404);
        QCOMPARE(m_http->get(u"/api/messages/%1/messages?limit=0"_s.arg(pair), alice.token).status,
                 400);
        QCOMPARE(m_http->get(u"/api/messages/%1/messages?before=x"_s.arg(pair), alice.token).status,
                 400);
        QCOMPARE(m_http->get(u"/api/messages/abc/messages"_s, alice.token).status, 400);
    }

    void historyPagesForwardAfterAnId()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        QList<qint64> ids;
        for (int i = 0; i < 7; ++i)
            ids.append(send(alice.token, pair, u"m%1"_s.arg(i)));

        auto page = m_http->get(
            u"/api/messages/%1/messages?after=%2&limit=3"_s.arg(pair).arg(ids.at(1)), bob.token);
        QCOMPARE(page.status, 200);
        QJsonArray messages = page.body.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 3);
        QCOMPARE(messages.at(0).toObject().value("id"_L1).toInteger(), ids.at(2));
        QCOMPARE(messages.at(2).toObject().value("id"_L1).toInteger(), ids.at(4));
        QCOMPARE(page.body.value("hasMore"_L1).toBool(), true);

        page = m_http->get(u"/api/messages/%1/messages?after=%2"_s.arg(pair).arg(ids.at(4)),
                           bob.token);
        messages = page.body.value("messages"_L1).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(1).toObject().value("id"_L1).toInteger(), ids.at(6));
        QCOMPARE(page.body.value("hasMore"_L1).toBool(), false);

        QCOMPARE(m_http->get(u"/api/messages/%1/messages?after=1&before=5"_s.arg(pair), bob.token)
                     .status,
                 400);
    }

    // Version 2's change feed: every message of the caller's conversations changed after a
    // position, once each, in the order of their changeId; paging with the last one's
    // changeId misses nothing; other people's conversations stay out.
    void theChangeFeedPagesThroughTheCallersMessages()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        const qint64 elsewhere = createConversation(carol.token, {alice.id});
        QList<qint64> bobs;
        for (int i = 0; i < 5; ++i) {
            bobs.append(send(i % 2 == 0 ? alice.token : bob.token, pair, u"m%1"_s.arg(i)));
            send(carol.token, elsewhere, u"not for bob %1"_s.arg(i));
        }

        QList<qint64> seen;
        qint64 since = 0;
        qint64 previousChange = 0;
        for (bool more = true; more;) {
            const auto page =
                m_http->get(u"/api/messages/changes?since=%1&limit=2"_s.arg(since), bob.token);
            QCOMPARE(page.status, 200);
            const QJsonArray messages = page.body.value("messages"_L1).toArray();
            QVERIFY(messages.size() <= 2);
            for (const auto &entry : messages) {
                const QJsonObject message = entry.toObject();
                QVERIFY(message.value("changeId"_L1).toInteger() > previousChange);
                previousChange = message.value("changeId"_L1).toInteger();
                QCOMPARE(message.value("kind"_L1).toString(), u"text"_s);
                QCOMPARE(message.value("version"_L1).toInteger(), 1);
                QVERIFY(message.value("deletedAt"_L1).isNull());
                seen.append(message.value("id"_L1).toInteger());
            }
            more = page.body.value("hasMore"_L1).toBool();
            if (more)
                since = messages.last().toObject().value("changeId"_L1).toInteger();
            else
                QVERIFY(page.body.value("latestChangeId"_L1).toInteger() >= previousChange);
        }
        QCOMPARE(seen, bobs);

        // Up to date: nothing more until something changes, then just that.
        const auto latest = m_http->get(u"/api/messages/changes"_s, bob.token)
                                .body.value("latestChangeId"_L1)
                                .toInteger();
        QVERIFY(m_http->get(u"/api/messages/changes?since=%1"_s.arg(latest), bob.token)
                    .body.value("messages"_L1)
                    .toArray()
                    .isEmpty());
        const qint64 next = send(alice.token, pair, u"later"_s);
        const auto after = m_http->get(u"/api/messages/changes?since=%1"_s.arg(latest), bob.token);
        QCOMPARE(after.body.value("messages"_L1).toArray().size(), 1);
        QCOMPARE(after.body.value("messages"_L1)[0]["id"_L1].toInteger(), next);
        // The message as history gives it carries the same position.
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), bob.token);
        QCOMPARE(history.body.value("messages"_L1).toArray().last()["changeId"_L1].toInteger(),
                 after.body.value("messages"_L1)[0]["changeId"_L1].toInteger());

        for (const QString &bad : {u"since=-1"_s, u"since=x"_s, u"limit=0"_s, u"limit=abc"_s}) {
            const auto refused = m_http->get(u"/api/messages/changes?%1"_s.arg(bad), bob.token);
            QCOMPARE(refused.status, 400);
            QCOMPARE(refused.body["error"_L1]["code"_L1].toString(), u"bad_request"_s);
        }
        QCOMPARE(m_http->get(u"/api/messages/changes"_s, u"forged"_s).status, 401);
    }

    HttpResult patch(const QString &path, const QJsonObject &body, const QString &token)
    {
        return m_http->send("PATCH", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                            token);
    }

    // Version 2, Editing, over HTTP: the sender edits within the window; the message keeps
    // its id and place, gets a new version and change feed position, and its history; every
    // refusal the contract names.
    void editingAMessage()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        const qint64 id = send(alice.token, pair, u"helo"_s);
        const auto path = u"/api/messages/%1"_s.arg(id);
        const auto before = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), bob.token)
                                .body["messages"_L1][0]
                                .toObject();
        const auto unread = [&] {
            return m_http->get(u"/api/messages/conversations"_s, bob.token)
                .body["conversations"_L1][0]["unreadCount"_L1]
                .toInteger();
        };
        const auto notifications = [&] {
            return m_http->get(u"/api/notifications"_s, bob.token)
                .body["notifications"_L1]
                .toArray();
        };
        QCOMPARE(unread(), 1);
        QCOMPARE(notifications().size(), 1);

        auto edited = patch(path, {{"content"_L1, u"hello"_s}, {"version"_L1, 1}}, alice.token);
        QCOMPARE(edited.status, 200);
        const QJsonObject message = edited.body["message"_L1].toObject();
        QCOMPARE(message["id"_L1].toInteger(), id);
        QCOMPARE(message["content"_L1].toString(), u"hello"_s);
        QCOMPARE(message["version"_L1].toInteger(), 2);
        QVERIFY(message["editedAt"_L1].isString());
        QVERIFY(message["changeId"_L1].toInteger() > before["changeId"_L1].toInteger());
        QCOMPARE(message["createdAt"_L1], before["createdAt"_L1]);
        // History shows the current text; no new notification, no unread message more.
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), bob.token);
        QCOMPARE(history.body["messages"_L1].toArray().size(), 1);
        QCOMPARE(history.body["messages"_L1][0]["content"_L1].toString(), u"hello"_s);
        QCOMPARE(unread(), 1);
        QCOMPARE(notifications().size(), 1);
        QCOMPARE(notifications().at(0)["body"_L1].toString(), u"hello"_s);
        // The feed has it once, at its new position.
        const auto feed = m_http->get(
            u"/api/messages/changes?since=%1"_s.arg(before["changeId"_L1].toInteger()), bob.token);
        QCOMPARE(feed.body["messages"_L1].toArray().size(), 1);
        QCOMPARE(feed.body["messages"_L1][0]["version"_L1].toInteger(), 2);

        const auto versions = m_http->get(path + u"/history"_s, bob.token);
        QCOMPARE(versions.status, 200);
        const QJsonArray list = versions.body["versions"_L1].toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list[0]["version"_L1].toInteger(), 1);
        QCOMPARE(list[0]["content"_L1].toString(), u"helo"_s);
        QCOMPARE(list[0]["editedAt"_L1], before["createdAt"_L1]);
        QCOMPARE(list[1]["content"_L1].toString(), u"hello"_s);
        QCOMPARE(list[1]["editedAt"_L1], message["editedAt"_L1]);

        // The same content again: 200, nothing stored.
        auto same = patch(path, {{"content"_L1, u"hello"_s}}, alice.token);
        QCOMPARE(same.status, 200);
        QCOMPARE(same.body["message"_L1]["version"_L1].toInteger(), 2);
        QCOMPARE(same.body["message"_L1]["changeId"_L1], message["changeId"_L1]);
        // A stale version: 409 with the current message.
        auto stale = patch(path, {{"content"_L1, u"hi"_s}, {"version"_L1, 1}}, alice.token);
        QCOMPARE(stale.status, 409);
        QCOMPARE(stale.body["error"_L1]["code"_L1].toString(), u"conflict"_s);
        QCOMPARE(stale.body["error"_L1]["current"_L1]["content"_L1].toString(), u"hello"_s);
        QCOMPARE(stale.body["error"_L1]["current"_L1]["version"_L1].toInteger(), 2);
        // Not the sender; not a participant; no such message; bad content.
        QCOMPARE(patch(path, {{"content"_L1, u"mine now"_s}}, bob.token).status, 403);
        QCOMPARE(patch(path, {{"content"_L1, u"mine now"_s}}, carol.token).status, 403);
        QCOMPARE(m_http->get(path + u"/history"_s, carol.token).status, 403);
        QCOMPARE(patch(u"/api/messages/999999"_s, {{"content"_L1, u"x"_s}}, alice.token).status,
                 404);
        QCOMPARE(m_http->get(u"/api/messages/999999/history"_s, alice.token).status, 404);
        for (const QJsonValue &bad : {QJsonValue(u"   "_s), QJsonValue(u""_s), QJsonValue(5),
                                      QJsonValue(QString(10'001, u'x'))}) {
            const auto refused = patch(path, {{"content"_L1, bad}}, alice.token);
            QCOMPARE(refused.status, 400);
            QCOMPARE(refused.body["error"_L1]["code"_L1].toString(), u"bad_request"_s);
        }
        QCOMPARE(patch(path, {{"content"_L1, u"x"_s}, {"version"_L1, u"2"_s}}, alice.token).status,
                 400);
        QCOMPARE(patch(path, {{"content"_L1, u"x"_s}}, u"forged"_s).status, 401);
        // The routes beside it still answer as before.
        QCOMPARE(m_http->get(u"/api/messages/changes"_s, alice.token).status, 200);
        QCOMPARE(send(alice.token, pair, u"still sends"_s) > 0, true);
    }

    // Version 2, Deleting, over HTTP: the message becomes a tombstone in place, everywhere
    // at once (history, the feed, lastMessage, notifications, unread counts), again and
    // again the same; what refers to it is refused.
    void deletingAMessage()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        const qint64 first = send(alice.token, pair, u"first"_s);
        const qint64 secret = send(alice.token, pair, u"a secret"_s);
        QCOMPARE(patch(u"/api/messages/%1"_s.arg(secret), {{"content"_L1, u"a big secret"_s}},
                       alice.token)
                     .status,
                 200);
        const auto bobsList = [&] {
            return m_http->get(u"/api/messages/conversations"_s, bob.token)
                .body["conversations"_L1][0]
                .toObject();
        };
        QCOMPARE(bobsList()["unreadCount"_L1].toInteger(), 2);
        QCOMPARE(bobsList()["lastMessage"_L1]["id"_L1].toInteger(), secret);

        const auto path = u"/api/messages/%1"_s.arg(secret);
        QCOMPARE(m_http->send("DELETE", path, {}, bob.token).status, 403); // not the sender
        QCOMPARE(m_http->send("DELETE", path, {}, carol.token).status, 403);
        QCOMPARE(m_http->send("DELETE", u"/api/messages/999999"_s, {}, alice.token).status, 404);
        const auto deleted = m_http->send("DELETE", path, {}, alice.token);
        QCOMPARE(deleted.status, 200);
        const QJsonObject tombstone = deleted.body["message"_L1].toObject();
        QCOMPARE(tombstone["id"_L1].toInteger(), secret);
        QCOMPARE(tombstone["content"_L1].toString(), QString());
        QVERIFY(tombstone["deletedAt"_L1].isString());
        QCOMPARE(tombstone["version"_L1].toInteger(), 2);
        QVERIFY(tombstone["editedAt"_L1].isString());
        QCOMPARE(tombstone["reactions"_L1].toArray().size(), 0);
        QCOMPARE(tombstone["attachments"_L1].toArray().size(), 0);
        // Again: the same tombstone.
        const auto again = m_http->send("DELETE", path, {}, alice.token);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.body["message"_L1].toObject(), tombstone);

        // Everywhere at once: history keeps it in place, the feed has the tombstone,
        // lastMessage is the newest live one, it is neither unread nor a notification, and
        // its versions are gone.
        const QJsonArray history = m_http->get(u"/api/messages/%1/messages"_s.arg(pair), bob.token)
                                       .body["messages"_L1]
                                       .toArray();
        QCOMPARE(history.size(), 2);
        QCOMPARE(history[1].toObject(), tombstone);
        const auto feed = m_http->get(
            u"/api/messages/changes?since=%1"_s.arg(tombstone["changeId"_L1].toInteger() - 1),
            bob.token);
        QCOMPARE(feed.body["messages"_L1].toArray().size(), 1);
        QCOMPARE(feed.body["messages"_L1][0].toObject(), tombstone);
        QCOMPARE(bobsList()["lastMessage"_L1]["id"_L1].toInteger(), first);
        QCOMPARE(bobsList()["unreadCount"_L1].toInteger(), 1);
        const QJsonArray notifications =
            m_http->get(u"/api/notifications"_s, bob.token).body["notifications"_L1].toArray();
        QCOMPARE(notifications.size(), 1);
        QCOMPARE(notifications[0]["body"_L1].toString(), u"first"_s);
        const auto versions = m_http->get(path + u"/history"_s, alice.token);
        QCOMPARE(versions.status, 200);
        QCOMPARE(versions.body["versions"_L1].toArray().size(), 0);
        // Nothing of it anywhere in storage.
        QVERIFY(!m_server->databaseHolds(u"a secret"_s));
        QVERIFY(!m_server->databaseHolds(u"a big secret"_s));

        // Editing it, or replying to it: 409.
        const auto edit = patch(path, {{"content"_L1, u"back"_s}}, alice.token);
        QCOMPARE(edit.status, 409);
        QVERIFY(edit.body["error"_L1]["current"_L1]["deletedAt"_L1].isString());
        const auto reply = m_http->post(
            u"/api/messages/send"_s,
            {{"conversationId"_L1, pair}, {"content"_L1, u"re"_s}, {"replyToId"_L1, secret}},
            bob.token);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.body["error"_L1]["code"_L1].toString(), u"conflict"_s);

        // The last one deleted: no lastMessage at all.
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(first), {}, alice.token).status,
                 200);
        QVERIFY(bobsList()["lastMessage"_L1].isNull());
        QCOMPARE(bobsList()["unreadCount"_L1].toInteger(), 0);
    }

    // Past the edit window, an edit is forbidden: with a window of 1 ms, once this machine's
    // clock (the server's) is past the message's createdAt by more than that.
    void editingEndsWithTheWindow()
    {
        m_server = std::make_unique<TestServer>([](auto &config) {
            config.rateBurst = 1000;
            config.authBurst = 1000;
            config.editWindow = std::chrono::milliseconds(1);
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto sent =
            m_http->post(u"/api/messages/send"_s,
                         {{"conversationId"_L1, createConversation(alice.token, {bob.id})},
                          {"content"_L1, u"a"_s}},
                         alice.token);
        const qint64 id = sent.body["message"_L1]["id"_L1].toInteger();
        const qint64 createdAt =
            QDateTime::fromString(sent.body["message"_L1]["createdAt"_L1].toString(),
                                  Qt::ISODateWithMs)
                .toMSecsSinceEpoch();
        QVERIFY(createdAt > 0);
        QVERIFY(
            QTest::qWaitFor([&] { return QDateTime::currentMSecsSinceEpoch() > createdAt + 1; }));
        const auto late =
            patch(u"/api/messages/%1"_s.arg(id), {{"content"_L1, u"b"_s}}, alice.token);
        QCOMPARE(late.status, 403);
        QCOMPARE(late.body["error"_L1]["code"_L1].toString(), u"forbidden"_s);
    }

    void conversationsCarryReadMarkers()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        const qint64 first = send(alice.token, pair, u"one"_s);
        send(alice.token, pair, u"two"_s);
        WsClient bobSocket;
        QVERIFY(bobSocket.open(m_server->wsUrl(bob.token)));
        bobSocket.sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, first}});

        const auto bobHasRead = [&] {
            const auto list = m_http->get(u"/api/messages/conversations"_s, alice.token);
            const QJsonObject conversation =
                list.body.value("conversations"_L1).toArray().first().toObject();
            QHash<qint64, qint64> markers;
            for (const auto &marker : conversation.value("readMarkers"_L1).toArray())
                markers.insert(marker["userId"_L1].toInteger(), marker["messageId"_L1].toInteger());
            return markers.value(bob.id) == first && markers.value(alice.id) == 0 &&
                   markers.size() == 2;
        };
        QTRY_VERIFY(bobHasRead());
    }

    void sendOverHttp()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        WsClient aliceSocket, bobSocket;
        QVERIFY(aliceSocket.open(m_server->wsUrl(alice.token)));
        QVERIFY(bobSocket.open(m_server->wsUrl(bob.token)));

        const QString content = u"<script>alert(1)</script> \u00e9\U0001F600"_s;
        const QJsonObject body{{"recipientId"_L1, bob.id},
                               {"content"_L1, content},
                               {"clientMessageId"_L1, "http-1"_L1}};
        const auto first = m_http->post(u"/api/messages/send"_s, body, alice.token);
        QCOMPARE(first.status, 201);
        const QJsonObject message = first.body.value("message"_L1).toObject();
        QCOMPARE(message.value("content"_L1).toString(), content);
        for (const char *field : {"id", "conversationId", "senderId", "content", "createdAt",
                                  "editedAt", "replyToId", "clientMessageId"})
            QVERIFY2(message.contains(QLatin1StringView(field)), field);
        // Every participant's connections, the sender's included, get new_message.
        QCOMPARE(aliceSocket.waitFor(u"new_message"_s).value("messageId"_L1),
                 message.value("id"_L1));
        QCOMPARE(bobSocket.waitFor(u"new_message"_s).value("content"_L1).toString(), content);

        const auto again = m_http->post(u"/api/messages/send"_s, body, alice.token);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.body.value("message"_L1).toObject().value("id"_L1), message.value("id"_L1));
        QVERIFY(bobSocket.staysQuiet(u"new_message"_s));

        const auto reply = m_http->post(u"/api/messages/send"_s,
                                        {{"conversationId"_L1, message.value("conversationId"_L1)},
                                         {"content"_L1, "re"_L1},
                                         {"replyToId"_L1, message.value("id"_L1)}},
                                        bob.token);
        QCOMPARE(reply.status, 201);
        QCOMPARE(reply.body.value("message"_L1).toObject().value("replyToId"_L1),
                 message.value("id"_L1));
    }

    void clientMessageIdsBelongToTheirSender()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto fromAlice = m_http->post(
            u"/api/messages/send"_s,
            {{"recipientId"_L1, bob.id}, {"content"_L1, "a"_L1}, {"clientMessageId"_L1, "same"_L1}},
            alice.token);
        const auto fromBob = m_http->post(u"/api/messages/send"_s,
                                          {{"recipientId"_L1, alice.id},
                                           {"content"_L1, "b"_L1},
                                           {"clientMessageId"_L1, "same"_L1}},
                                          bob.token);
        QCOMPARE(fromAlice.status, 201);
        QCOMPARE(fromBob.status, 201);
        QVERIFY(fromAlice.body.value("message"_L1).toObject().value("id"_L1) !=
                fromBob.body.value("message"_L1).toObject().value("id"_L1));
    }

    void sendRefusals_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("both") << R"({"conversationId":CONV,"recipientId":BOB,"content":"x"})"_ba
                              << 400;
        QTest::newRow("neither") << R"({"content":"x"})"_ba << 400;
        QTest::newRow("unknown recipient") << R"({"recipientId":424242,"content":"x"})"_ba << 400;
        QTest::newRow("empty") << R"({"conversationId":CONV,"content":""})"_ba << 400;
        QTest::newRow("whitespace") << R"({"conversationId":CONV,"content":"  \n "})"_ba << 400;
        QTest::newRow("content not a string") << R"({"conversationId":CONV,"content":7})"_ba << 400;
        QTest::newRow("reply elsewhere")
            << R"({"conversationId":CONV,"content":"x","replyToId":999999})"_ba << 400;
        QTest::newRow("no such conversation")
            << R"({"conversationId":999999,"content":"x"})"_ba << 404;
        QTest::newRow("not a participant") << R"({"conversationId":OTHER,"content":"x"})"_ba << 403;
    }

    void sendRefusals()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        const qint64 other = createConversation(bob.token, {carol.id});
        body.replace("CONV", QByteArray::number(pair))
            .replace("BOB", QByteArray::number(bob.id))
            .replace("OTHER", QByteArray::number(other));
        const auto result = m_http->send("POST", u"/api/messages/send"_s, body, alice.token);
        QCOMPARE(result.status, status);
        QVERIFY(!result.errorCode().isEmpty());
        QCOMPARE(m_http->get(u"/api/messages/%1/messages"_s.arg(pair), alice.token)
                     .body.value("messages"_L1)
                     .toArray()
                     .size(),
                 0);
    }

    void contentLengthCountsCodePoints()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        QString emoji;
        for (int i = 0; i < 10000; ++i)
            emoji += u"\U0001F600"_s; // 20,000 UTF-16 units, 10,000 code points
        auto ok = m_http->post(u"/api/messages/send"_s,
                               {{"recipientId"_L1, bob.id}, {"content"_L1, emoji}}, alice.token);
        QCOMPARE(ok.status, 201);
        auto tooLong =
            m_http->post(u"/api/messages/send"_s,
                         {{"recipientId"_L1, bob.id}, {"content"_L1, emoji + u"x"_s}}, alice.token);
        QCOMPARE(tooLong.status, 400);
    }

    void preferences()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const auto carol = m_http->registerUser(u"carol"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        const qint64 other = createConversation(bob.token, {carol.id});
        auto defaults = m_http->get(u"/api/notifications/preferences"_s, alice.token);
        QCOMPARE(defaults.status, 200);
        QCOMPARE(defaults.body.value("preferences"_L1).toObject(),
                 QJsonObject({{"emailEnabled"_L1, true},
                              {"realtimeEnabled"_L1, true},
                              {"emailDelayMinutes"_L1, 5},
                              {"mutedConversationIds"_L1, QJsonArray{}},
                              {"sendReadReceipts"_L1, true},
                              {"sendTypingIndicators"_L1, true},
                              {"mentionsWhenMuted"_L1, true}}));
        auto partial =
            m_http->put(u"/api/notifications/preferences"_s,
                        {{"emailEnabled"_L1, false}, {"mutedConversationIds"_L1, QJsonArray{pair}}},
                        alice.token);
        QCOMPARE(partial.status, 200);
        auto partialPrefs = partial.body.value("preferences"_L1).toObject();
        QCOMPARE(partialPrefs.value("emailEnabled"_L1).toBool(), false);
        QCOMPARE(partialPrefs.value("emailDelayMinutes"_L1).toInt(), 5);
        QCOMPARE(partialPrefs.value("mutedConversationIds"_L1).toArray(), QJsonArray{pair});
        QCOMPARE(m_http->get(u"/api/notifications/preferences"_s, alice.token).body, partial.body);

        for (const QJsonObject &bad :
             {QJsonObject{{"emailDelayMinutes"_L1, 1441}},
              QJsonObject{{"emailDelayMinutes"_L1, -1}}, QJsonObject{{"emailDelayMinutes"_L1, 2.5}},
              QJsonObject{{"emailEnabled"_L1, "yes"_L1}}, QJsonObject{{"surprise"_L1, true}},
              QJsonObject{{"mentionsWhenMuted"_L1, 1}},
              QJsonObject{{"mutedConversationIds"_L1, "1"_L1}}}) {
            const auto refused = m_http->put(u"/api/notifications/preferences"_s, bad, alice.token);
            QCOMPARE(refused.status, 400);
        }
        QCOMPARE(m_http
                     ->put(u"/api/notifications/preferences"_s,
                           {{"mutedConversationIds"_L1, QJsonArray{other}}}, alice.token)
                     .status,
                 403);
        QCOMPARE(m_http->get(u"/api/notifications/preferences"_s, alice.token).body,
                 partial.body); // nothing changed
    }

    void userDirectory()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        for (int i = 0; i < 25; ++i)
            m_http->registerUser(u"user%1"_s.arg(QString::number(i).rightJustified(2, u'0')));
        m_http->post(u"/api/auth/register"_s, {{"username"_L1, "bea"_L1},
                                               {"password"_L1, "password123"_L1},
                                               {"email"_L1, "bea@example.org"_L1}});
        auto found = m_http->get(u"/api/users?search=USER"_s, alice.token);
        QCOMPARE(found.status, 200);
        QCOMPARE(found.body.value("users"_L1).toArray().size(), 20);
        auto bea =
            m_http->get(u"/api/users?search=be"_s, alice.token).body.value("users"_L1).toArray();
        QCOMPARE(bea.size(), 1);
        QVERIFY(!bea.at(0).toObject().contains("email"_L1));
        auto percent =
            m_http->get(u"/api/users?search=%25"_s, alice.token).body.value("users"_L1).toArray();
        QCOMPARE(percent.size(), 0); // a LIKE wildcard is searched for literally
    }

    void dataSurvivesARestart()
    {
        const auto alice = m_http->registerUser(u"alice"_s);
        const auto bob = m_http->registerUser(u"bob"_s);
        const qint64 pair = createConversation(alice.token, {bob.id});
        send(alice.token, pair, u"kept"_s);
        m_server->restart();
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(pair),
                                   bob.token); // the old token still works
        QCOMPARE(history.status, 200);
        QCOMPARE(history.body.value("messages"_L1)
                     .toArray()
                     .at(0)
                     .toObject()
                     .value("content"_L1)
                     .toString(),
                 u"kept"_s);
    }

    void authAttemptsAreRateLimitedPerAddress()
    {
        m_http.reset();
        m_server = std::make_unique<TestServer>([](auto &config) {
            config.authBurst = 3;
            config.authPerSecond = 0.1;
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        int limited = 0;
        for (int i = 0; i < 5; ++i) {
            const auto result = m_http->post(
                u"/api/auth/login"_s, {{"username"_L1, "x"_L1}, {"password"_L1, "yyyyyyyy"_L1}});
            if (result.status == 429) {
                QCOMPARE(result.errorCode(), u"rate_limited"_s);
                QCOMPARE(result.headers.value("retry-after"), "1");
                ++limited;
            }
        }
        QCOMPARE(limited, 2);
    }
};

PITCHEY_TEST_MAIN(TestHttpApi)
#include "tst_http_api.moc"
