#pragma once

// A real SMTP server on 127.0.0.1 for the email tests: Debian's python3-aiosmtpd keeping
// what it receives in a maildir (or tests/support/smtp_server.py, with STARTTLS and a
// login), and the mails read back.
#include <QList>
#include <QProcess>
#include <QTemporaryDir>

namespace pitchey::testing {

[[nodiscard]] quint16 freePort();

struct Mail
{
    QByteArray raw;
    QString to;
    QString subject;
    QString text;
    QString html;
    QString unsubscribe;
};

class SmtpServer
{
public:
    explicit SmtpServer(quint16 port)
        : m_port(port)
    {}
    ~SmtpServer() { stop(); }

    // secure: STARTTLS and a login required (tests/support/smtp_server.py, user "pitchey",
    // password "s3cret"), with a throwaway certificate; caFile() is what to trust.
    bool start(bool secure = false);
    // Plain, but each message takes `seconds` to be accepted.
    bool startSlow(double seconds);
    [[nodiscard]] QString caFile() const;
    void stop();
    [[nodiscard]] QList<Mail> mails() const;

private:
    bool waitUntilListening();

    quint16 m_port;
    QTemporaryDir m_dir;
    QProcess m_process;
};

} // namespace pitchey::testing
