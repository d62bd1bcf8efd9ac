#include "Clients.h"

#include <QJsonArray>

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace pitchey::testing {

QString HttpResult::errorCode() const
{
    return body.value("error"_L1).toObject().value("code"_L1).toString();
}

std::optional<double> sample(const QByteArray &exposition, const QString &series)
{
    for (const QByteArray &line : exposition.split('\n')) {
        const QString text = QString::fromUtf8(line);
        if (text.startsWith(series + u' '))
            return text.mid(series.size() + 1).toDouble();
    }
    return std::nullopt;
}

QByteArray webSocketHandshake(const QString &token, const QByteArray &key,
                              const QByteArray &version)
{
    return "GET /api/messages/ws?token=" + token.toLatin1() +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: " +
           key + "\r\nSec-WebSocket-Version: " + version + "\r\n\r\n";
}

QByteArray maskedTextFrame(const QByteArray &payload)
{
    Q_ASSERT(payload.size() < 126);
    const QByteArray mask = "\x12\x34\x56\x78";
    QByteArray frame;
    frame.append(char(0x81)); // FIN, text
    frame.append(char(0x80 | payload.size()));
    frame.append(mask);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ mask.at(i % 4)));
    return frame;
}

bool readUntil(QIODevice &device, QByteArray &in, QByteArrayView needle, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            in += device.readAll();
            return in.contains(needle);
        },
        timeoutMs);
}

bool readUntilBlocking(QIODevice &device, QByteArray &in, QByteArrayView needle, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!in.contains(needle) && !deadline.hasExpired()) {
        if (device.bytesToWrite() > 0)
            device.waitForBytesWritten(int(deadline.remainingTime()));
        else if (device.waitForReadyRead(int(deadline.remainingTime())))
            in += device.readAll();
    }
    return in.contains(needle);
}

QJsonValue claimOf(const QString &token, QLatin1StringView name)
{
    const QByteArray payload =
        QByteArray::fromBase64(token.section(u'.', 1, 1).toLatin1(), QByteArray::Base64UrlEncoding);
    return QJsonDocument::fromJson(payload).object().value(name);
}

HttpResult HttpClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                            const QString &token)
{
    if (token.isEmpty())
        return sendWithHeaders(method, path, body, {});
    return sendWithHeaders(method, path, body, {{"Authorization", "Bearer " + token.toLatin1()}});
}

HttpResult HttpClient::sendWithHeaders(const QByteArray &method, const QString &path,
                                       const QByteArray &body,
                                       const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QUrl url = m_base;
    const qsizetype q = path.indexOf(u'?');
    url.setPath(q < 0 ? path : path.left(q));
    if (q >= 0)
        url.setQuery(path.mid(q + 1));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    if (m_tls)
        request.setSslConfiguration(*m_tls);
    QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(15000);
    loop.exec();
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.raw = reply->readAll();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        result.headers.insert(name.toLower(), value);
    result.body = QJsonDocument::fromJson(result.raw).object();
    reply->deleteLater();
    return result;
}

HttpResult HttpClient::get(const QString &path, const QString &token)
{
    return send("GET", path, {}, token);
}

HttpResult HttpClient::post(const QString &path, const QJsonObject &body, const QString &token)
{
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), token);
}

HttpResult HttpClient::put(const QString &path, const QJsonObject &body, const QString &token)
{
    return send("PUT", path, QJsonDocument(body).toJson(QJsonDocument::Compact), token);
}

HttpClient::Account HttpClient::registerUser(const QString &username)
{
    const HttpResult result = post(u"/api/auth/register"_s,
                                   {{"username"_L1, username}, {"password"_L1, "password123"_L1}});
    Account account;
    account.token = result.body.value("token"_L1).toString();
    account.id = result.body.value("user"_L1).toObject().value("id"_L1).toInteger();
    account.username = username;
    if (result.status != 201)
        qWarning() << "registration failed" << result.status << result.raw;
    return account;
}

qint64 HttpClient::createConversation(const Account &by, const QList<qint64> &others,
                                      const QString &title)
{
    QJsonArray ids;
    for (qint64 id : others)
        ids.append(id);
    QJsonObject body{{"participantIds"_L1, ids}};
    if (!title.isEmpty())
        body.insert("title"_L1, title);
    return post(u"/api/messages/conversations"_s, body, by.token)
        .body.value("conversation"_L1)
        .toObject()
        .value("id"_L1)
        .toInteger();
}

qint64 HttpClient::sendMessage(const Account &from, qint64 conversationId, const QString &content)
{
    return post(u"/api/messages/send"_s,
                {{"conversationId"_L1, conversationId}, {"content"_L1, content}}, from.token)
        .body.value("message"_L1)
        .toObject()
        .value("id"_L1)
        .toInteger();
}

WsClient::WsClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
        m_consumed.append(false);
    });
}

bool WsClient::open(const QUrl &url)
{
    m_socket.open(url);
    return !waitFor(u"connected"_s).isEmpty();
}

void WsClient::sendJson(const QJsonObject &frame)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void WsClient::sendRaw(const QString &text)
{
    m_socket.sendTextMessage(text);
}

QJsonObject WsClient::waitFor(const QString &type, int timeoutMs,
                              const std::function<bool(const QJsonObject &)> &predicate)
{
    QJsonObject found;
    auto look = [&] {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            if (m_consumed.at(i) || m_frames.at(i).value("type"_L1).toString() != type)
                continue;
            if (predicate && !predicate(m_frames.at(i)))
                continue;
            m_consumed[i] = true;
            found = m_frames.at(i);
            return true;
        }
        return false;
    };
    (void)QTest::qWaitFor(look, timeoutMs);
    return found;
}

QList<QJsonObject> WsClient::framesOf(const QString &type) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &frame : m_frames) {
        if (frame.value("type"_L1).toString() == type)
            found.append(frame);
    }
    return found;
}

QList<qint64> WsClient::messageIdsOf(const QString &type) const
{
    QList<qint64> ids;
    for (const QJsonObject &frame : framesOf(type))
        ids.append(frame.value("messageId"_L1).toInteger());
    return ids;
}

bool WsClient::staysQuiet(const QString &type)
{
    auto seen = [&] {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            if (!m_consumed.at(i) && m_frames.at(i).value("type"_L1).toString() == type)
                return true;
        }
        return false;
    };
    sendJson({{"type"_L1, "ping"_L1}});
    if (waitFor(u"pong"_s).isEmpty())
        return false;
    return !seen();
}

bool WsClient::waitForDisconnect(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; },
                           timeoutMs);
}

} // namespace pitchey::testing
