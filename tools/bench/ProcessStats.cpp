#include "ProcessStats.h"

#include <QDir>
#include <QFile>
#include <QList>

#include <sys/resource.h>
#include <unistd.h>

namespace pitchey::bench {

namespace {

// User + system seconds from a /proc/.../stat file.
double statCpuSeconds(const QString &path)
{
    QFile stat(path);
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    // Fields after the command name (which may contain spaces) start after ") ".
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() <= 13)
        return 0;
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) /
           double(sysconf(_SC_CLK_TCK));
}

// A thread's CPU seconds: from schedstat (nanoseconds), where the kernel keeps it, else
// from stat (clock ticks: 10 ms, too coarse for a short run's smaller threads).
double threadCpuSeconds(const QString &taskDir)
{
    QFile schedstat(taskDir + QStringLiteral("/schedstat"));
    if (schedstat.open(QIODevice::ReadOnly)) {
        bool ok = false;
        const qint64 ns = schedstat.readAll().split(' ').value(0).toLongLong(&ok);
        if (ok)
            return double(ns) / 1e9;
    }
    return statCpuSeconds(taskDir + QStringLiteral("/stat"));
}

QString threadGroup(qint64 pid, const QString &tid)
{
    if (tid == QString::number(pid))
        return QStringLiteral("main");
    QFile comm(QStringLiteral("/proc/%1/task/%2/comm").arg(pid).arg(tid));
    if (!comm.open(QIODevice::ReadOnly))
        return QStringLiteral("other");
    const QByteArray name = comm.readAll().trimmed();
    for (const char *group : {"pitchey-db", "pitchey-io"}) {
        if (name.startsWith(QByteArray(group) + '-'))
            return QString::fromLatin1(group);
    }
    return QStringLiteral("other");
}

} // namespace

ProcessSample sampleProcess(qint64 pid)
{
    ProcessSample sample;
    if (pid <= 0)
        return sample;
    sample.cpuSeconds = statCpuSeconds(QStringLiteral("/proc/%1/stat").arg(pid));
    const QString tasks = QStringLiteral("/proc/%1/task").arg(pid);
    for (const QString &tid : QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        sample.threadCpuSeconds[threadGroup(pid, tid)] +=
            threadCpuSeconds(tasks + QLatin1Char('/') + tid);
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
