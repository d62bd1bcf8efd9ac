// pitchey-bench: a load generator that speaks the wire contract over real sockets.
#include "BenchApi.h"
#include "BenchReport.h"
#include "EchoServer.h"
#include "Flood.h"
#include "HttpScenarios.h"
#include "LoadWorker.h"
#include "MessageLoad.h"
#include "ProcessStats.h"
#include "UploadScenarios.h"
#include "base/EpollEventDispatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QThread>
#include <QUrlQuery>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <optional>

using namespace Qt::StringLiterals;
using namespace pitchey::bench;

namespace {

struct Options
{
    // Strings and lists first, then numbers, then switches: no padding between them.
    QString scenario;
    QUrl url;
    WsTarget server;             // url's host, resolved; TLS for https and wss
    QList<quint16> clusterPorts; // several nodes: their ports on url's host
    QList<int> groupSizes{10, 100, 1000};
    QString prefix;
    QString restartCommand;
    QString xmppUserPrefix = QStringLiteral("u");
    QString xmppPasswordPrefix = QStringLiteral("pw");
    QString xmppDomain = QStringLiteral("localhost");
    double duration = 10;
    double rate = 1000;
    qint64 serverPid = 0;
    int users = 1000;
    int threads = 1;
    int sources = 8;
    int payload = 64;
    int historyMessages = 10000;
    qint64 uploadBytes = 50LL * 1024 * 1024;
    int images = 40;
    int concurrency = 16;
    int editPercent = 0;  // --mix
    int reactPercent = 0; // --mix
    quint16 port = 0;
    bool json = false;
    bool acknowledge = true;
    bool reconnect = false;
    bool xmpp = false; // --protocol xmpp: users <prefix>N / <password-prefix>N exist already
    bool echo = false; // --protocol echo: against pitchey-bench --echo-server, the floor
};

// The address to connect to: once for every socket. IPv4 first, as the server listens on
// 127.0.0.1 by default and "localhost" may name ::1 first.
std::optional<QHostAddress> resolve(const QString &host)
{
    const QList<QHostAddress> addresses = QHostInfo::fromName(host).addresses();
    for (const QHostAddress &address : addresses) {
        if (address.protocol() == QAbstractSocket::IPv4Protocol)
            return address;
    }
    if (addresses.isEmpty())
        return std::nullopt;
    return addresses.first();
}

// What every load worker gets from the command line.
LoadWorker::Settings workerSettings(const Options &options)
{
    LoadWorker::Settings settings;
    settings.server = options.server;
    settings.port = options.port;
    settings.clusterPorts = options.clusterPorts;
    settings.acknowledge = options.acknowledge;
    settings.payloadBytes = options.payload;
    settings.editPercent = options.editPercent;
    settings.reactPercent = options.reactPercent;
    settings.reconnect = options.reconnect;
    settings.xmpp = options.xmpp;
    settings.echo = options.echo;
    settings.xmppDomain = options.xmppDomain.toUtf8();
    if (options.xmpp)
        settings.path = options.url.path().toUtf8();
    if (settings.server.address.isLoopback() &&
        settings.server.address.protocol() == QAbstractSocket::IPv4Protocol) {
        for (int i = 1; i <= options.sources; ++i)
            settings.sources.append(QHostAddress(u"127.0.0.%1"_s.arg(i)));
    }
    return settings;
}

// Connects `clients`, sends at the offered rate for the duration, waits for the deliveries
// (each send reaches `recipientsPerSend` others) and adds the figures to `report`.
void runMessageLoad(const Options &options, const QList<ClientSpec> &clients, int recipientsPerSend,
                    Report &report)
{
    Load load(workerSettings(options), options.threads);
    report.add(u"connections"_s, qint64(clients.size()));
    report.add(u"connect time"_s, load.connect(clients), u"s"_s);
    report.add(u"offered rate"_s, options.rate, u"messages/s"_s);
    (void)load.results(); // forget anything delivered while connecting
    const ProcessSample before = sampleProcess(options.serverPid);
    const double cpuBefore = ownCpuSeconds();
    QElapsedTimer clock;
    clock.start();
    load.send(options.rate, options.duration);
    WorkerResults sent = load.results();
    const double seconds =
        std::max(options.duration, load.drain(sent.sent, quint64(recipientsPerSend), clock));
    sent += load.results(); // what arrived while draining
    const quint64 expected =
        (sent.sent - std::min(sent.sent, sent.busy)) * quint64(recipientsPerSend);
    addMessageFigures(report, sent, expected, seconds, before, sampleProcess(options.serverPid),
                      ownCpuSeconds() - cpuBefore);
}

// 1:1 conversations between pairs of users, every user sending in turn.
Report direct(const Options &options, BenchApi &api)
{
    const int users = std::max(2, options.users - options.users % 2);
    QList<ClientSpec> clients;
    if (options.echo) {
        // Each client's frames come straight back to it: no accounts, no conversations.
        for (int i = 0; i < users; ++i)
            clients.append(ClientSpec::make(i, {}, 1, true));
    } else if (options.xmpp) {
        // Chat messages between the same pairs, to each partner's bare JID.
        for (int i = 0; i < users; ++i) {
            ClientSpec spec = ClientSpec::make(i, {}, 0, true);
            spec.xmppUser = (options.xmppUserPrefix + QString::number(i)).toUtf8();
            spec.xmppPassword = (options.xmppPasswordPrefix + QString::number(i)).toUtf8();
            spec.xmppPeer =
                (options.xmppUserPrefix + QString::number(i ^ 1) + u'@' + options.xmppDomain)
                    .toUtf8();
            clients.append(spec);
        }
    } else {
        const QList<Account> accounts =
            api.accounts(options.prefix + u"d"_s, users, "bench-password");
        QList<QList<Account>> pairs;
        for (int i = 0; i < users; i += 2)
            pairs.append({accounts.at(i), accounts.at(i + 1)});
        const QList<qint64> conversations = api.conversations(pairs);
        for (int i = 0; i < users; ++i)
            clients.append(ClientSpec::make(i, accounts.at(i), conversations.at(i / 2), true));
    }

    Report report;
    runMessageLoad(options, clients, 1, report);
    return report;
}

// Groups of each size, members sending in turn; every message goes to G-1 others.
Report fanout(const Options &options, BenchApi &api, int groupSize)
{
    const int groups = std::max(1, options.users / groupSize);
    const int users = groups * groupSize;
    QList<ClientSpec> clients;
    if (options.xmpp) {
        // One multi-user chat room per group (XEP-0045), created by whoever joins first.
        for (int i = 0; i < users; ++i) {
            ClientSpec spec = ClientSpec::make(i, {}, 0, true);
            spec.xmppUser = (options.xmppUserPrefix + QString::number(i)).toUtf8();
            spec.xmppPassword = (options.xmppPasswordPrefix + QString::number(i)).toUtf8();
            spec.xmppPeer =
                (options.prefix + u"-g%1-%2@conference."_s.arg(groupSize).arg(i / groupSize) +
                 options.xmppDomain)
                    .toUtf8();
            spec.xmppRoom = true;
            clients.append(spec);
        }
    } else {
        const QList<Account> accounts =
            api.accounts(options.prefix + u"f"_s, users, "bench-password");
        QList<QList<Account>> members;
        for (int g = 0; g < groups; ++g)
            members.append(accounts.mid(g * groupSize, groupSize));
        const QList<qint64> conversations = api.conversations(members);
        for (int i = 0; i < users; ++i)
            clients.append(
                ClientSpec::make(i, accounts.at(i), conversations.at(i / groupSize), true));
    }

    Report report;
    report.add(u"group size"_s, groupSize);
    report.add(u"groups"_s, groups);
    runMessageLoad(options, clients, groupSize - 1, report);
    return report;
}

// N authenticated connections held open: connect rate and server memory per connection.
Report idle(const Options &options, BenchApi &api)
{
    const QList<Account> accounts =
        api.accounts(options.prefix + u"i"_s, options.users, "bench-password");
    QList<ClientSpec> clients;
    for (int i = 0; i < options.users; ++i)
        clients.append(ClientSpec::make(i, accounts.at(i), 0, false));
    Report report;
    Load load(workerSettings(options), options.threads);
    QThread::msleep(500);
    const ProcessSample before = sampleProcess(options.serverPid);
    const double seconds = load.connect(clients);
    waitUntil([] { return false; }, 1000); // let the server settle
    const ProcessSample after = sampleProcess(options.serverPid);
    report.add(u"connections"_s, load.openCount());
    report.add(u"connect time"_s, seconds, u"s"_s);
    report.add(u"connects per second"_s, seconds > 0 ? double(options.users) / seconds : 0.0,
               u"/s"_s);
    if (after.rssKiB > 0) {
        report.add(u"server RSS before"_s, before.rssKiB, u"KiB"_s);
        report.add(u"server RSS after"_s, after.rssKiB, u"KiB"_s);
        report.add(u"server RSS per connection"_s,
                   double(after.rssKiB - before.rssKiB) / double(options.users), u"KiB"_s);
        report.add(u"server CPU to connect"_s, after.cpuSeconds - before.cpuSeconds, u"s"_s);
    }
    return report;
}

// The server is killed (SIGKILL) in the middle of a direct load and restarted; clients
// reconnect with backoff and resend what was not confirmed.
Report reconnect(const Options &options, BenchApi &api)
{
    Report report;
    if (options.serverPid <= 0 || options.restartCommand.isEmpty()) {
        std::fprintf(stderr, "pitchey-bench: reconnect needs --server-pid and --restart-command\n");
        return report;
    }
    const int users = std::max(2, options.users - options.users % 2);
    const QList<Account> accounts = api.accounts(options.prefix + u"r"_s, users, "bench-password");
    QList<QList<Account>> pairs;
    for (int i = 0; i < users; i += 2)
        pairs.append({accounts.at(i), accounts.at(i + 1)});
    const QList<qint64> conversations = api.conversations(pairs);
    QList<ClientSpec> clients;
    for (int i = 0; i < users; ++i)
        clients.append(ClientSpec::make(i, accounts.at(i), conversations.at(i / 2), true));

    Load load(workerSettings(options), options.threads);
    report.add(u"connections"_s, users);
    report.add(u"connect time"_s, load.connect(clients), u"s"_s);
    QElapsedTimer clock;
    clock.start();
    load.startSending(options.rate, options.duration);
    waitUntil([&] { return clock.elapsed() >= qint64(options.duration * 500); }, 600000);

    ::kill(pid_t(options.serverPid), SIGKILL);
    QElapsedTimer outage;
    outage.start();
    QProcess::startDetached(u"/bin/sh"_s, {u"-c"_s, options.restartCommand});
    waitUntil([&] { return load.openCount() < users; }, 10000); // the clients noticed
    const bool back = waitUntil([&] { return load.openCount() >= users; }, 120000);
    const double recovery = double(outage.elapsed()) / 1000.0;
    load.waitForSending(options.duration);
    WorkerResults results = load.results();
    load.drain(results.sent, 1, clock); // the counter it waits on counts every delivery of the run
    const WorkerResults rest = load.results();
    results += rest;
    // A snapshot, not a count: only the later one is true.
    results.unacknowledged = rest.unacknowledged;

    const quint64 unique = results.received - results.duplicates;
    report.add(u"all reconnected"_s, back ? u"yes"_s : u"no"_s);
    report.add(u"kill to all reconnected"_s, recovery, u"s"_s);
    report.add(u"sent (unique)"_s, qint64(results.sent), u"messages"_s);
    report.add(u"delivered (unique)"_s, qint64(unique), u"messages"_s);
    report.add(u"lost"_s, qint64(results.sent > unique ? results.sent - unique : 0), u"messages"_s);
    report.add(u"duplicated (stored twice)"_s, qint64(results.duplicates), u"messages"_s);
    report.add(u"pushed again (same id, not acknowledged at the kill)"_s,
               qint64(results.redelivered), u"frames"_s);
    report.add(u"out of order"_s, qint64(results.outOfOrder), u"messages"_s);
    report.add(u"never confirmed to the sender"_s, qint64(results.unacknowledged), u"messages"_s);
    return report;
}

UploadSettings uploadSettings(const Options &options)
{
    UploadSettings settings;
    settings.prefix = options.prefix;
    settings.parallel = options.concurrency;
    settings.uploads = std::max(options.concurrency, 1);
    settings.bytes = options.uploadBytes;
    settings.images = options.images;
    settings.serverPid = options.serverPid;
    return settings;
}

HttpScenarioSettings httpSettings(const Options &options)
{
    return {options.prefix, options.historyMessages, options.concurrency, options.duration,
            options.serverPid};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new pitchey::server::EpollEventDispatcher);
    // The application owns the dispatcher (the analyzer cannot see that).
    QCoreApplication app(argc, argv); // NOLINT(clang-analyzer-cplusplus.NewDeleteLeaks)
    QCoreApplication::setApplicationName(u"pitchey-bench"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(PITCHEY_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Load generator for pitchey-server. Scenarios: idle, direct, fanout, history, feed,\n"
        "reconnect, flood, upload (files of 50 MB, --concurrency at once; then thumbnails).\n"
        "It registers its own users (password cost and auth rate limits of the target apply:\n"
        "for large runs start the target with --password-cost minimal --auth-burst 1000000\n"
        "--rate-burst 1000000)."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption scenario(u"scenario"_s,
                                      u"idle, direct, fanout, history, feed, reconnect or flood."_s,
                                      u"name"_s, u"direct"_s);
    const QCommandLineOption url(
        u"url"_s,
        u"Server base URL; several, comma separated, for the nodes of a cluster (the "
        "first serves the HTTP calls, WebSockets are spread over all)."_s,
        u"url"_s, u"http://127.0.0.1:8000"_s);
    const QCommandLineOption caFile(
        u"ca-file"_s, u"PEM certificates to trust for an https/wss --url, besides the system's."_s,
        u"file"_s);
    const QCommandLineOption users(u"users"_s,
                                   u"Number of users/connections (flood: flooders, default 10)."_s,
                                   u"n"_s, u"1000"_s);
    const QCommandLineOption stalled(u"stalled"_s, u"flood: connections that never read."_s, u"n"_s,
                                     u"100"_s);
    const QCommandLineOption duration(u"duration"_s, u"Seconds of load."_s, u"s"_s, u"10"_s);
    const QCommandLineOption rate(u"rate"_s, u"Offered messages per second (open loop)."_s, u"r"_s,
                                  u"1000"_s);
    const QCommandLineOption json(u"json"_s, u"Print the figures as JSON."_s);
    const QCommandLineOption pid(u"server-pid"_s, u"Server process id, for its CPU and memory."_s,
                                 u"pid"_s, u"0"_s);
    const QCommandLineOption threads(u"threads"_s, u"Generator threads."_s, u"n"_s, u"1"_s);
    const QCommandLineOption sources(u"source-addresses"_s, u"Spread sockets over 127.0.0.1..N."_s,
                                     u"n"_s, u"8"_s);
    const QCommandLineOption payload(u"payload"_s, u"Message content bytes."_s, u"bytes"_s,
                                     u"64"_s);
    const QCommandLineOption groups(u"group-sizes"_s, u"Fan-out group sizes, comma separated."_s,
                                    u"list"_s, u"10,100,1000"_s);
    const QCommandLineOption noAck(u"no-ack"_s,
                                   u"Do not send message_delivered for received messages."_s);
    const QCommandLineOption historySize(
        u"history-messages"_s, u"Messages in the history conversation."_s, u"n"_s, u"10000"_s);
    const QCommandLineOption uploadBytes(u"upload-bytes"_s, u"upload: the size of each file."_s,
                                         u"bytes"_s, u"52428800"_s);
    const QCommandLineOption images(u"images"_s, u"upload: photos given thumbnails after."_s,
                                    u"n"_s, u"40"_s);
    const QCommandLineOption protocol(
        u"protocol"_s,
        u"pitchey (default); xmpp: XMPP over WebSocket, for direct against an XMPP "
        "server (--url ws://host:port/xmpp-websocket; users u0..uN-1 with passwords "
        "pw0..pwN-1 must exist); echo: direct against --echo-server, the floor."_s,
        u"name"_s, u"pitchey"_s);
    const QCommandLineOption restart(
        u"restart-command"_s,
        u"reconnect: shell command that starts the server again after the kill."_s, u"cmd"_s);
    const QCommandLineOption mix(
        u"mix"_s,
        u"direct and fanout: sends/edits/reactions per 100 operations, e.g. 70/20/10 (an edit "
        "changes the sender's last message, a reaction toggles one on the last received)."_s,
        u"s/e/r"_s, u"100/0/0"_s);
    const QCommandLineOption concurrency(
        u"concurrency"_s, u"History requests (upload: uploads) in flight."_s, u"n"_s, u"16"_s);
    const QCommandLineOption echoServer(
        u"echo-server"_s,
        u"Run a minimal WebSocket echo server on 127.0.0.1:port instead (the floor)."_s, u"port"_s);
    parser.addOptions({scenario, url,         caFile,      users,   duration, rate,
                       json,     pid,         threads,     sources, payload,  groups,
                       noAck,    historySize, concurrency, restart, protocol, echoServer,
                       stalled,  mix,         uploadBytes, images});
    parser.process(app);

    if (parser.isSet(echoServer)) {
        pitchey::bench::EchoServer server;
        if (!server.listen(QHostAddress::LocalHost, quint16(parser.value(echoServer).toUInt()))) {
            std::fprintf(stderr, "pitchey-bench: echo server: %s\n",
                         qPrintable(server.errorString()));
            return 1;
        }
        std::printf("pitchey-bench echo server listening on 127.0.0.1:%u\n",
                    unsigned(server.serverPort()));
        std::fflush(stdout);
        return QCoreApplication::exec();
    }

    Options options;
    options.scenario = parser.value(scenario);
    const QStringList urls = parser.value(url).split(u',', Qt::SkipEmptyParts);
    options.url = QUrl(urls.value(0));
    const QString scheme = options.url.scheme();
    options.server.tls = scheme == "https"_L1 || scheme == "wss"_L1;
    const int defaultPort = options.server.tls ? 443 : 80;
    options.port = quint16(options.url.port(defaultPort));
    if (urls.size() > 1) {
        for (const QString &node : urls)
            options.clusterPorts.append(quint16(QUrl(node).port(defaultPort)));
    }
    options.users = parser.value(users).toInt();
    options.duration = parser.value(duration).toDouble();
    options.rate = parser.value(rate).toDouble();
    options.json = parser.isSet(json);
    options.serverPid = parser.value(pid).toLongLong();
    options.threads = std::max(1, parser.value(threads).toInt());
    options.sources = std::clamp(parser.value(sources).toInt(), 1, 254);
    options.payload = std::max(8, parser.value(payload).toInt());
    options.groupSizes.clear();
    for (const QString &size : parser.value(groups).split(u','))
        options.groupSizes.append(std::max(2, size.toInt()));
    options.acknowledge = !parser.isSet(noAck);
    options.historyMessages = parser.value(historySize).toInt();
    options.uploadBytes = std::max<qint64>(1, parser.value(uploadBytes).toLongLong());
    options.images = std::max(0, parser.value(images).toInt());
    options.concurrency = std::max(1, parser.value(concurrency).toInt());
    const QStringList shares = parser.value(mix).split(u'/');
    if (shares.size() != 3 ||
        shares.at(0).toInt() + shares.at(1).toInt() + shares.at(2).toInt() != 100 ||
        shares.at(1).toInt() < 0 || shares.at(2).toInt() < 0) {
        std::fprintf(stderr, "pitchey-bench: --mix takes three shares that add up to 100\n");
        return 2;
    }
    options.editPercent = shares.at(1).toInt();
    options.reactPercent = shares.at(2).toInt();
    options.restartCommand = parser.value(restart);
    options.reconnect = options.scenario == "reconnect"_L1;
    options.xmpp = parser.value(protocol) == "xmpp"_L1;
    options.echo = parser.value(protocol) == "echo"_L1;
    if ((options.xmpp && options.scenario != "direct"_L1 && options.scenario != "fanout"_L1) ||
        (options.echo && options.scenario != "direct"_L1)) {
        std::fprintf(stderr, "pitchey-bench: --protocol xmpp supports direct and fanout, "
                             "echo supports direct\n");
        return 2;
    }
    options.prefix =
        u"b%1"_s.arg(QString::number(QDateTime::currentSecsSinceEpoch() % 1000000, 36));
    if (!options.url.isValid() || options.url.host().isEmpty()) {
        std::fprintf(stderr, "pitchey-bench: --url must be like http://127.0.0.1:8000\n");
        return 2;
    }
    auto target = resolve(options.url.host());
    if (!target) {
        std::fprintf(stderr, "pitchey-bench: cannot resolve %s\n", qPrintable(options.url.host()));
        return 2;
    }
    options.server.address = *target;
    options.server.hostName = options.url.host();
    if (parser.isSet(caFile)) {
        const QList<QSslCertificate> trusted = QSslCertificate::fromPath(parser.value(caFile));
        if (trusted.isEmpty()) {
            std::fprintf(stderr, "pitchey-bench: no PEM certificate in %s\n",
                         qPrintable(parser.value(caFile)));
            return 2;
        }
        // For the HTTP calls and every WebSocket alike.
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.addCaCertificates(trusted);
        QSslConfiguration::setDefaultConfiguration(configuration);
    }

    BenchApi api(options.url);
    const double cpuAtStart = ownCpuSeconds();
    QJsonArray all;
    auto show = [&](const Report &report, const QString &title) {
        if (options.json)
            all.append(QJsonObject{{"scenario"_L1, title}, {"figures"_L1, report.json()}});
        else
            report.print(title);
    };
    {
        if (options.scenario == "direct"_L1) {
            show(direct(options, api),
                 u"direct: %1 users, %2 messages/s offered for %3 s"_s.arg(options.users)
                     .arg(options.rate)
                     .arg(options.duration));
        } else if (options.scenario == "fanout"_L1) {
            for (int size : options.groupSizes)
                show(fanout(options, api, size),
                     u"fanout: groups of %1, %2 messages/s offered"_s.arg(size).arg(options.rate));
        } else if (options.scenario == "idle"_L1) {
            show(idle(options, api), u"idle: %1 connections"_s.arg(options.users));
        } else if (options.scenario == "reconnect"_L1) {
            show(
                reconnect(options, api),
                u"reconnect: %1 users, %2 messages/s, server killed after %3 s"_s.arg(options.users)
                    .arg(options.rate)
                    .arg(options.duration / 2));
        } else if (options.scenario == "flood"_L1) {
            FloodSettings settings;
            settings.server = options.server;
            settings.port = options.port;
            settings.prefix = options.prefix;
            settings.serverPid = options.serverPid;
            settings.flooders = parser.isSet(users) ? options.users : 10;
            settings.stalled = std::max(1, parser.value(stalled).toInt());
            settings.seconds = options.duration;
            show(flood(settings, api),
                 u"flood: %1 flooders for %2 s, %3 stalled readers"_s.arg(settings.flooders)
                     .arg(settings.seconds)
                     .arg(settings.stalled));
        } else if (options.scenario == "feed"_L1) {
            show(feed(httpSettings(options), api),
                 u"feed: catching up on %1 missed changes"_s.arg(options.historyMessages));
        } else if (options.scenario == "upload"_L1) {
            const UploadSettings settings = uploadSettings(options);
            show(uploads(settings, api),
                 u"upload: %1 files of %2 MB, %3 at once"_s.arg(settings.uploads)
                     .arg(double(settings.bytes) / 1e6)
                     .arg(settings.parallel));
            show(thumbnails(settings, api),
                 u"upload: thumbnails of %1 photos"_s.arg(settings.images));
        } else if (options.scenario == "history"_L1) {
            show(history(httpSettings(options), api),
                 u"history: paging %1 messages"_s.arg(options.historyMessages));
        } else {
            std::fprintf(stderr, "pitchey-bench: unknown scenario %s\n",
                         qPrintable(options.scenario));
            return 2;
        }
    }
    if (options.json)
        std::printf("%s\n", QJsonDocument(all).toJson(QJsonDocument::Indented).constData());
    std::fprintf(stderr, "pitchey-bench: own CPU %.2f s\n", ownCpuSeconds() - cpuAtStart);
    return 0;
}
