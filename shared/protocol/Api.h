#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"

#include <QJsonObject>
#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <optional>

// The HTTP API's paths, bodies and answers as types, both ways: a client writes its
// requests with toJson/toQuery and reads the answers with fromJson; the server reads the
// requests with fromJson/fromQuery and writes its answers with toJson (the WebSocket's frames
// are in Frames.h and ServerFrames.h). A request's fromJson checks the shape (types, required
// fields); the rules on values (a username's characters, a title's length) are the server's.
namespace pitchey::api {

inline constexpr QLatin1StringView kRegisterPath{"/api/auth/register"};
inline constexpr QLatin1StringView kLoginPath{"/api/auth/login"};
inline constexpr QLatin1StringView kAuthPrefix{"/api/auth/"}; // requests that carry no token
inline constexpr QLatin1StringView kConversationsPath{"/api/messages/conversations"};
inline constexpr QLatin1StringView kSendPath{"/api/messages/send"};
inline constexpr QLatin1StringView kHistoryPattern{"/api/messages/{conversationId}/messages"};
// Version 2:
inline constexpr QLatin1StringView kChangesPath{"/api/messages/changes"};
inline constexpr QLatin1StringView kMessagePattern{"/api/messages/{messageId}"};
inline constexpr QLatin1StringView kMessageVersionsPattern{"/api/messages/{messageId}/history"};
inline constexpr QLatin1StringView kFollowPattern{"/api/messages/{messageId}/follow"};
inline constexpr QLatin1StringView kReactionPattern{"/api/messages/{messageId}/reactions/{emoji}"};
inline constexpr QLatin1StringView kWebSocketPath{"/api/messages/ws"};
inline constexpr QLatin1StringView kMediaPath{"/api/media"}; // POST ?filename=
inline constexpr QLatin1StringView kMediaConfigPath{"/api/media/config"};
inline constexpr QLatin1StringView kMediaPattern{"/api/media/{attachmentId}"};
inline constexpr QLatin1StringView kThumbnailPattern{"/api/media/{attachmentId}/thumbnail"};
inline constexpr QLatin1StringView kUsersPath{"/api/users"};
inline constexpr QLatin1StringView kPreferencesPath{"/api/notifications/preferences"};
inline constexpr QLatin1StringView kNotificationsPath{"/api/notifications"};
inline constexpr QLatin1StringView kReadNotificationsPath{"/api/notifications/read"};
inline constexpr QLatin1StringView kUnsubscribePath{"/api/notifications/unsubscribe"};
[[nodiscard]] QString historyPath(qint64 conversationId);

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 100;

// The query of the WebSocket URL: the token.
[[nodiscard]] QUrlQuery webSocketQuery(const QString &token);

// What a token says (the JWT's payload). The server signs and verifies it; a client reads it
// unverified (to know whose token the keychain holds and until when).
struct TokenClaims
{
    qint64 userId = 0; // "sub", a decimal string
    QString username;
    qint64 issuedAt = 0;  // seconds since the epoch
    qint64 expiresAt = 0; // seconds since the epoch
    // The account's token key when the token was issued (users.token_key): a token is
    // valid only while its account still has that key.
    qint64 key = 0;
    [[nodiscard]] QJsonObject toJson() const;
    // nullopt when "sub" is not a positive id.
    [[nodiscard]] static std::optional<TokenClaims> fromJson(const QJsonObject &payload);
    // The payload of a compact JWS, not verified.
    [[nodiscard]] static std::optional<TokenClaims> readUnverified(QStringView token);
    friend bool operator==(const TokenClaims &, const TokenClaims &) = default;
};

// GET /api/users?search=
struct UserSearch
{
    QString prefix;
    [[nodiscard]] QUrlQuery toQuery() const;
    [[nodiscard]] static UserSearch fromQuery(const QUrlQuery &query); // trimmed
};

// GET .../messages: older than `before`, or newer than `after`, at most `limit`.
struct HistoryQuery
{
    std::optional<qint64> before;
    std::optional<qint64> after;
    int limit = kDefaultPageSize;
    // Version 2: one thread's replies (the root excluded), or the conversation without
    // thread replies (`mainOnly=true`).
    std::optional<qint64> threadRootId;
    bool mainOnly = false;
    [[nodiscard]] QUrlQuery toQuery() const;
    // A limit above kMaxPageSize is lowered to it.
    [[nodiscard]] static Result<HistoryQuery> fromQuery(const QUrlQuery &query);
    friend bool operator==(const HistoryQuery &, const HistoryQuery &) = default;
};

// GET /api/notifications
struct NotificationsQuery
{
    bool unreadOnly = false;
    int limit = kDefaultPageSize;
    std::optional<qint64> before;
    [[nodiscard]] QUrlQuery toQuery() const;
    [[nodiscard]] static Result<NotificationsQuery> fromQuery(const QUrlQuery &query);
    friend bool operator==(const NotificationsQuery &, const NotificationsQuery &) = default;
};

// GET /api/messages/changes (version 2): the caller's messages changed after `since`.
struct ChangesQuery
{
    static constexpr int kDefaultLimit = 100;
    static constexpr int kMaxLimit = 500;
    qint64 since = 0;
    int limit = kDefaultLimit;
    [[nodiscard]] QUrlQuery toQuery() const;
    // A limit above kMaxLimit is lowered to it; `since` may be 0.
    [[nodiscard]] static Result<ChangesQuery> fromQuery(const QUrlQuery &query);
    friend bool operator==(const ChangesQuery &, const ChangesQuery &) = default;
};

struct ChangesAnswer
{
    QList<Message> messages; // in the order of their changeId
    qint64 latestChangeId = 0;
    bool hasMore = false;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ChangesAnswer> fromJson(const QJsonObject &body);
};

// GET /api/messages/{id}/history (version 2): every version, oldest first.
struct VersionsAnswer
{
    struct Version
    {
        qint64 version = 0;
        QString content;
        qint64 editedAt = 0;
        friend bool operator==(const Version &, const Version &) = default;
    };
    QList<Version> versions;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<VersionsAnswer> fromJson(const QJsonObject &body);
};

// PUT / DELETE /api/messages/{rootId}/follow (version 2).
struct FollowAnswer
{
    bool following = false;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<FollowAnswer> fromJson(const QJsonObject &body);
};

// GET /api/media/config: what an upload may be.
struct MediaConfig
{
    qint64 maxUploadBytes = 50LL * 1024 * 1024;
    qint64 maxImagePixels = 40'000'000;
    int maxAttachmentsPerMessage = 10;
    QList<int> thumbnailSizes{320, 800};
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MediaConfig> fromJson(const QJsonObject &body);
};

// POST /api/media: 201 (or 200 for bytes the uploader had sent before) {attachment}.
struct AttachmentAnswer
{
    Attachment attachment;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AttachmentAnswer> fromJson(const QJsonObject &body);
};

// POST /api/auth/register and /api/auth/login (these two without a display name or email).
struct Credentials
{
    QString username;
    QString password;
    std::optional<QString> displayName;
    std::optional<QString> email; // an empty one reads as none
    [[nodiscard]] QJsonObject toJson() const;
    // A login reads only the username and the password (a login's other fields are ignored).
    enum class Reading
    {
        Registration,
        Login
    };
    [[nodiscard]] static Result<Credentials> fromJson(const QJsonObject &body,
                                                      Reading reading = Reading::Registration);
    friend bool operator==(const Credentials &, const Credentials &) = default;
};

// Their answer: the token and the account.
struct AuthAnswer
{
    QString token;
    User user;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<AuthAnswer> fromJson(const QJsonObject &body);
};

// POST /api/messages/conversations
struct NewConversation
{
    QList<qint64> participantIds;
    std::optional<QString> title; // one of only spaces reads as none
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<NewConversation> fromJson(const QJsonObject &body);
    friend bool operator==(const NewConversation &, const NewConversation &) = default;
};

// POST /api/notifications/read: these ids, or all.
struct ReadNotifications
{
    QList<qint64> ids;
    bool all = false;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReadNotifications> fromJson(const QJsonObject &body);
    friend bool operator==(const ReadNotifications &, const ReadNotifications &) = default;
};

struct HistoryAnswer
{
    QList<Message> messages; // oldest first
    bool hasMore = false;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<HistoryAnswer> fromJson(const QJsonObject &body);
};

// {"conversation": {...}}: POST /api/messages/conversations
struct ConversationAnswer
{
    Conversation conversation;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ConversationAnswer> fromJson(const QJsonObject &body);
};

// {"conversations": [...]}: GET /api/messages/conversations
struct ConversationsAnswer
{
    QList<Conversation> conversations;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ConversationsAnswer> fromJson(const QJsonObject &body);
};

// {"message": {...}}: POST /api/messages/send
struct MessageAnswer
{
    Message message;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<MessageAnswer> fromJson(const QJsonObject &body);
};

// {"reactions": [...]}: PUT/DELETE /api/messages/{id}/reactions/{emoji}
struct ReactionsAnswer
{
    QList<Reaction> reactions;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<ReactionsAnswer> fromJson(const QJsonObject &body);
};

// {"users": [...]}: GET /api/users
struct UsersAnswer
{
    QList<User> users;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<UsersAnswer> fromJson(const QJsonObject &body);
};

// {"preferences": {...}}: GET and PUT /api/notifications/preferences. Reading keeps the
// fields this side knows (a later server may add more).
struct PreferencesAnswer
{
    NotificationPreferences preferences;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<PreferencesAnswer> fromJson(const QJsonObject &body);
};

// {"notifications": [...]}: GET /api/notifications, each with whether it was read.
struct NotificationsAnswer
{
    struct Entry
    {
        Notification notification;
        bool read = false;
    };
    QList<Entry> notifications;
    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] static Result<NotificationsAnswer> fromJson(const QJsonObject &body);
};

// The keys of a preferences patch (PUT /api/notifications/preferences).
namespace preference {
inline constexpr QLatin1StringView kEmailEnabled{"emailEnabled"};
inline constexpr QLatin1StringView kRealtimeEnabled{"realtimeEnabled"};
inline constexpr QLatin1StringView kEmailDelayMinutes{"emailDelayMinutes"};
inline constexpr QLatin1StringView kMutedConversationIds{"mutedConversationIds"};
inline constexpr QLatin1StringView kSendReadReceipts{"sendReadReceipts"};
inline constexpr QLatin1StringView kSendTypingIndicators{"sendTypingIndicators"};
} // namespace preference

// The body of every error answer: {"error": {code, message}}.
[[nodiscard]] QJsonObject errorBody(const Error &error);
// The error of an answer's body; nullopt when it has none (or one this side does not know).
[[nodiscard]] std::optional<Error> errorOf(const QJsonObject &body);

} // namespace pitchey::api
