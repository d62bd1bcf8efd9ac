#include "HttpScenarios.h"

#include "LoadWorker.h"
#include "ProcessStats.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QUrlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::bench {

namespace {

// `count` messages into one conversation over HTTP, from its two accounts in turn.
void fill(BenchApi &api, const QList<Account> &accounts, qint64 conversation, int count)
{
    api.runMany(
        count, 64,
        [&](QNetworkAccessManager &nam, int i) {
            QNetworkRequest request(api.url(u"/api/messages/send"_s));
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
            request.setRawHeader("Authorization", "Bearer " + accounts.at(i % 2).token);
            return nam.post(
                request, QJsonDocument(QJsonObject{{"conversationId"_L1, conversation},
                                                   {"content"_L1, u"history message %1"_s.arg(i)}})
                             .toJson(QJsonDocument::Compact));
        },
        [](int, const BenchApi::Reply &) {});
}

} // namespace

Report history(const HttpScenarioSettings &settings, BenchApi &api)
{
    const QList<Account> accounts = api.accounts(settings.prefix + u"h"_s, 2, "bench-password");
    const qint64 conversation = api.conversations({{accounts.at(0), accounts.at(1)}}).value(0);
    fill(api, accounts, conversation, settings.messages);

    std::vector<qint64> latencies;
    QHash<int, qint64> startedAt;
    QHash<int, qint64> cursor; // per requester: the `before` of its next page (0: newest)
    int failures = 0;
    const ProcessSample before = sampleProcess(settings.serverPid);
    QElapsedTimer clock;
    clock.start();
    const int budget = 100000000;
    api.runMany(
        budget, settings.concurrency,
        [&](QNetworkAccessManager &nam, int i) {
            const int requester = i % settings.concurrency;
            QUrl url = api.url(u"/api/messages/%1/messages"_s.arg(conversation));
            QUrlQuery query;
            query.addQueryItem(u"limit"_s, u"50"_s);
            if (cursor.value(requester) > 0)
                query.addQueryItem(u"before"_s, QString::number(cursor.value(requester)));
            url.setQuery(query);
            QNetworkRequest request(url);
            request.setRawHeader("Authorization", "Bearer " + accounts.at(0).token);
            startedAt.insert(i, monotonicNs());
            return nam.get(request);
        },
        [&](int i, const BenchApi::Reply &reply) {
            latencies.push_back(monotonicNs() - startedAt.take(i));
            if (reply.status != 200)
                ++failures;
            const QJsonArray messages = reply.body.value("messages"_L1).toArray();
            const int requester = i % settings.concurrency;
            cursor.insert(requester, reply.body.value("hasMore"_L1).toBool() && !messages.isEmpty()
                                         ? messages.first().toObject().value("id"_L1).toInteger()
                                         : 0);
        },
        [&] { return clock.elapsed() > qint64(settings.duration * 1000); });
    const double seconds = double(clock.elapsed()) / 1000.0;
    std::sort(latencies.begin(), latencies.end());
    Report report;
    report.add(u"messages in the conversation"_s, settings.messages);
    report.add(u"requests"_s, qint64(latencies.size()));
    report.add(u"requests per second"_s, double(latencies.size()) / seconds, u"/s"_s);
    report.add(u"failed"_s, failures);
    report.add(u"latency p50"_s, percentile(latencies, 0.5), u"ms"_s);
    report.add(u"latency p99"_s, percentile(latencies, 0.99), u"ms"_s);
    const ProcessSample after = sampleProcess(settings.serverPid);
    if (after.rssKiB > 0)
        report.add(u"server CPU"_s, after.cpuSeconds - before.cpuSeconds, u"s"_s);
    return report;
}

Report feed(const HttpScenarioSettings &settings, BenchApi &api)
{
    const QList<Account> accounts = api.accounts(settings.prefix + u"f"_s, 2, "bench-password");
    const qint64 conversation = api.conversations({{accounts.at(0), accounts.at(1)}}).value(0);
    const auto position = [&](qint64 since, int limit) {
        QUrl url = api.url(u"/api/messages/changes"_s);
        url.setQuery(u"since=%1&limit=%2"_s.arg(since).arg(limit));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + accounts.at(0).token);
        return request;
    };
    qint64 missedFrom = 0;
    api.runMany(
        1, 1, [&](QNetworkAccessManager &nam, int) { return nam.get(position(0, 1)); },
        [&](int, const BenchApi::Reply &reply) {
            missedFrom = reply.body.value("latestChangeId"_L1).toInteger();
        });
    fill(api, accounts, conversation, settings.messages);

    std::vector<qint64> passes; // ns per catch-up
    qint64 cursor = missedFrom;
    qint64 passStarted = 0;
    int pages = 0;
    int changes = 0;
    int failures = 0;
    const ProcessSample before = sampleProcess(settings.serverPid);
    QElapsedTimer clock;
    clock.start();
    api.runMany(
        100000000, 1,
        [&](QNetworkAccessManager &nam, int) {
            if (cursor == missedFrom)
                passStarted = monotonicNs();
            return nam.get(position(cursor, 500));
        },
        [&](int, const BenchApi::Reply &reply) {
            ++pages;
            const QJsonArray messages = reply.body.value("messages"_L1).toArray();
            if (reply.status != 200 || messages.isEmpty()) {
                ++failures;
                cursor = missedFrom;
                return;
            }
            changes += int(messages.size());
            if (reply.body.value("hasMore"_L1).toBool()) {
                cursor = messages.last().toObject().value("changeId"_L1).toInteger();
                return;
            }
            passes.push_back(monotonicNs() - passStarted);
            cursor = missedFrom;
        },
        [&] { return clock.elapsed() > qint64(settings.duration * 1000) && !passes.empty(); });
    std::sort(passes.begin(), passes.end());
    Report report;
    report.add(u"changes missed"_s, settings.messages);
    report.add(u"catch-ups"_s, qint64(passes.size()));
    report.add(u"pages"_s, pages);
    report.add(u"failed pages"_s, failures);
    report.add(u"catch-up p50"_s, percentile(passes, 0.5), u"ms"_s);
    report.add(u"catch-up slowest"_s, percentile(passes, 1.0), u"ms"_s);
    report.add(u"changes per second"_s, double(changes) / (double(clock.elapsed()) / 1000.0),
               u"/s"_s);
    const ProcessSample after = sampleProcess(settings.serverPid);
    if (after.rssKiB > 0)
        report.add(u"server CPU"_s, after.cpuSeconds - before.cpuSeconds, u"s"_s);
    return report;
}

} // namespace pitchey::bench
