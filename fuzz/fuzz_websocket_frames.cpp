// The server's WebSocket frame reader (WebSocketWire): the input is what a client sends
// after the handshake, read from a socket pair as the wire reads its descriptor. Replies
// (pongs, close frames) go to the other end, which nobody reads: the wire must cope with
// a peer that does not read, too.
#include "websocket/WebSocketWire.h"

#include <QCoreApplication>

#include <cstdint>
#include <cstdlib>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

class Listener final : public pitchey::server::WireListener
{
public:
    void textReceived(quint64, QByteArray utf8) override { texts += utf8.size(); }
    void binaryReceived(quint64) override {}
    void signOfLife(quint64) override {}
    void wireClosed(quint64) override { closed = true; }
    void outputDrained(quint64) override {}
    qsizetype texts = 0;
    bool closed = false;
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    // Socket notifiers need the thread's event dispatcher.
    new QCoreApplication(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
        std::abort();
    Listener listener;
    {
        pitchey::server::WebSocketWire wire(
            fds[0], 1, listener, QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
        wire.start();
        if (wire.isOpen())
            wire.sendText("{}");
    } // closes fds[0]
    ::close(fds[1]);
    return 0;
}
