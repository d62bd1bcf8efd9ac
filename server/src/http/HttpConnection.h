#pragma once

#include "http/ByteStream.h"
#include "http/HttpTypes.h"
#include "http/RequestReader.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace pitchey::server {

// One client's HTTP/1.1 connection (plain or TLS): reads requests one at a time with a
// RequestReader, answers what is wrong with them itself (4xx/5xx, then closes), hands a
// complete request to the handler, and reads the next (pipelined) one only once that is
// answered, so that answers go out in order. Reading pauses while a request is with the
// handler or answers wait unread by the client: what a connection buffers is bounded.
//
// A valid WebSocket opening handshake for `webSocketPath` is not answered here: the
// connection goes to the upgrader with the handshake, what was read after it (the client's
// first frames), and the answer to write.
class HttpConnection : public QObject, private StreamListener
{
    Q_OBJECT

public:
    using Handler = std::function<void(const HttpRequest &, const HttpReply &)>;
    // Takes the connection (ByteStream::release), the raw handshake, and the upgrade
    // (query, answer, early bytes) to complete.
    using Upgrader = std::function<void(ByteStream::Released connection, QByteArrayView handshake,
                                        WebSocketUpgrade &&)>;
    // Called on the connection's thread (so it must be safe on any): how the route of a
    // request takes its body.
    using BodyPolicyFor = std::function<BodyPolicy(const QByteArray &method, const QString &path)>;
    struct Routes
    {
        Handler handler;
        QString webSocketPath;
        Upgrader upgrader;
        BodyPolicyFor bodyPolicy; // none: BodyPolicy's defaults everywhere
    };

    // Deletes itself once the client is gone. Runs on the stream's thread, and calls the
    // routes there: a handler that lives elsewhere forwards the request to its own thread,
    // and answers through the reply from there.
    HttpConnection(std::unique_ptr<ByteStream> stream, const HttpLimits &limits,
                   std::shared_ptr<const Routes> routes, QObject *parent = nullptr);
    ~HttpConnection() override;

    // Called through the ReplyChannel: `serial` names the request being answered.
    void answer(quint64 serial, const QByteArray &response, bool close);
    void answerStream(quint64 serial, const QByteArray &head, const ResponseBody &body, bool close);
    void readBody(quint64 serial, const HttpBodyStream::Piece &piece,
                  const HttpBodyStream::Done &done);

private:
    enum class Wait : quint8
    {
        Idle,     // between requests: the keep-alive timeout
        Head,     // a request's head under way: the request timeout, from its first byte
        Body,     // its body: the request timeout, from the last byte that came
        Handler,  // the request is being answered
        Streamed, // a streamed request is with the handler, its body not asked for yet
        Sending,  // a streamed answer's body is going out, as the client reads it
        Closing,  // the last answer is going out
        Lingering // our side is shut: reading to the end, for a short while
    };

    void readable() override { pump(); }
    void written() override;
    void closed() override { deleteLater(); }
    void pump();
    bool readMore();
    void onHead(QByteArrayView raw);
    void onBody();
    void dispatch();
    void dispatchHead();
    void endStream(bool complete);
    void upgrade(QByteArrayView raw);
    void fail(int status, const QByteArray &message,
              const QList<QPair<QByteArray, QByteArray>> &headers = {});
    void closeAfterWrite();
    void feed(); // the streamed answer's next pieces
    void answered(bool close);
    void linger();
    void setWait(Wait wait);
    void timedOut();

    std::unique_ptr<ByteStream> m_stream;
    std::shared_ptr<const Routes> m_routes;
    std::shared_ptr<ReplyChannel> m_channel;
    HttpLimits m_limits;
    RequestReader m_reader;
    QByteArray m_in; // read from the socket, not yet used by the reader
    HttpRequest m_request;
    bool m_headOnly = false;
    qsizetype m_bodyLimit = kMaxRequestBody;
    // A streamed request's body: where its pieces go, once asked for.
    bool m_streaming = false;
    bool m_continueWanted = false; // 100 Continue goes out when the body is asked for
    HttpBodyStream::Piece m_piece;
    HttpBodyStream::Done m_done;
    quint64 m_serial = 0;
    ResponseBody m_source; // a streamed answer's body still to send
    bool m_closeAfterSource = false;
    Wait m_wait = Wait::Idle;
    bool m_pumping = false;
    QTimer m_timer;
};

} // namespace pitchey::server
