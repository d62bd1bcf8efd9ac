#include "realtime/WsSession.h"

#include "realtime/IoThreads.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::server {

WsSession::WsSession(IoThreads &io, TokenClaims claims, QObject *parent)
    : QObject(parent)
    , m_io(io)
    , m_claims(std::move(claims))
{}

WsSession::~WsSession()
{
    m_io.forget(*this);
}

void WsSession::send(const QByteArray &frame)
{
    if (!m_closed)
        m_io.post(*this, {m_handle, IoThreads::Command::Send, {}, frame});
}

void WsSession::socketClosed()
{
    if (m_closed)
        return;
    m_closed = true;
    Q_EMIT closed(this);
}

void WsSession::sendMessage(qint64 messageId, const QByteArray &frame)
{
    if (m_inBacklog)
        m_held.append({messageId, frame});
    else
        send(frame);
}

void WsSession::beginBacklog()
{
    m_inBacklog = true;
}

void WsSession::finishBacklog(const QList<QPair<qint64, QByteArray>> &backlog)
{
    // What arrived live while the backlog was read may be in it too: send each id once,
    // all in id order.
    QList<QPair<qint64, QByteArray>> merged = backlog;
    merged.append(m_held);
    std::stable_sort(merged.begin(), merged.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    qint64 last = 0;
    for (const auto &[id, frame] : std::as_const(merged)) {
        if (id == last)
            continue;
        last = id;
        send(frame);
    }
    m_held.clear();
    m_inBacklog = false;
}

void WsSession::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (!m_closed)
        m_io.post(*this, {m_handle, IoThreads::Command::Close, code, reason.toUtf8()});
}

void WsSession::heartbeat()
{
    if (!m_closed)
        m_io.post(*this, {m_handle, IoThreads::Command::Heartbeat, {}, {}});
}

bool WsSession::mayRefuseForRate()
{
    if (m_sinceRateRefusal.isValid() && m_sinceRateRefusal.elapsed() < 1000)
        return false;
    m_sinceRateRefusal.start();
    return true;
}

bool WsSession::keepEarly(const frames::ParsedClientFrame &frame)
{
    if (m_early.size() >= kMaxEarlyFrames)
        return false;
    m_early.append(frame);
    return true;
}

} // namespace pitchey::server
