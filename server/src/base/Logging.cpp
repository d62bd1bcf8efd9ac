#include "base/Logging.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;

namespace pitchey::server {

void setupLogging()
{
    if (!qEnvironmentVariableIsEmpty("QT_MESSAGE_PATTERN"))
        return;
    if (!qEnvironmentVariableIsEmpty("JOURNAL_STREAM")) {
        qSetMessagePattern(u"%{if-debug}<7>%{endif}%{if-info}<6>%{endif}%{if-warning}<4>%{endif}"
                           "%{if-critical}<3>%{endif}%{if-fatal}<2>%{endif}"
                           "%{category}: %{message}"_s);
    } else {
        qSetMessagePattern(u"%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category}: %{message}"_s);
    }
}

void setLogLevel(QtMsgType level)
{
    switch (level) {
    case QtDebugMsg:
        QLoggingCategory::setFilterRules(u"pitchey.*.debug=true"_s);
        break;
    case QtInfoMsg:
        QLoggingCategory::setFilterRules(QString());
        break;
    case QtWarningMsg:
        QLoggingCategory::setFilterRules(u"*.debug=false\n*.info=false"_s);
        break;
    default:
        QLoggingCategory::setFilterRules(u"*.debug=false\n*.info=false\n*.warning=false"_s);
        break;
    }
}

} // namespace pitchey::server
