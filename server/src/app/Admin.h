#pragma once

#include <QStringList>

namespace pitchey::server {

// `pitchey-server admin COMMAND ...`: create-user, reset-password, migrate, check-config and
// backup, against the database the server's settings name (same options, environment and
// --config file). `arguments` is the whole command line; returns the exit status.
[[nodiscard]] int runAdmin(const QStringList &arguments);

} // namespace pitchey::server
