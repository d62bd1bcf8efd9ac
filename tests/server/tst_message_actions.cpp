// Version 2 of the contract, what people do to messages beyond editing and deleting (those
// are in tst_http_api): replies with the server's excerpt of the parent, against a real
// server on a real socket (SQLite here, PostgreSQL in the _postgres run).
#include "Clients.h"
#include "TestMain.h"
#include "TestServer.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

class TestMessageActions : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;
    HttpClient::Account m_ann;
    HttpClient::Account m_ben;
    qint64 m_pair = 0;

    HttpResult send(const HttpClient::Account &from, const QJsonObject &fields)
    {
        QJsonObject body = fields;
        if (!body.contains("conversationId"_L1))
            body.insert("conversationId"_L1, m_pair);
        return m_http->post(u"/api/messages/send"_s, body, from.token);
    }

    qint64 say(const HttpClient::Account &from, const QString &text)
    {
        return send(from, {{"content"_L1, text}}).body["message"_L1]["id"_L1].toInteger();
    }

    // The message as Ben's history shows it now.
    QJsonObject read(qint64 messageId)
    {
        const auto history =
            m_http->get(u"/api/messages/%1/messages?limit=100"_s.arg(m_pair), m_ben.token);
        for (const auto &message : history.body["messages"_L1].toArray()) {
            if (message["id"_L1].toInteger() == messageId)
                return message.toObject();
        }
        return {};
    }

private Q_SLOTS:
    void init()
    {
        QTest::failOnWarning(
            QRegularExpression(u"query failed|prepare failed|commit failed|cannot begin"_s));
        m_server = std::make_unique<TestServer>([](auto &config) {
            config.rateBurst = 1000;
            config.authBurst = 1000;
        });
        QVERIFY(m_server->start());
        m_http = std::make_unique<HttpClient>(m_server->httpUrl({}));
        m_ann = m_http->registerUser(u"ann"_s);
        m_ben = m_http->registerUser(u"ben"_s);
        m_pair = m_http->createConversation(m_ann, {m_ben.id});
    }

    void cleanup()
    {
        m_http.reset();
        m_server.reset();
    }

    void aReplyCarriesTheParentsExcerpt()
    {
        // 150 code points outside the BMP: the excerpt counts code points, not UTF-16 units.
        const QString longText = u"\U0001F600"_s.repeated(150);
        const qint64 parent = say(m_ben, longText);
        WsClient ben;
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));

        const auto reply = send(m_ann, {{"content"_L1, u"agreed"_s}, {"replyToId"_L1, parent}});
        QCOMPARE(reply.status, 201);
        const QJsonObject expected{{"id"_L1, parent},
                                   {"senderId"_L1, m_ben.id},
                                   {"excerpt"_L1, u"\U0001F600"_s.repeated(140)},
                                   {"attachmentCount"_L1, 0},
                                   {"deleted"_L1, false}};
        QCOMPARE(reply.body["message"_L1]["replyTo"_L1].toObject(), expected);
        QCOMPARE(reply.body["message"_L1]["replyToId"_L1].toInteger(), parent);
        const qint64 id = reply.body["message"_L1]["id"_L1].toInteger();
        // The same in the frame, in history and in the feed.
        const QJsonObject frame = ben.waitFor(u"new_message"_s);
        QCOMPARE(frame["replyTo"_L1].toObject(), expected);
        QCOMPARE(read(id)["replyTo"_L1].toObject(), expected);
        const auto feed = m_http->get(u"/api/messages/changes"_s, m_ben.token);
        QCOMPARE(feed.body["messages"_L1].toArray().last()["replyTo"_L1].toObject(), expected);
        // A message that replies to nothing has null.
        QVERIFY(read(parent)["replyTo"_L1].isNull());
    }

    void theExcerptFollowsTheParentsEditsAndDeletion()
    {
        const qint64 parent = say(m_ben, u"meet at 5"_s);
        const qint64 reply = send(m_ann, {{"content"_L1, u"ok"_s}, {"replyToId"_L1, parent}})
                                 .body["message"_L1]["id"_L1]
                                 .toInteger();
        QCOMPARE(m_http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(parent),
                            R"({"content": "meet at 6"})", m_ben.token)
                     .status,
                 200);
        QCOMPARE(read(reply)["replyTo"_L1]["excerpt"_L1].toString(), u"meet at 6"_s);

        // Ann deletes her reply: the tombstone keeps what it replied to.
        const auto tombstone =
            m_http->send("DELETE", u"/api/messages/%1"_s.arg(reply), {}, m_ann.token);
        QCOMPARE(tombstone.status, 200);
        QCOMPARE(tombstone.body["message"_L1]["replyToId"_L1].toInteger(), parent);
        QCOMPARE(tombstone.body["message"_L1]["replyTo"_L1]["excerpt"_L1].toString(),
                 u"meet at 6"_s);

        // The parent deleted: the excerpt goes with it, the reply stays.
        const qint64 second =
            send(m_ann, {{"content"_L1, u"still there?"_s}, {"replyToId"_L1, parent}})
                .body["message"_L1]["id"_L1]
                .toInteger();
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(parent), {}, m_ben.token).status,
                 200);
        const QJsonObject shown = read(second);
        QCOMPARE(shown["content"_L1].toString(), u"still there?"_s);
        QCOMPARE(shown["replyTo"_L1].toObject(), (QJsonObject{{"id"_L1, parent},
                                                              {"senderId"_L1, m_ben.id},
                                                              {"excerpt"_L1, QString()},
                                                              {"attachmentCount"_L1, 0},
                                                              {"deleted"_L1, true}}));
        QVERIFY(!m_server->databaseHolds(u"meet at 6"_s));
    }

    void aReplyMustAnswerALiveMessageOfItsConversation()
    {
        const auto cy = m_http->registerUser(u"cyd"_s);
        const qint64 elsewhere = m_http->createConversation(m_ann, {cy.id});
        const qint64 there = say(m_ann, u"hi"_s);
        const qint64 other =
            send(m_ann, {{"conversationId"_L1, elsewhere}, {"content"_L1, u"not here"_s}})
                .body["message"_L1]["id"_L1]
                .toInteger();
        QVERIFY(there > 0 && other > 0);
        for (const qint64 parent : {other, there + 1000}) {
            const auto refused = send(m_ann, {{"content"_L1, u"re"_s}, {"replyToId"_L1, parent}});
            QCOMPARE(refused.status, 400);
            QCOMPARE(refused.errorCode(), u"bad_request"_s);
        }
        QCOMPARE(m_http->send("DELETE", u"/api/messages/%1"_s.arg(there), {}, m_ann.token).status,
                 200);
        const auto gone = send(m_ann, {{"content"_L1, u"re"_s}, {"replyToId"_L1, there}});
        QCOMPARE(gone.status, 409);
        QCOMPARE(gone.errorCode(), u"conflict"_s);
        // Over the WebSocket, the same refusal with the send's clientMessageId as ref.
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        ann.sendJson({{"type"_L1, "send_message"_L1},
                      {"conversationId"_L1, m_pair},
                      {"content"_L1, u"re"_s},
                      {"replyToId"_L1, there},
                      {"clientMessageId"_L1, u"r-1"_s}});
        const QJsonObject error = ann.waitFor(u"error"_s);
        QCOMPARE(error["code"_L1].toString(), u"conflict"_s);
        QCOMPARE(error["ref"_L1].toString(), u"r-1"_s);
    }
};

PITCHEY_TEST_MAIN(TestMessageActions)
#include "tst_message_actions.moc"
