#include "Messenger.h"

#include "FreedesktopNotifier.h"
#include "MediaImageProvider.h"
#include "QmlTypes.h"
#include "TrayNotifier.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QWindow>

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
    , m_media(m_api)
    , m_chat(m_api, m_connection)
    , m_settings(m_api)
    , m_notifications(m_chat, m_settings)
{
    m_media.setRoot(QDir(m_options.cacheDir).filePath(u"media"_s));
    m_chat.setMedia(&m_media, [](const QUrl &file) { return QDesktopServices::openUrl(file); });
    m_chat.setSaveDialog(
        [this](const QString &filename, std::function<void(const QString &)> then) {
            askWhereToSave(filename, std::move(then));
        });
    const auto choose = [this](std::function<void(const QList<QUrl> &)> chosen) {
        chooseFiles(std::move(chosen));
    };
    m_chat.files()->setChooser(choose);
    m_chat.threadFiles()->setChooser(choose);
    connect(&m_session, &client::SessionController::loggedIn, this, [this] {
        m_chat.start(m_session.session(), m_options.cacheDir);
        m_settings.reload();
    });
    connect(&m_session, &client::SessionController::loggedOut, this, [this] {
        m_chat.stop();
        m_settings.clear();
    });
    connect(&m_settings, &client::SettingsController::changed, this, [this] {
        const QList<qint64> &muted = m_settings.preferences().mutedConversationIds;
        m_chat.setMuted(QSet<qint64>(muted.cbegin(), muted.cend()));
    });
    // Settings made on another device, or while offline, are read again on reconnect.
    connect(&m_connection, &client::RealtimeConnection::stateChanged, this,
            [this](client::RealtimeConnection::State state) {
                if (state == client::RealtimeConnection::State::Connected)
                    m_settings.reload();
            });
    // A notification clicked opens its message (its thread, for a reply in one).
    const auto open = [this](qint64 conversationId, qint64 messageId) {
        if (conversationId > 0)
            m_chat.showMessage(conversationId, messageId);
        const auto roots = m_engine.rootObjects();
        if (auto *window = qobject_cast<QWindow *>(roots.value(0))) {
            window->show();
            window->raise();
            window->requestActivate();
        }
    };
    TrayNotifier *tray = TrayNotifier::available() ? new TrayNotifier(this) : nullptr;
    if (tray) {
        connect(tray, &TrayNotifier::activated, this, open);
        connect(tray, &TrayNotifier::raiseRequested, this, [open] { open(0, 0); });
        connect(tray, &TrayNotifier::quitRequested, this, &Messenger::quitRequested);
        connect(&m_chat, &client::ChatController::unreadTotalChanged, tray,
                [this, tray] { tray->setUnreadTotal(m_chat.unreadTotal()); });
        m_settings.setTrayAvailable(true);
    }
    if (FreedesktopNotifier::available()) {
        auto *notifier = new FreedesktopNotifier(this);
        notifier->setSound(m_settings.sound());
        connect(&m_settings, &client::SettingsController::deviceChanged, notifier,
                [this, notifier] { notifier->setSound(m_settings.sound()); });
        m_notifications.setPresenter(notifier);
        connect(notifier, &FreedesktopNotifier::activated, this, open);
    } else if (tray) {
        m_notifications.setPresenter(tray);
    }
    // A token the server no longer accepts ends the session, wherever that shows first.
    connect(&m_api, &client::ApiClient::unauthorized, &m_session,
            &client::SessionController::expire);
    connect(&m_connection, &client::RealtimeConnection::unauthorized, &m_session,
            &client::SessionController::expire);

    qml::SessionForeign::instance = &m_session;
    qml::ChatForeign::instance = &m_chat;
    qml::SettingsForeign::instance = &m_settings;
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
    qml::SettingsForeign::instance = nullptr;
}

void Messenger::chooseFiles(std::function<void(const QList<QUrl> &)> chosen)
{
    auto *dialog = new QFileDialog(nullptr, tr("Send files"), m_lastFolder);
    dialog->setObjectName(u"attachDialog"_s);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // filesSelected: Qt's own dialog says urlsSelected only when a platform dialog stands in.
    connect(dialog, &QFileDialog::filesSelected, this,
            [this, dialog, chosen = std::move(chosen)](const QStringList &files) {
                m_lastFolder = dialog->directory().absolutePath();
                QList<QUrl> urls;
                for (const QString &file : files)
                    urls.append(QUrl::fromLocalFile(file));
                chosen(urls);
            });
    showOverWindow(dialog);
}

void Messenger::askWhereToSave(const QString &filename, std::function<void(const QString &)> then)
{
    auto *dialog = new QFileDialog(nullptr, tr("Save %1").arg(filename),
                                   QDir(m_saveFolder).filePath(filename));
    dialog->setObjectName(u"saveDialog"_s);
    dialog->setAcceptMode(QFileDialog::AcceptSave); // asks before replacing a file
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this,
            [this, then = std::move(then)](const QString &file) {
                m_saveFolder = QFileInfo(file).absolutePath();
                then(file);
            });
    showOverWindow(dialog);
}

void Messenger::showOverWindow(QFileDialog *dialog)
{
    // Over the messenger's window, as its dialog (QML's window is no QWidget to parent it).
    dialog->winId();
    if (auto *window = qobject_cast<QWindow *>(m_engine.rootObjects().value(0)))
        dialog->windowHandle()->setTransientParent(window);
    dialog->open();
}

bool Messenger::load()
{
    m_session.restore(m_options.server);
    // Qt 6.4 does not look in the resource prefix that qt_add_qml_module uses (6.5 does).
    m_engine.addImportPath(u"qrc:/qt/qml"_s);
    m_engine.addImageProvider(u"media"_s, new MediaImageProvider(m_media));
    m_engine.load(QUrl(u"qrc:/qt/qml/Pitchey/Main.qml"_s));
    return !m_engine.rootObjects().isEmpty();
}

} // namespace pitchey::app
