#pragma once

#include "protocol/Result.h"

#include <QByteArray>
#include <QString>

namespace pitchey::server {

struct SmtpSettings
{
    QString url;      // smtp://host:587 (STARTTLS when offered), smtps://host:465
    QString user;     // optional
    QString password; // from SMTP_PASSWORD only
    QString from;     // "Pitchey <noreply@example.org>" or an address
    QString caFile;   // extra trusted certificates (PEM), optional
};

// Sends one message with libcurl. Blocking: call it from a worker thread, never from an
// event loop. TLS is used when the URL says smtps, and STARTTLS is attempted (and required
// when a user is set, so that a password never travels in the clear) with smtp.
class SmtpMailer
{
public:
    explicit SmtpMailer(SmtpSettings settings);
    [[nodiscard]] Status send(const QString &to, const QByteArray &message) const;
    [[nodiscard]] static QString addressOf(const QString &mailbox); // "Name <a@b>" -> a@b

private:
    SmtpSettings m_settings;
};

} // namespace pitchey::server
