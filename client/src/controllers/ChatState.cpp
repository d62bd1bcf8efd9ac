#include "controllers/ChatState.h"

namespace pitchey::client {

void ChatState::showReadMarkers(const Conversation &conversation) const
{
    if (!cache)
        return;
    qint64 readByOthers = 0;
    for (auto it = conversation.readMarkers.cbegin(); it != conversation.readMarkers.cend(); ++it) {
        if (it.key() != me)
            readByOthers = std::max(readByOthers, it.value());
    }
    if (readByOthers == 0)
        return;
    const QList<qint64> changed =
        cache->advanceOwn(conversation.id, readByOthers, LocalMessage::State::Read);
    if (conversation.id == current)
        showStates(changed, LocalMessage::State::Read);
}

} // namespace pitchey::client
