#pragma once

#include "http/HttpTypes.h"
#include "protocol/Frames.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>

#include <chrono>
#include <memory>

namespace pitchey::server {

class Authenticator;
class ConnectionRegistry;
class DbWorker;
class IoThreads;
class JwtService;
class MessageService;
class Metrics;
class ParticipantCache;
class RateLimiter;
class TypingTracker;
class WsSession;

// The WebSocket side of the contract: authenticates upgraded sockets, sends `connected`
// and the stored backlog, answers frames, and tells contacts about presence and typing.
class RealtimeHub : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        const JwtService &jwt;
        const Authenticator &auth;
        DbWorker &db;
        ConnectionRegistry &registry;
        ParticipantCache &participants;
        MessageService &messages;
        RateLimiter &userLimiter;
        Metrics &metrics;
        IoThreads &io;
        std::chrono::milliseconds idleTimeout;
        std::chrono::milliseconds typingExpiry;
    };

    explicit RealtimeHub(Dependencies deps, QObject *parent = nullptr);
    // One more connection of an account that has this many on this node is closed (1013).
    void setMaxConnectionsPerUser(int limit) { m_maxConnectionsPerUser = limit; }
    ~RealtimeHub() override;

    // A connection whose WebSocket handshake the front end accepted: hands it to an I/O
    // thread, and admits it once its token (the query's) and the token's account hold;
    // otherwise closes it with 1008.
    void accept(WebSocketUpgrade &&upgrade);
    // Closes every connection with 1001 (server going away).
    void closeAll();
    // The user changed their preferences: read them again when next needed.
    void forgetPreferences(qint64 userId) { m_sharesTyping.remove(userId); }

Q_SIGNALS:
    // A user's first connection opened, or their last one closed.
    void presenceChanged(qint64 userId, bool online);
    // A user's first connection on this node opened, or the last one here closed.
    void presenceChangedHere(qint64 userId, bool online);

private:
    [[nodiscard]] QList<WsSession *> sessions() const; // the registry's, as this transport's
    void admit(WsSession *session);
    // Admitted, with the change feed's position: registered, `connected`, the backlog.
    void welcome(WsSession *session,
                 qint64 latestChangeId); // the account confirmed: connected, backlog, presence
    void onFrame(WsSession *session, const frames::ParsedClientFrame &parsed);
    void forwardTyping(WsSession *session, const frames::Typing &typing);
    void onClosed(WsSession *session);
    void handle(WsSession *session, const frames::ClientFrame &frame);
    void handleTyping(WsSession *session, const frames::Typing &typing);
    void handleJoin(WsSession *session, qint64 conversationId);
    void queueDelivered(WsSession *session, qint64 messageId);
    void flushDelivered();
    struct BacklogPush;
    // The stored backlog, read in chunks and sent in pages, each page once the
    // connection's output has drained: a reading client gets all of it, however large,
    // and memory holds one chunk.
    void pushBacklog(WsSession *session, const std::shared_ptr<BacklogPush> &push);
    void sendBacklogPage(WsSession *session, const std::shared_ptr<BacklogPush> &push);
    void announcePresence(qint64 userId, const QString &username, bool online);

public:
    // Users who came online or went offline on other cluster nodes (or with a node that
    // died): their contacts here are told (every node tells its own connections).
    void announceElsewhereChange(const QList<qint64> &userIds, bool online);

private:
    void broadcastTyping(qint64 conversationId, qint64 userId, bool isTyping);
    static void refuse(WsSession *session, const Error &error,
                       const QJsonValue &ref = QJsonValue::Null);
    // A request's callback: its failure answered to `session` (unless closed by then) with
    // an error frame carrying the frame's ref (its clientMessageId or clientRequestId).
    template<typename T>
    static auto refusedWith(WsSession *session, const frames::ClientFrame &frame);

    Dependencies m_deps;
    std::unique_ptr<TypingTracker> m_typing;
    QTimer m_heartbeat;
    // message_delivered frames of one pass of the event loop, stored in one database job.
    struct PendingAck
    {
        QPointer<WsSession> session;
        qint64 userId;
        qint64 messageId;
    };
    QList<PendingAck> m_pendingAcks;
    QTimer m_flushAcks;
    QHash<qint64, bool> m_sharesTyping; // user -> sendTypingIndicators, as last read
    int m_maxConnectionsPerUser = 20;
};

} // namespace pitchey::server
