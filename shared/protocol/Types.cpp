#include "protocol/Types.h"

#include "protocol/Time.h"
#include "protocol/Validation.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace pitchey {

namespace {

QJsonValue optionalId(const std::optional<qint64> &id)
{
    return id ? QJsonValue(*id) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalTime(const std::optional<qint64> &ms)
{
    return ms ? QJsonValue(toIsoTime(*ms)) : QJsonValue(QJsonValue::Null);
}

QJsonValue optionalString(const std::optional<QString> &text)
{
    return text ? QJsonValue(*text) : QJsonValue(QJsonValue::Null);
}

Result<qint64> readTime(const QJsonObject &object, QLatin1StringView key)
{
    const auto parsed = fromIsoTime(object.value(key).toString());
    if (!parsed)
        return Error::badRequest(u"%1 must be an ISO 8601 time"_s.arg(key));
    return *parsed;
}

// What version 2 adds to a message; absent (a version 1 server): the defaults.
Result<Message> readVersion2Fields(const QJsonObject &object, Message message)
{
    const auto threadRootId = readId(object, "threadRootId"_L1);
    if (!threadRootId.ok())
        return threadRootId.error();
    message.threadRootId = threadRootId.value();
    if (object.value("replyTo"_L1).isObject()) {
        auto replyTo = ReplyExcerpt::fromJson(object.value("replyTo"_L1).toObject());
        if (!replyTo.ok())
            return replyTo.error();
        message.replyTo = replyTo.value();
    }
    if (object.value("thread"_L1).isObject()) {
        auto thread = ThreadSummary::fromJson(object.value("thread"_L1).toObject());
        if (!thread.ok())
            return thread.error();
        message.thread = thread.value();
    }
    for (const auto &entry : object.value("reactions"_L1).toArray()) {
        auto reaction = Reaction::fromJson(entry.toObject());
        if (!reaction.ok())
            return reaction.error();
        message.reactions.append(reaction.value());
    }
    if (object.value("mentions"_L1).isObject()) {
        auto mentions = Mentions::fromJson(object.value("mentions"_L1));
        if (!mentions.ok())
            return mentions.error();
        message.mentions = mentions.value();
    }
    for (const auto &entry : object.value("attachments"_L1).toArray()) {
        auto attachment = Attachment::fromJson(entry.toObject());
        if (!attachment.ok())
            return attachment.error();
        message.attachments.append(attachment.value());
    }
    const QJsonValue kind = object.value("kind"_L1);
    if (!kind.isUndefined()) {
        if (kind.toString() != "text"_L1 && kind.toString() != "event"_L1)
            return Error::badRequest(u"kind must be \"text\" or \"event\""_s);
        message.kind = kind.toString();
    }
    for (const auto &[key, field] :
         {std::pair{"version"_L1, &message.version}, std::pair{"changeId"_L1, &message.changeId}}) {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            continue;
        if (!value.isDouble() || value.toInteger(-1) < 0)
            return Error::badRequest(u"%1 must be a whole number"_s.arg(key));
        *field = value.toInteger();
    }
    if (object.value("deletedAt"_L1).isString()) {
        const auto deletedAt = readTime(object, "deletedAt"_L1);
        if (!deletedAt.ok())
            return deletedAt.error();
        message.deletedAt = deletedAt.value();
    }
    return message;
}

} // namespace

QJsonObject ReplyExcerpt::toJson() const
{
    return {{"id"_L1, id},
            {"senderId"_L1, senderId},
            {"excerpt"_L1, excerpt},
            {"attachmentCount"_L1, attachmentCount},
            {"deleted"_L1, deleted}};
}

Result<ReplyExcerpt> ReplyExcerpt::fromJson(const QJsonObject &object)
{
    const auto id = readRequiredId(object, "id"_L1);
    const auto senderId = readRequiredId(object, "senderId"_L1);
    if (!id.ok())
        return id.error();
    if (!senderId.ok())
        return senderId.error();
    return ReplyExcerpt{id.value(), senderId.value(), object.value("excerpt"_L1).toString(),
                        object.value("attachmentCount"_L1).toInteger(),
                        object.value("deleted"_L1).toBool()};
}

QJsonObject User::toJson() const
{
    QJsonObject object{{"id"_L1, id},
                       {"username"_L1, username},
                       {"displayName"_L1, displayName},
                       {"online"_L1, online}};
    if (email)
        object.insert("email"_L1, *email);
    return object;
}

Result<User> User::fromJson(const QJsonObject &object)
{
    User user;
    const auto id = readRequiredId(object, "id"_L1);
    const auto username = readRequiredString(object, "username"_L1);
    if (!id.ok())
        return id.error();
    if (!username.ok())
        return username.error();
    user.id = id.value();
    user.username = username.value();
    user.displayName = object.value("displayName"_L1).toString(user.username);
    user.online = object.value("online"_L1).toBool();
    if (object.value("email"_L1).isString())
        user.email = object.value("email"_L1).toString();
    return user;
}

QJsonObject Reaction::toJson() const
{
    QJsonArray users;
    for (const qint64 user : userIds)
        users.append(user);
    return {{"emoji"_L1, emoji}, {"count"_L1, count}, {"userIds"_L1, users}, {"me"_L1, me}};
}

Result<Reaction> Reaction::fromJson(const QJsonObject &object)
{
    const auto emoji = readRequiredString(object, "emoji"_L1);
    if (!emoji.ok())
        return emoji.error();
    Reaction reaction{
        emoji.value(), object.value("count"_L1).toInteger(), {}, object.value("me"_L1).toBool()};
    for (const auto &user : object.value("userIds"_L1).toArray())
        reaction.userIds.append(user.toInteger());
    if (reaction.count < 1)
        return Error::badRequest(u"a reaction's count must be positive"_s);
    return reaction;
}

QJsonObject ThreadSummary::toJson() const
{
    QJsonArray participants;
    for (const qint64 user : participantIds)
        participants.append(user);
    return {{"replyCount"_L1, replyCount},
            {"lastReplyId"_L1, lastReplyId},
            {"lastReplyAt"_L1, toIsoTime(lastReplyAt)},
            {"participantIds"_L1, participants}};
}

Result<ThreadSummary> ThreadSummary::fromJson(const QJsonObject &object)
{
    const auto lastReplyId = readRequiredId(object, "lastReplyId"_L1);
    if (!lastReplyId.ok())
        return lastReplyId.error();
    const auto lastReplyAt = readTime(object, "lastReplyAt"_L1);
    if (!lastReplyAt.ok())
        return lastReplyAt.error();
    ThreadSummary summary{
        object.value("replyCount"_L1).toInteger(), lastReplyId.value(), lastReplyAt.value(), {}};
    for (const auto &user : object.value("participantIds"_L1).toArray())
        summary.participantIds.append(user.toInteger());
    return summary;
}

QJsonObject Mentions::toJson() const
{
    QJsonArray users;
    for (const qint64 user : userIds)
        users.append(user);
    return {{"userIds"_L1, users}, {"all"_L1, all}};
}

Result<Mentions> Mentions::fromJson(const QJsonValue &value)
{
    const auto invalid = [] {
        return Error::badRequest(u"mentions must be {userIds: [user ids], all: true|false}"_s);
    };
    if (!value.isObject())
        return invalid();
    const QJsonObject object = value.toObject();
    Mentions mentions;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == "all"_L1 && it.value().isBool()) {
            mentions.all = it.value().toBool();
        } else if (it.key() == "userIds"_L1 && it.value().isArray()) {
            for (const auto &entry : it.value().toArray()) {
                const qint64 id = entry.isDouble() ? entry.toInteger(0) : 0;
                if (id <= 0)
                    return invalid();
                if (!mentions.userIds.contains(id))
                    mentions.userIds.append(id);
            }
        } else {
            return invalid();
        }
    }
    return mentions;
}

QJsonObject Attachment::toJson() const
{
    return {{"id"_L1, id},
            {"filename"_L1, filename},
            {"mimeType"_L1, mimeType},
            {"size"_L1, size},
            {"sha256"_L1, sha256},
            {"width"_L1, width ? QJsonValue(*width) : QJsonValue::Null},
            {"height"_L1, height ? QJsonValue(*height) : QJsonValue::Null},
            {"thumbnail"_L1, QJsonObject{{"state"_L1, thumbnailState}}}};
}

Result<Attachment> Attachment::fromJson(const QJsonObject &object)
{
    Attachment attachment;
    const auto id = readRequiredId(object, "id"_L1);
    if (!id.ok())
        return id.error();
    attachment.id = id.value();
    attachment.filename = object.value("filename"_L1).toString();
    attachment.mimeType = object.value("mimeType"_L1).toString();
    attachment.size = object.value("size"_L1).toInteger();
    attachment.sha256 = object.value("sha256"_L1).toString();
    if (object.value("width"_L1).isDouble())
        attachment.width = object.value("width"_L1).toInt();
    if (object.value("height"_L1).isDouble())
        attachment.height = object.value("height"_L1).toInt();
    const QString state = object.value("thumbnail"_L1)["state"_L1].toString();
    if (state != "pending"_L1 && state != "ready"_L1 && state != "none"_L1)
        return Error::badRequest(u"thumbnail.state must be pending, ready or none"_s);
    attachment.thumbnailState = state;
    return attachment;
}

QJsonObject Message::toJson() const
{
    QJsonObject object{{"id"_L1, id},
                       {"conversationId"_L1, conversationId},
                       {"senderId"_L1, senderId},
                       {"content"_L1, content},
                       {"createdAt"_L1, toIsoTime(createdAt)},
                       {"editedAt"_L1, optionalTime(editedAt)},
                       {"replyToId"_L1, optionalId(replyToId)},
                       {"clientMessageId"_L1, optionalString(clientMessageId)}};
    addVersion2Fields(object);
    return object;
}

void Message::addVersion2Fields(QJsonObject &object) const
{
    object.insert("kind"_L1, kind);
    object.insert("version"_L1, version);
    object.insert("deletedAt"_L1, optionalTime(deletedAt));
    object.insert("changeId"_L1, changeId);
    object.insert("threadRootId"_L1, optionalId(threadRootId));
    object.insert("replyTo"_L1, replyTo ? QJsonValue(replyTo->toJson()) : QJsonValue::Null);
    object.insert("thread"_L1, thread ? QJsonValue(thread->toJson()) : QJsonValue::Null);
    QJsonArray reactionList;
    for (const Reaction &reaction : reactions)
        reactionList.append(reaction.toJson());
    object.insert("reactions"_L1, reactionList);
    object.insert("mentions"_L1, mentions.toJson());
    QJsonArray attachmentList;
    for (const Attachment &attachment : attachments)
        attachmentList.append(attachment.toJson());
    object.insert("attachments"_L1, attachmentList);
    object.insert("event"_L1, QJsonValue::Null);
}

Result<Message> Message::fromJson(const QJsonObject &object)
{
    Message message;
    // new_message frames name the id `messageId`; message objects name it `id`.
    const auto id =
        readRequiredId(object, object.contains("messageId"_L1) ? "messageId"_L1 : "id"_L1);
    const auto conversationId = readRequiredId(object, "conversationId"_L1);
    const auto senderId = readRequiredId(object, "senderId"_L1);
    const auto content = readRequiredString(object, "content"_L1);
    const auto createdAt = readTime(object, "createdAt"_L1);
    const auto replyToId = readId(object, "replyToId"_L1);
    const auto clientMessageId = readString(object, "clientMessageId"_L1);
    for (const Error *error :
         {id.ok() ? nullptr : &id.error(), conversationId.ok() ? nullptr : &conversationId.error(),
          senderId.ok() ? nullptr : &senderId.error(), content.ok() ? nullptr : &content.error(),
          createdAt.ok() ? nullptr : &createdAt.error(),
          replyToId.ok() ? nullptr : &replyToId.error(),
          clientMessageId.ok() ? nullptr : &clientMessageId.error()}) {
        if (error)
            return *error;
    }
    message.id = id.value();
    message.conversationId = conversationId.value();
    message.senderId = senderId.value();
    message.content = content.value();
    message.createdAt = createdAt.value();
    message.replyToId = replyToId.value();
    message.clientMessageId = clientMessageId.value();
    if (object.value("editedAt"_L1).isString())
        message.editedAt = fromIsoTime(object.value("editedAt"_L1).toString());
    return readVersion2Fields(object, message);
}

QJsonObject Conversation::toJson() const
{
    QJsonArray users;
    for (const User &user : participants)
        users.append(user.toJson());
    QJsonArray markers;
    for (auto it = readMarkers.cbegin(); it != readMarkers.cend(); ++it)
        markers.append(QJsonObject{{"userId"_L1, it.key()}, {"messageId"_L1, it.value()}});
    return {{"id"_L1, id},
            {"title"_L1, optionalString(title)},
            {"isGroup"_L1, isGroup},
            {"participants"_L1, users},
            {"lastMessage"_L1,
             lastMessage ? QJsonValue(lastMessage->toJson()) : QJsonValue(QJsonValue::Null)},
            {"unreadCount"_L1, unreadCount},
            {"mentionCount"_L1, mentionCount},
            {"updatedAt"_L1, toIsoTime(updatedAt)},
            {"readMarkers"_L1, markers}};
}

Result<Conversation> Conversation::fromJson(const QJsonObject &object)
{
    Conversation conversation;
    const auto id = readRequiredId(object, "id"_L1);
    if (!id.ok())
        return id.error();
    conversation.id = id.value();
    if (object.value("title"_L1).isString())
        conversation.title = object.value("title"_L1).toString();
    conversation.isGroup = object.value("isGroup"_L1).toBool();
    const QJsonArray users = object.value("participants"_L1).toArray();
    for (const auto &value : users) {
        auto user = User::fromJson(value.toObject());
        if (!user.ok())
            return user.error();
        conversation.participants.append(user.value());
    }
    if (object.value("lastMessage"_L1).isObject()) {
        auto last = Message::fromJson(object.value("lastMessage"_L1).toObject());
        if (!last.ok())
            return last.error();
        conversation.lastMessage = last.value();
    }
    conversation.unreadCount = object.value("unreadCount"_L1).toInteger();
    conversation.mentionCount = object.value("mentionCount"_L1).toInteger();
    conversation.updatedAt = fromIsoTime(object.value("updatedAt"_L1).toString()).value_or(0);
    for (const auto &marker : object.value("readMarkers"_L1).toArray()) {
        const QJsonObject entry = marker.toObject();
        conversation.readMarkers.insert(entry.value("userId"_L1).toInteger(),
                                        entry.value("messageId"_L1).toInteger());
    }
    return conversation;
}

QJsonObject NotificationPreferences::toJson() const
{
    QJsonArray muted;
    for (qint64 id : mutedConversationIds)
        muted.append(id);
    return {{"emailEnabled"_L1, emailEnabled},
            {"realtimeEnabled"_L1, realtimeEnabled},
            {"emailDelayMinutes"_L1, emailDelayMinutes},
            {"mutedConversationIds"_L1, muted},
            {"sendReadReceipts"_L1, sendReadReceipts},
            {"sendTypingIndicators"_L1, sendTypingIndicators},
            {"mentionsWhenMuted"_L1, mentionsWhenMuted}};
}

Result<NotificationPreferences> NotificationPreferences::merged(const QJsonObject &patch) const
{
    NotificationPreferences result = *this;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        const QString key = it.key();
        const QJsonValue value = it.value();
        static const QHash<QString, bool NotificationPreferences::*> switches{
            {u"emailEnabled"_s, &NotificationPreferences::emailEnabled},
            {u"realtimeEnabled"_s, &NotificationPreferences::realtimeEnabled},
            {u"sendReadReceipts"_s, &NotificationPreferences::sendReadReceipts},
            {u"sendTypingIndicators"_s, &NotificationPreferences::sendTypingIndicators},
            {u"mentionsWhenMuted"_s, &NotificationPreferences::mentionsWhenMuted},
        };
        if (const auto flag = switches.value(key); flag) {
            if (!value.isBool())
                return Error::badRequest(u"%1 must be a boolean"_s.arg(key));
            result.*flag = value.toBool();
        } else if (key == "emailDelayMinutes"_L1) {
            const qint64 minutes = value.isDouble() ? value.toInteger(-1) : -1;
            if (minutes < 0 || minutes > 1440)
                return Error::badRequest(u"emailDelayMinutes must be an integer from 0 to 1440"_s);
            result.emailDelayMinutes = int(minutes);
        } else if (key == "mutedConversationIds"_L1) {
            if (!value.isArray())
                return Error::badRequest(u"mutedConversationIds must be an array of ids"_s);
            QList<qint64> ids;
            for (const auto &entry : value.toArray()) {
                const qint64 id = entry.isDouble() ? entry.toInteger(0) : 0;
                if (id <= 0)
                    return Error::badRequest(u"mutedConversationIds must be an array of ids"_s);
                if (!ids.contains(id))
                    ids.append(id);
            }
            result.mutedConversationIds = ids;
        } else {
            return Error::badRequest(u"unknown preference: %1"_s.arg(key));
        }
    }
    return result;
}

QJsonObject Notification::toJson() const
{
    return {{"id"_L1, id},
            {"kind"_L1, kind},
            {"title"_L1, title},
            {"body"_L1, body},
            {"conversationId"_L1, optionalId(conversationId)},
            {"messageId"_L1, optionalId(messageId)},
            {"createdAt"_L1, toIsoTime(createdAt)}};
}

Result<Notification> Notification::fromJson(const QJsonObject &object)
{
    const auto id = readRequiredId(object, "id"_L1);
    const auto kind = readRequiredString(object, "kind"_L1);
    const auto title = readString(object, "title"_L1);
    const auto body = readString(object, "body"_L1);
    const auto conversationId = readId(object, "conversationId"_L1);
    const auto messageId = readId(object, "messageId"_L1);
    const auto createdAt = readTime(object, "createdAt"_L1);
    for (const Error *error :
         {id.ok() ? nullptr : &id.error(), kind.ok() ? nullptr : &kind.error(),
          title.ok() ? nullptr : &title.error(), body.ok() ? nullptr : &body.error(),
          conversationId.ok() ? nullptr : &conversationId.error(),
          messageId.ok() ? nullptr : &messageId.error(),
          createdAt.ok() ? nullptr : &createdAt.error()}) {
        if (error)
            return *error;
    }
    return Notification{id.value(),
                        kind.value(),
                        title.value().value_or(QString()),
                        body.value().value_or(QString()),
                        conversationId.value(),
                        messageId.value(),
                        createdAt.value()};
}

} // namespace pitchey
