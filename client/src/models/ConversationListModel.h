#pragma once

#include "protocol/Types.h"
#include "store/LocalMessage.h"

#include <QAbstractListModel>
#include <QSet>

namespace pitchey::client {

// The user's conversations, most recent activity first, with what the list shows:
// a title (the partner's name for 1:1), presence, the last message, unread count and who
// is typing.
class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role
    {
        IdRole = Qt::UserRole + 1,
        TitleRole,
        InitialsRole,
        IsGroupRole,
        OnlineRole,
        PreviewRole,
        TimeRole,
        UnreadRole,
        TypingRole,
        PartnerIdRole,
        DraftRole,    // one line of the unsent text typed in it, or empty
        MentionsRole, // how many of its unread messages mention the user
    };
    Q_ENUM(Role)

    explicit ConversationListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    void setMe(qint64 userId) { m_me = userId; }
    void setConversations(QList<Conversation> conversations);
    void upsert(const Conversation &conversation); // keeps the order by activity
    void clear();

    [[nodiscard]] const Conversation *find(qint64 conversationId) const;
    // A conversation's row (-1 when not listed), and a row's conversation (0 when none).
    Q_INVOKABLE [[nodiscard]] int rowOf(qint64 conversationId) const;
    Q_INVOKABLE [[nodiscard]] qint64 idAt(int row) const
    {
        return row >= 0 && row < m_items.size() ? m_items.at(row).conversation.id : 0;
    }
    // The unread messages of every conversation but those in `except` (the muted).
    [[nodiscard]] qint64 unreadTotal(const QSet<qint64> &except) const;
    [[nodiscard]] QString title(qint64 conversationId) const;
    // Every conversation's id and title, in the list's order.
    [[nodiscard]] QList<std::pair<qint64, QString>> titles() const;
    [[nodiscard]] QString displayName(qint64 userId) const; // from any conversation
    [[nodiscard]] std::optional<qint64> partnerOf(qint64 conversationId) const;

    // Changes to a conversation in place; each returns the changed conversation, if known.
    std::optional<Conversation> setLastMessage(const Message &message, bool countAsUnread);
    std::optional<Conversation> setUnread(qint64 conversationId, qint64 unread,
                                          qint64 mentions = 0);
    std::optional<Conversation> setReadMarker(qint64 conversationId, qint64 userId,
                                              qint64 messageId);
    void setOnline(qint64 userId, bool online);
    // Offline, nobody's presence is known: every participant shows as not online.
    void setEveryoneOffline();
    void setTyping(qint64 conversationId, qint64 userId, bool typing);
    void clearTyping(); // no one types anywhere (the connection is gone)
    [[nodiscard]] QList<qint64> typingUsers(qint64 conversationId) const;
    // What the user typed in a conversation and has not sent (kept for conversations not
    // listed yet too).
    void setDraft(qint64 conversationId, const QString &text);
    // The user's newest message still on its way (queued or refused), shown as the preview
    // until the server has it; nullopt once it has.
    void setPending(qint64 conversationId, const std::optional<LocalMessage> &message);
    [[nodiscard]] QString draft(qint64 conversationId) const
    {
        return m_drafts.value(conversationId);
    }

Q_SIGNALS:
    void countChanged();

private:
    QHash<qint64, QString> m_drafts;
    QHash<qint64, LocalMessage> m_pending;
    struct Item
    {
        Conversation conversation;
        QList<qint64> typing; // in the order they started
    };
    [[nodiscard]] QString titleOf(const Conversation &conversation) const;
    [[nodiscard]] QString typingText(const Item &item) const;
    void changed(int row);
    void reposition(int row);

    QList<Item> m_items;
    qint64 m_me = 0;
};

[[nodiscard]] QString initialsOf(const QString &name);
[[nodiscard]] qint64 activityOf(const Conversation &conversation);

} // namespace pitchey::client
