#pragma once

#include "auth/JwtService.h"

#include <QElapsedTimer>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QWebSocket>

#include <memory>

namespace pitchey::server {

// One authenticated WebSocket connection: frame size limits, heartbeats, and the ordering
// of new_message frames while the stored backlog is being pushed after `connected`.
class WsSession : public QObject
{
    Q_OBJECT

public:
    WsSession(std::unique_ptr<QWebSocket> socket, TokenClaims claims,
              std::chrono::seconds idleTimeout, QObject *parent = nullptr);
    ~WsSession() override;

    [[nodiscard]] qint64 userId() const { return m_claims.userId; }
    [[nodiscard]] const QString &username() const { return m_claims.username; }

    // Frames are sent as text; a frame going to many connections is converted to a QString
    // once and shared (QWebSocket takes QString).
    void send(const QString &frame);
    void send(const QByteArray &frame) { send(QString::fromUtf8(frame)); }
    // A new_message frame: held back while the backlog is being pushed, then merged in id order.
    void sendMessage(qint64 messageId, const QString &frame);
    void beginBacklog();
    void finishBacklog(const QList<QPair<qint64, QString>> &backlog);
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);
    // Called by the hub's heartbeat sweep: pings, or closes a connection silent too long.
    void heartbeat();

Q_SIGNALS:
    void frameReceived(pitchey::server::WsSession *session, const QByteArray &frame);
    void closed(pitchey::server::WsSession *session);

private:
    std::unique_ptr<QWebSocket> m_socket;
    TokenClaims m_claims;
    std::chrono::seconds m_idleTimeout;
    QElapsedTimer m_sinceLastSign;
    bool m_inBacklog = false;
    bool m_closed = false;
    QList<QPair<qint64, QString>> m_held;
};

} // namespace pitchey::server
