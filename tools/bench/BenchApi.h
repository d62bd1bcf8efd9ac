#pragma once

#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QUrl>

#include <functional>

namespace pitchey::bench {

struct Account
{
    qint64 id = 0;
    QByteArray token;
};

// The HTTP calls that set a scenario up (users, conversations), many in flight at once.
class BenchApi
{
public:
    explicit BenchApi(QUrl base)
        : m_base(std::move(base))
    {}

    // Registers `count` users named prefix0..prefixN (or logs them in if they exist).
    QList<Account> accounts(const QString &prefix, int count, const QByteArray &password);
    // Creates one conversation per list of members (first member creates it); ids in order.
    QList<qint64> conversations(const QList<QList<Account>> &groups);

    struct Reply
    {
        int status = 0;
        QJsonObject body;
    };
    // Runs `count` requests with at most `inFlight` at once; make(i) builds request i.
    // Once `stop` says so, no new request starts and runMany returns when the rest are done.
    void runMany(int count, int inFlight,
                 const std::function<QNetworkReply *(QNetworkAccessManager &, int)> &make,
                 const std::function<void(int, const Reply &)> &done,
                 const std::function<bool()> &stop = {});
    [[nodiscard]] QUrl url(const QString &path) const;

private:
    // Registration or setup failed: says so and exits with status 2.
    [[noreturn]] void giveUp(const QString &what) const;

    QUrl m_base;
    QNetworkAccessManager m_nam;
};

} // namespace pitchey::bench
