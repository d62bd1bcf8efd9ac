// The messenger as people run it (the same Messenger wiring and QML as pitchey-messenger),
// on the offscreen platform, against a real server and a real keychain. With
// PITCHEY_SCREENSHOT_DIR set it also saves the screenshots shown in the README.
#include "AppDriver.h"
#include "protocol/Api.h"

#include <QClipboard>
#include <QDBusConnection>
#include <QGuiApplication>
#include <QJsonArray>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

// A desktop's notification service, on the test's own D-Bus session: records what the
// messenger shows and lets the test "click" a notification.
class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    QStringList shown;
    QList<QVariantMap> hints;

public Q_SLOTS:
    uint Notify(const QString &, uint, const QString &, const QString &summary, const QString &body,
                const QStringList &, const QVariantMap &hints, int)
    {
        shown.append(summary + u'|' + body);
        this->hints.append(hints);
        return uint(shown.size());
    }
    QStringList GetCapabilities() { return {u"actions"_s, u"body"_s}; }

Q_SIGNALS:
    void ActionInvoked(uint id, const QString &action);
    void NotificationClosed(uint id, uint reason);
};

class TestMessengerApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useOwnSettings(u"tst_messenger_app"_s); }

    void logsInAndShowsAMessageFromAnotherClient()
    {
        TestServer server([](server::ServerConfig &config) { config.rateBurst = 100'000; });
        QVERIFY(server.start());
        const QUrl url(u"http://127.0.0.1:%1"_s.arg(server.port()));
        HttpClient http(url);
        const auto bob = http.registerUser(u"bob"_s);
        const auto carol = http.registerUser(u"carol"_s);

        QTemporaryDir cache;
        app::Messenger messenger({url, u"pitchey-tests"_s, cache.path()});
        QVERIFY(messenger.load());
        auto *window = qobject_cast<QQuickWindow *>(messenger.engine().rootObjects().value(0));
        QVERIFY(window);
        window->resize(1000, 680);
        QTRY_VERIFY(findItem(window, u"loginPage"_s));
        QQuickItem *login = findItem(window, u"loginPage"_s);
        // The first field to type in has the focus.
        window->requestActivate();
        QVERIFY(QTest::qWaitForWindowActive(window));
        QTRY_VERIFY(window->activeFocusItem());
        QCOMPARE(window->activeFocusItem()->objectName(), u"usernameField"_s);

        // Fill the form as a person would, then submit it through the page.
        findItem(login, u"switchModeButton"_s)->setProperty("checked", false);
        QMetaObject::invokeMethod(findItem(login, u"switchModeButton"_s), "clicked");
        QTRY_VERIFY(login->property("registering").toBool());
        findItem(login, u"serverField"_s)->setProperty("text", url.toString());
        findItem(login, u"usernameField"_s)->setProperty("text", u"alice"_s);
        findItem(login, u"displayNameField"_s)->setProperty("text", u"Alice Liddell"_s);
        findItem(login, u"emailField"_s)->setProperty("text", u"alice@example.org"_s);
        findItem(login, u"passwordField"_s)->setProperty("text", u"password123"_s);
        screenshot(window, u"login"_s);
        QMetaObject::invokeMethod(login, "submit");
        QTRY_VERIFY(findItem(window, u"chatPage"_s));
        QTRY_COMPARE(messenger.chat().connectionState(),
                     client::ChatController::ConnectionState::Connected);
        const qint64 alice = messenger.session().userId();

        // Others start conversations with Alice and write to her.
        const auto open = [&](const HttpClient::Account &from, QJsonArray ids,
                              const QString &title) {
            QJsonObject body{{"participantIds"_L1, ids}};
            if (!title.isEmpty())
                body.insert("title"_L1, title);
            return http.post(u"/api/messages/conversations"_s, body, from.token)
                .body.value("conversation"_L1)
                .toObject()
                .value("id"_L1)
                .toInteger();
        };
        const auto say = [&](const HttpClient::Account &from, qint64 conversation,
                             const QString &text) {
            http.post(u"/api/messages/send"_s,
                      {{"conversationId"_L1, conversation}, {"content"_L1, text}}, from.token);
        };
        const qint64 group = open(carol, {alice, bob.id}, u"Weekend hike"_s);
        say(carol, group, u"Saturday 8:00 at the station?"_s);
        say(bob, group, u"I'll bring coffee."_s);
        const qint64 withCarol = open(carol, {alice}, {});
        say(carol, withCarol, u"Did you see the photos?"_s);
        const qint64 withBob = open(bob, {alice}, {});
        say(bob, withBob, u"Hi Alice! Are we still on for lunch?"_s);
        say(bob, withBob, u"<b>This stays plain text</b>"_s);

        QTRY_COMPARE(messenger.chat().conversations()->rowCount(), 3);
        QTRY_COMPARE(messenger.chat().unreadTotal(), 5);
        QTRY_COMPARE(window->title(), u"(5) alice \u2014 Pitchey Messenger"_s);
        screenshot(window, u"conversations"_s);

        messenger.chat().openConversation(withBob);
        QTRY_COMPARE(visibleItems(window, u"messageText"_s).size(), 2);
        const QStringList texts = visibleTexts(window, u"messageText"_s);
        QVERIFY(texts.contains(u"Hi Alice! Are we still on for lunch?"_s));
        QVERIFY(texts.contains(u"<b>This stays plain text</b>"_s));
        QCOMPARE(findItem(window, u"conversationTitle"_s)->property("text").toString(), u"bob"_s);

        // Alice answers through the composer; Bob's client would see it.
        WsClient bobSocket;
        QVERIFY(bobSocket.open(server.wsUrl(bob.token)));
        QTRY_COMPARE(findItem(window, u"conversationStatus"_s)->property("text").toString(),
                     u"online"_s);
        QQuickItem *composer = findItem(window, u"composer"_s);
        findItem(window, u"composerField"_s)
            ->setProperty("text", u"Yes! 12:30 at the usual place."_s);
        QMetaObject::invokeMethod(composer, "submit");
        QTRY_COMPARE(composer->property("text").toString(), QString()); // accepted: cleared
        QVERIFY(!bobSocket
                     .waitFor(u"new_message"_s, 5000,
                              [](const QJsonObject &frame) {
                                  return frame.value("content"_L1).toString() ==
                                         u"Yes! 12:30 at the usual place."_s;
                              })
                     .isEmpty());
        QTRY_COMPARE(visibleItems(window, u"messageText"_s).size(), 3);
        bobSocket.sendJson({{"type"_L1, "typing_start"_L1}, {"conversationId"_L1, withBob}});
        QTRY_COMPARE(findItem(window, u"conversationStatus"_s)->property("text").toString(),
                     u"bob is typing…"_s);
        screenshot(window, u"conversation"_s);

        // Ctrl+K, a few letters and Enter jump to a conversation; Esc closes the switcher.
        window->requestActivate();
        QVERIFY(QTest::qWaitForWindowActive(window));
        QTest::keyClick(window, Qt::Key_K, Qt::ControlModifier);
        QObject *switcher = window->findChild<QObject *>(u"quickSwitcher"_s);
        QVERIFY(switcher);
        QTRY_VERIFY(switcher->property("opened").toBool());
        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_VERIFY(!switcher->property("opened").toBool());
        QTest::keyClick(window, Qt::Key_K, Qt::ControlModifier);
        QTRY_VERIFY(switcher->property("opened").toBool());
        for (char letter : {'c', 'a', 'r'})
            QTest::keyClick(window, letter);
        QTest::keyClick(window, Qt::Key_Return);
        QTRY_COMPARE(messenger.chat().currentConversationId(), withCarol);
        QTRY_VERIFY(!switcher->property("opened").toBool());
        QTRY_COMPARE(findItem(window, u"conversationTitle"_s)->property("text").toString(),
                     u"carol"_s);

        // The settings page changes the preferences on the server.
        // (Opened as the chat page's settings button does: its signal, which Main.qml
        // connects to the dialog.)
        QVERIFY(QMetaObject::invokeMethod(findItem(window, u"chatPage"_s), "settingsRequested"));
        QObject *settings = window->findChild<QObject *>(u"settingsDialog"_s);
        QVERIFY(settings);
        QTRY_VERIFY(settings->property("opened").toBool());
        QTRY_VERIFY(!visibleItems(window, u"emailSwitch"_s).isEmpty());
        QQuickItem *email = visibleItems(window, u"emailSwitch"_s).constFirst();
        QTRY_VERIFY(email->property("checked").toBool());
        // ("opened" is true once the dialog's opening transition has finished.)
        const QPointF center = email->mapToScene({email->width() / 2, email->height() / 2});
        QTest::mouseClick(window, Qt::LeftButton, {}, center.toPoint());
        const QString token = messenger.session().session().token;
        const auto emailEnabled = [&] {
            return http.get(u"/api/notifications/preferences"_s, token)
                .body["preferences"_L1]["emailEnabled"_L1]
                .toBool(true);
        };
        QTRY_VERIFY(!emailEnabled());
        QVERIFY(!messenger.settings().emailEnabled());
    }

    // With a tray, closing the window leaves the messenger running in it (its menu quits);
    // without one, or with the setting off, closing closes.
    void closingTheWindowKeepsTheAppInTheTray()
    {
        TwoPeople world;
        QVERIFY(world.start());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.settings().setTrayAvailable(true); // as the wiring does, given a tray
        app.messenger.settings().setCloseToTray(true);
        QVERIFY(!app.window->close()); // refused: hidden instead
        QVERIFY(!app.window->isVisible());
        QCOMPARE(app.messenger.chat().connectionState(),
                 client::ChatController::ConnectionState::Connected);

        app.messenger.settings().setCloseToTray(false);
        app.window->show();
        QVERIFY(QTest::qWaitForWindowExposed(app.window));
        QVERIFY(app.window->close());
    }

    // Without a keychain (tst_messenger_app_nokeychain: no session bus), the person is told
    // as the login succeeds, and chooses: staying logged in closes the dialog.
    void withoutAKeychainThePersonIsToldAtOnce()
    {
        if (!qEnvironmentVariableIsSet("PITCHEY_TEST_NO_KEYCHAIN"))
            QSKIP("runs as tst_messenger_app_nokeychain, without a session bus");
        TwoPeople world;
        QVERIFY(world.start());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        QTRY_VERIFY(app.window->findChild<QObject *>(u"keychainDialog"_s));
        QObject *dialog = app.window->findChild<QObject *>(u"keychainDialog"_s);
        QTRY_VERIFY(dialog->property("opened").toBool());
        QTRY_COMPARE(visibleItems(app.window, u"keepButton"_s).size(), 1);
        click(app.window, visibleItems(app.window, u"keepButton"_s).constFirst());
        QTRY_VERIFY(
            !app.window->findChild<QObject *>(u"keychainDialog"_s) ||
            !app.window->findChild<QObject *>(u"keychainDialog"_s)->property("visible").toBool());
        QCOMPARE(app.messenger.session().state(), client::SessionController::State::LoggedIn);
        QVERIFY(app.item(u"chatPage"_s));
    }

    // An account without an email address is not offered digests it could never get.
    void anAccountWithoutEmailIsNotOfferedDigests()
    {
        TwoPeople world; // registered without addresses
        QVERIFY(world.start());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        QVERIFY(!app.messenger.session().hasEmail());
        QMetaObject::invokeMethod(app.item(u"chatPage"_s), "settingsRequested");
        QObject *settings = app.window->findChild<QObject *>(u"settingsDialog"_s);
        QVERIFY(settings);
        QTRY_VERIFY(settings->property("opened").toBool());
        QQuickItem *email = visibleItems(app.window, u"emailSwitch"_s).constFirst();
        QVERIFY(!email->property("checked").toBool());
        QVERIFY(!email->isEnabled());
        QCOMPARE(visibleItems(app.window, u"noEmailNote"_s).size(), 1);
    }

    // A long conversation opens at its newest message, pages older ones in as the person
    // scrolls up (the view asks the model; no timer), and at the bottom follows what arrives,
    // reading it while the window is active.
    void aLongConversationFollowsTheBottomAndPagesInAtTheTop()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const QUrl &url = world.url;
        HttpClient &http = *world.http;
        const auto &alice = world.alice;
        const auto &bob = world.bob;
        const qint64 pair = world.pair;
        const auto say = [&](int i) { return world.say(bob, pair, u"m%1"_s.arg(i)); };
        qint64 newest = 0;
        for (int i = 0; i < 120; ++i)
            newest = say(i);
        QVERIFY(world.read(alice, newest)); // elsewhere: it opens at the newest message

        QTemporaryDir cache;
        app::Messenger messenger({url, u"pitchey-tests"_s, cache.path()});
        QVERIFY(messenger.load());
        auto *window = qobject_cast<QQuickWindow *>(messenger.engine().rootObjects().value(0));
        QVERIFY(window);
        window->resize(1000, 680);
        messenger.session().login(url.toString(), u"alice"_s, u"password123"_s);
        QTRY_COMPARE(messenger.chat().conversations()->rowCount(), 1);
        messenger.chat().setWindowActive(true);
        messenger.chat().openConversation(pair);
        QTRY_VERIFY(findItem(window, u"messageList"_s));
        QQuickItem *list = findItem(window, u"messageList"_s);
        const auto shows = [&](const QString &text) {
            const auto items = visibleItems(window, u"messageText"_s);
            return std::any_of(items.cbegin(), items.cend(), [&](QQuickItem *item) {
                const QPointF at = item->mapToItem(list, QPointF(0, item->height() / 2));
                return item->property("text").toString() == text && at.y() >= 0 &&
                       at.y() <= list->height();
            });
        };
        QTRY_VERIFY(shows(u"m119"_s));
        QTRY_VERIFY(list->property("atYEnd").toBool());
        QTRY_COMPARE(messenger.chat()
                         .conversations()
                         ->index(0)
                         .data(client::ConversationListModel::UnreadRole)
                         .toInt(),
                     0);

        // Scrolled up to the top, again and again (as a wheel moves the content): each time
        // the view asks for the next older page.
        client::MessageListModel &model = *messenger.chat().messages();
        for (int round = 0; round < 20 && model.rowCount() < 120; ++round) {
            const int before = model.rowCount();
            list->setProperty("contentY", list->property("originY"));
            QTRY_VERIFY(model.rowCount() > before);
        }
        QCOMPARE(model.rowCount(), 120);
        QMetaObject::invokeMethod(list, "positionViewAtEnd");
        QTRY_VERIFY(shows(u"m0"_s));
        QVERIFY(findItem(window, u"jumpToNewest"_s)->isVisible());

        // Back at the bottom, four arrive: each comes into view, and all are read.
        QMetaObject::invokeMethod(findItem(window, u"jumpToNewest"_s), "clicked");
        QTRY_VERIFY(shows(u"m119"_s));
        for (int i = 120; i < 124; ++i)
            say(i);
        QTRY_VERIFY(shows(u"m123"_s));
        QTRY_VERIFY(list->property("atYEnd").toBool());
        QVERIFY(!findItem(window, u"jumpToNewest"_s)->isVisible());
        QTRY_COMPARE(messenger.chat()
                         .conversations()
                         ->index(0)
                         .data(client::ConversationListModel::UnreadRole)
                         .toInt(),
                     0);
        const auto readByAlice = [&] {
            const auto listed = api::ConversationsAnswer::fromJson(
                                    http.get(u"/api/messages/conversations"_s, bob.token).body)
                                    .value();
            return listed.conversations.value(0).readMarkers.value(alice.id);
        };
        QTRY_COMPARE(readByAlice(), model.newestId());
    }

    // Text typed and not sent stays with its conversation (never follows into another, where
    // Enter would send it to the wrong people), survives a restart, and a refused send keeps
    // it.
    void draftsStayWithTheirConversation()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const auto carol = world.http->registerUser(u"carol"_s);
        const qint64 withCarol = world.startConversation(carol, {world.alice.id});
        QVERIFY(withCarol > 0);
        QTemporaryDir cache;
        const auto composerText = [](const RunningApp &app) {
            return app.item(u"composerField"_s)->property("text").toString();
        };
        {
            RunningApp app(world.url, cache.path());
            QVERIFY(app.start(u"alice"_s, 2));
            QVERIFY(openWithKeys(app, world.pair));
            QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));
            type(app.window, u"for bob only"_s);
            QCOMPARE(composerText(app), u"for bob only"_s);
            // Tab leaves the composer (no tab character), Shift+Tab comes back.
            QTest::keyClick(app.window, Qt::Key_Tab);
            QVERIFY(app.window->activeFocusItem() != app.item(u"composerField"_s));
            QTest::keyClick(app.window, Qt::Key_Backtab, Qt::ShiftModifier);
            QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));
            QCOMPARE(composerText(app), u"for bob only"_s);

            const auto previews = [&] { return visibleTexts(app.window, u"previewText"_s); };
            // The open conversation's draft is in its composer, not in its row.
            QVERIFY(!previews().contains(u"Draft: for bob only"_s));
            QVERIFY(openWithKeys(app, withCarol));
            QTRY_COMPARE(composerText(app), QString());
            QTRY_VERIFY(previews().contains(u"Draft: for bob only"_s));
            QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));
            QTest::keyClick(app.window, Qt::Key_Return); // nothing goes to Carol
            const auto draftOf = [&](qint64 id) {
                auto *list = app.messenger.chat().conversations();
                const int row = list->rowOf(id);
                return list->index(row).data(client::ConversationListModel::DraftRole).toString();
            };
            QCOMPARE(draftOf(world.pair), u"for bob only"_s);
            QCOMPARE(draftOf(withCarol), QString());

            // Too long (pasted): refused, and the text stays, with the counter below zero.
            const QString tooLong(10'050, u'x');
            QGuiApplication::clipboard()->setText(tooLong);
            QTest::keyClick(app.window, Qt::Key_V, Qt::ControlModifier);
            QCOMPARE(composerText(app), tooLong);
            QTest::keyClick(app.window, Qt::Key_Return);
            QCOMPARE(composerText(app), tooLong);
            QVERIFY(app.item(u"lengthCounter"_s)->isVisible());
            QCOMPARE(app.item(u"lengthCounter"_s)->property("text").toString(), u"-50"_s);
            QCOMPARE(app.messenger.chat().messages()->rowCount(), 0);
        }
        // The next start: Bob's draft is still Bob's, and Enter sends it to him.
        RunningApp again(world.url, cache.path());
        QVERIFY(again.start(u"alice"_s, 2));
        QVERIFY(openWithKeys(again, world.pair));
        QTRY_COMPARE(composerText(again), u"for bob only"_s);
        QTRY_COMPARE(again.window->activeFocusItem(), again.item(u"composerField"_s));
        QTest::keyClick(again.window, Qt::Key_Return);
        QTRY_COMPARE(
            world.http->get(u"/api/messages/%1/messages"_s.arg(world.pair), world.bob.token)
                .body["messages"_L1][0]["content"_L1]
                .toString(),
            u"for bob only"_s);
        QTRY_COMPARE(composerText(again), QString()); // sent: the draft is gone
    }

    // "+", a name, the person picked, Start: the focus is in the new conversation's
    // composer, so what is typed next is its first message (not a space that opens the
    // dialog again). Enter in the search field picks the highlighted person.
    void startingAChatPutsTheFocusInItsComposer()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const auto dora = world.http->registerUser(u"dora"_s);
        world.http->registerUser(u"doris"_s);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));

        QQuickItem *plus = app.item(u"newConversationButton"_s);
        click(app.window, plus);
        QTRY_VERIFY(!visibleItems(app.window, u"userSearchField"_s).isEmpty());
        QTRY_COMPARE(app.window->activeFocusItem(),
                     visibleItems(app.window, u"userSearchField"_s).constFirst());
        type(app.window, u"dor"_s);
        QTRY_COMPARE(app.messenger.chat().userSearch()->rowCount(), 2);
        QTest::keyClick(app.window, Qt::Key_Return); // the first: dora
        QTRY_COMPARE(app.messenger.chat().userSearch()->selectedCount(), 1);
        QCOMPARE(app.messenger.chat().userSearch()->selectedIds(), QList<qint64>{dora.id});
        click(app.window, visibleItems(app.window, u"startButton"_s).constFirst());
        QTRY_VERIFY(app.messenger.chat().currentConversationId() != 0);
        QVERIFY(app.messenger.chat().currentConversationId() != world.pair);
        QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));
        QVERIFY(!plus->hasActiveFocus());
        type(app.window, u"hi dora"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_COMPARE(world.http->get(u"/api/messages/conversations"_s, dora.token)
                         .body["conversations"_L1][0]["lastMessage"_L1]["content"_L1]
                         .toString(),
                     u"hi dora"_s);
    }

    void desktopNotificationsOpenTheirConversation()
    {
        FakeNotifications service;
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY(bus.registerObject(u"/org/freedesktop/Notifications"_s, &service,
                                   QDBusConnection::ExportAllSlots |
                                       QDBusConnection::ExportAllSignals));
        QVERIFY(bus.registerService(u"org.freedesktop.Notifications"_s));

        TwoPeople world;
        QVERIFY(world.start());
        const QUrl &url = world.url;
        HttpClient &http = *world.http;
        const auto &bob = world.bob;
        const qint64 pair = world.pair;

        QTemporaryDir cache;
        app::Messenger messenger({url, u"pitchey-tests"_s, cache.path()});
        QVERIFY(messenger.load());
        messenger.session().login(url.toString(), u"alice"_s, u"password123"_s);
        QTRY_COMPARE(messenger.chat().connectionState(),
                     client::ChatController::ConnectionState::Connected);
        QTRY_VERIFY(messenger.settings().loaded());
        messenger.chat().setWindowActive(false); // in the background

        http.post(u"/api/messages/send"_s,
                  {{"conversationId"_L1, pair}, {"content"_L1, "<i>look</i> at this"_L1}},
                  bob.token);
        QTRY_COMPARE(service.shown.size(), 1);
        // The body is escaped: notification servers may read it as markup.
        QCOMPARE(service.shown.constFirst(), u"bob|&lt;i&gt;look&lt;/i&gt; at this"_s);
        QCOMPARE(service.hints.constFirst().value(u"sound-name"_s).toString(),
                 u"message-new-instant"_s);
        QCOMPARE(messenger.chat().currentConversationId(), 0);

        Q_EMIT service.ActionInvoked(1, u"default"_s); // the user clicks it
        QTRY_COMPARE(messenger.chat().currentConversationId(), pair);

        // The sound turned off (this computer's setting): the next one is silent.
        messenger.settings().setSound(false);
        messenger.chat().closeConversation();
        http.post(u"/api/messages/send"_s,
                  {{"conversationId"_L1, pair}, {"content"_L1, "quiet"_L1}}, bob.token);
        QTRY_COMPARE(service.shown.size(), 2);
        QVERIFY(!service.hints.at(1).contains(u"sound-name"_s));
        QCOMPARE(service.hints.at(1).value(u"suppress-sound"_s).toBool(), true);
        messenger.settings().setSound(true);
        bus.unregisterService(u"org.freedesktop.Notifications"_s);
        bus.unregisterObject(u"/org/freedesktop/Notifications"_s);
    }
};

QTEST_MAIN(TestMessengerApp)
#include "tst_messenger_app.moc"
