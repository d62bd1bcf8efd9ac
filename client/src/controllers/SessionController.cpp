#include "controllers/SessionController.h"

#include "protocol/Api.h"
#include "store/TokenStore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace pitchey::client {

SessionController::SessionController(ApiClient &api, TokenStore &tokens, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_tokens(tokens)
{
    m_keychainPatience.setSingleShot(true);
    m_keychainPatience.setInterval(std::chrono::seconds(3));
    connect(&m_keychainPatience, &QTimer::timeout, this, [this] {
        if (m_state != State::Restoring)
            return;
        setKeychainProblem(tr("The system keychain has not answered. Log in again, or wait: "
                              "if it answers, you are logged in."));
        setState(State::LoggedOut);
    });
}

void SessionController::setKeychainProblem(const QString &problem)
{
    if (m_keychainProblem == problem)
        return;
    m_keychainProblem = problem;
    Q_EMIT keychainProblemChanged();
}

std::optional<QUrl> SessionController::parseServerUrl(const QString &text)
{
    QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    if (!trimmed.contains("://"_L1))
        trimmed.prepend("http://"_L1);
    QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != "http"_L1 && url.scheme() != "https"_L1))
        return std::nullopt;
    // The API's paths start with /api: an address copied with it would double it.
    url = url.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (url.path().endsWith("/api"_L1, Qt::CaseInsensitive))
        url.setPath(url.path().chopped(4));
    url = url.adjusted(QUrl::StripTrailingSlash);
    if (url.path() == "/"_L1)
        url.setPath({});
    return url;
}

void SessionController::restore(const QUrl &server)
{
    QSettings settings;
    const QUrl remembered = settings.value("session/server"_L1).toUrl();
    const QString username = settings.value("session/username"_L1).toString();
    m_server = server.isEmpty() ? remembered : server;
    m_session.user.username = username;
    if (m_server.isEmpty() || username.isEmpty() || (!server.isEmpty() && server != remembered)) {
        setState(State::LoggedOut);
        return;
    }
    // A keychain that does not answer (a locked one waiting for its password, a Secret
    // Service that hangs) does not keep the person before a blank window: the login page
    // comes after a while, and the token, if it still comes, logs in from there.
    m_keychainPatience.start();
    m_tokens.read(account(), this, [this](Result<QString> token) {
        const bool late = !m_keychainPatience.isActive();
        m_keychainPatience.stop();
        if (late && (m_state != State::LoggedOut || m_busy))
            return; // the person has moved on
        if (!token.ok()) {
            setKeychainProblem(token.error().message);
            setState(State::LoggedOut);
            return;
        }
        if (late)
            setKeychainProblem({});
        const auto claims = api::TokenClaims::readUnverified(token.value());
        if (!claims || claims->expiresAt <= QDateTime::currentSecsSinceEpoch()) {
            setState(State::LoggedOut);
            return;
        }
        QSettings stored;
        Session session;
        session.token = token.value();
        session.user.id = claims->userId;
        session.user.username = claims->username;
        session.user.displayName =
            stored.value("session/displayName"_L1, claims->username).toString();
        if (const QString email = stored.value("session/email"_L1).toString(); !email.isEmpty())
            session.user.email = email;
        m_session = session;
        m_api.setBaseUrl(m_server);
        m_api.setToken(session.token);
        setState(State::LoggedIn);
        Q_EMIT loggedIn();
    });
}

bool SessionController::begin(const QString &server, const QString &username)
{
    const auto url = parseServerUrl(server);
    if (!url) {
        Q_EMIT errorOccurred(
            tr("“%1” is not a server address (for example http://localhost:8000)").arg(server));
        return false;
    }
    if (username.trimmed().isEmpty()) {
        Q_EMIT errorOccurred(tr("Enter a username"));
        return false;
    }
    m_api.setBaseUrl(*url);
    m_api.setToken({});
    setBusy(true);
    return true;
}

void SessionController::login(const QString &server, const QString &username,
                              const QString &password)
{
    if (!begin(server, username))
        return;
    const QUrl url = m_api.baseUrl();
    m_api.login(username.trimmed(), password, this, [this, url](Result<Session> session) {
        setBusy(false);
        if (!session.ok())
            return Q_EMIT errorOccurred(session.error().message);
        authenticated(url, session.value());
    });
}

void SessionController::registerAccount(const QString &server, const QString &username,
                                        const QString &displayName, const QString &password,
                                        const QString &email)
{
    if (!begin(server, username))
        return;
    const QUrl url = m_api.baseUrl();
    m_api.registerUser(username.trimmed(), password, displayName, email, this,
                       [this, url](Result<Session> session) {
                           setBusy(false);
                           if (!session.ok())
                               return Q_EMIT errorOccurred(session.error().message);
                           authenticated(url, session.value());
                       });
}

void SessionController::authenticated(const QUrl &server, const Session &session)
{
    m_server = server;
    m_session = session;
    m_api.setToken(session.token);
    QSettings settings;
    settings.setValue("session/server"_L1, server);
    settings.setValue("session/username"_L1, session.user.username);
    settings.setValue("session/displayName"_L1, session.user.displayName);
    settings.setValue("session/email"_L1, session.user.email.value_or(QString()));
    setKeychainProblem({}); // (what the restore found is past: this login is new)
    m_tokens.write(account(), session.token, this, [this](const Status &stored) {
        if (!stored.ok())
            setKeychainProblem(stored.error().message);
        Q_EMIT keychainSettled();
    });
    setState(State::LoggedIn);
    Q_EMIT loggedIn();
}

void SessionController::keepForThisRun()
{
    setKeychainProblem({});
}

void SessionController::logout()
{
    if (m_state == State::LoggedOut)
        return;
    m_tokens.remove(account(), this, [this](const Status &) { Q_EMIT keychainSettled(); });
    m_session.token.clear();
    m_api.setToken({});
    setKeychainProblem({});
    setState(State::LoggedOut);
    Q_EMIT loggedOut();
}

void SessionController::expire()
{
    if (m_state != State::LoggedIn)
        return;
    logout();
    Q_EMIT errorOccurred(tr("Your session has ended. Please log in again."));
}

QString SessionController::account() const
{
    return u"%1 %2"_s.arg(m_server.toString(), m_session.user.username.toLower());
}

void SessionController::setState(State state)
{
    m_state = state;
    Q_EMIT stateChanged();
}

void SessionController::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged();
}

} // namespace pitchey::client
