#include "rest/MessageHandlers.h"

#include "base/Async.h"
#include "messaging/MessageService.h"
#include "protocol/Api.h"
#include "protocol/Frames.h"
#include "protocol/Validation.h"
#include "storage/DbWorker.h"
#include "storage/MessageChanges.h"
#include "storage/Threads.h"

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

std::optional<qint64> messageIdOf(const Call &call)
{
    const auto id = parseId(call.captures.value(0));
    if (!id)
        call.reply.error(Error::notFound(u"no such message"_s));
    return id;
}

} // namespace

MessageHandlers::MessageHandlers(DbWorker &db, MessageService &messages, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_messages(messages)
{}

QList<Route> MessageHandlers::routes()
{
    using A = Route::Access;
    return {
        Route::make("PATCH", api::kMessagePattern, A::ByToken, true,
                    [this](const Call &c) { edit(c); }),
        Route::make("DELETE", api::kMessagePattern, A::ByToken, false,
                    [this](const Call &c) { remove(c); }),
        Route::make("GET", api::kMessageVersionsPattern, A::ByToken, false,
                    [this](const Call &c) { versions(c); }),
        Route::make("PUT", api::kFollowPattern, A::ByToken, false,
                    [this](const Call &c) { follow(c, true); }),
        Route::make("DELETE", api::kFollowPattern, A::ByToken, false,
                    [this](const Call &c) { follow(c, false); }),
        Route::make("PUT", api::kReactionPattern, A::ByToken, false,
                    [this](const Call &c) { react(c, true); }),
        Route::make("DELETE", api::kReactionPattern, A::ByToken, false,
                    [this](const Call &c) { react(c, false); }),
    };
}

void MessageHandlers::edit(const Call &call)
{
    const auto messageId = messageIdOf(call);
    if (!messageId)
        return;
    auto edit = frames::parseEditMessage(call.body, *messageId);
    if (!edit.ok())
        return call.reply.error(edit.error());
    edit.value().clientRequestId.reset(); // a WebSocket's; over HTTP there is no one to echo to
    m_messages.edit(call.caller.userId, edit.value(), nullptr,
                    [call](const Result<ChangedMessage> &edited) {
                        if (!edited.ok())
                            return call.reply.error(edited.error());
                        call.reply.json(200, api::MessageAnswer{edited.value().message}.toJson());
                    });
}

void MessageHandlers::remove(const Call &call)
{
    const auto messageId = messageIdOf(call);
    if (!messageId)
        return;
    m_messages.remove(call.caller.userId, {*messageId, std::nullopt}, nullptr,
                      [call](const Result<DeletedMessage> &deleted) {
                          if (!deleted.ok())
                              return call.reply.error(deleted.error());
                          call.reply.json(
                              200, api::MessageAnswer{deleted.value().tombstone.message}.toJson());
                      });
}

void MessageHandlers::react(const Call &call, bool on)
{
    const auto messageId = messageIdOf(call);
    if (!messageId)
        return;
    const QString emoji = call.captures.value(1); // percent-decoded with the path
    if (auto invalid = validateEmoji(emoji))
        return call.reply.error(*invalid);
    m_messages.react(
        call.caller.userId, {*messageId, emoji, on, std::nullopt}, nullptr,
        [call](const Result<Reactions::Reacted> &reacted) {
            if (!reacted.ok())
                return call.reply.error(reacted.error());
            call.reply.json(
                200, api::ReactionsAnswer{reacted.value().changed.message.reactions}.toJson());
        });
}

void MessageHandlers::follow(const Call &call, bool following)
{
    const auto messageId = messageIdOf(call);
    if (!messageId)
        return;
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submitFor<bool>(userId,
                                   [userId, id = *messageId, following](QSqlDatabase &db) {
                                       return Threads::follow(db, userId, id, following);
                                   }),
              this, [call](Result<bool> now) {
                  if (!now.ok())
                      return call.reply.error(now.error());
                  call.reply.json(200, api::FollowAnswer{now.value()}.toJson());
              });
}

void MessageHandlers::versions(const Call &call)
{
    const auto messageId = messageIdOf(call);
    if (!messageId)
        return;
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submitFor<QList<MessageVersion>>(userId,
                                                    [userId, id = *messageId](QSqlDatabase &db) {
                                                        return MessageChanges::versions(db, userId,
                                                                                        id);
                                                    }),
              this, [call](Result<QList<MessageVersion>> versions) {
                  if (!versions.ok())
                      return call.reply.error(versions.error());
                  api::VersionsAnswer answer;
                  for (const MessageVersion &v : versions.value())
                      answer.versions.append({v.version, v.content, v.editedAt});
                  call.reply.json(200, answer.toJson());
              });
}

} // namespace pitchey::server
