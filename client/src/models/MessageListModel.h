#pragma once

#include "models/MessageText.h"
#include "store/LocalMessage.h"

#include <QAbstractListModel>

#include <functional>

namespace pitchey::client {

// The messages of the open conversation, newest first (row 0 is the user's last unsent
// message, or the newest one): a ListView laid out BottomToTop shows row 0 at the bottom,
// keeps the bottom in view as messages arrive, and asks for older messages
// (canFetchMore/fetchMore, fetchOlder) as the top comes near. Each row knows whether it starts a
// new day or a new run of one sender's messages (reading from the top down), so that delegates
// group them without looking at their neighbours.
class MessageListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    // The row under the "New messages" line, or -1.
    Q_PROPERTY(int firstUnreadRow READ firstUnreadRow NOTIFY firstUnreadChanged)
    // Newer messages than these are not loaded (the conversation opened at its first unread
    // one, further up than a page): fetchNewer() brings the next ones; a message arriving
    // meanwhile waits in the cache.
    Q_PROPERTY(bool hasNewer READ hasNewer NOTIFY hasNewerChanged)
    // The colour of the user's own name where a message mentions them (the theme's).
    Q_PROPERTY(QString ownMentionColor READ ownMentionColor WRITE setOwnMentionColor NOTIFY
                   ownMentionColorChanged)

public:
    enum Role
    {
        MessageIdRole = Qt::UserRole + 1,
        ClientMessageIdRole,
        SenderIdRole,
        SenderNameRole,
        ContentRole,
        TimeRole,
        DayRole,
        IsOwnRole,
        StateRole,
        FailureRole,
        FirstOfGroupRole,
        FirstOfDayRole,
        FirstUnreadRole,
        LinkedHtmlRole,   // the text with clickable links and bold mentions, or empty when none
        EditedAtRole,     // when it was last edited, as the locale writes it; "" for never
        DeletedRole,      // a tombstone: "Message deleted" in its place
        ReplyToIdRole,    // the message it answers, or 0
        ReplySenderRole,  // that message's sender's name
        ReplyExcerptRole, // what the server shows of it ("" once deleted)
        ReplyDeletedRole,
        ReactionsRole,     // [{emoji, count, me, who}] in the order of first use; who: the names
        ThreadSummaryRole, // a root's "3 replies · last 14:05", or ""
        MentionsMeRole,    // it mentions the user (by name, or all)
        // Its files: [{id, filename, mimeType, size, sizeText, width, height, image, source}];
        // image: shown as a thumbnail (width and height as displayed). A message not sent
        // yet shows its files from this computer: id 0, source their file: URL.
        AttachmentsRole,
        UploadProgressRole, // the share of its files uploaded (0 to 1), or -1: no upload going
    };
    Q_ENUM(Role)

    // LocalMessage::State, for QML (MessageListModel.Queued ...).
    enum DeliveryState
    {
        Queued = int(LocalMessage::State::Queued),
        Sent = int(LocalMessage::State::Sent),
        Delivered = int(LocalMessage::State::Delivered),
        Read = int(LocalMessage::State::Read),
        Failed = int(LocalMessage::State::Failed),
        Received = int(LocalMessage::State::Received),
    };
    Q_ENUM(DeliveryState)

    explicit MessageListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;
    // Older messages: whether there may be more, and who fetches them (it calls addOlder).
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void setOlderFetcher(std::function<void()> fetch) { m_fetchOlder = std::move(fetch); }
    // The view's top is near: fetchMore() if there may be more. (A ListView asks by itself
    // only when it creates its last delegate anew, not when it reuses one from its pool.)
    Q_INVOKABLE void fetchOlder() { fetchMore({}); }
    void setMayHaveOlder(bool may) { m_mayHaveOlder = may; }
    [[nodiscard]] bool hasNewer() const { return m_hasNewer; }
    void setHasNewer(bool hasNewer);
    void setNewerFetcher(std::function<void()> fetch) { m_fetchNewer = std::move(fetch); }
    // The view's bottom is near while newer messages are not loaded.
    Q_INVOKABLE void fetchNewer();

    void setMe(qint64 userId) { m_me = userId; }
    [[nodiscard]] QString ownMentionColor() const { return m_ownMentionColor; }
    void setOwnMentionColor(const QString &color);
    void setNameLookup(std::function<QString(qint64)> lookup) { m_nameOf = std::move(lookup); }

    // Shows `messages` of a conversation: its main view (`threadRootId` 0: no thread
    // replies), or one thread (the root and its replies). upsert() takes only what belongs.
    void reset(qint64 conversationId, const QList<LocalMessage> &messages, qint64 threadRootId = 0);
    // The "New messages" line: the messages of others newer than `readUpTo` are new, and the
    // oldest of them here when the line is set carries it (with more unread than the first
    // page holds, the oldest of that page; older pages do not move it). -1: no line.
    void setUnreadAfter(qint64 readUpTo);
    [[nodiscard]] bool hasUnreadLine() const { return m_unreadAfter >= 0; }
    [[nodiscard]] qint64 unreadAfter() const { return m_unreadAfter; }
    [[nodiscard]] int firstUnreadRow() const;
    // Adds messages older than every one here (at the end, the top of the view).
    void addOlder(const QList<LocalMessage> &messages);
    // Adds messages newer than every one here (row 0 on, the bottom of the view).
    void addNewer(const QList<LocalMessage> &messages);
    // Inserts a message in id order (unsent ones last) or updates the row that has it; one
    // newer than the loaded ones waits while hasNewer().
    void upsert(const LocalMessage &message);
    void removeByClientId(const QString &clientMessageId);
    void setStates(const QList<qint64> &messageIds, LocalMessage::State state);
    // OfflineQueue::uploadProgress of an unsent message.
    void setUploadProgress(const QString &clientMessageId, double done);

    Q_INVOKABLE qint64 messageIdAt(int row) const
    {
        return row >= 0 && row < m_items.size() ? m_items.at(positionOf(row)).id : 0;
    }
    // The row showing a message, or -1 when it is not loaded.
    Q_INVOKABLE int rowOfMessage(qint64 messageId) const;
    [[nodiscard]] qint64 conversationId() const { return m_conversationId; }
    [[nodiscard]] qint64 threadRootId() const { return m_threadRootId; }
    [[nodiscard]] qint64 oldestId() const;
    [[nodiscard]] qint64 newestId() const;
    // Oldest first.
    [[nodiscard]] const QList<LocalMessage> &messages() const { return m_items; }

Q_SIGNALS:
    void ownMentionColorChanged();
    void countChanged();
    void firstUnreadChanged();
    void hasNewerChanged();

private:
    // m_items is oldest first: a position in it and a row count from opposite ends.
    [[nodiscard]] int positionOf(int row) const { return int(m_items.size()) - 1 - row; }
    [[nodiscard]] int rowAt(int position) const { return int(m_items.size()) - 1 - position; }
    [[nodiscard]] int positionOfMessage(const LocalMessage &message) const;
    void replace(int position, const LocalMessage &message);
    [[nodiscard]] QVariantList reactionsOf(const LocalMessage &message) const;
    [[nodiscard]] static QString threadSummaryOf(const LocalMessage &message);
    [[nodiscard]] static QVariantList attachmentsOf(const LocalMessage &message);
    [[nodiscard]] QList<int> rolesChanged(LocalMessage was, const LocalMessage &now) const;
    [[nodiscard]] bool startsGroup(int position) const;
    [[nodiscard]] bool startsDay(int position) const;
    void findFirstUnread();

    [[nodiscard]] bool holds(const LocalMessage &message) const;

    QList<LocalMessage> m_items;
    QHash<QString, double> m_uploads; // by clientMessageId: what is uploading, how far
    qint64 m_conversationId = 0;
    qint64 m_threadRootId = 0;
    qint64 m_me = 0;
    [[nodiscard]] QList<MentionMark> mentionMarks(const LocalMessage &message) const;

    std::function<QString(qint64)> m_nameOf;
    QString m_ownMentionColor;
    std::function<void()> m_fetchOlder;
    std::function<void()> m_fetchNewer;
    bool m_mayHaveOlder = false;
    bool m_hasNewer = false;
    qint64 m_unreadAfter = -1;
    qint64 m_firstUnreadId = 0;
    bool m_fetching = false;
};

} // namespace pitchey::client
