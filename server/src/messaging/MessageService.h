#pragma once

#include "messaging/MessageSequencer.h"
#include "protocol/Frames.h"
#include "storage/MessageChanges.h"
#include "storage/MessageRepository.h"
#include "storage/Reactions.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <functional>

namespace pitchey::server {

class ConnectionRegistry;
class DbWorker;
class Metrics;
class ParticipantCache;
class ClientSession;

// Messages and their receipts, for both front ends: stores through the database pool and,
// once the commit is done, tells every open connection concerned, then calls `done`.
// Each conversation's messages reach this node's connections in commit order (which is id
// order, see MessageRepository::store) through a MessageSequencer, whether they were stored
// here or, in a cluster, by another node.
class MessageService : public QObject
{
    Q_OBJECT

public:
    template<typename T> using Done = std::function<void(const Result<T> &)>;

    MessageService(DbWorker &db, ConnectionRegistry &registry, ParticipantCache &participants,
                   Metrics &metrics, QObject *parent = nullptr);

    // `origin` is the WebSocket session that sent it (it gets message_sent, not new_message);
    // nullptr for HTTP, where every connection gets new_message.
    void send(qint64 senderId, const frames::SendMessage &send, ClientSession *origin,
              Done<StoredMessage> done);
    // Many acknowledgements in one database job (a recipient acknowledges every message it
    // receives, so these are as frequent as deliveries); `done` gets one result per ack.
    using Ack = MessageRepository::Ack;
    using DeliveryResults = MessageRepository::DeliveryResults;
    void markDeliveredMany(const QList<Ack> &acks,
                           std::function<void(const DeliveryResults &)> done);
    void markRead(qint64 userId, qint64 messageId, ClientSession *origin,
                  Done<std::optional<ReadReceipt>> done);
    // Version 2: an edit by the message's sender. Once committed, every connection of every
    // participant gets message_updated ("edited"), `origin` with its clientRequestId as
    // `ref`; an edit that changes nothing is stored nowhere and told to `origin` alone.
    // Those the edit newly mentions get the message's notification (kind "mention"), those
    // it no longer mentions notification_revoked.
    void edit(qint64 editorId, const frames::EditMessage &edit, ClientSession *origin,
              Done<ChangedMessage> done);
    // Version 2: a delete by the message's sender. Once committed: message_updated
    // ("deleted") as for an edit, notification_revoked to the other participants, and
    // conversation_updated to each participant whose conversation changed. Deleting a
    // tombstone again tells `origin` alone.
    void remove(qint64 userId, const frames::DeleteMessage &remove, ClientSession *origin,
                Done<DeletedMessage> done);
    // Version 2: a reaction added or taken back. Once committed: message_updated
    // ("reactions") as for an edit, each participant seeing its own `me`; the sender's
    // reaction notification (a new one, or the same id again within a minute), or its
    // notification_revoked once nobody else's reaction is left.
    void react(qint64 userId, const frames::React &react, ClientSession *origin,
               Done<Reactions::Reacted> done);
    // How long after sending a message may be edited (zero: always); edit-window.
    void setEditWindow(std::chrono::milliseconds window) { m_editWindow = window; }
    // Distinct emoji on one message; max-reactions-per-message.
    void setMaxReactions(int distinct) { m_maxReactions = distinct; }
    // Distinct users one message may mention; max-mentions-per-message.
    void setMaxMentions(int users) { m_maxMentions = users; }
    // Files one message may carry; max-attachments-per-message.
    void setMaxAttachments(int files) { m_maxAttachments = files; }

    // A cluster publishes each new message inside the transaction that stores it (so the
    // other nodes hear of a conversation's messages in commit order); runs on a database
    // thread.
    using PublishInTransaction = std::function<Status(QSqlDatabase &, const StoredMessage &)>;
    void setClusterPublisher(PublishInTransaction publish)
    {
        m_publishInTransaction = std::move(publish);
    }
    // Beyond this many database jobs waiting, send() refuses with rate_limited (0: never).
    void setMaxDbBacklog(qint64 jobs) { m_maxDbBacklog = jobs; }
    // A new message another node stored.
    void deliverFromCluster(const QList<qint64> &userIds, qint64 conversationId, qint64 messageId,
                            qint64 previousId, const QByteArray &frame);
    // The cluster listener was down: messages other nodes stored meanwhile were not heard.
    // Nothing held is given up on until catchUp() has read, for `userIds` (the users online
    // here), what is still waiting for them and delivered what this node had not. A read
    // that fails (the database pool may reconnect later than the listener did) is tried
    // again every 250 ms until it succeeds.
    void clusterGapBegan();
    void catchUp(const QList<qint64> &userIds);

private:
    // message_updated to every connection of `changed`'s participants but `origin`, which
    // gets it with `ref` (and alone, when nothing changed).
    void tellChanged(const QString &change, const ChangedMessage &changed, ClientSession *origin,
                     const std::optional<QString> &ref);
    void publish(const StoredMessage &stored, const QPointer<ClientSession> &origin,
                 std::chrono::steady_clock::time_point received);
    // new_message to this node's connections of `userIds` but `except`; counted.
    qsizetype deliverHere(const QList<qint64> &userIds, qint64 messageId, const QByteArray &frame,
                          const ClientSession *except = nullptr);

    std::chrono::milliseconds m_editWindow{0};
    int m_maxReactions = 20;
    int m_maxMentions = 50;
    int m_maxAttachments = 10;
    DbWorker &m_db;
    ConnectionRegistry &m_registry;
    ParticipantCache &m_participants;
    Metrics &m_metrics;
    MessageSequencer m_sequencer;
    QTimer m_catchUpRetry; // a failed catchUp() runs again, for m_catchUpUsers
    QList<qint64> m_catchUpUsers;
    PublishInTransaction m_publishInTransaction;
    qint64 m_maxDbBacklog = 0;
};

} // namespace pitchey::server
