#pragma once

#include <QHash>
#include <QString>
#include <QtGlobal>

namespace pitchey::bench {

// CPU seconds (user + system) and resident memory of a process, from /proc, and its CPU
// seconds by thread: "main" (the thread the process started with), "pitchey-db" and
// "pitchey-io" (pitchey-server's database lanes and I/O threads, "pitchey-db-0" ...), and
// "other". A thread that has ended is in cpuSeconds only.
struct ProcessSample
{
    double cpuSeconds = 0;
    qint64 rssKiB = 0;
    QHash<QString, double> threadCpuSeconds;
};

[[nodiscard]] ProcessSample sampleProcess(qint64 pid); // pid 0: nothing
[[nodiscard]] double ownCpuSeconds();

} // namespace pitchey::bench
