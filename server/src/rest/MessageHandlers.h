#pragma once

#include "rest/Router.h"

namespace pitchey::server {

class DbWorker;
class MessageService;

// One message's routes (contract v2): edit or delete it, read its versions, react to it,
// follow its thread.
class MessageHandlers : public QObject
{
    Q_OBJECT

public:
    MessageHandlers(DbWorker &db, MessageService &messages, QObject *parent = nullptr);

    [[nodiscard]] QList<Route> routes();

private:
    void edit(const Call &call);
    void remove(const Call &call);
    void versions(const Call &call);
    void react(const Call &call, bool on);
    void follow(const Call &call, bool following);

    DbWorker &m_db;
    MessageService &m_messages;
};

} // namespace pitchey::server
