#include "auth/PasswordHasher.h"

#include <QtConcurrent/QtConcurrentRun>

#include <sodium.h>

namespace pitchey::server {

PasswordHasher::PasswordHasher(Cost cost)
    : m_opsLimit(cost == Cost::Interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE
                                           : crypto_pwhash_OPSLIMIT_MIN)
    , m_memLimit(cost == Cost::Interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE
                                           : crypto_pwhash_MEMLIMIT_MIN)
{
    if (sodium_init() < 0)
        qFatal("libsodium could not be initialised");
    m_pool.setMaxThreadCount(2);
    m_dummyHash = hash(QStringLiteral("timing-equaliser"));
}

QByteArray PasswordHasher::hash(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    QByteArray out(crypto_pwhash_STRBYTES, '\0');
    if (crypto_pwhash_str_alg(out.data(), utf8.constData(), quint64(utf8.size()), m_opsLimit,
                              m_memLimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return {};
    out.truncate(qsizetype(qstrlen(out.constData())));
    return out;
}

bool PasswordHasher::verify(const QByteArray &hash, const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    const QByteArray stored = hash.isEmpty() ? m_dummyHash : hash;
    const bool match =
        crypto_pwhash_str_verify(stored.constData(), utf8.constData(), quint64(utf8.size())) == 0;
    return match && !hash.isEmpty();
}

QFuture<QByteArray> PasswordHasher::hashAsync(const QString &password)
{
    return QtConcurrent::run(&m_pool, [this, password] { return hash(password); });
}

QFuture<bool> PasswordHasher::verifyAsync(const QByteArray &hash, const QString &password)
{
    return QtConcurrent::run(&m_pool, [this, hash, password] { return verify(hash, password); });
}

} // namespace pitchey::server
