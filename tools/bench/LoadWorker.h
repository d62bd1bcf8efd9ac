#pragma once

#include "BenchApi.h"
#include "WsLite.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <map>
#include <memory>
#include <vector>

namespace pitchey::bench {

struct ClientSpec
{
    int index = 0; // global client index; also what receivers learn from the content
    Account account;
    qint64 conversationId = 0;
    bool sends = true; // part of the sending rotation
    // XMPP mode (the comparison with an XMPP server): the login and the partner's bare JID.
    QByteArray xmppUser;
    QByteArray xmppPassword;
    QByteArray xmppPeer;   // a user's bare JID, or a multi-user chat room's
    bool xmppRoom = false; // xmppPeer is a room (XEP-0045): join it, send groupchat

    static ClientSpec make(int index, const Account &account, qint64 conversationId, bool sends)
    {
        ClientSpec spec;
        spec.index = index;
        spec.account = account;
        spec.conversationId = conversationId;
        spec.sends = sends;
        return spec;
    }
};

struct WorkerResults
{
    std::vector<qint64> latenciesNs;
    quint64 sent = 0;
    quint64 acked = 0;       // message_sent frames
    quint64 received = 0;    // new_message frames from others
    quint64 duplicates = 0;  // the same sent message stored twice (a second message id)
    quint64 redelivered = 0; // the same message id pushed again (unacknowledged at a crash)
    quint64 outOfOrder = 0;
    quint64 errors = 0;
    quint64 busy = 0;           // sends refused with rate_limited (too many: see onText)
    quint64 unacknowledged = 0; // sends the server never confirmed, at the end
    quint64 edits = 0;          // edit_message frames sent (--mix)
    quint64 reactions = 0;      // react frames sent (--mix)
    quint64 updates = 0;        // message_updated frames received

    // Adds another part (another worker, or a later read of the same run).
    WorkerResults &operator+=(const WorkerResults &other)
    {
        latenciesNs.insert(latenciesNs.end(), other.latenciesNs.begin(), other.latenciesNs.end());
        sent += other.sent;
        acked += other.acked;
        received += other.received;
        duplicates += other.duplicates;
        redelivered += other.redelivered;
        outOfOrder += other.outOfOrder;
        errors += other.errors;
        busy += other.busy;
        unacknowledged += other.unacknowledged;
        edits += other.edits;
        reactions += other.reactions;
        updates += other.updates;
        return *this;
    }
};

// One thread's share of the clients. Every call below is made in the worker's thread
// (QMetaObject::invokeMethod); the counters are atomics the main thread may read.
class LoadWorker : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        WsTarget server;
        quint16 port = 0;
        QList<quint16> clusterPorts; // WebSockets spread over these nodes (same host), if any
        QList<QHostAddress> sources;
        bool acknowledge = true;
        int payloadBytes = 64;
        bool reconnect = false; // reopen closed connections and resend what was not acknowledged
        bool xmpp = false;      // speak XMPP over WebSocket (RFC 7395) instead of the wire contract
        bool echo = false;      // against EchoServer: each client receives its own frames back
        // Of every 100 operations, this many edit the sender's last message and this many
        // react to (or take back a reaction to) the last one it received; the rest send.
        int editPercent = 0;
        int reactPercent = 0;
        QByteArray path = "/api/messages/ws";
        QByteArray xmppDomain = "localhost";
    };

    LoadWorker(int id, Settings settings);
    ~LoadWorker() override;

    void connectAll(const QList<ClientSpec> &clients);
    void startSending(double perSecond, qint64 durationMs);
    void closeAll();
    [[nodiscard]] WorkerResults takeResults();

    std::atomic<int> open{0};    // connections open (XMPP: bound) now
    std::atomic<int> refused{0}; // attempts that closed before they were open
    std::atomic<int> dropped{0}; // connections that closed after they were open
    std::atomic<quint64> received{0};
    std::atomic<quint64> acknowledged{0}; // message_sent frames, for drain()
    std::atomic<quint64> refusedBusy{0};
    std::atomic<bool> sending{false};

private:
    void onText(int slot, QByteArrayView frame);
    void onXmpp(int slot, QByteArrayView stanza);
    // Counts one received message (content "sender|seq|sentAt|..."); false if not ours or seen.
    bool record(int slot, QByteArrayView content, qint64 messageId, qint64 now);
    std::vector<int> m_xmppState; // 0 connecting, 1 authenticating, 2 binding, 3 ready
    void tick();

    int m_id;
    Settings m_settings;
    QList<ClientSpec> m_specs;
    std::vector<std::unique_ptr<WsLite>> m_clients;
    std::vector<qint64> m_nextSeq;
    std::vector<qint64> m_lastOwn;      // per slot: the id of its last acknowledged send
    std::vector<qint64> m_lastReceived; // per slot: the id of the last message it received
    std::vector<char> m_reacted;        // per slot: its reaction is on
    quint64 m_operations = 0;
    // Edits or reacts for `slot` when the mix says so and it has a message to change;
    // false when a send is due instead.
    bool change(int slot, qint64 seq);
    void reopen(int slot);
    QHash<int, qint64> m_lastSeqFrom; // (receiver slot, sender index) -> last seq seen
    QHash<quint64, qint64> m_seen;    // (receiver slot, sender index, seq) -> message id
    QSet<quint64> m_seenIds;          // (receiver slot, message id)
    std::vector<std::map<qint64, QByteArray>> m_unacked; // per slot: seq -> frame
    std::vector<int> m_attempts;
    std::vector<char> m_counted; // the slot is counted in `open`
    void opened(int slot);
    WorkerResults m_results;
    QTimer m_ticker{this}; // a child, so that moveToThread() takes it along
    QElapsedTimer m_clock;
    double m_perSecond = 0;
    qint64 m_durationMs = 0;
    quint64 m_sentThisRun = 0;
    int m_rotation = 0;
    QByteArray m_runId;
};

[[nodiscard]] qint64 monotonicNs();

} // namespace pitchey::bench
