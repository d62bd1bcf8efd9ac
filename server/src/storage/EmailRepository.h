#pragma once

#include "protocol/Result.h"

#include <QList>
#include <QSet>
#include <QSqlDatabase>
#include <QStringList>

#include <functional>
#include <optional>

namespace pitchey::server {

// One conversation in a user's digest.
struct DigestConversation
{
    qint64 conversationId = 0;
    QString title;        // "Alice", or "Alice in Weekend hike"
    int count = 0;        // unread messages in it
    QStringList latest;   // up to five "Sender: text" lines, oldest first
    QStringList mentions; // up to five such lines of messages mentioning the user, oldest first
};

// An email as the outbox keeps it: plain text and HTML.
struct ComposedEmail
{
    QString subject;
    QString text;
    QString html;
};

} // namespace pitchey::server

namespace pitchey::server::EmailRepository {

struct OutboxEmail
{
    qint64 id = 0;
    qint64 userId = 0;
    QString recipient;
    ComposedEmail email;
    int attempts = 0;
};

// Writes a user's digest (notify/EmailComposer); called in a database job, so it must be
// safe to call on a database thread.
using Compose = std::function<ComposedEmail(qint64 userId, const QString &recipientName,
                                            const QList<DigestConversation> &conversations)>;

struct BatchRules
{
    qint64 now = 0;
    qint64 minuteMs = 60'000; // what emailDelayMinutes counts in (shorter in tests)
    QSet<qint64> online;      // users with an open connection: no email for them
    Compose compose;
};

// Turns unread notifications of offline users into at most one digest per user: for each
// user with email on, an address, and a notification older than their delay, one outbox
// row summing up every conversation with unread notifications (as the notifications API
// lists them: a muted conversation's only when they mention the user by name, a thread's
// replies only for its followers), those that mention the user first, unless the user
// already got one within the last delay. Returns how many were queued.
[[nodiscard]] Result<int> queueDigests(QSqlDatabase &db, const BatchRules &rules);

// The user's notifications that are not in a digest yet will never be (they were online
// when those arrived, or are now).
[[nodiscard]] Status skipPending(QSqlDatabase &db, qint64 userId);

// The next email due, claimed until `leaseUntil`. One gone stale is written anew first
// (`compose`) from its messages as they are now, or dropped when none is left.
[[nodiscard]] Result<std::optional<OutboxEmail>> nextDue(QSqlDatabase &db, qint64 now,
                                                         qint64 leaseUntil, const Compose &compose);
// A message was edited (`deleted`: deleted) in the caller's transaction: the unsent digests
// that sum it up go stale (a deleted one's text is blanked at once).
[[nodiscard]] Status messageChanged(QSqlDatabase &db, qint64 messageId, bool deleted);
[[nodiscard]] Status markSent(QSqlDatabase &db, qint64 id, qint64 now);
[[nodiscard]] Status markFailed(QSqlDatabase &db, qint64 id, qint64 retryAt, const QString &why);
[[nodiscard]] Result<qint64> unsentCount(QSqlDatabase &db);

} // namespace pitchey::server::EmailRepository
