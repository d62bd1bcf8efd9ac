#include "protocol/Time.h"

#include <QDateTime>
#include <QTimeZone>

#include <chrono>

using namespace Qt::StringLiterals;

namespace pitchey {

QString toIsoTime(qint64 msecsSinceEpoch)
{
    return QString::fromLatin1(toIsoTimeLatin1(msecsSinceEpoch));
}

QByteArray toIsoTimeLatin1(qint64 msecsSinceEpoch)
{
    // Written out by hand for the years 1970-9999 (every time the server makes): this runs
    // for every receipt, and QDateTime's formatting was a visible cost of the main thread.
    using namespace std::chrono;
    constexpr qint64 kYear10000 = 253402300800000; // 10000-01-01T00:00:00Z
    if (msecsSinceEpoch < 0 || msecsSinceEpoch >= kYear10000) {
        return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, QTimeZone::utc())
            .toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s)
            .toLatin1();
    }
    const sys_time<milliseconds> time{milliseconds(msecsSinceEpoch)};
    const sys_days day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss<milliseconds> clock{time - day};
    char text[25];
    const auto put = [&text](int at, unsigned value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10)
            text[at + i] = char('0' + value % 10);
    };
    put(0, unsigned(int(date.year())), 4);
    text[4] = '-';
    put(5, unsigned(date.month()), 2);
    text[7] = '-';
    put(8, unsigned(date.day()), 2);
    text[10] = 'T';
    put(11, unsigned(clock.hours().count()), 2);
    text[13] = ':';
    put(14, unsigned(clock.minutes().count()), 2);
    text[16] = ':';
    put(17, unsigned(clock.seconds().count()), 2);
    text[19] = '.';
    put(20, unsigned(clock.subseconds().count()), 3);
    text[23] = 'Z';
    return QByteArray(text, 24);
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
