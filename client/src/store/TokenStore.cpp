#include "store/TokenStore.h"

#include <qt6keychain/keychain.h>

#include <QPointer>

using namespace Qt::StringLiterals;

namespace pitchey::client {

namespace {

Error keychainError(const QKeychain::Job *job)
{
    return Error::internal(u"The system keychain is not available: %1"_s.arg(job->errorString()));
}

// A job has no parent: the keychain backend (libsecret) calls it back when it is done, so
// it must outlive whoever started it (a messenger that quits, a store destroyed on logout);
// it deletes itself once finished, and `context` gone, nobody hears of it.
template<typename Job, typename F> void run(Job *job, QObject *context, F onFinished)
{
    job->setAutoDelete(true);
    QObject::connect(job, &QKeychain::Job::finished, context,
                     [onFinished = std::move(onFinished)](QKeychain::Job *finished) {
                         onFinished(static_cast<Job *>(finished));
                     });
    job->start();
}

} // namespace

TokenStore::TokenStore(QString service, QObject *parent)
    : QObject(parent)
    , m_service(std::move(service))
{}

void TokenStore::read(const QString &account, QObject *context,
                      std::function<void(Result<QString>)> done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(account);
    run(job, context, [done = std::move(done)](QKeychain::ReadPasswordJob *finished) {
        if (finished->error() == QKeychain::EntryNotFound)
            return done(QString());
        if (finished->error() != QKeychain::NoError)
            return done(keychainError(finished));
        done(finished->textData());
    });
}

void TokenStore::write(const QString &account, const QString &token, QObject *context,
                       std::function<void(Status)> done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(account);
    job->setTextData(token);
    run(job, context, [done = std::move(done)](QKeychain::WritePasswordJob *finished) {
        if (finished->error() != QKeychain::NoError)
            return done(keychainError(finished));
        done(Done{});
    });
}

void TokenStore::remove(const QString &account, QObject *context, std::function<void(Status)> done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(account);
    run(job, context, [done = std::move(done)](QKeychain::DeletePasswordJob *finished) {
        if (finished->error() != QKeychain::NoError &&
            finished->error() != QKeychain::EntryNotFound)
            return done(keychainError(finished));
        done(Done{});
    });
}

} // namespace pitchey::client
