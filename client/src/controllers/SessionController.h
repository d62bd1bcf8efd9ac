#pragma once

#include "net/ApiClient.h"

#include <QObject>
#include <QTimer>
#include <QUrl>

namespace pitchey::client {

class TokenStore;

// Who is logged in, to which server. Logging in or registering stores the token in the
// keychain; the next start reads it back and logs in without the network (the token says
// who the user is). When the keychain cannot store it, keychainProblem says why and the
// user chooses: stay logged in for this run only, or log out. Nothing is written in
// plain text.
class SessionController : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString serverUrl READ serverUrl NOTIFY stateChanged)
    Q_PROPERTY(QString username READ username NOTIFY stateChanged)
    Q_PROPERTY(QString displayName READ displayName NOTIFY stateChanged)
    Q_PROPERTY(qint64 userId READ userId NOTIFY stateChanged)
    // Whether the account has an email address (email digests need one).
    Q_PROPERTY(bool hasEmail READ hasEmail NOTIFY stateChanged)
    Q_PROPERTY(QString keychainProblem READ keychainProblem NOTIFY keychainProblemChanged)

public:
    enum class State
    {
        Restoring, // reading the keychain at start
        LoggedOut,
        LoggedIn,
    };
    Q_ENUM(State)

    SessionController(ApiClient &api, TokenStore &tokens, QObject *parent = nullptr);

    // At start: log in again with the stored token, if there is one. A non-empty
    // `server` (from --server) takes the place of the remembered one.
    void restore(const QUrl &server);

    Q_INVOKABLE void login(const QString &server, const QString &username, const QString &password);
    Q_INVOKABLE void registerAccount(const QString &server, const QString &username,
                                     const QString &displayName, const QString &password,
                                     const QString &email = {});
    Q_INVOKABLE void logout();
    // The user accepts that the token lives in memory only, for this run.
    Q_INVOKABLE void keepForThisRun();
    // How long restore() waits for the keychain before it shows the login page (3 s).
    void setKeychainPatience(std::chrono::milliseconds patience)
    {
        m_keychainPatience.setInterval(patience);
    }
    // The server no longer accepts the token.
    void expire();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool busy() const { return m_busy; }
    [[nodiscard]] QString serverUrl() const { return m_server.toString(); }
    [[nodiscard]] QString username() const { return m_session.user.username; }
    [[nodiscard]] QString displayName() const { return m_session.user.displayName; }
    [[nodiscard]] qint64 userId() const { return m_session.user.id; }
    [[nodiscard]] bool hasEmail() const
    {
        return !m_session.user.email.value_or(QString()).isEmpty();
    }
    [[nodiscard]] QString keychainProblem() const { return m_keychainProblem; }
    [[nodiscard]] const Session &session() const { return m_session; }
    [[nodiscard]] QUrl server() const { return m_server; }

    [[nodiscard]] static std::optional<QUrl> parseServerUrl(const QString &text);

Q_SIGNALS:
    void stateChanged();
    void busyChanged();
    void keychainProblemChanged();
    // The keychain finished writing (login) or removing (logout) the token, either way.
    void keychainSettled();
    void loggedIn();
    void loggedOut();
    void errorOccurred(const QString &message);

private:
    void authenticated(const QUrl &server, const Session &session);
    void setState(State state);
    void setBusy(bool busy);
    void setKeychainProblem(const QString &problem);
    [[nodiscard]] QString account() const;
    [[nodiscard]] bool begin(const QString &server, const QString &username);

    ApiClient &m_api;
    TokenStore &m_tokens;
    State m_state = State::Restoring;
    bool m_busy = false;
    QTimer m_keychainPatience; // how long the restore waits for the keychain
    QUrl m_server;
    Session m_session;
    QString m_keychainProblem;
};

} // namespace pitchey::client
