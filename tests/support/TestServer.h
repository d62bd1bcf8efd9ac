#pragma once

#include "ScratchPostgres.h"
#include "app/Server.h"

#include <QTemporaryDir>

#include <memory>

namespace pitchey::testing {

// A real server in this process: 127.0.0.1, port 0, a fresh SQLite file in a
// temporary directory (or, with PITCHEY_TEST_POSTGRES set to an administrative URL, a
// fresh PostgreSQL database), cheap password hashing.
class TestServer
{
public:
    explicit TestServer(const std::function<void(server::ServerConfig &)> &adjust = {});
    ~TestServer();

    [[nodiscard]] bool start();
    void restart(); // same data directory, new process state
    void stop();    // until start(), which listens on the same port again
    [[nodiscard]] quint16 port() const { return m_server ? m_server->port() : 0; }
    [[nodiscard]] QUrl httpUrl(const QString &path) const;
    [[nodiscard]] QUrl wsUrl(const QString &token) const;
    [[nodiscard]] const server::ServerConfig &config() const { return m_config; }
    [[nodiscard]] QString dataDir() const { return m_dir.path(); }
    [[nodiscard]] server::Server &server() { return *m_server; }
    // Whether any stored text (message contents, their versions, email bodies) contains
    // `text`: what a deleted message must leave nowhere.
    [[nodiscard]] bool databaseHolds(const QString &text);

private:
    QTemporaryDir m_dir;
    server::ServerConfig m_config;
    std::unique_ptr<ScratchPostgres> m_postgres; // with PITCHEY_TEST_POSTGRES
    std::unique_ptr<server::Server> m_server;
};

} // namespace pitchey::testing
