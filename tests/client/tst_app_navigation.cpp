// Getting around the messenger: the keyboard alone, a narrow window, and a list that says
// what matters (muted conversations, messages still on their way).
#include "AppDriver.h"

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

namespace {

// Three conversations for Alice, newest first in her list: Dora, Carol, Bob.
struct ThreeChats : TwoPeople
{
    HttpClient::Account carol;
    HttpClient::Account dora;
    qint64 withCarol = 0;
    qint64 withDora = 0;

    bool startAll()
    {
        if (!start())
            return false;
        say(bob, pair, u"from bob"_s);
        carol = http->registerUser(u"carol"_s);
        withCarol = startConversation(carol, {alice.id});
        say(carol, withCarol, u"from carol"_s);
        dora = http->registerUser(u"dora"_s);
        withDora = startConversation(dora, {alice.id});
        say(dora, withDora, u"from dora"_s);
        return withDora > 0;
    }
};

} // namespace

class TestAppNavigation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useOwnSettings(u"tst_app_navigation"_s); }

    void theKeyboardMovesBetweenConversations()
    {
        ThreeChats world;
        QVERIFY(world.startAll());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 3));
        client::ChatController &chat = app.messenger.chat();
        QWindow *window = app.window;
        const auto current = [&] { return chat.currentConversationId(); };

        QTest::keyClick(window, Qt::Key_Down, Qt::AltModifier); // none open: the first
        QTRY_COMPARE(current(), world.withDora);
        QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));
        QTest::keyClick(window, Qt::Key_Down, Qt::AltModifier);
        QTRY_COMPARE(current(), world.withCarol);
        QTest::keyClick(window, Qt::Key_Tab, Qt::ControlModifier);
        QTRY_COMPARE(current(), world.pair);
        QTest::keyClick(window, Qt::Key_PageDown, Qt::ControlModifier); // the end: stays
        QCOMPARE(current(), world.pair);
        QTest::keyClick(window, Qt::Key_Backtab, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(current(), world.withCarol);
        QTest::keyClick(window, Qt::Key_PageUp, Qt::ControlModifier);
        QTRY_COMPARE(current(), world.withDora);
        QTest::keyClick(window, Qt::Key_Down, Qt::AltModifier);
        QTest::keyClick(window, Qt::Key_Up, Qt::AltModifier);
        QTRY_COMPARE(current(), world.withDora);
        // (Typing went on into the composer of each: nothing was typed by the shortcuts.)
        QCOMPARE(app.item(u"composerField"_s)->property("text").toString(), QString());

        // Esc closes a dialog first, then the conversation; the list has the focus, with
        // a ring on its row, and arrows and Enter open another.
        QTest::keyClick(window, Qt::Key_K, Qt::ControlModifier);
        QObject *switcher = app.window->findChild<QObject *>(u"quickSwitcher"_s);
        QVERIFY(switcher);
        QTRY_VERIFY(switcher->property("opened").toBool());
        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_VERIFY(!switcher->property("visible").toBool());
        QCOMPARE(current(), world.withDora);
        QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));
        QTest::keyClick(window, Qt::Key_Escape);
        QTRY_COMPARE(current(), 0);
        QQuickItem *list = app.item(u"conversationList"_s);
        QTRY_VERIFY(list->hasActiveFocus());
        QCOMPARE(list->property("currentIndex").toInt(), 0);
        QTest::keyClick(window, Qt::Key_Down);
        QTest::keyClick(window, Qt::Key_Down);
        QTRY_COMPARE(list->property("currentIndex").toInt(), 2);
        QTest::keyClick(window, Qt::Key_Return);
        QTRY_COMPARE(current(), world.pair);
        QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));
    }

    // Tab goes round the chat page, and where the focus is shows: each control looks
    // different with the focus than without it (text fields show their caret; the others
    // are compared pixel by pixel).
    void theFocusedControlIsVisible()
    {
        ThreeChats world;
        QVERIFY(world.startAll());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 3));
        app.messenger.chat().openConversation(world.pair);
        QTRY_COMPARE(visibleItems(app.window, u"messageText"_s).size(), 1);
        QMetaObject::invokeMethod(app.item(u"composerField"_s), "forceActiveFocus");
        QTRY_COMPARE(app.window->activeFocusItem(), app.item(u"composerField"_s));

        QStringList seen;
        for (int stop = 0; stop < 10; ++stop) {
            QTest::keyClick(app.window, Qt::Key_Tab);
            QQuickItem *focused = app.window->activeFocusItem();
            QVERIFY(focused);
            const QString name = u"%1 (%2)"_s.arg(
                QLatin1StringView(focused->metaObject()->className()), focused->objectName());
            if (focused == app.item(u"composerField"_s))
                break; // round
            seen.append(name);
            if (focused->inherits("QQuickTextInput") || focused->inherits("QQuickTextEdit"))
                continue;
            const QRect area = focused->mapRectToScene(focused->boundingRect()).toAlignedRect();
            const QImage withFocus = app.window->grabWindow().copy(area);
            QMetaObject::invokeMethod(app.item(u"composerField"_s), "forceActiveFocus");
            QTRY_VERIFY(!focused->hasActiveFocus());
            const QImage without = app.window->grabWindow().copy(area);
            QVERIFY2(withFocus != without, qPrintable(name + u" shows no focus"_s));
            // Back to where the walk was.
            focused->forceActiveFocus(Qt::TabFocusReason);
            QTRY_VERIFY(focused->hasActiveFocus());
        }
        QVERIFY2(seen.size() >= 3, qPrintable(seen.join(u", "_s))); // list, +, menu, ...
    }

    // At 600 px the list and the conversation take turns; a way back leads to the list.
    void aNarrowWindowShowsOnePane()
    {
        ThreeChats world;
        QVERIFY(world.startAll());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 3));
        app.window->resize(600, 640);
        QQuickItem *listPane = app.item(u"listPane"_s);
        QQuickItem *chatPane = app.item(u"chatPane"_s);
        QTRY_VERIFY(!chatPane->isVisible());
        QVERIFY(listPane->isVisible());
        QTRY_COMPARE(listPane->width(), 600.0);

        const auto rows = visibleItems(app.window, u"previewText"_s);
        QVERIFY(!rows.isEmpty());
        click(app.window, rows.constFirst());
        QTRY_VERIFY(chatPane->isVisible());
        QVERIFY(!listPane->isVisible());
        QTRY_COMPARE(chatPane->width(), 600.0);
        QTRY_COMPARE(visibleItems(app.window, u"messageText"_s).size(), 1);
        screenshot(app.window, u"narrow"_s);
        QQuickItem *back = app.item(u"backButton"_s);
        QVERIFY(back->isVisible());
        click(app.window, back);
        QTRY_VERIFY(listPane->isVisible());
        QCOMPARE(app.messenger.chat().currentConversationId(), 0);

        app.window->resize(1000, 640); // wide again: both
        app.messenger.chat().openConversation(world.pair);
        QTRY_VERIFY(chatPane->isVisible());
        QTRY_VERIFY(listPane->isVisible());
        QTRY_VERIFY(listPane->width() < 400);
        QVERIFY(!app.item(u"backButton"_s)->isVisible());
    }

    // A muted conversation carries a mark and is left out of the title's count; a message
    // typed offline is the list's preview at once.
    void theListShowsMutedAndQueued()
    {
        ThreeChats world;
        QVERIFY(world.startAll());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 3));
        QTRY_COMPARE(app.window->title(), u"(3) alice \u2014 Pitchey Messenger"_s);
        QTRY_VERIFY(app.messenger.settings().loaded());
        app.messenger.settings().setMuted(world.withCarol, true);
        QTRY_COMPARE(app.window->title(), u"(2) alice \u2014 Pitchey Messenger"_s);
        QTRY_COMPARE(visibleItems(app.window, u"mutedMark"_s).size(), 1);

        app.messenger.chat().openConversation(world.pair);
        world.server.stop(); // offline
        QTRY_VERIFY(app.messenger.chat().connectionState() !=
                    client::ChatController::ConnectionState::Connected);
        QVERIFY(app.messenger.chat().send(u"typed on the train"_s));
        QTRY_VERIFY(
            visibleTexts(app.window, u"previewText"_s).contains(u"You: typed on the train"_s));
    }
};

QTEST_MAIN(TestAppNavigation)
#include "tst_app_navigation.moc"
