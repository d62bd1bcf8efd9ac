#pragma once

#include "notify/SmtpMailer.h"
#include "protocol/Time.h"
#include "storage/EmailRepository.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace pitchey::server {

class DbWorker;

struct EmailSettings
{
    SmtpSettings smtp;
    QString publicUrl;           // links in emails; the server's own URL if empty
    int batchSeconds = 60;       // how often digests are put together
    qint64 minuteMs = 60'000;    // what emailDelayMinutes counts in (tests shorten it)
    qint64 retryBaseMs = 30'000; // first retry after an SMTP failure; doubles, at most 1 h
    QByteArray secret;           // signs unsubscribe links
    // Milliseconds since the epoch, read on the main and the mailer thread (tests move it).
    std::function<qint64()> clock = currentTimeMs;
};

// Email digests for users who are away. Every batchSeconds it turns unread notifications of
// offline users into at most one digest each (EmailRepository::queueDigests), in the
// database's outbox. A thread of its own sends the outbox over SMTP (SmtpMailer, blocking
// libcurl), marks what was sent, and retries failures with exponential backoff; a restart
// resumes the outbox. Notifications that arrive while a user is connected are never
// emailed: a connection, first or last, sets them aside.
class EmailService : public QObject
{
    Q_OBJECT

public:
    EmailService(DbWorker &db, std::function<QSet<qint64>()> onlineUsers, EmailSettings settings,
                 QObject *parent = nullptr);
    ~EmailService() override;

    void start();
    void userPresenceChanged(qint64 userId);
    // One batch pass outside the timer, then a look at the outbox (tests, admin).
    void checkNow();

    [[nodiscard]] static QByteArray unsubscribeSignature(const QByteArray &secret, qint64 userId);
    [[nodiscard]] QString unsubscribeUrl(qint64 userId) const;
    // Writes a user's digest, with its links (safe on a database thread).
    [[nodiscard]] EmailRepository::Compose composer() const;

Q_SIGNALS:
    // A batch pass is done: `queued` digests went into the outbox (-1: the pass failed).
    void batchPassed(int queued);
    // The mailer has looked at the outbox since the last batch pass (or checkNow()), sent
    // or failed what was due, and found nothing more: what a pass queued has been tried.
    void outboxSettled();

private:
    void mailerLoop();
    void kick();

    DbWorker &m_db;
    std::function<QSet<qint64>()> m_onlineUsers;
    EmailSettings m_settings;
    SmtpMailer m_mailer;
    QTimer m_batchTimer;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_kicked = false;
};

} // namespace pitchey::server
