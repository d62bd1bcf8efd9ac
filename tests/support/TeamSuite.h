#pragma once

#include "Clients.h"
#include "TestServer.h"

#include <QObject>

#include <functional>
#include <memory>

namespace pitchey::testing {

// The setting of the version 2 suites: a server of their own (rate limits out of the way,
// `configure` for the rest) with ann, ben and cyd in a group titled "Team", and a test
// failing on any database error the server logs.
class TeamSuite : public QObject
{
protected:
    using Configure = std::function<void(server::ServerConfig &)>;
    // Starts over with a new server and accounts; false when it does not come up.
    [[nodiscard]] bool startTeam(const Configure &configure = {});
    void stopTeam();

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpClient> m_http;
    HttpClient::Account m_ann;
    HttpClient::Account m_ben;
    HttpClient::Account m_cyd;
    qint64 m_group = 0;
};

} // namespace pitchey::testing
