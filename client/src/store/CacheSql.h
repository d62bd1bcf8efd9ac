#pragma once

// What LocalCache.cpp and LocalCacheOutbox.cpp share: one statement at a time on the
// cache's connection, failures logged (the cache's callers go on with what they have).
#include "protocol/Types.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QVariant>

Q_DECLARE_LOGGING_CATEGORY(lcClientCache)

namespace pitchey::client::cachesql {

// Prepares, binds `args` in order and runs `sql`; false (and a warning) when it fails.
bool exec(QSqlQuery &query, const QString &sql, const QVariantList &args = {});
// A time in ms, or NULL for 0.
[[nodiscard]] QVariant nullableTime(qint64 ms);
// A message's reactions as the cache keeps them (JSON, NULL for none), and back.
[[nodiscard]] QVariant reactionsJson(const QList<Reaction> &reactions);
[[nodiscard]] QList<Reaction> reactionsFrom(const QVariant &json);
[[nodiscard]] QVariant attachmentsJson(const QList<Attachment> &attachments);
[[nodiscard]] QList<Attachment> attachmentsFrom(const QVariant &json);
// A message's mentions as the cache keeps them (JSON, NULL for none).
[[nodiscard]] QVariant mentionsJson(const Mentions &mentions);

} // namespace pitchey::client::cachesql
