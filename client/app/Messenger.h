#pragma once

#include "controllers/ChatController.h"
#include "controllers/NotificationCenter.h"
#include "controllers/SessionController.h"
#include "controllers/SettingsController.h"
#include "net/ApiClient.h"
#include "net/MediaCache.h"
#include "net/RealtimeConnection.h"
#include "store/TokenStore.h"

#include <QDir>
#include <QObject>
#include <QQmlApplicationEngine>
#include <QStandardPaths>
#include <QUrl>

class QFileDialog;

namespace pitchey::app {

// The whole messenger: client_core's parts wired together and the QML loaded. main()
// parses the command line and builds one; tests build one too, against a test server.
class Messenger : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QUrl server; // --server: takes the place of the remembered one
        QString keychainService = QStringLiteral("Pitchey Messenger");
        QString cacheDir; // where each account's local database lives
    };

    explicit Messenger(Options options, QObject *parent = nullptr);
    ~Messenger() override;

    // Loads Main.qml; false when it could not be loaded.
    bool load();

    QQmlApplicationEngine &engine() { return m_engine; }
    client::SessionController &session() { return m_session; }
    client::ChatController &chat() { return m_chat; }
    client::SettingsController &settings() { return m_settings; }
    client::NotificationCenter &notifications() { return m_notifications; }
    client::RealtimeConnection &connection() { return m_connection; }

Q_SIGNALS:
    // Quit from the tray's menu (main() ends the event loop).
    void quitRequested();

private:
    // The attach button's file dialog (Qt Widgets'; the platform's own where there is one).
    void chooseFiles(std::function<void(const QList<QUrl> &)> chosen);
    // "Save as": the path chosen for `filename`, if any.
    void askWhereToSave(const QString &filename, std::function<void(const QString &)> then);
    void showOverWindow(QFileDialog *dialog);

    Options m_options;
    QString m_lastFolder = QDir::homePath(); // where the file dialogs open
    QString m_saveFolder = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    client::ApiClient m_api;
    client::TokenStore m_tokens;
    client::RealtimeConnection m_connection;
    client::SessionController m_session;
    client::MediaCache m_media;
    client::ChatController m_chat;
    client::SettingsController m_settings;
    client::NotificationCenter m_notifications;
    QQmlApplicationEngine m_engine;
};

} // namespace pitchey::app
