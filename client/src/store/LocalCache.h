#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"
#include "store/LocalMessage.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>

namespace pitchey::client {

// Something the user did that the server has not acknowledged yet: the outbox keeps them
// in the order done, across restarts.
struct Outgoing
{
    enum class Kind
    {
        Send,
        Edit,
        Delete,
        React,
    };
    Kind kind = Kind::Send;
    QString requestId;    // a send's clientMessageId, a change's clientRequestId
    qint64 messageId = 0; // what an edit, delete or reaction changes
    QString content;      // an edit's new text, a reaction's emoji
    qint64 version = 0;   // the version the edit was made on; a reaction: 1 on, 0 off
    LocalMessage message; // a send's message
};

// Where a new message goes in its conversation, and whom it names.
struct SendOptions
{
    qint64 replyToId = 0;    // the message it answers, or 0
    qint64 threadRootId = 0; // the thread it is a reply in, or 0
    Mentions mentions;
    // The person's files where they are now: copied into outboxDir() before it is queued.
    QList<OutgoingFile> files;
};

// The client's own SQLite database (one file per account, in the app data location):
// the conversation list and recent messages, so that they show at once on start, and
// the messages the user typed that the server has not acknowledged yet (the offline
// queue), so that they survive a restart.
//
// It runs on the GUI thread: each call is one indexed statement or one short
// transaction on a local file (WAL, synchronous=NORMAL), well under a millisecond, and
// a message must be on disk before it is shown.
class LocalCache
{
public:
    LocalCache(QString path, qint64 me); // me: the account's user id
    ~LocalCache();
    LocalCache(const LocalCache &) = delete;
    LocalCache &operator=(const LocalCache &) = delete;

    [[nodiscard]] Status open();
    [[nodiscard]] QString path() const { return m_path; }

    // ---- conversations
    [[nodiscard]] QList<Conversation> conversations(); // most recent first
    void saveConversation(const Conversation &conversation);
    void saveConversations(const QList<Conversation> &conversations);

    // ---- drafts: what was typed in a conversation and not sent (removed when empty); a
    // thread's under minus its root's id
    [[nodiscard]] QHash<qint64, QString> drafts();
    void saveDraft(qint64 conversationId, const QString &text);

    // ---- messages
    // A new message typed by `senderId`: stored as Queued with a fresh clientMessageId.
    [[nodiscard]] Result<LocalMessage> addOutgoing(qint64 conversationId, qint64 senderId,
                                                   const QString &content,
                                                   const SendOptions &options = {});
    // A message from the server (history, new_message, or the echo of the user's own
    // message sent from another device). Returns it as stored, and whether it was new.
    struct Stored
    {
        LocalMessage message;
        bool inserted = false; // a message the cache did not have
        bool changed = false;  // inserted, or an own queued message now acknowledged
    };
    Stored storeFromServer(const Message &message);
    // A later state of a message held here (edited, deleted); nullopt when not held or
    // not newer than what is. The replies held here show its new excerpt.
    std::optional<LocalMessage> applyChange(const Message &message);
    std::optional<LocalMessage> markSent(const QString &clientMessageId, qint64 id,
                                         qint64 createdAt);
    std::optional<LocalMessage> markFailed(const QString &clientMessageId, const QString &why);
    // Who takes a sent message's copies of its files (the media cache, under each
    // attachment's id: the sender's own files are not downloaded again); what it leaves is
    // removed. keep(copy, attachment) -> whether it took the file.
    using CopyKeeper = std::function<bool(const QString &copy, const Attachment &attachment)>;
    void setCopyKeeper(CopyKeeper keeper) { m_keepCopy = std::move(keeper); }
    // A failed message queued again (at the outbox's end), its files to be uploaded anew.
    std::optional<LocalMessage> requeue(const QString &clientMessageId);
    // A message not acknowledged (failed, or queued and not in flight) taken back, its
    // copies of files with it; false when there is no such message.
    bool removeUnsent(const QString &clientMessageId);
    // The `index`th file of a queued message was uploaded: the server's attachment.
    std::optional<LocalMessage> setUploaded(const QString &clientMessageId, qsizetype index,
                                            const Attachment &attachment);
    // Where the copies of queued messages' files are kept (beside the database).
    [[nodiscard]] QString outboxDir() const { return m_path + QStringLiteral(".outbox"); }
    // Own messages up to and including `messageId` in the conversation reach at least
    // `state` (Delivered or Read). Returns the ids that changed.
    QList<qint64> advanceOwn(qint64 conversationId, qint64 upToMessageId,
                             LocalMessage::State state);
    // One own message reaches Delivered (a message_delivered receipt).
    bool markDelivered(qint64 messageId);

    [[nodiscard]] QList<LocalMessage> queued(); // oldest first, every conversation

    // ---- the outbox: sends (addOutgoing, requeue), edits and deletes, in the order done
    // An edit (`content`, `mentions`) or delete of one of the user's messages: shown at once
    // (the cache holds it as it will be), queued, and put back by revertOutgoing if refused.
    // A queued edit goes out with the message's mentions as they are when it is sent.
    [[nodiscard]] Result<LocalMessage> addChange(Outgoing::Kind kind, qint64 messageId,
                                                 const QString &content = {},
                                                 const Mentions &mentions = {});
    // The user's reaction with `emoji` added (`on`) or taken back: shown at once, queued,
    // and put back by revertOutgoing if refused.
    [[nodiscard]] Result<LocalMessage> addReaction(qint64 messageId, const QString &emoji, bool on);
    [[nodiscard]] std::optional<Outgoing> nextOutgoing();
    void finishOutgoing(const QString &requestId);
    // The queued edits of a message are made on `version` (the user's own edit before them
    // was stored as it).
    void rebaseEdits(qint64 messageId, qint64 version);
    // A refused change: the message as it was before it. nullopt for no such change.
    std::optional<LocalMessage> revertOutgoing(const QString &requestId);

    // ---- the change feed: the last position applied (-1: never read)
    [[nodiscard]] qint64 feedPosition();
    void setFeedPosition(qint64 changeId);
    // The newest `limit` messages of a conversation older than `beforeId` (0: the newest),
    // oldest first; queued ones last. Without thread replies, or (`threadRootId`) only that
    // thread's replies.
    [[nodiscard]] QList<LocalMessage> messages(qint64 conversationId, int limit,
                                               qint64 beforeId = 0, qint64 threadRootId = 0);
    // The oldest `limit` messages of a conversation's main view newer than `afterId`, oldest
    // first (sent ones only: queued ones are the newest of all).
    [[nodiscard]] QList<LocalMessage> messagesAfter(qint64 conversationId, qint64 afterId,
                                                    int limit);
    [[nodiscard]] qint64 newestId(qint64 conversationId);
    // How many messages of others in a conversation's main view are newer than `afterId`.
    [[nodiscard]] int othersAfter(qint64 conversationId, qint64 afterId);
    // One of this account's own messages.
    [[nodiscard]] std::optional<LocalMessage> byClientId(const QString &clientMessageId);
    [[nodiscard]] std::optional<LocalMessage> byId(qint64 messageId);
    // The messages held here that answer `messageId`.
    [[nodiscard]] QList<LocalMessage> repliesTo(qint64 messageId);
    // The user's newest live message in the conversation's main view, or in the thread of
    // `threadRootId` (Up in an empty composer edits it).
    [[nodiscard]] std::optional<LocalMessage> lastEditable(qint64 conversationId,
                                                           qint64 threadRootId = 0);

    // What a reply to `parent` shows of it, as the server renders it.
    [[nodiscard]] static ReplyExcerpt excerptOf(const LocalMessage &parent);

private:
    bool queueSend(const QString &clientMessageId);
    [[nodiscard]] QString copiesOf(const QString &clientMessageId) const;
    [[nodiscard]] Result<QList<OutgoingFile>> keepCopies(const QString &clientMessageId,
                                                         QList<OutgoingFile> files) const;
    void removeCopies(const QString &clientMessageId) const;
    void sweepCopies(); // copies no unsent message refers to (a crash between two steps)
    std::optional<LocalMessage> one(const QString &where, const QVariantList &args);
    QList<LocalMessage> many(const QString &sql, const QVariantList &args);

    QString m_path;
    qint64 m_me = 0;
    CopyKeeper m_keepCopy;
    QString m_connection;
};

} // namespace pitchey::client
