#pragma once

#include "controllers/ChatState.h"

#include <QHash>
#include <QObject>

namespace pitchey::client {

// The open thread, beside the open conversation: its root and replies in their own model
// (ChatState::thread), from the cache at once and then the server, older replies paged in
// as its view asks. What is sent into it goes through the Timeline like any message.
class ThreadView : public QObject
{
    Q_OBJECT

public:
    explicit ThreadView(ChatState &state, QObject *parent = nullptr);

    // False when `rootId` is no message of the open conversation held here, or is itself a
    // reply in a thread.
    bool open(qint64 rootId);
    void close();
    [[nodiscard]] qint64 rootId() const { return m_state.thread.threadRootId(); }
    [[nodiscard]] bool loading() const { return m_loading; }
    // Whether the user gets notified of its replies. The server does not say: what the user
    // chose here (this session), else what the server does by itself: following the thread
    // of their own message, one they replied in or were named in.
    [[nodiscard]] bool following() const { return m_following; }
    // Asks the server; shown at once, and as it was again when the server refuses
    // (followFailed). pending() until it answers.
    void setFollowing(bool following);
    [[nodiscard]] bool pending() const { return m_pending != 0; }
    // The user replied in it: the server has them follow it again, whatever they chose.
    void replied();

Q_SIGNALS:
    void loadingChanged();
    void followingChanged(); // or pending()
    void followFailed(const QString &why);

private:
    // The server's replies older than `before` (0: the newest), into the cache and the view.
    void fetch(qint64 before);
    void fetchOlder();
    void setLoading(bool loading, bool mayHaveOlder);
    // Replies came in (one of the user's own, or naming them, may make them follow it).
    void repliesChanged();
    void showFollowing(bool following);
    [[nodiscard]] bool followsByItself() const;

    ChatState &m_state;
    bool m_loading = false;
    bool m_mayHaveOlder = false;
    bool m_following = false;
    qint64 m_pending = 0;         // the root whose answer is awaited
    QHash<qint64, bool> m_chosen; // by root: what the user chose, as the server answered
};

} // namespace pitchey::client
