#include "TestServer.h"

#include "storage/DbWorker.h"
#include "storage/Sql.h"

#include <QCoreApplication>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace pitchey::testing {

TestServer::TestServer(const std::function<void(server::ServerConfig &)> &adjust)
{
    m_config.listenAddress = QHostAddress::LocalHost;
    m_config.port = 0;
    m_config.dataDir = m_dir.path();
    m_config.database = server::DatabaseUrl::parse(QString(), m_dir.path()).value();
    // Argon2id at its interactive cost (64 MiB, ~100-300 ms a hash here) made registering
    // each test's accounts most of the suite's time; tst_password covers both costs.
    m_config.passwordCost = server::PasswordHasher::Cost::Minimal;
    if (ScratchPostgres::available()) {
        // The same suite on PostgreSQL: a database of its own per server.
        m_postgres = std::make_unique<ScratchPostgres>();
        m_config.database = m_postgres->url();
    }
    if (adjust)
        adjust(m_config);
}

TestServer::~TestServer()
{
    m_server.reset(); // before its database goes
}

bool TestServer::start()
{
    m_server = std::make_unique<server::Server>(m_config);
    auto started = m_server->start();
    if (!started.ok())
        qWarning() << "test server did not start:" << started.error().message;
    return started.ok();
}

void TestServer::restart()
{
    m_server.reset();
    QCoreApplication::processEvents();
    m_config.port = 0;
    (void)start();
}

void TestServer::stop()
{
    m_config.port = port();
    m_server.reset();
    QCoreApplication::processEvents();
}

QUrl TestServer::httpUrl(const QString &path) const
{
    const QString scheme = m_config.tlsCertFile.isEmpty() ? u"http"_s : u"https"_s;
    return QUrl(u"%1://127.0.0.1:%2%3"_s.arg(scheme).arg(port()).arg(path));
}

QUrl TestServer::wsUrl(const QString &token) const
{
    const QString scheme = m_config.tlsCertFile.isEmpty() ? u"ws"_s : u"wss"_s;
    QUrl url(u"%1://127.0.0.1:%2/api/messages/ws"_s.arg(scheme).arg(port()));
    QUrlQuery query;
    query.addQueryItem(u"token"_s, token);
    url.setQuery(query);
    return url;
}

bool TestServer::databaseHolds(const QString &text)
{
    const QString pattern = u"%"_s + text + u"%"_s;
    auto count = m_server->database().submit<qint64>([pattern](QSqlDatabase &db) {
        return server::sql::scalar(
            db,
            u"SELECT (SELECT COUNT(*) FROM messages WHERE content LIKE ?) + (SELECT COUNT(*) "
            "FROM message_edits WHERE content LIKE ?) + (SELECT COUNT(*) FROM email_outbox "
            "WHERE text_body LIKE ? OR html_body LIKE ?)"_s,
            {pattern, pattern, pattern, pattern});
    });
    count.waitForFinished();
    const auto result = count.result();
    return !result.ok() || result.value() > 0; // a failed read proves nothing
}

} // namespace pitchey::testing
