#include "net/RealtimeConnection.h"

#include <QAbstractSocket>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkInformation>
#include <QRandomGenerator>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClientRealtime, "pitchey.client.realtime", QtInfoMsg)

namespace pitchey::client {

RealtimeConnection::RealtimeConnection(QObject *parent)
    : QObject(parent)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &RealtimeConnection::open);
    connect(&m_pingTimer, &QTimer::timeout, this, &RealtimeConnection::onPingTimer);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &RealtimeConnection::onText);
    connect(&m_socket, &QWebSocket::pong, this, [this] { m_heardSinceLastPing = true; });
    connect(&m_socket, &QWebSocket::disconnected, this, &RealtimeConnection::onDisconnected);
    // QWebSocket asks for TCP_NODELAY before its socket exists, which Qt 6.4 ignores: with
    // Nagle, a message sent right after a typing frame waits for the server's delayed ACK
    // (up to 40 ms). The socket exists now.
    m_socket.setParent(this); // (a member; it leaves this list when it goes first)
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        if (auto *tcp = m_socket.findChild<QAbstractSocket *>())
            tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    });

    // Where the platform tells us about the network, come back as soon as it does.
    if (QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                [this](QNetworkInformation::Reachability reachability) {
                    if (reachability == QNetworkInformation::Reachability::Online &&
                        m_state == State::Waiting)
                        retryNow();
                });
    }
}

RealtimeConnection::~RealtimeConnection()
{
    // The socket outlives the timers during destruction and would report its closing
    // to a half-destroyed object.
    disconnect(&m_socket, nullptr, this, nullptr);
}

void RealtimeConnection::start(const QUrl &url)
{
    m_url = url;
    m_attempts = 0;
    setState(State::Stopped); // the old connection's end must not schedule a retry
    m_socket.abort();
    open();
}

void RealtimeConnection::stop()
{
    m_retryTimer.stop();
    m_pingTimer.stop();
    setState(State::Stopped); // before abort(): onDisconnected must not schedule a retry
    m_socket.abort();
    m_userId = 0;
}

void RealtimeConnection::retryNow()
{
    if (m_state != State::Waiting)
        return;
    m_retryTimer.stop();
    open();
}

bool RealtimeConnection::send(const frames::ClientFrame &frame)
{
    if (m_state != State::Connected)
        return false;
    m_socket.sendTextMessage(QString::fromUtf8(frames::encode(frames::toJson(frame))));
    return true;
}

void RealtimeConnection::open()
{
    m_retryTimer.stop();
    setState(State::Connecting);
    m_socket.open(m_url);
}

void RealtimeConnection::onText(const QString &text)
{
    m_heardSinceLastPing = true;
    const auto frame = frames::server::parse(text.toUtf8());
    if (!frame.ok()) {
        qCInfo(lcClientRealtime) << "skipped a frame:" << frame.error().message;
        return;
    }
    if (const auto *connected = std::get_if<frames::server::Connected>(&frame.value())) {
        m_userId = connected->userId;
        m_attempts = 0;
        m_pingTimer.start(m_timing.pingIntervalMs);
        setState(State::Connected);
    }
    if (std::holds_alternative<frames::server::Pong>(frame.value()))
        Q_EMIT heartbeat();
    else
        Q_EMIT frameReceived(frame.value());
}

void RealtimeConnection::onDisconnected()
{
    m_pingTimer.stop();
    if (m_state == State::Stopped)
        return;
    if (m_socket.closeCode() == QWebSocketProtocol::CloseCodePolicyViolated) {
        qCInfo(lcClientRealtime) << "the server refused the session";
        stop();
        Q_EMIT unauthorized();
        return;
    }
    qCInfo(lcClientRealtime) << "connection lost:" << m_socket.closeCode()
                             << m_socket.errorString();
    scheduleRetry();
}

void RealtimeConnection::onPingTimer()
{
    if (!m_heardSinceLastPing) {
        qCInfo(lcClientRealtime) << "no answer within a ping interval; reconnecting";
        m_socket.abort();
        return;
    }
    m_heardSinceLastPing = false;
    send(frames::Ping{});
}

void RealtimeConnection::scheduleRetry()
{
    // 1 s, 2 s, 4 s ... 30 s, each between 50 % and 100 % of that so that a server
    // restart is not greeted by every client in the same millisecond.
    const qint64 ceiling = std::min<qint64>(
        qint64(m_timing.firstRetryMs) << std::min(m_attempts, 16), m_timing.maxRetryMs);
    const qint64 delay = ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1);
    ++m_attempts;
    m_nextAttemptAt = QDateTime::currentDateTimeUtc().addMSecs(delay);
    m_retryTimer.start(int(delay));
    setState(State::Waiting);
}

void RealtimeConnection::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace pitchey::client
