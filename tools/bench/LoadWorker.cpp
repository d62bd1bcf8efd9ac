#include "LoadWorker.h"

#include <QRandomGenerator>

#include <ctime>

namespace pitchey::bench {

qint64 monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

namespace {

// Reads the integer after `"key":` in a frame, without a JSON parser (hot path).
qint64 intField(QByteArrayView frame, QByteArrayView key)
{
    const qsizetype at = frame.indexOf(key);
    if (at < 0)
        return -1;
    qint64 value = 0;
    for (qsizetype i = at + key.size(); i < frame.size() && frame[i] >= '0' && frame[i] <= '9'; ++i)
        value = value * 10 + (frame[i] - '0');
    return value;
}

} // namespace

LoadWorker::LoadWorker(int id, Settings settings)
    : m_id(id)
    , m_settings(std::move(settings))
{
    m_ticker.setTimerType(Qt::PreciseTimer);
    m_ticker.setInterval(1);
    connect(&m_ticker, &QTimer::timeout, this, &LoadWorker::tick);
}

LoadWorker::~LoadWorker() = default;

void LoadWorker::connectAll(const QList<ClientSpec> &clients)
{
    m_specs = clients;
    m_nextSeq.assign(size_t(clients.size()), 0);
    m_unacked.assign(size_t(clients.size()), {});
    m_attempts.assign(size_t(clients.size()), 0);
    for (int slot = 0; slot < clients.size(); ++slot) {
        auto client = std::make_unique<WsLite>();
        WsLite *raw = client.get();
        raw->onOpen = [this, slot] {
            open.fetch_add(1);
            m_attempts[size_t(slot)] = 0;
            // After a reconnect: resend, in order, what the server never confirmed. The
            // same clientMessageId makes a resend of a stored message harmless.
            for (const auto &[seq, frame] : m_unacked[size_t(slot)])
                m_clients[size_t(slot)]->sendText(frame);
        };
        raw->onClosed = [this, slot] {
            closed.fetch_add(1);
            if (m_settings.reconnect)
                reopen(slot);
        };
        raw->onText = [this, slot](QByteArrayView frame) { onText(slot, frame); };
        const QHostAddress source =
            m_settings.sources.isEmpty()
                ? QHostAddress()
                : m_settings.sources.at(clients.at(slot).index % m_settings.sources.size());
        m_clients.push_back(std::move(client));
        reopen(slot);
    }
}

void LoadWorker::reopen(int slot)
{
    // Backoff with jitter, 250 ms doubling to 4 s, as a well-behaved client does.
    const int attempt = m_attempts[size_t(slot)]++;
    const int delay =
        attempt == 0 && !m_settings.reconnect
            ? 0
            : std::min(4000, 250 << std::min(attempt, 4)) / 2 +
                  int(QRandomGenerator::global()->bounded(250 << std::min(attempt, 4)) / 2);
    const ClientSpec &spec = m_specs.at(slot);
    const QHostAddress source = m_settings.sources.isEmpty()
                                    ? QHostAddress()
                                    : m_settings.sources.at(spec.index % m_settings.sources.size());
    QTimer::singleShot(attempt == 0 ? 0 : delay, this, [this, slot, source] {
        m_clients[size_t(slot)]->open(m_settings.server, m_settings.port,
                                      "/api/messages/ws?token=" + m_specs.at(slot).account.token,
                                      source);
    });
}

void LoadWorker::closeAll()
{
    m_ticker.stop();
    for (auto &client : m_clients)
        client->close();
}

void LoadWorker::startSending(double perSecond, qint64 durationMs)
{
    m_perSecond = perSecond;
    m_durationMs = durationMs;
    m_sentThisRun = 0;
    sending = true;
    m_clock.start();
    m_ticker.start();
}

void LoadWorker::tick()
{
    const qint64 elapsed = m_clock.elapsed();
    if (elapsed >= m_durationMs) {
        m_ticker.stop();
        sending = false;
        return;
    }
    // Open loop: send what the schedule says is due, whatever came back.
    const auto due = quint64(m_perSecond * double(elapsed) / 1000.0);
    const QByteArray padding(std::max(0, m_settings.payloadBytes - 40), 'x');
    while (m_sentThisRun < due) {
        int slot = -1;
        for (int tries = 0; tries < m_specs.size(); ++tries) {
            const int candidate = (m_rotation++) % int(m_specs.size());
            if (m_specs.at(candidate).sends && m_clients[size_t(candidate)]->isOpen()) {
                slot = candidate;
                break;
            }
        }
        if (slot < 0)
            break;
        const ClientSpec &spec = m_specs.at(slot);
        const qint64 seq = ++m_nextSeq[size_t(slot)];
        const QByteArray content = QByteArray::number(spec.index) + '|' + QByteArray::number(seq) +
                                   '|' + QByteArray::number(monotonicNs()) + '|' + padding;
        const QByteArray frame = "{\"type\":\"send_message\",\"conversationId\":" +
                                 QByteArray::number(spec.conversationId) +
                                 ",\"clientMessageId\":\"c" + QByteArray::number(spec.index) + '-' +
                                 QByteArray::number(seq) + "\",\"content\":\"" + content + "\"}";
        if (m_settings.reconnect)
            m_unacked[size_t(slot)].emplace(seq, frame);
        m_clients[size_t(slot)]->sendText(frame);
        ++m_sentThisRun;
        ++m_results.sent;
    }
}

void LoadWorker::onText(int slot, QByteArrayView frame)
{
    const qint64 now = monotonicNs();
    if (frame.contains("\"type\":\"message_sent\"")) {
        ++m_results.acked;
        if (m_settings.reconnect) {
            // "clientMessageId":"c<index>-<seq>"
            static constexpr QByteArrayView key = "\"clientMessageId\":\"c";
            const qsizetype at = frame.indexOf(key);
            const qsizetype dash = at < 0 ? -1 : frame.indexOf('-', at);
            if (dash > 0)
                m_unacked[size_t(slot)].erase(intField(frame.sliced(dash), "-"));
        }
        return;
    }
    if (!frame.contains("\"type\":\"new_message\"")) {
        if (frame.contains("\"type\":\"error\""))
            ++m_results.errors;
        return;
    }
    static constexpr QByteArrayView contentKey = "\"content\":\"";
    const qsizetype at = frame.indexOf(contentKey);
    if (at < 0)
        return;
    const QByteArrayView content = frame.sliced(at + contentKey.size());
    const QList<QByteArrayView> parts = [&] {
        QList<QByteArrayView> fields;
        qsizetype start = 0;
        for (qsizetype i = 0; i < content.size() && fields.size() < 3; ++i) {
            if (content[i] == '|') {
                fields.append(content.sliced(start, i - start));
                start = i + 1;
            }
        }
        return fields;
    }();
    if (parts.size() < 3)
        return; // not one of ours
    const int sender = parts.at(0).toInt();
    const qint64 seq = parts.at(1).toLongLong();
    const qint64 sentAt = parts.at(2).toLongLong();
    const qint64 messageId = intField(frame, "\"messageId\":");
    const quint64 idKey = (quint64(slot) << 40) ^ quint64(messageId);
    if (m_seenIds.contains(idKey)) {
        ++m_results.redelivered; // pushed again: it was not acknowledged before a crash
        return;
    }
    m_seenIds.insert(idKey);
    ++m_results.received;
    received.fetch_add(1, std::memory_order_relaxed);
    m_results.latenciesNs.push_back(now - sentAt);

    const quint64 key = (quint64(slot) << 48) ^ (quint64(sender) << 24) ^ quint64(seq);
    if (m_seen.contains(key))
        ++m_results.duplicates; // the same send stored under a second message id
    else
        m_seen.insert(key, messageId);
    const int orderKey = slot * 1000003 + sender;
    if (seq < m_lastSeqFrom.value(orderKey, 0))
        ++m_results.outOfOrder;
    else
        m_lastSeqFrom.insert(orderKey, seq);

    if (m_settings.acknowledge) {
        if (messageId > 0)
            m_clients[size_t(slot)]->sendText("{\"type\":\"message_delivered\",\"messageId\":" +
                                              QByteArray::number(messageId) + '}');
    }
}

WorkerResults LoadWorker::takeResults()
{
    for (const auto &pending : m_unacked)
        m_results.unacknowledged += pending.size();
    WorkerResults out = std::move(m_results);
    m_results = {};
    m_seen.clear();
    m_seenIds.clear();
    m_lastSeqFrom.clear();
    return out;
}

} // namespace pitchey::bench
