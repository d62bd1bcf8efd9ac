#include "base/Metrics.h"

#include <QCoreApplication>

namespace pitchey::server {

namespace {

void writeHeader(QByteArray &out, const char *name, const char *help, const char *type)
{
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void writeSample(QByteArray &out, const char *name, double value)
{
    out += name;
    out += ' ';
    out += QByteArray::number(value, 'g', 15);
    out += '\n';
}

// Label values may hold a backslash, a quote or a newline; the format escapes them.
QByteArray escapeLabel(const QByteArray &value)
{
    QByteArray escaped = value;
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return escaped;
}

} // namespace

void LatencyHistogram::observe(std::chrono::nanoseconds elapsed)
{
    const double seconds = std::chrono::duration<double>(elapsed).count();
    std::size_t bucket = 0;
    while (bucket < kBounds.size() && seconds > kBounds[bucket])
        ++bucket;
    m_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    m_sumNanos.fetch_add(quint64(std::max<qint64>(0, elapsed.count())), std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
}

void LatencyHistogram::write(QByteArray &out, const char *name, const char *help) const
{
    writeHeader(out, name, help, "histogram");
    quint64 cumulative = 0;
    for (std::size_t i = 0; i <= kBounds.size(); ++i) {
        cumulative += m_buckets[i].load(std::memory_order_relaxed);
        out += name;
        out += "_bucket{le=\"";
        out += i < kBounds.size() ? QByteArray::number(kBounds[i], 'g', 6) : QByteArray("+Inf");
        out += "\"} ";
        out += QByteArray::number(cumulative);
        out += '\n';
    }
    out += name;
    out += "_sum ";
    out += QByteArray::number(double(m_sumNanos.load(std::memory_order_relaxed)) / 1e9, 'g', 15);
    out += '\n';
    out += name;
    out += "_count ";
    out += QByteArray::number(m_count.load(std::memory_order_relaxed));
    out += '\n';
}

void Metrics::countHttpRequest(const QByteArray &route, const QByteArray &method, int status)
{
    std::lock_guard lock(m_httpMutex);
    ++m_http[{route, method, status}];
}

QByteArray Metrics::render(const Gauges &gauges) const
{
    QByteArray out;
    out.reserve(8192);
    writeHeader(out, "pitchey_build_info", "The running version.", "gauge");
    out += "pitchey_build_info{version=\"" +
           escapeLabel(QCoreApplication::applicationVersion().toUtf8()) + "\"} 1\n";

    writeHeader(out, "pitchey_connections", "Open WebSocket connections.", "gauge");
    writeSample(out, "pitchey_connections", double(gauges.connections));
    writeHeader(out, "pitchey_online_users", "Users with at least one open connection.", "gauge");
    writeSample(out, "pitchey_online_users", double(gauges.onlineUsers));

    writeHeader(out, "pitchey_messages_stored_total", "Messages stored since the start.",
                "counter");
    writeSample(out, "pitchey_messages_stored_total", double(messagesStored.load()));
    writeHeader(out, "pitchey_messages_delivered_total",
                "new_message frames handed to recipients' connections (live and backlog).",
                "counter");
    writeSample(out, "pitchey_messages_delivered_total", double(messagesDelivered.load()));
    writeHeader(out, "pitchey_messages_refused_busy_total",
                "Messages refused with rate_limited because the database was too far behind.",
                "counter");
    writeSample(out, "pitchey_messages_refused_busy_total", double(messagesRefusedBusy.load()));
    deliveryLatency.write(out, "pitchey_delivery_latency_seconds",
                          "From a message received to its new_message frames handed to the "
                          "online recipients' connections.");

    writeHeader(out, "pitchey_http_requests_total", "HTTP requests by route, method and status.",
                "counter");
    {
        std::lock_guard lock(m_httpMutex);
        for (auto it = m_http.cbegin(); it != m_http.cend(); ++it) {
            const auto &[route, method, status] = it.key();
            out += "pitchey_http_requests_total{route=\"" + escapeLabel(route) + "\",method=\"" +
                   escapeLabel(method) + "\",status=\"" + QByteArray::number(status) + "\"} " +
                   QByteArray::number(it.value()) + '\n';
        }
    }
    dbLatency.write(out, "pitchey_db_query_latency_seconds",
                    "From a database job queued to its transaction committed.");
    writeHeader(out, "pitchey_db_backlog", "Database jobs queued and not yet committed.", "gauge");
    writeSample(out, "pitchey_db_backlog", double(gauges.dbBacklog));

    if (gauges.emailOutbox >= 0) {
        writeHeader(out, "pitchey_email_outbox", "Email digests waiting to be sent.", "gauge");
        writeSample(out, "pitchey_email_outbox", double(gauges.emailOutbox));
    }
    return out;
}

} // namespace pitchey::server
