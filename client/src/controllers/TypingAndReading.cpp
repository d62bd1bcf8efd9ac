#include "controllers/TypingAndReading.h"

#include <algorithm>

namespace pitchey::client {

namespace {

constexpr qint64 kTypingRenewMs = 3'000;
constexpr int kTypingIdleMs = 5'000;
constexpr int kReadFlushMs = 250;

} // namespace

TypingAndReading::TypingAndReading(ChatState &state, QObject *parent)
    : QObject(parent)
    , m_state(state)
{
    m_typingIdle.setSingleShot(true);
    connect(&m_typingIdle, &QTimer::timeout, this, &TypingAndReading::stopTyping);
    m_readFlush.setSingleShot(true);
    connect(&m_readFlush, &QTimer::timeout, this, &TypingAndReading::flushReads);
}

void TypingAndReading::composerChanged(const QString &text)
{
    const qint64 current = m_state.current;
    if (current == 0)
        return;
    if (text.trimmed().isEmpty()) {
        stopTyping();
        return;
    }
    if (m_typingIn != current || m_sinceTypingStart.elapsed() >= kTypingRenewMs) {
        if (m_typingIn != 0 && m_typingIn != current)
            stopTyping();
        if (m_state.connection.send(frames::Typing{current, true})) {
            m_typingIn = current;
            m_sinceTypingStart.start();
        }
    }
    m_typingIdle.start(kTypingIdleMs);
}

void TypingAndReading::stopTyping()
{
    m_typingIdle.stop();
    if (m_typingIn == 0)
        return;
    m_state.connection.send(frames::Typing{m_typingIn, false});
    m_typingIn = 0;
}

void TypingAndReading::markSeen(qint64 messageId)
{
    const qint64 current = m_state.current;
    if (current == 0 || messageId <= 0 || !m_windowActive)
        return;
    const Conversation *conversation = m_state.conversations.find(current);
    if (!conversation)
        return;
    // The newest message of the main view seen: what came after it are thread replies, shown
    // there by their roots' summaries; they are read too (no count sticks to a thread the
    // user does not open).
    // (Not when newer messages are not loaded: those are not seen.)
    const bool newerUnseen = m_state.messages.hasNewer();
    if (!newerUnseen && messageId >= m_state.messages.newestId() && conversation->lastMessage)
        messageId = std::max(messageId, conversation->lastMessage->id);
    if (conversation->readMarkers.value(m_state.me) >= messageId)
        return;
    m_state.conversations.setReadMarker(current, m_state.me, messageId);
    // What is still unread of what is shown (the main view's and the open thread's replies).
    qint64 unread = 0;
    qint64 mentions = 0;
    const auto count = [&](const LocalMessage &message) {
        if (message.id > messageId && message.senderId != m_state.me && !message.isDeleted()) {
            ++unread;
            if (message.mentions.reach(m_state.me))
                ++mentions;
        }
    };
    std::for_each(m_state.messages.messages().cbegin(), m_state.messages.messages().cend(), count);
    for (const LocalMessage &message : m_state.thread.messages()) {
        if (message.threadRootId != 0)
            count(message);
    }
    if (newerUnseen && m_state.cache) // and those not loaded
        unread += m_state.cache->othersAfter(current, m_state.messages.newestId());
    m_state.conversations.setUnread(current, unread, mentions);
    m_state.saveConversation(current);
    qint64 &pending = m_pendingReads[current];
    pending = std::max(pending, messageId);
    if (!m_readFlush.isActive())
        m_readFlush.start(kReadFlushMs);
}

void TypingAndReading::flushReads()
{
    for (auto it = m_pendingReads.begin(); it != m_pendingReads.end();) {
        if (m_state.connection.send(frames::MessageRead{it.value()}))
            it = m_pendingReads.erase(it);
        else
            ++it; // sent when the connection is back
    }
}

void TypingAndReading::setWindowActive(bool active)
{
    if (m_windowActive == active)
        return;
    m_windowActive = active;
    Q_EMIT windowActiveChanged();
}

void TypingAndReading::reset()
{
    stopTyping();
    m_pendingReads.clear();
}

void TypingAndReading::typing(qint64 conversationId, qint64 userId, bool isTyping)
{
    m_state.conversations.setTyping(conversationId, userId, isTyping);
    Q_EMIT typingChanged(conversationId);
}

void TypingAndReading::forgetTyping()
{
    m_state.conversations.clearTyping();
    m_typingIn = 0;
}

void TypingAndReading::readReceipt(qint64 conversationId, qint64 messageId, qint64 reader)
{
    if (!m_state.cache || !m_state.conversations.find(conversationId))
        return;
    m_state.conversations.setReadMarker(conversationId, reader, messageId);
    if (reader == m_state.me) {
        // Read on another device of this user.
        const Conversation *conversation = m_state.conversations.find(conversationId);
        if (conversation->lastMessage && conversation->lastMessage->id <= messageId)
            m_state.conversations.setUnread(conversationId, 0);
    } else {
        const QList<qint64> changed =
            m_state.cache->advanceOwn(conversationId, messageId, LocalMessage::State::Read);
        if (conversationId == m_state.current)
            m_state.showStates(changed, LocalMessage::State::Read);
    }
    m_state.saveConversation(conversationId);
}

} // namespace pitchey::client
