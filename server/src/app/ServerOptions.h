#pragma once

#include "app/ServerConfig.h"
#include "protocol/Result.h"

#include <QString>

#include <span>

namespace pitchey::server {

// One setting of the server: a command-line option, an environment variable and a key of
// the INI file, and how its text becomes part of the configuration.
struct ServerOption
{
    const char *name; // the option without "--", and the INI key
    const char *environment;
    const char *valueName;
    const char *description;
    // Checks the text and writes it into the configuration; the error names the option.
    // Null for what ServerConfigLoader::load() reads itself: config, data-dir, database.
    Status (*apply)(const QString &name, const QString &text, ServerConfig &config);
};

// Every setting, in the order of --help. docs/operations.md and packaging/server.conf
// mirror it.
[[nodiscard]] std::span<const ServerOption> serverOptions();

} // namespace pitchey::server
