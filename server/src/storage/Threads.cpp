#include "storage/Threads.h"

#include "storage/ChangeFeed.h"

using namespace Qt::StringLiterals;

namespace pitchey::server::Threads {

namespace {

constexpr int kParticipantsShown = 5;

// Rewrites the root's summary from its live replies, at a new feed position.
Status rewriteSummary(QSqlDatabase &db, qint64 rootId)
{
    auto newest = sql::exec(db,
                            u"SELECT id, created_at FROM messages WHERE thread_root_id = ? AND "
                            "deleted_at IS NULL ORDER BY id DESC LIMIT 1"_s,
                            {rootId});
    if (!newest.ok())
        return newest.error();
    QVariant lastId{QMetaType(QMetaType::LongLong)}; // NULL while no live reply is left
    QVariant lastAt{QMetaType(QMetaType::LongLong)};
    if (newest.value().next()) {
        lastId = newest.value().value(0);
        lastAt = newest.value().value(1);
    }
    auto count = sql::scalar(
        db, u"SELECT COUNT(*) FROM messages WHERE thread_root_id = ? AND deleted_at IS NULL"_s,
        {rootId});
    if (!count.ok())
        return count.error();
    auto repliers =
        sql::exec(db,
                  u"SELECT sender_id FROM messages WHERE thread_root_id = ? AND "
                  "deleted_at IS NULL GROUP BY sender_id ORDER BY MAX(id) DESC LIMIT ?"_s,
                  {rootId, kParticipantsShown});
    if (!repliers.ok())
        return repliers.error();
    QStringList participants;
    while (repliers.value().next())
        participants.append(repliers.value().value(0).toString());
    auto changeId = ChangeFeed::next(db);
    if (!changeId.ok())
        return changeId.error();
    auto written = sql::exec(
        db,
        u"UPDATE messages SET thread_reply_count = ?, thread_last_reply_id = ?, "
        "thread_last_reply_at = ?, thread_participants = ?, change_id = ? "
        "WHERE id = ?"_s,
        {count.value(), lastId, lastAt, participants.join(u','), changeId.value(), rootId});
    if (!written.ok())
        return written.error();
    return Done{};
}

Status setFollowing(QSqlDatabase &db, qint64 rootId, qint64 userId, bool following, bool keepChoice)
{
    // keepChoice: someone who stopped following stays so (the root's sender, on a reply).
    auto done = sql::exec(
        db,
        keepChoice
            ? u"INSERT INTO thread_follows (root_id, user_id, following) VALUES (?, ?, ?) "
              "ON CONFLICT (root_id, user_id) DO NOTHING"_s
            : u"INSERT INTO thread_follows (root_id, user_id, following) VALUES (?, ?, ?) "
              "ON CONFLICT (root_id, user_id) DO UPDATE SET following = excluded.following"_s,
        {rootId, userId, following ? 1 : 0});
    return done.ok() ? Status(Done{}) : Status(done.error());
}

} // namespace

Status checkRoot(QSqlDatabase &db, qint64 rootId, qint64 conversationId)
{
    auto root = sql::exec(db,
                          u"SELECT thread_root_id, deleted_at FROM messages m WHERE m.id = ? AND "
                          "m.conversation_id = ?"_s +
                              sql::lockRowClause(db, u"m"_s),
                          {rootId, conversationId});
    if (!root.ok())
        return root.error();
    if (!root.value().next())
        return Error::badRequest(u"threadRootId is not a message of this conversation"_s);
    if (!root.value().value(0).isNull())
        return Error::badRequest(u"threadRootId is itself a reply in a thread"_s);
    if (!root.value().value(1).isNull())
        return Error::conflict(u"the thread's root was deleted"_s);
    return Done{};
}

Status followMentioned(QSqlDatabase &db, qint64 rootId, qint64 messageId)
{
    auto done = sql::exec(db,
                          u"INSERT INTO thread_follows (root_id, user_id, following) "
                          "SELECT ?, user_id, 1 FROM message_mentions WHERE message_id = ? AND "
                          "direct <> 0 ON CONFLICT (root_id, user_id) DO NOTHING"_s,
                          {rootId, messageId});
    return done.ok() ? Status(Done{}) : Status(done.error());
}

Result<ReplyStored> replied(QSqlDatabase &db, qint64 rootId, qint64 replyId, qint64 senderId)
{
    auto rootSender = sql::scalar(db, u"SELECT sender_id FROM messages WHERE id = ?"_s, {rootId});
    if (!rootSender.ok())
        return rootSender.error();
    for (const Status &done :
         {setFollowing(db, rootId, senderId, true, false),
          setFollowing(db, rootId, rootSender.value(), true, true),
          followMentioned(db, rootId, rootId), followMentioned(db, rootId, replyId)}) {
        if (!done.ok())
            return done.error();
    }
    auto root = refresh(db, rootId, senderId);
    if (!root.ok())
        return root.error();
    ReplyStored result{std::move(root).value(), {}};
    auto followers =
        sql::exec(db,
                  u"SELECT f.user_id FROM thread_follows f JOIN participants p ON "
                  "p.user_id = f.user_id AND p.conversation_id = ? WHERE f.root_id = ? "
                  "AND f.following <> 0 AND f.user_id <> ? ORDER BY f.user_id"_s,
                  {result.root.message.conversationId, rootId, senderId});
    if (!followers.ok())
        return followers.error();
    while (followers.value().next())
        result.followers.append(followers.value().value(0).toLongLong());
    return result;
}

Result<ChangedMessage> refresh(QSqlDatabase &db, qint64 rootId, qint64 viewerId)
{
    if (auto rewritten = rewriteSummary(db, rootId); !rewritten.ok())
        return rewritten.error();
    auto root = MessageChanges::lockedFor(db, viewerId, rootId);
    if (!root.ok())
        return root.error();
    root.value().changed = true;
    return root;
}

Result<bool> follow(QSqlDatabase &db, qint64 userId, qint64 rootId, bool following)
{
    auto root = MessageChanges::lockedFor(db, userId, rootId);
    if (!root.ok())
        return root.error();
    if (root.value().message.threadRootId)
        return Error::badRequest(u"a reply in a thread is no thread's root"_s);
    if (auto done = setFollowing(db, rootId, userId, following, false); !done.ok())
        return done.error();
    return following;
}

QString notifiedCondition()
{
    return u"(m.thread_root_id IS NULL OR EXISTS (SELECT 1 FROM thread_follows f WHERE "
           "f.root_id = m.thread_root_id AND f.user_id = p.user_id AND f.following <> 0))"_s;
}

} // namespace pitchey::server::Threads
