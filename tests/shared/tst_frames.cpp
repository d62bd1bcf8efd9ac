// The protocol library: every client frame, good and bad, and the server frames' shapes.
#include "protocol/Frames.h"
#include "protocol/Time.h"
#include "protocol/Validation.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace pitchey;

Q_DECLARE_METATYPE(pitchey::ErrorCode)

class TestFrames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goodFramesRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("ping") << R"({"type":"ping"})"_ba;
        QTest::newRow("send to conversation")
            << R"({"type":"send_message","conversationId":3,"content":"hi","clientMessageId":"a-b","replyToId":9})"_ba;
        QTest::newRow("send to recipient")
            << R"({"type":"send_message","recipientId":9007199254740993,"content":"hi"})"_ba;
        QTest::newRow("delivered") << R"({"type":"message_delivered","messageId":5})"_ba;
        QTest::newRow("read") << R"({"type":"message_read","messageId":5})"_ba;
        QTest::newRow("typing start") << R"({"type":"typing_start","conversationId":2})"_ba;
        QTest::newRow("typing stop") << R"({"type":"typing_stop","conversationId":2})"_ba;
        QTest::newRow("join") << R"({"type":"join_conversation","conversationId":2})"_ba;
        QTest::newRow("send with mentions")
            << R"({"type":"send_message","conversationId":3,"content":"@b","mentions":{"userIds":[4,2],"all":true}})"_ba;
        QTest::newRow("edit with mentions")
            << R"({"type":"edit_message","messageId":5,"content":"x","version":2,"mentions":{"userIds":[],"all":false}})"_ba;
        QTest::newRow("react")
            << R"({"type":"react","messageId":5,"emoji":"\ud83d\udc4d","on":true,"clientRequestId":"r"})"_ba;
        QTest::newRow("react off")
            << R"({"type":"react","messageId":5,"emoji":"\u2764\ufe0f","on":false})"_ba;
    }

    void goodFramesRoundTrip()
    {
        QFETCH(QByteArray, text);
        const auto parsed = frames::parseClientFrame(text);
        QVERIFY(std::holds_alternative<frames::ClientFrame>(parsed));
        const QJsonObject encoded = frames::toJson(std::get<frames::ClientFrame>(parsed));
        QCOMPARE(encoded, QJsonDocument::fromJson(text).object());
    }

    void badFramesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QJsonValue>("ref");
        const QJsonValue none(QJsonValue::Null);
        QTest::newRow("empty") << ""_ba << none;
        QTest::newRow("not json") << "{type:ping}"_ba << none;
        QTest::newRow("array") << "[]"_ba << none;
        QTest::newRow("string") << "\"ping\""_ba << none;
        QTest::newRow("no type") << "{}"_ba << none;
        QTest::newRow("type not string") << R"({"type":1})"_ba << none;
        QTest::newRow("unknown type") << R"({"type":"pong"})"_ba << none;
        QTest::newRow("send no content")
            << R"({"type":"send_message","conversationId":1,"clientMessageId":"c"})"_ba
            << QJsonValue(u"c"_s);
        QTest::newRow("send content number")
            << R"({"type":"send_message","conversationId":1,"content":5})"_ba << none;
        QTest::newRow("send blank")
            << R"({"type":"send_message","conversationId":1,"content":"\u00a0 \n"})"_ba << none;
        QTest::newRow("send both")
            << R"({"type":"send_message","conversationId":1,"recipientId":2,"content":"x"})"_ba
            << none;
        QTest::newRow("send neither") << R"({"type":"send_message","content":"x"})"_ba << none;
        QTest::newRow("send id string")
            << R"({"type":"send_message","conversationId":"1","content":"x"})"_ba << none;
        QTest::newRow("send id zero")
            << R"({"type":"send_message","conversationId":0,"content":"x"})"_ba << none;
        QTest::newRow("send id fraction")
            << R"({"type":"send_message","conversationId":1.5,"content":"x"})"_ba << none;
        QTest::newRow("send empty client id")
            << R"({"type":"send_message","conversationId":1,"content":"x","clientMessageId":""})"_ba
            << QJsonValue(u""_s);
        QTest::newRow("send client id number")
            << R"({"type":"send_message","conversationId":1,"content":"x","clientMessageId":3})"_ba
            << none;
        QTest::newRow("send reply string")
            << R"({"type":"send_message","conversationId":1,"content":"x","replyToId":"2"})"_ba
            << none;
        QTest::newRow("send lone high surrogate")
            << R"({"type":"send_message","conversationId":1,"content":"x\ud800y","clientMessageId":"s"})"_ba
            << QJsonValue(u"s"_s);
        QTest::newRow("send lone low surrogate at the end")
            << R"({"type":"send_message","conversationId":1,"content":"x\udc00"})"_ba << none;
        QTest::newRow("send surrogates reversed")
            << R"({"type":"send_message","conversationId":1,"content":"\ude00\ud83d"})"_ba << none;
        QTest::newRow("send control character")
            << "{\"type\":\"send_message\",\"conversationId\":1,\"content\":\"a\x01b\"}"_ba << none;
        QTest::newRow("send mentions not an object")
            << R"({"type":"send_message","conversationId":1,"content":"x","mentions":[2]})"_ba
            << none;
        QTest::newRow("send mention id string")
            << R"({"type":"send_message","conversationId":1,"content":"x","mentions":{"userIds":["2"]}})"_ba
            << none;
        QTest::newRow("send mention id zero")
            << R"({"type":"send_message","conversationId":1,"content":"x","mentions":{"userIds":[0]}})"_ba
            << none;
        QTest::newRow("send mentions all string")
            << R"({"type":"send_message","conversationId":1,"content":"x","mentions":{"all":"yes"}})"_ba
            << none;
        QTest::newRow("edit mentions unknown key")
            << R"({"type":"edit_message","messageId":1,"content":"x","mentions":{"users":[2]},"clientRequestId":"e"})"_ba
            << QJsonValue(u"e"_s);
        QTest::newRow("delivered no id") << R"({"type":"message_delivered"})"_ba << none;
        QTest::newRow("read negative") << R"({"type":"message_read","messageId":-1})"_ba << none;
        QTest::newRow("typing no conversation") << R"({"type":"typing_start"})"_ba << none;
        QTest::newRow("join null")
            << R"({"type":"join_conversation","conversationId":null})"_ba << none;
        QTest::newRow("react letter")
            << R"({"type":"react","messageId":5,"emoji":"a","on":true,"clientRequestId":"r"})"_ba
            << QJsonValue(u"r"_s);
        QTest::newRow("react no on")
            << R"({"type":"react","messageId":5,"emoji":"\ud83d\udc4d"})"_ba << none;
        QTest::newRow("react two emoji")
            << R"({"type":"react","messageId":5,"emoji":"\ud83d\udc4d\ud83d\udc4d","on":true})"_ba
            << none;
        QTest::newRow("react no message")
            << R"({"type":"react","emoji":"\ud83d\udc4d","on":true})"_ba << none;
    }

    void badFramesAreRefused()
    {
        QFETCH(QByteArray, text);
        QFETCH(QJsonValue, ref);
        const auto parsed = frames::parseClientFrame(text);
        QVERIFY(std::holds_alternative<frames::Refusal>(parsed));
        const auto &refusal = std::get<frames::Refusal>(parsed);
        QCOMPARE(refusal.error.code, ErrorCode::BadRequest);
        QVERIFY(!refusal.error.message.isEmpty());
        QCOMPARE(refusal.ref, ref);
    }

    void contentLimitsCountCodePoints()
    {
        QVERIFY(!validateContent(QString(10000, u'a')).has_value());
        QVERIFY(validateContent(QString(10001, u'a')).has_value());
        QString emoji;
        for (int i = 0; i < 10000; ++i)
            emoji += u"\U0001F642"_s;
        QCOMPARE(codePointCount(emoji), 10000);
        QVERIFY(!validateContent(emoji).has_value());
        QVERIFY(validateContent(u" \t\n\u3000"_s).has_value());
    }

    void clientMessageIdsCountCodePoints()
    {
        QString emoji;
        for (int i = 0; i < kMaxClientMessageIdLength; ++i)
            emoji += u"\U0001F642"_s;
        const auto frame = [](const QString &id) {
            return QJsonDocument(QJsonObject{{"type"_L1, "send_message"_L1},
                                             {"conversationId"_L1, 1},
                                             {"content"_L1, "x"_L1},
                                             {"clientMessageId"_L1, id}})
                .toJson(QJsonDocument::Compact);
        };
        QVERIFY(!std::holds_alternative<frames::Refusal>(frames::parseClientFrame(frame(emoji))));
        QVERIFY(std::holds_alternative<frames::Refusal>(
            frames::parseClientFrame(frame(emoji + u"x"_s))));
    }

    void usernames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("ok") << u"a.b-c_9"_s << true;
        QTest::newRow("3") << u"abc"_s << true;
        QTest::newRow("32") << QString(32, u'x') << true;
        QTest::newRow("2") << u"ab"_s << false;
        QTest::newRow("33") << QString(33, u'x') << false;
        QTest::newRow("space") << u"a b"_s << false;
        QTest::newRow("accent") << u"jos\u00e9"_s << false;
        QTest::newRow("at") << u"a@b"_s << false;
    }

    void usernames()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        QCOMPARE(!validateUsername(name).has_value(), valid);
    }

    void serverFramesHaveTheContractsFields()
    {
        Message message;
        message.id = 5;
        message.conversationId = 2;
        message.senderId = 1;
        message.content = u"<i>x</i>"_s;
        message.createdAt = 1795514400000; // 2026-11-24T10:00:00.000Z
        const QJsonObject frame = frames::newMessage(message);
        QCOMPARE(frame.value("type"_L1).toString(), u"new_message"_s);
        QCOMPARE(frame.value("createdAt"_L1).toString(), u"2026-11-24T10:00:00.000Z"_s);
        QCOMPARE(frame.value("content"_L1).toString(), u"<i>x</i>"_s);
        QVERIFY(frame.value("clientMessageId"_L1).isNull());
        QVERIFY(frame.value("replyToId"_L1).isNull());
        const auto back = Message::fromJson(frame);
        QVERIFY(back.ok());
        QCOMPARE(back.value().id, 5);
        QCOMPARE(back.value().createdAt, message.createdAt);

        const QJsonObject error = frames::error(Error::forbidden(u"no"_s), u"c-1"_s);
        QCOMPARE(error, QJsonObject({{"type"_L1, "error"_L1},
                                     {"code"_L1, "forbidden"_L1},
                                     {"message"_L1, "no"_L1},
                                     {"ref"_L1, "c-1"_L1}}));
        QCOMPARE(frames::userTyping(1, 2, true).keys(),
                 QStringList({u"conversationId"_s, u"isTyping"_s, u"type"_s, u"userId"_s}));
        QCOMPARE(frames::presence(1, u"a"_s, false).value("type"_L1).toString(), u"user_offline"_s);
    }

    void errorCodesMatchTheContract()
    {
        const QList<QPair<ErrorCode, QPair<QString, int>>> expected = {
            {ErrorCode::BadRequest, {u"bad_request"_s, 400}},
            {ErrorCode::Unauthorized, {u"unauthorized"_s, 401}},
            {ErrorCode::Forbidden, {u"forbidden"_s, 403}},
            {ErrorCode::NotFound, {u"not_found"_s, 404}},
            {ErrorCode::Conflict, {u"conflict"_s, 409}},
            {ErrorCode::RateLimited, {u"rate_limited"_s, 429}},
            {ErrorCode::TooLarge, {u"too_large"_s, 413}},
            {ErrorCode::Internal, {u"internal"_s, 500}}};
        for (const auto &[code, wire] : expected) {
            QCOMPARE(errorCodeName(code), wire.first);
            QCOMPARE(httpStatusFor(code), wire.second);
        }
    }

    void preferencesPatch()
    {
        NotificationPreferences defaults;
        QCOMPARE(defaults.toJson().value("emailDelayMinutes"_L1).toInt(), 5);
        auto merged = defaults.merged(
            {{"emailDelayMinutes"_L1, 0}, {"mutedConversationIds"_L1, QJsonArray{3, 3, 4}}});
        QVERIFY(merged.ok());
        QCOMPARE(merged.value().emailDelayMinutes, 0);
        QCOMPARE(merged.value().mutedConversationIds, QList<qint64>({3, 4}));
        QVERIFY(!defaults.merged({{"emailDelayMinutes"_L1, 1441}}).ok());
        QVERIFY(!defaults.merged({{"realtimeEnabled"_L1, 1}}).ok());
        QVERIFY(!defaults.merged({{"mutedConversationIds"_L1, QJsonArray{0}}}).ok());
        QVERIFY(!defaults.merged({{"whatever"_L1, true}}).ok());
    }

    void times()
    {
        QCOMPARE(toIsoTime(0), u"1970-01-01T00:00:00.000Z"_s);
        QCOMPARE(fromIsoTime(u"2026-11-24T10:00:00.000Z"_s).value(), 1795514400000);
        QVERIFY(!fromIsoTime(u"yesterday"_s).has_value());
    }

    // toIsoTime writes dates itself for 1970-9999: the same text as QDateTime's, leap days
    // and the edges of the range included, and QDateTime's own outside it.
    void isoTimesMatchQDateTime()
    {
        QList<qint64> times{0,
                            1,
                            999,
                            1000,
                            86'399'999,
                            951'782'400'000,     // 2000-02-29
                            1'709'164'800'123,   // 2024-02-29
                            4'107'542'399'999,   // 2100-02-28T23:59:59.999
                            4'107'542'400'000,   // 2100-03-01
                            1'795'514'400'000,   // 2026-11-24T10:00
                            253'402'300'799'999, // 9999-12-31T23:59:59.999
                            253'402'300'800'000, // 10000
                            -1,
                            -86'400'001};
        for (qint64 t = 0; t < 253'402'300'800'000; t += 7'777'777'777'777 / 3)
            times.append(t + t % 1000);
        for (qint64 t : std::as_const(times)) {
            const QString expected = QDateTime::fromMSecsSinceEpoch(t, QTimeZone::utc())
                                         .toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
            QCOMPARE(toIsoTime(t), expected);
            QCOMPARE(toIsoTimeLatin1(t), expected.toLatin1());
        }
    }

    void receiptsAreWrittenAsEncodeWouldWriteThem()
    {
        for (qint64 id : {qint64(1), qint64(42), qint64(9'007'199'254'740'991)}) {
            QCOMPARE(frames::encodeMessageDelivered(id, id + 1, 7, 1'795'514'400'000),
                     frames::encode(frames::messageDelivered(id, id + 1, 7, 1'795'514'400'000)));
        }
    }

    void stringsAreWrittenAsQJsonDocumentWritesThem()
    {
        const auto viaQt = [](const QString &text) {
            const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
            return array.mid(1, array.size() - 2); // without [ and ]
        };
        const auto direct = [](const QString &text) {
            QByteArray out;
            frames::appendJsonString(out, text);
            return out;
        };
        // Every UTF-16 unit alone (lone surrogates included), then pairs and mixtures.
        for (char32_t unit = 0; unit <= 0xffff; ++unit) {
            const QString text{QChar(char16_t(unit))};
            if (direct(text) != viaQt(text))
                QFAIL(qPrintable(u"U+%1"_s.arg(QString::number(uint(unit), 16))));
        }
        for (const QString &text :
             {u""_s, u"\U0001F600"_s, u"\U00010000\U0010FFFF"_s, u"a\"b\\c\n\td\u007f"_s,
              u"caf\u00e9 \u6f22\u5b57"_s, QString(QChar(0xdc00)) + QChar(0xd800) + u"x"_s,
              QString(QChar(0xd83d)) + u"\U0001F600"_s + QChar(0xde00)})
            QCOMPARE(direct(text), viaQt(text));
    }

    void messageFramesAreWrittenAsEncodeWouldWriteThem()
    {
        Message message;
        message.id = 9'007'199'254'740'991;
        message.conversationId = 7;
        message.senderId = 3;
        message.createdAt = 1'795'514'400'123;
        // Long ones too, and ones whose every unit is escaped: the writer sizes its buffer
        // from the text before writing.
        QString controls;
        for (char16_t unit = 0; unit < 0x20; ++unit)
            controls.append(QChar(unit));
        for (const QString &content :
             {u"hi"_s, u""_s, u"\"quoted\" \\ back\nline \U0001F600 caf\u00e9"_s,
              controls.repeated(40), (u"\U0001F600\u00e9x"_s + QChar(0xd800)).repeated(700)}) {
            for (const bool withIds : {false, true}) {
                message.content = content;
                message.clientMessageId =
                    withIds ? std::optional<QString>(u"c-\"1\u00e9"_s) : std::nullopt;
                message.replyToId = withIds ? std::optional<qint64>(41) : std::nullopt;
                message.editedAt =
                    withIds ? std::optional<qint64>(1'795'514'500'456) : std::nullopt;
                message.replyTo = withIds ? std::optional<ReplyExcerpt>(
                                                {41, 5, content.left(140), 0, content.isEmpty()})
                                          : std::nullopt;
                message.mentions =
                    withIds ? Mentions{{9'007'199'254'740'991, 4, 12}, true} : Mentions{};
                message.reactions.clear();
                if (withIds && content.isEmpty()) // an old message pushed late may have some
                    message.reactions.append({u"\U0001F44D"_s, 12, {3, 4}, true});
                QCOMPARE(frames::encodeNewMessage(message),
                         frames::encode(frames::newMessage(message)));
                QCOMPARE(frames::encodeMessageSent(message),
                         frames::encode(frames::messageSent(message)));
                const Notification notification{message.id,
                                                u"new_message"_s,
                                                u"Ann \"A\" in \u6f22"_s,
                                                content,
                                                withIds ? std::optional<qint64>(7) : std::nullopt,
                                                withIds ? std::optional<qint64>(message.id)
                                                        : std::nullopt,
                                                message.createdAt};
                QCOMPARE(frames::encodeNotification(notification),
                         frames::encode(frames::notification(notification)));
            }
        }
    }

    // The quick path for acknowledgements answers as the general one does: the same frame
    // with a space after "{" (which only the general path reads) gives the same result.
    void acknowledgementsReadQuicklyAnswerAsTheGeneralPath_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("id"); // 0: refused
        const QByteArray start = R"({"type":"message_delivered","messageId":)";
        QTest::newRow("1") << start + "1}" << qint64(1);
        QTest::newRow("42") << start + "42}" << qint64(42);
        QTest::newRow("15 digits") << start + "999999999999999}" << qint64(999'999'999'999'999);
        QTest::newRow("16 digits") << start + "1000000000000000}" << qint64(1'000'000'000'000'000);
        QTest::newRow("zero") << start + "0}" << qint64(0);
        QTest::newRow("leading zero") << start + "012}" << qint64(0);
        QTest::newRow("negative") << start + "-4}" << qint64(0);
        QTest::newRow("fraction") << start + "1.5}" << qint64(0);
        QTest::newRow("string") << start + R"("12"})" << qint64(0);
        QTest::newRow("empty") << start + "}" << qint64(0);
        QTest::newRow("trailing") << start + "12}x" << qint64(0);
        QTest::newRow("two braces") << start + "12}}" << qint64(0);
        QTest::newRow("another key") << start + R"(12,"x":1})" << qint64(12);
        QTest::newRow("repeated key") << start + R"(12,"messageId":13})" << qint64(13);
    }

    void acknowledgementsReadQuicklyAnswerAsTheGeneralPath()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, id);
        QByteArray general = text;
        general.insert(1, ' ');
        for (const QByteArray &variant : {text, general}) {
            const auto parsed = frames::parseClientFrame(variant);
            if (id == 0) {
                QVERIFY2(std::holds_alternative<frames::Refusal>(parsed), variant.constData());
                continue;
            }
            QVERIFY2(std::holds_alternative<frames::ClientFrame>(parsed), variant.constData());
            const auto &frame = std::get<frames::ClientFrame>(parsed);
            QVERIFY(std::holds_alternative<frames::MessageDelivered>(frame));
            QCOMPARE(std::get<frames::MessageDelivered>(frame).messageId, id);
        }
    }
};

QTEST_GUILESS_MAIN(TestFrames)
#include "tst_frames.moc"
