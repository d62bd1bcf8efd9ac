// The tray icon as a desktop's tray sees it: a StatusNotifierItem on D-Bus with the unread
// count in its tooltip, a click that brings the window back and a menu that quits.
//
// Runs under X (xvfb-run) with its own D-Bus session: Qt offers a tray on X only while a
// StatusNotifier host is registered, so the test registers one (TrayHost below, in a
// thread of its own, as a desktop's panel would be a process of its own) and then talks
// to the messenger's item over the bus exactly as a panel does.
#include "AppDriver.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusPendingCall>
#include <QDBusPendingReply>
#include <QDBusVariant>
#include <QMutex>
#include <QSignalSpy>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::testing;

namespace {

constexpr auto kWatcherService = "org.kde.StatusNotifierWatcher";
constexpr auto kItemInterface = "org.kde.StatusNotifierItem";

// The watcher half of a tray host (what KDE's and GNOME's panels register): items
// announce themselves to it.
class TrayHost : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.StatusNotifierWatcher")
    Q_PROPERTY(bool IsStatusNotifierHostRegistered READ hostRegistered)
    Q_PROPERTY(int ProtocolVersion READ protocolVersion)
    Q_PROPERTY(QStringList RegisteredStatusNotifierItems READ items)

public:
    [[nodiscard]] bool hostRegistered() const { return true; }
    [[nodiscard]] int protocolVersion() const { return 0; }
    [[nodiscard]] QStringList items() const
    {
        const QMutexLocker lock(&m_mutex);
        return m_items;
    }

public Q_SLOTS:
    // `service` is the item's bus name (Qt registers one per icon).
    void RegisterStatusNotifierItem(const QString &service)
    {
        {
            const QMutexLocker lock(&m_mutex);
            m_items.append(service);
        }
        Q_EMIT StatusNotifierItemRegistered(service);
    }
    void RegisterStatusNotifierHost(const QString &) {}

Q_SIGNALS:
    void StatusNotifierItemRegistered(const QString &service);
    void StatusNotifierItemUnregistered(const QString &service);
    void StatusNotifierHostRegistered();

private:
    mutable QMutex m_mutex;
    QStringList m_items;
};

// A QDBusArgument holding an a{sv}-carrying dbusmenu layout node (ia{sv}av): the ids of
// the items whose label is `label` (mnemonic underscores ignored), depth first.
void findMenuItem(const QDBusArgument &node, const QString &label, QList<int> &found)
{
    int id = 0;
    QVariantMap properties;
    node.beginStructure();
    node >> id >> properties;
    if (properties.value(u"label"_s).toString().remove(u'_') == label)
        found.append(id);
    node.beginArray();
    while (!node.atEnd()) {
        QDBusVariant child;
        node >> child;
        findMenuItem(child.variant().value<QDBusArgument>(), label, found);
    }
    node.endArray();
    node.endStructure();
}

} // namespace

class TestAppTray : public QObject
{
    Q_OBJECT

    // The panel's own connection: calls from it to the messenger go over the bus. They are
    // made asynchronously, since the messenger answers on this (the main) thread.
    QDBusConnection m_panel =
        QDBusConnection::connectToBus(QDBusConnection::SessionBus, u"panel"_s);
    QThread m_hostThread;
    TrayHost *m_host = nullptr;

    QDBusMessage call(const QString &service, const QString &path, const QString &interface,
                      const QString &method, const QVariantList &arguments)
    {
        QDBusMessage message = QDBusMessage::createMethodCall(service, path, interface, method);
        message.setArguments(arguments);
        QDBusPendingCall pending = m_panel.asyncCall(message);
        if (!QTest::qWaitFor([&] { return pending.isFinished(); }, 10000))
            return {};
        return pending.reply();
    }

    QVariant itemProperty(const QString &service, const QString &name)
    {
        const QDBusMessage reply =
            call(service, u"/StatusNotifierItem"_s, u"org.freedesktop.DBus.Properties"_s, u"Get"_s,
                 {QLatin1StringView(kItemInterface), name});
        if (reply.type() != QDBusMessage::ReplyMessage)
            return {};
        return reply.arguments().value(0).value<QDBusVariant>().variant();
    }

    // The tooltip's title and text (ToolTip is (sa(iiay)ss): icon name, pixmaps, title,
    // description).
    QString tooltip(const QString &service)
    {
        const auto argument = itemProperty(service, u"ToolTip"_s).value<QDBusArgument>();
        QString icon;
        QString title;
        QString description;
        argument.beginStructure();
        argument >> icon;
        argument.beginArray();
        while (!argument.atEnd()) {
            int width = 0;
            int height = 0;
            QByteArray pixels;
            argument.beginStructure();
            argument >> width >> height >> pixels;
            argument.endStructure();
        }
        argument.endArray();
        argument >> title >> description;
        argument.endStructure();
        return (title + u' ' + description).trimmed();
    }

    QString registeredItem()
    {
        QString item;
        const bool registered = QTest::qWaitFor([&] {
            item = m_host->items().value(0);
            return !item.isEmpty();
        });
        return registered ? item : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        useOwnSettings(u"tst_app_tray"_s);
        QVERIFY2(QGuiApplication::platformName() == u"xcb"_s,
                 "run under X (xvfb-run): the tray there needs a StatusNotifier host");
        QVERIFY(m_panel.isConnected());
        m_host = new TrayHost;
        QVERIFY(m_panel.registerObject(u"/StatusNotifierWatcher"_s, m_host,
                                       QDBusConnection::ExportAllContents));
        m_host->moveToThread(&m_hostThread);
        connect(&m_hostThread, &QThread::finished, m_host, &QObject::deleteLater);
        m_hostThread.start();
        QVERIFY(m_panel.registerService(QLatin1StringView(kWatcherService)));
    }

    void cleanupTestCase()
    {
        m_panel.unregisterService(QLatin1StringView(kWatcherService));
        m_panel.unregisterObject(u"/StatusNotifierWatcher"_s);
        m_hostThread.quit();
        m_hostThread.wait();
    }

    // The icon is offered to the panel, its tooltip counts what is unread, and a click on
    // it brings back a window that was closed into the tray.
    void theTrayShowsTheCountAndBringsTheWindowBack()
    {
        TwoPeople world;
        QVERIFY(world.start());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        QVERIFY(app.messenger.settings().trayAvailable());
        const QString item = registeredItem();
        QVERIFY(!item.isEmpty());
        QVERIFY(m_panel.interface()->isServiceRegistered(item));
        QTRY_COMPARE(tooltip(item), u"Pitchey Messenger"_s);

        world.say(world.bob, world.pair, u"are you there?"_s);
        // Without a notification service (none runs here) the icon tells of the message
        // itself for a while (Qt's attention period, 7 s), then shows the count.
        QTRY_COMPARE(tooltip(item), u"bob are you there?"_s);
        QTRY_COMPARE_WITH_TIMEOUT(tooltip(item), u"Pitchey Messenger: 1 unread"_s, 15000);

        app.messenger.settings().setCloseToTray(true);
        QVERIFY(!app.window->close());
        QTRY_VERIFY(!app.window->isVisible());
        QCOMPARE(app.messenger.chat().connectionState(),
                 client::ChatController::ConnectionState::Connected);
        const QDBusMessage activated =
            call(item, u"/StatusNotifierItem"_s, QLatin1StringView(kItemInterface), u"Activate"_s,
                 {0, 0});
        QCOMPARE(activated.type(), QDBusMessage::ReplyMessage);
        QTRY_VERIFY(app.window->isVisible());
    }

    // "Quit" in the icon's menu, chosen as a panel does (a dbusmenu "clicked" event), quits.
    void theTrayMenuQuits()
    {
        TwoPeople world;
        QVERIFY(world.start());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        const QString item = m_host->items().constLast();
        QTRY_VERIFY(m_panel.interface()->isServiceRegistered(item));

        const auto menuPath = itemProperty(item, u"Menu"_s).value<QDBusObjectPath>().path();
        QVERIFY(!menuPath.isEmpty());
        const QDBusMessage layout = call(item, menuPath, u"com.canonical.dbusmenu"_s,
                                         u"GetLayout"_s, {0, -1, QStringList()});
        QCOMPARE(layout.type(), QDBusMessage::ReplyMessage);
        QList<int> quit;
        findMenuItem(layout.arguments().value(1).value<QDBusArgument>(), u"Quit"_s, quit);
        QCOMPARE(quit.size(), 1);
        QList<int> show;
        findMenuItem(layout.arguments().value(1).value<QDBusArgument>(),
                     u"Show Pitchey Messenger"_s, show);
        QCOMPARE(show.size(), 1);

        QSignalSpy quitRequested(&app.messenger, &app::Messenger::quitRequested);
        const QDBusMessage clicked =
            call(item, menuPath, u"com.canonical.dbusmenu"_s, u"Event"_s,
                 {quit.constFirst(), u"clicked"_s, QVariant::fromValue(QDBusVariant(0)),
                  QVariant::fromValue(0U)});
        QCOMPARE(clicked.type(), QDBusMessage::ReplyMessage);
        QTRY_COMPARE(quitRequested.size(), 1);
    }
};

QTEST_MAIN(TestAppTray)
#include "tst_app_tray.moc"
