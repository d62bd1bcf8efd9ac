#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace pitchey {

// Times travel as ISO 8601 UTC strings with milliseconds ("2026-11-24T10:00:00.000Z")
// and are kept internally as milliseconds since the Unix epoch.
[[nodiscard]] QString toIsoTime(qint64 msecsSinceEpoch);
[[nodiscard]] QByteArray toIsoTimeLatin1(qint64 msecsSinceEpoch); // the same, as bytes
[[nodiscard]] std::optional<qint64> fromIsoTime(const QString &text);
[[nodiscard]] qint64 currentTimeMs();

} // namespace pitchey
