#pragma once

#include "controllers/ChatState.h"
#include "controllers/FileStaging.h"
#include "models/EmojiModel.h"
#include "models/UserSearchModel.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>

namespace pitchey::client {

class CatchUp;
class MediaCache;
class OfflineQueue;
class ThreadView;
class Timeline;
class TypingAndReading;

// The logged-in messenger as QML sees it: conversations, the open conversation, sending,
// receipts, typing and presence, over the realtime connection and the HTTP API, with the
// local cache in front so that everything shows at once and nothing typed is lost. It owns
// the session and the models, routes the server's frames, and leaves the work to its parts:
// the Timeline (the open conversation), TypingAndReading, and CatchUp (keeping up with the
// server).
class ChatController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(pitchey::client::ConversationListModel *conversations READ conversations CONSTANT)
    Q_PROPERTY(pitchey::client::MessageListModel *messages READ messages CONSTANT)
    // The open thread's root and replies (threadRootId 0: none open).
    Q_PROPERTY(pitchey::client::MessageListModel *thread READ thread CONSTANT)
    Q_PROPERTY(qint64 threadRootId READ threadRootId NOTIFY threadChanged)
    Q_PROPERTY(bool loadingThread READ loadingThread NOTIFY threadLoadingChanged)
    // What the user had typed in the open thread and not sent, for its composer.
    Q_PROPERTY(QString threadDraft READ threadDraft NOTIFY threadChanged)
    // Whether the user gets notified of the open thread's replies (ThreadView::following).
    Q_PROPERTY(
        bool threadFollowing READ threadFollowing WRITE followThread NOTIFY threadFollowingChanged)
    // A change of threadFollowing waits for the server's answer.
    Q_PROPERTY(bool threadFollowPending READ threadFollowPending NOTIFY threadFollowingChanged)
    Q_PROPERTY(pitchey::client::UserSearchModel *userSearch READ userSearch CONSTANT)
    // The files staged for the open conversation's next message (send() takes them), and
    // for the open thread's next reply (sendInThread() takes those).
    Q_PROPERTY(pitchey::client::FileStaging *files READ files CONSTANT)
    Q_PROPERTY(pitchey::client::FileStaging *threadFiles READ threadFiles CONSTANT)
    // Every emoji, for the reaction picker (read from the bundled data when first asked for).
    Q_PROPERTY(pitchey::client::EmojiModel *emoji READ emoji CONSTANT)
    Q_PROPERTY(qint64 currentConversationId READ currentConversationId NOTIFY currentChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentChanged)
    // What the user had typed in the open conversation and not sent, for the composer.
    Q_PROPERTY(QString currentDraft READ currentDraft NOTIFY currentChanged)
    // The header's avatar: the same initials as the conversation's row in the list.
    Q_PROPERTY(QString currentInitials READ currentInitials NOTIFY currentChanged)
    Q_PROPERTY(QString currentStatus READ currentStatus NOTIFY currentStatusChanged)
    Q_PROPERTY(bool currentOnline READ currentOnline NOTIFY currentStatusChanged)
    Q_PROPERTY(bool currentIsGroup READ currentIsGroup NOTIFY currentChanged)
    Q_PROPERTY(bool loadingOlder READ loadingOlder NOTIFY historyChanged)
    Q_PROPERTY(ConnectionState connectionState READ connectionState NOTIFY connectionChanged)
    Q_PROPERTY(int retryInSeconds READ retryInSeconds NOTIFY connectionChanged)
    Q_PROPERTY(int unreadTotal READ unreadTotal NOTIFY unreadTotalChanged)
    // The open conversation's unread messages (the jump button's count).
    Q_PROPERTY(int currentUnread READ currentUnread NOTIFY unreadTotalChanged)
    Q_PROPERTY(bool windowActive READ windowActive WRITE setWindowActive NOTIFY windowActiveChanged)

public:
    enum class ConnectionState
    {
        Offline,
        Connecting,
        Connected,
    };
    Q_ENUM(ConnectionState)

    ChatController(ApiClient &api, RealtimeConnection &connection, QObject *parent = nullptr);
    ~ChatController() override;

    // Opens the account's cache under `cacheDir` and connects. Call on login.
    void start(const Session &session, const QString &cacheDir);
    void stop(); // on logout

    Q_INVOKABLE void openConversation(qint64 conversationId);
    // Version 2: an attachment, downloaded to the media cache (once), opened with the
    // system's application for its type.
    Q_INVOKABLE void openAttachment(qint64 attachmentId, const QString &filename);
    // Where attachments are kept, and how a local file is opened (QDesktopServices).
    void setMedia(MediaCache *media, std::function<bool(const QUrl &)> opener)
    {
        m_media = media;
        m_opener = std::move(opener);
    }
    // Version 2: an attachment saved where the person chooses (`askWhere`: the app's save
    // dialog, which calls back with the path, if any); attachmentSaved(path) once written.
    Q_INVOKABLE void saveAttachment(qint64 attachmentId, const QString &filename);
    using AskWhere =
        std::function<void(const QString &filename, std::function<void(const QString &)>)>;
    void setSaveDialog(AskWhere askWhere) { m_askWhere = std::move(askWhere); }
    // The pictures of the open conversation's loaded messages (or the open thread's),
    // oldest first, for the viewer's previous and next: [{id, filename, width, height}].
    Q_INVOKABLE QVariantList images(bool inThread = false) const;
    Q_INVOKABLE void closeConversation();
    // Queues a message for the open conversation (a reply to `replyToId`, unless 0) with the
    // files staged for it (`text` may then be empty); false when there is nothing to send.
    Q_INVOKABLE bool send(const QString &text, qint64 replyToId = 0);
    // Opens the thread of a message of the open conversation beside it (closing the one
    // open); closeThread() closes it. A new conversation closes it too.
    Q_INVOKABLE void openThread(qint64 rootId);
    Q_INVOKABLE void closeThread();
    Q_INVOKABLE void followThread(bool following);
    // Queues a reply in the open thread (quoting `replyToId`, unless 0) with the files
    // staged for it (`text` may then be empty).
    Q_INVOKABLE bool sendInThread(const QString &text, qint64 replyToId = 0);
    // Brings a message of the open conversation into the model (loading older ones as
    // needed): messageRevealed(row), or errorOccurred when it is not there any more.
    Q_INVOKABLE void reveal(qint64 messageId);
    // The open conversation's newest messages, when it opened further up (messages.hasNewer).
    Q_INVOKABLE void jumpToNewest();
    // Opens a message of any conversation (a notification clicked): its conversation, and
    // its thread when it is a reply in one; else into sight in the conversation.
    Q_INVOKABLE void showMessage(qint64 conversationId, qint64 messageId);
    // Asks the server for a message's versions: versionsLoaded(messageId, [{version,
    // content, time}]), oldest first.
    Q_INVOKABLE void loadVersions(qint64 messageId);
    // Version 2: edit or delete one of the user's sent messages (queued like a send).
    Q_INVOKABLE bool editMessage(qint64 messageId, const QString &text);
    Q_INVOKABLE bool deleteMessage(qint64 messageId);
    // Adds the user's reaction with `emoji` to a message, or takes it back when it is there.
    Q_INVOKABLE bool toggleReaction(qint64 messageId, const QString &emoji);
    // The user's newest live message in the open conversation's main view (or the thread of
    // `threadRootId`), for Up in an empty composer: {messageId, content}, or an empty map.
    Q_INVOKABLE QVariantMap lastEditable(qint64 threadRootId = 0) const;
    // Whom "@`prefix`" typed in the open conversation may mention: its other participants
    // whose name or username starts with it ({userId, name, username}, at most 8, by name),
    // and in a group "all" ({userId: 0}).
    Q_INVOKABLE QVariantList mentionCandidates(const QString &prefix) const;
    Q_INVOKABLE void retry(const QString &clientMessageId);
    // Takes back a failed message, or a queued one whose files are still uploading.
    Q_INVOKABLE bool discard(const QString &clientMessageId);
    // The composer's text changed: drives typing_start / typing_stop, and keeps it as the
    // open conversation's draft (on disk at once: what is typed is never lost).
    Q_INVOKABLE void composerChanged(const QString &text);
    // The thread composer's: typing in the conversation, and the thread's own draft.
    Q_INVOKABLE void threadComposerChanged(const QString &text);
    // A message of the open conversation is on screen (the view calls this with the newest
    // one visible); sends message_read when the window is active.
    Q_INVOKABLE void markSeen(qint64 messageId);
    Q_INVOKABLE void searchUsers(const QString &text);
    Q_INVOKABLE void startConversation(const QString &title);
    Q_INVOKABLE void reconnectNow();
    // Conversations whose title contains `text` (for Ctrl+K): [{id, title}], most recent first.
    Q_INVOKABLE QVariantList findConversations(const QString &text) const;

    [[nodiscard]] ConversationListModel *conversations() { return &m_conversations; }
    [[nodiscard]] MessageListModel *messages() { return &m_messages; }
    [[nodiscard]] MessageListModel *thread() { return &m_thread; }
    [[nodiscard]] qint64 threadRootId() const { return m_thread.threadRootId(); }
    [[nodiscard]] bool loadingThread() const;
    [[nodiscard]] bool threadFollowing() const;
    [[nodiscard]] bool threadFollowPending() const;
    [[nodiscard]] QString threadDraft() const { return m_threadDrafts.value(threadRootId()); }
    [[nodiscard]] UserSearchModel *userSearch() { return &m_userSearch; }
    [[nodiscard]] FileStaging *files() { return &m_files; }
    [[nodiscard]] FileStaging *threadFiles() { return &m_threadFiles; }
    [[nodiscard]] EmojiModel *emoji();
    [[nodiscard]] qint64 currentConversationId() const { return m_state.current; }
    [[nodiscard]] QString currentTitle() const;
    [[nodiscard]] QString currentDraft() const { return m_conversations.draft(m_state.current); }
    [[nodiscard]] QString currentInitials() const;
    [[nodiscard]] QString currentStatus() const;
    [[nodiscard]] bool currentOnline() const;
    [[nodiscard]] bool currentIsGroup() const;
    [[nodiscard]] bool loadingOlder() const;
    [[nodiscard]] ConnectionState connectionState() const;
    [[nodiscard]] int retryInSeconds() const;
    [[nodiscard]] int unreadTotal() const;
    [[nodiscard]] int currentUnread() const;
    // Muted conversations do not count in unreadTotal (the window title, the tray).
    void setMuted(const QSet<qint64> &conversationIds);
    // Opens the conversation `step` rows below (above, when negative) the open one in the
    // list, stopping at its ends; with none open, the first (or last).
    Q_INVOKABLE void openNeighbour(int step);
    [[nodiscard]] bool windowActive() const;
    void setWindowActive(bool active);
    [[nodiscard]] OfflineQueue *queue() const { return m_queue.get(); }
    [[nodiscard]] LocalCache *cache() const { return m_cache.get(); }

Q_SIGNALS:
    void currentChanged();
    void threadChanged(); // another thread opened, or none
    void threadLoadingChanged();
    void threadFollowingChanged();
    void currentStatusChanged();
    void historyChanged();
    void connectionChanged();
    void unreadTotalChanged();
    void windowActiveChanged();
    void conversationStarted(qint64 conversationId);
    // A message from someone else arrived (for notifications and tests).
    // `mentioned`: it mentions the user by name.
    void messageArrived(qint64 conversationId, qint64 messageId, const QString &senderName,
                        const QString &text, bool mentioned);
    void errorOccurred(const QString &message);
    // A message shown here was edited or deleted (its desktop notification follows it).
    void messageEdited(qint64 conversationId, qint64 messageId, const QString &text);
    void messageDeleted(qint64 conversationId, qint64 messageId);
    void messageRevealed(int row);
    // The server's notification of reactions to one of the user's messages (`id` the
    // notification's: the same id again says more reactions came), and notifications it
    // took back.
    void reactionsNotified(qint64 id, qint64 conversationId, qint64 messageId, const QString &title,
                           const QString &body);
    void notificationsRevoked(const QList<qint64> &ids);
    void versionsLoaded(qint64 messageId, const QVariantList &versions);
    void attachmentSaved(const QString &path);

private:
    void onFrame(const frames::server::ServerFrame &frame);
    void onConnectionState(RealtimeConnection::State state);

    ApiClient &m_api;
    RealtimeConnection &m_connection;
    MediaCache *m_media = nullptr;
    std::function<bool(const QUrl &)> m_opener;
    AskWhere m_askWhere;
    std::unique_ptr<QObject> m_scope;
    QSet<qint64> m_muted;
    QHash<qint64, QString> m_threadDrafts; // by root
    std::unique_ptr<LocalCache> m_cache;
    std::unique_ptr<OfflineQueue> m_queue;
    ConversationListModel m_conversations;
    MessageListModel m_messages;
    MessageListModel m_thread;
    UserSearchModel m_userSearch;
    FileStaging m_files;           // by conversation
    FileStaging m_threadFiles;     // by thread root
    EmojiModel *m_emoji = nullptr; // a child, made on first use
    ChatState m_state;
    Timeline *m_timeline;
    ThreadView *m_threadView;
    TypingAndReading *m_reading;
    CatchUp *m_catchUp;
    QTimer m_countdown; // ticks retryInSeconds while offline
};

} // namespace pitchey::client
