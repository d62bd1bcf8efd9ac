// Build tool: writes the app icon as hicolor PNGs, OUTDIR/NxN/apps/<app id>.png.
#include "AppIcon.h"

#include <QDir>
#include <QGuiApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv); // fonts are not needed, but QPainter wants a Gui app
    if (argc != 2) {
        std::fprintf(stderr, "usage: pitchey-icongen OUTDIR\n");
        return 2;
    }
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256, 512}) {
        const QString dir =
            QStringLiteral("%1/%2x%2/apps").arg(QString::fromLocal8Bit(argv[1])).arg(size);
        if (!QDir().mkpath(dir) ||
            !pitchey::app::drawAppIcon(size).save(
                QStringLiteral("%1/%2.png").arg(dir, QLatin1StringView(pitchey::app::kAppId))))
            return 1;
    }
    return 0;
}
