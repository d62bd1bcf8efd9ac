#pragma once

#include "rest/Router.h"

namespace pitchey::server {

class ConnectionRegistry;
class DbWorker;
class MessageService;
class ParticipantCache;

// The conversations and their messages: list and create conversations, read history, send.
class ConversationHandlers : public QObject
{
    Q_OBJECT

public:
    ConversationHandlers(DbWorker &db, const ConnectionRegistry &registry,
                         ParticipantCache &participants, MessageService &messages,
                         QObject *parent = nullptr);

    [[nodiscard]] QList<Route> routes();

private:
    void list(const Call &call);
    void create(const Call &call);
    void history(const Call &call);
    void changes(const Call &call);
    void send(const Call &call);
    // Marks who is online, and tells the participant cache who is in it.
    void prepare(Conversation &conversation) const;

    DbWorker &m_db;
    const ConnectionRegistry &m_registry;
    ParticipantCache &m_participants;
    MessageService &m_messages;
};

} // namespace pitchey::server
