#pragma once

// One running messenger without its window (what the app builds, minus QML), against a
// real server: for the client_core suites.
#include "Clients.h"
#include "TestServer.h"
#include "controllers/ChatController.h"
#include "net/ApiClient.h"
#include "net/RealtimeConnection.h"

#include <QTest>

namespace pitchey::testing {

struct ClientRig
{
    explicit ClientRig(const QUrl &server)
    {
        api.setBaseUrl(server);
        connection.setTiming({200, 1000, 30'000});
    }
    client::ApiClient api;
    client::RealtimeConnection connection;
    client::ChatController chat{api, connection};

    void startAs(const client::Session &session, const QString &cacheDir)
    {
        api.setToken(session.token);
        chat.start(session, cacheDir);
    }

    [[nodiscard]] bool connected() const
    {
        return chat.connectionState() == client::ChatController::ConnectionState::Connected;
    }

    // Starts as `session`, waits until connected and listing `conversation`, and opens it.
    [[nodiscard]] bool startAndOpen(const client::Session &session, const QString &cacheDir,
                                    qint64 conversation)
    {
        startAs(session, cacheDir);
        const bool ready = QTest::qWaitFor(
            [&] { return connected() && chat.conversations()->find(conversation) != nullptr; });
        if (ready)
            chat.openConversation(conversation);
        return ready && chat.currentConversationId() == conversation;
    }
};

inline client::Session sessionFor(const HttpClient::Account &account)
{
    client::Session session;
    session.token = account.token;
    session.user.id = account.id;
    session.user.username = account.username;
    session.user.displayName = account.username;
    return session;
}

inline QUrl serverUrl(const TestServer &server)
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
}

} // namespace pitchey::testing
