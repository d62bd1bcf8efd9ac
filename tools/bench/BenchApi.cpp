#include "BenchApi.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace pitchey::bench {

QUrl BenchApi::url(const QString &path) const
{
    QUrl url = m_base;
    url.setPath(path);
    return url;
}

void BenchApi::runMany(int count, int inFlight,
                       const std::function<QNetworkReply *(QNetworkAccessManager &, int)> &make,
                       const std::function<void(int, const Reply &)> &done,
                       const std::function<bool()> &stop)
{
    QEventLoop loop;
    int next = 0;
    int finished = 0;
    std::function<void()> launch = [&] {
        if (stop && stop())
            count = next; // start nothing more
        while (next < count && next - finished < inFlight) {
            const int index = next++;
            QNetworkReply *reply = make(m_nam, index);
            QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, index] {
                Reply result;
                result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                result.body = QJsonDocument::fromJson(reply->readAll()).object();
                reply->deleteLater();
                done(index, result);
                ++finished;
                if (stop && stop())
                    count = next;
                if (finished == count)
                    loop.quit();
                else
                    launch();
            });
        }
    };
    if (count == 0)
        return;
    launch();
    loop.exec();
}

QList<Account> BenchApi::accounts(const QString &prefix, int count, const QByteArray &password)
{
    QList<Account> result(count);
    auto post = [this](QNetworkAccessManager &nam, const QString &path, const QJsonObject &body) {
        QNetworkRequest request(url(path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
        return nam.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    };
    auto body = [&](int i) {
        return QJsonObject{{"username"_L1, prefix + QString::number(i)},
                           {"password"_L1, QString::fromLatin1(password)}};
    };
    QList<int> retry;
    runMany(
        count, 32,
        [&](QNetworkAccessManager &nam, int i) {
            return post(nam, u"/api/auth/register"_s, body(i));
        },
        [&](int i, const Reply &reply) {
            if (reply.status == 201) {
                result[i] = {reply.body.value("user"_L1).toObject().value("id"_L1).toInteger(),
                             reply.body.value("token"_L1).toString().toLatin1()};
            } else {
                retry.append(i); // taken by an earlier run: log in instead
            }
        });
    runMany(
        int(retry.size()), 32,
        [&](QNetworkAccessManager &nam, int k) {
            return post(nam, u"/api/auth/login"_s, body(retry.at(k)));
        },
        [&](int k, const Reply &reply) {
            if (reply.status == 200)
                result[retry.at(k)] = {
                    reply.body.value("user"_L1).toObject().value("id"_L1).toInteger(),
                    reply.body.value("token"_L1).toString().toLatin1()};
            else
                qWarning("login of %s%d failed with %d", qPrintable(prefix), retry.at(k),
                         reply.status);
        });
    const auto failed = std::count_if(result.begin(), result.end(), [](const Account &account) {
        return account.token.isEmpty();
    });
    if (failed > 0)
        giveUp(u"%1 of %2 users could not register or log in"_s.arg(failed).arg(count));
    return result;
}

void BenchApi::giveUp(const QString &what) const
{
    std::fprintf(stderr, "pitchey-bench: %s at %s; stopping\n", qPrintable(what),
                 qPrintable(m_base.toString()));
    std::exit(2);
}

QList<qint64> BenchApi::conversations(const QList<QList<Account>> &groups)
{
    QList<qint64> ids(groups.size());
    runMany(
        int(groups.size()), 32,
        [&](QNetworkAccessManager &nam, int i) {
            QJsonArray members;
            for (const Account &account : groups.at(i).mid(1))
                members.append(account.id);
            QNetworkRequest request(url(u"/api/messages/conversations"_s));
            request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json"_ba);
            request.setRawHeader("Authorization", "Bearer " + groups.at(i).constFirst().token);
            QJsonObject body{{"participantIds"_L1, members}};
            if (groups.at(i).size() > 2)
                body.insert("title"_L1, u"bench group %1"_s.arg(i));
            return nam.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        },
        [&](int i, const Reply &reply) {
            ids[i] = reply.body.value("conversation"_L1).toObject().value("id"_L1).toInteger();
            if (ids[i] == 0)
                qWarning("conversation %d failed with %d", i, reply.status);
        });
    if (ids.contains(0))
        giveUp(u"%1 of %2 conversations could not be created"_s.arg(ids.count(0)).arg(ids.size()));
    return ids;
}

} // namespace pitchey::bench
