#pragma once

#include "protocol/Types.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>

#include <optional>
#include <variant>

namespace pitchey::frames {

inline constexpr qsizetype kMaxFrameBytes = 64 * 1024;

// ---- Client to server -------------------------------------------------------------------

struct Ping
{
    friend bool operator==(const Ping &, const Ping &) = default;
};

struct SendMessage
{
    std::optional<qint64> conversationId;
    std::optional<qint64> recipientId;
    QString content;
    std::optional<QString> clientMessageId;
    std::optional<qint64> replyToId;
    std::optional<qint64> threadRootId; // version 2: a reply in that thread
    Mentions mentions;                  // version 2
    QList<qint64> attachmentIds;        // version 2: the sender's uploads, distinct, in order
    friend bool operator==(const SendMessage &, const SendMessage &) = default;
};

struct MessageDelivered
{
    qint64 messageId = 0;
    friend bool operator==(const MessageDelivered &, const MessageDelivered &) = default;
};

struct MessageRead
{
    qint64 messageId = 0;
    friend bool operator==(const MessageRead &, const MessageRead &) = default;
};

struct Typing
{
    qint64 conversationId = 0;
    bool isTyping = false; // typing_start or typing_stop
    friend bool operator==(const Typing &, const Typing &) = default;
};

struct JoinConversation
{
    qint64 conversationId = 0;
    friend bool operator==(const JoinConversation &, const JoinConversation &) = default;
};

// Version 2: edit_message (also PATCH /api/messages/{id}, without messageId and
// clientRequestId). `version`: the one the editor saw, refused with conflict when stale.
struct EditMessage
{
    qint64 messageId = 0;
    QString content;
    std::optional<qint64> version;
    std::optional<QString> clientRequestId;
    std::optional<Mentions> mentions; // absent: the message's mentions stay as they are
    friend bool operator==(const EditMessage &, const EditMessage &) = default;
};

// Version 2: delete_message (also DELETE /api/messages/{id}).
struct DeleteMessage
{
    qint64 messageId = 0;
    std::optional<QString> clientRequestId;
    friend bool operator==(const DeleteMessage &, const DeleteMessage &) = default;
};

// Version 2: react (also PUT/DELETE /api/messages/{id}/reactions/{emoji}): `on` adds the
// caller's reaction with `emoji`, otherwise takes it back. The emoji is validated
// (validateEmoji) when parsed.
struct React
{
    qint64 messageId = 0;
    QString emoji;
    bool on = true;
    std::optional<QString> clientRequestId;
    friend bool operator==(const React &, const React &) = default;
};

using ClientFrame = std::variant<Ping, SendMessage, MessageDelivered, MessageRead, Typing,
                                 JoinConversation, EditMessage, DeleteMessage, React>;

// A refused frame: the error to answer with and the `ref` to echo (its clientMessageId, or null).
struct Refusal
{
    Error error;
    QJsonValue ref;
};

using ParsedClientFrame = std::variant<ClientFrame, Refusal>;
// Pure: the server calls it on the I/O thread that read the frame.
[[nodiscard]] ParsedClientFrame parseClientFrame(const QByteArray &text);
// What an error answering this frame echoes as `ref`: a send_message's clientMessageId, or
// the ref a refused frame carried; null when none.
[[nodiscard]] QJsonValue refOf(const ParsedClientFrame &frame);
[[nodiscard]] QJsonObject toJson(const ClientFrame &frame);

// Validation shared by the WebSocket frame and the HTTP body of a send.
[[nodiscard]] Result<SendMessage> parseSendMessage(const QJsonObject &object);
// The same for an edit; `messageId` from the HTTP path (the frame carries its own).
[[nodiscard]] Result<EditMessage> parseEditMessage(const QJsonObject &object,
                                                   std::optional<qint64> messageId = {});

// ---- Server to client -------------------------------------------------------------------

[[nodiscard]] QByteArray encode(const QJsonObject &frame);

[[nodiscard]] QJsonObject connected(qint64 userId, qint64 serverTimeMs, qint64 latestChangeId);
[[nodiscard]] QJsonObject pong();
[[nodiscard]] QJsonObject messageSent(const Message &message);
[[nodiscard]] QJsonObject newMessage(const Message &message);
[[nodiscard]] QJsonObject messageDelivered(qint64 messageId, qint64 conversationId,
                                           qint64 deliveredTo, qint64 deliveredAtMs);
// encode(messageDelivered(...)), byte for byte, written directly: a group's every member
// sends one receipt per message, so this is the server's most frequent frame after
// new_message.
[[nodiscard]] QByteArray encodeMessageDelivered(qint64 messageId, qint64 conversationId,
                                                qint64 deliveredTo, qint64 deliveredAtMs);
// encode(newMessage(m)), encode(messageSent(m)) and encode(notification(n)), byte for
// byte, written directly: the three frames of every stored message.
[[nodiscard]] QByteArray encodeNewMessage(const Message &message);
[[nodiscard]] QByteArray encodeMessageSent(const Message &message);
[[nodiscard]] QByteArray encodeNotification(const Notification &notification);
// A JSON string (quotes included) as QJsonDocument writes it: UTF-8, `"`, `\` and control
// characters escaped, a lone surrogate as \uXXXX.
void appendJsonString(QByteArray &out, QStringView text);
[[nodiscard]] QJsonObject messageRead(qint64 messageId, qint64 conversationId, qint64 readBy,
                                      qint64 readAtMs);
[[nodiscard]] QJsonObject userTyping(qint64 userId, qint64 conversationId, bool isTyping);
[[nodiscard]] QJsonObject presence(qint64 userId, const QString &username, bool online);
[[nodiscard]] QJsonObject conversationHistory(qint64 conversationId,
                                              const QList<Message> &messages);
[[nodiscard]] QJsonObject notification(const Notification &notification);
[[nodiscard]] QJsonObject error(const Error &error, const QJsonValue &ref = QJsonValue::Null);

} // namespace pitchey::frames
