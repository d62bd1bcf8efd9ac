#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>

namespace pitchey::server {

class WsSession;

// The open WebSocket sessions, by user. Lives on the thread that owns the sockets.
class ConnectionRegistry
{
public:
    // True when this is the user's first open connection.
    bool add(WsSession *session);
    // True when this was the user's last open connection.
    bool remove(WsSession *session);

    [[nodiscard]] bool isOnline(qint64 userId) const { return m_byUser.contains(userId); }
    [[nodiscard]] QSet<qint64> onlineUsers() const
    {
        return QSet<qint64>(m_byUser.keyBegin(), m_byUser.keyEnd());
    }
    [[nodiscard]] QList<WsSession *> sessionsOf(qint64 userId) const
    {
        return m_byUser.value(userId);
    }
    [[nodiscard]] QList<WsSession *> all() const;
    [[nodiscard]] qsizetype connectionCount() const { return m_count; }
    [[nodiscard]] qsizetype onlineUserCount() const { return m_byUser.size(); }

    // Sends one frame, serialised once, to every open connection of `userIds` but `except`.
    void sendTo(const QList<qint64> &userIds, const QByteArray &frame,
                const WsSession *except = nullptr) const;

private:
    QHash<qint64, QList<WsSession *>> m_byUser;
    qsizetype m_count = 0;
};

} // namespace pitchey::server
