#pragma once

#include "rest/Router.h"

namespace pitchey::server {

class ConnectionRegistry;
class DbWorker;

// The user directory: GET /api/users?search=
class UserHandlers : public QObject
{
    Q_OBJECT

public:
    UserHandlers(DbWorker &db, const ConnectionRegistry &registry, QObject *parent = nullptr);

    [[nodiscard]] QList<Route> routes();

private:
    void search(const Call &call);

    DbWorker &m_db;
    const ConnectionRegistry &m_registry;
};

} // namespace pitchey::server
