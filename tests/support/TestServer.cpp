#include "TestServer.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace pitchey::testing {

namespace {

// Runs one statement on the administrative database of PITCHEY_TEST_POSTGRES.
bool adminExec(const QString &statement)
{
    const auto admin =
        server::DatabaseUrl::parse(qEnvironmentVariable("PITCHEY_TEST_POSTGRES"), QString());
    if (!admin.ok())
        return false;
    const QString name = u"pitchey-test-admin"_s;
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(admin.value().host);
        db.setPort(admin.value().port);
        db.setUserName(admin.value().user);
        db.setPassword(admin.value().password);
        db.setDatabaseName(admin.value().databaseName);
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.exec(statement);
            if (!ok)
                qWarning() << "test database:" << query.lastError().text();
            db.close();
        } else {
            qWarning() << "cannot reach PITCHEY_TEST_POSTGRES:" << db.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

} // namespace

TestServer::TestServer(std::function<void(server::ServerConfig &)> adjust)
{
    m_config.listenAddress = QHostAddress::LocalHost;
    m_config.port = 0;
    m_config.dataDir = m_dir.path();
    m_config.database = server::DatabaseUrl::parse(QString(), m_dir.path()).value();
    if (qEnvironmentVariableIsSet("PITCHEY_TEST_POSTGRES")) {
        // The same suite on PostgreSQL: a database of its own per server.
        static int counter = 0;
        m_postgresDatabase =
            u"pitchey_test_%1_%2"_s.arg(QCoreApplication::applicationPid()).arg(++counter);
        if (adminExec(u"CREATE DATABASE %1"_s.arg(m_postgresDatabase))) {
            QUrl url(qEnvironmentVariable("PITCHEY_TEST_POSTGRES"));
            url.setPath(u"/"_s + m_postgresDatabase);
            m_config.database = server::DatabaseUrl::parse(url.toString(), QString()).value();
        }
    }
    m_config.jwtSecret = "test-secret-of-sufficient-length";
    m_config.passwordCost = server::PasswordHasher::Cost::Minimal;
    if (adjust)
        adjust(m_config);
}

TestServer::~TestServer()
{
    m_server.reset();
    if (!m_postgresDatabase.isEmpty())
        adminExec(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(m_postgresDatabase));
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

} // namespace pitchey::testing
