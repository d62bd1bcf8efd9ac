// messenger-bench: how the desktop messenger copes with a big account. Seeds a local
// cache with many conversations and messages, starts the real messenger (Messenger, the
// same wiring and QML as pitchey-messenger) logged in from the keychain, and prints:
//   - time from this process's start to the first frame that shows the conversation list,
//   - time from opening the long conversation to the first frame that shows its messages,
//   - frame times while scrolling up through a long conversation (older pages load from
//     the cache as it goes),
//   - the process's RSS after start and after the scroll.
// Needs a keychain (run it under tests/support/with-keyring.sh) and a display or
// QT_QPA_PLATFORM=offscreen. The server it names is never reached: everything shown
// comes from the cache, as at a start without network. A frame is asked for as soon as the
// last is shown (QT_QPA_UPDATE_IDLE_TIME=0 unless set): otherwise every frame would also
// wait the 5 ms a window without vsync waits for its next update, and the frame times
// would measure that timer more than the work.
#include "Messenger.h"
#include "store/LocalCache.h"
#include "store/TokenStore.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace pitchey;

namespace {

QElapsedTimer g_sinceStart; // started first thing in main()

constexpr qint64 kMe = 1;

long rssKib()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    }
    return 0;
}

QString fakeToken()
{
    const auto part = [](const QJsonObject &object) {
        return QJsonDocument(object)
            .toJson(QJsonDocument::Compact)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return QString::fromLatin1(part({{"alg"_L1, "HS256"_L1}, {"typ"_L1, "JWT"_L1}}) + '.' +
                               part({{"sub"_L1, "1"_L1},
                                     {"username"_L1, "bench"_L1},
                                     {"iat"_L1, now},
                                     {"exp"_L1, now + 3600}}) +
                               ".c2lnbmF0dXJl");
}

// conversations x perConversation messages, plus one conversation of `longOne` messages.
bool seed(const QString &cacheDir, int conversations, int perConversation, int longOne)
{
    const QString path = QDir(cacheDir).filePath(u"account-%1.sqlite"_s.arg(kMe));
    {
        client::LocalCache cache(path, kMe); // creates the schema
        if (!cache.open().ok())
            return false;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"seed"_s);
    db.setDatabaseName(path);
    if (!db.open())
        return false;
    db.transaction();
    QSqlQuery conversation(db), message(db);
    conversation.prepare(u"INSERT INTO conversations (id, updated_at, body) VALUES (?, ?, ?)"_s);
    message.prepare(u"INSERT INTO messages (id, conversation_id, sender_id, content, created_at, "
                    "state) VALUES (?, ?, ?, ?, ?, ?)"_s);
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - 30LL * 24 * 3600 * 1000;
    qint64 id = 0;
    for (int c = 1; c <= conversations; ++c) {
        const int count = c == 1 ? longOne : perConversation;
        Conversation meta;
        meta.id = c;
        meta.participants = {
            {kMe, u"bench"_s, u"Bench"_s, false, std::nullopt},
            {c + 1, u"user%1"_s.arg(c), u"User Number %1"_s.arg(c), c % 3 == 0, std::nullopt}};
        for (int m = 0; m < count; ++m) {
            ++id;
            const qint64 sender = m % 3 == 0 ? kMe : c + 1;
            const qint64 at = start + id * 20'000;
            const QString text = m % 7 == 0 ? u"A longer message that wraps over more than one "
                                              "line in the view, number %1, to make the "
                                              "delegates differ in height as real ones do."_s.arg(m)
                                            : u"message %1 in conversation %2"_s.arg(m).arg(c);
            message.addBindValue(id);
            message.addBindValue(c);
            message.addBindValue(sender);
            message.addBindValue(text);
            message.addBindValue(at);
            message.addBindValue(sender == kMe ? int(client::LocalMessage::State::Read)
                                               : int(client::LocalMessage::State::Received));
            if (!message.exec())
                return false;
            Message last;
            last.id = id;
            last.conversationId = c;
            last.senderId = sender;
            last.content = text;
            last.createdAt = at;
            meta.lastMessage = last;
            meta.updatedAt = at;
        }
        meta.unreadCount = c % 5;
        conversation.addBindValue(c);
        conversation.addBindValue(meta.updatedAt);
        conversation.addBindValue(
            QString::fromUtf8(QJsonDocument(meta.toJson()).toJson(QJsonDocument::Compact)));
        if (!conversation.exec())
            return false;
    }
    db.commit();
    db.close();
    return true;
}

QQuickItem *findItem(QQuickItem *item, const QString &name)
{
    if (item->objectName() == name)
        return item;
    const auto children = item->childItems();
    for (QQuickItem *child : children) {
        if (QQuickItem *found = findItem(child, name))
            return found;
    }
    return nullptr;
}

struct FrameStats
{
    QList<double> ms;
    [[nodiscard]] double percentile(double p) const
    {
        if (ms.isEmpty())
            return 0;
        QList<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        return sorted.at(std::min<qsizetype>(sorted.size() - 1, qsizetype(p * sorted.size())));
    }
};

} // namespace

int main(int argc, char *argv[])
{
    g_sinceStart.start();
    if (!qEnvironmentVariableIsSet("QT_QPA_UPDATE_IDLE_TIME"))
        qputenv("QT_QPA_UPDATE_IDLE_TIME", "0");
    QGuiApplication app(argc, argv);
    const double appReadyMs = double(g_sinceStart.nsecsElapsed()) / 1e6;
    QCoreApplication::setOrganizationName(u"Pitchey"_s);
    QCoreApplication::setApplicationName(u"Pitchey Messenger (bench)"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Start-up, scrolling and memory of the messenger."_s);
    parser.addHelpOption();
    const QCommandLineOption conversationsOption(u"conversations"_s, u"Conversations."_s, u"N"_s,
                                                 u"1000"_s);
    const QCommandLineOption messagesOption(u"messages"_s, u"Cached messages in all."_s, u"N"_s,
                                            u"100000"_s);
    const QCommandLineOption longOption(u"long"_s, u"Messages in the long conversation."_s, u"N"_s,
                                        u"10000"_s);
    const QCommandLineOption framesOption(u"frames"_s, u"Frames to scroll."_s, u"N"_s, u"600"_s);
    parser.addOptions({conversationsOption, messagesOption, longOption, framesOption});
    parser.process(app);
    const int conversations = parser.value(conversationsOption).toInt();
    const int longOne = parser.value(longOption).toInt();
    const int perConversation = std::max(1, (parser.value(messagesOption).toInt() - longOne) /
                                                std::max(1, conversations - 1));
    const int frames = parser.value(framesOption).toInt();
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(u"Fusion"_s);

    // Seeding happens before the clock that matters starts: it stands for an earlier run.
    QTemporaryDir dir;
    if (!seed(dir.path(), conversations, perConversation, longOne)) {
        std::fprintf(stderr, "messenger-bench: could not seed the cache\n");
        return 1;
    }
    const QUrl server(u"http://127.0.0.1:9"_s);
    QSettings settings;
    settings.setValue(u"session/server"_s, server);
    settings.setValue(u"session/username"_s, u"bench"_s);
    bool stored = false;
    client::TokenStore tokens(QCoreApplication::applicationName());
    tokens.write(u"%1 bench"_s.arg(server.toString()), fakeToken(), &app,
                 [&](const Status &status) {
                     stored = status.ok();
                     QCoreApplication::exit(0);
                 });
    QCoreApplication::exec();
    if (!stored) {
        std::fprintf(stderr,
                     "messenger-bench: no keychain (run under tests/support/with-keyring.sh)\n");
        return 1;
    }
    const qint64 seededAtMs = g_sinceStart.elapsed();
    const long rssBefore = rssKib();

    QElapsedTimer sinceLoad;
    sinceLoad.start();
    app::Messenger messenger({{}, QCoreApplication::applicationName(), dir.path()});
    if (!messenger.load())
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(messenger.engine().rootObjects().value(0));
    window->resize(1000, 700);

    double firstListFrameMs = -1;
    QObject::connect(window, &QQuickWindow::frameSwapped, &app, [&] {
        if (firstListFrameMs < 0 && messenger.chat().conversations()->rowCount() > 0 &&
            findItem(window->contentItem(), u"conversationList"_s)) {
            firstListFrameMs = double(sinceLoad.nsecsElapsed()) / 1e6;
            QCoreApplication::exit(0);
        }
    });
    QCoreApplication::exec();
    const long rssStarted = rssKib();

    // Scroll up through the long conversation, one step per frame.
    messenger.chat().setWindowActive(true);
    double openedMs = -1;
    QElapsedTimer sinceOpen;
    const auto opened = QObject::connect(window, &QQuickWindow::frameSwapped, &app, [&] {
        const QQuickItem *shown = findItem(window->contentItem(), u"messageList"_s);
        if (openedMs < 0 && shown && shown->property("count").toInt() > 0)
            openedMs = double(sinceOpen.nsecsElapsed()) / 1e6;
    });
    sinceOpen.start();
    messenger.chat().openConversation(1);
    QTimer::singleShot(500, &app, [] { QCoreApplication::exit(0); }); // settle at the bottom
    QCoreApplication::exec();
    QObject::disconnect(opened);
    QQuickItem *list = findItem(window->contentItem(), u"messageList"_s);
    FrameStats stats;
    QElapsedTimer frameClock;
    int frame = 0;
    const auto step = [&] {
        list->setProperty("contentY", list->property("contentY").toDouble() - 40);
        window->update();
    };
    // Every step counts, the first too: it may make what the view had not made yet.
    QObject::connect(window, &QQuickWindow::frameSwapped, &app, [&] {
        stats.ms.append(double(frameClock.nsecsElapsed()) / 1e6);
        frameClock.start();
        if (++frame >= frames)
            return QCoreApplication::exit(0);
        QTimer::singleShot(0, &app, step);
    });
    frameClock.start();
    step();
    QCoreApplication::exec();
    const long rssScrolled = rssKib();
    const int loaded = messenger.chat().messages()->rowCount();
    const auto over = std::count_if(stats.ms.cbegin(), stats.ms.cend(),
                                    [](double ms) { return ms > 1000.0 / 60; });

    std::printf("messenger-bench: %d conversations, %d cached messages (one conversation of %d), "
                "platform %s\n",
                conversations, longOne + perConversation * (conversations - 1), longOne,
                qPrintable(QGuiApplication::platformName()));
    std::printf(
        "  process start to keychain + seeded cache ready  %8.0f ms (not part of the start)\n",
        double(seededAtMs));
    std::printf("  main() to QGuiApplication ready                 %8.1f ms\n", appReadyMs);
    std::printf("  Messenger start to first frame with the list    %8.1f ms\n", firstListFrameMs);
    std::printf("  so, a start without seeding: about              %8.1f ms\n",
                appReadyMs + firstListFrameMs);
    std::printf("  long conversation opened to its first frame     %8.1f ms\n", openedMs);
    std::printf("  scroll: %d frames, %d messages loaded on the way\n", int(stats.ms.size()),
                loaded);
    std::printf("  frame time p50 / p95 / p99 / max                %6.1f / %.1f / %.1f / %.1f ms\n",
                stats.percentile(0.5), stats.percentile(0.95), stats.percentile(0.99),
                stats.percentile(1.0));
    std::printf("  frames over 16.7 ms                             %8lld", qint64(over));
    for (qsizetype i = 0; i < stats.ms.size(); ++i) {
        if (stats.ms.at(i) > 1000.0 / 60)
            std::printf(" #%lld:%.0fms", qint64(i), stats.ms.at(i));
    }
    std::printf("\n");
    std::printf("  RSS before the messenger / started / scrolled   %.1f / %.1f / %.1f MiB\n",
                double(rssBefore) / 1024, double(rssStarted) / 1024, double(rssScrolled) / 1024);
    return 0;
}
