// What a person does to messages in the real window (keys and clicks): edit one (Up in an
// empty composer, or the context menu), delete one (after saying yes), react to one (the
// picker, the chips), mention someone ("@" and a name from the list), and see the other
// side's edits, deletes, reactions and mentions arrive.
#include "AppDriver.h"
#include "models/MessageListModel.h"

#include <tuple>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

namespace {

// The text of every message bubble on screen, oldest first.
QStringList shownTexts(RunningApp &app)
{
    QList<QQuickItem *> items = visibleItems(app.window, u"messageText"_s);
    std::sort(items.begin(), items.end(), [](QQuickItem *a, QQuickItem *b) {
        return a->mapToScene({0, 0}).y() < b->mapToScene({0, 0}).y();
    });
    QStringList texts;
    for (QQuickItem *item : items)
        texts.append(item->property("text").toString());
    return texts;
}

QQuickItem *bubbleShowing(RunningApp &app, const QString &text)
{
    for (QQuickItem *bubble : visibleItems(app.window, u"bubble"_s)) {
        auto *body = bubble->findChild<QQuickItem *>(u"messageText"_s);
        if (body && body->property("text").toString() == text)
            return bubble;
    }
    return nullptr;
}

// Whether the popup (a dialog, a menu) called `name` is open.
bool isOpen(RunningApp &app, const QString &name)
{
    const QObject *popup = app.window->findChild<QObject *>(name);
    return popup && popup->property("opened").toBool();
}

// Whether it is on screen at all (opening, open or closing).
bool isShown(RunningApp &app, const QString &name)
{
    const QObject *popup = app.window->findChild<QObject *>(name);
    return popup && popup->property("visible").toBool();
}

// Chooses an entry of the open menu with the keyboard: down to it, then Return.
void choose(RunningApp &app, const QString &entry)
{
    QObject *menu = app.window->findChild<QObject *>(u"messageMenu"_s);
    QQuickItem *item = visibleItems(app.window, entry).value(0);
    QVERIFY(menu && item);
    for (int step = 0; step < 8 && !item->property("highlighted").toBool(); ++step)
        QTest::keyClick(app.window, Qt::Key_Down);
    QVERIFY(item->property("highlighted").toBool());
    QTest::keyClick(app.window, Qt::Key_Return);
}

void rightClick(RunningApp &app, QQuickItem *item)
{
    QTest::mouseClick(app.window, Qt::RightButton, {},
                      item->mapToScene({4, item->height() - 4}).toPoint());
}

// Whether a message with this text is (at least partly) inside the message list's view.
bool inSight(RunningApp &app, const QString &text)
{
    QQuickItem *list = app.item(u"messageList"_s);
    const auto items = visibleItems(app.window, u"messageText"_s);
    return std::any_of(items.cbegin(), items.cend(), [&](QQuickItem *item) {
        const QPointF top = item->mapToItem(list, QPointF(0, 0));
        return item->property("text").toString() == text && top.y() + item->height() > 0 &&
               top.y() < list->height();
    });
}

// The server's copy of the conversation, as Bob reads it: [content, or "(deleted)"].
QStringList serverHistory(TwoPeople &world)
{
    const auto history =
        world.http->get(u"/api/messages/%1/messages"_s.arg(world.pair), world.bob.token);
    QStringList contents;
    for (const auto &message : history.body.value("messages"_L1).toArray())
        contents.append(message["deletedAt"_L1].isNull() ? message["content"_L1].toString()
                                                         : u"(deleted)"_s);
    return contents;
}

} // namespace

class TestAppActions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useOwnSettings(u"tst_app_actions"_s); }

    void upInAnEmptyComposerEditsTheLastMessage()
    {
        TwoPeople world;
        QVERIFY(world.start());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        QTest::keyClick(app.window, Qt::Key_Down, Qt::AltModifier); // opens the first chat
        QTRY_COMPARE(app.messenger.chat().currentConversationId(), world.pair);
        QQuickItem *field = app.item(u"composerField"_s);
        QTRY_VERIFY(field->hasActiveFocus());
        type(app.window, u"helo wrold"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_COMPARE(serverHistory(world), QStringList{u"helo wrold"_s});

        QTest::keyClick(app.window, Qt::Key_Up);
        QTRY_VERIFY(app.item(u"editBar"_s)->isVisible());
        QCOMPARE(field->property("text").toString(), u"helo wrold"_s);
        QTest::keyClick(app.window, Qt::Key_A, Qt::ControlModifier);
        type(app.window, u"hello world"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_VERIFY(!app.item(u"editBar"_s)->isVisible());
        QCOMPARE(field->property("text").toString(), QString()); // the composer is back
        QCOMPARE(shownTexts(app), QStringList{u"hello world"_s});
        QTRY_COMPARE(visibleItems(app.window, u"editedMark"_s).size(), 1);
        QTRY_COMPARE(serverHistory(world), QStringList{u"hello world"_s});
        // "edited" shows what it was.
        click(app.window, visibleItems(app.window, u"editedMark"_s).constFirst());
        QTRY_VERIFY(isOpen(app, u"versionsDialog"_s));
        QTRY_COMPARE(visibleTexts(app.window, u"versionText"_s),
                     (QStringList{u"helo wrold"_s, u"hello world"_s}));
        screenshot(app.window, u"versions"_s);
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_VERIFY(!isShown(app, u"versionsDialog"_s));
        QTRY_VERIFY(field->hasActiveFocus());

        // Esc gives up an edit, and the draft typed before is back.
        type(app.window, u"a draft"_s);
        QTest::keyClick(app.window, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(app.window, Qt::Key_Delete);
        QTest::keyClick(app.window, Qt::Key_Up);
        QTRY_VERIFY(app.item(u"editBar"_s)->isVisible());
        type(app.window, u" never saved"_s);
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_VERIFY(!app.item(u"editBar"_s)->isVisible());
        QCOMPARE(shownTexts(app), QStringList{u"hello world"_s});
        QCOMPARE(app.messenger.chat().currentConversationId(), world.pair); // still open
        screenshot(app.window, u"edited"_s);
    }

    void theMenuDeletesAfterAskingAndOnlyOwnMessages()
    {
        TwoPeople world;
        QVERIFY(world.start());
        world.say(world.bob, world.pair, u"from bob"_s);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.chat().openConversation(world.pair);
        QVERIFY(app.messenger.chat().send(u"from alice"_s));
        QTRY_COMPARE(serverHistory(world), (QStringList{u"from bob"_s, u"from alice"_s}));
        QTRY_VERIFY(app.messenger.chat().lastEditable().contains(u"messageId"_s));

        // Someone else's message: copy, nothing to edit or delete.
        QTRY_VERIFY(bubbleShowing(app, u"from bob"_s));
        rightClick(app, bubbleShowing(app, u"from bob"_s));
        QTRY_VERIFY(isOpen(app, u"messageMenu"_s));
        QVERIFY(!visibleItems(app.window, u"copyMessage"_s).isEmpty());
        QVERIFY(visibleItems(app.window, u"deleteMessage"_s).isEmpty());
        QVERIFY(visibleItems(app.window, u"editMessage"_s).isEmpty());
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_VERIFY(!isShown(app, u"messageMenu"_s));

        rightClick(app, bubbleShowing(app, u"from alice"_s));
        QTRY_VERIFY(isOpen(app, u"messageMenu"_s)); // in place, its opening transition over
        QVERIFY(!visibleItems(app.window, u"deleteMessage"_s).isEmpty());
        choose(app, u"deleteMessage"_s);
        QTRY_VERIFY(isOpen(app, u"deleteDialog"_s));
        screenshot(app.window, u"delete-confirmation"_s);
        // Cancel first: nothing happens.
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_VERIFY(!isOpen(app, u"deleteDialog"_s));
        QCOMPARE(serverHistory(world), (QStringList{u"from bob"_s, u"from alice"_s}));

        rightClick(app, bubbleShowing(app, u"from alice"_s));
        QTRY_VERIFY(isOpen(app, u"messageMenu"_s)); // in place, its opening transition over
        QVERIFY(!visibleItems(app.window, u"deleteMessage"_s).isEmpty());
        choose(app, u"deleteMessage"_s);
        QTRY_VERIFY(isOpen(app, u"deleteDialog"_s));
        QTest::keyClick(app.window, Qt::Key_Return); // the default: Delete
        QTRY_COMPARE(shownTexts(app), (QStringList{u"from bob"_s, u"Message deleted"_s}));
        QTRY_COMPARE(serverHistory(world), (QStringList{u"from bob"_s, u"(deleted)"_s}));
        // The list's preview is the newest message left.
        QTRY_COMPARE(app.messenger.chat().conversations()->find(world.pair)->lastMessage->content,
                     u"from bob"_s);
        // Focus is back where the typing goes.
        QTRY_VERIFY(app.item(u"composerField"_s)->hasActiveFocus());
    }

    void aReplyQuotesItsParentAndLeadsBackToIt()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const qint64 question = world.say(world.bob, world.pair, u"the question"_s);
        qint64 last = 0;
        for (int i = 0; i < 120; ++i) // far more than a page: the question is not loaded
            last = world.say(world.bob, world.pair, u"chatter %1"_s.arg(i));
        QVERIFY(world.read(world.alice, last)); // read elsewhere: it opens at the newest
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        QTest::keyClick(app.window, Qt::Key_Down, Qt::AltModifier);
        QTRY_VERIFY(inSight(app, u"chatter 119"_s));
        QVERIFY(app.messenger.chat().messages()->rowOfMessage(question) < 0);
        const auto reply = world.http->post(u"/api/messages/send"_s,
                                            {{"conversationId"_L1, world.pair},
                                             {"content"_L1, u"the answer, at last"_s},
                                             {"replyToId"_L1, question}},
                                            world.bob.token);
        QCOMPARE(reply.status, 201);
        QTRY_VERIFY(inSight(app, u"the answer, at last"_s));
        const auto quote = [&]() -> QQuickItem * {
            QQuickItem *bubble = bubbleShowing(app, u"the answer, at last"_s);
            auto *found = bubble ? bubble->findChild<QQuickItem *>(u"replyQuote"_s) : nullptr;
            return found && found->isVisible() && found->height() > 0 ? found : nullptr;
        };
        QTRY_VERIFY(quote());
        // A click on the quote: loaded from the server and brought into sight. (Clicked
        // again if the first came while the new bubble was still being laid out under it.)
        for (int attempt = 0; attempt < 3 && !inSight(app, u"the question"_s); ++attempt) {
            QTRY_VERIFY(quote());
            click(app.window, quote());
            std::ignore = QTest::qWaitFor([&] { return inSight(app, u"the question"_s); }, 8000);
        }
        QVERIFY(inSight(app, u"the question"_s));
        screenshot(app.window, u"reply-revealed"_s);

        // Alice answers a message through its menu: the composer shows what she answers.
        rightClick(app, bubbleShowing(app, u"the question"_s));
        QTRY_VERIFY(isOpen(app, u"messageMenu"_s));
        choose(app, u"replyToMessage"_s);
        QTRY_VERIFY(app.item(u"editBar"_s)->isVisible());
        QTRY_VERIFY(app.item(u"composerField"_s)->hasActiveFocus());
        type(app.window, u"noted"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_VERIFY(!app.item(u"editBar"_s)->isVisible());
        QTRY_VERIFY(inSight(app, u"noted"_s));
        // Sent: the view is at its very bottom, the whole reply in sight (the composer's
        // reply bar went away as it was sent, and the view grew under it).
        QTRY_VERIFY(app.item(u"messageList"_s)->property("atYEnd").toBool());
        QVERIFY(!app.item(u"jumpToNewest"_s)->isVisible());
        QTRY_COMPARE(
            world.http->get(u"/api/messages/%1/messages?limit=1"_s.arg(world.pair), world.bob.token)
                .body["messages"_L1][0]["replyToId"_L1]
                .toInteger(),
            question);
    }

    void aReactionFromThePickerShowsAsAChipThatTakesItBack()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const qint64 logo = world.say(world.bob, world.pair, u"new logo"_s);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.chat().openConversation(world.pair);
        QTRY_VERIFY(bubbleShowing(app, u"new logo"_s));
        // The menu offers it; the pointer over the bubble shows its button. (Clicked again
        // when the view was still placing itself under the pointer.)
        for (int attempt = 0; attempt < 3 && !isOpen(app, u"messageMenu"_s); ++attempt) {
            rightClick(app, bubbleShowing(app, u"new logo"_s));
            std::ignore = QTest::qWaitFor([&] { return isOpen(app, u"messageMenu"_s); }, 1000);
        }
        QVERIFY(isOpen(app, u"messageMenu"_s));
        QCOMPARE(visibleItems(app.window, u"reactToMessage"_s).size(), 1);
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_VERIFY(!isShown(app, u"messageMenu"_s));
        // (Tried again when the view moved under the pointer meanwhile: the "New messages"
        // line goes once the message is seen.)
        for (int attempt = 0; attempt < 3 && !isOpen(app, u"emojiPicker"_s); ++attempt) {
            QQuickItem *bubble = bubbleShowing(app, u"new logo"_s);
            QTest::mouseMove(app.window, bubble->mapToScene({bubble->width() / 2, 4}).toPoint());
            QTRY_COMPARE(visibleItems(app.window, u"reactButton"_s).size(), 1);
            QQuickItem *react = visibleItems(app.window, u"reactButton"_s).constFirst();
            QTest::mouseMove(app.window, react->mapToScene({react->width() / 2, 2}).toPoint());
            click(app.window, react);
            std::ignore = QTest::qWaitFor([&] { return isOpen(app, u"emojiPicker"_s); }, 1000);
        }
        QVERIFY(isOpen(app, u"emojiPicker"_s));
        QTRY_VERIFY(app.item(u"emojiSearch"_s)->hasActiveFocus());
        type(app.window, u"popper"_s);
        QTRY_COMPARE(app.item(u"emojiGrid"_s)->property("count").toInt(), 1);
        screenshot(app.window, u"reaction-picker"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_VERIFY(!isShown(app, u"emojiPicker"_s));

        const QString party = u"\U0001F389"_s;
        const auto reactionsOnServer = [&] {
            return world.http->get(u"/api/messages/%1/messages"_s.arg(world.pair), world.bob.token)
                .body["messages"_L1][0]["reactions"_L1]
                .toArray();
        };
        QTRY_COMPARE(visibleItems(app.window, u"reactionChip"_s).size(), 1);
        QTRY_COMPARE(reactionsOnServer().size(), 1);
        QCOMPARE(reactionsOnServer()[0]["emoji"_L1].toString(), party);
        // Bob's reaction arrives as a second chip; Alice's own is the checked one. It is no
        // message: nothing more to read (once the one shown is read).
        QTRY_COMPARE(app.messenger.chat().conversations()->find(world.pair)->unreadCount, 0);
        QCOMPARE(world.http
                     ->send("PUT", u"/api/messages/%1/reactions/\U0001F44D"_s.arg(logo), {},
                            world.bob.token)
                     .status,
                 200);
        QTRY_COMPARE(visibleItems(app.window, u"reactionChip"_s).size(), 2);
        QTRY_VERIFY(app.messenger.chat().cache()->nextOutgoing() == std::nullopt); // settled
        const auto chipsInOrder = [&] {
            QList<QQuickItem *> chips = visibleItems(app.window, u"reactionChip"_s);
            std::sort(chips.begin(), chips.end(), [](QQuickItem *a, QQuickItem *b) {
                return a->mapToScene({0, 0}).x() < b->mapToScene({0, 0}).x();
            });
            return chips;
        };
        // Laid out side by side (a Flow places new chips on its next polish).
        QTRY_VERIFY(chipsInOrder().at(0)->mapToScene({0, 0}).x() + chipsInOrder().at(0)->width() <=
                    chipsInOrder().at(1)->mapToScene({0, 0}).x());
        QVERIFY(chipsInOrder().at(0)->property("checked").toBool());
        QVERIFY(!chipsInOrder().at(1)->property("checked").toBool());
        QCOMPARE(app.messenger.chat().conversations()->find(world.pair)->unreadCount, 0);
        screenshot(app.window, u"reactions"_s);

        // A click on her chip takes hers back.
        click(app.window, chipsInOrder().at(0));
        QTRY_COMPARE(visibleItems(app.window, u"reactionChip"_s).size(), 1);
        QTRY_COMPARE(reactionsOnServer().size(), 1);
        QCOMPARE(reactionsOnServer()[0]["emoji"_L1].toString(), u"\U0001F44D"_s);
        // And a click on Bob's adds hers to it.
        click(app.window, visibleItems(app.window, u"reactionChip"_s).constFirst());
        QTRY_COMPARE(reactionsOnServer()[0]["count"_L1].toInt(), 2);
    }

    void aThreadOpensBesideTheConversationWithItsOwnComposer()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const qint64 root = world.say(world.bob, world.pair, u"release friday?"_s);
        world.say(world.bob, world.pair, u"or monday"_s);
        QCOMPARE(world.http
                     ->post(u"/api/messages/send"_s,
                            {{"conversationId"_L1, world.pair},
                             {"content"_L1, u"friday is fine"_s},
                             {"threadRootId"_L1, root}},
                            world.bob.token)
                     .status,
                 201);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.chat().openConversation(world.pair);
        // The root says how many replies it has; the reply itself is not in the conversation.
        QTRY_COMPARE(visibleTexts(app.window, u"threadSummary"_s).size(), 1);
        QVERIFY(visibleTexts(app.window, u"threadSummary"_s)
                    .constFirst()
                    .startsWith(u"1 reply \u00b7 last "_s));
        QVERIFY(!bubbleShowing(app, u"friday is fine"_s));

        // A click on it opens the thread beside the conversation, its composer ready.
        // (Clicked again when the view was still placing itself under the pointer.)
        for (int attempt = 0; attempt < 3 && app.messenger.chat().threadRootId() == 0; ++attempt) {
            click(app.window, visibleItems(app.window, u"threadSummary"_s).constFirst());
            std::ignore =
                QTest::qWaitFor([&] { return app.messenger.chat().threadRootId() != 0; }, 1000);
        }
        QCOMPARE(app.messenger.chat().threadRootId(), root);
        QTRY_VERIFY(bubbleShowing(app, u"friday is fine"_s));
        QQuickItem *panel = app.item(u"threadList"_s);
        QVERIFY(panel->isAncestorOf(bubbleShowing(app, u"friday is fine"_s)));
        QVERIFY(app.item(u"messageList"_s)->isVisible()); // beside it, in a wide window
        QQuickItem *threadField =
            app.item(u"threadComposer"_s)->findChild<QQuickItem *>(u"composerField"_s);
        QTRY_VERIFY(threadField->hasActiveFocus());
        // Bob's thread: Alice does not follow it until she replies.
        QQuickItem *follow = app.item(u"followThread"_s);
        QCOMPARE(follow->property("text").toString(), u"Follow"_s);
        type(app.window, u"works for me"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        const auto threadOnServer = [&] {
            QStringList contents;
            const auto page = world.http->get(
                u"/api/messages/%1/messages?threadRootId=%2"_s.arg(world.pair).arg(root),
                world.bob.token);
            for (const auto &message : page.body["messages"_L1].toArray())
                contents.append(message["content"_L1].toString());
            return contents;
        };
        QTRY_COMPARE(threadOnServer(), (QStringList{u"friday is fine"_s, u"works for me"_s}));
        QTRY_VERIFY(bubbleShowing(app, u"works for me"_s));
        QVERIFY(panel->isAncestorOf(bubbleShowing(app, u"works for me"_s)));
        QTRY_VERIFY(
            visibleTexts(app.window, u"threadSummary"_s).constFirst().startsWith(u"2 replies"_s));
        QCOMPARE(serverHistory(world).size(), 4); // nothing went to the main view
        QCOMPARE(follow->property("text").toString(), u"Following"_s);
        screenshot(app.window, u"thread"_s);
        // A click stops following it, once the server agrees.
        click(app.window, follow);
        QCOMPARE(follow->property("text").toString(), u"Follow"_s);
        QTRY_VERIFY(!app.messenger.chat().threadFollowPending());
        QVERIFY(!app.messenger.chat().threadFollowing());
        QVERIFY(threadField->hasActiveFocus());

        // Esc closes it, and the typing goes back to the conversation.
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_COMPARE(app.messenger.chat().threadRootId(), 0);
        QTRY_VERIFY(!app.item(u"threadList"_s));
        QTRY_VERIFY(app.item(u"composerField"_s)->hasActiveFocus());
        QCOMPARE(app.messenger.chat().currentConversationId(), world.pair);

        // The menu starts a thread on any message.
        rightClick(app, bubbleShowing(app, u"or monday"_s));
        QTRY_VERIFY(isOpen(app, u"messageMenu"_s));
        choose(app, u"replyInThread"_s);
        QTRY_VERIFY(app.messenger.chat().threadRootId() > root);
        QTRY_VERIFY(app.item(u"threadComposer"_s));
        threadField = app.item(u"threadComposer"_s)->findChild<QQuickItem *>(u"composerField"_s);
        QTRY_VERIFY(threadField->hasActiveFocus());
    }

    void atOffersThePeopleAndAMentionIsMarked()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const auto carol = world.http->registerUser(u"carol"_s);
        const qint64 group = world.startConversation(world.bob, {world.alice.id, carol.id});
        const auto mention = world.http->post(
            u"/api/messages/send"_s,
            {{"conversationId"_L1, group},
             {"content"_L1, u"@alice can you?"_s},
             {"mentions"_L1, QJsonObject{{"userIds"_L1, QJsonArray{world.alice.id}}}}},
            world.bob.token);
        QCOMPARE(mention.status, 201);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 2));
        // The list marks the conversation that mentions Alice.
        QTRY_COMPARE(visibleItems(app.window, u"mentionMark"_s).size(), 1);
        app.messenger.chat().openConversation(group);
        QTRY_COMPARE(shownTexts(app).size(), 1);
        // Her own name stands out in the bubble.
        client::MessageListModel *messages = app.messenger.chat().messages();
        const QString html =
            messages->data(messages->index(0), client::MessageListModel::LinkedHtmlRole).toString();
        QVERIFY2(html.contains(u"<b style=\"color: "_s) && html.contains(u"@alice</b>"_s),
                 qPrintable(html));

        // "@" offers the others; the keyboard takes one.
        QQuickItem *field = app.item(u"composerField"_s);
        field->forceActiveFocus();
        QTRY_VERIFY(field->hasActiveFocus());
        type(app.window, u"thanks @"_s);
        QTRY_VERIFY(isOpen(app, u"mentionPopup"_s));
        QTRY_COMPARE(app.item(u"mentionList"_s)->property("count").toInt(), 3); // bob, carol, all
        screenshot(app.window, u"mention-offered"_s);
        type(app.window, u"ca"_s);
        QTRY_COMPARE(app.item(u"mentionList"_s)->property("count").toInt(), 1);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_COMPARE(field->property("text").toString(), u"thanks @carol "_s);
        QVERIFY(!isShown(app, u"mentionPopup"_s));
        type(app.window, u"too"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_COMPARE(world.http->get(u"/api/messages/%1/messages"_s.arg(group), carol.token)
                         .body["messages"_L1][1]["mentions"_L1]
                         .toObject(),
                     (QJsonObject{{"userIds"_L1, QJsonArray{carol.id}}, {"all"_L1, false}}));
    }

    void theOtherSidesChangesArriveInPlace()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const qint64 typo = world.say(world.bob, world.pair, u"meet at 5"_s);
        const qint64 oops = world.say(world.bob, world.pair, u"wrong chat, sorry"_s);
        world.say(world.bob, world.pair, u"see you"_s);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.chat().openConversation(world.pair);
        QTRY_COMPARE(shownTexts(app),
                     (QStringList{u"meet at 5"_s, u"wrong chat, sorry"_s, u"see you"_s}));
        QCOMPARE(world.http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(typo), R"({"content": "meet at 6"})",
                            world.bob.token)
                     .status,
                 200);
        QCOMPARE(
            world.http->send("DELETE", u"/api/messages/%1"_s.arg(oops), {}, world.bob.token).status,
            200);
        QTRY_COMPARE(shownTexts(app),
                     (QStringList{u"meet at 6"_s, u"Message deleted"_s, u"see you"_s}));
        QCOMPARE(visibleItems(app.window, u"editedMark"_s).size(), 1);
        screenshot(app.window, u"changes-arrived"_s);
    }
};

QTEST_MAIN(TestAppActions)
#include "tst_app_actions.moc"
