#pragma once

#include "controllers/ChatState.h"

#include <QObject>

namespace pitchey::client {

// The open conversation: its messages, from the cache at once and then the server, older ones
// paged in as the view asks (MessageListModel::fetchMore), and what the user sends into it.
class Timeline : public QObject
{
    Q_OBJECT

public:
    explicit Timeline(ChatState &state, QObject *parent = nullptr);

    // False when there is no such conversation in the list.
    bool open(qint64 conversationId);
    void close();
    // Queues a message for the open conversation (a reply in the thread of `threadRootId`,
    // unless 0); false (and errorOccurred when it is too long) when there is nothing to send.
    // `files` go with it (the text may then be empty).
    bool send(const QString &text, qint64 replyToId = 0, qint64 threadRootId = 0,
              const QList<OutgoingFile> &files = {});
    // Loads older messages until `messageId` is in the model (within a bound), then emits
    // revealed() with its row; unavailable() when it cannot be found.
    void reveal(qint64 messageId);
    // Edits (`newText`) or deletes (null) one of the user's sent messages: shown at once,
    // queued in order with sends. False (and errorOccurred) when it cannot be.
    bool change(qint64 messageId, const QString *newText);
    [[nodiscard]] bool loadingOlder() const { return m_loadingOlder; }
    // Opened at its first unread message with newer ones not loaded: the newest page
    // instead (the jump button, a message sent).
    void showNewest();

    // Messages from the server for a conversation: into the cache, and on screen if open.
    void store(qint64 conversationId, const QList<Message> &messages);
    // A message of the offline queue changed state (queued, sent, failed).
    void localMessageChanged(const LocalMessage &message);

Q_SIGNALS:
    void loadingOlderChanged();
    void revealed(int row);
    void unavailable();
    void errorOccurred(const QString &message);

private:
    // What `text`, typed in the open conversation, mentions (MessageText.h).
    [[nodiscard]] Mentions mentionsOf(const QString &text) const;
    void fetchOlder();
    // More unread than a page: the first of them (and a little before it) with a page
    // after, newer ones loaded as the view comes near them (fetchNewer). False when the
    // cache does not hold that many after it: opened as usual then.
    bool openAtFirstUnread(qint64 conversationId, qint64 readUpTo);
    void fetchNewer();
    // Whether unread messages after `readUpTo` (-1: none) are older than any of the
    // `loaded` ones, while fewer than the most shown at once are loaded.
    [[nodiscard]] static bool lacksUnread(qint64 readUpTo, qint64 oldestLoaded, int loaded);
    // Pages older messages from the server into the cache (`before` 0: from the newest)
    // until the first unread one is there, then shows them all (with those the view has),
    // the "New messages" line on the first unread one. `fetched`: how many came so far.
    void fetchToFirstUnread(qint64 conversationId, qint64 readUpTo, qint64 before, int fetched);
    void setOlder(bool mayHaveOlder, bool loading);
    void continueReveal();

    ChatState &m_state;
    bool m_mayHaveOlder = false;
    bool m_loadingOlder = false;
    qint64 m_revealing = 0; // the message reveal() looks for, or 0
    int m_revealSteps = 0;  // pages it may still load
};

} // namespace pitchey::client
