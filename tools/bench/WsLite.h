#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QTcpSocket>

#include <functional>

namespace pitchey::bench {

// A minimal RFC 6455 client over QTcpSocket: text frames, ping/pong, close. Cheaper than
// QWebSocket (the generator must never be the bottleneck), and it can bind its source
// address, which spreads thousands of sockets over several 127.0.0.x addresses.
class WsLite : public QObject
{
    Q_OBJECT

public:
    std::function<void()> onOpen;
    std::function<void(QByteArrayView)> onText;
    std::function<void()> onClosed;

    explicit WsLite(QObject *parent = nullptr);
    void open(const QHostAddress &server, quint16 port, const QByteArray &pathAndQuery,
              const QHostAddress &source, const QByteArray &subprotocol = {});
    void sendText(QByteArrayView text);
    void close();
    [[nodiscard]] bool isOpen() const { return m_open; }

private:
    void onReadyRead();
    void sendFrame(quint8 opcode, QByteArrayView payload);

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_request;
    bool m_open = false;
    quint32 m_maskState;
};

} // namespace pitchey::bench
