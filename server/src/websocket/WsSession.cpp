#include "websocket/WsSession.h"

#include "websocket/IoThreads.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::server {

WsSession::WsSession(IoThreads &io, TokenClaims claims, QObject *parent)
    : ClientSession(parent)
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
    if (!m_inBacklog)
        return send(frame);
    // A client that reads its backlog too slowly to ever catch up is let go (what it did
    // not get stays pending for its next connection) rather than held for without end.
    m_heldBytes += frame.size();
    if (m_heldBytes > m_io.maxOutput()) { // (the same bound as the output's)
        m_held.clear();
        m_inBacklog = false;
        close(QWebSocketProtocol::CloseCode(1013), u"too far behind; reconnect"_s);
        return;
    }
    m_held.append({messageId, frame});
}

void WsSession::beginBacklog()
{
    m_inBacklog = true;
}

void WsSession::sendBacklog(const QList<QPair<qint64, QByteArray>> &page)
{
    for (const auto &[id, frame] : page) {
        m_backlogSent.push_back(id);
        send(frame);
    }
}

void WsSession::finishBacklog()
{
    // What arrived live while the backlog was pushed may have been in it: each id once,
    // in id order.
    std::stable_sort(m_held.begin(), m_held.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    qint64 last = 0;
    for (const auto &[id, frame] : std::as_const(m_held)) {
        if (id == last || std::binary_search(m_backlogSent.cbegin(), m_backlogSent.cend(), id))
            continue;
        last = id;
        send(frame);
    }
    m_held.clear();
    m_heldBytes = 0;
    m_backlogSent = {};
    m_inBacklog = false;
}

void WsSession::whenDrained(std::function<void()> drained)
{
    if (m_closed)
        return;
    m_onDrained = std::move(drained);
    m_io.post(*this, {m_handle, IoThreads::Command::WhenDrained, {}, {}});
}

void WsSession::outputDrained()
{
    if (auto drained = std::exchange(m_onDrained, {}))
        drained();
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

void WsSession::refuseForRate(const QJsonValue &ref)
{
    if (m_closed)
        return;
    IoThreads::Command refusal{
        m_handle, IoThreads::Command::RateRefusal, {}, encodeRateRefusal(ref)};
    refusal.coalesce = ref.isNull();
    m_io.post(*this, std::move(refusal));
}

bool WsSession::keepEarly(const frames::ParsedClientFrame &frame)
{
    if (m_early.size() >= kMaxEarlyFrames)
        return false;
    m_early.append(frame);
    return true;
}

} // namespace pitchey::server
