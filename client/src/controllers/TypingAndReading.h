#pragma once

#include "controllers/ChatState.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace pitchey::client {

// Typing and reading, both ways: this user's typing_start/typing_stop from the composer and
// message_read for what the view showed (batched, held while offline); others' typing and
// read receipts into the models.
class TypingAndReading : public QObject
{
    Q_OBJECT

public:
    explicit TypingAndReading(ChatState &state, QObject *parent = nullptr);

    // The composer's text changed in the open conversation.
    void composerChanged(const QString &text);
    void stopTyping();
    // The newest message of the open conversation on screen; counts only while the window is
    // active.
    void markSeen(qint64 messageId);
    [[nodiscard]] bool windowActive() const { return m_windowActive; }
    void setWindowActive(bool active);
    // Sends the reads that waited (on connect, and on a short timer after markSeen).
    void flushReads();
    void reset(); // on logout

    void typing(qint64 conversationId, qint64 userId, bool isTyping);
    // The connection was lost: nobody's typing survives it (the server resends none).
    void forgetTyping();
    void readReceipt(qint64 conversationId, qint64 messageId, qint64 reader);

Q_SIGNALS:
    void windowActiveChanged();
    void typingChanged(qint64 conversationId);

private:
    ChatState &m_state;
    bool m_windowActive = false;

    // What this user's composer has announced.
    qint64 m_typingIn = 0; // conversation with an open typing_start, or 0
    QElapsedTimer m_sinceTypingStart;
    QTimer m_typingIdle;

    // Reads waiting to be sent: conversation -> newest message seen.
    QHash<qint64, qint64> m_pendingReads;
    QTimer m_readFlush;
};

} // namespace pitchey::client
