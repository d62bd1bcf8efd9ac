#include "ScratchPostgres.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace pitchey::testing {

namespace {

QString adminUrl()
{
    return qEnvironmentVariable("PITCHEY_TEST_POSTGRES");
}

// Runs one statement on the administrative database.
bool adminExec(const QString &statement)
{
    const auto admin = server::DatabaseUrl::parse(adminUrl(), QString());
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

bool ScratchPostgres::available()
{
    return !adminUrl().isEmpty();
}

ScratchPostgres::ScratchPostgres()
{
    static int counter = 0;
    m_name = u"pitchey_test_%1_%2"_s.arg(QCoreApplication::applicationPid()).arg(++counter);
    if (!adminExec(u"CREATE DATABASE %1"_s.arg(m_name)))
        qWarning() << "cannot create the test database" << m_name;
    m_url = server::DatabaseUrl::parse(urlText(), QString()).value();
}

ScratchPostgres::~ScratchPostgres()
{
    adminExec(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(m_name));
}

QString ScratchPostgres::urlText() const
{
    QUrl url(adminUrl());
    url.setPath(u"/"_s + m_name);
    return url.toString();
}

ScratchDatabase::ScratchDatabase()
    : m_postgres(ScratchPostgres::available() ? std::make_unique<ScratchPostgres>() : nullptr)
{}

server::DatabaseUrl ScratchDatabase::url() const
{
    return m_postgres ? m_postgres->url()
                      : server::DatabaseUrl::parse(u"sqlite://"_s + sqliteFile(), {}).value();
}

} // namespace pitchey::testing
