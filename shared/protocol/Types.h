#pragma once

#include "protocol/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace pitchey {

// The objects of the wire contract. Times are milliseconds since the epoch here and
// ISO 8601 strings on the wire; absent optional fields travel as JSON null.

struct User
{
    qint64 id = 0;
    QString username;
    QString displayName;
    bool online = false;
    std::optional<QString> email; // only ever serialised for the user itself

    [[nodiscard]] QJsonObject toJson() const;
    static Result<User> fromJson(const QJsonObject &object);
    friend bool operator==(const User &, const User &) = default;
};

// Version 2: what a reply shows of the message it answers, rendered by the server on every
// read from the parent's current state (never copied by clients).
struct ReplyExcerpt
{
    qint64 id = 0;
    qint64 senderId = 0;
    QString excerpt; // the first 140 code points of its content; "" once deleted
    qint64 attachmentCount = 0;
    bool deleted = false;

    [[nodiscard]] QJsonObject toJson() const;
    static Result<ReplyExcerpt> fromJson(const QJsonObject &object);
    friend bool operator==(const ReplyExcerpt &, const ReplyExcerpt &) = default;
};

// Version 2: one emoji's reactions to a message, as one viewer sees them.
struct Reaction
{
    QString emoji;
    qint64 count = 0;
    QList<qint64> userIds; // the first 10 who reacted with it, in the order they did
    bool me = false;       // whether the viewer is among them (all of them, not the first 10)

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Reaction> fromJson(const QJsonObject &object);
    friend bool operator==(const Reaction &, const Reaction &) = default;
};

// Version 2: a thread's root shows its live replies: how many, the newest, who wrote them.
struct ThreadSummary
{
    qint64 replyCount = 0;
    qint64 lastReplyId = 0;
    qint64 lastReplyAt = 0;
    QList<qint64> participantIds; // the five most recent distinct repliers, newest first

    [[nodiscard]] QJsonObject toJson() const;
    static Result<ThreadSummary> fromJson(const QJsonObject &object);
    friend bool operator==(const ThreadSummary &, const ThreadSummary &) = default;
};

// Version 2: whom a message mentions. Only these ids count (the text is never scanned);
// `all` mentions every participant but the sender (groups only).
struct Mentions
{
    QList<qint64> userIds; // distinct, in the order given
    bool all = false;

    [[nodiscard]] bool isEmpty() const { return userIds.isEmpty() && !all; }
    // Whether they mention `userId` (by name, or through `all`; the sender aside).
    [[nodiscard]] bool reach(qint64 userId) const { return all || userIds.contains(userId); }
    [[nodiscard]] QJsonObject toJson() const;
    // bad_request unless {userIds: [ids...], all: bool} (both optional); duplicates dropped.
    static Result<Mentions> fromJson(const QJsonValue &value);
    friend bool operator==(const Mentions &, const Mentions &) = default;
};

// Version 2: a file uploaded to the server (POST /api/media), as messages carry it.
struct Attachment
{
    qint64 id = 0;
    QString filename; // cleaned of separators, controls and bidirectional overrides
    QString mimeType; // from the bytes, never from the name
    qint64 size = 0;
    QString sha256; // lowercase hex
    // Images as displayed (after EXIF rotation); null for other files.
    std::optional<int> width;
    std::optional<int> height;
    QString thumbnailState = QStringLiteral("none"); // "pending" | "ready" | "none"

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Attachment> fromJson(const QJsonObject &object);
    friend bool operator==(const Attachment &, const Attachment &) = default;
};

struct Message
{
    qint64 id = 0;
    qint64 conversationId = 0;
    qint64 senderId = 0;
    QString content;
    qint64 createdAt = 0;
    std::optional<qint64> editedAt;
    std::optional<qint64> replyToId;
    std::optional<QString> clientMessageId;
    // Version 2 (a version 1 server sends none of them: these defaults).
    QString kind = QStringLiteral("text"); // "text" | "event"
    qint64 version = 1;                    // +1 with every edit that changes the content
    std::optional<qint64> deletedAt;
    qint64 changeId = 0; // the change feed position of its latest change
    std::optional<qint64> threadRootId;
    std::optional<ReplyExcerpt> replyTo; // with replyToId
    QList<Reaction> reactions;           // in the order of first use
    std::optional<ThreadSummary> thread; // on a root with live replies
    Mentions mentions;
    QList<Attachment> attachments; // in the order the sender gave them

    [[nodiscard]] QJsonObject toJson() const;
    // The fields version 2 adds, as a message object and a new_message frame carry them.
    void addVersion2Fields(QJsonObject &object) const;
    static Result<Message> fromJson(const QJsonObject &object);
    friend bool operator==(const Message &, const Message &) = default;
};

struct Conversation
{
    qint64 id = 0;
    std::optional<QString> title;
    bool isGroup = false;
    QList<User> participants;
    std::optional<Message> lastMessage;
    qint64 unreadCount = 0;
    qint64 mentionCount = 0; // version 2: unread messages that mention the caller
    qint64 updatedAt = 0;
    // Extension: how far each participant has read (userId -> message id, 0 for nothing).
    QHash<qint64, qint64> readMarkers;

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Conversation> fromJson(const QJsonObject &object);
    friend bool operator==(const Conversation &, const Conversation &) = default;
};

struct NotificationPreferences
{
    bool emailEnabled = true;
    bool realtimeEnabled = true;
    int emailDelayMinutes = 5;
    QList<qint64> mutedConversationIds;
    // Extension, privacy: when false the server forwards none of this user's read receipts
    // (nor their read position) / typing indicators to anyone else.
    bool sendReadReceipts = true;
    bool sendTypingIndicators = true;
    // Version 2: a direct mention notifies also in a muted conversation.
    bool mentionsWhenMuted = true;

    [[nodiscard]] QJsonObject toJson() const;
    // Applies the fields present in `patch` on top of this; unknown fields, wrong types and
    // out-of-range values are bad_request. Used by the server for PUT and by clients alike.
    [[nodiscard]] Result<NotificationPreferences> merged(const QJsonObject &patch) const;
    friend bool operator==(const NotificationPreferences &,
                           const NotificationPreferences &) = default;
};

struct Notification
{
    qint64 id = 0;
    QString kind; // "new_message", ...
    QString title;
    QString body;
    std::optional<qint64> conversationId;
    std::optional<qint64> messageId;
    qint64 createdAt = 0;

    [[nodiscard]] QJsonObject toJson() const;
    static Result<Notification> fromJson(const QJsonObject &object);
    friend bool operator==(const Notification &, const Notification &) = default;
};

} // namespace pitchey
