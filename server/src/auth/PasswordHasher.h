#pragma once

#include <QByteArray>
#include <QFuture>
#include <QString>
#include <QThreadPool>

namespace pitchey::server {

// Argon2id (libsodium) password hashes. Hashing is deliberately slow and memory-hard, so
// it runs on a small pool of its own and never on a socket or database thread.
class PasswordHasher
{
public:
    enum class Cost
    {
        Interactive,
        Minimal
    }; // Minimal: for tests and benchmarks only

    explicit PasswordHasher(Cost cost = Cost::Interactive);

    [[nodiscard]] QByteArray hash(const QString &password) const; // empty on failure
    [[nodiscard]] bool verify(const QByteArray &hash, const QString &password) const;

    [[nodiscard]] QFuture<QByteArray> hashAsync(const QString &password);
    // With an empty hash it still does the work of one verification, so that an unknown
    // username takes as long as a wrong password.
    [[nodiscard]] QFuture<bool> verifyAsync(const QByteArray &hash, const QString &password);

private:
    unsigned long long m_opsLimit;
    size_t m_memLimit;
    QByteArray m_dummyHash;
    QThreadPool m_pool;
};

} // namespace pitchey::server
