#include "rest/ConversationHandlers.h"

#include "base/Async.h"
#include "messaging/MessageService.h"
#include "messaging/ParticipantCache.h"
#include "presence/ConnectionRegistry.h"
#include "protocol/Api.h"
#include "protocol/Frames.h"
#include "protocol/Validation.h"
#include "storage/ChangeFeed.h"
#include "storage/ConversationRepository.h"
#include "storage/DbWorker.h"
#include "storage/MessageRepository.h"

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

constexpr qsizetype kMaxTitle = 128;

} // namespace

ConversationHandlers::ConversationHandlers(DbWorker &db, const ConnectionRegistry &registry,
                                           ParticipantCache &participants, MessageService &messages,
                                           QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_registry(registry)
    , m_participants(participants)
    , m_messages(messages)
{}

QList<Route> ConversationHandlers::routes()
{
    using A = Route::Access;
    return {
        Route::make("GET", api::kConversationsPath, A::ByToken, false,
                    [this](const Call &c) { list(c); }),
        Route::make("POST", api::kConversationsPath, A::ByToken, true,
                    [this](const Call &c) { create(c); }),
        Route::make("POST", api::kSendPath, A::ByToken, true, [this](const Call &c) { send(c); }),
        Route::make("GET", api::kHistoryPattern, A::ByToken, false,
                    [this](const Call &c) { history(c); }),
        Route::make("GET", api::kChangesPath, A::ByToken, false,
                    [this](const Call &c) { changes(c); }),
    };
}

void ConversationHandlers::prepare(Conversation &conversation) const
{
    QList<qint64> ids;
    for (User &user : conversation.participants) {
        user.online = m_registry.isOnline(user.id);
        ids.append(user.id);
    }
    m_participants.remember(conversation.id, ids);
}

void ConversationHandlers::list(const Call &call)
{
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submit<QList<Conversation>>([userId](QSqlDatabase &db) {
        return ConversationRepository::listFor(db, userId);
    }),
              this, [this, call](Result<QList<Conversation>> conversations) {
                  if (!conversations.ok())
                      return call.reply.error(conversations.error());
                  api::ConversationsAnswer answer{conversations.value()};
                  for (Conversation &conversation : answer.conversations)
                      prepare(conversation);
                  call.reply.json(200, answer.toJson());
              });
}

void ConversationHandlers::create(const Call &call)
{
    const auto read = api::NewConversation::fromJson(call.body);
    if (!read.ok())
        return call.reply.error(read.error());
    const api::NewConversation &wanted = read.value();
    if (wanted.title && codePointCount(*wanted.title) > kMaxTitle)
        return call.reply.error(
            Error::badRequest(u"title is longer than %1 characters"_s.arg(kMaxTitle)));

    const qint64 userId = call.caller.userId;
    struct Made
    {
        Conversation conversation;
        bool created = false;
    };
    whenReady(m_db.submit<Made>([userId, wanted](QSqlDatabase &db) -> Result<Made> {
        auto made =
            ConversationRepository::findOrCreate(db, userId, wanted.participantIds, wanted.title);
        if (!made.ok())
            return made.error();
        auto listed = ConversationRepository::listFor(db, userId, made.value().conversationId);
        if (!listed.ok() || listed.value().isEmpty())
            return Error::internal(u"database error"_s);
        return Made{listed.value().constFirst(), made.value().created};
    }),
              this, [this, call](Result<Made> made) {
                  if (!made.ok())
                      return call.reply.error(made.error());
                  api::ConversationAnswer answer{made.value().conversation};
                  prepare(answer.conversation);
                  call.reply.json(made.value().created ? 201 : 200, answer.toJson());
              });
}

void ConversationHandlers::history(const Call &call)
{
    const auto conversationId = parseId(call.captures.value(0));
    if (!conversationId)
        return call.reply.error(Error::badRequest(u"conversation id must be a positive integer"_s));
    const auto query = api::HistoryQuery::fromQuery(call.request.query);
    if (!query.ok())
        return call.reply.error(query.error());
    const MessageRepository::HistoryQuery range{query.value().before, query.value().after,
                                                query.value().limit, query.value().threadRootId,
                                                query.value().mainOnly};
    const qint64 userId = call.caller.userId;
    whenReady(
        m_db.submitFor<HistoryPage>(*conversationId,
                                    [id = *conversationId, userId, range](QSqlDatabase &db) {
                                        return MessageRepository::historyFor(db, id, userId, range);
                                    }),
        this, [call](Result<HistoryPage> page) {
            if (!page.ok())
                return call.reply.error(page.error());
            call.reply.json(
                200, api::HistoryAnswer{page.value().messages, page.value().hasMore}.toJson());
        });
}

void ConversationHandlers::changes(const Call &call)
{
    const auto query = api::ChangesQuery::fromQuery(call.request.query);
    if (!query.ok())
        return call.reply.error(query.error());
    const qint64 userId = call.caller.userId;
    whenReady(m_db.submitFor<ChangeFeed::Page>(userId,
                                               [userId, q = query.value()](QSqlDatabase &db) {
                                                   return ChangeFeed::changesFor(db, userId,
                                                                                 q.since, q.limit);
                                               }),
              this, [call](Result<ChangeFeed::Page> page) {
                  if (!page.ok())
                      return call.reply.error(page.error());
                  const ChangeFeed::Page &p = page.value();
                  call.reply.json(
                      200, api::ChangesAnswer{p.messages, p.latestChangeId, p.hasMore}.toJson());
              });
}

void ConversationHandlers::send(const Call &call)
{
    auto send = frames::parseSendMessage(call.body);
    if (!send.ok())
        return call.reply.error(send.error());
    m_messages.send(call.caller.userId, send.value(), nullptr,
                    [call](const Result<StoredMessage> &stored) {
                        if (!stored.ok())
                            return call.reply.error(stored.error());
                        call.reply.json(stored.value().duplicate ? 200 : 201,
                                        api::MessageAnswer{stored.value().message}.toJson());
                    });
}

} // namespace pitchey::server
