#pragma once

#include <QtGlobal>

namespace pitchey::bench {

// CPU seconds (user + system) and resident memory of a process, from /proc.
struct ProcessSample
{
    double cpuSeconds = 0;
    qint64 rssKiB = 0;
};

[[nodiscard]] ProcessSample sampleProcess(qint64 pid); // pid 0: nothing
[[nodiscard]] double ownCpuSeconds();

} // namespace pitchey::bench
