#pragma once

#include "protocol/ErrorCode.h"
#include "protocol/Types.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>

#include <optional>
#include <variant>

// The frames the server sends over the WebSocket, as types: the server writes them with
// toJson(), a client reads them with parse(). (Frames.h has the client's frames, and the
// server's hot-path writers that produce the same bytes without a QJsonObject.)
namespace pitchey::frames::server {

struct Connected
{
    qint64 userId = 0;
    qint64 serverTime = 0;     // ms since the epoch
    qint64 latestChangeId = 0; // version 2: the change feed's position when connected
    friend bool operator==(const Connected &, const Connected &) = default;
};

struct Pong
{
    friend bool operator==(const Pong &, const Pong &) = default;
};

// The sender's acknowledgement of a send_message.
struct MessageSent
{
    std::optional<QString> clientMessageId;
    qint64 messageId = 0;
    qint64 conversationId = 0;
    qint64 createdAt = 0;
    friend bool operator==(const MessageSent &, const MessageSent &) = default;
};

struct NewMessage
{
    Message message; // editedAt is not on this frame
    friend bool operator==(const NewMessage &, const NewMessage &) = default;
};

struct MessageDelivered
{
    qint64 messageId = 0;
    qint64 conversationId = 0;
    qint64 deliveredTo = 0;
    qint64 deliveredAt = 0;
    friend bool operator==(const MessageDelivered &, const MessageDelivered &) = default;
};

struct MessageRead
{
    qint64 messageId = 0;
    qint64 conversationId = 0;
    qint64 readBy = 0;
    qint64 readAt = 0;
    friend bool operator==(const MessageRead &, const MessageRead &) = default;
};

struct UserTyping
{
    qint64 userId = 0;
    qint64 conversationId = 0;
    bool isTyping = false;
    friend bool operator==(const UserTyping &, const UserTyping &) = default;
};

// user_online or user_offline.
struct Presence
{
    qint64 userId = 0;
    QString username;
    bool online = false;
    friend bool operator==(const Presence &, const Presence &) = default;
};

// The answer to join_conversation.
struct ConversationHistory
{
    qint64 conversationId = 0;
    QList<Message> messages; // oldest first
    friend bool operator==(const ConversationHistory &, const ConversationHistory &) = default;
};

struct NotificationArrived
{
    Notification notification;
    friend bool operator==(const NotificationArrived &, const NotificationArrived &) = default;
};

// The `error` frame: a refused frame, and its clientMessageId (or the ref it carried) as
// `ref`, null when none.
// Version 2: a message changed (`change`: "edited"; "deleted", "reactions", "thread" and
// "thumbnail" later). `ref` echoes the requesting connection's clientRequestId, else null.
struct MessageUpdated
{
    QString change;
    Message message;
    QJsonValue ref;
    friend bool operator==(const MessageUpdated &, const MessageUpdated &) = default;
};

// Version 2: notifications taken back (their message was deleted).
struct NotificationRevoked
{
    QList<qint64> ids;
    friend bool operator==(const NotificationRevoked &, const NotificationRevoked &) = default;
};

// Version 2: a conversation as this user now sees it (unread count, last message).
struct ConversationUpdated
{
    Conversation conversation;
    friend bool operator==(const ConversationUpdated &, const ConversationUpdated &) = default;
};

struct Refused
{
    Error error;
    QJsonValue ref;
    friend bool operator==(const Refused &, const Refused &) = default;
};

using ServerFrame =
    std::variant<Connected, Pong, MessageSent, NewMessage, MessageDelivered, MessageRead,
                 UserTyping, Presence, ConversationHistory, NotificationArrived, Refused,
                 MessageUpdated, NotificationRevoked, ConversationUpdated>;

[[nodiscard]] QJsonObject toJson(const ServerFrame &frame);
// A frame as a client reads it. An unknown type, or a field missing or of the wrong type,
// is bad_request: a client skips such a frame (a later server may send new types).
[[nodiscard]] Result<ServerFrame> parse(const QJsonObject &frame);
[[nodiscard]] Result<ServerFrame> parse(const QByteArray &text);

} // namespace pitchey::frames::server
