// Every model of client_core under QAbstractItemModelTester, first empty, then filled and
// changed the ways the app changes it.
#include "models/ConversationListModel.h"
#include "models/MessageListModel.h"
#include "models/MessageText.h"
#include "models/UserSearchModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;
using namespace pitchey::client;

namespace {

constexpr qint64 kMe = 1;

User user(qint64 id, const QString &name, bool online = false)
{
    return {id, name, name, online, std::nullopt};
}

Message message(qint64 id, qint64 conversation, qint64 sender, qint64 at, const QString &text)
{
    Message m;
    m.id = id;
    m.conversationId = conversation;
    m.senderId = sender;
    m.createdAt = at;
    m.content = text;
    return m;
}

Conversation conversation(qint64 id, QList<User> people, qint64 updatedAt)
{
    Conversation c;
    c.id = id;
    c.participants = std::move(people);
    c.isGroup = c.participants.size() > 2;
    c.updatedAt = updatedAt;
    return c;
}

LocalMessage local(qint64 id, qint64 sender, qint64 at, const QString &text)
{
    return LocalMessage::fromServer(message(id, 7, sender, at, text), kMe);
}

} // namespace

class TestClientModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linksAreHttpHttpsAndMailtoOnly_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("html"); // inside the pre-wrap span; empty: no link
        const auto link = [](const char *href, const char *text) {
            return u"<a href=\"%1\">%2</a>"_s.arg(QLatin1StringView(href), QLatin1StringView(text));
        };
        QTest::newRow("none") << u"just words, www.example.org"_s << QString();
        QTest::newRow("https") << u"see https://example.org/a?b=1&c=2."_s
                               << u"see "_s +
                                      link("https://example.org/a?b=1&amp;c=2",
                                           "https://example.org/a?b=1&amp;c=2") +
                                      u"."_s;
        QTest::newRow("brackets") << u"(http://en.wikipedia.org/wiki/Foo_(bar))"_s
                                  << u"("_s +
                                         link("http://en.wikipedia.org/wiki/Foo_(bar)",
                                              "http://en.wikipedia.org/wiki/Foo_(bar)") +
                                         u")"_s;
        QTest::newRow("mailto") << u"mail mailto:ann@example.org!"_s
                                << u"mail "_s +
                                       link("mailto:ann@example.org", "mailto:ann@example.org") +
                                       u"!"_s;
        QTest::newRow("javascript") << u"javascript:alert(1)"_s << QString();
        QTest::newRow("file and ftp") << u"file:///etc/passwd ftp://x.org"_s << QString();
        QTest::newRow("no host") << u"http:// and https:///x"_s << QString();
        QTest::newRow("markup stays text")
            << u"<b>hi</b> http://x.org/\"onclick=\"y"_s
            << u"&lt;b&gt;hi&lt;/b&gt; "_s + link("http://x.org/", "http://x.org/") +
                   u"&quot;onclick=&quot;y"_s;
        QTest::newRow("spaces and lines")
            << u"a  b\nhttp://x.org"_s << u"a  b\n"_s + link("http://x.org", "http://x.org");
    }

    void linksAreHttpHttpsAndMailtoOnly()
    {
        QFETCH(QString, text);
        QFETCH(QString, html);
        const QString expected =
            html.isEmpty() ? QString()
                           : u"<span style=\"white-space: pre-wrap\">%1</span>"_s.arg(html);
        QCOMPARE(client::linkedHtml(text), expected);
    }

    void mentionsAreTheNamesTypedAfterAnAt()
    {
        const QList<User> people{{kMe, u"me"_s, u"Me Myself"_s, false, std::nullopt},
                                 {2, u"ann"_s, u"Ann"_s, false, std::nullopt},
                                 {3, u"anna"_s, u"Anna Lee"_s, false, std::nullopt},
                                 {4, u"bo"_s, u"Bo"_s, false, std::nullopt}};
        QCOMPARE(client::mentionsIn(u"hi @anna lee and @Bo!"_s, people, kMe, true),
                 (Mentions{{3, 4}, false}));
        // "@Ann" inside "@Annabel" is not Ann; the user never mentions themself.
        QCOMPARE(client::mentionsIn(u"@Annabel @Me Myself"_s, people, kMe, true), Mentions{});
        QCOMPARE(client::mentionsIn(u"@Ann, @all"_s, people, kMe, true), (Mentions{{2}, true}));
        QCOMPARE(client::mentionsIn(u"@all"_s, people, kMe, false), Mentions{}); // a pair

        // Bold in the text, the reader's own name in its colour, never inside a link.
        const QList<client::MentionMark> marks{{u"Ann"_s, false}, {u"Me"_s, true}};
        QCOMPARE(client::linkedHtml(u"@Ann & @Me: https://x.test/@Ann"_s, marks, u"#123456"_s),
                 u"<span style=\"white-space: pre-wrap\"><b>@Ann</b> &amp; "
                 "<b style=\"color: #123456\">@Me</b>: "
                 "<a href=\"https://x.test/@Ann\">https://x.test/@Ann</a></span>"_s);
        QCOMPARE(client::linkedHtml(u"no names here"_s, marks), QString());
    }

    void conversationList()
    {
        ConversationListModel model;
        model.setMe(kMe);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.roleNames().keys().contains(ConversationListModel::IdRole));
        QVERIFY(*std::min_element(model.roleNames().keyBegin(), model.roleNames().keyEnd()) >
                Qt::UserRole);

        model.setConversations(
            {conversation(10, {user(kMe, u"me"_s), user(2, u"Bob Stone"_s, true)}, 100),
             conversation(11, {user(kMe, u"me"_s), user(3, u"carol"_s)}, 300),
             conversation(12, {user(kMe, u"me"_s), user(2, u"Bob Stone"_s), user(3, u"carol"_s)},
                          200)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0).data(ConversationListModel::IdRole).toLongLong(),
                 11); // newest first
        QCOMPARE(model.index(2).data(ConversationListModel::TitleRole).toString(), u"Bob Stone"_s);
        QCOMPARE(model.index(2).data(ConversationListModel::InitialsRole).toString(), u"BS"_s);
        QVERIFY(model.index(2).data(ConversationListModel::OnlineRole).toBool());
        QCOMPARE(model.index(1).data(ConversationListModel::TitleRole).toString(),
                 u"Bob Stone, carol"_s);

        // A new message moves its conversation to the top and counts as unread.
        model.setLastMessage(message(5, 10, 2, 400, u"hey\nthere"_s), true);
        QCOMPARE(model.index(0).data(ConversationListModel::IdRole).toLongLong(), 10);
        QCOMPARE(model.index(0).data(ConversationListModel::PreviewRole).toString(),
                 u"hey there"_s);
        QCOMPARE(model.index(0).data(ConversationListModel::UnreadRole).toLongLong(), 1);
        // The same message again (the server's list already had it): not counted twice.
        model.setLastMessage(message(5, 10, 2, 400, u"hey\nthere"_s), true);
        QCOMPARE(model.index(0).data(ConversationListModel::UnreadRole).toLongLong(), 1);
        model.setLastMessage(message(6, 12, 3, 500, u"group"_s), true);
        QCOMPARE(model.index(0).data(ConversationListModel::PreviewRole).toString(),
                 u"carol: group"_s);
        model.setLastMessage(message(7, 11, kMe, 600, u"mine"_s), false);
        QCOMPARE(model.index(0).data(ConversationListModel::PreviewRole).toString(),
                 u"You: mine"_s);

        model.setTyping(12, 3, true);
        const int group = 1;
        QCOMPARE(model.index(group).data(ConversationListModel::IdRole).toLongLong(), 12);
        QCOMPARE(model.index(group).data(ConversationListModel::TypingRole).toString(),
                 u"carol is typing…"_s);
        model.setTyping(12, 2, true);
        QCOMPARE(model.index(group).data(ConversationListModel::TypingRole).toString(),
                 u"2 people are typing…"_s);
        model.setTyping(12, 2, false);
        model.setTyping(12, 3, false);
        QVERIFY(model.index(group).data(ConversationListModel::TypingRole).toString().isEmpty());
        // The connection gone: no one is known to type anywhere.
        model.setTyping(12, 3, true);
        model.setTyping(11, 2, true);
        model.clearTyping();
        QVERIFY(model.index(group).data(ConversationListModel::TypingRole).toString().isEmpty());
        QVERIFY(model.typingUsers(11).isEmpty());

        model.setOnline(2, false);
        QVERIFY(!model.index(2).data(ConversationListModel::OnlineRole).toBool());
        model.setUnread(10, 0);
        model.upsert(conversation(13, {user(kMe, u"me"_s), user(4, u"dave"_s)}, 50));
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(3).data(ConversationListModel::IdRole).toLongLong(), 13);
        model.upsert(conversation(13, {user(kMe, u"me"_s), user(4, u"dave"_s)}, 9999));
        QCOMPARE(model.index(0).data(ConversationListModel::IdRole).toLongLong(), 13);
        // A draft is one line in its row; an empty one is none.
        model.setDraft(13, u"two\nlines"_s);
        QCOMPARE(model.index(0).data(ConversationListModel::DraftRole).toString(), u"two lines"_s);
        QCOMPARE(model.draft(13), u"two\nlines"_s);
        model.setDraft(13, QString());
        const auto onlineRows = [&model] {
            int online = 0;
            for (int row = 0; row < model.rowCount(); ++row)
                online += model.index(row).data(ConversationListModel::OnlineRole).toBool();
            return online;
        };
        model.setOnline(2, true);
        QVERIFY(onlineRows() > 0);
        model.setEveryoneOffline();
        QCOMPARE(onlineRows(), 0);
        QCOMPARE(model.index(0).data(ConversationListModel::DraftRole).toString(), QString());
        // Files: what they are, before the caption.
        const auto previewOf = [&model](qint64 id) {
            for (int row = 0; row < model.rowCount(); ++row) {
                if (model.index(row).data(ConversationListModel::IdRole).toLongLong() == id)
                    return model.index(row).data(ConversationListModel::PreviewRole).toString();
            }
            return QString();
        };
        Message photo = message(8, 10, 2, 700, QString());
        photo.attachments = {
            Attachment{1, u"sea.jpg"_s, u"image/jpeg"_s, 10, {}, 4, 3, u"ready"_s}};
        model.setLastMessage(photo, true);
        QCOMPARE(previewOf(10), u"📎 sea.jpg"_s);
        photo.id = 9;
        photo.content = u"look"_s;
        photo.attachments.append(photo.attachments.constFirst());
        model.setLastMessage(photo, true);
        QCOMPARE(previewOf(10), u"📎 2 files · look"_s);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    // The "New messages" line: on the oldest unread message of others that is loaded when
    // it is set; newer messages do not move it, and neither do older pages.
    void theNewMessagesLineStaysPut()
    {
        MessageListModel model;
        model.setMe(kMe);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
        model.reset(7, {local(30, kMe, t0, u"mine"_s), local(31, 2, t0 + 1, u"new"_s),
                        local(32, 2, t0 + 2, u"newer"_s)});
        QCOMPARE(model.firstUnreadRow(), -1);
        model.setUnreadAfter(5); // read up to a message older than any loaded: 31 is the first
        QCOMPARE(model.firstUnreadRow(), 1);
        QVERIFY(model.index(1).data(MessageListModel::FirstUnreadRole).toBool());
        QVERIFY(!model.index(0).data(MessageListModel::FirstUnreadRole).toBool());
        model.upsert(local(34, 2, t0 + 4, u"newest"_s)); // below: the row number grows
        QCOMPARE(model.firstUnreadRow(), 2);
        QCOMPARE(model.messageIdAt(model.firstUnreadRow()), 31);
        // Older unread ones page in above: the line stays (a view keeping it in sight would
        // otherwise page in the whole backlog).
        model.addOlder({local(10, 2, t0 - 2, u"old"_s), local(11, 2, t0 - 1, u"older"_s)});
        QCOMPARE(model.messageIdAt(model.firstUnreadRow()), 31);
        model.reset(7, {});
        QCOMPARE(model.firstUnreadRow(), -1);
    }

    void messageList()
    {
        MessageListModel model;
        model.setMe(kMe);
        model.setNameLookup([](qint64 id) { return id == kMe ? u"me"_s : u"bob"_s; });
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);

        const qint64 day = 24 * 3600 * 1000;
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 2 * day;
        model.reset(7, {local(20, 2, t0, u"a"_s), local(21, 2, t0 + 1000, u"b"_s),
                        local(22, kMe, t0 + 2000, u"c"_s), local(23, 2, t0 + day, u"d"_s)});
        // Newest first: row 0 is the bottom of the view. Groups and days read from the top.
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.messageIdAt(0), 23);
        QCOMPARE(model.messageIdAt(3), 20);
        QVERIFY(model.index(3).data(MessageListModel::FirstOfGroupRole).toBool());
        QVERIFY(model.index(3).data(MessageListModel::FirstOfDayRole).toBool());
        QVERIFY(!model.index(2).data(MessageListModel::FirstOfGroupRole).toBool());
        QVERIFY(model.index(1).data(MessageListModel::FirstOfGroupRole).toBool());
        QVERIFY(model.index(1).data(MessageListModel::IsOwnRole).toBool());
        QVERIFY(model.index(0).data(MessageListModel::FirstOfDayRole).toBool());
        QCOMPARE(model.index(0).data(MessageListModel::SenderNameRole).toString(), u"bob"_s);

        // A queued message goes at the bottom; acknowledged, it moves to its place by id.
        LocalMessage queued;
        queued.localId = 99;
        queued.conversationId = 7;
        queued.senderId = kMe;
        queued.content = u"queued"_s;
        queued.createdAt = t0 + day + 1;
        queued.clientMessageId = u"c-1"_s;
        queued.state = LocalMessage::State::Queued;
        model.upsert(queued);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(0).data(MessageListModel::StateRole).toInt(),
                 int(LocalMessage::State::Queued));
        model.upsert(local(24, 2, t0 + day + 2, u"e"_s));
        QCOMPARE(model.index(1).data(MessageListModel::ContentRole).toString(), u"e"_s);
        QCOMPARE(model.rowCount(), 6);
        // Bob's "e" continues his "d": one group.
        QVERIFY(!model.index(1).data(MessageListModel::FirstOfGroupRole).toBool());
        queued.id = 25;
        queued.state = LocalMessage::State::Sent;
        model.upsert(queued);
        QCOMPARE(model.rowCount(), 6);
        QCOMPARE(model.index(0).data(MessageListModel::MessageIdRole).toLongLong(), 25);
        model.setStates({25}, LocalMessage::State::Read);
        QCOMPARE(model.index(0).data(MessageListModel::StateRole).toInt(),
                 int(LocalMessage::State::Read));
        // One acknowledged after a newer message came in moves below it, as one row.
        LocalMessage late = queued;
        late.localId = 100;
        late.id = 0;
        late.clientMessageId = u"c-2"_s;
        late.state = LocalMessage::State::Queued;
        model.upsert(late);
        model.upsert(local(27, 2, t0 + day + 4, u"f"_s));
        QCOMPARE(model.messageIdAt(0), 0); // unsent ones stay at the bottom
        QSignalSpy moves(&model, &QAbstractItemModel::rowsMoved);
        late.id = 26;
        late.state = LocalMessage::State::Sent;
        model.upsert(late);
        QCOMPARE(moves.count(), 1);
        QCOMPARE(model.messageIdAt(0), 27);
        QCOMPARE(model.messageIdAt(1), 26);
        QCOMPARE(model.rowCount(), 8);
        model.removeByClientId(u"nothing"_s);
        model.reset(7, model.messages().mid(0, 6)); // back to the six above

        // Older pages go on top (the end of the model), and only when older than all;
        // messages of another conversation are ignored.
        QVERIFY(!model.canFetchMore({})); // nobody fetches
        int fetches = 0;
        model.setOlderFetcher([&] {
            ++fetches;
            model.addOlder({local(18, 2, t0 - 2000, u"old1"_s), local(19, 2, t0 - 1000, u"old2"_s),
                            local(22, kMe, t0 + 2000, u"c"_s)});
        });
        model.setMayHaveOlder(true);
        QVERIFY(model.canFetchMore({}));
        model.fetchMore({}); // (the model tester asks for more too, on every change)
        QVERIFY(fetches >= 1);
        QCOMPARE(model.rowCount(), 8); // each old message once
        QCOMPARE(model.oldestId(), 18);
        QCOMPARE(model.newestId(), 25);
        QCOMPARE(model.messageIdAt(7), 18);
        // "a" now continues the group "old1" starts.
        QVERIFY(!model.index(5).data(MessageListModel::FirstOfGroupRole).toBool());
        model.setMayHaveOlder(false);
        QVERIFY(!model.canFetchMore({}));
        const int fetched = fetches;
        model.fetchMore({});
        QCOMPARE(fetches, fetched);
        LocalMessage elsewhere = local(30, 2, t0, u"x"_s);
        elsewhere.conversationId = 8;
        model.upsert(elsewhere);
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(model.messageIdAt(100), 0);
        QCOMPARE(model.messageIdAt(-1), 0);
        model.removeByClientId(u"nothing"_s);
        QCOMPARE(model.rowCount(), 8);
        model.reset(0, {});
        QCOMPARE(model.rowCount(), 0);
    }

    void userSearch()
    {
        UserSearchModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        model.setUsers({user(2, u"bob"_s, true), user(3, u"carol"_s)});
        QCOMPARE(model.rowCount(), 2);
        model.toggle(1);
        QCOMPARE(model.selectedIds(), QList<qint64>{3});
        // A new search keeps who is selected.
        model.setUsers({user(4, u"dave"_s)});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0).data(UserSearchModel::UsernameRole).toString(), u"carol"_s);
        QVERIFY(model.index(0).data(UserSearchModel::SelectedRole).toBool());
        QCOMPARE(model.selectedCount(), 1);
        model.clear();
        QCOMPARE(model.selectedCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestClientModels)
#include "tst_client_models.moc"
