// What the messenger looks like to a person: every text readable (4.5:1, WCAG AA) on what
// it is drawn on, under a light and a dark system palette, dialogs and menus included.
#include "AppDriver.h"

#include <QAccessible>
#include <QGuiApplication>
#include <QPalette>

#include <optional>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

namespace {

QPalette paletteOf(bool dark)
{
    const auto color = [](const char *name) { return QColor(QLatin1StringView(name)); };
    QPalette palette;
    if (dark) {
        palette.setColor(QPalette::Window, color("#1f2023"));
        palette.setColor(QPalette::WindowText, color("#e8e8e8"));
        palette.setColor(QPalette::Base, color("#2a2c30"));
        palette.setColor(QPalette::AlternateBase, color("#33363b"));
        palette.setColor(QPalette::Text, color("#e8e8e8"));
        palette.setColor(QPalette::Button, color("#34363b"));
        palette.setColor(QPalette::ButtonText, color("#e8e8e8"));
        palette.setColor(QPalette::Highlight, color("#2f6fd0"));
        palette.setColor(QPalette::HighlightedText, color("#ffffff"));
        palette.setColor(QPalette::PlaceholderText, color("#8a8a8a"));
        palette.setColor(QPalette::ToolTipBase, color("#2a2c30"));
        palette.setColor(QPalette::ToolTipText, color("#e8e8e8"));
    } else {
        palette.setColor(QPalette::Window, color("#efefef"));
        palette.setColor(QPalette::WindowText, color("#000000"));
        palette.setColor(QPalette::Base, color("#ffffff"));
        palette.setColor(QPalette::AlternateBase, color("#f7f7f7"));
        palette.setColor(QPalette::Text, color("#000000"));
        palette.setColor(QPalette::Button, color("#efefef"));
        palette.setColor(QPalette::ButtonText, color("#000000"));
        palette.setColor(QPalette::Highlight, color("#308cc6"));
        palette.setColor(QPalette::HighlightedText, color("#ffffff"));
        palette.setColor(QPalette::PlaceholderText, color("#808080"));
        palette.setColor(QPalette::ToolTipBase, color("#ffffdc"));
        palette.setColor(QPalette::ToolTipText, color("#000000"));
    }
    return palette;
}

double luminance(const QColor &color)
{
    const auto linear = [](double x) {
        return x <= 0.03928 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) +
           0.0722 * linear(color.blueF());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

bool isA(const QObject *object, const char *className)
{
    return qstrcmp(object->metaObject()->className(), className) == 0;
}

std::optional<QColor> opaqueFill(const QQuickItem *item)
{
    if (!item || !item->isVisible() || !isA(item, "QQuickRectangle"))
        return {};
    const auto color = item->property("color").value<QColor>();
    if (color.alpha() < 255)
        return {};
    return color;
}

// What a text is drawn on: the nearest opaque rectangle below it (a control's background
// counts, a styled one by its palette's button colour), else the window.
QColor backgroundOf(const QQuickItem *text, const QQuickWindow *window)
{
    for (const QQuickItem *at = text->parentItem(); at; at = at->parentItem()) {
        if (const auto fill = opaqueFill(at))
            return *fill;
        const auto *background = at->property("background").value<QQuickItem *>();
        if (!background || !background->isVisible() || background == text)
            continue;
        if (const auto fill = opaqueFill(background))
            return *fill;
        if (!isA(background, "QQuickRectangle") && background->width() > 0) {
            if (const auto *palette = at->property("palette").value<QObject *>())
                return palette->property("button").value<QColor>();
        }
    }
    return window->color();
}

// Every visible, enabled text under `item` that reads at less than 4.5:1.
void findFaint(const QQuickItem *item, const QQuickWindow *window, QStringList &faint)
{
    if (!item->isVisible() || !item->isEnabled() || item->opacity() < 0.99)
        return;
    const bool isText = item->inherits("QQuickText") || item->inherits("QQuickTextEdit") ||
                        item->inherits("QQuickTextInput"); // Label, TextField, TextArea too
    const QString text = item->property("text").toString();
    if (isText && !text.trimmed().isEmpty()) {
        const auto color = item->property("color").value<QColor>();
        const QColor background = backgroundOf(item, window);
        const double ratio = contrast(color, background);
        if (ratio < 4.5)
            faint.append(
                u"\"%1\" %2 on %3: %4"_s.arg(text.left(30), color.name(), background.name())
                    .arg(ratio, 0, 'f', 2));
    }
    const auto children = item->childItems();
    for (const QQuickItem *child : children)
        findFaint(child, window, faint);
}

QStringList faintTexts(const QQuickWindow *window)
{
    QStringList faint;
    findFaint(window->contentItem(), window, faint);
    return faint;
}

// Every visible, enabled control a person acts on (and each of the app's lists, not a
// style's inner ones), whose accessible name (what a screen
// reader says) is empty or only a symbol.
void findNameless(QQuickItem *item, QStringList &nameless)
{
    if (!item->isVisible() || !item->isEnabled())
        return;
    const bool actionable = item->inherits("QQuickAbstractButton") ||
                            item->inherits("QQuickTextField") || item->inherits("QQuickTextArea") ||
                            item->inherits("QQuickComboBox") || item->inherits("QQuickSpinBox") ||
                            (item->inherits("QQuickItemView") && !item->objectName().isEmpty());
    if (actionable) {
        QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(item);
        const QString name = accessible ? accessible->text(QAccessible::Name) : QString();
        if (!std::any_of(name.cbegin(), name.cend(), [](QChar c) { return c.isLetter(); }))
            nameless.append(u"%1 \"%2\" (%3)"_s.arg(
                QLatin1StringView(item->metaObject()->className()), name, item->objectName()));
    }
    const auto children = item->childItems();
    for (QQuickItem *child : children)
        findNameless(child, nameless);
}

QStringList namelessControls(QQuickWindow *window)
{
    QStringList nameless;
    findNameless(window->contentItem(), nameless);
    return nameless;
}

} // namespace

class TestAppLook : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useOwnSettings(u"tst_app_look"_s); }

    void everyTextReadsInBothPalettes_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }

    void everyTextReadsInBothPalettes()
    {
        QFETCH(bool, dark);
        QGuiApplication::setPalette(paletteOf(!dark));
        TwoPeople world;
        QVERIFY(world.start());
        const auto carol = world.http->registerUser(u"carol"_s);
        const qint64 group = world.startConversation(carol, {world.alice.id, world.bob.id});
        const qint64 question = world.say(carol, group, u"Who brings the maps?"_s);
        // A reply (its quote) and an edited message (its mark) are drawn too; a deleted one
        // is not pushed, so shows when history brings it.
        const qint64 answer = world.http
                                  ->post(u"/api/messages/send"_s,
                                         {{"conversationId"_L1, group},
                                          {"content"_L1, u"I do"_s},
                                          {"replyToId"_L1, question}},
                                         world.bob.token)
                                  .body["message"_L1]["id"_L1]
                                  .toInteger();
        QCOMPARE(world.http
                     ->send("PATCH", u"/api/messages/%1"_s.arg(answer), R"({"content": "I do."})",
                            world.bob.token)
                     .status,
                 200);
        const qint64 gone = world.say(world.bob, group, u"oops"_s);
        QCOMPARE(
            world.http->send("DELETE", u"/api/messages/%1"_s.arg(gone), {}, world.bob.token).status,
            200);
        world.say(world.bob, world.pair, u"Lunch?"_s);

        RunningApp app(world.url);
        QVERIFY(app.messenger.load());
        app.window = qobject_cast<QQuickWindow *>(app.messenger.engine().rootObjects().value(0));
        QTRY_VERIFY(app.item(u"loginPage"_s));
        // The desktop switches while the messenger runs.
        QGuiApplication::setPalette(paletteOf(dark));
        QCOMPARE(app.window->color().lightness() < 128, dark);
        QVERIFY2(faintTexts(app.window).isEmpty(), qPrintable(faintTexts(app.window).join(u'\n')));

        app.window = nullptr;
        QVERIFY(app.start(u"alice"_s, 2));
        app.messenger.chat().openConversation(group);
        QTRY_VERIFY(visibleItems(app.window, u"messageText"_s).size() >= 2);
        QTRY_COMPARE(visibleItems(app.window, u"editedMark"_s).size(), 1);
        QTRY_COMPARE(app.messenger.chat().unreadTotal(), 1);
        findItem(app.window, u"composerField"_s)->setProperty("text", u"typed"_s);
        QMetaObject::invokeMethod(findItem(app.window, u"composer"_s), "startReplying",
                                  Q_ARG(QVariant, question), Q_ARG(QVariant, u"carol"_s),
                                  Q_ARG(QVariant, u"Who brings the maps?"_s));
        QTRY_VERIFY(findItem(app.window, u"editBar"_s)->isVisible());
        if (dark)
            screenshot(app.window, u"dark"_s);
        const QStringList chat = faintTexts(app.window);
        QVERIFY2(chat.isEmpty(), qPrintable(chat.join(u'\n')));

        // The dialogs and the menu, drawn over the window.
        QMetaObject::invokeMethod(findItem(app.window, u"chatPage"_s), "settingsRequested");
        QObject *settings = app.window->findChild<QObject *>(u"settingsDialog"_s);
        QVERIFY(settings);
        QTRY_VERIFY(settings->property("opened").toBool());
        const QStringList inSettings = faintTexts(app.window);
        QVERIFY2(inSettings.isEmpty(), qPrintable(inSettings.join(u'\n')));
        QMetaObject::invokeMethod(settings, "close");
        QTRY_VERIFY(!settings->property("visible").toBool());

        QMetaObject::invokeMethod(findItem(app.window, u"pageMessageActions"_s), "confirmDelete",
                                  Q_ARG(QVariant, QVariant(0)));
        QObject *confirm = app.window->findChild<QObject *>(u"deleteDialog"_s);
        QVERIFY(confirm);
        QTRY_VERIFY(confirm->property("opened").toBool());
        const QStringList inConfirm = faintTexts(app.window);
        QVERIFY2(inConfirm.isEmpty(), qPrintable(inConfirm.join(u'\n')));
        QMetaObject::invokeMethod(confirm, "close");
        QTRY_VERIFY(!confirm->property("visible").toBool());

        QMetaObject::invokeMethod(findItem(app.window, u"chatPage"_s), "newConversationRequested");
        QTRY_VERIFY(!visibleItems(app.window, u"userSearchField"_s).isEmpty());
        const QStringList inNew = faintTexts(app.window);
        QVERIFY2(inNew.isEmpty(), qPrintable(inNew.join(u'\n')));
    }

    // A screen reader can name every control: the login page, the chat page with a
    // conversation open, and the dialogs.
    void everyControlHasAnAccessibleName()
    {
        QAccessible::setActive(true);
        TwoPeople world;
        QVERIFY(world.start());
        world.say(world.bob, world.pair, u"hello"_s);
        RunningApp app(world.url);
        QVERIFY(app.messenger.load());
        app.window = qobject_cast<QQuickWindow *>(app.messenger.engine().rootObjects().value(0));
        QTRY_VERIFY(app.item(u"loginPage"_s));
        QVERIFY2(namelessControls(app.window).isEmpty(),
                 qPrintable(namelessControls(app.window).join(u'\n')));
        app.window = nullptr;
        QVERIFY(app.start(u"alice"_s, 1));
        app.messenger.chat().openConversation(world.pair);
        QTRY_COMPARE(visibleItems(app.window, u"messageText"_s).size(), 1);
        QVERIFY2(namelessControls(app.window).isEmpty(),
                 qPrintable(namelessControls(app.window).join(u'\n')));
        QMetaObject::invokeMethod(findItem(app.window, u"chatPage"_s), "settingsRequested");
        QObject *settings = app.window->findChild<QObject *>(u"settingsDialog"_s);
        QVERIFY(settings);
        QTRY_VERIFY(settings->property("opened").toBool());
        QVERIFY2(namelessControls(app.window).isEmpty(),
                 qPrintable(namelessControls(app.window).join(u'\n')));
        click(app.window, visibleItems(app.window, u"closeSettings"_s).constFirst());
        QTRY_VERIFY(!settings->property("visible").toBool());
        QMetaObject::invokeMethod(findItem(app.window, u"chatPage"_s), "newConversationRequested");
        QTRY_VERIFY(!visibleItems(app.window, u"userSearchField"_s).isEmpty());
        QTRY_VERIFY(app.messenger.chat().userSearch()->rowCount() > 0);
        QVERIFY2(namelessControls(app.window).isEmpty(),
                 qPrintable(namelessControls(app.window).join(u'\n')));
    }
};

QTEST_MAIN(TestAppLook)
#include "tst_app_look.moc"
