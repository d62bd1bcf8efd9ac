#pragma once

#include <QByteArray>
#include <QObject>

namespace pitchey::server {

// One client's live connection as the services see it: whose it is, and sending to it.
// The transport implements it (websocket/WsSession); presence/ and messaging/ never know
// which transport that is.
class ClientSession : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    [[nodiscard]] virtual qint64 userId() const = 0;
    // A frame (UTF-8 JSON); one going to many connections is one shared QByteArray.
    virtual void send(const QByteArray &frame) = 0;
    // A new_message frame: a transport may hold it back while it pushes the stored backlog
    // that may include it.
    virtual void sendMessage(qint64 messageId, const QByteArray &frame) = 0;
};

} // namespace pitchey::server
