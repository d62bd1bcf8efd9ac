#pragma once

#include "protocol/Result.h"

#include <QObject>
#include <QString>

#include <functional>

namespace pitchey::client {

// Keeps the session token in the operating system's keychain (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows) through QtKeychain. There is no
// plain-text fallback: when no keychain answers, callers get the error and the user
// decides what to do.
class TokenStore : public QObject
{
    Q_OBJECT

public:
    explicit TokenStore(QString service, QObject *parent = nullptr);

    // An empty token when none is stored for `account`.
    void read(const QString &account, QObject *context, std::function<void(Result<QString>)> done);
    void write(const QString &account, const QString &token, QObject *context,
               std::function<void(Status)> done);
    void remove(const QString &account, QObject *context, std::function<void(Status)> done);

private:
    QString m_service;
};

} // namespace pitchey::client
