#include "controllers/NotificationCenter.h"

#include "controllers/ChatController.h"
#include "controllers/SettingsController.h"

using namespace Qt::StringLiterals;

namespace pitchey::client {

bool NotificationCenter::shouldNotify(const Situation &situation)
{
    if (!situation.realtimeEnabled || situation.muted)
        return false;
    return !situation.windowActive || !situation.conversationOpen;
}

NotificationCenter::NotificationCenter(ChatController &chat, SettingsController &settings,
                                       QObject *parent)
    : QObject(parent)
    , m_chat(chat)
    , m_settings(settings)
{
    connect(&m_chat, &ChatController::messageArrived, this,
            [this](qint64 conversationId, qint64, const QString &sender, const QString &text) {
                onMessage(conversationId, sender, text);
            });
}

void NotificationCenter::onMessage(qint64 conversationId, const QString &senderName,
                                   const QString &text)
{
    const Situation situation{m_settings.realtimeEnabled(), m_settings.isMuted(conversationId),
                              m_chat.windowActive(),
                              m_chat.currentConversationId() == conversationId};
    if (!m_presenter || !shouldNotify(situation))
        return;
    const QString conversation = m_chat.conversations()->title(conversationId);
    const QString title =
        conversation == senderName ? senderName : u"%1 in %2"_s.arg(senderName, conversation);
    QString body = text.simplified();
    if (body.size() > 200)
        body = body.left(199) + u'\u2026';
    m_presenter->show(conversationId, title, body);
}

} // namespace pitchey::client
