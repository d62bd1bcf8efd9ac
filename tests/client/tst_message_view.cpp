// The open conversation as a person sees it: where it opens, the "New messages" line, the
// way back to the newest message.
#include "AppDriver.h"
#include "MediaFiles.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

namespace {

// Whether a message with this text is on screen, wholly or in part.
bool shows(RunningApp &app, const QString &text)
{
    QQuickItem *list = app.item(u"messageList"_s);
    const auto items = visibleItems(app.window, u"messageText"_s);
    return std::any_of(items.cbegin(), items.cend(), [&](QQuickItem *item) {
        const QPointF top = item->mapToItem(list, QPointF(0, 0));
        // (A line of a longer message: where that line is.)
        const QString content = item->property("text").toString();
        const qsizetype line = content.split(u'\n').indexOf(text);
        if (content != text && line < 0)
            return false;
        const qreal lineHeight = item->height() / std::max<qsizetype>(1, content.count(u'\n') + 1);
        const qreal from = top.y() + (content == text ? 0 : line * lineHeight);
        const qreal to = content == text ? top.y() + item->height() : from + lineHeight;
        return to > 0 && from < list->height();
    });
}

// Bob's conversation with Alice gets five messages, and Carol starts one with her (where
// Alice looks while Bob writes more). Returns Carol's conversation.
qint64 fiveOldAndCarol(TwoPeople &world)
{
    const auto carol = world.http->registerUser(u"carol"_s);
    const qint64 withCarol = world.startConversation(carol, {world.alice.id});
    for (int i = 0; i < 5; ++i)
        world.say(world.bob, world.pair, u"old %1"_s.arg(i));
    return withCarol;
}

// Alice reads the five (they all fit), then looks at Carol's conversation while Bob sends
// `count` more ("new 0", "new 1", ...): they wait unread.
bool readThenAway(TwoPeople &world, RunningApp &app, qint64 withCarol, int count)
{
    client::ChatController &chat = app.messenger.chat();
    chat.openConversation(world.pair);
    if (!QTest::qWaitFor([&] { return chat.currentUnread() == 0; }))
        return false;
    chat.openConversation(withCarol);
    for (int i = 0; i < count; ++i)
        world.say(world.bob, world.pair, u"new %1"_s.arg(i));
    return QTest::qWaitFor([&] { return chat.unreadTotal() == count; });
}

// Where Qt.openUrlExternally sends an address (instead of a browser).
class UrlCatcher : public QObject
{
    Q_OBJECT

public:
    QList<QUrl> urls;

public Q_SLOTS:
    void open(const QUrl &url) { urls.append(url); }
};

// A mouse wheel turned `steps` notches down over `item`.
void wheelDown(QQuickWindow *window, QQuickItem *item, int steps)
{
    const QPointF at = item->mapToScene({item->width() / 2, item->height() / 2});
    QWheelEvent event(at, window->mapToGlobal(at), QPoint(), QPoint(0, -120 * steps), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    // (Time moves on between notches: the view measures the wheel's speed by it.)
    static QElapsedTimer clock;
    if (!clock.isValid())
        clock.start();
    event.setTimestamp(quint64(clock.elapsed()) + 1);
    QCoreApplication::sendEvent(window, &event);
}

} // namespace

class TestMessageView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useOwnSettings(u"tst_message_view"_s); }

    // Read up to a point, away while 80 more arrive (more than a page): the conversation
    // opens at the first of them, under the line, and the bar below the messages counts
    // what waits further down.
    void opensAtTheFirstUnreadUnderTheNewMessagesLine()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const qint64 withCarol = fiveOldAndCarol(world);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 2));
        client::ChatController &chat = app.messenger.chat();
        QVERIFY(readThenAway(world, app, withCarol, 80));

        chat.openConversation(world.pair);
        QQuickItem *list = app.item(u"messageList"_s);
        QTRY_COMPARE(visibleItems(app.window, u"newMessagesLine"_s).size(), 1);
        QQuickItem *line = visibleItems(app.window, u"newMessagesLine"_s).constFirst();
        QTRY_VERIFY(shows(app, u"new 0"_s));
        const qreal lineAt = line->mapToItem(list, QPointF(0, 0)).y();
        QVERIFY2(lineAt >= 0 && lineAt < list->height() / 3, qPrintable(QString::number(lineAt)));
        QVERIFY(!shows(app, u"new 79"_s));
        screenshot(app.window, u"new-messages"_s);
        // What is on screen is read; the rest is counted on the bar.
        QTRY_VERIFY(chat.currentUnread() > 0 && chat.currentUnread() < 80);
        QQuickItem *jump = app.item(u"jumpToNewest"_s);
        QVERIFY(jump->isVisible());
        QTRY_VERIFY(jump->property("text").toString().contains(
            u"%1 new message"_s.arg(chat.currentUnread())));
        // The bar is below the messages: it covers none of them.
        QVERIFY(jump->mapToScene({0, 0}).y() >= list->mapToScene({0, list->height()}).y());

        click(app.window, jump);
        QTRY_VERIFY(shows(app, u"new 79"_s));
        QTRY_VERIFY(list->property("atYEnd").toBool());
        QTRY_COMPARE(chat.currentUnread(), 0);
        QVERIFY(!jump->isVisible());
    }

    // More unread than the most loaded at once (500): it opens at the first of them all the
    // same, under the line; newer ones come in below as the wheel goes down, the view
    // staying where it is; one arriving meanwhile waits its turn; the jump button loads
    // the newest.
    void moreUnreadThanOnePageOpensAtTheFirst()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const qint64 withCarol = fiveOldAndCarol(world);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 2));
        client::ChatController &chat = app.messenger.chat();
        QVERIFY(readThenAway(world, app, withCarol, 620));

        chat.openConversation(world.pair);
        client::MessageListModel &model = *chat.messages();
        QVERIFY(model.hasNewer());
        QCOMPARE(model.rowCount(), 5 + 100); // what came before the line, a page after it
        QQuickItem *list = app.item(u"messageList"_s);
        QTRY_COMPARE(visibleItems(app.window, u"newMessagesLine"_s).size(), 1);
        QTRY_VERIFY(shows(app, u"new 0"_s));
        const auto lineAt = [&] {
            return visibleItems(app.window, u"newMessagesLine"_s)
                .constFirst()
                ->mapToItem(list, QPointF(0, 0))
                .y();
        };
        QTRY_VERIFY2(lineAt() >= 0 && lineAt() < list->height() / 3,
                     qPrintable(QString::number(lineAt())));
        QQuickItem *jump = app.item(u"jumpToNewest"_s);
        QTRY_VERIFY(jump->isVisible());
        // Placed there, nothing more was loaded, and only what is on screen is read.
        QTRY_VERIFY(chat.currentUnread() < 620);
        QCOMPARE(model.rowCount(), 105);
        QVERIFY2(chat.currentUnread() > 600, qPrintable(QString::number(chat.currentUnread())));

        // One arrives while the newest are not loaded: kept for when they are.
        const qint64 live = world.say(world.bob, world.pair, u"while reading"_s);
        QTRY_COMPARE(chat.cache()->newestId(world.pair), live);
        QCOMPARE(model.rowCount(), 105);

        // The wheel, down: the next page comes in below, and the view goes on from where
        // it was (the message under the pointer is one of the first page's, not the newest).
        for (int turn = 0; turn < 200 && model.rowCount() == 105; ++turn) {
            wheelDown(app.window, list, 3);
            std::ignore = QTest::qWaitFor([&] { return model.rowCount() > 105; }, 50);
        }
        QVERIFY(model.rowCount() > 105);
        QVERIFY(model.hasNewer());
        QVERIFY(!shows(app, u"new 199"_s));
        const auto shown = [&] {
            QList<int> numbers;
            for (int i = 0; i < 200; ++i) {
                if (shows(app, u"new %1"_s.arg(i)))
                    numbers.append(i);
            }
            return numbers;
        };
        QVERIFY(!shown().isEmpty());
        QVERIFY2(shown().constLast() < 100, qPrintable(QString::number(shown().constLast())));

        // The jump button: the newest page, at its bottom, the one that waited there too.
        click(app.window, jump);
        QTRY_VERIFY(!model.hasNewer());
        QTRY_VERIFY(shows(app, u"while reading"_s));
        QTRY_VERIFY(list->property("atYEnd").toBool());
        QTRY_COMPARE(chat.currentUnread(), 0);
        QVERIFY(!jump->isVisible());
    }

    // A conversation never opened on this device, with more unread messages than the
    // server gives at once: the older pages come in until the first unread one is there, and
    // it opens there.
    void aConversationNeverOpenedOpensAtItsFirstUnread()
    {
        TwoPeople world;
        QVERIFY(world.start());
        QVERIFY(world.read(world.alice, world.say(world.bob, world.pair, u"read before"_s)));
        WsClient phone; // another device receives them: they are no longer pushed
        QVERIFY(phone.open(world.server.wsUrl(world.alice.token)));
        for (int i = 0; i < 150; ++i) {
            world.say(world.bob, world.pair, u"unread %1"_s.arg(i));
            const QJsonObject frame = phone.waitFor(u"new_message"_s);
            phone.sendJson(
                {{"type"_L1, "message_delivered"_L1}, {"messageId"_L1, frame["messageId"_L1]}});
        }
        phone.sendJson({{"type"_L1, "ping"_L1}});
        QVERIFY(!phone.waitFor(u"pong"_s).isEmpty());
        RunningApp app(world.url); // a new device: nothing cached
        QVERIFY(app.start(u"alice"_s, 1));
        QTRY_COMPARE(app.messenger.chat().unreadTotal(), 150);

        app.messenger.chat().openConversation(world.pair);
        QTRY_VERIFY(shows(app, u"unread 0"_s));
        QQuickItem *list = app.item(u"messageList"_s);
        QTRY_COMPARE(visibleItems(app.window, u"newMessagesLine"_s).size(), 1);
        QQuickItem *line = visibleItems(app.window, u"newMessagesLine"_s).constFirst();
        const auto lineAt = [&] { return line->mapToItem(list, QPointF(0, 0)).y(); };
        QTRY_VERIFY2(lineAt() >= 0 && lineAt() < list->height() / 3,
                     qPrintable(QString::number(lineAt())));
        QVERIFY(!shows(app, u"unread 149"_s));
    }

    // Every message unread, more than fit: it opens at the top, the line over the first
    // message, whether the messages came while the app ran or are fetched as it opens.
    void aConversationAllUnreadOpensAtItsTop_data()
    {
        QTest::addColumn<bool>("whileRunning");
        QTest::newRow("arrived while running") << true;
        QTest::newRow("fetched as it opens") << false;
    }
    void aConversationAllUnreadOpensAtItsTop()
    {
        QFETCH(bool, whileRunning);
        TwoPeople world;
        QVERIFY(world.start());
        const auto say30 = [&] {
            for (int i = 0; i < 30; ++i)
                world.say(world.bob, world.pair, u"unread %1"_s.arg(i));
        };
        if (!whileRunning)
            say30();
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        if (whileRunning)
            say30();
        QTRY_COMPARE(app.messenger.chat().unreadTotal(), 30);

        QVERIFY(openWithKeys(app, world.pair));
        QTRY_VERIFY(shows(app, u"unread 0"_s));
        QQuickItem *list = app.item(u"messageList"_s);
        // (The line's item is looked up each time: the delegate's parts come and go.)
        const auto lineAt = [&] {
            const auto lines = visibleItems(app.window, u"newMessagesLine"_s);
            return lines.size() == 1 ? lines.constFirst()->mapToItem(list, QPointF(0, 0)).y()
                                     : qreal(-1);
        };
        QTRY_VERIFY2(lineAt() >= 0 && lineAt() < list->height() / 3,
                     qPrintable(QString::number(lineAt())));
        QTRY_VERIFY(list->property("atYBeginning").toBool());
        QVERIFY(!shows(app, u"unread 29"_s));
        // What is on screen is read, the rest waits.
        QTRY_VERIFY(app.messenger.chat().currentUnread() < 30);
        QVERIFY(app.messenger.chat().currentUnread() > 0);
        QVERIFY(list->property("atYBeginning").toBool());
        QVERIFY(lineAt() >= 0 && lineAt() < list->height() / 3);
    }

    // From a long conversation opened at its top back to a short one that got two more:
    // that one is read at once, at its bottom, with no jump bar (which, shown and hidden
    // in turn, once kept the view moving).
    void aShortConversationAfterALongOneIsReadAtOnce()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const auto carol = world.http->registerUser(u"carol"_s);
        const qint64 withCarol = world.startConversation(carol, {world.alice.id});
        world.say(carol, withCarol, u"read 0"_s);
        world.say(carol, withCarol, u"read 1"_s);
        for (int i = 0; i < 30; ++i)
            world.say(world.bob, world.pair, u"unread %1"_s.arg(i));
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 2));
        client::ChatController &chat = app.messenger.chat();
        QVERIFY(openWithKeys(app, withCarol));
        QTRY_COMPARE(chat.unreadTotal(), 30);
        QVERIFY(openWithKeys(app, world.pair));
        QTRY_VERIFY(chat.currentUnread() > 0 && chat.currentUnread() < 30);
        QQuickItem *jump = app.item(u"jumpToNewest"_s);
        QVERIFY(jump->isVisible());
        world.say(carol, withCarol, u"again 0"_s);
        world.say(carol, withCarol, u"again 1"_s);
        QTRY_COMPARE(chat.conversations()->find(withCarol)->unreadCount, 2);

        QVERIFY(openWithKeys(app, withCarol));
        QTRY_VERIFY(shows(app, u"again 1"_s));
        QTRY_COMPARE(chat.currentUnread(), 0);
        QVERIFY(!jump->isVisible());
        QVERIFY(app.item(u"messageList"_s)->property("atYEnd").toBool());
    }

    // A short conversation sits above the composer, read or not (the line and all).
    void aShortConversationSitsAboveTheComposer()
    {
        TwoPeople world;
        QVERIFY(world.start());
        world.say(world.bob, world.pair, u"first"_s);
        world.say(world.bob, world.pair, u"second"_s);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        for (int round = 0; round < 2; ++round) { // unread, then read
            app.messenger.chat().openConversation(world.pair);
            QQuickItem *list = app.item(u"messageList"_s);
            QTRY_VERIFY(shows(app, u"second"_s));
            const auto bottomOfNewest = [&] {
                for (QQuickItem *item : visibleItems(app.window, u"messageText"_s)) {
                    if (item->property("text").toString() == u"second"_s)
                        return item->mapToItem(list, QPointF(0, item->height())).y();
                }
                return qreal(-1);
            };
            QTRY_VERIFY2(
                bottomOfNewest() > list->height() - 48,
                qPrintable(
                    u"round %1: %2 of %3"_s.arg(round).arg(bottomOfNewest()).arg(list->height())));
            QCOMPARE(visibleItems(app.window, u"newMessagesLine"_s).size(), round == 0 ? 1 : 0);
            QTRY_COMPARE(app.messenger.chat().currentUnread(), 0); // on screen: read
            app.messenger.chat().closeConversation();
        }
    }

    // Every frame of a scroll moves the list's content, and Qt 6.4 then visits every item
    // under it that watches the viewport (a Text starts so, and one with no text never
    // stops): no part of a message may, or scrolling costs more with every message made.
    void noPartOfAMessageWatchesTheViewport()
    {
        TwoPeople world;
        QVERIFY(world.start());
        world.say(world.bob, world.pair, u"from bob"_s);
        world.say(world.alice, world.pair, u"from alice"_s);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.chat().openConversation(world.pair);
        QTRY_VERIFY(shows(app, u"from alice"_s));
        QTRY_VERIFY(!visibleItems(app.window, u"ticks"_s).isEmpty());
        auto *content = app.item(u"messageList"_s)->property("contentItem").value<QQuickItem *>();
        QVERIFY(content);
        QStringList watching;
        const std::function<void(QQuickItem *)> walk = [&](QQuickItem *item) {
            if (item->flags().testFlag(QQuickItem::ItemObservesViewport))
                watching.append(u"%1 \"%2\""_s.arg(
                    QString::fromLatin1(item->metaObject()->className()), item->objectName()));
            const auto children = item->childItems();
            for (QQuickItem *child : children)
                walk(child);
        };
        walk(content);
        QVERIFY2(watching.isEmpty(), qPrintable(watching.join(u", "_s)));
    }

    // A conversation whose newest message is taller than the view opens at its very end,
    // each time it is opened.
    void aTallNewestMessageIsShownToItsEnd()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const auto carol = world.http->registerUser(u"carol"_s);
        const qint64 withCarol = world.startConversation(carol, {world.alice.id});
        world.say(world.bob, world.pair, u"short"_s);
        QStringList lines;
        for (int i = 0; i < 80; ++i)
            lines.append(u"line %1"_s.arg(i));
        QVERIFY(world.read(world.alice, world.say(world.bob, world.pair, lines.join(u'\n'))));
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 2));
        client::ChatController &chat = app.messenger.chat();
        for (int round = 0; round < 3; ++round) {
            chat.openConversation(withCarol);
            QTRY_COMPARE(app.item(u"conversationTitle"_s)->property("text").toString(), u"carol"_s);
            chat.openConversation(world.pair);
            QQuickItem *list = app.item(u"messageList"_s);
            QTRY_COMPARE(chat.messages()->rowCount(), 2);
            QTRY_VERIFY(list->property("contentHeight").toDouble() > list->height());
            QTRY_VERIFY(list->property("atYEnd").toBool());
            QTRY_VERIFY(!app.item(u"jumpToNewest"_s)->isVisible());
            QVERIFY(shows(app, u"line 79"_s));
        }
    }

    // An http, https or mailto address is a link (the click opens it); another scheme is
    // text. Right click, "Copy text": the whole message is on the clipboard.
    // A photo and a document from bob: the photo's place has its aspect ratio before the
    // thumbnail loads, the thumbnail comes with alice's token; the document is a card that
    // opens the downloaded file with the system's application.
    void filesShowAsThumbnailsAndCards()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const QByteArray jpeg = jpegOf(quadrantImage(1200, 600));
        const QByteArray document = "minutes of the meeting\n";
        const qint64 picture = world.upload(world.bob, jpeg, u"sea.jpg"_s);
        const qint64 notes = world.upload(world.bob, document, u"minutes.txt"_s);
        QVERIFY(picture > 0 && notes > 0);
        QVERIFY(world.sayWithFiles(world.bob, world.pair, u"from the trip"_s, {picture, notes}) >
                0);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.chat().openConversation(world.pair);
        // Found again at each look: the view may make its delegates anew as the page fills.
        const auto tile = [&]() -> QQuickItem * {
            const auto tiles = visibleItems(app.window, u"attachmentImage"_s);
            return tiles.size() == 1 ? tiles.constFirst() : nullptr;
        };
        const auto ready = [&] {
            QQuickItem *picture = tile()->findChild<QQuickItem *>(u"attachmentPicture"_s);
            return picture && picture->property("status").toInt() == 1; // Image.Ready
        };
        // At most 320 wide, 2:1 as the photo, before the picture is there.
        QTRY_VERIFY(tile() && tile()->width() == 320.0);
        QCOMPARE(tile()->height(), 160.0);
        QTRY_VERIFY(tile() && ready());
        QCOMPARE(tile()->height(), 160.0);                              // it did not move
        QCOMPARE(visibleItems(app.window, u"messageText"_s).size(), 1); // the caption

        UrlCatcher opened;
        QDesktopServices::setUrlHandler(u"file"_s, &opened, "open");
        QTRY_COMPARE(visibleItems(app.window, u"attachmentFile"_s).size(), 1);
        click(app.window, visibleItems(app.window, u"attachmentFile"_s).constFirst());
        QTRY_COMPARE(opened.urls.size(), 1);
        QFile downloaded(opened.urls.constFirst().toLocalFile());
        QCOMPARE(QFileInfo(downloaded).fileName(), u"minutes.txt"_s);
        QVERIFY(downloaded.open(QIODevice::ReadOnly));
        QCOMPARE(downloaded.readAll(), document);
        QDesktopServices::unsetUrlHandler(u"file"_s);
    }

    void linksOpenAndMessagesCopy()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const QString text = u"see https://example.org/plan?a=1&b=2 or javascript:alert(1)"_s;
        QVERIFY(world.read(world.alice, world.say(world.bob, world.pair, text)));
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        UrlCatcher opened;
        QDesktopServices::setUrlHandler(u"https"_s, &opened, "open");
        QDesktopServices::setUrlHandler(u"javascript"_s, &opened, "open");
        app.messenger.chat().openConversation(world.pair);
        QTRY_COMPARE(visibleItems(app.window, u"messageText"_s).size(), 1);
        QQuickItem *body = visibleItems(app.window, u"messageText"_s).constFirst();

        // Along the first line: where the pointer is over a link, and what it is.
        QStringList links;
        QPointF onLink;
        for (qreal x = 1; x < body->width(); x += 4) {
            QString link;
            QMetaObject::invokeMethod(body, "linkAt", Q_RETURN_ARG(QString, link), Q_ARG(qreal, x),
                                      Q_ARG(qreal, 8));
            if (!link.isEmpty() && !links.contains(link)) {
                links.append(link);
                onLink = QPointF(x + 2, 8);
            }
        }
        QCOMPARE(links, QStringList{u"https://example.org/plan?a=1&b=2"_s});
        QTest::mouseClick(app.window, Qt::LeftButton, {}, body->mapToScene(onLink).toPoint());
        QTRY_COMPARE(opened.urls, QList<QUrl>{QUrl(u"https://example.org/plan?a=1&b=2"_s)});

        QQuickItem *bubble = visibleItems(app.window, u"bubble"_s).constFirst();
        QTest::mouseClick(app.window, Qt::RightButton, {},
                          bubble->mapToScene({4, bubble->height() - 4}).toPoint());
        QTRY_VERIFY(!visibleItems(app.window, u"copyMessage"_s).isEmpty());
        click(app.window, visibleItems(app.window, u"copyMessage"_s).constFirst());
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), text);
        QDesktopServices::unsetUrlHandler(u"https"_s);
        QDesktopServices::unsetUrlHandler(u"javascript"_s);
    }
};

QTEST_MAIN(TestMessageView)
#include "tst_message_view.moc"
