#pragma once

#include "auth/JwtService.h"
#include "presence/ClientSession.h"
#include "protocol/Frames.h"

#include <QElapsedTimer>
#include <QObject>
#include <QWebSocketProtocol>

#include <functional>
#include <utility>
#include <vector>

namespace pitchey::server {

class IoThreads;

// One authenticated WebSocket connection, as the main thread sees it: who it is, and the
// ordering of new_message frames while the stored backlog is being pushed after
// `connected`. The socket itself lives on an I/O thread (IoThreads); every call here that
// touches it is queued there, in order.
class WsSession : public ClientSession
{
    Q_OBJECT

public:
    WsSession(IoThreads &io, TokenClaims claims, QObject *parent = nullptr);
    ~WsSession() override;

    [[nodiscard]] qint64 userId() const override { return m_claims.userId; }
    [[nodiscard]] const QString &username() const { return m_claims.username; }

    // Frames are UTF-8 JSON, sent as text; a frame going to many connections is one shared
    // QByteArray.
    void send(const QByteArray &frame) override;
    // A new_message frame: held back while the stored backlog is being pushed, sent after
    // it unless the backlog had it.
    void sendMessage(qint64 messageId, const QByteArray &frame) override;
    void beginBacklog();
    void sendBacklog(const QList<QPair<qint64, QByteArray>> &page); // in id order
    void finishBacklog();
    // Calls `drained` (once) when everything sent so far has been taken by the kernel; not
    // at all if the connection closes first.
    void whenDrained(std::function<void()> drained);
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);
    // Called by the hub's heartbeat sweep: pings, or closes a connection silent too long.
    void heartbeat();

    // Admitted once the database has confirmed the token's account (Authenticator); until
    // then the hub keeps the frames that arrive, at most kMaxEarlyFrames (false past that).
    [[nodiscard]] bool admitted() const { return m_admitted; }
    [[nodiscard]] bool isClosed() const { return m_closed; }
    void admit() { m_admitted = true; }
    [[nodiscard]] bool keepEarly(const frames::ParsedClientFrame &frame);
    [[nodiscard]] QList<frames::ParsedClientFrame> takeEarly()
    {
        return std::exchange(m_early, {});
    }
    static constexpr qsizetype kMaxEarlyFrames = 64;

    // A rate_limited error for a frame the account's rate refused (`ref`: refOf() of it),
    // coalesced on the I/O thread with the refusals of the connection's own rate.
    void refuseForRate(const QJsonValue &ref);

Q_SIGNALS:
    void frameReceived(pitchey::server::WsSession *session,
                       const pitchey::frames::ParsedClientFrame &frame);
    void closed(pitchey::server::WsSession *session);

private:
    friend class IoThreads;
    void frameArrived(const frames::ParsedClientFrame &frame) { Q_EMIT frameReceived(this, frame); }
    void socketClosed();
    void outputDrained();

    IoThreads &m_io;
    quint64 m_handle = 0; // set by IoThreads::adopt
    int m_ioThread = 0;
    TokenClaims m_claims;
    bool m_inBacklog = false;
    bool m_closed = false;
    bool m_admitted = false;
    QList<frames::ParsedClientFrame> m_early;
    QList<QPair<qint64, QByteArray>> m_held;
    qsizetype m_heldBytes = 0;
    std::vector<qint64> m_backlogSent; // ids, ascending, while the backlog is pushed
    std::function<void()> m_onDrained;
};

} // namespace pitchey::server
