// Every frame of the WebSocket contract both ways through the protocol library: what one
// side writes, the other reads back unchanged; and what a reader must refuse.
#include "protocol/Frames.h"
#include "protocol/ServerFrames.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;
namespace server = pitchey::frames::server;

Q_DECLARE_METATYPE(server::ServerFrame)
Q_DECLARE_METATYPE(frames::ClientFrame)

namespace {

constexpr qint64 kTime = 1'767'225'600'123; // 2026-01-01T00:00:00.123Z

Message message(qint64 id, std::optional<qint64> replyTo, const std::optional<QString> &clientId)
{
    Message m;
    m.id = id;
    m.conversationId = 7;
    m.senderId = 3;
    m.content = u"h\u00e9llo \"you\"\n"_s;
    m.createdAt = kTime + id;
    m.replyToId = replyTo;
    m.clientMessageId = clientId;
    // Version 2's fields, not their defaults, so that a round trip shows they are kept.
    m.version = 3;
    m.changeId = 40 + id;
    m.deletedAt = id % 2 == 0 ? std::optional<qint64>(kTime + 9) : std::nullopt;
    m.threadRootId = id % 3 == 0 ? std::optional<qint64>(1) : std::nullopt;
    if (id % 3 == 1) {
        m.thread = ThreadSummary{2, 90, kTime + 90, {5, 3}};
        m.reactions = {{u"\U0001F44D"_s, 12, {3, 4}, true}, {u"\u2764\uFE0F"_s, 1, {5}, false}};
    }
    return m;
}

QByteArray text(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class TestServerFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyServerFrameRoundTrips_data()
    {
        QTest::addColumn<server::ServerFrame>("frame");
        QTest::addColumn<QString>("type");
        const auto row = [](const char *name, const server::ServerFrame &frame,
                            const QString &type) { QTest::newRow(name) << frame << type; };
        row("connected", server::Connected{42, kTime}, u"connected"_s);
        row("pong", server::Pong{}, u"pong"_s);
        row("message_sent", server::MessageSent{u"c-1"_s, 9, 7, kTime}, u"message_sent"_s);
        row("message_sent without id", server::MessageSent{std::nullopt, 9, 7, kTime},
            u"message_sent"_s);
        row("new_message", server::NewMessage{message(9, 4, u"c-1"_s)}, u"new_message"_s);
        row("new_message, plain", server::NewMessage{message(9, std::nullopt, std::nullopt)},
            u"new_message"_s);
        row("message_delivered", server::MessageDelivered{9, 7, 5, kTime}, u"message_delivered"_s);
        row("message_read", server::MessageRead{9, 7, 5, kTime}, u"message_read"_s);
        row("typing", server::UserTyping{5, 7, true}, u"user_typing"_s);
        row("typing stopped", server::UserTyping{5, 7, false}, u"user_typing"_s);
        row("online", server::Presence{5, u"bob"_s, true}, u"user_online"_s);
        row("offline", server::Presence{5, u"bob"_s, false}, u"user_offline"_s);
        row("history", server::ConversationHistory{7, {message(1, {}, {}), message(2, 1, {})}},
            u"conversation_history"_s);
        row("empty history", server::ConversationHistory{7, {}}, u"conversation_history"_s);
        row("notification",
            server::NotificationArrived{{12, u"new_message"_s, u"alice"_s, u"hi"_s, 7, 12, kTime}},
            u"notification"_s);
        row("notification without ids",
            server::NotificationArrived{
                {13, u"new_message"_s, u"t"_s, u"b"_s, std::nullopt, std::nullopt, kTime}},
            u"notification"_s);
        for (ErrorCode code : {ErrorCode::BadRequest, ErrorCode::Unauthorized, ErrorCode::Forbidden,
                               ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::RateLimited,
                               ErrorCode::TooLarge, ErrorCode::Internal}) {
            QTest::addRow("error %s", qPrintable(errorCodeName(code)))
                << server::ServerFrame(server::Refused{{code, u"why"_s}, u"c-1"_s}) << u"error"_s;
        }
        row("error without ref", server::Refused{Error::forbidden(u"no"_s), QJsonValue::Null},
            u"error"_s);
    }

    void everyServerFrameRoundTrips()
    {
        QFETCH(server::ServerFrame, frame);
        QFETCH(QString, type);
        const QJsonObject json = server::toJson(frame);
        QCOMPARE(json.value("type"_L1).toString(), type);
        const auto parsed = server::parse(text(json));
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QVERIFY(parsed.value() == frame);
    }

    void theServersWritersAreTheCodecs()
    {
        // What the server sends, through the builders and the byte-level writers, reads back.
        const Message sent = message(9, 4, u"c-1"_s);
        const auto asNew = server::parse(frames::encodeNewMessage(sent));
        QVERIFY(asNew.ok());
        QVERIFY(std::get<server::NewMessage>(asNew.value()).message == sent);
        const auto asSent = server::parse(frames::encodeMessageSent(sent));
        QVERIFY(asSent.ok());
        QVERIFY(std::get<server::MessageSent>(asSent.value()) ==
                (server::MessageSent{u"c-1"_s, 9, 7, sent.createdAt}));
        const auto delivered = server::parse(frames::encodeMessageDelivered(9, 7, 5, kTime));
        QVERIFY(delivered.ok());
        QVERIFY(std::get<server::MessageDelivered>(delivered.value()) ==
                (server::MessageDelivered{9, 7, 5, kTime}));
        const Notification note{12, u"new_message"_s, u"alice"_s, u"hi"_s, 7, 12, kTime};
        const auto notified = server::parse(frames::encodeNotification(note));
        QVERIFY(notified.ok());
        QVERIFY(std::get<server::NotificationArrived>(notified.value()).notification == note);
    }

    void badServerFramesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("not json") << QByteArray("{\"type\":");
        QTest::newRow("an array") << QByteArray("[]");
        QTest::newRow("no type") << QByteArray(R"({"userId":1})");
        QTest::newRow("unknown type") << QByteArray(R"({"type":"reaction_added"})");
        QTest::newRow("connected without user")
            << QByteArray(R"({"type":"connected","serverTime":"2026-01-01T00:00:00Z"})");
        QTest::newRow("connected, bad time")
            << QByteArray(R"({"type":"connected","userId":1,"serverTime":"yesterday"})");
        QTest::newRow("sent, id as text") << QByteArray(
            R"({"type":"message_sent","messageId":"9","conversationId":7,"createdAt":"2026-01-01T00:00:00Z"})");
        QTest::newRow("new_message without content") << QByteArray(
            R"({"type":"new_message","messageId":9,"conversationId":7,"senderId":3,"createdAt":"2026-01-01T00:00:00Z"})");
        QTest::newRow("delivered without time") << QByteArray(
            R"({"type":"message_delivered","messageId":9,"conversationId":7,"deliveredTo":5})");
        QTest::newRow("read, negative id") << QByteArray(
            R"({"type":"message_read","messageId":-9,"conversationId":7,"readBy":5,"readAt":"2026-01-01T00:00:00Z"})");
        QTest::newRow("typing as a number")
            << QByteArray(R"({"type":"user_typing","userId":5,"conversationId":7,"isTyping":1})");
        QTest::newRow("online without name") << QByteArray(R"({"type":"user_online","userId":5})");
        QTest::newRow("history, messages not a list")
            << QByteArray(R"({"type":"conversation_history","conversationId":7,"messages":{}})");
        QTest::newRow("history, a bad message") << QByteArray(
            R"({"type":"conversation_history","conversationId":7,"messages":[{"id":1}]})");
        QTest::newRow("notification not an object")
            << QByteArray(R"({"type":"notification","notification":"hi"})");
        QTest::newRow("error without code")
            << QByteArray(R"({"type":"error","message":"no","ref":null})");
    }

    void badServerFramesAreRefused()
    {
        QFETCH(QByteArray, text);
        const auto parsed = server::parse(text);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, ErrorCode::BadRequest);
        QVERIFY(!parsed.error().message.isEmpty());
    }

    void anErrorCodeFromALaterServerIsStillAnError()
    {
        const auto parsed = server::parse(
            QByteArray(R"({"type":"error","code":"gone_fishing","message":"later","ref":null})"));
        QVERIFY(parsed.ok());
        QCOMPARE(std::get<server::Refused>(parsed.value()).error.code, ErrorCode::Internal);
    }

    void errorCodesReadBack()
    {
        for (ErrorCode code : {ErrorCode::BadRequest, ErrorCode::Unauthorized, ErrorCode::Forbidden,
                               ErrorCode::NotFound, ErrorCode::Conflict, ErrorCode::RateLimited,
                               ErrorCode::TooLarge, ErrorCode::Internal})
            QCOMPARE(errorCodeFromName(errorCodeName(code)), code);
        QCOMPARE(errorCodeFromName(u"BAD_REQUEST"), std::nullopt);
    }

    void everyClientFrameRoundTrips_data()
    {
        QTest::addColumn<frames::ClientFrame>("frame");
        QTest::newRow("ping") << frames::ClientFrame(frames::Ping{});
        QTest::newRow("send to a conversation") << frames::ClientFrame(frames::SendMessage{
            7, std::nullopt, u"hi"_s, u"c-1"_s, std::nullopt, std::nullopt, {}, {}});
        QTest::newRow("send to a person, a reply") << frames::ClientFrame(frames::SendMessage{
            std::nullopt, 5, u"h\u00e9"_s, std::nullopt, 4, 2, {{3, 8}, true}, {}});
        QTest::newRow("send with files") << frames::ClientFrame(frames::SendMessage{
            7, std::nullopt, QString(), u"c-2"_s, std::nullopt, std::nullopt, {}, {12, 11}});
        QTest::newRow("delivered") << frames::ClientFrame(frames::MessageDelivered{9});
        QTest::newRow("read") << frames::ClientFrame(frames::MessageRead{9});
        QTest::newRow("typing_start") << frames::ClientFrame(frames::Typing{7, true});
        QTest::newRow("typing_stop") << frames::ClientFrame(frames::Typing{7, false});
        QTest::newRow("join") << frames::ClientFrame(frames::JoinConversation{7});
    }

    void everyClientFrameRoundTrips()
    {
        QFETCH(frames::ClientFrame, frame);
        const auto parsed = frames::parseClientFrame(text(frames::toJson(frame)));
        const auto *read = std::get_if<frames::ClientFrame>(&parsed);
        QVERIFY(read);
        QVERIFY(*read == frame);
    }
};

QTEST_APPLESS_MAIN(TestServerFrames)
#include "tst_server_frames.moc"
