#include "SmtpServer.h"

#include "Certificates.h"

#include <QDir>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;

namespace pitchey::testing {

namespace {

QString decodePart(const QByteArray &raw, const QByteArray &type)
{
    const qsizetype at = raw.indexOf("Content-Type: " + type);
    if (at < 0)
        return {};
    const qsizetype start = raw.indexOf("\r\n\r\n", at);
    const qsizetype startLf = raw.indexOf("\n\n", at);
    const bool crlf = start >= 0 && (startLf < 0 || start < startLf);
    const qsizetype body = crlf ? start + 4 : startLf + 2;
    const qsizetype end = raw.indexOf("--pitchey-", body);
    QByteArray encoded = raw.mid(body, end - body);
    encoded.replace("\r", "").replace("\n", "");
    return QString::fromUtf8(QByteArray::fromBase64(encoded));
}

QString header(const QByteArray &raw, const char *name)
{
    const QRegularExpression line(u"^%1: (.*)$"_s.arg(QLatin1StringView(name)),
                                  QRegularExpression::MultilineOption);
    return line.match(QString::fromUtf8(raw)).captured(1).trimmed();
}

} // namespace

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool SmtpServer::start(bool secure)
{
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    if (secure) {
        if (!makeSelfSignedCertificate(m_dir.path(), u"IP:127.0.0.1"_s))
            return false;
        m_process.start(u"/usr/bin/python3"_s,
                        {QStringLiteral(PITCHEY_SOURCE_DIR "/tests/support/smtp_server.py"),
                         QString::number(m_port), m_dir.path() + "/maildir"_L1, caFile(),
                         m_dir.path() + "/key.pem"_L1, u"pitchey"_s, u"s3cret"_s});
    } else {
        m_process.start(u"/usr/bin/python3"_s,
                        {u"-m"_s, u"aiosmtpd"_s, u"-n"_s, u"-l"_s, u"127.0.0.1:%1"_s.arg(m_port),
                         u"-c"_s, u"aiosmtpd.handlers.Mailbox"_s, m_dir.path() + "/maildir"_L1});
    }
    if (!m_process.waitForStarted())
        return false;
    return waitUntilListening();
}

bool SmtpServer::waitUntilListening()
{
    for (int i = 0; i < 100; ++i) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(100))
            return true;
        QTest::qWait(50);
    }
    return false;
}

bool SmtpServer::startSlow(double seconds)
{
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(u"/usr/bin/python3"_s,
                    {QStringLiteral(PITCHEY_SOURCE_DIR "/tests/support/smtp_server.py"),
                     u"--slow"_s, QString::number(seconds), QString::number(m_port),
                     m_dir.path() + "/maildir"_L1});
    if (!m_process.waitForStarted())
        return false;
    return waitUntilListening();
}

QString SmtpServer::caFile() const
{
    return m_dir.path() + "/cert.pem"_L1;
}

void SmtpServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    m_process.waitForFinished(5000);
}

QList<Mail> SmtpServer::mails() const
{
    QList<Mail> mails;
    for (const char *sub : {"new", "cur"}) {
        QDir dir(m_dir.path() + "/maildir/"_L1 + QLatin1StringView(sub));
        const auto files = dir.entryInfoList(QDir::Files, QDir::Name);
        for (const QFileInfo &info : files) {
            QFile file(info.filePath());
            if (!file.open(QIODevice::ReadOnly))
                continue;
            Mail mail;
            mail.raw = file.readAll();
            mail.to = header(mail.raw, "To");
            mail.subject = header(mail.raw, "Subject");
            mail.unsubscribe = header(mail.raw, "List-Unsubscribe").remove(u'<').remove(u'>');
            mail.text = decodePart(mail.raw, "text/plain");
            mail.html = decodePart(mail.raw, "text/html");
            mails.append(mail);
        }
    }
    return mails;
}

} // namespace pitchey::testing
