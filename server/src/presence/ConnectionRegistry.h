#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>

namespace pitchey::server {

class ClientSession;

// The open client sessions (WebSocket connections), by user. Lives on the thread that owns the
// sockets.
class ConnectionRegistry
{
public:
    // True when this is the user's first open connection.
    bool add(ClientSession *session);
    // True when this was the user's last open connection.
    bool remove(ClientSession *session);

    // Online here or, in a cluster, on another node.
    [[nodiscard]] bool isOnline(qint64 userId) const
    {
        return m_byUser.contains(userId) || m_elsewhere.contains(userId);
    }
    [[nodiscard]] bool isOnlineHere(qint64 userId) const { return m_byUser.contains(userId); }
    [[nodiscard]] bool isOnlineElsewhere(qint64 userId) const
    {
        return m_elsewhere.contains(userId);
    }
    [[nodiscard]] QSet<qint64> onlineUsers() const; // here and elsewhere
    [[nodiscard]] QList<qint64> onlineHere() const { return m_byUser.keys(); }
    [[nodiscard]] QList<ClientSession *> sessionsOf(qint64 userId) const
    {
        return m_byUser.value(userId);
    }
    [[nodiscard]] QList<ClientSession *> all() const;
    [[nodiscard]] qsizetype connectionCount() const { return m_count; }
    [[nodiscard]] qsizetype onlineUserCount() const { return m_byUser.size(); }

    // Sends one frame, serialised once, to every open connection of `userIds` but `except`:
    // here, and through the cluster to the other nodes' connections.
    void sendTo(const QList<qint64> &userIds, const QByteArray &frame,
                const ClientSession *except = nullptr) const;
    // Only to this node's connections (what arrives from the cluster, or what every node
    // works out for itself).
    void sendHere(const QList<qint64> &userIds, const QByteArray &frame,
                  const ClientSession *except = nullptr) const;
    // new_message to this node's connections (held back by sessions still receiving their
    // backlog); returns how many got it. (A cluster's nodes hear of new messages from the
    // transaction that stores them: MessageService.)
    qsizetype sendMessageHere(const QList<qint64> &userIds, qint64 messageId,
                              const QByteArray &frame, const ClientSession *except = nullptr) const;

    // A cluster (PostgreSQL) passes sendTo()'s frames on to the other nodes through this.
    using Forward = std::function<void(const QList<qint64> &userIds, const QByteArray &frame)>;
    void setForward(Forward forward) { m_forward = std::move(forward); }

    // Users online on other nodes, by node.
    void setOnlineElsewhere(qint64 userId, const QString &node, bool online);
    // Forgets a node; returns its users who are now online nowhere.
    QList<qint64> forgetNode(const QString &node);

private:
    QHash<qint64, QList<ClientSession *>> m_byUser;
    QHash<qint64, QSet<QString>> m_elsewhere;
    qsizetype m_count = 0;
    Forward m_forward;
};

} // namespace pitchey::server
