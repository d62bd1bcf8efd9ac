#include "protocol/Api.h"

#include "protocol/ErrorCode.h"
#include "protocol/Time.h"
#include "protocol/Validation.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace pitchey::api {

namespace {

template<typename T, typename F>
Result<QList<T>> listOf(const QJsonObject &body, QLatin1StringView key, F parse)
{
    if (!body.value(key).isArray())
        return Error::badRequest(u"%1 must be an array"_s.arg(key));
    QList<T> items;
    for (const auto &value : body.value(key).toArray()) {
        auto item = parse(value.toObject());
        if (!item.ok())
            return item.error();
        items.append(item.value());
    }
    return items;
}

template<typename T> QJsonArray arrayOf(const QList<T> &items)
{
    QJsonArray array;
    for (const T &item : items)
        array.append(item.toJson());
    return array;
}

// An array of positive integer ids, or the error `message`.
Result<QList<qint64>> idsOf(const QJsonValue &value, const QString &message)
{
    if (!value.isArray())
        return Error::badRequest(message);
    QList<qint64> ids;
    for (const auto &item : value.toArray()) {
        const qint64 id = item.isDouble() ? item.toInteger(0) : 0;
        if (id <= 0)
            return Error::badRequest(message);
        ids.append(id);
    }
    return ids;
}

QJsonArray idArray(const QList<qint64> &ids)
{
    QJsonArray array;
    for (qint64 id : ids)
        array.append(id);
    return array;
}

// An optional positive id in a query string: absent is nullopt, anything else but an id is
// the error "<name> must be <what>".
Result<std::optional<qint64>> queryId(const QUrlQuery &query, const QString &name,
                                      QLatin1StringView what)
{
    if (!query.hasQueryItem(name))
        return std::optional<qint64>();
    const auto id = parseId(query.queryItemValue(name));
    if (!id)
        return Error::badRequest(u"%1 must be %2"_s.arg(name, what));
    return std::optional<qint64>(id);
}

Result<int> pageLimit(const QUrlQuery &query)
{
    auto limit = queryId(query, u"limit"_s, "a positive integer"_L1);
    if (!limit.ok())
        return limit.error();
    return int(std::min<qint64>(limit.value().value_or(kDefaultPageSize), kMaxPageSize));
}

} // namespace

QString historyPath(qint64 conversationId)
{
    return u"/api/messages/%1/messages"_s.arg(conversationId);
}

QUrlQuery webSocketQuery(const QString &token)
{
    return QUrlQuery{{u"token"_s, token}};
}

QJsonObject TokenClaims::toJson() const
{
    return {{"sub"_L1, QString::number(userId)},
            {"username"_L1, username},
            {"iat"_L1, issuedAt},
            {"exp"_L1, expiresAt},
            {"key"_L1, key}};
}

std::optional<TokenClaims> TokenClaims::fromJson(const QJsonObject &payload)
{
    const auto subject = parseId(payload.value("sub"_L1).toString());
    if (!subject)
        return std::nullopt;
    return TokenClaims{*subject, payload.value("username"_L1).toString(),
                       payload.value("iat"_L1).toInteger(), payload.value("exp"_L1).toInteger(),
                       payload.value("key"_L1).toInteger()};
}

std::optional<TokenClaims> TokenClaims::readUnverified(QStringView token)
{
    const QList<QStringView> parts = token.split(u'.');
    if (parts.size() != 3)
        return std::nullopt;
    const QByteArray payload = QByteArray::fromBase64(
        parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return fromJson(QJsonDocument::fromJson(payload).object());
}

QUrlQuery UserSearch::toQuery() const
{
    return QUrlQuery{{u"search"_s, prefix}};
}

UserSearch UserSearch::fromQuery(const QUrlQuery &query)
{
    return {query.queryItemValue(u"search"_s, QUrl::FullyDecoded).trimmed()};
}

QUrlQuery HistoryQuery::toQuery() const
{
    QUrlQuery query;
    if (before)
        query.addQueryItem(u"before"_s, QString::number(*before));
    if (after)
        query.addQueryItem(u"after"_s, QString::number(*after));
    query.addQueryItem(u"limit"_s, QString::number(limit));
    if (threadRootId)
        query.addQueryItem(u"threadRootId"_s, QString::number(*threadRootId));
    if (mainOnly)
        query.addQueryItem(u"mainOnly"_s, u"true"_s);
    return query;
}

Result<HistoryQuery> HistoryQuery::fromQuery(const QUrlQuery &query)
{
    auto before = queryId(query, u"before"_s, "a message id"_L1);
    if (!before.ok())
        return before.error();
    auto after = queryId(query, u"after"_s, "a message id"_L1);
    if (!after.ok())
        return after.error();
    if (before.value() && after.value())
        return Error::badRequest(u"before and after cannot be combined"_s);
    auto limit = pageLimit(query);
    if (!limit.ok())
        return limit.error();
    auto threadRootId = queryId(query, u"threadRootId"_s, "a message id"_L1);
    if (!threadRootId.ok())
        return threadRootId.error();
    const QString mainOnly = query.queryItemValue(u"mainOnly"_s);
    if (!mainOnly.isEmpty() && mainOnly != "true"_L1 && mainOnly != "false"_L1)
        return Error::badRequest(u"mainOnly must be true or false"_s);
    if (threadRootId.value() && mainOnly == "true"_L1)
        return Error::badRequest(u"threadRootId and mainOnly cannot be combined"_s);
    return HistoryQuery{before.value(), after.value(), limit.value(), threadRootId.value(),
                        mainOnly == "true"_L1};
}

QUrlQuery ChangesQuery::toQuery() const
{
    return QUrlQuery{{u"since"_s, QString::number(since)}, {u"limit"_s, QString::number(limit)}};
}

Result<ChangesQuery> ChangesQuery::fromQuery(const QUrlQuery &query)
{
    ChangesQuery changes;
    if (query.hasQueryItem(u"since"_s)) {
        const QString since = query.queryItemValue(u"since"_s);
        const auto position = since == "0"_L1 ? std::optional<qint64>(0) : parseId(since);
        if (!position)
            return Error::badRequest(u"since must be a change id (0 or more)"_s);
        changes.since = *position;
    }
    auto limit = queryId(query, u"limit"_s, "a positive integer"_L1);
    if (!limit.ok())
        return limit.error();
    changes.limit = int(std::min<qint64>(limit.value().value_or(kDefaultLimit), kMaxLimit));
    return changes;
}

QJsonObject ChangesAnswer::toJson() const
{
    return {{"messages"_L1, arrayOf(messages)},
            {"latestChangeId"_L1, latestChangeId},
            {"hasMore"_L1, hasMore}};
}

Result<ChangesAnswer> ChangesAnswer::fromJson(const QJsonObject &body)
{
    auto messages = listOf<Message>(body, "messages"_L1, Message::fromJson);
    if (!messages.ok())
        return messages.error();
    return ChangesAnswer{messages.value(), body.value("latestChangeId"_L1).toInteger(),
                         body.value("hasMore"_L1).toBool()};
}

QJsonObject VersionsAnswer::toJson() const
{
    QJsonArray list;
    for (const Version &v : versions) {
        list.append(QJsonObject{{"version"_L1, v.version},
                                {"content"_L1, v.content},
                                {"editedAt"_L1, toIsoTime(v.editedAt)}});
    }
    return {{"versions"_L1, list}};
}

Result<VersionsAnswer> VersionsAnswer::fromJson(const QJsonObject &body)
{
    VersionsAnswer answer;
    for (const auto &entry : body.value("versions"_L1).toArray()) {
        const auto editedAt = fromIsoTime(entry["editedAt"_L1].toString());
        if (!entry["version"_L1].isDouble() || !entry["content"_L1].isString() || !editedAt)
            return Error::badRequest(u"a version needs version, content and editedAt"_s);
        answer.versions.append(
            {entry["version"_L1].toInteger(), entry["content"_L1].toString(), *editedAt});
    }
    return answer;
}

QJsonObject FollowAnswer::toJson() const
{
    return {{"following"_L1, following}};
}

Result<FollowAnswer> FollowAnswer::fromJson(const QJsonObject &body)
{
    if (!body.value("following"_L1).isBool())
        return Error::badRequest(u"the answer needs following"_s);
    return FollowAnswer{body.value("following"_L1).toBool()};
}

QJsonObject MediaConfig::toJson() const
{
    QJsonArray sizes;
    for (const int size : thumbnailSizes)
        sizes.append(size);
    return {{"maxUploadBytes"_L1, maxUploadBytes},
            {"maxImagePixels"_L1, maxImagePixels},
            {"maxAttachmentsPerMessage"_L1, maxAttachmentsPerMessage},
            {"thumbnailSizes"_L1, sizes}};
}

Result<MediaConfig> MediaConfig::fromJson(const QJsonObject &body)
{
    MediaConfig config;
    for (const auto &[key, field] : {std::pair{"maxUploadBytes"_L1, &config.maxUploadBytes},
                                     std::pair{"maxImagePixels"_L1, &config.maxImagePixels}}) {
        if (!body.value(key).isDouble() || body.value(key).toInteger() <= 0)
            return Error::badRequest(u"the media configuration needs %1"_s.arg(key));
        *field = body.value(key).toInteger();
    }
    config.maxAttachmentsPerMessage = body.value("maxAttachmentsPerMessage"_L1).toInt(10);
    config.thumbnailSizes.clear();
    for (const auto &size : body.value("thumbnailSizes"_L1).toArray())
        config.thumbnailSizes.append(size.toInt());
    return config;
}

QJsonObject AttachmentAnswer::toJson() const
{
    return {{"attachment"_L1, attachment.toJson()}};
}

Result<AttachmentAnswer> AttachmentAnswer::fromJson(const QJsonObject &body)
{
    auto attachment = Attachment::fromJson(body.value("attachment"_L1).toObject());
    if (!attachment.ok())
        return attachment.error();
    return AttachmentAnswer{attachment.value()};
}

QUrlQuery NotificationsQuery::toQuery() const
{
    QUrlQuery query;
    if (unreadOnly)
        query.addQueryItem(u"unreadOnly"_s, u"true"_s);
    query.addQueryItem(u"limit"_s, QString::number(limit));
    if (before)
        query.addQueryItem(u"before"_s, QString::number(*before));
    return query;
}

Result<NotificationsQuery> NotificationsQuery::fromQuery(const QUrlQuery &query)
{
    auto limit = pageLimit(query);
    if (!limit.ok())
        return limit.error();
    auto before = queryId(query, u"before"_s, "a notification id"_L1);
    if (!before.ok())
        return before.error();
    return NotificationsQuery{query.queryItemValue(u"unreadOnly"_s) == "true"_L1, limit.value(),
                              before.value()};
}

QJsonObject Credentials::toJson() const
{
    QJsonObject body{{"username"_L1, username}, {"password"_L1, password}};
    if (displayName)
        body.insert("displayName"_L1, *displayName);
    if (email)
        body.insert("email"_L1, *email);
    return body;
}

Result<Credentials> Credentials::fromJson(const QJsonObject &body, Reading reading)
{
    const auto username = readRequiredString(body, "username"_L1);
    if (!username.ok())
        return username.error();
    const auto password = readRequiredString(body, "password"_L1);
    if (!password.ok())
        return password.error();
    if (reading == Reading::Login)
        return Credentials{username.value(), password.value(), std::nullopt, std::nullopt};
    const auto displayName = readString(body, "displayName"_L1);
    if (!displayName.ok())
        return displayName.error();
    auto email = readString(body, "email"_L1);
    if (!email.ok())
        return email.error();
    std::optional<QString> mail = email.value();
    if (mail && mail->isEmpty())
        mail.reset();
    return Credentials{username.value(), password.value(), displayName.value(), mail};
}

QJsonObject AuthAnswer::toJson() const
{
    return {{"token"_L1, token}, {"user"_L1, user.toJson()}};
}

Result<AuthAnswer> AuthAnswer::fromJson(const QJsonObject &body)
{
    auto user = User::fromJson(body.value("user"_L1).toObject());
    if (!user.ok())
        return user.error();
    const QString token = body.value("token"_L1).toString();
    if (token.isEmpty())
        return Error::badRequest(u"token is required"_s);
    return AuthAnswer{token, user.value()};
}

QJsonObject NewConversation::toJson() const
{
    QJsonObject body{{"participantIds"_L1, idArray(participantIds)}};
    if (title)
        body.insert("title"_L1, *title);
    return body;
}

Result<NewConversation> NewConversation::fromJson(const QJsonObject &body)
{
    auto ids =
        idsOf(body.value("participantIds"_L1), u"participantIds must be an array of user ids"_s);
    if (!ids.ok())
        return ids.error();
    const auto title = readString(body, "title"_L1);
    if (!title.ok())
        return title.error();
    std::optional<QString> name = title.value();
    if (name && name->trimmed().isEmpty())
        name.reset();
    return NewConversation{ids.value(), name};
}

QJsonObject ReadNotifications::toJson() const
{
    if (all)
        return {{"all"_L1, true}};
    return {{"ids"_L1, idArray(ids)}};
}

Result<ReadNotifications> ReadNotifications::fromJson(const QJsonObject &body)
{
    const bool all = body.value("all"_L1).toBool(false);
    const QJsonValue ids = body.value("ids"_L1);
    if (!all && !ids.isArray())
        return Error::badRequest(u"give ids (an array of notification ids) or all: true"_s);
    if (!ids.isArray()) // with all: true, ids are not needed
        return ReadNotifications{{}, all};
    auto read = idsOf(ids, u"ids must be notification ids"_s);
    if (!read.ok())
        return read.error();
    return ReadNotifications{read.value(), all};
}

QJsonObject HistoryAnswer::toJson() const
{
    return {{"messages"_L1, arrayOf(messages)}, {"hasMore"_L1, hasMore}};
}

Result<HistoryAnswer> HistoryAnswer::fromJson(const QJsonObject &body)
{
    auto messages = listOf<Message>(body, "messages"_L1, Message::fromJson);
    if (!messages.ok())
        return messages.error();
    return HistoryAnswer{messages.value(), body.value("hasMore"_L1).toBool()};
}

QJsonObject ConversationAnswer::toJson() const
{
    return {{"conversation"_L1, conversation.toJson()}};
}

Result<ConversationAnswer> ConversationAnswer::fromJson(const QJsonObject &body)
{
    auto conversation = Conversation::fromJson(body.value("conversation"_L1).toObject());
    if (!conversation.ok())
        return conversation.error();
    return ConversationAnswer{conversation.value()};
}

QJsonObject ConversationsAnswer::toJson() const
{
    return {{"conversations"_L1, arrayOf(conversations)}};
}

Result<ConversationsAnswer> ConversationsAnswer::fromJson(const QJsonObject &body)
{
    auto list = listOf<Conversation>(body, "conversations"_L1, Conversation::fromJson);
    if (!list.ok())
        return list.error();
    return ConversationsAnswer{list.value()};
}

QJsonObject MessageAnswer::toJson() const
{
    return {{"message"_L1, message.toJson()}};
}

Result<MessageAnswer> MessageAnswer::fromJson(const QJsonObject &body)
{
    auto message = Message::fromJson(body.value("message"_L1).toObject());
    if (!message.ok())
        return message.error();
    return MessageAnswer{message.value()};
}

QJsonObject ReactionsAnswer::toJson() const
{
    return {{"reactions"_L1, arrayOf(reactions)}};
}

Result<ReactionsAnswer> ReactionsAnswer::fromJson(const QJsonObject &body)
{
    auto list = listOf<Reaction>(body, "reactions"_L1, Reaction::fromJson);
    if (!list.ok())
        return list.error();
    return ReactionsAnswer{list.value()};
}

QJsonObject UsersAnswer::toJson() const
{
    return {{"users"_L1, arrayOf(users)}};
}

Result<UsersAnswer> UsersAnswer::fromJson(const QJsonObject &body)
{
    auto list = listOf<User>(body, "users"_L1, User::fromJson);
    if (!list.ok())
        return list.error();
    return UsersAnswer{list.value()};
}

QJsonObject PreferencesAnswer::toJson() const
{
    return {{"preferences"_L1, preferences.toJson()}};
}

Result<PreferencesAnswer> PreferencesAnswer::fromJson(const QJsonObject &body)
{
    // The answer is complete: merged into the defaults to read it, leaving out what a
    // later server may add.
    const QJsonObject all = body.value("preferences"_L1).toObject();
    QJsonObject known;
    for (QLatin1StringView key :
         {preference::kEmailEnabled, preference::kRealtimeEnabled, preference::kEmailDelayMinutes,
          preference::kMutedConversationIds, preference::kSendReadReceipts,
          preference::kSendTypingIndicators}) {
        if (all.contains(key))
            known.insert(key, all.value(key));
    }
    auto merged = NotificationPreferences().merged(known);
    if (!merged.ok())
        return merged.error();
    return PreferencesAnswer{merged.value()};
}

QJsonObject NotificationsAnswer::toJson() const
{
    QJsonArray list;
    for (const Entry &entry : notifications) {
        QJsonObject object = entry.notification.toJson();
        object.insert("read"_L1, entry.read);
        list.append(object);
    }
    return {{"notifications"_L1, list}};
}

Result<NotificationsAnswer> NotificationsAnswer::fromJson(const QJsonObject &body)
{
    auto list = listOf<Entry>(body, "notifications"_L1, [](const QJsonObject &object) {
        auto notification = Notification::fromJson(object);
        if (!notification.ok())
            return Result<Entry>(notification.error());
        return Result<Entry>(Entry{notification.value(), object.value("read"_L1).toBool()});
    });
    if (!list.ok())
        return list.error();
    return NotificationsAnswer{list.value()};
}

QJsonObject errorBody(const Error &error)
{
    return {{"error"_L1, error.toJson()}};
}

std::optional<Error> errorOf(const QJsonObject &body)
{
    const QJsonObject error = body.value("error"_L1).toObject();
    const QString name = error.value("code"_L1).toString();
    const auto code = errorCodeFromName(name);
    if (!code)
        return std::nullopt;
    const QString message = error.value("message"_L1).toString();
    return Error{*code, message.isEmpty() ? name : message};
}

} // namespace pitchey::api
