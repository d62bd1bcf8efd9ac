#include "protocol/Frames.h"

#include "protocol/ServerFrames.h"

#include "protocol/Time.h"
#include "protocol/Validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

using namespace Qt::StringLiterals;

namespace pitchey::frames {

namespace {

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

// A send's or an edit's `mentions`: absent (or null) -> nullopt.
Result<std::optional<Mentions>> readMentions(const QJsonObject &object)
{
    const QJsonValue value = object.value("mentions"_L1);
    if (value.isUndefined() || value.isNull())
        return std::optional<Mentions>{};
    auto mentions = Mentions::fromJson(value);
    if (!mentions.ok())
        return mentions.error();
    return std::optional<Mentions>{mentions.value()};
}

} // namespace

namespace {

// An array of distinct positive ids (duplicates dropped, order kept); absent or null: none.
Result<QList<qint64>> readIdList(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return QList<qint64>();
    if (!value.isArray())
        return Error::badRequest(u"%1 must be an array of ids"_s.arg(key));
    QList<qint64> ids;
    for (const auto &entry : value.toArray()) {
        const qint64 id = entry.isDouble() ? entry.toInteger(-1) : -1;
        if (id <= 0 || double(id) != entry.toDouble())
            return Error::badRequest(u"%1 must be an array of ids"_s.arg(key));
        if (!ids.contains(id))
            ids.append(id);
    }
    return ids;
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
    const auto threadRootId = readId(object, "threadRootId"_L1);
    if (!threadRootId.ok())
        return threadRootId.error();
    const auto clientMessageId = readString(object, "clientMessageId"_L1);
    if (!clientMessageId.ok())
        return clientMessageId.error();
    const auto content = readRequiredString(object, "content"_L1);
    if (!content.ok())
        return content.error();
    const auto mentions = readMentions(object);
    if (!mentions.ok())
        return mentions.error();
    const auto attachmentIds = readIdList(object, "attachmentIds"_L1);
    if (!attachmentIds.ok())
        return attachmentIds.error();

    frame.mentions = mentions.value().value_or(Mentions{});
    frame.attachmentIds = attachmentIds.value();
    frame.conversationId = conversationId.value();
    frame.recipientId = recipientId.value();
    frame.replyToId = replyToId.value();
    frame.threadRootId = threadRootId.value();
    frame.clientMessageId = clientMessageId.value();
    frame.content = content.value();

    if (frame.conversationId.has_value() == frame.recipientId.has_value())
        return Error::badRequest(u"give exactly one of conversationId and recipientId"_s);
    if (frame.clientMessageId &&
        (frame.clientMessageId->isEmpty() ||
         codePointCount(*frame.clientMessageId) > kMaxClientMessageIdLength))
        return Error::badRequest(
            u"clientMessageId must be 1 to %1 characters long"_s.arg(kMaxClientMessageIdLength));
    if (auto invalid = validateContent(frame.content, !frame.attachmentIds.isEmpty()))
        return *invalid;
    return frame;
}

namespace {

// A change's clientRequestId: absent, or 1 to kMaxClientMessageIdLength characters.
Result<std::optional<QString>> readRequestId(const QJsonObject &object)
{
    const auto requestId = readString(object, "clientRequestId"_L1);
    if (!requestId.ok())
        return requestId.error();
    if (requestId.value() && (requestId.value()->isEmpty() ||
                              codePointCount(*requestId.value()) > kMaxClientMessageIdLength))
        return Error::badRequest(
            u"clientRequestId must be 1 to %1 characters long"_s.arg(kMaxClientMessageIdLength));
    return requestId.value();
}

Result<DeleteMessage> parseDeleteMessage(const QJsonObject &object)
{
    const auto id = readRequiredId(object, "messageId"_L1);
    if (!id.ok())
        return id.error();
    const auto requestId = readRequestId(object);
    if (!requestId.ok())
        return requestId.error();
    return DeleteMessage{id.value(), requestId.value()};
}

Result<React> parseReact(const QJsonObject &object)
{
    const auto id = readRequiredId(object, "messageId"_L1);
    if (!id.ok())
        return id.error();
    const auto emoji = readRequiredString(object, "emoji"_L1);
    if (!emoji.ok())
        return emoji.error();
    if (auto invalid = validateEmoji(emoji.value()))
        return *invalid;
    const QJsonValue on = object.value("on"_L1);
    if (!on.isBool())
        return Error::badRequest(u"on must be true or false"_s);
    const auto requestId = readRequestId(object);
    if (!requestId.ok())
        return requestId.error();
    return React{id.value(), emoji.value(), on.toBool(), requestId.value()};
}

// What a refusal of this frame echoes as `ref`: its id under `key`, when a string at all.
QJsonValue refIn(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue id = object.value(key);
    return id.isString() ? id : QJsonValue(QJsonValue::Null);
}

template<typename Frame> ParsedClientFrame parsedOrRefused(Result<Frame> parsed, QJsonValue ref)
{
    if (!parsed.ok())
        return Refusal{parsed.error(), std::move(ref)};
    return ClientFrame{std::move(parsed).value()};
}

} // namespace

Result<EditMessage> parseEditMessage(const QJsonObject &object, std::optional<qint64> messageId)
{
    EditMessage edit;
    if (messageId) {
        edit.messageId = *messageId;
    } else {
        const auto id = readRequiredId(object, "messageId"_L1);
        if (!id.ok())
            return id.error();
        edit.messageId = id.value();
    }
    const auto content = readRequiredString(object, "content"_L1);
    if (!content.ok())
        return content.error();
    const auto version = readId(object, "version"_L1);
    if (!version.ok())
        return version.error();
    const auto requestId = readRequestId(object);
    if (!requestId.ok())
        return requestId.error();
    const auto mentions = readMentions(object);
    if (!mentions.ok())
        return mentions.error();
    edit.mentions = mentions.value();
    edit.content = content.value();
    edit.version = version.value();
    edit.clientRequestId = requestId.value();
    // Empty content: only for a message with attachments, which the server knows.
    if (auto invalid = validateContent(edit.content, true))
        return *invalid;
    return edit;
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

QJsonValue refOf(const ParsedClientFrame &frame)
{
    if (const auto *refusal = std::get_if<Refusal>(&frame))
        return refusal->ref;
    const ClientFrame &client = std::get<ClientFrame>(frame);
    if (const auto *send = std::get_if<SendMessage>(&client); send && send->clientMessageId)
        return *send->clientMessageId;
    if (const auto *edit = std::get_if<EditMessage>(&client); edit && edit->clientRequestId)
        return *edit->clientRequestId;
    if (const auto *remove = std::get_if<DeleteMessage>(&client); remove && remove->clientRequestId)
        return *remove->clientRequestId;
    if (const auto *react = std::get_if<React>(&client); react && react->clientRequestId)
        return *react->clientRequestId;
    return QJsonValue::Null;
}

ParsedClientFrame parseClientFrame(const QByteArray &text)
{
    if (const auto ack = quickAcknowledgement(text))
        return ClientFrame{*ack};
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError || hasRawControlInString(text))
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
    if (type == "send_message"_L1)
        return parsedOrRefused(parseSendMessage(object), refIn(object, "clientMessageId"_L1));
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
    if (type == "edit_message"_L1)
        return parsedOrRefused(parseEditMessage(object), refIn(object, "clientRequestId"_L1));
    if (type == "delete_message"_L1)
        return parsedOrRefused(parseDeleteMessage(object), refIn(object, "clientRequestId"_L1));
    if (type == "react"_L1)
        return parsedOrRefused(parseReact(object), refIn(object, "clientRequestId"_L1));
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
            if (f.threadRootId)
                object.insert("threadRootId"_L1, *f.threadRootId);
            if (!f.mentions.isEmpty())
                object.insert("mentions"_L1, f.mentions.toJson());
            if (!f.attachmentIds.isEmpty()) {
                QJsonArray ids;
                for (const qint64 id : f.attachmentIds)
                    ids.append(id);
                object.insert("attachmentIds"_L1, ids);
            }
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
        QJsonObject operator()(const EditMessage &f) const
        {
            QJsonObject object{{"type"_L1, "edit_message"_L1},
                               {"messageId"_L1, f.messageId},
                               {"content"_L1, f.content}};
            if (f.version)
                object.insert("version"_L1, *f.version);
            if (f.clientRequestId)
                object.insert("clientRequestId"_L1, *f.clientRequestId);
            if (f.mentions)
                object.insert("mentions"_L1, f.mentions->toJson());
            return object;
        }
        QJsonObject operator()(const DeleteMessage &f) const
        {
            QJsonObject object{{"type"_L1, "delete_message"_L1}, {"messageId"_L1, f.messageId}};
            if (f.clientRequestId)
                object.insert("clientRequestId"_L1, *f.clientRequestId);
            return object;
        }
        QJsonObject operator()(const React &f) const
        {
            QJsonObject object{{"type"_L1, "react"_L1},
                               {"messageId"_L1, f.messageId},
                               {"emoji"_L1, f.emoji},
                               {"on"_L1, f.on}};
            if (f.clientRequestId)
                object.insert("clientRequestId"_L1, *f.clientRequestId);
            return object;
        }
    };
    return std::visit(Visitor{}, frame);
}

QByteArray encode(const QJsonObject &frame)
{
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

QJsonObject connected(qint64 userId, qint64 serverTimeMs, qint64 latestChangeId)
{
    return server::toJson(server::Connected{userId, serverTimeMs, latestChangeId});
}

QJsonObject pong()
{
    return server::toJson(server::Pong{});
}

QJsonObject messageSent(const Message &message)
{
    return server::toJson(server::MessageSent{message.clientMessageId, message.id,
                                              message.conversationId, message.createdAt});
}

QJsonObject newMessage(const Message &message)
{
    return server::toJson(server::NewMessage{message});
}

QJsonObject messageDelivered(qint64 messageId, qint64 conversationId, qint64 deliveredTo,
                             qint64 deliveredAtMs)
{
    return server::toJson(
        server::MessageDelivered{messageId, conversationId, deliveredTo, deliveredAtMs});
}

namespace {

// The letter of JSON's two-character escape for `unit` (n for a newline), or 0.
char shortEscape(char16_t unit)
{
    switch (unit) {
    case u'"':
        return '"';
    case u'\\':
        return '\\';
    case u'\b':
        return 'b';
    case u'\f':
        return 'f';
    case u'\n':
        return 'n';
    case u'\r':
        return 'r';
    case u'\t':
        return 't';
    default:
        return 0;
    }
}

// The bytes appendJsonString() writes for `text`, quotes included.
qsizetype jsonStringSize(QStringView text)
{
    qsizetype size = 2;
    const char16_t *at = text.utf16();
    const char16_t *const end = at + text.size();
    while (at != end) {
        const char16_t unit = *at++;
        if (unit < 0x80) {
            size += shortEscape(unit) ? 2 : unit < 0x20 ? 6 : 1;
        } else if (unit < 0x800) {
            size += 2;
        } else if (QChar::isHighSurrogate(unit) && at != end && QChar::isLowSurrogate(*at)) {
            ++at;
            size += 4;
        } else {
            size += QChar::isSurrogate(unit) ? 6 : 3; // a lone surrogate is escaped
        }
    }
    return size;
}

// Writes exactly jsonStringSize(text) bytes at `out`; returns where they end.
char *writeJsonString(char *out, QStringView text)
{
    static constexpr char hex[] = "0123456789abcdef";
    const auto escapeUnit = [&out](char16_t unit) {
        *out++ = '\\';
        *out++ = 'u';
        for (int shift = 12; shift >= 0; shift -= 4)
            *out++ = hex[(unit >> shift) & 0xf];
    };
    const auto escape = [&out](char letter) {
        *out++ = '\\';
        *out++ = letter;
    };
    *out++ = '"';
    const char16_t *at = text.utf16();
    const char16_t *const end = at + text.size();
    while (at != end) {
        const char16_t unit = *at++;
        if (unit < 0x80) {
            if (const char letter = shortEscape(unit))
                escape(letter);
            else if (unit < 0x20)
                escapeUnit(unit);
            else
                *out++ = char(unit);
        } else if (unit < 0x800) {
            *out++ = char(0xc0 | (unit >> 6));
            *out++ = char(0x80 | (unit & 0x3f));
        } else if (QChar::isHighSurrogate(unit) && at != end && QChar::isLowSurrogate(*at)) {
            const char32_t point = QChar::surrogateToUcs4(unit, *at++);
            *out++ = char(0xf0 | (point >> 18));
            *out++ = char(0x80 | ((point >> 12) & 0x3f));
            *out++ = char(0x80 | ((point >> 6) & 0x3f));
            *out++ = char(0x80 | (point & 0x3f));
        } else if (QChar::isSurrogate(unit)) {
            escapeUnit(unit); // a lone surrogate: not UTF-8
        } else {
            *out++ = char(0xe0 | (unit >> 12));
            *out++ = char(0x80 | ((unit >> 6) & 0x3f));
            *out++ = char(0x80 | (unit & 0x3f));
        }
    }
    *out++ = '"';
    return out;
}

// A frame written into one allocation through a pointer: the caller gives the size of its
// fixed parts (names, punctuation, numbers, times) and adds each string's with
// reserveString() before writing anything.
class FrameWriter
{
public:
    explicit FrameWriter(qsizetype fixedPart)
        : m_bound(fixedPart)
    {}
    FrameWriter &reserveString(QStringView text)
    {
        m_bound += jsonStringSize(text);
        return *this;
    }
    FrameWriter &reserveTextOrNull(const std::optional<QString> &text)
    {
        return text ? reserveString(*text) : *this;
    }

    FrameWriter &raw(std::string_view text)
    {
        std::memcpy(at(qsizetype(text.size())), text.data(), text.size());
        m_used += qsizetype(text.size());
        return *this;
    }
    FrameWriter &number(qint64 value)
    {
        char *start = at(kNumberBound);
        m_used += std::to_chars(start, start + kNumberBound, value).ptr - start;
        return *this;
    }
    FrameWriter &idOrNull(const std::optional<qint64> &id)
    {
        return id ? number(*id) : raw("null");
    }
    FrameWriter &time(qint64 msecsSinceEpoch)
    {
        const QByteArray text = toIsoTimeLatin1(msecsSinceEpoch);
        return raw({text.constData(), size_t(text.size())});
    }
    FrameWriter &string(QStringView text)
    {
        char *start = at(jsonStringSize(text));
        m_used += writeJsonString(start, text) - start;
        return *this;
    }
    FrameWriter &textOrNull(const std::optional<QString> &text)
    {
        return text ? string(*text) : raw("null");
    }
    QByteArray take()
    {
        m_out.truncate(m_used);
        return std::move(m_out);
    }

private:
    static constexpr qsizetype kNumberBound = 20; // -9223372036854775808
    // Room for `size` more bytes: the one allocation, made at the first write (a wrong
    // bound only costs a reallocation).
    char *at(qsizetype size)
    {
        if (m_out.isNull())
            m_out.resize(std::max(m_bound, size));
        if (m_used + size > m_out.size())
            m_out.resize(std::max(m_out.size() * 2, m_used + size));
        return m_out.data() + m_used;
    }

    qsizetype m_bound;
    qsizetype m_used = 0;
    QByteArray m_out;
};

} // namespace

void appendJsonString(QByteArray &out, QStringView text)
{
    const qsizetype start = out.size();
    out.resize(start + jsonStringSize(text));
    [[maybe_unused]] const char *end = writeJsonString(out.data() + start, text);
    Q_ASSERT(end == out.constData() + out.size());
}

QByteArray encodeMessageDelivered(qint64 messageId, qint64 conversationId, qint64 deliveredTo,
                                  qint64 deliveredAtMs)
{
    // QJsonDocument writes keys in sorted order, and so does this.
    FrameWriter out(180);
    out.raw(R"({"conversationId":)")
        .number(conversationId)
        .raw(R"(,"deliveredAt":")")
        .time(deliveredAtMs)
        .raw(R"(","deliveredTo":)")
        .number(deliveredTo)
        .raw(R"(,"messageId":)")
        .number(messageId)
        .raw(R"(,"type":"message_delivered"})");
    return out.take();
}

namespace {

// ,"conversationId":N,"createdAt":"...","messageId":N: where and when a message is, in the
// key order both message frames have.
constexpr qsizetype kPlaceAndTimeSize = 112; // names, two numbers, a time
void writePlaceAndTime(FrameWriter &out, const Message &message)
{
    out.raw(R"(,"conversationId":)")
        .number(message.conversationId)
        .raw(R"(,"createdAt":")")
        .time(message.createdAt)
        .raw(R"(","messageId":)")
        .number(message.id);
}

} // namespace

// The keys in sorted order, as QJsonDocument writes them.
QByteArray encodeNewMessage(const Message &message)
{
    // An old message pushed late, or one with files: rarer, the general path.
    if (!message.reactions.isEmpty() || message.thread || !message.attachments.isEmpty())
        return encode(newMessage(message));
    constexpr qsizetype kIdBound = 22; // digits and a comma
    FrameWriter out(kPlaceAndTimeSize + 400 + kIdBound * message.mentions.userIds.size());
    out.reserveTextOrNull(message.clientMessageId)
        .reserveString(message.content)
        .reserveString(message.kind);
    if (message.replyTo) // its names and numbers, and its excerpt
        out.reserveString(u"attachmentCount deleted false excerpt id senderId 12345678901234567890")
            .reserveString(message.replyTo->excerpt);
    out.raw(R"({"attachments":[],"changeId":)").number(message.changeId);
    out.raw(R"(,"clientMessageId":)").textOrNull(message.clientMessageId);
    out.raw(R"(,"content":)").string(message.content);
    out.raw(R"(,"conversationId":)").number(message.conversationId);
    out.raw(R"(,"createdAt":")").time(message.createdAt).raw(R"(","deletedAt":)");
    if (message.deletedAt)
        out.raw(R"(")").time(*message.deletedAt).raw(R"(")");
    else
        out.raw("null");
    out.raw(R"(,"editedAt":)");
    if (message.editedAt)
        out.raw(R"(")").time(*message.editedAt).raw(R"(")");
    else
        out.raw("null");
    out.raw(R"(,"event":null,"kind":)").string(message.kind);
    out.raw(R"(,"mentions":{"all":)").raw(message.mentions.all ? "true" : "false");
    out.raw(R"(,"userIds":[)");
    for (qsizetype i = 0; i < message.mentions.userIds.size(); ++i)
        out.raw(i == 0 ? "" : ",").number(message.mentions.userIds.at(i));
    out.raw(R"(]},"messageId":)").number(message.id);
    out.raw(R"(,"reactions":[],"replyTo":)");
    if (const auto &reply = message.replyTo) {
        out.raw(R"({"attachmentCount":)")
            .number(reply->attachmentCount)
            .raw(reply->deleted ? R"(,"deleted":true,"excerpt":)"
                                : R"(,"deleted":false,"excerpt":)")
            .string(reply->excerpt)
            .raw(R"(,"id":)")
            .number(reply->id)
            .raw(R"(,"senderId":)")
            .number(reply->senderId)
            .raw("}");
    } else {
        out.raw("null");
    }
    out.raw(R"(,"replyToId":)")
        .idOrNull(message.replyToId)
        .raw(R"(,"senderId":)")
        .number(message.senderId)
        .raw(R"(,"thread":null,"threadRootId":)")
        .idOrNull(message.threadRootId)
        .raw(R"(,"type":"new_message","version":)")
        .number(message.version)
        .raw("}");
    return out.take();
}

QByteArray encodeMessageSent(const Message &message)
{
    FrameWriter out(kPlaceAndTimeSize + 60);
    out.reserveTextOrNull(message.clientMessageId);
    out.raw(R"({"clientMessageId":)").textOrNull(message.clientMessageId);
    writePlaceAndTime(out, message);
    out.raw(R"(,"type":"message_sent"})");
    return out.take();
}

QByteArray encodeNotification(const Notification &notification)
{
    FrameWriter out(220);
    out.reserveString(notification.body)
        .reserveString(notification.kind)
        .reserveString(notification.title);
    out.raw(R"({"notification":{"body":)")
        .string(notification.body)
        .raw(R"(,"conversationId":)")
        .idOrNull(notification.conversationId)
        .raw(R"(,"createdAt":")")
        .time(notification.createdAt)
        .raw(R"(","id":)")
        .number(notification.id)
        .raw(R"(,"kind":)")
        .string(notification.kind)
        .raw(R"(,"messageId":)")
        .idOrNull(notification.messageId)
        .raw(R"(,"title":)")
        .string(notification.title)
        .raw(R"(},"type":"notification"})");
    return out.take();
}

QJsonObject messageRead(qint64 messageId, qint64 conversationId, qint64 readBy, qint64 readAtMs)
{
    return server::toJson(server::MessageRead{messageId, conversationId, readBy, readAtMs});
}

QJsonObject userTyping(qint64 userId, qint64 conversationId, bool isTyping)
{
    return server::toJson(server::UserTyping{userId, conversationId, isTyping});
}

QJsonObject presence(qint64 userId, const QString &username, bool online)
{
    return server::toJson(server::Presence{userId, username, online});
}

QJsonObject conversationHistory(qint64 conversationId, const QList<Message> &messages)
{
    return server::toJson(server::ConversationHistory{conversationId, messages});
}

QJsonObject notification(const Notification &notification)
{
    return server::toJson(server::NotificationArrived{notification});
}

QJsonObject error(const Error &error, const QJsonValue &ref)
{
    return server::toJson(server::Refused{error, ref});
}

} // namespace pitchey::frames
