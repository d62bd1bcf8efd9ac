#pragma once

#include <QHash>
#include <QIODevice>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QSslConfiguration>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <optional>

namespace pitchey::testing {

struct HttpResult
{
    int status = 0;
    QJsonObject body;
    QByteArray raw;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    [[nodiscard]] QString errorCode() const;
};

// The value of one series ("name" or "name{labels}") in a Prometheus text exposition.
[[nodiscard]] std::optional<double> sample(const QByteArray &exposition, const QString &series);

// WebSocket bytes written by hand, for what QWebSocket will not send: an opening handshake
// for the contract's path (RFC 6455 4.1) and a masked client text frame (5.3) of a payload
// under 126 bytes.
[[nodiscard]] QByteArray webSocketHandshake(const QString &token,
                                            const QByteArray &key = "dGhlIHNhbXBsZSBub25jZQ==",
                                            const QByteArray &version = "13");
[[nodiscard]] QByteArray maskedTextFrame(const QByteArray &payload);
// Reads from `device` into `in` until it holds `needle`; false after `timeoutMs` without.
[[nodiscard]] bool readUntil(QIODevice &device, QByteArray &in, QByteArrayView needle,
                             int timeoutMs = 5000);
// The same without handling any event of this thread (the waitFor* calls block it): what
// an in-process server answers meanwhile comes from its other threads.
[[nodiscard]] bool readUntilBlocking(QIODevice &device, QByteArray &in, QByteArrayView needle,
                                     int timeoutMs = 5000);

// A claim of a JWT's payload, read without checking anything.
[[nodiscard]] QJsonValue claimOf(const QString &token, QLatin1StringView name);

// Blocking helpers over a real QNetworkAccessManager (they spin the event loop).
class HttpClient
{
public:
    explicit HttpClient(QUrl base)
        : m_base(std::move(base))
    {}

    // For https: which certificates to trust.
    void setSslConfiguration(const QSslConfiguration &tls) { m_tls = tls; }

    HttpResult get(const QString &path, const QString &token = {});
    HttpResult post(const QString &path, const QJsonObject &body, const QString &token = {});
    HttpResult put(const QString &path, const QJsonObject &body, const QString &token = {});
    HttpResult send(const QByteArray &method, const QString &path, const QByteArray &body,
                    const QString &token = {});
    HttpResult sendWithHeaders(const QByteArray &method, const QString &path,
                               const QByteArray &body,
                               const QList<QPair<QByteArray, QByteArray>> &headers);

    // Registers (password "password123") and returns {token, userId}.
    struct Account
    {
        QString token;
        qint64 id = 0;
        QString username;
    };
    Account registerUser(const QString &username);
    // Creates (or finds, for a pair) a conversation of `by` with `others`; returns its id.
    qint64 createConversation(const Account &by, const QList<qint64> &others,
                              const QString &title = {});
    // Sends a message as `from` (POST /api/messages/send); returns its id (0 if refused).
    qint64 sendMessage(const Account &from, qint64 conversationId, const QString &content);

private:
    QUrl m_base;
    QNetworkAccessManager m_nam;
    std::optional<QSslConfiguration> m_tls;
};

// A real QWebSocket that records every frame it receives.
class WsClient : public QObject
{
    Q_OBJECT

public:
    explicit WsClient(QObject *parent = nullptr);

    bool open(const QUrl &url); // true once `connected` arrived
    void sendJson(const QJsonObject &frame);
    void sendRaw(const QString &text);
    // Waits for the next unread frame of `type` (and matching `predicate`), consuming it.
    QJsonObject waitFor(const QString &type, int timeoutMs = 5000,
                        const std::function<bool(const QJsonObject &)> &predicate = {});
    // True when no unread frame of `type` has arrived after a ping round trip: the server
    // answers a ping after sending this connection everything it had decided to send it
    // before. Call it once the server has decided what the frame that must cause nothing
    // causes: when an answer to that frame or a frame the same decision sends elsewhere
    // has arrived (consumes the pong only).
    bool staysQuiet(const QString &type);
    bool waitForDisconnect(int timeoutMs = 5000);
    [[nodiscard]] QList<QJsonObject> frames() const { return m_frames; }
    // Every frame of `type` received so far, in order, and their messageIds (consume nothing).
    [[nodiscard]] QList<QJsonObject> framesOf(const QString &type) const;
    [[nodiscard]] QList<qint64> messageIdsOf(const QString &type) const;
    [[nodiscard]] QWebSocketProtocol::CloseCode closeCode() const { return m_socket.closeCode(); }
    QWebSocket &socket() { return m_socket; }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_frames;
    QList<bool> m_consumed;
};

} // namespace pitchey::testing
