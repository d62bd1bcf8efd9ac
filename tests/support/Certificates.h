#pragma once

#include <QString>

namespace pitchey::testing {

// A throwaway self-signed certificate for `altName` ("IP:127.0.0.1", "DNS:localhost"),
// valid for a day, written by openssl as cert.pem and key.pem (unencrypted) in `dir`.
// False if openssl failed.
[[nodiscard]] bool makeSelfSignedCertificate(const QString &dir, const QString &altName);

} // namespace pitchey::testing
