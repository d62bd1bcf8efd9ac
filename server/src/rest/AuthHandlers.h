#pragma once

#include "rest/Router.h"

namespace pitchey::server {

class ConnectionRegistry;
struct Credentials;
class DbWorker;
class PasswordHasher;

// POST /api/auth/register and /api/auth/login: a token for an account.
class AuthHandlers : public QObject
{
    Q_OBJECT

public:
    AuthHandlers(const JwtService &jwt, PasswordHasher &hasher, DbWorker &db,
                 const ConnectionRegistry &registry, QObject *parent = nullptr);

    [[nodiscard]] QList<Route> routes();

private:
    void registerUser(const Call &call);
    void login(const Call &call);
    [[nodiscard]] QJsonObject tokenAnswer(const Credentials &credentials) const;

    const JwtService &m_jwt;
    PasswordHasher &m_hasher;
    DbWorker &m_db;
    const ConnectionRegistry &m_registry;
};

} // namespace pitchey::server
