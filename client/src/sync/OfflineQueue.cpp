#include "sync/OfflineQueue.h"

#include "net/ApiClient.h"
#include "net/RealtimeConnection.h"
#include "store/LocalCache.h"

#include <QLoggingCategory>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClientQueue, "pitchey.client.queue", QtInfoMsg)

namespace pitchey::client {

namespace {
constexpr int kAnswerTimeoutMs = 15'000;
constexpr int kRateLimitPauseMs = 1'000;
constexpr int kServerTroublePauseMs = 5'000;
} // namespace

OfflineQueue::OfflineQueue(LocalCache &cache, RealtimeConnection &connection, ApiClient &api,
                           QObject *parent)
    : QObject(parent)
    , m_cache(cache)
    , m_connection(connection)
    , m_api(api)
{
    m_answerTimer.setSingleShot(true);
    connect(&m_answerTimer, &QTimer::timeout, this, [this] {
        m_inFlight.clear();
        pump();
    });
    m_pauseTimer.setSingleShot(true);
    connect(&m_pauseTimer, &QTimer::timeout, this, &OfflineQueue::pump);
    connect(&m_connection, &RealtimeConnection::stateChanged, this,
            [this](RealtimeConnection::State state) {
                // Whatever was in flight is sent again on the next connection.
                stopUpload();
                m_inFlight.clear();
                m_answerTimer.stop();
                if (state == RealtimeConnection::State::Connected)
                    pump();
            });
}

OfflineQueue::~OfflineQueue() = default;

Result<LocalMessage> OfflineQueue::enqueue(qint64 conversationId, qint64 senderId,
                                           const QString &content, const SendOptions &options)
{
    auto message = m_cache.addOutgoing(conversationId, senderId, content, options);
    if (message.ok())
        pump();
    return message;
}

void OfflineQueue::retry(const QString &clientMessageId)
{
    if (auto message = m_cache.requeue(clientMessageId)) {
        Q_EMIT messageChanged(*message);
        pump();
    }
}

bool OfflineQueue::discard(const QString &clientMessageId)
{
    const bool uploading = m_upload && m_inFlight == clientMessageId;
    if (m_inFlight == clientMessageId && !uploading)
        return false; // sent: the server's answer decides
    if (uploading) {
        stopUpload();
        m_inFlight.clear();
    }
    const bool removed = m_cache.removeUnsent(clientMessageId);
    if (removed)
        Q_EMIT messageRemoved(clientMessageId);
    pump();
    return removed;
}

Result<LocalMessage> OfflineQueue::change(Outgoing::Kind kind, qint64 messageId,
                                          const QString &content, bool on, const Mentions &mentions)
{
    auto message = kind == Outgoing::Kind::React
                       ? m_cache.addReaction(messageId, content, on)
                       : m_cache.addChange(kind, messageId, content, mentions);
    if (message.ok()) {
        Q_EMIT messageChanged(message.value());
        pump();
    }
    return message;
}

void OfflineQueue::pump()
{
    if (!m_inFlight.isEmpty() || m_pauseTimer.isActive() ||
        m_connection.state() != RealtimeConnection::State::Connected)
        return;
    sendHead();
}

void OfflineQueue::sendHead()
{
    const auto head = m_cache.nextOutgoing();
    if (!head)
        return;
    bool sent = false;
    switch (head->kind) {
    case Outgoing::Kind::Send: {
        if (uploadNext(*head))
            return;
        QList<qint64> attachmentIds;
        for (const OutgoingFile &file : head->message.files)
            attachmentIds.append(file.uploaded->id); // uploadNext: every one is up
        sent = m_connection.send(frames::SendMessage{
            head->message.conversationId, std::nullopt, head->message.content, head->requestId,
            head->message.replyToId != 0 ? std::optional(head->message.replyToId) : std::nullopt,
            head->message.threadRootId != 0 ? std::optional(head->message.threadRootId)
                                            : std::nullopt,
            head->message.mentions, attachmentIds});
        break;
    }
    case Outgoing::Kind::Edit:
        sent = m_connection.send(frames::EditMessage{head->messageId, head->content, head->version,
                                                     head->requestId, head->message.mentions});
        break;
    case Outgoing::Kind::Delete:
        sent = m_connection.send(frames::DeleteMessage{head->messageId, head->requestId});
        break;
    case Outgoing::Kind::React:
        sent = m_connection.send(
            frames::React{head->messageId, head->content, head->version != 0, head->requestId});
        break;
    }
    if (!sent)
        return;
    m_inFlight = head->requestId;
    m_answerTimer.start(kAnswerTimeoutMs);
}

bool OfflineQueue::uploadNext(const Outgoing &head)
{
    const QList<OutgoingFile> &files = head.message.files;
    const auto pending = std::find_if(files.cbegin(), files.cend(),
                                      [](const OutgoingFile &file) { return !file.uploaded; });
    if (pending == files.cend())
        return false;
    const qsizetype index = pending - files.cbegin();
    qint64 before = 0;
    qint64 total = 0;
    for (qsizetype i = 0; i < files.size(); ++i) {
        total += files[i].size;
        before += i < index ? files[i].size : 0;
    }
    const QString id = head.requestId;
    m_inFlight = id;
    m_upload = std::make_unique<QObject>();
    const auto progress = [this, id, before, total](qint64 sent, qint64) {
        const int percent = total > 0 ? int((before + sent) * 100 / total) : 0;
        if (percent != m_percent) {
            m_percent = percent;
            Q_EMIT uploadProgress(id, percent / 100.0);
        }
    };
    progress(0, 0);
    m_api.upload(
        pending->path, pending->filename, m_upload.get(), progress,
        [this, id, index](const Result<Attachment> &answer) { uploaded(id, index, answer); });
    return true;
}

void OfflineQueue::uploaded(const QString &clientMessageId, qsizetype index,
                            const Result<Attachment> &answer)
{
    m_upload.release()->deleteLater(); // this runs in its answer
    if (answer.ok()) {
        m_cache.setUploaded(clientMessageId, index, answer.value());
        m_inFlight.clear();
        pump(); // the next file, or the message
        return;
    }
    const ErrorCode code = answer.error().code;
    qCInfo(lcClientQueue) << "upload refused:" << errorCodeName(code);
    if (code == ErrorCode::BadRequest || code == ErrorCode::TooLarge ||
        code == ErrorCode::Forbidden) {
        if (auto message = m_cache.markFailed(clientMessageId, answer.error().message))
            Q_EMIT messageChanged(*message);
        next();
    } else { // unreachable, rate limited, or trouble on the server: again soon
        pauseThenPump(code == ErrorCode::RateLimited ? kRateLimitPauseMs : kServerTroublePauseMs);
    }
}

void OfflineQueue::stopUpload()
{
    if (!m_upload)
        return;
    m_upload.reset(); // aborts the request, unanswered
    endProgress();
}

void OfflineQueue::endProgress()
{
    if (m_percent < 0)
        return;
    m_percent = -1;
    Q_EMIT uploadProgress(m_inFlight, -1);
}

void OfflineQueue::pauseThenPump(int ms)
{
    endProgress();
    m_inFlight.clear();
    m_answerTimer.stop();
    m_pauseTimer.start(ms);
}

void OfflineQueue::next()
{
    endProgress();
    m_inFlight.clear();
    m_answerTimer.stop();
    pump();
}

bool OfflineQueue::handleFrame(const frames::server::ServerFrame &frame)
{
    namespace in = frames::server;
    if (const auto *sent = std::get_if<in::MessageSent>(&frame)) {
        const QString clientMessageId = sent->clientMessageId.value_or(QString());
        if (auto message = m_cache.markSent(clientMessageId, sent->messageId, sent->createdAt))
            Q_EMIT messageChanged(*message);

        if (clientMessageId == m_inFlight)
            next();
        return true;
    }
    if (const auto *updated = std::get_if<in::MessageUpdated>(&frame)) {
        // The change in flight is done; the frame itself is for the cache (not consumed).
        if (updated->ref.isString() && updated->ref.toString() == m_inFlight) {
            m_cache.finishOutgoing(m_inFlight);
            // Later edits of it were made on top of this one.
            m_cache.rebaseEdits(updated->message.id, updated->message.version);
            next();
        }
        return false;
    }
    const auto *refused = std::get_if<in::Refused>(&frame);
    if (!refused || !refused->ref.isString() || refused->ref.toString() != m_inFlight)
        return false;
    const ErrorCode code = refused->error.code;
    qCInfo(lcClientQueue) << "refused:" << errorCodeName(code);
    if (code == ErrorCode::RateLimited)
        pauseThenPump(kRateLimitPauseMs);
    else if (code == ErrorCode::Internal)
        pauseThenPump(kServerTroublePauseMs);
    else
        refusedForGood(refused->error);
    return true;
}

void OfflineQueue::refusedForGood(const Error &error)
{
    const auto current = Message::fromJson(error.details.value("current"_L1).toObject());
    const auto head = m_cache.nextOutgoing();
    if (auto message = m_cache.markFailed(m_inFlight, error.message)) {
        Q_EMIT messageChanged(*message); // a send: kept, failed, for the person to retry
    } else if (current.ok() && head && head->requestId == m_inFlight &&
               head->kind == Outgoing::Kind::Edit && current.value().content == head->content &&
               !current.value().deletedAt) {
        // Stale, but the message already says this (the edit's answer was lost before a
        // resend, or another device made the same edit): done, nothing to tell.
        m_cache.finishOutgoing(m_inFlight);
        Q_EMIT messageChanged(m_cache.storeFromServer(current.value()).message);
    } else if (auto before = m_cache.revertOutgoing(m_inFlight)) {
        // A change: the message as it was, or as the server now has it (a conflict says).
        if (current.ok())
            before = m_cache.storeFromServer(current.value()).message;
        Q_EMIT messageChanged(*before);
        Q_EMIT changeRefused(
            error.code == ErrorCode::Conflict
                ? tr("The message was changed elsewhere; your change was not made.")
                : error.message);
    }
    next();
}

} // namespace pitchey::client
