#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"

#include <QSqlDatabase>

#include <optional>

namespace pitchey::server::NotificationRepository {

// Notifications are not stored: each message from someone else in a conversation that the
// user has not muted is one, with the message's id (migration 6 in Migrations.cpp says how
// read and emailed states are kept).

// The notification `message` makes, titled `title` (see titleColumn()); of kind "mention"
// for those it mentions.
[[nodiscard]] Notification forMessage(const Message &message, const QString &title,
                                      bool mention = false);

// SQL for a notification's title, "Alice" or "Alice in Team" in a named group, from the
// sender's users row `s` and the conversation's row `c`.
[[nodiscard]] QString titleColumn();

// SQL that is true when the notification of message `m` is read by participant `p`.
[[nodiscard]] QString readCondition();
// SQL that is true when participant `p` has not muted its conversation.
[[nodiscard]] QString unmutedCondition();
// SQL that is true when message `m` from someone else is a notification of participant `p`
// (as MentionStore::route() decides in real time): in a conversation `p` did not mute, any
// message (a thread reply only of a thread `p` follows, or mentioning `p`); in a muted
// one, a mention of `p` by name while `p` keeps mentionsWhenMuted on.
[[nodiscard]] QString notifiedCondition();
// SQL that is 1 when message `m` mentions participant `p`, else 0.
[[nodiscard]] QString mentionColumn();
// SQL for the newest message id (0: none) of the conversation of the participants row
// being updated.
[[nodiscard]] QString newestMessageColumn();

struct Listed
{
    Notification notification;
    bool read = false;
};

// The user's notifications, newest first: at most `limit`, older than `before` if given.
[[nodiscard]] Result<QList<Listed>> list(QSqlDatabase &db, qint64 userId, bool unreadOnly,
                                         int limit, std::optional<qint64> before);
// Marks the given notifications of the user read (others' ids are ignored), or all of them
// when `ids` is empty and `all` is set. Returns how many changed.
[[nodiscard]] Result<qint64> markRead(QSqlDatabase &db, qint64 userId, const QList<qint64> &ids,
                                      bool all);

} // namespace pitchey::server::NotificationRepository
