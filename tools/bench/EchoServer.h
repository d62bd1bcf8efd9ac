#pragma once

#include <QTcpServer>

namespace pitchey::bench {

// The floor for the comparison: the least a WebSocket server can do per message on this
// machine. Accepts RFC 6455 upgrades on any path and sends every text frame straight back
// to its sender, on one thread, with nothing else: no JSON, no storage, no routing.
class EchoServer : public QTcpServer
{
    Q_OBJECT

public:
    using QTcpServer::QTcpServer;

protected:
    void incomingConnection(qintptr descriptor) override;
};

} // namespace pitchey::bench
