#include "storage/Reactions.h"

#include "storage/ChangeFeed.h"
#include "storage/MessageChanges.h"
#include "storage/NotificationRepository.h"

#include <QSet>

using namespace Qt::StringLiterals;

namespace pitchey::server::Reactions {

namespace {

constexpr qsizetype kChunk = 500;
constexpr qsizetype kUserIdsShown = 10;
constexpr qint64 kCoalesceMs = 60'000; // reactions within this share one notification
constexpr qsizetype kExcerptLength = 60;

struct Stored
{
    qint64 id = 0;
    qint64 createdAt = 0;
};

Result<std::optional<Stored>> storedNotification(QSqlDatabase &db, qint64 messageId)
{
    auto row =
        sql::exec(db, u"SELECT id, created_at FROM reaction_notifications WHERE message_id = ?"_s,
                  {messageId});
    if (!row.ok())
        return row.error();
    if (!row.value().next())
        return std::optional<Stored>{};
    return std::optional<Stored>{
        Stored{row.value().value(0).toLongLong(), row.value().value(1).toLongLong()}};
}

// The sender's reaction notification: "Bob" (or "Bob in Team"), "👍 ❤️ on “the text”",
// with the emoji others reacted with; nullopt when they muted the conversation or turned
// real-time notifications off.
Result<std::optional<Notification>> describe(QSqlDatabase &db, const Message &message,
                                             qint64 reactorId, const ReactionTallies &tallies)
{
    auto row = sql::exec(
        db,
        u"SELECT %1, CASE WHEN EXISTS (SELECT 1 FROM muted_conversations mc WHERE mc.user_id = ? "
        "AND mc.conversation_id = c.id) OR COALESCE((SELECT np.realtime_enabled FROM "
        "notification_preferences np WHERE np.user_id = ?), 1) = 0 THEN 0 ELSE 1 END "
        "FROM users s JOIN conversations c ON c.id = ? WHERE s.id = ?"_s.arg(
            NotificationRepository::titleColumn()),
        {message.senderId, message.senderId, message.conversationId, reactorId});
    if (!row.ok())
        return row.error();
    if (!row.value().next() || row.value().value(1).toInt() == 0)
        return std::optional<Notification>{};
    QStringList emoji;
    for (const ReactionTally &tally : tallies) {
        if (tally.userIds.size() > 1 || tally.userIds.constFirst() != message.senderId)
            emoji.append(tally.emoji);
    }
    QString excerpt = message.content.simplified();
    if (excerpt.size() > kExcerptLength)
        excerpt = excerpt.left(kExcerptLength - 1) + u'\u2026';
    Notification notification;
    notification.kind = u"reaction"_s;
    notification.title = row.value().value(0).toString();
    notification.body = u"%1 on \u201c%2\u201d"_s.arg(emoji.join(u' '), excerpt);
    notification.conversationId = message.conversationId;
    notification.messageId = message.id;
    return std::optional<Notification>{notification};
}

// After `react` changed `tallies`: the sender's notification made or updated (a reaction
// by someone else), or taken back (nobody else's reaction left).
Status notifySender(QSqlDatabase &db, const React &react, const ReactionTallies &tallies,
                    Reacted &result)
{
    const Message &message = result.changed.message;
    auto stored = storedNotification(db, message.id);
    if (!stored.ok())
        return stored.error();
    if (!react.on) {
        const bool othersLeft = std::any_of(tallies.cbegin(), tallies.cend(), [&](const auto &t) {
            return t.userIds.size() > 1 || t.userIds.constFirst() != message.senderId;
        });
        if (othersLeft || !stored.value())
            return Done{};
        result.revoked = stored.value()->id + kNotificationIdBase;
        auto gone = sql::exec(db, u"DELETE FROM reaction_notifications WHERE id = ?"_s,
                              {stored.value()->id});
        return gone.ok() ? Status(Done{}) : Status(gone.error());
    }
    if (react.userId == message.senderId)
        return Done{};
    std::optional<Stored> current = stored.value();
    if (!current || react.now - current->createdAt >= kCoalesceMs) {
        // A new notification (a new id) replaces the one of an earlier minute.
        auto replaced = sql::exec(db, u"DELETE FROM reaction_notifications WHERE message_id = ?"_s,
                                  {message.id});
        if (!replaced.ok())
            return replaced.error();
        auto made =
            sql::exec(db,
                      u"INSERT INTO reaction_notifications (message_id, user_id, created_at) "
                      "VALUES (?, ?, ?) RETURNING id"_s,
                      {message.id, message.senderId, react.now});
        if (!made.ok())
            return made.error();
        if (!made.value().next())
            return Error::internal(u"no reaction notification id"_s);
        current = Stored{made.value().value(0).toLongLong(), react.now};
    }
    auto described = describe(db, message, react.userId, tallies);
    if (!described.ok())
        return described.error();
    if (described.value()) {
        result.notification = *described.value();
        result.notification->id = current->id + kNotificationIdBase;
        result.notification->createdAt = react.now;
    }
    return Done{};
}

} // namespace

QList<Reaction> forViewer(const ReactionTallies &tallies, qint64 viewerId)
{
    QList<Reaction> reactions;
    reactions.reserve(tallies.size());
    for (const ReactionTally &tally : tallies)
        reactions.append({tally.emoji, tally.userIds.size(),
                          tally.userIds.first(std::min(kUserIdsShown, tally.userIds.size())),
                          tally.userIds.contains(viewerId)});
    return reactions;
}

Result<QHash<qint64, ReactionTallies>> load(QSqlDatabase &db, const QList<qint64> &messageIds)
{
    QHash<qint64, ReactionTallies> tallies;
    for (qsizetype start = 0; start < messageIds.size(); start += kChunk) {
        const QList<qint64> chunk = messageIds.mid(start, kChunk);
        QVariantList args;
        for (const qint64 id : chunk)
            args.append(id);
        // In row order: an emoji's first row is its place among the message's emoji.
        auto rows = sql::exec(db,
                              u"SELECT message_id, emoji, user_id FROM message_reactions "
                              "WHERE message_id IN (%1) ORDER BY message_id, id"_s.arg(
                                  sql::placeholders(chunk.size())),
                              args);
        if (!rows.ok())
            return rows.error();
        while (rows.value().next()) {
            ReactionTallies &message = tallies[rows.value().value(0).toLongLong()];
            const QString emoji = rows.value().value(1).toString();
            auto tally = std::find_if(message.begin(), message.end(),
                                      [&](const ReactionTally &t) { return t.emoji == emoji; });
            if (tally == message.end())
                tally = message.insert(message.end(), ReactionTally{emoji, {}});
            tally->userIds.append(rows.value().value(2).toLongLong());
        }
    }
    return tallies;
}

Status attach(QSqlDatabase &db, QList<Message> &messages, qint64 viewerId)
{
    QList<qint64> ids;
    for (const Message &message : std::as_const(messages)) {
        if (!message.deletedAt)
            ids.append(message.id);
    }
    if (ids.isEmpty())
        return Done{};
    auto tallies = load(db, ids);
    if (!tallies.ok())
        return tallies.error();
    if (tallies.value().isEmpty())
        return Done{};
    for (Message &message : messages) {
        const auto found = tallies.value().constFind(message.id);
        if (found != tallies.value().cend())
            message.reactions = forViewer(*found, viewerId);
    }
    return Done{};
}

Result<Reacted> react(QSqlDatabase &db, const React &react)
{
    auto locked = MessageChanges::lockedFor(db, react.userId, react.messageId);
    if (!locked.ok())
        return locked.error();
    Reacted result{std::move(locked).value(), {}, {}};
    ReactionTallies &tallies = result.changed.tallies;
    Message &message = result.changed.message;
    if (message.deletedAt)
        return Error::conflict(u"the message was deleted"_s, {{"current"_L1, message.toJson()}});
    const auto tally = std::find_if(tallies.cbegin(), tallies.cend(),
                                    [&](const ReactionTally &t) { return t.emoji == react.emoji; });
    const bool mine = tally != tallies.cend() && tally->userIds.contains(react.userId);
    if (react.on == mine) // idempotent: nothing to store, nothing to tell
        return result;
    if (react.on && tally == tallies.cend() && tallies.size() >= react.maxDistinct)
        return Error::badRequest(
            u"a message carries at most %1 different emoji"_s.arg(react.maxDistinct));

    auto written = react.on
                       ? sql::exec(db,
                                   u"INSERT INTO message_reactions (message_id, emoji, user_id, "
                                   "created_at) VALUES (?, ?, ?, ?)"_s,
                                   {message.id, react.emoji, react.userId, react.now})
                       : sql::exec(db,
                                   u"DELETE FROM message_reactions WHERE message_id = ? AND "
                                   "emoji = ? AND user_id = ?"_s,
                                   {message.id, react.emoji, react.userId});
    if (!written.ok())
        return written.error();
    auto changeId = ChangeFeed::next(db);
    if (!changeId.ok())
        return changeId.error();
    message.changeId = changeId.value();
    auto moved = sql::exec(db, u"UPDATE messages SET change_id = ? WHERE id = ?"_s,
                           {message.changeId, message.id});
    if (!moved.ok())
        return moved.error();
    auto after = load(db, {message.id});
    if (!after.ok())
        return after.error();
    tallies = after.value().value(message.id);
    message.reactions = forViewer(tallies, react.userId);
    result.changed.changed = true;
    if (auto told = notifySender(db, react, tallies, result); !told.ok())
        return told.error();
    return result;
}

Result<std::optional<qint64>> removeAll(QSqlDatabase &db, qint64 messageId)
{
    auto stored = storedNotification(db, messageId);
    if (!stored.ok())
        return stored.error();
    for (const QString &statement :
         {u"DELETE FROM message_reactions WHERE message_id = ?"_s,
          u"DELETE FROM reaction_notifications WHERE message_id = ?"_s}) {
        if (auto done = sql::exec(db, statement, {messageId}); !done.ok())
            return done.error();
    }
    if (!stored.value())
        return std::optional<qint64>{};
    return std::optional<qint64>{stored.value()->id + kNotificationIdBase};
}

} // namespace pitchey::server::Reactions
