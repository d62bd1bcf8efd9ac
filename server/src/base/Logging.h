#pragma once

#include <QtGlobal>

namespace pitchey::server {

// Log lines go to stderr. Under systemd (JOURNAL_STREAM is set) each starts with its syslog
// priority, "<6>pitchey.server: listening ...", which journald turns into the entry's level;
// elsewhere with a time stamp and the level's name. QT_MESSAGE_PATTERN, when set, wins.
void setupLogging();
// Shows messages of `level` and above from every category (QT_LOGGING_RULES still wins).
void setLogLevel(QtMsgType level);

} // namespace pitchey::server
