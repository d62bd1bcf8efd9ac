#pragma once

#include "protocol/Result.h"
#include "storage/DatabaseUrl.h"
#include "storage/MessageRepository.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTimer>

#include <atomic>
#include <chrono>

namespace pitchey::server {

class ConnectionRegistry;
class DbWorker;

// Several pitchey-server nodes on one PostgreSQL act as one: what one node sends to users
// (frames, new messages) reaches the connections the other nodes hold, and each node knows
// who is online elsewhere. Events go out with NOTIFY from a database thread, inside a
// transaction (so in commit order, and only when committed): a new message inside the very
// transaction that stores it, everything else in the order this node published it (lane 0
// of the pool). They come in on a connection of their own that LISTENs on the socket
// thread. An event too big for NOTIFY's 8,000 bytes is stored in cluster_events and sent
// as a reference.
//
// Each node sends a heartbeat; a node silent for `timeout` is taken for dead and its
// users, unless online elsewhere, go offline. A node that stops cleanly says so at once.
// Presence frames are not forwarded: every node turns changes it sees into user_online /
// user_offline for its own connections (presenceChanged).
class ClusterBus : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        DatabaseUrl url;
        std::chrono::milliseconds heartbeat{5000};
        std::chrono::milliseconds timeout{30000};
    };

    ClusterBus(DbWorker &db, ConnectionRegistry &registry, Settings settings,
               QObject *parent = nullptr);
    ~ClusterBus() override;

    // Connects the listener and asks the other nodes who is online with them.
    [[nodiscard]] Status start();
    // Tells the other nodes that this one is gone (its users go offline there).
    void leave();
    [[nodiscard]] QString nodeId() const { return m_node; }

    // Frames and messages go out once another node has been heard: a node alone (the one
    // server of a PostgreSQL deployment) pays nothing for the cluster. From then on they go
    // out for the node's lifetime, even while every other node is silent: a database
    // outage longer than `timeout` silences them all, and what was stored meanwhile must
    // still reach them when they are back. A joining node asks for the others (sync) before
    // it accepts connections.
    void publishFrame(const QList<qint64> &userIds, const QByteArray &frame);
    // On a database thread, inside the transaction that stored the message.
    [[nodiscard]] Status publishMessageIn(QSqlDatabase &db, const StoredMessage &stored);
    // A user's first connection on this node opened, or the last one closed.
    void publishPresence(qint64 userId, bool online);

Q_SIGNALS:
    // Users whose presence changed cluster-wide through another node: they came online
    // (were online nowhere before), or went offline everywhere (also when their node died).
    void presenceChanged(const QList<qint64> &userIds, bool online);
    // A message another node stored, for this node's connections of `userIds`.
    void messageArrived(const QList<qint64> &userIds, qint64 conversationId, qint64 messageId,
                        qint64 previousId, const QByteArray &frame);
    // The listener's connection died (found by the heartbeat's probe): events published
    // until it is back are not heard here. Restored: it listens again (retried every
    // 250 ms meanwhile), and what was missed must be caught up from the database.
    void listenerLost();
    void listenerRestored();

private:
    void publish(QJsonObject event);
    // Sends one event (stamped with this node and a sequence number) in db's transaction.
    [[nodiscard]] Status notify(QSqlDatabase &db, QJsonObject event);
    void heard(const QString &node);
    [[nodiscard]] bool connectListener(bool quiet = false);
    [[nodiscard]] bool listenerAlive();
    void reconnectListener();
    void onNotification(const QString &channel, QSqlDriver::NotificationSource source,
                        const QVariant &payload);
    void handle(const QJsonObject &event);
    void setOnline(const QList<qint64> &userIds, const QString &node, bool online);
    void tick();
    void forget(const QString &node);

    DbWorker &m_db;
    ConnectionRegistry &m_registry;
    Settings m_settings;
    QString m_node;
    QString m_connectionName;
    QSqlDatabase m_listener;
    QTimer m_heartbeat;
    QTimer m_reconnect;
    bool m_listenerDown = false;
    QHash<QString, QElapsedTimer> m_lastHeard; // other nodes
    std::atomic<bool> m_othersKnown{false};    // another node was ever heard; for database threads
    std::atomic<quint64> m_sequence{0};
};

} // namespace pitchey::server
