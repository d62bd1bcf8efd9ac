#include "Messenger.h"

#include "QmlTypes.h"

#include <QQmlContext>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(PitcheyPlugin)

using namespace Qt::StringLiterals;

namespace pitchey::app {

Messenger::Messenger(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_tokens(m_options.keychainService)
    , m_session(m_api, m_tokens)
    , m_chat(m_api, m_connection)
{
    connect(&m_session, &client::SessionController::loggedIn, this,
            [this] { m_chat.start(m_session.session(), m_options.cacheDir); });
    connect(&m_session, &client::SessionController::loggedOut, this, [this] { m_chat.stop(); });
    // A token the server no longer accepts ends the session, wherever that shows first.
    connect(&m_api, &client::ApiClient::unauthorized, &m_session,
            &client::SessionController::expire);
    connect(&m_connection, &client::RealtimeConnection::unauthorized, &m_session,
            &client::SessionController::expire);

    qml::SessionForeign::instance = &m_session;
    qml::ChatForeign::instance = &m_chat;
}

Messenger::~Messenger()
{
    // QML goes first: its bindings read the controllers.
    const auto objects = m_engine.rootObjects();
    for (QObject *root : objects)
        delete root;
    m_chat.stop();
    qml::SessionForeign::instance = nullptr;
    qml::ChatForeign::instance = nullptr;
}

bool Messenger::load()
{
    m_session.restore(m_options.server);
    // Qt 6.4 does not look in the resource prefix that qt_add_qml_module uses (6.5 does).
    m_engine.addImportPath(u"qrc:/qt/qml"_s);
    m_engine.load(QUrl(u"qrc:/qt/qml/Pitchey/Main.qml"_s));
    return !m_engine.rootObjects().isEmpty();
}

} // namespace pitchey::app
