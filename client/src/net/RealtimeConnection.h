#pragma once

#include "protocol/Frames.h"
#include "protocol/ServerFrames.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace pitchey::client {

// The WebSocket half of the contract, kept alive: reconnects by itself with exponential
// backoff and jitter (1 s doubling to 30 s; at once when the network comes back), pings
// every 30 s and gives up on a connection that stays silent for a whole ping interval
// after a ping, so a dead link is noticed within a minute.
class RealtimeConnection : public QObject
{
    Q_OBJECT

public:
    enum class State
    {
        Stopped,    // not logged in
        Connecting, // a connection attempt is under way
        Connected,  // `connected` arrived
        Waiting,    // offline, next attempt at nextAttemptAt()
    };
    Q_ENUM(State)

    struct Timing
    {
        int firstRetryMs = 1000;
        int maxRetryMs = 30'000;
        int pingIntervalMs = 30'000;
    };

    explicit RealtimeConnection(QObject *parent = nullptr);
    ~RealtimeConnection() override;

    void setTiming(const Timing &timing) { m_timing = timing; }
    void start(const QUrl &url); // (re)connects to url until stop()
    void stop();
    void retryNow(); // skip the wait, e.g. when the network comes back
    // Sends a frame when connected; false (and nothing sent) otherwise.
    bool send(const frames::ClientFrame &frame);

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QDateTime nextAttemptAt() const { return m_nextAttemptAt; }
    [[nodiscard]] qint64 userId() const { return m_userId; }

Q_SIGNALS:
    void stateChanged(State state);
    // Every frame but pong, as the protocol library reads it (unreadable ones are skipped).
    void frameReceived(const pitchey::frames::server::ServerFrame &frame);
    // The server refused the token (close code 1008): retrying would not help.
    void unauthorized();
    // A pong frame answered this side's ping: the link is alive.
    void heartbeat();

private:
    void open();
    void onText(const QString &text);
    void onDisconnected();
    void onPingTimer();
    void setState(State state);
    void scheduleRetry();

    QWebSocket m_socket;
    QTimer m_retryTimer;
    QTimer m_pingTimer;
    Timing m_timing;
    QUrl m_url;
    State m_state = State::Stopped;
    QDateTime m_nextAttemptAt;
    int m_attempts = 0;
    qint64 m_userId = 0;
    bool m_heardSinceLastPing = true;
};

} // namespace pitchey::client
