#include "messaging/ParticipantCache.h"

#include "storage/ConversationRepository.h"
#include "storage/DbWorker.h"

namespace pitchey::server {

QFuture<Result<ParticipantCache::Participants>>
ParticipantCache::participants(qint64 conversationId)
{
    const auto it = m_known.constFind(conversationId);
    if (it != m_known.cend())
        return QtFuture::makeReadyFuture(Result<Participants>(Participants(*it)));
    return m_db.submitFor<Participants>(conversationId, [conversationId](QSqlDatabase &db) {
        return ConversationRepository::participantIds(db, conversationId);
    });
}

void ParticipantCache::remember(qint64 conversationId, const QList<qint64> &participants)
{
    m_known.insert(conversationId, participants);
}

} // namespace pitchey::server
