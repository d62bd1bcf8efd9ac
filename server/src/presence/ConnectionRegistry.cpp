#include "presence/ConnectionRegistry.h"

#include "presence/ClientSession.h"

namespace pitchey::server {

bool ConnectionRegistry::add(ClientSession *session)
{
    QList<ClientSession *> &sessions = m_byUser[session->userId()];
    sessions.append(session);
    ++m_count;
    return sessions.size() == 1;
}

bool ConnectionRegistry::remove(ClientSession *session)
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

QList<ClientSession *> ConnectionRegistry::all() const
{
    QList<ClientSession *> sessions;
    sessions.reserve(m_count);
    for (const QList<ClientSession *> &list : m_byUser)
        sessions.append(list);
    return sessions;
}

QSet<qint64> ConnectionRegistry::onlineUsers() const
{
    QSet<qint64> users(m_byUser.keyBegin(), m_byUser.keyEnd());
    for (auto it = m_elsewhere.cbegin(); it != m_elsewhere.cend(); ++it)
        users.insert(it.key());
    return users;
}

void ConnectionRegistry::sendTo(const QList<qint64> &userIds, const QByteArray &utf8,
                                const ClientSession *except) const
{
    sendHere(userIds, utf8, except); // one copy, shared by every connection
    if (m_forward)
        m_forward(userIds, utf8);
}

void ConnectionRegistry::sendHere(const QList<qint64> &userIds, const QByteArray &frame,
                                  const ClientSession *except) const
{
    for (qint64 userId : userIds) {
        const auto it = m_byUser.constFind(userId);
        if (it == m_byUser.cend())
            continue;
        for (ClientSession *session : *it) {
            if (session != except)
                session->send(frame);
        }
    }
}

qsizetype ConnectionRegistry::sendMessageHere(const QList<qint64> &userIds, qint64 messageId,
                                              const QByteArray &frame,
                                              const ClientSession *except) const
{
    qsizetype delivered = 0;
    for (qint64 userId : userIds) {
        const auto it = m_byUser.constFind(userId);
        if (it == m_byUser.cend())
            continue;
        for (ClientSession *session : *it) {
            if (session != except) {
                session->sendMessage(messageId, frame);
                ++delivered;
            }
        }
    }
    return delivered;
}

void ConnectionRegistry::setOnlineElsewhere(qint64 userId, const QString &node, bool online)
{
    if (online) {
        m_elsewhere[userId].insert(node);
        return;
    }
    const auto it = m_elsewhere.find(userId);
    if (it == m_elsewhere.end())
        return;
    it->remove(node);
    if (it->isEmpty())
        m_elsewhere.erase(it);
}

QList<qint64> ConnectionRegistry::forgetNode(const QString &node)
{
    QList<qint64> gone;
    for (auto it = m_elsewhere.begin(); it != m_elsewhere.end();) {
        if (it->remove(node) && it->isEmpty()) {
            if (!m_byUser.contains(it.key()))
                gone.append(it.key());
            it = m_elsewhere.erase(it);
        } else {
            ++it;
        }
    }
    return gone;
}

} // namespace pitchey::server
