#include "controllers/NotificationCenter.h"

#include "controllers/ChatController.h"
#include "controllers/SettingsController.h"

using namespace Qt::StringLiterals;

namespace pitchey::client {

bool NotificationCenter::shouldNotify(const Situation &situation)
{
    if (!situation.realtimeEnabled ||
        (situation.muted && !(situation.mentionedByName && situation.mentionsWhenMuted)))
        return false;
    return !situation.windowActive || !situation.conversationOpen;
}

NotificationCenter::NotificationCenter(ChatController &chat, SettingsController &settings,
                                       QObject *parent)
    : QObject(parent)
    , m_chat(chat)
    , m_settings(settings)
{
    connect(&m_chat, &ChatController::messageArrived, this, &NotificationCenter::onMessage);
    connect(&m_chat, &ChatController::messageEdited, this,
            [this](qint64, qint64 messageId, const QString &text) {
                if (m_presenter)
                    m_presenter->update(messageId, bodyOf(text));
            });
    connect(&m_chat, &ChatController::messageDeleted, this, [this](qint64, qint64 messageId) {
        if (m_presenter)
            m_presenter->withdraw(messageId);
    });
    connect(&m_chat, &ChatController::reactionsNotified, this, &NotificationCenter::onReactions);
    connect(&m_chat, &ChatController::notificationsRevoked, this, [this](const QList<qint64> &ids) {
        for (const qint64 id : ids) {
            const qint64 messageId = m_reactions.take(id);
            if (messageId != 0 && m_presenter)
                m_presenter->withdraw(messageId);
        }
    });
}

NotificationCenter::Situation NotificationCenter::situationIn(qint64 conversationId,
                                                              bool mentioned) const
{
    return {m_settings.realtimeEnabled(),
            m_settings.isMuted(conversationId),
            m_chat.windowActive(),
            m_chat.currentConversationId() == conversationId,
            mentioned,
            m_settings.mentionsWhenMuted()};
}

void NotificationCenter::onReactions(qint64 id, qint64 conversationId, qint64 messageId,
                                     const QString &title, const QString &body)
{
    if (!m_presenter || !shouldNotify(situationIn(conversationId, false)))
        return;
    constexpr qsizetype kRemembered = 256;
    if (m_reactions.size() >= kRemembered && !m_reactions.contains(id))
        m_reactions.erase(m_reactions.begin()); // (an old one: withdrawing it matters less)
    m_reactions.insert(id, messageId);
    m_presenter->show(conversationId, messageId, title, bodyOf(body));
}

QString NotificationCenter::bodyOf(const QString &text)
{
    QString body = text.simplified();
    if (body.size() > 200)
        body = body.left(199) + u'\u2026';
    return body;
}

void NotificationCenter::onMessage(qint64 conversationId, qint64 messageId,
                                   const QString &senderName, const QString &text, bool mentioned)
{
    if (!m_presenter || !shouldNotify(situationIn(conversationId, mentioned)))
        return;
    const QString conversation = m_chat.conversations()->title(conversationId);
    const QString title =
        conversation == senderName ? senderName : u"%1 in %2"_s.arg(senderName, conversation);
    m_presenter->show(conversationId, messageId, title, bodyOf(text));
}

} // namespace pitchey::client
