#pragma once

// What LocalCache.cpp and LocalCacheOutbox.cpp share: one statement at a time on the
// cache's connection, failures logged (the cache's callers go on with what they have).
#include "protocol/Types.h"
#include "store/LocalMessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QVariant>

Q_DECLARE_LOGGING_CATEGORY(lcClientCache)

namespace pitchey::client::cachesql {

// Prepares, binds `args` in order and runs `sql`; false (and a warning) when it fails.
bool exec(QSqlQuery &query, const QString &sql, const QVariantList &args = {});
// A time in ms, or NULL for 0.
[[nodiscard]] QVariant nullableTime(qint64 ms);
// A message's reactions, attachments or files as the cache keeps them (JSON, NULL for none), and
// back (entries it cannot read left out).
template<typename T> [[nodiscard]] QVariant listJson(const QList<T> &list)
{
    if (list.isEmpty())
        return QVariant(QMetaType(QMetaType::QString));
    QJsonArray array;
    for (const T &entry : list)
        array.append(entry.toJson());
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}
template<typename T> [[nodiscard]] QList<T> listFrom(const QVariant &json)
{
    QList<T> list;
    if (json.isNull())
        return list;
    for (const auto &entry : QJsonDocument::fromJson(json.toByteArray()).array()) {
        auto value = T::fromJson(entry.toObject());
        if (value.ok())
            list.append(value.value());
    }
    return list;
}
// A message's mentions as the cache keeps them (JSON, NULL for none).
[[nodiscard]] QVariant mentionsJson(const Mentions &mentions);

} // namespace pitchey::client::cachesql
