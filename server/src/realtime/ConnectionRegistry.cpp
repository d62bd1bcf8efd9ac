#include "realtime/ConnectionRegistry.h"

#include "realtime/WsSession.h"

namespace pitchey::server {

bool ConnectionRegistry::add(WsSession *session)
{
    QList<WsSession *> &sessions = m_byUser[session->userId()];
    sessions.append(session);
    ++m_count;
    return sessions.size() == 1;
}

bool ConnectionRegistry::remove(WsSession *session)
{
    auto it = m_byUser.find(session->userId());
    if (it == m_byUser.end() || !it->removeOne(session))
        return false;
    --m_count;
    if (!it->isEmpty())
        return false;
    m_byUser.erase(it);
    return true;
}

QList<WsSession *> ConnectionRegistry::all() const
{
    QList<WsSession *> sessions;
    sessions.reserve(m_count);
    for (const QList<WsSession *> &list : m_byUser)
        sessions.append(list);
    return sessions;
}

void ConnectionRegistry::sendTo(const QList<qint64> &userIds, const QByteArray &utf8,
                                const WsSession *except) const
{
    const QString frame = QString::fromUtf8(utf8); // once, shared by every connection
    for (qint64 userId : userIds) {
        const auto it = m_byUser.constFind(userId);
        if (it == m_byUser.cend())
            continue;
        for (WsSession *session : *it) {
            if (session != except)
                session->send(frame);
        }
    }
}

} // namespace pitchey::server
