#pragma once

#include "protocol/Result.h"

#include <QSslConfiguration>

namespace pitchey::server {

// The server side of TLS from a PEM certificate (chain) and an unencrypted RSA or EC key;
// TLS 1.2 or later, no client certificates. Errors name the file and what is wrong.
[[nodiscard]] Result<QSslConfiguration> loadTlsConfiguration(const QString &certFile,
                                                             const QString &keyFile);

} // namespace pitchey::server
