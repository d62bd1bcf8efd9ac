#include "storage/Sql.h"

#include <QLoggingCategory>
#include <QSqlError>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

namespace pitchey::server::sql {

Result<QSqlQuery> exec(QSqlDatabase &db, const QString &statement, const QVariantList &args)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.prepare(statement)) {
        qCWarning(lcStorage).noquote()
            << "prepare failed:" << query.lastError().text() << "in" << statement;
        return Error::internal(u"database error"_s);
    }
    for (const QVariant &arg : args)
        query.addBindValue(arg);
    if (!query.exec()) {
        qCWarning(lcStorage).noquote()
            << "query failed:" << query.lastError().text() << "in" << statement;
        Error error = Error::internal(u"database error"_s);
        // Callers that expect a unique violation look at the native code through this text.
        error.message = u"database error: %1"_s.arg(query.lastError().nativeErrorCode());
        return error;
    }
    return query;
}

Result<qint64> scalar(QSqlDatabase &db, const QString &statement, const QVariantList &args,
                      qint64 fallback)
{
    auto query = exec(db, statement, args);
    if (!query.ok())
        return query.error();
    if (!query.value().next() || query.value().value(0).isNull())
        return fallback;
    return query.value().value(0).toLongLong();
}

QString placeholders(qsizetype n)
{
    QString text;
    for (qsizetype i = 0; i < n; ++i)
        text += i == 0 ? u"?"_s : u", ?"_s;
    return text;
}

std::optional<qint64> optionalInt(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toLongLong();
}

QVariant nullable(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

QVariant nullable(const std::optional<QString> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<QString>());
}

} // namespace pitchey::server::sql
