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
    // clientMessageIds are "c<client>-<seq>-<run>": a later run as the same users must not
    // repeat an earlier run's ids, or the server (rightly) answers with the earlier message.
    , m_runId(QByteArray::number(QRandomGenerator::global()->generate(), 36))
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
    m_lastOwn.assign(size_t(clients.size()), 0);
    m_lastReceived.assign(size_t(clients.size()), 0);
    m_reacted.assign(size_t(clients.size()), 0);
    m_unacked.assign(size_t(clients.size()), {});
    m_attempts.assign(size_t(clients.size()), 0);
    m_counted.assign(size_t(clients.size()), 0);
    m_xmppState.assign(size_t(clients.size()), 0);
    for (int slot = 0; slot < clients.size(); ++slot) {
        auto client = std::make_unique<WsLite>(m_settings.server.tls);
        WsLite *raw = client.get();
        raw->onOpen = [this, slot] {
            if (m_settings.xmpp) {
                m_xmppState[size_t(slot)] = 1;
                m_clients[size_t(slot)]->sendText(
                    "<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"" +
                    m_settings.xmppDomain + "\" version=\"1.0\"/>");
                return; // ready once bound (onXmpp)
            }
            opened(slot);
            // After a reconnect: resend, in order, what the server never confirmed. The
            // same clientMessageId makes a resend of a stored message harmless.
            for (const auto &[seq, frame] : m_unacked[size_t(slot)])
                m_clients[size_t(slot)]->sendText(frame);
        };
        raw->onClosed = [this, slot] {
            if (m_counted[size_t(slot)]) {
                m_counted[size_t(slot)] = 0;
                open.fetch_sub(1);
                dropped.fetch_add(1);
            } else {
                refused.fetch_add(1);
            }
            if (m_settings.reconnect)
                reopen(slot);
        };
        raw->onText = [this, slot](QByteArrayView frame) { onText(slot, frame); };
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
    const quint16 port =
        m_settings.clusterPorts.isEmpty()
            ? m_settings.port
            : m_settings.clusterPorts.at(spec.index % m_settings.clusterPorts.size());
    QTimer::singleShot(attempt == 0 ? 0 : delay, this, [this, slot, source, port] {
        if (m_settings.xmpp)
            m_clients[size_t(slot)]->open(m_settings.server, m_settings.port, m_settings.path,
                                          source, "xmpp");
        else
            m_clients[size_t(slot)]->open(
                m_settings.server, port,
                m_settings.path + "?token=" + m_specs.at(slot).account.token, source);
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
        if (m_settings.xmpp) {
            if (m_xmppState[size_t(slot)] != 3)
                continue;
            m_clients[size_t(slot)]->sendText("<message xmlns=\"jabber:client\" type=\"" +
                                              QByteArray(spec.xmppRoom ? "groupchat" : "chat") +
                                              "\" to=\"" + spec.xmppPeer + "\" id=\"m" +
                                              QByteArray::number(seq) + "\"><body>" + content +
                                              "</body></message>");
            ++m_sentThisRun;
            ++m_results.sent;
            continue;
        }
        if (change(slot, seq)) {
            ++m_sentThisRun;
            continue;
        }
        const QByteArray frame = "{\"type\":\"send_message\",\"conversationId\":" +
                                 QByteArray::number(spec.conversationId) +
                                 ",\"clientMessageId\":\"c" + QByteArray::number(spec.index) + '-' +
                                 QByteArray::number(seq) + '-' + m_runId + "\",\"content\":\"" +
                                 content + "\"}";
        if (m_settings.reconnect)
            m_unacked[size_t(slot)].emplace(seq, frame);
        m_clients[size_t(slot)]->sendText(frame);
        ++m_sentThisRun;
        ++m_results.sent;
    }
}

void LoadWorker::onXmpp(int slot, QByteArrayView stanza)
{
    const ClientSpec &spec = m_specs.at(slot);
    WsLite *client = m_clients[size_t(slot)].get();
    int &state = m_xmppState[size_t(slot)];
    if (state == 3) {
        const qsizetype body = stanza.indexOf("<body>");
        if (!stanza.startsWith("<message") || body < 0)
            return;
        const QByteArrayView content = stanza.sliced(body + 6);
        // A room reflects every message to its sender too: that is not a delivery.
        if (spec.xmppRoom && content.startsWith(QByteArray::number(spec.index) + '|'))
            return;
        record(slot, content, 0, monotonicNs());
        return;
    }
    if (state == 4) {
        // Joined once the room sends this occupant's own presence (status 110).
        if (stanza.startsWith("<presence") &&
            (stanza.contains("code='110'") || stanza.contains("code=\"110\""))) {
            state = 3;
            opened(slot);
        }
        return;
    }
    if (stanza.contains("<stream:features") || stanza.startsWith("<features")) {
        if (state == 1 && stanza.contains("PLAIN")) {
            const QByteArray plain = QByteArray(1, '\0') + spec.xmppUser + '\0' + spec.xmppPassword;
            client->sendText(
                "<auth xmlns=\"urn:ietf:params:xml:ns:xmpp-sasl\" mechanism=\"PLAIN\">" +
                plain.toBase64() + "</auth>");
        } else if (state == 2) {
            client->sendText("<iq xmlns=\"jabber:client\" type=\"set\" id=\"bind\"><bind "
                             "xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"><resource>bench</"
                             "resource></bind></iq>");
        }
    } else if (stanza.startsWith("<success")) {
        state = 2;
        client->sendText("<open xmlns=\"urn:ietf:params:xml:ns:xmpp-framing\" to=\"" +
                         m_settings.xmppDomain + "\" version=\"1.0\"/>");
    } else if (stanza.startsWith("<failure")) {
        ++m_results.errors;
    } else if (stanza.startsWith("<iq") &&
               (stanza.contains("id='bind'") || stanza.contains("id=\"bind\"")) &&
               stanza.contains("result")) {
        client->sendText("<presence xmlns=\"jabber:client\"/>");
        if (spec.xmppRoom) {
            state = 4;
            client->sendText("<presence xmlns=\"jabber:client\" to=\"" + spec.xmppPeer + '/' +
                             spec.xmppUser +
                             "\"><x xmlns=\"http://jabber.org/protocol/muc\"><history "
                             "maxstanzas=\"0\"/></x></presence>");
            return;
        }
        state = 3;
        opened(slot);
    }
}

bool LoadWorker::change(int slot, qint64 seq)
{
    const int edits = m_settings.editPercent;
    const int reacts = m_settings.reactPercent;
    if (edits + reacts == 0)
        return false;
    // Spread over the run: 37 and 100 have no common divisor, so every 100 operations
    // take each bucket once.
    const auto bucket = int((m_operations++ * 37) % 100);
    WsLite &client = *m_clients[size_t(slot)];
    if (bucket < edits) {
        const qint64 target = m_lastOwn[size_t(slot)];
        if (target == 0)
            return false;
        client.sendText("{\"type\":\"edit_message\",\"messageId\":" + QByteArray::number(target) +
                        ",\"content\":\"edit " + QByteArray::number(seq) + "\"}");
        ++m_results.edits;
        return true;
    }
    if (bucket < edits + reacts) {
        const qint64 target = m_lastReceived[size_t(slot)];
        if (target == 0)
            return false;
        char &on = m_reacted[size_t(slot)];
        on = on ? 0 : 1;
        client.sendText("{\"type\":\"react\",\"messageId\":" + QByteArray::number(target) +
                        ",\"emoji\":\"\\ud83d\\udc4d\",\"on\":" + (on ? "true" : "false") + '}');
        ++m_results.reactions;
        return true;
    }
    return false;
}

void LoadWorker::opened(int slot)
{
    m_attempts[size_t(slot)] = 0;
    if (!m_counted[size_t(slot)]) {
        m_counted[size_t(slot)] = 1;
        open.fetch_add(1);
    }
}

void LoadWorker::onText(int slot, QByteArrayView frame)
{
    const qint64 now = monotonicNs();
    if (m_settings.xmpp)
        return onXmpp(slot, frame);
    static constexpr QByteArrayView contentKey = "\"content\":\"";
    if (m_settings.echo) {
        const qsizetype at = frame.indexOf(contentKey);
        if (at >= 0)
            (void)record(slot, frame.sliced(at + contentKey.size()), 0, now);
        return;
    }
    if (frame.contains("\"type\":\"message_updated\"")) {
        ++m_results.updates;
        return;
    }
    if (frame.contains("\"type\":\"message_sent\"")) {
        ++m_results.acked;
        acknowledged.fetch_add(1, std::memory_order_relaxed);
        m_lastOwn[size_t(slot)] = intField(frame, "\"messageId\":");
        if (m_settings.reconnect) {
            // "clientMessageId":"c<index>-<seq>-<run>"
            static constexpr QByteArrayView key = "\"clientMessageId\":\"c";
            const qsizetype at = frame.indexOf(key);
            const qsizetype dash = at < 0 ? -1 : frame.indexOf('-', at);
            if (dash > 0)
                m_unacked[size_t(slot)].erase(intField(frame.sliced(dash), "-"));
        }
        return;
    }
    if (!frame.contains("\"type\":\"new_message\"")) {
        if (!frame.contains("\"type\":\"error\""))
            return;
        // A send refused as too many (the server's database behind, or the user's frame
        // rate): it names the send's clientMessageId. A refused acknowledgement does not.
        if (frame.contains("\"code\":\"rate_limited\"") && frame.contains("\"ref\":\"c")) {
            ++m_results.busy;
            refusedBusy.fetch_add(1, std::memory_order_relaxed);
        } else {
            ++m_results.errors;
        }
        return;
    }
    const qsizetype at = frame.indexOf(contentKey);
    if (at < 0)
        return;
    const qint64 messageId = intField(frame, "\"messageId\":");
    (void)record(slot, frame.sliced(at + contentKey.size()), messageId, now);
    if (messageId > 0)
        m_lastReceived[size_t(slot)] = messageId;
    // Acknowledged even when pushed again: that is what stops the server pushing it.
    if (m_settings.acknowledge) {
        if (messageId > 0)
            m_clients[size_t(slot)]->sendText("{\"type\":\"message_delivered\",\"messageId\":" +
                                              QByteArray::number(messageId) + '}');
    }
}

bool LoadWorker::record(int slot, QByteArrayView content, qint64 messageId, qint64 now)
{
    QList<QByteArrayView> parts;
    qsizetype start = 0;
    for (qsizetype i = 0; i < content.size() && parts.size() < 3; ++i) {
        if (content[i] == '|') {
            parts.append(content.sliced(start, i - start));
            start = i + 1;
        }
    }
    if (parts.size() < 3)
        return false; // not one of ours
    const int sender = parts.at(0).toInt();
    const qint64 seq = parts.at(1).toLongLong();
    const qint64 sentAt = parts.at(2).toLongLong();
    if (messageId > 0) {
        const quint64 idKey = (quint64(slot) << 40) ^ quint64(messageId);
        if (m_seenIds.contains(idKey)) {
            ++m_results.redelivered; // pushed again: it was not acknowledged before a crash
            return false;
        }
        m_seenIds.insert(idKey);
    }
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
    return true;
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
