#include "messaging/MessageSequencer.h"

#include <algorithm>

namespace pitchey::server {

namespace {

// Conversations without a message for this long are forgotten.
constexpr qint64 kForgetAfterMs = 10 * 60 * 1000;

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

MessageSequencer::MessageSequencer(std::chrono::milliseconds patience, QObject *parent, Clock clock)
    : QObject(parent)
    , m_patience(patience)
    , m_now(clock ? std::move(clock) : Clock(steadyMs))
{
    m_timer.setInterval(
        std::max<std::chrono::milliseconds>(patience / 4, std::chrono::milliseconds(10)));
    connect(&m_timer, &QTimer::timeout, this, &MessageSequencer::checkPatience);
}

void MessageSequencer::arrived(qint64 conversationId, qint64 messageId, qint64 previousId,
                               Deliver deliver)
{
    const qint64 now = m_now();
    auto it = m_conversations.find(conversationId);
    if (it == m_conversations.end()) {
        m_conversations.insert(conversationId, {messageId, now, {}});
        if (!m_timer.isActive())
            m_timer.start();
        deliver();
        return;
    }
    Conversation &conversation = *it;
    conversation.touched = now;
    const bool alreadyHeld =
        std::any_of(conversation.held.cbegin(), conversation.held.cend(),
                    [messageId](const Held &held) { return held.id == messageId; });
    if (alreadyHeld || messageId == conversation.last)
        return; // a catch-up found what is waiting here, or what just went out
    if (previousId > conversation.last) {
        conversation.held.append({messageId, previousId, now, std::move(deliver)});
        ++m_held;
        m_waiting.insert(conversationId);
        return;
    }
    // Its predecessor went out here (or was given up on): this one goes now, and whatever
    // waited for it.
    conversation.last = std::max(conversation.last, messageId);
    deliver();
    release(conversation);
}

std::optional<qint64> MessageSequencer::lastDelivered(qint64 conversationId) const
{
    const auto it = m_conversations.constFind(conversationId);
    if (it == m_conversations.cend())
        return std::nullopt;
    return it->last;
}

void MessageSequencer::release(Conversation &conversation)
{
    bool progressed = true;
    while (progressed && !conversation.held.isEmpty()) {
        progressed = false;
        for (qsizetype i = 0; i < conversation.held.size(); ++i) {
            if (conversation.held.at(i).previousId <= conversation.last) {
                Held next = conversation.held.takeAt(i);
                --m_held;
                conversation.last = std::max(conversation.last, next.id);
                next.deliver();
                progressed = true;
                break;
            }
        }
    }
}

void MessageSequencer::checkPatience()
{
    const qint64 now = m_now();
    for (auto id = m_waiting.begin(); id != m_waiting.end();) {
        const auto it = m_conversations.find(*id);
        if (it == m_conversations.end()) {
            id = m_waiting.erase(id);
            continue;
        }
        Conversation &conversation = *it;
        std::sort(conversation.held.begin(), conversation.held.end(),
                  [](const Held &a, const Held &b) { return a.id < b.id; });
        // Give up on a missing predecessor: the oldest message held too long goes next,
        // then whatever follows it.
        while (!m_suspended && !conversation.held.isEmpty() &&
               now - conversation.held.first().since >= m_patience.count()) {
            conversation.last = std::max(conversation.last, conversation.held.first().previousId);
            release(conversation);
        }
        if (conversation.held.isEmpty())
            id = m_waiting.erase(id);
        else
            ++id;
    }
    if (++m_ticks % 64 == 0) {
        m_conversations.removeIf([now](const auto &entry) {
            return entry.value().held.isEmpty() && now - entry.value().touched > kForgetAfterMs;
        });
    }
    if (m_conversations.isEmpty())
        m_timer.stop();
}

} // namespace pitchey::server
