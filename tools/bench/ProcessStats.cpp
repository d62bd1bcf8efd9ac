#include "ProcessStats.h"

#include <QFile>
#include <QList>

#include <sys/resource.h>
#include <unistd.h>

namespace pitchey::bench {

ProcessSample sampleProcess(qint64 pid)
{
    ProcessSample sample;
    if (pid <= 0)
        return sample;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray text = stat.readAll();
        // Fields after the command name (which may contain spaces) start after ") ".
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 13)
            sample.cpuSeconds = double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) /
                                double(sysconf(_SC_CLK_TCK));
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                sample.rssKiB = line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return sample;
}

double ownCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace pitchey::bench
