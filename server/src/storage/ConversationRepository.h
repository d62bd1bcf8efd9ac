#pragma once

#include "protocol/Types.h"

#include <QSqlDatabase>

#include <optional>

namespace pitchey::server {

// SQL for conversations and their participants. Database thread only.
namespace ConversationRepository {

// The participants of a conversation, or nullopt when there is no such conversation.
[[nodiscard]] Result<std::optional<QList<qint64>>> participantIds(QSqlDatabase &db,
                                                                  qint64 conversationId);

// not_found when the conversation does not exist, forbidden when userId is not in it.
[[nodiscard]] Status checkAccess(QSqlDatabase &db, qint64 conversationId, qint64 userId);
// The same, and on success the participants too (saves a second query).
[[nodiscard]] Status checkAccess(QSqlDatabase &db, qint64 conversationId, qint64 userId,
                                 QList<qint64> *participants);

struct Created
{
    qint64 conversationId = 0;
    bool created = false; // false: an existing 1:1 conversation was returned
};

// The caller is always a participant. Exactly two people: the pair's one conversation,
// created on first use. Unknown participants are bad_request.
[[nodiscard]] Result<Created> findOrCreate(QSqlDatabase &db, qint64 creatorId,
                                           QList<qint64> participantIds,
                                           const std::optional<QString> &title);

// SQL for the id of the newest live (not deleted) message of the conversation whose id is
// the column `conversationColumn` (conversations.last_message_id stays the newest stored:
// the cluster's delivery order chains on it).
[[nodiscard]] QString newestLiveMessage(const QString &conversationColumn);

// The user's conversations (or the one asked for), most recent activity first.
[[nodiscard]] Result<QList<Conversation>> listFor(QSqlDatabase &db, qint64 userId,
                                                  std::optional<qint64> only = std::nullopt);

} // namespace ConversationRepository
} // namespace pitchey::server
