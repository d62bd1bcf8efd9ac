#include "Flood.h"

#include "ProcessStats.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTimer>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace pitchey::bench {

namespace {

constexpr qsizetype kFloodChunk = 1024 * 1024; // kept waiting in each flooder's socket
constexpr int kStalledMessages = 40;           // of 10,000 characters: ~400 KiB each

QByteArray handshake(const FloodSettings &settings, const QByteArray &token)
{
    return "GET /api/messages/ws?token=" + token +
           " HTTP/1.1\r\nHost: " + settings.server.hostName.toUtf8() +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: cGl0Y2hleS1mbG9vZC0xNg==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// A raw socket that has sent its handshake (nothing read).
std::unique_ptr<QTcpSocket> rawWebSocket(const FloodSettings &settings, const QByteArray &token)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(settings.server.address, settings.port);
    socket->write(handshake(settings, token));
    return socket;
}

// A client text frame (its mask zero: the payload as it is).
QByteArray maskedFrame(QByteArrayView payload)
{
    QByteArray frame;
    appendFrameHeader(frame, 0x1, payload.size(), true);
    frame.append("\0\0\0\0", 4);
    frame.append(payload);
    return frame;
}

QByteArray repeated(const QByteArray &frame, qsizetype total)
{
    QByteArray out;
    out.reserve(total + frame.size());
    while (out.size() < total)
        out.append(frame);
    return out;
}

qint64 rss(qint64 pid)
{
    return sampleProcess(pid).rssKiB;
}

// Phase 1: connections that never read, each sent ~400 KiB through a group.
void stalledReaders(const FloodSettings &settings, BenchApi &api, const Account &sender,
                    Report &report)
{
    const QList<Account> readers =
        api.accounts(settings.prefix + u"s"_s, settings.stalled, "bench-password");
    QList<Account> group{sender};
    group.append(readers);
    const qint64 conversation = api.conversations({group}).value(0);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    const qint64 before = rss(settings.serverPid);
    for (const Account &reader : readers) {
        sockets.push_back(rawWebSocket(settings, reader.token));
        sockets.back()->setReadBufferSize(1); // Qt reads nothing more: TCP fills, then stops
    }
    waitUntil([] { return false; }, 1000); // connected and admitted

    WsLite writer(settings.server.tls);
    int acknowledged = 0;
    writer.onText = [&](QByteArrayView text) {
        acknowledged += text.contains(R"("type":"message_sent")") ? 1 : 0;
    };
    writer.open(settings.server, settings.port, "/api/messages/ws?token=" + sender.token, {});
    waitUntil([&] { return writer.isOpen(); }, 10000);
    const QString content(10000, u'x');
    for (int i = 0; i < kStalledMessages; ++i) {
        writer.sendText(QJsonDocument(QJsonObject{{"type"_L1, "send_message"_L1},
                                                  {"conversationId"_L1, conversation},
                                                  {"content"_L1, content},
                                                  {"clientMessageId"_L1, u"s-%1"_s.arg(i)}})
                            .toJson(QJsonDocument::Compact));
    }
    waitUntil([&] { return acknowledged >= kStalledMessages; }, 30000);
    waitUntil([] { return false; }, 1000); // fanned out to every reader
    const qint64 after = rss(settings.serverPid);
    int open = 0;
    for (const auto &socket : sockets)
        open += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
    report.add(u"stalled readers"_s, settings.stalled);
    report.add(u"sent to each"_s, qint64(kStalledMessages) * 10, u"KB"_s);
    report.add(u"stalled readers still connected"_s, open);
    if (before > 0)
        report.add(u"server RSS per stalled reader"_s,
                   double(after - before) / double(std::max(1, settings.stalled)), u"KiB"_s);
}

struct Probe
{
    std::vector<qint64> healthNs;
    std::vector<qint64> messageNs;
    int healthFailed = 0;
    int messagesSent = 0;
};

// Phase 2, while the flood runs: /health every 50 ms, a message every 100 ms.
void probe(const FloodSettings &settings, BenchApi &api, const Account &from, const Account &to,
           const std::function<bool()> &running, Probe &out)
{
    QNetworkAccessManager nam;
    QElapsedTimer clock;
    clock.start();
    WsLite sender(settings.server.tls);
    WsLite receiver(settings.server.tls);
    receiver.onText = [&](QByteArrayView text) {
        const QJsonObject frame = QJsonDocument::fromJson(text.toByteArray()).object();
        if (frame.value("type"_L1) == "new_message"_L1) {
            const qint64 sentAt = frame.value("content"_L1).toString().toLongLong();
            out.messageNs.push_back(clock.nsecsElapsed() - sentAt);
        }
    };
    sender.open(settings.server, settings.port, "/api/messages/ws?token=" + from.token, {});
    receiver.open(settings.server, settings.port, "/api/messages/ws?token=" + to.token, {});
    waitUntil([&] { return sender.isOpen() && receiver.isOpen(); }, 10000);

    QNetworkReply *health = nullptr;
    qint64 healthAt = 0;
    qint64 nextHealth = 0;
    qint64 nextMessage = 0;
    while (running()) {
        const qint64 now = clock.nsecsElapsed();
        if (!health && now >= nextHealth) {
            healthAt = now;
            health = nam.get(QNetworkRequest(api.url(u"/health"_s)));
            QObject::connect(health, &QNetworkReply::finished, health, [&, reply = health] {
                if (reply->error() == QNetworkReply::NoError)
                    out.healthNs.push_back(clock.nsecsElapsed() - healthAt);
                else
                    ++out.healthFailed;
                reply->deleteLater();
                health = nullptr;
            });
            nextHealth = now + 50'000'000;
        }
        if (now >= nextMessage) {
            sender.sendText(QJsonDocument(QJsonObject{{"type"_L1, "send_message"_L1},
                                                      {"recipientId"_L1, to.id},
                                                      {"content"_L1, QString::number(now)}})
                                .toJson(QJsonDocument::Compact));
            ++out.messagesSent;
            nextMessage = now + 100'000'000;
        }
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    waitUntil([&] { return !health; }, 10000);
}

} // namespace

Report flood(const FloodSettings &settings, BenchApi &api)
{
    Report report;
    const QList<Account> calm = api.accounts(settings.prefix + u"q"_s, 2, "bench-password");
    stalledReaders(settings, api, calm.at(0), report);

    const QList<Account> flooders =
        api.accounts(settings.prefix + u"f"_s, settings.flooders, "bench-password");
    const QByteArray ping = maskedFrame(R"({"type":"ping"})");
    const QByteArray frames = repeated(ping, kFloodChunk);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (const Account &flooder : flooders)
        sockets.push_back(rawWebSocket(settings, flooder.token));
    waitUntil([] { return false; }, 1000);
    const qint64 before = rss(settings.serverPid);
    const ProcessSample cpuBefore = sampleProcess(settings.serverPid);

    qint64 written = 0;
    qint64 peak = before;
    QElapsedTimer clock;
    clock.start();
    const qint64 endNs = qint64(settings.seconds * 1e9);
    QTimer topUp;
    QObject::connect(&topUp, &QTimer::timeout, [&] {
        for (const auto &socket : sockets) {
            socket->readAll(); // the pongs and refusals, dropped
            if (socket->state() == QAbstractSocket::ConnectedState &&
                socket->bytesToWrite() < kFloodChunk) {
                socket->write(frames);
                written += frames.size();
            }
        }
        peak = std::max(peak, rss(settings.serverPid));
    });
    topUp.start(10);
    Probe probed;
    probe(
        settings, api, calm.at(0), calm.at(1), [&] { return clock.nsecsElapsed() < endNs; },
        probed);
    topUp.stop();
    const ProcessSample cpuAfter = sampleProcess(settings.serverPid);
    int connected = 0;
    for (const auto &socket : sockets)
        connected += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
    waitUntil([] { return false; }, 2000); // what was in flight is read
    const qint64 after = rss(settings.serverPid);

    report.add(u"flooders"_s, settings.flooders);
    report.add(u"flood written"_s, double(written) / 1e6, u"MB"_s);
    report.add(u"flood frames written"_s, written / ping.size(), u"frames"_s);
    report.add(u"flooders still connected"_s, connected);
    if (before > 0) {
        report.add(u"server RSS before the flood"_s, before, u"KiB"_s);
        report.add(u"server RSS peak growth"_s, peak - before, u"KiB"_s);
        report.add(u"server RSS growth 2 s after"_s, after - before, u"KiB"_s);
        report.add(u"server CPU during the flood"_s, cpuAfter.cpuSeconds - cpuBefore.cpuSeconds,
                   u"s"_s);
    }
    std::sort(probed.healthNs.begin(), probed.healthNs.end());
    report.add(u"/health answered"_s, qint64(probed.healthNs.size()));
    report.add(u"/health failed"_s, probed.healthFailed);
    report.add(u"/health p50"_s, percentile(probed.healthNs, 0.50), u"ms"_s);
    report.add(u"/health p99"_s, percentile(probed.healthNs, 0.99), u"ms"_s);
    report.add(u"/health max"_s,
               probed.healthNs.empty() ? 0.0 : double(probed.healthNs.back()) / 1e6, u"ms"_s);
    std::sort(probed.messageNs.begin(), probed.messageNs.end());
    report.add(u"bystander messages sent"_s, probed.messagesSent);
    report.add(u"bystander messages delivered"_s, qint64(probed.messageNs.size()));
    report.add(u"bystander latency p50"_s, percentile(probed.messageNs, 0.50), u"ms"_s);
    report.add(u"bystander latency p99"_s, percentile(probed.messageNs, 0.99), u"ms"_s);
    return report;
}

} // namespace pitchey::bench
