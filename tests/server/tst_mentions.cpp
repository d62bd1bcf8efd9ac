// Version 2 of the contract, "Mentions": against a real server on a real socket (SQLite
// here, PostgreSQL in the _postgres run).
#include "TeamSuite.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestMentions : public TeamSuite
{
    Q_OBJECT

private:
    static QJsonObject mentions(const QList<qint64> &userIds, bool all = false)
    {
        QJsonArray ids;
        for (const qint64 id : userIds)
            ids.append(id);
        return {{"userIds"_L1, ids}, {"all"_L1, all}};
    }

    HttpResult send(const HttpClient::Account &from, const QString &text,
                    const QJsonObject &mentioned, qint64 conversationId = 0,
                    std::optional<qint64> threadRootId = {})
    {
        QJsonObject body{{"conversationId"_L1, conversationId ? conversationId : m_group},
                         {"content"_L1, text},
                         {"mentions"_L1, mentioned}};
        if (threadRootId)
            body.insert("threadRootId"_L1, *threadRootId);
        return m_http->post(u"/api/messages/send"_s, body, from.token);
    }

    qint64 say(const HttpClient::Account &from, const QString &text, const QJsonObject &mentioned,
               std::optional<qint64> threadRootId = {})
    {
        const auto sent = send(from, text, mentioned, 0, threadRootId);
        if (sent.status != 201)
            qWarning() << "send refused:" << sent.status << sent.body;
        return sent.body["message"_L1]["id"_L1].toInteger();
    }

    HttpResult editMentions(const HttpClient::Account &who, qint64 id, const QString &text,
                            const QJsonObject &mentioned)
    {
        return patch(who, id, {{"content"_L1, text}, {"mentions"_L1, mentioned}});
    }

    HttpResult patch(const HttpClient::Account &who, qint64 id, const QJsonObject &body)
    {
        return m_http->send("PATCH", u"/api/messages/%1"_s.arg(id),
                            QJsonDocument(body).toJson(QJsonDocument::Compact), who.token);
    }

    // The group as `who` sees it in the conversation list.
    QJsonObject group(const HttpClient::Account &who)
    {
        for (const auto &entry : m_http->get(u"/api/messages/conversations"_s, who.token)
                                     .body["conversations"_L1]
                                     .toArray()) {
            if (entry["id"_L1].toInteger() == m_group)
                return entry.toObject();
        }
        return {};
    }

    QJsonArray notificationsOf(const HttpClient::Account &who)
    {
        return m_http->get(u"/api/notifications"_s, who.token).body["notifications"_L1].toArray();
    }

    void setPreferences(const HttpClient::Account &who, const QJsonObject &patch)
    {
        QCOMPARE(m_http->put(u"/api/notifications/preferences"_s, patch, who.token).status, 200);
    }

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(QRegularExpression(u"send refused"_s));
        QVERIFY(startTeam());
    }
    void cleanup() { stopTeam(); }

    void aMentionNotifiesAsAMentionAndCountsUntilRead()
    {
        WsClient ben;
        WsClient cyd;
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        // The sender is dropped from the list; the text is never scanned.
        const auto sent = send(m_ann, u"@cyd look, ben"_s, mentions({m_ben.id, m_ann.id}));
        QCOMPARE(sent.status, 201);
        const QJsonObject expected = mentions({m_ben.id});
        QCOMPARE(sent.body["message"_L1]["mentions"_L1].toObject(), expected);
        const qint64 id = sent.body["message"_L1]["id"_L1].toInteger();

        QCOMPARE(ben.waitFor(u"new_message"_s)["mentions"_L1].toObject(), expected);
        const QJsonObject toBen = ben.waitFor(u"notification"_s)["notification"_L1].toObject();
        QCOMPARE(toBen["kind"_L1].toString(), u"mention"_s);
        QCOMPARE(toBen["id"_L1].toInteger(), id);
        cyd.waitFor(u"new_message"_s);
        QCOMPARE(cyd.waitFor(u"notification"_s)["notification"_L1]["kind"_L1].toString(),
                 u"new_message"_s);
        QVERIFY(ben.staysQuiet(u"notification"_s)); // one notification, not two

        QCOMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 1);
        QCOMPARE(group(m_ben)["unreadCount"_L1].toInteger(), 1);
        QCOMPARE(group(m_cyd)["mentionCount"_L1].toInteger(), 0);
        QCOMPARE(group(m_ann)["mentionCount"_L1].toInteger(), 0);
        QCOMPARE(notificationsOf(m_ben)[0]["kind"_L1].toString(), u"mention"_s);
        QCOMPARE(notificationsOf(m_cyd)[0]["kind"_L1].toString(), u"new_message"_s);
        // History, the feed and the conversation's lastMessage carry them.
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(m_group), m_cyd.token);
        QCOMPARE(history.body["messages"_L1][0]["mentions"_L1].toObject(), expected);
        QCOMPARE(group(m_cyd)["lastMessage"_L1]["mentions"_L1].toObject(), expected);

        ben.sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, id}});
        QTRY_COMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 0);
        QCOMPARE(group(m_ben)["unreadCount"_L1].toInteger(), 0);
    }

    void mentionsAreRefusedOutsideTheirLimits()
    {
        const auto dave = m_http->registerUser(u"dave"_s);
        const qint64 pair = m_http->createConversation(m_ann, {m_ben.id});
        for (const auto &[body, why] : {
                 std::pair{QJsonObject{{"conversationId"_L1, m_group},
                                       {"content"_L1, u"x"_s},
                                       {"mentions"_L1, mentions({dave.id})}},
                           "not a participant"},
                 std::pair{QJsonObject{{"conversationId"_L1, pair},
                                       {"content"_L1, u"x"_s},
                                       {"mentions"_L1, mentions({}, true)}},
                           "all in a pair"},
                 std::pair{QJsonObject{{"conversationId"_L1, m_group},
                                       {"content"_L1, u"x"_s},
                                       {"mentions"_L1, QJsonArray{m_ben.id}}},
                           "not an object"},
                 std::pair{QJsonObject{{"conversationId"_L1, m_group},
                                       {"content"_L1, u"x"_s},
                                       {"mentions"_L1, QJsonObject{{"userIds"_L1, "2"_L1}}}},
                           "ids not a list"},
             }) {
            const auto refused = m_http->post(u"/api/messages/send"_s, body, m_ann.token);
            QVERIFY2(refused.status == 400, why);
            QCOMPARE(refused.body["error"_L1]["code"_L1].toString(), u"bad_request"_s);
        }
        QCOMPARE(m_http->get(u"/api/messages/%1/messages"_s.arg(m_group), m_ann.token)
                     .body["messages"_L1]
                     .toArray()
                     .size(),
                 0); // nothing stored

        // The limit counts distinct ids, the sender not among them.
        QVERIFY(startTeam([](auto &config) { config.maxMentionsPerMessage = 2; }));
        QCOMPARE(send(m_ann, u"x"_s, mentions({m_ben.id, m_cyd.id, m_ann.id, m_ben.id})).status,
                 201);
        const auto dee = m_http->registerUser(u"dee"_s);
        const qint64 four = m_http->createConversation(m_ann, {m_ben.id, m_cyd.id, dee.id}, u"4"_s);
        const auto tooMany = send(m_ann, u"x"_s, mentions({m_ben.id, m_cyd.id, dee.id}), four);
        QCOMPARE(tooMany.status, 400);
        QCOMPARE(tooMany.body["error"_L1]["code"_L1].toString(), u"bad_request"_s);
        // Over the WebSocket: the error frame with the send's clientMessageId.
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        ann.sendJson({{"type"_L1, "send_message"_L1},
                      {"conversationId"_L1, four},
                      {"content"_L1, u"x"_s},
                      {"clientMessageId"_L1, u"m-1"_s},
                      {"mentions"_L1, mentions({m_ben.id, m_cyd.id, dee.id})}});
        const QJsonObject error = ann.waitFor(u"error"_s);
        QCOMPARE(error["code"_L1].toString(), u"bad_request"_s);
        QCOMPARE(error["ref"_L1].toString(), u"m-1"_s);
    }

    void aMentionByNamePassesAMuteAndAllDoesNot()
    {
        setPreferences(m_ben, {{"mutedConversationIds"_L1, QJsonArray{m_group}}});
        setPreferences(m_cyd, {{"mutedConversationIds"_L1, QJsonArray{m_group}}});
        WsClient ann;
        WsClient ben;
        WsClient cyd;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        const qint64 named = say(m_ann, u"ben?"_s, mentions({m_ben.id}, true));
        const QJsonObject toBen = ben.waitFor(u"notification"_s)["notification"_L1].toObject();
        QCOMPARE(toBen["kind"_L1].toString(), u"mention"_s);
        QCOMPARE(toBen["messageId"_L1].toInteger(), named);
        cyd.waitFor(u"new_message"_s);
        QVERIFY(cyd.staysQuiet(u"notification"_s)); // `all` does not pass a mute
        QCOMPARE(notificationsOf(m_ben).size(), 1);
        QCOMPARE(notificationsOf(m_cyd).size(), 0);
        QCOMPARE(group(m_cyd)["mentionCount"_L1].toInteger(), 1); // it still mentions Cyd

        // mentionsWhenMuted off: a mute holds for mentions too.
        setPreferences(m_ben, {{"mentionsWhenMuted"_L1, false}});
        say(m_ann, u"ben??"_s, mentions({m_ben.id}));
        ben.waitFor(u"new_message"_s);
        ben.waitFor(u"new_message"_s);
        QVERIFY(ben.staysQuiet(u"notification"_s));
        QCOMPARE(notificationsOf(m_ben).size(), 0);
        QCOMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 2);

        // realtimeEnabled off stops the frame, not the count or the list.
        setPreferences(m_ben, {{"mentionsWhenMuted"_L1, true},
                               {"mutedConversationIds"_L1, QJsonArray{}},
                               {"realtimeEnabled"_L1, false}});
        const qint64 quiet = say(m_ann, u"ben!!!"_s, mentions({m_ben.id}));
        ben.waitFor(u"new_message"_s, 5000,
                    [&](const auto &frame) { return frame["messageId"_L1].toInteger() == quiet; });
        QVERIFY(ben.staysQuiet(u"notification"_s));
        QCOMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 3);
        QCOMPARE(notificationsOf(m_ben)[0]["kind"_L1].toString(), u"mention"_s);
    }

    void allMentionsEveryoneButTheSender()
    {
        WsClient ann;
        WsClient ben;
        WsClient cyd;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        say(m_ann, u"standup!"_s, mentions({}, true));
        for (WsClient *client : {&ben, &cyd})
            QCOMPARE(client->waitFor(u"notification"_s)["notification"_L1]["kind"_L1].toString(),
                     u"mention"_s);
        QVERIFY(ann.staysQuiet(u"notification"_s));
        QCOMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 1);
        QCOMPARE(group(m_cyd)["mentionCount"_L1].toInteger(), 1);
        QCOMPARE(group(m_ann)["mentionCount"_L1].toInteger(), 0);
    }

    void anEditNotifiesTheNewlyMentionedAndRevokesTheRemoved()
    {
        WsClient ann;
        WsClient ben;
        WsClient cyd;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        const qint64 id = say(m_ann, u"ben: review?"_s, mentions({m_ben.id}));
        ben.waitFor(u"notification"_s);
        cyd.waitFor(u"notification"_s);
        const auto sentVersion =
            m_http->get(u"/api/messages/%1/messages"_s.arg(m_group), m_ann.token)
                .body["messages"_L1][0]
                .toObject();

        // The mentions alone: stored, broadcast at a new position, the same version.
        const auto moved = editMentions(m_ann, id, u"ben: review?"_s, mentions({m_cyd.id}));
        QCOMPARE(moved.status, 200);
        const QJsonObject message = moved.body["message"_L1].toObject();
        QCOMPARE(message["version"_L1].toInteger(), 1);
        QVERIFY(message["changeId"_L1].toInteger() > sentVersion["changeId"_L1].toInteger());
        QCOMPARE(message["mentions"_L1].toObject(), mentions({m_cyd.id}));
        const QJsonObject toCyd = cyd.waitFor(u"notification"_s)["notification"_L1].toObject();
        QCOMPARE(toCyd["kind"_L1].toString(), u"mention"_s);
        QCOMPARE(toCyd["id"_L1].toInteger(), id); // the message's notification, no new id
        QCOMPARE(ben.waitFor(u"notification_revoked"_s)["ids"_L1].toArray(), QJsonArray{id});
        for (WsClient *client : {&ann, &ben, &cyd})
            QCOMPARE(client->waitFor(u"message_updated"_s)["change"_L1].toString(), u"edited"_s);
        QCOMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 0);
        QCOMPARE(group(m_cyd)["mentionCount"_L1].toInteger(), 1);
        QCOMPARE(notificationsOf(m_cyd)[0]["kind"_L1].toString(), u"mention"_s);
        QVERIFY(ben.staysQuiet(u"notification"_s));

        // The same text and mentions: nothing stored or told.
        const auto same = editMentions(m_ann, id, u"ben: review?"_s, mentions({m_cyd.id}));
        QCOMPARE(same.body["message"_L1]["changeId"_L1], message["changeId"_L1]);
        QVERIFY(cyd.staysQuiet(u"message_updated"_s));
        // An edit of the text without `mentions` keeps them and notifies nobody.
        const auto text = patch(m_ann, id, {{"content"_L1, u"cyd: review?"_s}});
        QCOMPARE(text.body["message"_L1]["mentions"_L1].toObject(), mentions({m_cyd.id}));
        QCOMPARE(text.body["message"_L1]["version"_L1].toInteger(), 2);
        cyd.waitFor(u"message_updated"_s);
        QVERIFY(cyd.staysQuiet(u"notification"_s));
        // Mentions are checked on an edit as on a send.
        const auto dave = m_http->registerUser(u"dave"_s);
        QCOMPARE(editMentions(m_ann, id, u"x"_s, mentions({dave.id})).status, 400);
    }

    void aDeletedMessageMentionsNobody()
    {
        WsClient ben;
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        const qint64 id = say(m_ann, u"ben!"_s, mentions({m_ben.id}));
        ben.waitFor(u"notification"_s);
        QCOMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 1);
        const auto deleted = m_http->send("DELETE", u"/api/messages/%1"_s.arg(id), {}, m_ann.token);
        QCOMPARE(deleted.body["message"_L1]["mentions"_L1].toObject(), mentions({}));
        QCOMPARE(ben.waitFor(u"notification_revoked"_s)["ids"_L1].toArray(), QJsonArray{id});
        const QJsonObject updated = ben.waitFor(u"conversation_updated"_s);
        QCOMPARE(updated["conversation"_L1]["mentionCount"_L1].toInteger(), 0);
        QCOMPARE(group(m_ben)["mentionCount"_L1].toInteger(), 0);
        QCOMPARE(notificationsOf(m_ben).size(), 0);
    }

    void aMentionInAThreadReachesANonFollowerAndMakesThemFollow()
    {
        const qint64 root = say(m_ann, u"plan"_s, mentions({}));
        WsClient cyd;
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        cyd.waitFor(u"notification"_s); // the root's
        say(m_ben, u"idea"_s, mentions({}), root);
        cyd.waitFor(u"new_message"_s);
        QVERIFY(cyd.staysQuiet(u"notification"_s)); // not a follower

        say(m_ben, u"cyd, thoughts?"_s, mentions({m_cyd.id}), root);
        QCOMPARE(cyd.waitFor(u"notification"_s)["notification"_L1]["kind"_L1].toString(),
                 u"mention"_s);
        const qint64 later = say(m_ann, u"bump"_s, mentions({}), root);
        const QJsonObject followed = cyd.waitFor(u"notification"_s)["notification"_L1].toObject();
        QCOMPARE(followed["kind"_L1].toString(), u"thread_reply"_s);
        QCOMPARE(followed["messageId"_L1].toInteger(), later);
    }
};

PITCHEY_TEST_MAIN(TestMentions)
#include "tst_mentions.moc"
