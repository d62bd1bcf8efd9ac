#include "protocol/Frames.h"

#include "protocol/Time.h"
#include "protocol/Validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

using namespace Qt::StringLiterals;

namespace pitchey::frames {

namespace {

QJsonValue orNull(const std::optional<qint64> &id)
{
    return id ? QJsonValue(*id) : QJsonValue(QJsonValue::Null);
}

QJsonValue orNull(const std::optional<QString> &text)
{
    return text ? QJsonValue(*text) : QJsonValue(QJsonValue::Null);
}

template<typename Frame>
std::variant<ClientFrame, Refusal> withConversation(const QJsonObject &object, auto make)
{
    auto id = readRequiredId(object, "conversationId"_L1);
    if (!id.ok())
        return Refusal{id.error(), QJsonValue::Null};
    return ClientFrame{Frame(make(id.value()))};
}

template<typename Frame> std::variant<ClientFrame, Refusal> withMessage(const QJsonObject &object)
{
    auto id = readRequiredId(object, "messageId"_L1);
    if (!id.ok())
        return Refusal{id.error(), QJsonValue::Null};
    return ClientFrame{Frame{id.value()}};
}

} // namespace

Result<SendMessage> parseSendMessage(const QJsonObject &object)
{
    SendMessage frame;
    const auto conversationId = readId(object, "conversationId"_L1);
    if (!conversationId.ok())
        return conversationId.error();
    const auto recipientId = readId(object, "recipientId"_L1);
    if (!recipientId.ok())
        return recipientId.error();
    const auto replyToId = readId(object, "replyToId"_L1);
    if (!replyToId.ok())
        return replyToId.error();
    const auto clientMessageId = readString(object, "clientMessageId"_L1);
    if (!clientMessageId.ok())
        return clientMessageId.error();
    const auto content = readRequiredString(object, "content"_L1);
    if (!content.ok())
        return content.error();

    frame.conversationId = conversationId.value();
    frame.recipientId = recipientId.value();
    frame.replyToId = replyToId.value();
    frame.clientMessageId = clientMessageId.value();
    frame.content = content.value();

    if (frame.conversationId.has_value() == frame.recipientId.has_value())
        return Error::badRequest(u"give exactly one of conversationId and recipientId"_s);
    if (frame.clientMessageId && (frame.clientMessageId->isEmpty() ||
                                  frame.clientMessageId->size() > kMaxClientMessageIdLength))
        return Error::badRequest(
            u"clientMessageId must be 1 to %1 characters long"_s.arg(kMaxClientMessageIdLength));
    if (auto invalid = validateContent(frame.content))
        return *invalid;
    return frame;
}

namespace {

// {"type":"message_delivered","messageId":N} exactly as the project's clients write it (one
// per message received, the most frequent frame), read without building a JSON document.
// Anything else, spaces or another key order included, takes the general path, which
// gives the same answer.
std::optional<MessageDelivered> quickAcknowledgement(QByteArrayView text)
{
    constexpr QByteArrayView kStart = R"({"type":"message_delivered","messageId":)";
    constexpr qsizetype kMaxDigits = 15; // below 2^53, where JSON numbers stay exact
    if (!text.startsWith(kStart) || !text.endsWith('}'))
        return std::nullopt;
    const QByteArrayView digits = text.sliced(kStart.size(), text.size() - kStart.size() - 1);
    if (digits.isEmpty() || digits.size() > kMaxDigits || digits.front() == '0')
        return std::nullopt;
    qint64 id = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        id = id * 10 + (c - '0');
    }
    return MessageDelivered{id};
}

} // namespace

ParsedClientFrame parseClientFrame(const QByteArray &text)
{
    if (const auto ack = quickAcknowledgement(text))
        return ClientFrame{*ack};
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Refusal{Error::badRequest(u"frame is not valid JSON"_s), QJsonValue::Null};
    if (!document.isObject())
        return Refusal{Error::badRequest(u"frame must be a JSON object"_s), QJsonValue::Null};
    const QJsonObject object = document.object();
    const QJsonValue typeValue = object.value("type"_L1);
    if (!typeValue.isString())
        return Refusal{Error::badRequest(u"frame has no type"_s), QJsonValue::Null};
    const QString type = typeValue.toString();

    if (type == "ping"_L1)
        return ClientFrame{Ping{}};
    if (type == "send_message"_L1) {
        // Echo the clientMessageId in any refusal, when it is a string at all.
        const QJsonValue clientId = object.value("clientMessageId"_L1);
        const QJsonValue ref = clientId.isString() ? clientId : QJsonValue(QJsonValue::Null);
        auto parsed = parseSendMessage(object);
        if (!parsed.ok())
            return Refusal{parsed.error(), ref};
        return ClientFrame{std::move(parsed).value()};
    }
    if (type == "message_delivered"_L1)
        return withMessage<MessageDelivered>(object);
    if (type == "message_read"_L1)
        return withMessage<MessageRead>(object);
    if (type == "typing_start"_L1 || type == "typing_stop"_L1) {
        const bool start = type == "typing_start"_L1;
        return withConversation<Typing>(object, [start](qint64 id) { return Typing{id, start}; });
    }
    if (type == "join_conversation"_L1)
        return withConversation<JoinConversation>(object,
                                                  [](qint64 id) { return JoinConversation{id}; });
    return Refusal{Error::badRequest(u"unknown frame type: %1"_s.arg(type.left(64))),
                   QJsonValue::Null};
}

QJsonObject toJson(const ClientFrame &frame)
{
    struct Visitor
    {
        QJsonObject operator()(const Ping &) const { return {{"type"_L1, "ping"_L1}}; }
        QJsonObject operator()(const SendMessage &f) const
        {
            QJsonObject object{{"type"_L1, "send_message"_L1}, {"content"_L1, f.content}};
            if (f.conversationId)
                object.insert("conversationId"_L1, *f.conversationId);
            if (f.recipientId)
                object.insert("recipientId"_L1, *f.recipientId);
            if (f.clientMessageId)
                object.insert("clientMessageId"_L1, *f.clientMessageId);
            if (f.replyToId)
                object.insert("replyToId"_L1, *f.replyToId);
            return object;
        }
        QJsonObject operator()(const MessageDelivered &f) const
        {
            return {{"type"_L1, "message_delivered"_L1}, {"messageId"_L1, f.messageId}};
        }
        QJsonObject operator()(const MessageRead &f) const
        {
            return {{"type"_L1, "message_read"_L1}, {"messageId"_L1, f.messageId}};
        }
        QJsonObject operator()(const Typing &f) const
        {
            return {{"type"_L1, f.isTyping ? "typing_start"_L1 : "typing_stop"_L1},
                    {"conversationId"_L1, f.conversationId}};
        }
        QJsonObject operator()(const JoinConversation &f) const
        {
            return {{"type"_L1, "join_conversation"_L1}, {"conversationId"_L1, f.conversationId}};
        }
    };
    return std::visit(Visitor{}, frame);
}

QByteArray encode(const QJsonObject &frame)
{
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

QJsonObject connected(qint64 userId, qint64 serverTimeMs)
{
    return {{"type"_L1, "connected"_L1},
            {"userId"_L1, userId},
            {"serverTime"_L1, toIsoTime(serverTimeMs)}};
}

QJsonObject pong()
{
    return {{"type"_L1, "pong"_L1}};
}

QJsonObject messageSent(const Message &message)
{
    return {{"type"_L1, "message_sent"_L1},
            {"clientMessageId"_L1, orNull(message.clientMessageId)},
            {"messageId"_L1, message.id},
            {"conversationId"_L1, message.conversationId},
            {"createdAt"_L1, toIsoTime(message.createdAt)}};
}

QJsonObject newMessage(const Message &message)
{
    return {{"type"_L1, "new_message"_L1},
            {"messageId"_L1, message.id},
            {"conversationId"_L1, message.conversationId},
            {"senderId"_L1, message.senderId},
            {"content"_L1, message.content},
            {"createdAt"_L1, toIsoTime(message.createdAt)},
            {"clientMessageId"_L1, orNull(message.clientMessageId)},
            {"replyToId"_L1, orNull(message.replyToId)}};
}

QJsonObject messageDelivered(qint64 messageId, qint64 conversationId, qint64 deliveredTo,
                             qint64 deliveredAtMs)
{
    return {{"type"_L1, "message_delivered"_L1},
            {"messageId"_L1, messageId},
            {"conversationId"_L1, conversationId},
            {"deliveredTo"_L1, deliveredTo},
            {"deliveredAt"_L1, toIsoTime(deliveredAtMs)}};
}

QByteArray encodeMessageDelivered(qint64 messageId, qint64 conversationId, qint64 deliveredTo,
                                  qint64 deliveredAtMs)
{
    // QJsonDocument writes keys in sorted order, and so does this.
    QByteArray out;
    out.reserve(128);
    out.append(R"({"conversationId":)")
        .append(QByteArray::number(conversationId))
        .append(R"(,"deliveredAt":")")
        .append(toIsoTimeLatin1(deliveredAtMs))
        .append(R"(","deliveredTo":)")
        .append(QByteArray::number(deliveredTo))
        .append(R"(,"messageId":)")
        .append(QByteArray::number(messageId))
        .append(R"(,"type":"message_delivered"})");
    return out;
}

void appendJsonString(QByteArray &out, QStringView text)
{
    static constexpr char hex[] = "0123456789abcdef";
    const auto escapeUnit = [&out](char16_t unit) {
        out.append("\\u");
        for (int shift = 12; shift >= 0; shift -= 4)
            out.append(hex[(unit >> shift) & 0xf]);
    };
    out.append('"');
    const char16_t *at = text.utf16();
    const char16_t *const end = at + text.size();
    while (at != end) {
        const char16_t unit = *at++;
        if (unit < 0x80) {
            switch (unit) {
            case u'"':
                out.append("\\\"");
                break;
            case u'\\':
                out.append("\\\\");
                break;
            case u'\b':
                out.append("\\b");
                break;
            case u'\f':
                out.append("\\f");
                break;
            case u'\n':
                out.append("\\n");
                break;
            case u'\r':
                out.append("\\r");
                break;
            case u'\t':
                out.append("\\t");
                break;
            default:
                if (unit < 0x20)
                    escapeUnit(unit);
                else
                    out.append(char(unit));
            }
        } else if (unit < 0x800) {
            out.append(char(0xc0 | (unit >> 6))).append(char(0x80 | (unit & 0x3f)));
        } else if (QChar::isHighSurrogate(unit) && at != end && QChar::isLowSurrogate(*at)) {
            const char32_t point = QChar::surrogateToUcs4(unit, *at++);
            out.append(char(0xf0 | (point >> 18)))
                .append(char(0x80 | ((point >> 12) & 0x3f)))
                .append(char(0x80 | ((point >> 6) & 0x3f)))
                .append(char(0x80 | (point & 0x3f)));
        } else if (QChar::isSurrogate(unit)) {
            escapeUnit(unit); // a lone surrogate: not UTF-8
        } else {
            out.append(char(0xe0 | (unit >> 12)))
                .append(char(0x80 | ((unit >> 6) & 0x3f)))
                .append(char(0x80 | (unit & 0x3f)));
        }
    }
    out.append('"');
}

namespace {

void appendIdOrNull(QByteArray &out, const std::optional<qint64> &id)
{
    if (id)
        out.append(QByteArray::number(*id));
    else
        out.append("null");
}

void appendTextOrNull(QByteArray &out, const std::optional<QString> &text)
{
    if (text)
        appendJsonString(out, *text);
    else
        out.append("null");
}

// ,"conversationId":N,"createdAt":"...","messageId":N: where and when a message is, in the
// key order both message frames have.
void appendPlaceAndTime(QByteArray &out, const Message &message)
{
    out.append(R"(,"conversationId":)")
        .append(QByteArray::number(message.conversationId))
        .append(R"(,"createdAt":")")
        .append(toIsoTimeLatin1(message.createdAt))
        .append(R"(","messageId":)")
        .append(QByteArray::number(message.id));
}

} // namespace

// The keys in sorted order, as QJsonDocument writes them.
QByteArray encodeNewMessage(const Message &message)
{
    QByteArray out;
    out.reserve(160 + message.content.size() * 3);
    out.append(R"({"clientMessageId":)");
    appendTextOrNull(out, message.clientMessageId);
    out.append(R"(,"content":)");
    appendJsonString(out, message.content);
    appendPlaceAndTime(out, message);
    out.append(R"(,"replyToId":)");
    appendIdOrNull(out, message.replyToId);
    out.append(R"(,"senderId":)")
        .append(QByteArray::number(message.senderId))
        .append(R"(,"type":"new_message"})");
    return out;
}

QByteArray encodeMessageSent(const Message &message)
{
    QByteArray out;
    out.reserve(160);
    out.append(R"({"clientMessageId":)");
    appendTextOrNull(out, message.clientMessageId);
    appendPlaceAndTime(out, message);
    out.append(R"(,"type":"message_sent"})");
    return out;
}

QByteArray encodeNotification(const Notification &notification)
{
    QByteArray out;
    out.reserve(200 + (notification.title.size() + notification.body.size()) * 3);
    out.append(R"({"notification":{"body":)");
    appendJsonString(out, notification.body);
    out.append(R"(,"conversationId":)");
    appendIdOrNull(out, notification.conversationId);
    out.append(R"(,"createdAt":")")
        .append(toIsoTimeLatin1(notification.createdAt))
        .append(R"(","id":)")
        .append(QByteArray::number(notification.id))
        .append(R"(,"kind":)");
    appendJsonString(out, notification.kind);
    out.append(R"(,"messageId":)");
    appendIdOrNull(out, notification.messageId);
    out.append(R"(,"title":)");
    appendJsonString(out, notification.title);
    out.append(R"(},"type":"notification"})");
    return out;
}

QJsonObject messageRead(qint64 messageId, qint64 conversationId, qint64 readBy, qint64 readAtMs)
{
    return {{"type"_L1, "message_read"_L1},
            {"messageId"_L1, messageId},
            {"conversationId"_L1, conversationId},
            {"readBy"_L1, readBy},
            {"readAt"_L1, toIsoTime(readAtMs)}};
}

QJsonObject userTyping(qint64 userId, qint64 conversationId, bool isTyping)
{
    return {{"type"_L1, "user_typing"_L1},
            {"userId"_L1, userId},
            {"conversationId"_L1, conversationId},
            {"isTyping"_L1, isTyping}};
}

QJsonObject presence(qint64 userId, const QString &username, bool online)
{
    return {{"type"_L1, online ? "user_online"_L1 : "user_offline"_L1},
            {"userId"_L1, userId},
            {"username"_L1, username}};
}

QJsonObject conversationHistory(qint64 conversationId, const QList<Message> &messages)
{
    QJsonArray list;
    for (const Message &message : messages)
        list.append(message.toJson());
    return {{"type"_L1, "conversation_history"_L1},
            {"conversationId"_L1, conversationId},
            {"messages"_L1, list}};
}

QJsonObject notification(const Notification &notification)
{
    return {{"type"_L1, "notification"_L1}, {"notification"_L1, notification.toJson()}};
}

QJsonObject error(const Error &error, const QJsonValue &ref)
{
    return {{"type"_L1, "error"_L1},
            {"code"_L1, errorCodeName(error.code)},
            {"message"_L1, error.message},
            {"ref"_L1, ref}};
}

} // namespace pitchey::frames
