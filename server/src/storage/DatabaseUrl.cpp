#include "storage/DatabaseUrl.h"

#include <QDir>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace pitchey::server {

Result<DatabaseUrl> DatabaseUrl::parse(const QString &text, const QString &dataDir)
{
    DatabaseUrl result;
    if (text.isEmpty() || text == "sqlite"_L1) {
        result.sqlitePath = QDir(dataDir).filePath(u"pitchey.db"_s);
        return result;
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return Error::badRequest(u"database URL is not a valid URL"_s);
    if (url.scheme() == "sqlite"_L1) {
        if (url.path().isEmpty())
            return Error::badRequest(
                u"sqlite URL needs a path, e.g. sqlite:///var/lib/pitchey/pitchey.db"_s);
        result.sqlitePath = QDir(dataDir).absoluteFilePath(url.path());
        return result;
    }
    if (url.scheme() == "postgresql"_L1 || url.scheme() == "postgres"_L1) {
        result.kind = Kind::PostgreSQL;
        result.host = url.host().isEmpty() ? u"localhost"_s : url.host();
        result.port = url.port(5432);
        result.user = url.userName();
        result.password = url.password();
        result.databaseName = url.path().mid(1);
        if (result.databaseName.isEmpty())
            return Error::badRequest(u"postgresql URL needs a database name"_s);
        return result;
    }
    return Error::badRequest(
        u"unsupported database URL scheme '%1' (use sqlite or postgresql)"_s.arg(url.scheme()));
}

QString DatabaseUrl::describe() const
{
    if (kind == Kind::SQLite)
        return u"sqlite:%1"_s.arg(sqlitePath);
    return u"postgresql://%1@%2:%3/%4"_s.arg(user, host).arg(port).arg(databaseName);
}

} // namespace pitchey::server
