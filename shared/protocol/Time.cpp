#include "protocol/Time.h"

#include <QDateTime>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace pitchey {

QString toIsoTime(qint64 msecsSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, QTimeZone::utc())
        .toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s);
}

std::optional<qint64> fromIsoTime(const QString &text)
{
    const QDateTime parsed = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!parsed.isValid())
        return std::nullopt;
    return parsed.toMSecsSinceEpoch();
}

qint64 currentTimeMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace pitchey
