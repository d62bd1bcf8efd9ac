#pragma once

#include "protocol/Result.h"

#include <QFuture>
#include <QHash>
#include <QList>

#include <optional>

namespace pitchey::server {

class DbWorker;

// Who is in which conversation, remembered on the socket thread so that typing frames and
// fan-out do not ask the database each time. Participants never change once a
// conversation exists, so an entry never goes stale.
class ParticipantCache
{
public:
    using Participants = std::optional<QList<qint64>>; // nullopt: no such conversation

    explicit ParticipantCache(DbWorker &db)
        : m_db(db)
    {}

    [[nodiscard]] QFuture<Result<Participants>> participants(qint64 conversationId);
    void remember(qint64 conversationId, const QList<qint64> &participants);

private:
    DbWorker &m_db;
    QHash<qint64, QList<qint64>> m_known;
};

} // namespace pitchey::server
