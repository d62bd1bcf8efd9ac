#include "rest/RestApi.h"

#include "rest/AuthHandlers.h"
#include "rest/ConversationHandlers.h"
#include "rest/MediaHandlers.h"
#include "rest/MessageHandlers.h"
#include "rest/NotificationHandlers.h"
#include "rest/Router.h"
#include "rest/UserHandlers.h"

namespace pitchey::server {

RestApi::RestApi(Dependencies deps, QObject *parent)
    : QObject(parent)
    , m_operations(new OperationsHandlers(deps.db, deps.registry, deps.metrics, this))
    , m_auth(new AuthHandlers(deps.jwt, deps.hasher, deps.db, deps.registry, this))
    , m_conversations(
          new ConversationHandlers(deps.db, deps.registry, deps.participants, deps.messages, this))
    , m_messages(new MessageHandlers(deps.db, deps.messages, this))
    , m_media(new MediaHandlers(deps.media, this))
    , m_users(new UserHandlers(deps.db, deps.registry, this))
    , m_notifications(new NotificationHandlers(deps.db, deps.secret, this))
{
    const Router::Dependencies checks{deps.auth, deps.apiLimiter, deps.downloadLimiter,
                                      deps.authLimiter, deps.metrics};
    m_router = new Router(checks,
                          m_operations->routes() + m_auth->routes() + m_conversations->routes() +
                              m_messages->routes() + m_media->routes() + m_notifications->routes() +
                              m_users->routes(),
                          this);
    m_operationsRouter = new Router(checks, m_operations->operationRoutes(), this);
    connect(m_notifications, &NotificationHandlers::preferencesChanged, this,
            &RestApi::preferencesChanged);
}

void RestApi::handle(const HttpRequest &request, const HttpReply &reply)
{
    m_router->dispatch(request, reply);
}

void RestApi::handleOperations(const HttpRequest &request, const HttpReply &reply)
{
    m_operationsRouter->dispatch(request, reply);
}

void RestApi::setMetricsAccess(MetricsAccess access, const QByteArray &token)
{
    m_operations->setMetricsAccess(access, token);
}

} // namespace pitchey::server
