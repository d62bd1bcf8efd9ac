#include "realtime/WsSession.h"

#include "protocol/Frames.h"

#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSession, "pitchey.server.session", QtInfoMsg)

namespace pitchey::server {

WsSession::WsSession(std::unique_ptr<QWebSocket> socket, TokenClaims claims,
                     std::chrono::seconds idleTimeout, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_claims(std::move(claims))
    , m_idleTimeout(idleTimeout)
{
    m_socket->setParent(nullptr);
    // A frame over 64 KiB closes the socket with 1009 (QWebSocket does that itself).
    m_socket->setMaxAllowedIncomingMessageSize(quint64(frames::kMaxFrameBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(frames::kMaxFrameBytes));
    m_sinceLastSign.start();

    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_sinceLastSign.restart();
        Q_EMIT frameReceived(this, text.toUtf8());
    });
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &) {
        m_sinceLastSign.restart();
        send(
            frames::encode(frames::error(Error::badRequest(u"frames must be JSON text frames"_s))));
    });
    connect(m_socket.get(), &QWebSocket::pong, this, [this] { m_sinceLastSign.restart(); });
    connect(m_socket.get(), &QWebSocket::disconnected, this, [this] {
        if (m_closed)
            return;
        m_closed = true;
        Q_EMIT closed(this);
    });
}

WsSession::~WsSession()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void WsSession::send(const QString &frame)
{
    if (!m_closed)
        m_socket->sendTextMessage(frame);
}

void WsSession::sendMessage(qint64 messageId, const QString &frame)
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

void WsSession::finishBacklog(const QList<QPair<qint64, QString>> &backlog)
{
    // What arrived live while the backlog was read may be in it too: send each id once,
    // all in id order.
    QList<QPair<qint64, QString>> merged = backlog;
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
    if (m_closed)
        return;
    m_socket->close(code, reason);
    // A peer that never answers the closing handshake is cut off. (Created only now: an
    // idle connection should cost as little memory as possible.)
    auto *deadline = new QTimer(this);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, this, [this] {
        if (!m_closed)
            m_socket->abort();
    });
    deadline->start(std::chrono::seconds(5));
}

void WsSession::heartbeat()
{
    if (m_closed)
        return;
    if (m_sinceLastSign.elapsed() > std::chrono::milliseconds(m_idleTimeout).count()) {
        qCInfo(lcSession) << "closing silent connection of user" << userId();
        close(QWebSocketProtocol::CloseCodeGoingAway, u"no sign of life"_s);
        return;
    }
    m_socket->ping();
}

} // namespace pitchey::server
