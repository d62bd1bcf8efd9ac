#include "notify/EmailService.h"

#include "base/Async.h"
#include "notify/EmailComposer.h"
#include "protocol/Time.h"
#include "storage/DbWorker.h"
#include "storage/EmailRepository.h"

#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>

#include <sodium.h>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcEmail, "pitchey.server.email", QtInfoMsg)

namespace pitchey::server {

EmailService::EmailService(DbWorker &db, std::function<QSet<qint64>()> onlineUsers,
                           EmailSettings settings, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_onlineUsers(std::move(onlineUsers))
    , m_settings(std::move(settings))
    , m_mailer(m_settings.smtp)
{
    m_batchTimer.setInterval(std::max(1, m_settings.batchSeconds) * 1000);
    connect(&m_batchTimer, &QTimer::timeout, this, &EmailService::checkNow);
}

EmailService::~EmailService()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void EmailService::start()
{
    m_batchTimer.start();
    m_thread = std::thread([this] { mailerLoop(); });
    qCInfo(lcEmail).noquote() << "email digests on: every" << m_settings.batchSeconds << "s through"
                              << QUrl(m_settings.smtp.url).host();
}

QByteArray EmailService::unsubscribeSignature(const QByteArray &secret, qint64 userId)
{
    const QByteArray message = "unsubscribe:" + QByteArray::number(userId);
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES] = {};
    crypto_generichash(key, sizeof key, reinterpret_cast<const unsigned char *>(secret.constData()),
                       size_t(secret.size()), nullptr, 0);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char *>(message.constData()),
                           size_t(message.size()), key);
    return QByteArray(reinterpret_cast<const char *>(mac), sizeof mac)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QString EmailService::unsubscribeUrl(qint64 userId) const
{
    QUrl url(m_settings.publicUrl);
    url.setPath(url.path() + "/api/notifications/unsubscribe"_L1);
    url.setQuery(QUrlQuery{
        {u"user"_s, QString::number(userId)},
        {u"sig"_s, QString::fromLatin1(unsubscribeSignature(m_settings.secret, userId))}});
    return url.toString();
}

void EmailService::userPresenceChanged(qint64 userId)
{
    (void)m_db.submit<Done>(
        [userId](QSqlDatabase &db) { return EmailRepository::skipPending(db, userId); });
}

EmailRepository::Compose EmailService::composer() const
{
    return [this, open = m_settings.publicUrl](qint64 userId, const QString &name,
                                               const QList<DigestConversation> &conversations) {
        return composeDigest(name, conversations, DigestLinks{open, unsubscribeUrl(userId)});
    };
}

void EmailService::checkNow()
{
    EmailRepository::BatchRules rules;
    rules.now = m_settings.clock();
    rules.minuteMs = m_settings.minuteMs;
    rules.online = m_onlineUsers();
    rules.compose = composer();
    auto queued = m_db.submit<int>(
        [rules](QSqlDatabase &db) { return EmailRepository::queueDigests(db, rules); });
    // The mailer thread looks at the outbox once this job is done: the queue keeps order.
    whenReady(queued, this, [this](const Result<int> &count) {
        if (count.ok() && count.value() > 0)
            qCInfo(lcEmail) << "queued" << count.value() << "digest(s)";
        kick();
        Q_EMIT batchPassed(count.ok() ? count.value() : -1);
    });
}

void EmailService::kick()
{
    {
        std::lock_guard lock(m_mutex);
        m_kicked = true;
    }
    m_wake.notify_all();
}

void EmailService::mailerLoop()
{
    bool lookedSinceKick = false; // since the last kick(): a look that began after it
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            if (m_stopping)
                return;
            lookedSinceKick = std::exchange(m_kicked, false) || lookedSinceKick;
        }
        const qint64 now = m_settings.clock();
        const qint64 lease = now + 10 * m_settings.retryBaseMs; // 5 minutes by default
        auto due = m_db.submit<std::optional<EmailRepository::OutboxEmail>>(
                           [now, lease, compose = composer()](QSqlDatabase &db) {
                               return EmailRepository::nextDue(db, now, lease, compose);
                           })
                       .result();
        if (!due.ok() || !due.value()) {
            if (std::exchange(lookedSinceKick, false))
                QMetaObject::invokeMethod(this, &EmailService::outboxSettled, Qt::QueuedConnection);
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::seconds(1),
                            [this] { return m_stopping || m_kicked; });
            continue;
        }
        const EmailRepository::OutboxEmail email = *due.value();
        const QByteArray message = mimeMessage(
            m_settings.smtp.from, email.recipient, email.email, unsubscribeUrl(email.userId),
            QUrl(m_settings.publicUrl).host().isEmpty() ? u"pitchey.invalid"_s
                                                        : QUrl(m_settings.publicUrl).host());
        const Status sent = m_mailer.send(email.recipient, message);
        if (sent.ok()) {
            qCInfo(lcEmail) << "sent digest" << email.id << "to user" << email.userId;
            (void)m_db
                .submit<Done>([id = email.id, now = m_settings.clock()](QSqlDatabase &db) {
                    return EmailRepository::markSent(db, id, now);
                })
                .result();
            continue;
        }
        const qint64 backoff =
            std::min<qint64>(m_settings.retryBaseMs << std::min(email.attempts, 20), 3'600'000);
        qCWarning(lcEmail).noquote() << "digest" << email.id << "not sent, retry in"
                                     << backoff / 1000.0 << "s:" << sent.error().message;
        (void)m_db
            .submit<Done>([id = email.id, retryAt = m_settings.clock() + backoff,
                           why = sent.error().message](QSqlDatabase &db) {
                return EmailRepository::markFailed(db, id, retryAt, why);
            })
            .result();
    }
}

} // namespace pitchey::server
