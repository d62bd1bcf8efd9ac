#include "app/Admin.h"
#include "app/Server.h"
#include "app/ServerConfig.h"
#include "base/EpollEventDispatcher.h"
#include "base/Logging.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#ifndef PITCHEY_TCMALLOC
#include <malloc.h>
#endif
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using pitchey::server::Server;
using pitchey::server::ServerConfig;
using pitchey::server::ServerConfigLoader;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] auto written = ::write(g_signalPipe[1], &byte, 1);
}

void printLine(FILE *stream, const QString &text)
{
    std::fprintf(stream, "%s\n", text.toLocal8Bit().constData());
    std::fflush(stream);
}

} // namespace

// (What escapes main() ends the process, which is all a handler there could do.)
int main(int argc, char *argv[]) // NOLINT(bugprone-exception-escape)
{
    pitchey::server::setupLogging();
#ifndef PITCHEY_TCMALLOC
    // glibc returns freed memory of thread arenas to the kernel eagerly (madvise and TLB
    // flushes after every database batch); keep up to 64 MiB around instead.
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif

    // epoll instead of Qt's poll()-based dispatcher: a wake-up then costs in proportion to
    // the ready sockets, not to every open connection. PITCHEY_EVENT_DISPATCHER=qt opts out.
    if (qgetenv("PITCHEY_EVENT_DISPATCHER") != "qt")
        QCoreApplication::setEventDispatcher(new pitchey::server::EpollEventDispatcher);
    // The application owns the dispatcher (the analyzer cannot see that).
    QCoreApplication app(argc, argv); // NOLINT(clang-analyzer-cplusplus.NewDeleteLeaks)
    QCoreApplication::setApplicationName(u"pitchey-server"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(PITCHEY_VERSION));
    if (QCoreApplication::arguments().value(1) == "admin"_L1)
        return pitchey::server::runAdmin(QCoreApplication::arguments());

    ServerConfigLoader loader;
    ServerConfig config;
    const auto outcome = loader.load(QCoreApplication::arguments(),
                                     QProcessEnvironment::systemEnvironment(), config);
    if (!outcome.ok()) {
        printLine(stderr, u"pitchey-server: %1"_s.arg(outcome.error().message));
        return 2;
    }
    if (outcome.value() == ServerConfigLoader::Outcome::ShowHelp) {
        printLine(stdout, loader.helpText());
        return 0;
    }
    if (outcome.value() == ServerConfigLoader::Outcome::ShowVersion) {
        printLine(stdout, u"pitchey-server %1"_s.arg(QCoreApplication::applicationVersion()));
        return 0;
    }
    pitchey::server::setLogLevel(config.logLevel);
    if (config.jwtSecret.isEmpty()) {
        auto secret = ServerConfigLoader::loadOrCreateSecret(config.dataDir);
        if (!secret.ok()) {
            printLine(stderr, u"pitchey-server: %1"_s.arg(secret.error().message));
            return 1;
        }
        config.jwtSecret = secret.value();
    }

    Server server(config);
    if (auto started = server.start(); !started.ok()) {
        printLine(stderr, u"pitchey-server: %1"_s.arg(started.error().message));
        return 1;
    }
    // Scripts and tests read the actual port (useful with --port 0) from this line.
    printLine(stdout,
              u"pitchey-server listening on %1://%2:%3"_s
                  .arg(server.tls() ? u"https"_s : u"http"_s, config.listenAddress.toString())
                  .arg(server.port()));

    // SIGTERM/SIGINT: stop accepting, close sockets with 1001, finish pending writes, exit 0.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return 1;
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        char byte = 0;
        [[maybe_unused]] auto got = ::read(g_signalPipe[0], &byte, 1);
        notifier.setEnabled(false);
        server.shutdown([] { QCoreApplication::quit(); });
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    return QCoreApplication::exec();
}
