#include "Messenger.h"

#include "controllers/SessionController.h"

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QQuickStyle>
#include <QStandardPaths>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(u"Pitchey"_s);
    QGuiApplication::setApplicationName(u"Pitchey Messenger"_s);
    QGuiApplication::setApplicationVersion(QStringLiteral(PITCHEY_VERSION));
    QGuiApplication::setDesktopFileName(u"pitchey-messenger"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Pitchey Messenger, a desktop client for pitchey-server."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(
        u"server"_s, u"The server to use, e.g. http://127.0.0.1:8000 (remembered otherwise)."_s,
        u"URL"_s);
    parser.addOption(serverOption);
    parser.process(app);

    QUrl server;
    if (parser.isSet(serverOption)) {
        const auto url = pitchey::client::SessionController::parseServerUrl(parser.value(serverOption));
        if (!url) {
            std::fprintf(stderr, "pitchey-messenger: --server: not an http(s) URL: %s\n",
                         qPrintable(parser.value(serverOption)));
            return 2;
        }
        server = *url;
    }

    // Fusion follows the platform's palette, light or dark.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(u"Fusion"_s);

    pitchey::app::Messenger messenger(
        {server, u"Pitchey Messenger"_s,
         QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)});
    QObject::connect(&app, &QGuiApplication::applicationStateChanged, &messenger.chat(),
                     [&messenger](Qt::ApplicationState state) {
                         messenger.chat().setWindowActive(state == Qt::ApplicationActive);
                     });
    if (!messenger.load())
        return 1;
    return QGuiApplication::exec();
}
