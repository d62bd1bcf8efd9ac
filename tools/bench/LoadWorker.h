#pragma once

#include "BenchApi.h"
#include "WsLite.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <memory>
#include <vector>

namespace pitchey::bench {

struct ClientSpec
{
    int index = 0; // global client index; also what receivers learn from the content
    Account account;
    qint64 conversationId = 0;
    bool sends = true; // part of the sending rotation
};

struct WorkerResults
{
    std::vector<qint64> latenciesNs;
    quint64 sent = 0;
    quint64 acked = 0;    // message_sent frames
    quint64 received = 0; // new_message frames from others
    quint64 duplicates = 0;
    quint64 outOfOrder = 0;
    quint64 errors = 0;
};

// One thread's share of the clients. Every call below is made in the worker's thread
// (QMetaObject::invokeMethod); the counters are atomics the main thread may read.
class LoadWorker : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        QHostAddress server;
        quint16 port = 0;
        QList<QHostAddress> sources;
        bool acknowledge = true;
        int payloadBytes = 64;
    };

    LoadWorker(int id, Settings settings);
    ~LoadWorker() override;

    void connectAll(const QList<ClientSpec> &clients);
    void startSending(double perSecond, qint64 durationMs);
    void closeAll();
    [[nodiscard]] WorkerResults takeResults();

    std::atomic<int> open{0};
    std::atomic<int> closed{0};
    std::atomic<quint64> received{0};
    std::atomic<bool> sending{false};

private:
    void onText(int slot, QByteArrayView frame);
    void tick();

    int m_id;
    Settings m_settings;
    QList<ClientSpec> m_specs;
    std::vector<std::unique_ptr<WsLite>> m_clients;
    std::vector<qint64> m_nextSeq;
    QHash<int, qint64> m_lastSeqFrom; // sender index -> last seq seen (per receiver slot below)
    QSet<quint64> m_seen;             // (sender index << 32 | seq) per receiving slot
    WorkerResults m_results;
    QTimer m_ticker{this}; // a child, so that moveToThread() takes it along
    QElapsedTimer m_clock;
    double m_perSecond = 0;
    qint64 m_durationMs = 0;
    quint64 m_sentThisRun = 0;
    int m_rotation = 0;
};

[[nodiscard]] qint64 monotonicNs();

} // namespace pitchey::bench
