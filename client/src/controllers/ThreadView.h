#pragma once

#include "controllers/ChatState.h"

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

Q_SIGNALS:
    void loadingChanged();

private:
    // The server's replies older than `before` (0: the newest), into the cache and the view.
    void fetch(qint64 before);
    void fetchOlder();
    void setLoading(bool loading, bool mayHaveOlder);

    ChatState &m_state;
    bool m_loading = false;
    bool m_mayHaveOlder = false;
};

} // namespace pitchey::client
