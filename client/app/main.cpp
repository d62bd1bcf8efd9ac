#include "AppIcon.h"
#include "Messenger.h"

#include "controllers/SessionController.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QPixmap>
#include <QQuickStyle>
#include <QRegularExpression>
#include <QStandardPaths>

#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

namespace {

struct Options
{
    QCommandLineOption server{u"server"_s,
                              u"The server to use, e.g. http://127.0.0.1:8000 (remembered "
                              "otherwise)."_s,
                              u"URL"_s};
    QCommandLineOption profile{u"profile"_s,
                               u"Keep a separate login and local data under NAME, e.g. for a "
                               "second account on this computer."_s,
                               u"NAME"_s};
};

void describe(QCoreApplication &app, QCommandLineParser &parser, const Options &options)
{
    QCoreApplication::setOrganizationName(u"Pitchey"_s);
    QCoreApplication::setApplicationName(u"Pitchey Messenger"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(PITCHEY_VERSION));
    parser.setApplicationDescription(u"Pitchey Messenger, a desktop client for pitchey-server."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(options.server);
    parser.addOption(options.profile);
    parser.process(app); // exits for --help, --version and unknown options
}

// --help and --version answer without a display.
bool onlyAsksForInformation(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"-h", "--help", "--help-all", "-v", "--version"}) {
            if (std::strcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    const Options options;
    if (onlyAsksForInformation(argc, argv)) {
        QCoreApplication app(argc, argv);
        QCommandLineParser parser;
        describe(app, parser, options);
        return 0;
    }

    QApplication app(argc, argv); // QApplication for the tray icon (Qt Widgets)
    QGuiApplication::setDesktopFileName(QLatin1StringView(pitchey::app::kAppId));
    QGuiApplication::setWindowIcon(
        QIcon::fromTheme(QLatin1StringView(pitchey::app::kAppId),
                         QIcon(QPixmap::fromImage(pitchey::app::drawAppIcon(256)))));
    QCommandLineParser parser;
    describe(app, parser, options);

    QUrl server;
    if (parser.isSet(options.server)) {
        const auto url =
            pitchey::client::SessionController::parseServerUrl(parser.value(options.server));
        if (!url) {
            std::fprintf(stderr, "pitchey-messenger: --server: not an http(s) URL: %s\n",
                         qPrintable(parser.value(options.server)));
            return 2;
        }
        server = *url;
    }
    const QString profile = parser.value(options.profile);
    if (!profile.isEmpty()) {
        static const QRegularExpression valid(u"^[A-Za-z0-9_.-]{1,32}$"_s);
        if (!valid.match(profile).hasMatch()) {
            std::fprintf(stderr, "pitchey-messenger: --profile: use 1-32 of A-Z a-z 0-9 _ . -\n");
            return 2;
        }
        // Settings, local data and the keychain entry all follow the application name.
        QGuiApplication::setApplicationName(u"Pitchey Messenger (%1)"_s.arg(profile));
    }

    // Fusion follows the platform's palette, light or dark.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(u"Fusion"_s);

    pitchey::app::Messenger messenger(
        {server, QGuiApplication::applicationName(),
         QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)});
    QObject::connect(&app, &QGuiApplication::applicationStateChanged, &messenger.chat(),
                     [&messenger](Qt::ApplicationState state) {
                         messenger.chat().setWindowActive(state == Qt::ApplicationActive);
                     });
    QObject::connect(&messenger, &pitchey::app::Messenger::quitRequested, &app,
                     &QCoreApplication::quit);
    if (!messenger.load())
        return 1;
    return QGuiApplication::exec();
}
