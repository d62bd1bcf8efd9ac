#pragma once

#include "rest/Router.h"

namespace pitchey::server {

class DbWorker;

// A user's notifications and their preferences, and the signed unsubscribe link of email
// digests.
class NotificationHandlers : public QObject
{
    Q_OBJECT

public:
    // `secret` signs the unsubscribe links.
    NotificationHandlers(DbWorker &db, const QByteArray &secret, QObject *parent = nullptr);

    [[nodiscard]] QList<Route> routes();

Q_SIGNALS:
    void preferencesChanged(qint64 userId);

private:
    void getPreferences(const Call &call);
    void putPreferences(const Call &call);
    void list(const Call &call);
    void markRead(const Call &call);
    void unsubscribe(const Call &call);

    DbWorker &m_db;
    const QByteArray &m_secret;
};

} // namespace pitchey::server
