#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

namespace pitchey::bench {

// Rows of figures, printed as a table or as JSON.
class Report
{
public:
    void add(const QString &name, const QJsonValue &value, const QString &unit = {})
    {
        m_rows.append({name, value, unit});
        m_json.insert(name, value);
    }
    void print(const QString &title) const
    {
        std::printf("\n%s\n", qPrintable(title));
        for (const Row &row : m_rows) {
            const QString value = row.value.isDouble()
                                      ? (row.value.toDouble() == double(row.value.toInteger())
                                             ? QString::number(row.value.toInteger())
                                             : QString::number(row.value.toDouble(), 'f', 3))
                                      : row.value.toVariant().toString();
            std::printf("  %-34s %14s %s\n", qPrintable(row.name), qPrintable(value),
                        qPrintable(row.unit));
        }
        std::fflush(stdout);
    }
    [[nodiscard]] QJsonObject json() const { return m_json; }

private:
    struct Row
    {
        QString name;
        QJsonValue value;
        QString unit;
    };
    QList<Row> m_rows;
    QJsonObject m_json;
};

// The p-quantile (0..1) of sorted nanoseconds, in milliseconds.
inline double percentile(std::vector<qint64> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto index =
        size_t(std::min<double>(double(sorted.size() - 1), p * double(sorted.size())));
    return double(sorted[index]) / 1e6; // ms
}

// Runs the event loop until done() (true) or the timeout (false).
inline bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(2);
    }
    return true;
}

} // namespace pitchey::bench
