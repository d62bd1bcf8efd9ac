#pragma once

#include "BenchApi.h"
#include "BenchReport.h"

namespace pitchey::bench {

// The scenarios that read one long conversation over HTTP.
struct HttpScenarioSettings
{
    QString prefix;       // of the accounts registered
    int messages = 10000; // sent into the conversation first
    int concurrency = 16; // history: clients paging at once
    double duration = 10; // seconds
    qint64 serverPid = 0; // 0: no server figures
};

// `concurrency` clients paging back through the conversation, 50 a page.
[[nodiscard]] Report history(const HttpScenarioSettings &settings, BenchApi &api);
// A device that missed `messages` changes catching up through GET /api/messages/changes
// (500 a page, as the messenger pages it), again and again for `duration`.
[[nodiscard]] Report feed(const HttpScenarioSettings &settings, BenchApi &api);

} // namespace pitchey::bench
