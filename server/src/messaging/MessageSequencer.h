#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace pitchey::server {

// Hands each conversation's new messages to this node's connections in the order they were
// committed, whichever node or database connection stored them: every stored message names
// the one committed before it in its conversation (StoredMessage::previousId), and a message
// whose predecessor has not come by yet is held until it does. A predecessor may never come
// (its node died between commit and publish, this node's listener was down): after
// `patience` the held messages go out anyway, in id order, and the clients sort them in.
//
// A conversation first seen here has nothing to wait for. Conversations quiet for a while
// are forgotten, so the memory follows the active conversations, not all of them.
class MessageSequencer : public QObject
{
    Q_OBJECT

public:
    using Deliver = std::function<void()>;
    // Milliseconds on a steady clock; tests pass their own.
    using Clock = std::function<qint64()>;

    explicit MessageSequencer(std::chrono::milliseconds patience = std::chrono::seconds(2),
                              QObject *parent = nullptr, Clock clock = {});

    void arrived(qint64 conversationId, qint64 messageId, qint64 previousId, Deliver deliver);

    // The newest message of the conversation handed out here; nullopt for a conversation
    // not (or no longer) tracked.
    [[nodiscard]] std::optional<qint64> lastDelivered(qint64 conversationId) const;
    // While the cluster listener is down a missing predecessor is known to be on its way
    // (the catch-up after the reconnection brings it): nothing is given up on meanwhile.
    void setPatienceSuspended(bool suspended) { m_suspended = suspended; }

    // Gives up on predecessors waited for longer than the patience (a timer calls it while
    // messages are held).
    void checkPatience();

    [[nodiscard]] qsizetype heldCount() const { return m_held; }
    [[nodiscard]] qsizetype trackedConversations() const { return m_conversations.size(); }

private:
    struct Held
    {
        qint64 id = 0;
        qint64 previousId = 0;
        qint64 since = 0; // ms, steady clock
        Deliver deliver;
    };
    struct Conversation
    {
        qint64 last = 0; // the newest message handed out here
        qint64 touched = 0;
        QList<Held> held;
    };

    void release(Conversation &conversation);

    std::chrono::milliseconds m_patience;
    Clock m_now;
    QHash<qint64, Conversation> m_conversations;
    QSet<qint64> m_waiting; // conversations with held messages
    qsizetype m_held = 0;
    QTimer m_timer;
    int m_ticks = 0;
    bool m_suspended = false;
};

} // namespace pitchey::server
