#include "protocol/ServerFrames.h"

#include "protocol/Time.h"
#include "protocol/Validation.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace pitchey::frames::server {

namespace {

QJsonValue orNull(const std::optional<QString> &text)
{
    return text ? QJsonValue(*text) : QJsonValue(QJsonValue::Null);
}

struct Writer
{
    QJsonObject operator()(const Connected &f) const
    {
        return {{"type"_L1, "connected"_L1},
                {"userId"_L1, f.userId},
                {"serverTime"_L1, toIsoTime(f.serverTime)},
                {"latestChangeId"_L1, f.latestChangeId}};
    }
    QJsonObject operator()(const Pong &) const { return {{"type"_L1, "pong"_L1}}; }
    QJsonObject operator()(const MessageSent &f) const
    {
        return {{"type"_L1, "message_sent"_L1},
                {"clientMessageId"_L1, orNull(f.clientMessageId)},
                {"messageId"_L1, f.messageId},
                {"conversationId"_L1, f.conversationId},
                {"createdAt"_L1, toIsoTime(f.createdAt)}};
    }
    QJsonObject operator()(const NewMessage &f) const
    {
        const Message &m = f.message;
        QJsonObject frame{{"type"_L1, "new_message"_L1},
                          {"messageId"_L1, m.id},
                          {"conversationId"_L1, m.conversationId},
                          {"senderId"_L1, m.senderId},
                          {"content"_L1, m.content},
                          {"createdAt"_L1, toIsoTime(m.createdAt)},
                          {"editedAt"_L1, m.editedAt ? QJsonValue(toIsoTime(*m.editedAt))
                                                     : QJsonValue(QJsonValue::Null)},
                          {"clientMessageId"_L1, orNull(m.clientMessageId)},
                          {"replyToId"_L1, m.replyToId ? QJsonValue(*m.replyToId) : QJsonValue()}};
        m.addVersion2Fields(frame);
        return frame;
    }
    QJsonObject operator()(const MessageDelivered &f) const
    {
        return {{"type"_L1, "message_delivered"_L1},
                {"messageId"_L1, f.messageId},
                {"conversationId"_L1, f.conversationId},
                {"deliveredTo"_L1, f.deliveredTo},
                {"deliveredAt"_L1, toIsoTime(f.deliveredAt)}};
    }
    QJsonObject operator()(const MessageRead &f) const
    {
        return {{"type"_L1, "message_read"_L1},
                {"messageId"_L1, f.messageId},
                {"conversationId"_L1, f.conversationId},
                {"readBy"_L1, f.readBy},
                {"readAt"_L1, toIsoTime(f.readAt)}};
    }
    QJsonObject operator()(const UserTyping &f) const
    {
        return {{"type"_L1, "user_typing"_L1},
                {"userId"_L1, f.userId},
                {"conversationId"_L1, f.conversationId},
                {"isTyping"_L1, f.isTyping}};
    }
    QJsonObject operator()(const Presence &f) const
    {
        return {{"type"_L1, f.online ? "user_online"_L1 : "user_offline"_L1},
                {"userId"_L1, f.userId},
                {"username"_L1, f.username}};
    }
    QJsonObject operator()(const ConversationHistory &f) const
    {
        QJsonArray list;
        for (const Message &message : f.messages)
            list.append(message.toJson());
        return {{"type"_L1, "conversation_history"_L1},
                {"conversationId"_L1, f.conversationId},
                {"messages"_L1, list}};
    }
    QJsonObject operator()(const NotificationArrived &f) const
    {
        return {{"type"_L1, "notification"_L1}, {"notification"_L1, f.notification.toJson()}};
    }
    QJsonObject operator()(const Refused &f) const
    {
        QJsonObject frame = f.error.toJson();
        frame.insert("type"_L1, "error"_L1);
        frame.insert("ref"_L1, f.ref);
        return frame;
    }
    QJsonObject operator()(const NotificationRevoked &f) const
    {
        QJsonArray ids;
        for (const qint64 id : f.ids)
            ids.append(id);
        return {{"type"_L1, "notification_revoked"_L1}, {"ids"_L1, ids}};
    }
    QJsonObject operator()(const ConversationUpdated &f) const
    {
        return {{"type"_L1, "conversation_updated"_L1},
                {"conversation"_L1, f.conversation.toJson()}};
    }
    QJsonObject operator()(const MessageUpdated &f) const
    {
        return {{"type"_L1, "message_updated"_L1},
                {"change"_L1, f.change},
                {"message"_L1, f.message.toJson()},
                {"changeId"_L1, f.message.changeId},
                {"ref"_L1, f.ref}};
    }
};

// Reads fields of one frame, keeping the first error.
class Fields
{
public:
    explicit Fields(const QJsonObject &object)
        : m_object(object)
    {}

    qint64 id(QLatin1StringView key) { return take(readRequiredId(m_object, key), qint64(0)); }
    QString string(QLatin1StringView key) { return take(readRequiredString(m_object, key), {}); }
    std::optional<QString> optionalString(QLatin1StringView key)
    {
        return take(readString(m_object, key), std::optional<QString>());
    }
    qint64 time(QLatin1StringView key)
    {
        const auto parsed = fromIsoTime(m_object.value(key).toString());
        if (!parsed)
            fail(Error::badRequest(u"%1 must be an ISO 8601 time"_s.arg(key)));
        return parsed.value_or(0);
    }
    bool boolean(QLatin1StringView key)
    {
        if (!m_object.value(key).isBool())
            fail(Error::badRequest(u"%1 must be true or false"_s.arg(key)));
        return m_object.value(key).toBool();
    }
    QJsonObject object(QLatin1StringView key)
    {
        if (!m_object.value(key).isObject())
            fail(Error::badRequest(u"%1 must be an object"_s.arg(key)));
        return m_object.value(key).toObject();
    }
    template<typename T> T take(const Result<T> &result, T fallback)
    {
        if (result.ok())
            return result.value();
        fail(result.error());
        return fallback;
    }
    void fail(const Error &error)
    {
        if (!m_error)
            m_error = error;
    }
    Result<ServerFrame> frame(ServerFrame frame) const
    {
        if (m_error)
            return *m_error;
        return frame;
    }

private:
    const QJsonObject &m_object;
    std::optional<Error> m_error;
};

Result<ServerFrame> parseHistory(const QJsonObject &object)
{
    Fields fields(object);
    ConversationHistory history{fields.id("conversationId"_L1), {}};
    if (!object.value("messages"_L1).isArray())
        fields.fail(Error::badRequest(u"messages must be an array"_s));
    for (const auto &entry : object.value("messages"_L1).toArray())
        history.messages.append(fields.take(Message::fromJson(entry.toObject()), Message()));
    return fields.frame(history);
}

Result<ServerFrame> parseRefused(const QJsonObject &object)
{
    Fields fields(object);
    const QString code = fields.string("code"_L1);
    const QString message = fields.string("message"_L1);
    // A code this client does not know yet reads as internal: still an error.
    const ErrorCode known = errorCodeFromName(code).value_or(ErrorCode::Internal);
    QJsonObject details = object;
    for (const auto key : {"type"_L1, "code"_L1, "message"_L1, "ref"_L1})
        details.remove(key);
    return fields.frame(Refused{{known, message, details}, object.value("ref"_L1)});
}

Result<ServerFrame> parseMessageUpdated(const QJsonObject &object)
{
    Fields fields(object);
    const QString change = fields.string("change"_L1);
    Message message = fields.take(Message::fromJson(fields.object("message"_L1)), Message());
    return fields.frame(MessageUpdated{change, std::move(message), object.value("ref"_L1)});
}

} // namespace

QJsonObject toJson(const ServerFrame &frame)
{
    return std::visit(Writer{}, frame);
}

Result<ServerFrame> parse(const QJsonObject &object)
{
    const QString type = object.value("type"_L1).toString();
    Fields f(object);
    if (type == "connected"_L1)
        return f.frame(Connected{f.id("userId"_L1), f.time("serverTime"_L1),
                                 object.value("latestChangeId"_L1).toInteger()});
    if (type == "pong"_L1)
        return ServerFrame(Pong{});
    if (type == "message_sent"_L1)
        return f.frame(MessageSent{f.optionalString("clientMessageId"_L1), f.id("messageId"_L1),
                                   f.id("conversationId"_L1), f.time("createdAt"_L1)});
    if (type == "new_message"_L1)
        return f.frame(NewMessage{f.take(Message::fromJson(object), Message())});
    if (type == "message_delivered"_L1)
        return f.frame(MessageDelivered{f.id("messageId"_L1), f.id("conversationId"_L1),
                                        f.id("deliveredTo"_L1), f.time("deliveredAt"_L1)});
    if (type == "message_read"_L1)
        return f.frame(MessageRead{f.id("messageId"_L1), f.id("conversationId"_L1),
                                   f.id("readBy"_L1), f.time("readAt"_L1)});
    if (type == "user_typing"_L1)
        return f.frame(
            UserTyping{f.id("userId"_L1), f.id("conversationId"_L1), f.boolean("isTyping"_L1)});
    if (type == "user_online"_L1 || type == "user_offline"_L1)
        return f.frame(
            Presence{f.id("userId"_L1), f.string("username"_L1), type == "user_online"_L1});
    if (type == "conversation_history"_L1)
        return parseHistory(object);
    if (type == "notification"_L1)
        return f.frame(NotificationArrived{
            f.take(Notification::fromJson(f.object("notification"_L1)), Notification())});
    if (type == "error"_L1)
        return parseRefused(object);
    if (type == "message_updated"_L1)
        return parseMessageUpdated(object);
    if (type == "notification_revoked"_L1) {
        NotificationRevoked revoked;
        for (const auto &id : object.value("ids"_L1).toArray()) {
            if (!id.isDouble() || id.toInteger() <= 0)
                return Error::badRequest(u"ids must be notification ids"_s);
            revoked.ids.append(id.toInteger());
        }
        return ServerFrame(revoked);
    }
    if (type == "conversation_updated"_L1)
        return f.frame(ConversationUpdated{
            f.take(Conversation::fromJson(f.object("conversation"_L1)), Conversation())});
    return Error::badRequest(u"unknown frame type: %1"_s.arg(type.left(64)));
}

Result<ServerFrame> parse(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Error::badRequest(u"a frame must be a JSON object"_s);
    return parse(document.object());
}

} // namespace pitchey::frames::server
