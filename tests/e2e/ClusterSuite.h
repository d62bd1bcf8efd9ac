#pragma once

// Three pitchey-server processes on one scratch PostgreSQL database, sharing one media
// directory, and the users the cluster suites start with (tst_cluster, tst_cluster_changes).
// Runs under tests/support/with-postgres.sh (skipped without PITCHEY_TEST_POSTGRES).
#include "Clients.h"
#include "ScratchPostgres.h"
#include "ServerProcess.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>

namespace pitchey::testing {

using namespace Qt::StringLiterals;

struct ClusterNode
{
    QTemporaryDir dir;
    QProcess process;
    quint16 port = 0;

    QUrl http() const { return httpUrl(port); }
};

inline constexpr auto kClusterTimeoutSeconds = "2";

class ClusterSuite : public QObject
{
protected:
    using Node = ClusterNode;

    // Each test's init() (once ScratchPostgres::available()): a fresh database and three
    // nodes on it.
    bool startCluster()
    {
        m_database = std::make_unique<ScratchPostgres>();
        for (auto &node : m_nodes) {
            if (!startNode(node))
                return false;
        }
        return true;
    }

    void stopCluster()
    {
        for (auto &node : m_nodes) {
            if (node && node->process.state() != QProcess::NotRunning) {
                node->process.terminate();
                node->process.waitForFinished(10000);
            }
            node.reset();
        }
        m_database.reset();
    }

    std::unique_ptr<ScratchPostgres> m_database;
    std::array<std::unique_ptr<Node>, 3> m_nodes;
    QTemporaryDir m_media; // the media directory every node shares

    bool startNode(std::unique_ptr<Node> &node)
    {
        node = std::make_unique<Node>();
        node->port = startServer(node->process, node->dir.path(),
                                 {u"--database"_s, m_database->urlText(), u"--jwt-secret"_s,
                                  u"one-secret-for-the-whole-cluster"_s, u"--cluster-timeout"_s,
                                  QString::fromLatin1(kClusterTimeoutSeconds), u"--rate-burst"_s,
                                  u"10000"_s, u"--media-dir"_s, m_media.path()});
        return node->port != 0;
    }

    std::unique_ptr<WsClient> connectTo(const Node &node, const HttpClient::Account &account)
    {
        auto client = std::make_unique<WsClient>();
        if (!client->open(wsUrl(node.port, account.token)))
            qWarning() << "could not connect" << account.username;
        return client;
    }

    // alice and bob, registered through node 1, with a 1:1 conversation; alice connected
    // to node 1.
    struct Pair
    {
        HttpClient::Account alice, bob;
        qint64 conversation = 0;
        std::unique_ptr<WsClient> aliceSocket;
    };
    Pair twoUsers()
    {
        HttpClient a(m_nodes[0]->http());
        Pair pair{a.registerUser(u"alice"_s), a.registerUser(u"bob"_s), 0, nullptr};
        pair.conversation = a.createConversation(pair.alice, {pair.bob.id});
        pair.aliceSocket = connectTo(*m_nodes[0], pair.alice);
        return pair;
    }

    // alice, bob and carol, registered through node 1, in a group; each connected to a node
    // of their own (alice 1, bob 2, carol 3).
    struct Trio
    {
        HttpClient::Account alice, bob, carol;
        qint64 group = 0;
        std::unique_ptr<WsClient> aliceSocket, bobSocket, carolSocket;
    };
    Trio threeInAGroup(const QString &title)
    {
        HttpClient a(m_nodes[0]->http());
        Trio trio{a.registerUser(u"alice"_s),
                  a.registerUser(u"bob"_s),
                  a.registerUser(u"carol"_s),
                  0,
                  nullptr,
                  nullptr,
                  nullptr};
        trio.group = a.createConversation(trio.alice, {trio.bob.id, trio.carol.id}, title);
        trio.aliceSocket = connectTo(*m_nodes[0], trio.alice);
        trio.bobSocket = connectTo(*m_nodes[1], trio.bob);
        trio.carolSocket = connectTo(*m_nodes[2], trio.carol);
        return trio;
    }
};

} // namespace pitchey::testing
