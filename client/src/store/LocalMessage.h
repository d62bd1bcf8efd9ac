#pragma once

#include "protocol/Types.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <optional>

namespace pitchey::client {

// A file of a message the server has not acknowledged yet: a copy in the app's data
// (`path`), made when the message was queued, so that it is sent even if the original moves
// or the app restarts. `uploaded` is the server's attachment once the upload was answered.
struct OutgoingFile
{
    QString path;
    QString filename; // as the person's file was named
    qint64 size = 0;
    QString mimeType; // as this computer guesses it (for the bubble only)
    int width = 0;    // of an image as displayed, else 0
    int height = 0;
    std::optional<Attachment> uploaded;

    [[nodiscard]] QJsonObject toJson() const;
    static OutgoingFile fromJson(const QJsonObject &object);
    friend bool operator==(const OutgoingFile &, const OutgoingFile &) = default;
};

// A message as the client holds it: the server's message plus what the client knows
// about its journey. Messages the user typed exist here before the server has them.
struct LocalMessage
{
    Q_GADGET

public:
    enum class State
    {
        Queued,    // written locally, not yet acknowledged by the server
        Sent,      // stored by the server (message_sent)
        Delivered, // reached a recipient's device
        Read,      // read by a recipient
        Failed,    // refused by the server; kept for the user to retry or drop
        Received,  // from someone else
    };
    Q_ENUM(State)

    qint64 localId = 0;
    qint64 id = 0; // the server's id, 0 while queued
    qint64 conversationId = 0;
    qint64 senderId = 0;
    QString content;
    qint64 createdAt = 0; // ms since the epoch: the server's time, or the local time while queued
    QString clientMessageId;
    State state = State::Received;
    QString failure; // why the server refused it
    // Version 2: the server's latest change of it (0 from a version 1 server).
    qint64 editedAt = 0;  // 0: never edited
    qint64 deletedAt = 0; // 0: not deleted (a deleted message keeps its place, content "")
    qint64 version = 1;
    qint64 changeId = 0;
    qint64 replyToId = 0;                // 0: not a reply
    std::optional<ReplyExcerpt> replyTo; // what it answers, as the server last said
    QList<Reaction> reactions;           // as the server last said, or as the user just did
    qint64 threadRootId = 0;             // 0: not a reply in a thread
    std::optional<ThreadSummary> thread; // a root's live replies, as the server last said
    Mentions mentions;                   // whom it mentions
    QList<Attachment> attachments;       // its files, as the server said them
    QList<OutgoingFile> files;           // its files while queued or failed, in order

    [[nodiscard]] bool isDeleted() const { return deletedAt != 0; }

    [[nodiscard]] bool isOwn(qint64 me) const { return senderId == me; }
    static LocalMessage fromServer(const Message &message, qint64 me);
    // The wire's fields of it (a sent message's, for the conversation list).
    [[nodiscard]] Message toMessage() const;
    friend bool operator==(const LocalMessage &, const LocalMessage &) = default;
};

// `reactions` once user `me` added (`on`) or took back their reaction with `emoji`, as the
// server will make it: a new emoji goes last, one nobody has any more goes.
[[nodiscard]] QList<Reaction> withReaction(QList<Reaction> reactions, const QString &emoji, bool on,
                                           qint64 me);

} // namespace pitchey::client
