#pragma once

// Drives the messenger as people run it (the same Messenger wiring and QML as
// pitchey-messenger) against a real server: finds what the window shows and types into it.
#include "Clients.h"
#include "Messenger.h"
#include "TestServer.h"

#include <QJsonArray>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

namespace pitchey::testing {

using namespace Qt::StringLiterals;

// Settings of the test's own (QSettings under an organisation of its own), empty at start.
inline void useOwnSettings(const QString &testName)
{
    QCoreApplication::setOrganizationName(u"PitcheyTests"_s);
    QCoreApplication::setApplicationName(testName);
    QSettings().clear();
}

inline QQuickItem *findItem(QObject *root, const QString &name)
{
    return root ? root->findChild<QQuickItem *>(name) : nullptr;
}

// Delegates are children of their view's items, not of its QObject tree: walk the items.
inline void collect(QQuickItem *item, const QString &name, QList<QQuickItem *> &found)
{
    if (!item->isVisible())
        return;
    if (item->objectName() == name)
        found.append(item);
    const auto children = item->childItems();
    for (QQuickItem *child : children)
        collect(child, name, found);
}

inline QList<QQuickItem *> visibleItems(QQuickWindow *window, const QString &name)
{
    QList<QQuickItem *> found;
    collect(window->contentItem(), name, found);
    return found;
}

// The texts of the visible items called `name`.
inline QStringList visibleTexts(QQuickWindow *window, const QString &name)
{
    QStringList texts;
    for (QQuickItem *item : visibleItems(window, name))
        texts.append(item->property("text").toString());
    return texts;
}

// Types as a person does, key by key (QTest::keyClicks takes widgets only).
inline void type(QWindow *window, const QString &text)
{
    for (const QChar letter : text)
        QTest::keyClick(window, letter.toLatin1());
}

// A click in the middle of an item.
inline void click(QQuickWindow *window, QQuickItem *item)
{
    QTest::mouseClick(window, Qt::LeftButton, {},
                      item->mapToScene({item->width() / 2, item->height() / 2}).toPoint());
}

// With PITCHEY_SCREENSHOT_DIR set (scripts/screenshots.sh), saves what the window shows
// as `name`.png there: the screenshots in the README.
inline void screenshot(QQuickWindow *window, const QString &name)
{
    const QString dir = qEnvironmentVariable("PITCHEY_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QTest::qWait(300); // let animations and late layouts settle
    QVERIFY(window->grabWindow().save(u"%1/%2.png"_s.arg(dir, name)));
}

// A server with two accounts, Alice and Bob, and their conversation.
struct TwoPeople
{
    explicit TwoPeople(const std::function<void(server::ServerConfig &)> &adjust = {})
        : server([adjust](server::ServerConfig &config) {
            config.rateBurst = 100'000;
            if (adjust)
                adjust(config);
        })
    {}

    TestServer server;
    QUrl url;
    std::unique_ptr<HttpClient> http;
    HttpClient::Account alice;
    HttpClient::Account bob;
    qint64 pair = 0;

    bool start()
    {
        if (!server.start())
            return false;
        url = QUrl(u"http://127.0.0.1:%1"_s.arg(server.port()));
        http = std::make_unique<HttpClient>(url);
        alice = http->registerUser(u"alice"_s);
        bob = http->registerUser(u"bob"_s);
        pair = startConversation(bob, {alice.id});
        return pair > 0;
    }

    qint64 startConversation(const HttpClient::Account &by, const QList<qint64> &others)
    {
        return http->createConversation(by, others);
    }

    // Sends over HTTP; the message's id.
    qint64 say(const HttpClient::Account &from, qint64 conversationId, const QString &text)
    {
        return http->sendMessage(from, conversationId, text);
    }

    // Uploads over HTTP as another client would; the attachment's id (0 if refused).
    qint64 upload(const HttpClient::Account &who, const QByteArray &bytes, const QString &filename)
    {
        return http
            ->sendWithHeaders("POST", u"/api/media?filename="_s + filename, bytes,
                              {{"Authorization", "Bearer " + who.token.toLatin1()}})
            .body["attachment"_L1]["id"_L1]
            .toInteger();
    }

    // Sends `text` with uploaded files over HTTP; the message's id (0 if refused).
    qint64 sayWithFiles(const HttpClient::Account &from, qint64 conversationId, const QString &text,
                        const QList<qint64> &attachmentIds)
    {
        QJsonArray ids;
        for (qint64 id : attachmentIds)
            ids.append(id);
        return http
            ->post(u"/api/messages/send"_s,
                   {{"conversationId"_L1, conversationId},
                    {"content"_L1, text},
                    {"attachmentIds"_L1, ids}},
                   from.token)
            .body["message"_L1]["id"_L1]
            .toInteger();
    }

    // Marks a conversation read up to a message, as another device of `who` would.
    [[nodiscard]] bool read(const HttpClient::Account &who, qint64 messageId)
    {
        WsClient elsewhere;
        if (!elsewhere.open(server.wsUrl(who.token)))
            return false;
        elsewhere.sendJson({{"type"_L1, "message_read"_L1}, {"messageId"_L1, messageId}});
        elsewhere.sendJson({{"type"_L1, "ping"_L1}}); // answered after the read is kept
        return !elsewhere.waitFor(u"pong"_s).isEmpty();
    }
};

// One messenger window with its own cache, logged in, active, 1000 x 680.
struct RunningApp
{
    QTemporaryDir cache;
    app::Messenger messenger;
    QQuickWindow *window = nullptr;

    // `cacheDir`: an earlier app's (the same person starting the messenger again).
    explicit RunningApp(const QUrl &server, const QString &cacheDir = {})
        : messenger({server, u"pitchey-tests"_s, cacheDir.isEmpty() ? cache.path() : cacheDir})
    {}

    // Logs in and waits until the list shows `conversations` rows.
    [[nodiscard]] bool start(const QString &username, int conversations)
    {
        if (!messenger.load())
            return false;
        window = qobject_cast<QQuickWindow *>(messenger.engine().rootObjects().value(0));
        if (!window)
            return false;
        window->resize(1000, 680);
        messenger.session().login(messenger.session().serverUrl(), username, u"password123"_s);
        if (!QTest::qWaitFor([&] {
                return messenger.chat().conversations()->rowCount() == conversations &&
                       messenger.chat().connectionState() ==
                           client::ChatController::ConnectionState::Connected;
            }))
            return false;
        window->requestActivate();
        return QTest::qWaitForWindowActive(window);
    }

    QQuickItem *item(const QString &name) const { return findItem(window, name); }
};

// Alt+Down or Alt+Up through the list until `conversationId` is open, as a person would.
[[nodiscard]] inline bool openWithKeys(RunningApp &app, qint64 conversationId)
{
    client::ChatController &chat = app.messenger.chat();
    const auto *list = chat.conversations();
    for (int step = 0; step < list->rowCount(); ++step) {
        const qint64 before = chat.currentConversationId();
        if (before == conversationId)
            return true;
        const bool down = before == 0 || list->rowOf(conversationId) > list->rowOf(before);
        QTest::keyClick(app.window, down ? Qt::Key_Down : Qt::Key_Up, Qt::AltModifier);
        if (!QTest::qWaitFor([&] { return chat.currentConversationId() != before; }))
            return false;
    }
    return chat.currentConversationId() == conversationId;
}

} // namespace pitchey::testing
