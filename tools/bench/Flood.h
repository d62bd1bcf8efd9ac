#pragma once

#include "BenchApi.h"
#include "BenchReport.h"
#include "WsLite.h"

namespace pitchey::bench {

struct FloodSettings
{
    WsTarget server;
    quint16 port = 0;
    QString prefix;       // of the users it registers
    qint64 serverPid = 0; // for the server's memory (0: not measured)
    int flooders = 10;
    int stalled = 100;
    double seconds = 10;
};

// What floods and stalled readers cost the server (issue 18, docs/benchmarks.md):
// - stalled readers: connections that never read, each sent ~400 KiB (under the server's
//   default output bound), the server's resident memory per connection;
// - a flood: `flooders` connections write ping frames as fast as TCP takes them for
//   `seconds`, while /health is asked every 50 ms and two other users exchange a message
//   every 100 ms: the server's memory growth, /health's and the messages' latency, and
//   whether the flooders kept their connections.
// Start the server with an --auth-burst that lets the registrations through (e.g.
// 1000000) and the default frame rate: the flood is over any rate a person has.
Report flood(const FloodSettings &settings, BenchApi &api);

} // namespace pitchey::bench
