// Version 2 of the contract, "Reactions": against a real server on a real socket (SQLite
// here, PostgreSQL in the _postgres run).
#include "TeamSuite.h"
#include "TestMain.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

namespace {
const QString kThumbs = u"\U0001F44D"_s;
const QString kHeart = u"\u2764\uFE0F"_s;
const QString kParty = u"\U0001F389"_s;
} // namespace

class TestReactions : public TeamSuite
{
    Q_OBJECT

private:
    qint64 say(const HttpClient::Account &from, const QString &text)
    {
        return m_http
            ->post(u"/api/messages/send"_s, {{"conversationId"_L1, m_group}, {"content"_L1, text}},
                   from.token)
            .body["message"_L1]["id"_L1]
            .toInteger();
    }

    HttpResult react(const HttpClient::Account &who, qint64 messageId, const QString &emoji,
                     bool on = true)
    {
        // The client's QUrl percent-encodes the emoji in the path.
        return m_http->send(on ? "PUT" : "DELETE",
                            u"/api/messages/%1/reactions/%2"_s.arg(messageId).arg(emoji), {},
                            who.token);
    }

    // The message as `who`'s history shows it now.
    QJsonObject read(const HttpClient::Account &who, qint64 messageId)
    {
        const auto history =
            m_http->get(u"/api/messages/%1/messages?limit=100"_s.arg(m_group), who.token);
        for (const auto &message : history.body["messages"_L1].toArray()) {
            if (message["id"_L1].toInteger() == messageId)
                return message.toObject();
        }
        return {};
    }

    static QStringList emojiOf(const QJsonArray &reactions)
    {
        QStringList emoji;
        for (const auto &reaction : reactions)
            emoji.append(reaction["emoji"_L1].toString());
        return emoji;
    }

private Q_SLOTS:
    void init() { QVERIFY(startTeam()); }
    void cleanup() { stopTeam(); }

    void aReactionReachesEveryoneWithTheirOwnMe()
    {
        const qint64 id = say(m_ann, u"lunch?"_s);
        const qint64 sentChange = read(m_ann, id)["changeId"_L1].toInteger();
        WsClient ann;
        WsClient cyd;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        cyd.waitFor(u"new_message"_s);

        const auto answer = react(m_ben, id, kThumbs);
        QCOMPARE(answer.status, 200);
        const QJsonArray mine{QJsonObject{{"emoji"_L1, kThumbs},
                                          {"count"_L1, 1},
                                          {"userIds"_L1, QJsonArray{m_ben.id}},
                                          {"me"_L1, true}}};
        QCOMPARE(answer.body["reactions"_L1].toArray(), mine);
        QJsonArray theirs = mine;
        theirs[0] = QJsonObject{{"emoji"_L1, kThumbs},
                                {"count"_L1, 1},
                                {"userIds"_L1, QJsonArray{m_ben.id}},
                                {"me"_L1, false}};
        for (WsClient *client : {&ann, &cyd}) {
            const QJsonObject updated = client->waitFor(u"message_updated"_s);
            QCOMPARE(updated["change"_L1].toString(), u"reactions"_s);
            QCOMPARE(updated["message"_L1]["reactions"_L1].toArray(), theirs);
            QVERIFY(updated["ref"_L1].isNull());
            QVERIFY(updated["changeId"_L1].toInteger() > sentChange);
        }
        QCOMPARE(read(m_ben, id)["reactions"_L1].toArray(), mine);
        QCOMPARE(read(m_cyd, id)["reactions"_L1].toArray(), theirs);
        // The feed has it at its new position, as each viewer sees it.
        const auto feed =
            m_http->get(u"/api/messages/changes?since=%1"_s.arg(sentChange), m_ben.token);
        QCOMPARE(feed.body["messages"_L1].toArray().size(), 1);
        QCOMPARE(feed.body["messages"_L1][0]["reactions"_L1].toArray(), mine);

        // Again: the same answer, nothing told, no new position.
        const qint64 position = read(m_ann, id)["changeId"_L1].toInteger();
        QCOMPARE(react(m_ben, id, kThumbs).body["reactions"_L1].toArray(), mine);
        QCOMPARE(react(m_cyd, id, kHeart, false).status, 200); // never there: idempotent too
        QCOMPARE(read(m_ann, id)["changeId"_L1].toInteger(), position);
        QVERIFY(cyd.staysQuiet(u"message_updated"_s));
    }

    void reactionsNeverCountAsUnreadNorAsNewMessages()
    {
        const qint64 id = say(m_ann, u"ship it"_s);
        const auto before = m_http->get(u"/api/messages/conversations"_s, m_cyd.token);
        WsClient cyd;
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        cyd.waitFor(u"new_message"_s);
        QCOMPARE(react(m_ben, id, kParty).status, 200);
        cyd.waitFor(u"message_updated"_s);
        QVERIFY(cyd.staysQuiet(u"new_message"_s));
        QVERIFY(cyd.framesOf(u"conversation_updated"_s).isEmpty());
        const auto after = m_http->get(u"/api/messages/conversations"_s, m_cyd.token);
        QCOMPARE(after.body["conversations"_L1][0]["unreadCount"_L1].toInteger(),
                 before.body["conversations"_L1][0]["unreadCount"_L1].toInteger());
        QCOMPARE(after.body["conversations"_L1][0]["lastMessage"_L1]["id"_L1].toInteger(), id);
    }

    void emojiKeepTheOrderOfFirstUse()
    {
        const qint64 id = say(m_ann, u"vote"_s);
        QCOMPARE(react(m_ben, id, kThumbs).status, 200);
        QCOMPARE(react(m_cyd, id, kHeart).status, 200);
        const auto both = react(m_cyd, id, kThumbs);
        QCOMPARE(emojiOf(both.body["reactions"_L1].toArray()), (QStringList{kThumbs, kHeart}));
        QCOMPARE(both.body["reactions"_L1][0]["userIds"_L1].toArray(),
                 (QJsonArray{m_ben.id, m_cyd.id}));
        QCOMPARE(both.body["reactions"_L1][0]["count"_L1].toInteger(), 2);
        // Taken back by everyone and added again: last.
        QCOMPARE(react(m_ben, id, kThumbs, false).status, 200);
        QCOMPARE(react(m_cyd, id, kThumbs, false).status, 200);
        const auto again = react(m_ann, id, kThumbs);
        QCOMPARE(emojiOf(again.body["reactions"_L1].toArray()), (QStringList{kHeart, kThumbs}));
    }

    void onlyOneEmojiIsAnEmoji_data()
    {
        QTest::addColumn<QString>("emoji");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("thumbs") << kThumbs << true;
        QTest::newRow("heart with VS16") << kHeart << true;
        QTest::newRow("skin tone") << u"\U0001F44D\U0001F3FD"_s << true;
        QTest::newRow("ZWJ family")
            << u"\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"_s << true;
        QTest::newRow("flag") << u"\U0001F1EB\U0001F1F7"_s << true;
        QTest::newRow("keycap") << u"1\uFE0F\u20E3"_s << true;
        QTest::newRow("letter") << u"a"_s << false;
        QTest::newRow("accented letter") << u"\u00E9"_s << false;
        QTest::newRow("two emoji") << kThumbs + kThumbs << false;
        QTest::newRow("trailing space") << kThumbs + u" "_s << false;
        QTest::newRow("space") << u" "_s << false;
        QTest::newRow("control") << u"\u0007"_s << false;
        QTest::newRow("text") << u"ok"_s << false;
        // One cluster of six ZWJ-joined people: 39 bytes.
        QTest::newRow("over 32 bytes")
            << u"\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466\u200D\U0001F468\u200D"
               "\U0001F469"_s
            << false;
    }

    void onlyOneEmojiIsAnEmoji()
    {
        QFETCH(QString, emoji);
        QFETCH(bool, accepted);
        const qint64 id = say(m_ann, u"react to me"_s);
        const auto answer = react(m_ben, id, emoji);
        QCOMPARE(answer.status, accepted ? 200 : 400);
        if (!accepted)
            QCOMPARE(answer.errorCode(), u"bad_request"_s);
        else
            QCOMPARE(answer.body["reactions"_L1][0]["emoji"_L1].toString(), emoji);
        // The frame refuses the same, echoing its clientRequestId.
        WsClient ben;
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        ben.sendJson({{"type"_L1, "react"_L1},
                      {"messageId"_L1, id},
                      {"emoji"_L1, emoji},
                      {"on"_L1, false},
                      {"clientRequestId"_L1, u"r-1"_s}});
        const QJsonObject reply = ben.waitFor(accepted ? u"message_updated"_s : u"error"_s);
        QCOMPARE(reply["ref"_L1].toString(), u"r-1"_s);
        if (accepted)
            QCOMPARE(reply["message"_L1]["reactions"_L1].toArray().size(), 0);
    }

    void aMessageCarriesAtMostTheConfiguredNumberOfEmoji()
    {
        cleanup();
        QVERIFY(startTeam([](auto &config) { config.maxReactionsPerMessage = 2; }));
        const qint64 id = say(m_ann, u"pick"_s);
        QCOMPARE(react(m_ben, id, kThumbs).status, 200);
        QCOMPARE(react(m_ben, id, kHeart).status, 200);
        const auto third = react(m_cyd, id, kParty);
        QCOMPARE(third.status, 400);
        QCOMPARE(third.errorCode(), u"bad_request"_s);
        // One already there is always accepted.
        QCOMPARE(react(m_cyd, id, kHeart).status, 200);
        QCOMPARE(react(m_ben, id, kThumbs, false).status, 200);
        QCOMPARE(react(m_cyd, id, kParty).status, 200); // room again
    }

    void theSenderIsNotifiedOncePerMinuteAndRevokedWhenAllIsTakenBack()
    {
        const qint64 id = say(m_ann, u"new logo"_s);
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        // Her own reaction tells her nothing.
        QCOMPARE(react(m_ann, id, kHeart).status, 200);
        ann.waitFor(u"message_updated"_s);
        QVERIFY(ann.staysQuiet(u"notification"_s));

        QCOMPARE(react(m_ben, id, kThumbs).status, 200);
        const QJsonObject first = ann.waitFor(u"notification"_s)["notification"_L1].toObject();
        QCOMPARE(first["kind"_L1].toString(), u"reaction"_s);
        QCOMPARE(first["messageId"_L1].toInteger(), id);
        QCOMPARE(first["conversationId"_L1].toInteger(), m_group);
        QVERIFY(first["title"_L1].toString().startsWith(u"ben"_s));
        QVERIFY(first["body"_L1].toString().contains(kThumbs));
        QVERIFY(!first["body"_L1].toString().contains(kHeart)); // her own is not news
        // Within the minute: the same notification again, updated.
        QCOMPARE(react(m_cyd, id, kParty).status, 200);
        const QJsonObject second = ann.waitFor(u"notification"_s)["notification"_L1].toObject();
        QCOMPARE(second["id"_L1].toInteger(), first["id"_L1].toInteger());
        QVERIFY(second["body"_L1].toString().contains(kParty));
        QVERIFY(second["title"_L1].toString().startsWith(u"cyd"_s));

        // Everyone else takes theirs back: the notification goes.
        QCOMPARE(react(m_ben, id, kThumbs, false).status, 200);
        QCOMPARE(react(m_cyd, id, kParty, false).status, 200);
        const QJsonObject revoked = ann.waitFor(u"notification_revoked"_s);
        QCOMPARE(revoked["ids"_L1].toArray(), QJsonArray{first["id"_L1].toInteger()});
        QCOMPARE(ann.framesOf(u"notification_revoked"_s).size(), 1);
        // Reactions are no message notifications: the list does not grow.
        QCOMPARE(m_http->get(u"/api/notifications"_s, m_ann.token)
                     .body["notifications"_L1]
                     .toArray()
                     .size(),
                 0);
    }

    void aMutedSenderIsNotNotified()
    {
        const qint64 id = say(m_ann, u"quiet please"_s);
        QCOMPARE(m_http
                     ->put(u"/api/notifications/preferences"_s,
                           {{"mutedConversationIds"_L1, QJsonArray{m_group}}}, m_ann.token)
                     .status,
                 200);
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QCOMPARE(react(m_ben, id, kThumbs).status, 200);
        ann.waitFor(u"message_updated"_s);
        QVERIFY(ann.staysQuiet(u"notification"_s));
    }

    void aDeletedMessageTakesItsReactionsAlong()
    {
        const qint64 id = say(m_ann, u"oops"_s);
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        QCOMPARE(react(m_ben, id, kThumbs).status, 200);
        const qint64 notification =
            ann.waitFor(u"notification"_s)["notification"_L1]["id"_L1].toInteger();
        const auto tombstone =
            m_http->send("DELETE", u"/api/messages/%1"_s.arg(id), {}, m_ann.token);
        QCOMPARE(tombstone.status, 200);
        QCOMPARE(tombstone.body["message"_L1]["reactions"_L1].toArray().size(), 0);
        QVERIFY(ann.waitFor(u"notification_revoked"_s, 5000,
                            [&](const QJsonObject &frame) {
                                return frame["ids"_L1].toArray().contains(notification);
                            })
                    .contains("ids"_L1));
        QCOMPARE(read(m_ben, id)["reactions"_L1].toArray().size(), 0);
        QVERIFY(!m_server->databaseHolds(kThumbs));
        // Reacting to it now: conflict, with the tombstone as `current`.
        const auto late = react(m_cyd, id, kHeart);
        QCOMPARE(late.status, 409);
        QCOMPARE(late.errorCode(), u"conflict"_s);
        QCOMPARE(late.body["error"_L1]["current"_L1]["id"_L1].toInteger(), id);
    }

    void onlyParticipantsReactToExistingMessages()
    {
        const qint64 id = say(m_ann, u"members only"_s);
        const auto eve = m_http->registerUser(u"eve"_s);
        QCOMPARE(react(eve, id, kThumbs).status, 403);
        QCOMPARE(react(eve, id, kThumbs).errorCode(), u"forbidden"_s);
        QCOMPARE(react(m_ben, id + 1000, kThumbs).status, 404);
        QCOMPARE(react(m_ben, id + 1000, kThumbs).errorCode(), u"not_found"_s);
        // Over the WebSocket too, with the ref.
        WsClient client;
        QVERIFY(client.open(m_server->wsUrl(eve.token)));
        client.sendJson({{"type"_L1, "react"_L1},
                         {"messageId"_L1, id},
                         {"emoji"_L1, kThumbs},
                         {"on"_L1, true},
                         {"clientRequestId"_L1, u"x"_s}});
        const QJsonObject error = client.waitFor(u"error"_s);
        QCOMPARE(error["code"_L1].toString(), u"forbidden"_s);
        QCOMPARE(error["ref"_L1].toString(), u"x"_s);
    }

    void anEditKeepsEachViewersReactions()
    {
        const qint64 id = say(m_ann, u"teh plan"_s);
        QCOMPARE(react(m_ben, id, kThumbs).status, 200);
        WsClient ben;
        WsClient cyd;
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        QVERIFY(cyd.open(m_server->wsUrl(m_cyd.token)));
        QCOMPARE(m_http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(id), R"({"content": "the plan"})",
                            m_ann.token)
                     .status,
                 200);
        QVERIFY(
            ben.waitFor(u"message_updated"_s)["message"_L1]["reactions"_L1][0]["me"_L1].toBool());
        QVERIFY(
            !cyd.waitFor(u"message_updated"_s)["message"_L1]["reactions"_L1][0]["me"_L1].toBool());
    }
};

PITCHEY_TEST_MAIN(TestReactions)
#include "tst_reactions.moc"
