// Version 2 of the contract, "Replies and threads" (the threads; replies are in
// tst_message_actions): against a real server on a real socket (SQLite here, PostgreSQL in
// the _postgres run).
#include "TeamSuite.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestThreads : public TeamSuite
{
    Q_OBJECT

private:
    HttpResult send(const HttpClient::Account &from, const QString &text,
                    std::optional<qint64> threadRootId = {}, qint64 conversationId = 0)
    {
        QJsonObject body{{"conversationId"_L1, conversationId ? conversationId : m_group},
                         {"content"_L1, text}};
        if (threadRootId)
            body.insert("threadRootId"_L1, *threadRootId);
        return m_http->post(u"/api/messages/send"_s, body, from.token);
    }

    qint64 say(const HttpClient::Account &from, const QString &text,
               std::optional<qint64> threadRootId = {})
    {
        return send(from, text, threadRootId).body["message"_L1]["id"_L1].toInteger();
    }

    QJsonArray history(const QString &query)
    {
        return m_http->get(u"/api/messages/%1/messages?%2"_s.arg(m_group).arg(query), m_ann.token)
            .body["messages"_L1]
            .toArray();
    }

    QJsonObject read(qint64 messageId)
    {
        for (const auto &message : history(u"limit=100"_s)) {
            if (message["id"_L1].toInteger() == messageId)
                return message.toObject();
        }
        return {};
    }

    static QList<qint64> idsOf(const QJsonArray &messages)
    {
        QList<qint64> ids;
        for (const auto &message : messages)
            ids.append(message["id"_L1].toInteger());
        return ids;
    }

    HttpResult follow(const HttpClient::Account &who, qint64 rootId, bool on)
    {
        return m_http->send(on ? "PUT" : "DELETE", u"/api/messages/%1/follow"_s.arg(rootId), {},
                            who.token);
    }

private Q_SLOTS:
    void init() { QVERIFY(startTeam()); }
    void cleanup() { stopTeam(); }

    void aReplyRenewsItsRootsSummary()
    {
        const qint64 root = say(m_ann, u"release plan?"_s);
        QVERIFY(read(root)["thread"_L1].isNull());
        const qint64 sentChange = read(root)["changeId"_L1].toInteger();
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));

        const auto first = send(m_ben, u"friday"_s, root);
        QCOMPARE(first.status, 201);
        QCOMPARE(first.body["message"_L1]["threadRootId"_L1].toInteger(), root);
        const qint64 firstId = first.body["message"_L1]["id"_L1].toInteger();
        QCOMPARE(ann.waitFor(u"new_message"_s)["messageId"_L1].toInteger(), firstId);
        QJsonObject updated = ann.waitFor(u"message_updated"_s);
        QCOMPARE(updated["change"_L1].toString(), u"thread"_s);
        QCOMPARE(updated["message"_L1]["id"_L1].toInteger(), root);
        QVERIFY(updated["changeId"_L1].toInteger() > sentChange);
        const QJsonObject summary{{"replyCount"_L1, 1},
                                  {"lastReplyId"_L1, firstId},
                                  {"lastReplyAt"_L1, first.body["message"_L1]["createdAt"_L1]},
                                  {"participantIds"_L1, QJsonArray{m_ben.id}}};
        QCOMPARE(updated["message"_L1]["thread"_L1].toObject(), summary);
        QCOMPARE(read(root)["thread"_L1].toObject(), summary);

        // Five most recent distinct repliers, newest first; the count counts them all.
        const qint64 second = say(m_cyd, u"or monday"_s, root);
        say(m_ben, u"friday it is"_s, root);
        const QJsonObject thread = read(root)["thread"_L1].toObject();
        QCOMPARE(thread["replyCount"_L1].toInteger(), 3);
        QCOMPARE(thread["participantIds"_L1].toArray(), (QJsonArray{m_ben.id, m_cyd.id}));
        // A thread reply is an ordinary message: in the conversation's order, unread.
        const auto list = m_http->get(u"/api/messages/conversations"_s, m_cyd.token);
        QCOMPARE(list.body["conversations"_L1][0]["unreadCount"_L1].toInteger(), 3);
        QVERIFY(second > firstId);
        // The feed has the root at its newest position.
        const auto feed =
            m_http->get(u"/api/messages/changes?since=%1"_s.arg(sentChange), m_ann.token);
        const QJsonArray changed = feed.body["messages"_L1].toArray();
        QCOMPARE(changed.last()["id"_L1].toInteger(), root);
        QCOMPARE(changed.last()["thread"_L1]["replyCount"_L1].toInteger(), 3);
    }

    void historyShowsOneThreadOrTheMainLine()
    {
        const qint64 root = say(m_ann, u"root"_s);
        const qint64 reply = say(m_ben, u"in the thread"_s, root);
        const qint64 main = say(m_cyd, u"in the main line"_s);
        QCOMPARE(idsOf(history(u"threadRootId=%1"_s.arg(root))), QList<qint64>{reply});
        QCOMPARE(idsOf(history(u"mainOnly=true"_s)), (QList<qint64>{root, main}));
        QCOMPARE(idsOf(history(u"limit=10"_s)), (QList<qint64>{root, reply, main}));
        for (const QString &bad : {u"threadRootId=%1&mainOnly=true"_s.arg(root), u"mainOnly=yes"_s,
                                   u"threadRootId=x"_s}) {
            const auto refused =
                m_http->get(u"/api/messages/%1/messages?%2"_s.arg(m_group).arg(bad), m_ann.token);
            QCOMPARE(refused.status, 400);
            QCOMPARE(refused.errorCode(), u"bad_request"_s);
        }
    }

    void aThreadNeedsALiveRootOfTheConversationOutsideAnyThread()
    {
        const qint64 root = say(m_ann, u"root"_s);
        const qint64 reply = say(m_ben, u"reply"_s, root);
        const qint64 pair = m_http->createConversation(m_ann, {m_ben.id});
        const qint64 elsewhere =
            send(m_ann, u"other"_s, {}, pair).body["message"_L1]["id"_L1].toInteger();
        for (const qint64 bad : {reply, elsewhere, root + 1000}) {
            const auto refused = send(m_cyd, u"x"_s, bad);
            QCOMPARE(refused.status, 400);
            QCOMPARE(refused.errorCode(), u"bad_request"_s);
        }
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(root), {}, m_ann.token).status,
                 200);
        const auto gone = send(m_cyd, u"x"_s, root);
        QCOMPARE(gone.status, 409);
        QCOMPARE(gone.errorCode(), u"conflict"_s);
        // Over the WebSocket, with the clientMessageId as ref.
        WsClient cyd;
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        cyd.sendJson({{"type"_L1, "send_message"_L1},
                      {"conversationId"_L1, m_group},
                      {"content"_L1, u"x"_s},
                      {"threadRootId"_L1, reply},
                      {"clientMessageId"_L1, u"t-1"_s}});
        const QJsonObject error = cyd.waitFor(u"error"_s);
        QCOMPARE(error["code"_L1].toString(), u"bad_request"_s);
        QCOMPARE(error["ref"_L1].toString(), u"t-1"_s);
    }

    void deletedRepliesLeaveTheSummaryAndADeletedRootKeepsItsReplies()
    {
        const qint64 root = say(m_ann, u"root"_s);
        const qint64 first = say(m_ben, u"first"_s, root);
        const qint64 second = say(m_cyd, u"second"_s, root);
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(second), {}, m_cyd.token).status,
                 200);
        const QJsonObject updated = ann.waitFor(u"message_updated"_s, 5000, [](const auto &f) {
            return f["change"_L1].toString() == "thread"_L1;
        });
        QCOMPARE(updated["message"_L1]["thread"_L1]["replyCount"_L1].toInteger(), 1);
        QCOMPARE(updated["message"_L1]["thread"_L1]["lastReplyId"_L1].toInteger(), first);
        QCOMPARE(updated["message"_L1]["thread"_L1]["participantIds"_L1].toArray(),
                 QJsonArray{m_ben.id});
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(first), {}, m_ben.token).status,
                 200);
        QTRY_VERIFY(read(root)["thread"_L1].isNull()); // no live reply left

        // A new reply, then the root goes: the reply stays, the tombstone keeps the summary.
        const qint64 third = say(m_ben, u"third"_s, root);
        const auto tombstone =
            m_http->send("DELETE", u"/api/messages/%1"_s.arg(root), {}, m_ann.token);
        QCOMPARE(tombstone.status, 200);
        QCOMPARE(tombstone.body["message"_L1]["thread"_L1]["lastReplyId"_L1].toInteger(), third);
        QCOMPARE(read(third)["content"_L1].toString(), u"third"_s);
        QCOMPARE(idsOf(history(u"threadRootId=%1"_s.arg(root))),
                 (QList<qint64>{first, second, third}));
    }

    void onlyFollowersAreNotifiedOfReplies()
    {
        const qint64 root = say(m_ann, u"who's in?"_s);
        WsClient ann;
        WsClient cyd;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        cyd.waitFor(u"new_message"_s);
        cyd.waitFor(u"notification"_s);

        // The root's sender follows; Cyd, who neither wrote nor replied, does not.
        const qint64 first = say(m_ben, u"me"_s, root);
        const QJsonObject told = ann.waitFor(u"notification"_s)["notification"_L1].toObject();
        QCOMPARE(told["kind"_L1].toString(), u"thread_reply"_s);
        QCOMPARE(told["messageId"_L1].toInteger(), first);
        QCOMPARE(cyd.waitFor(u"new_message"_s)["messageId"_L1].toInteger(), first);
        QVERIFY(cyd.staysQuiet(u"notification"_s));
        const auto cydsList = m_http->get(u"/api/notifications"_s, m_cyd.token);
        QCOMPARE(cydsList.body["notifications"_L1].toArray().size(), 1); // the root's only

        // Ann stops following, Cyd starts.
        QCOMPARE(follow(m_ann, root, false).body, (QJsonObject{{"following"_L1, false}}));
        QCOMPARE(follow(m_cyd, root, true).body, (QJsonObject{{"following"_L1, true}}));
        const qint64 second = say(m_ben, u"still me"_s, root);
        QCOMPARE(cyd.waitFor(u"notification"_s)["notification"_L1]["messageId"_L1].toInteger(),
                 second);
        ann.waitFor(u"new_message"_s, 5000,
                    [&](const auto &f) { return f["messageId"_L1].toInteger() == second; });
        QVERIFY(ann.staysQuiet(u"notification"_s));
        // Replying follows again.
        say(m_ann, u"fine, me too"_s, root);
        say(m_ben, u"great"_s, root);
        QCOMPARE(ann.waitFor(u"notification"_s)["notification"_L1]["kind"_L1].toString(),
                 u"thread_reply"_s);
    }

    void followNeedsAParticipantAndARoot()
    {
        const qint64 root = say(m_ann, u"root"_s);
        const qint64 reply = say(m_ben, u"reply"_s, root);
        const auto eve = m_http->registerUser(u"eve"_s);
        QCOMPARE(follow(eve, root, true).status, 403);
        QCOMPARE(follow(m_ben, root + 1000, true).status, 404);
        QCOMPARE(follow(m_ben, reply, true).status, 400);
        QCOMPARE(follow(m_ben, root, false).status, 200);
        QCOMPARE(follow(m_ben, root, false).body, (QJsonObject{{"following"_L1, false}}));
    }
};

PITCHEY_TEST_MAIN(TestThreads)
#include "tst_threads.moc"
