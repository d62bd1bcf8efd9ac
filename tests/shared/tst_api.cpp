// The HTTP API's bodies, queries and answers through the protocol library, both ways: what one
// side writes the other reads back equal, with the contract's keys, and a malformed request is
// refused with a bad_request naming what is wrong.
#include "protocol/Api.h"
#include "protocol/ErrorCode.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace pitchey;

namespace {

const QJsonObject kUser{{"id"_L1, 5}, {"username"_L1, "alice"_L1}};
const QJsonObject kMessage{{"id"_L1, 9},
                           {"conversationId"_L1, 7},
                           {"senderId"_L1, 5},
                           {"content"_L1, "hi"_L1},
                           {"createdAt"_L1, "2026-01-01T00:00:00.000Z"_L1}};

QUrlQuery query(const QString &text)
{
    return QUrlQuery(text);
}

} // namespace

class TestApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestsHaveTheContractsKeys()
    {
        QCOMPARE(api::Credentials({u"alice"_s, u"pw"_s, std::nullopt, std::nullopt}).toJson(),
                 (QJsonObject{{"username"_L1, "alice"_L1}, {"password"_L1, "pw"_L1}}));
        QCOMPARE(api::Credentials({u"alice"_s, u"pw"_s, u"Alice A"_s, u"a@example.org"_s})
                     .toJson()
                     .value("displayName"_L1),
                 QJsonValue(u"Alice A"_s));
        QCOMPARE(api::NewConversation({{2, 3}, u"Team"_s}).toJson(),
                 (QJsonObject{{"participantIds"_L1, QJsonArray{2, 3}}, {"title"_L1, "Team"_L1}}));
        QVERIFY(!api::NewConversation({{2}, std::nullopt}).toJson().contains("title"_L1));
        QCOMPARE(
            api::HistoryQuery({10, std::nullopt, 50, std::nullopt, false}).toQuery().toString(),
            u"before=10&limit=50"_s);
        QCOMPARE(api::HistoryQuery({std::nullopt, 7, 20, std::nullopt, false}).toQuery().toString(),
                 u"after=7&limit=20"_s);
        QCOMPARE(api::NotificationsQuery({true, 20, 3}).toQuery().toString(),
                 u"unreadOnly=true&limit=20&before=3"_s);
        QCOMPARE(api::ReadNotifications({{4, 5}, false}).toJson(),
                 (QJsonObject{{"ids"_L1, QJsonArray{4, 5}}}));
        QCOMPARE(api::ReadNotifications({{}, true}).toJson(), (QJsonObject{{"all"_L1, true}}));
        QCOMPARE(api::historyPath(42), u"/api/messages/42/messages"_s);
        QCOMPARE(api::UserSearch{u"al"_s}.toQuery().toString(), u"search=al"_s);
        QCOMPARE(api::webSocketQuery(u"t"_s).toString(), u"token=t"_s);
    }

    void requestsComeBackEqual()
    {
        const api::Credentials account{u"alice"_s, u"pw"_s, u"Alice"_s, u"a@example.org"_s};
        QCOMPARE(api::Credentials::fromJson(account.toJson()).value(), account);
        const auto login =
            api::Credentials::fromJson(account.toJson(), api::Credentials::Reading::Login);
        QCOMPARE(login.value(),
                 (api::Credentials{u"alice"_s, u"pw"_s, std::nullopt, std::nullopt}));
        const api::NewConversation group{{2, 3}, u"Team"_s};
        QCOMPARE(api::NewConversation::fromJson(group.toJson()).value(), group);
        for (const api::ReadNotifications &read :
             {api::ReadNotifications{{4, 5}, false}, api::ReadNotifications{{}, true}})
            QCOMPARE(api::ReadNotifications::fromJson(read.toJson()).value(), read);
        for (const api::HistoryQuery &page :
             {api::HistoryQuery{10, std::nullopt, 50, std::nullopt, false},
              api::HistoryQuery{std::nullopt, 7, 20, std::nullopt, false},
              api::HistoryQuery{std::nullopt, std::nullopt, 20, 9, false},
              api::HistoryQuery{5, std::nullopt, 20, std::nullopt, true}})
            QCOMPARE(api::HistoryQuery::fromQuery(page.toQuery()).value(), page);
        const api::NotificationsQuery unread{true, 20, 3};
        QCOMPARE(api::NotificationsQuery::fromQuery(unread.toQuery()).value(), unread);
        QCOMPARE(api::UserSearch::fromQuery(query(u"search=%20al%20"_s)).prefix, u"al"_s);
    }

    void requestsReadTheirDefaults()
    {
        const auto page = api::HistoryQuery::fromQuery({});
        QCOMPARE(page.value(), api::HistoryQuery{});
        QCOMPARE(api::HistoryQuery::fromQuery(query(u"limit=1000"_s)).value().limit, 100);
        QCOMPARE(api::NotificationsQuery::fromQuery({}).value(), api::NotificationsQuery{});
        // An empty email is none; a title of spaces is none.
        QCOMPARE(api::Credentials::fromJson(
                     {{"username"_L1, "a"_L1}, {"password"_L1, "p"_L1}, {"email"_L1, ""_L1}})
                     .value()
                     .email,
                 std::nullopt);
        QCOMPARE(api::NewConversation::fromJson(
                     {{"participantIds"_L1, QJsonArray{2}}, {"title"_L1, "  "_L1}})
                     .value()
                     .title,
                 std::nullopt);
        // A login ignores what only a registration reads.
        QVERIFY(api::Credentials::fromJson(
                    {{"username"_L1, "a"_L1}, {"password"_L1, "p"_L1}, {"email"_L1, 5}},
                    api::Credentials::Reading::Login)
                    .ok());
    }

    void malformedRequestsAreRefused_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("mentions");
        const auto add = [](const char *name, const QString &what, const QString &mentions) {
            QTest::newRow(name) << what << mentions;
        };
        add("no username", u"credentials {\"password\":\"p\"}"_s, u"username"_s);
        add("numeric password", u"credentials {\"username\":\"a\",\"password\":5}"_s,
            u"password"_s);
        add("email of the wrong type",
            u"credentials {\"username\":\"a\",\"password\":\"p\",\"email\":[]}"_s, u"email"_s);
        add("participants not an array", u"conversation {\"participantIds\":2}"_s,
            u"participantIds"_s);
        add("a participant not an id", u"conversation {\"participantIds\":[\"2\"]}"_s,
            u"participantIds"_s);
        add("a negative participant", u"conversation {\"participantIds\":[-1]}"_s,
            u"participantIds"_s);
        add("a numeric title", u"conversation {\"participantIds\":[2],\"title\":7}"_s, u"title"_s);
        add("neither ids nor all", u"read {}"_s, u"ids"_s);
        add("an id of zero", u"read {\"ids\":[0]}"_s, u"ids"_s);
        add("before not an id", u"history before=x"_s, u"before"_s);
        add("after of zero", u"history after=0"_s, u"after"_s);
        add("before and after", u"history before=3&after=1"_s, u"combined"_s);
        add("a negative limit", u"history limit=-5"_s, u"limit"_s);
        add("notifications before", u"notifications before=abc"_s, u"before"_s);
        add("notifications limit", u"notifications limit=0"_s, u"limit"_s);
    }

    void malformedRequestsAreRefused()
    {
        QFETCH(QString, what);
        QFETCH(QString, mentions);
        const QString kind = what.section(u' ', 0, 0);
        const QString text = what.section(u' ', 1);
        const QJsonObject body = QJsonDocument::fromJson(text.toUtf8()).object();
        std::optional<Error> error;
        const auto keep = [&error](const auto &result) {
            if (!result.ok())
                error = result.error();
        };
        if (kind == "credentials"_L1)
            keep(api::Credentials::fromJson(body));
        else if (kind == "conversation"_L1)
            keep(api::NewConversation::fromJson(body));
        else if (kind == "read"_L1)
            keep(api::ReadNotifications::fromJson(body));
        else if (kind == "history"_L1)
            keep(api::HistoryQuery::fromQuery(query(text)));
        else
            keep(api::NotificationsQuery::fromQuery(query(text)));
        QVERIFY(error);
        QCOMPARE(error->code, ErrorCode::BadRequest);
        QVERIFY2(error->message.contains(mentions), qPrintable(error->message));
    }

    void answersComeBackEqual()
    {
        const User user = User::fromJson(kUser).value();
        const Message message = Message::fromJson(kMessage).value();
        const auto auth = api::AuthAnswer::fromJson(api::AuthAnswer{u"jwt"_s, user}.toJson());
        QCOMPARE(auth.value().token, u"jwt"_s);
        QCOMPARE(auth.value().user, user);
        const auto page =
            api::HistoryAnswer::fromJson(api::HistoryAnswer{{message}, true}.toJson());
        QCOMPARE(page.value().messages, QList<Message>{message});
        QVERIFY(page.value().hasMore);
        QCOMPARE(api::MessageAnswer::fromJson(api::MessageAnswer{message}.toJson()).value().message,
                 message);
        QCOMPARE(api::UsersAnswer::fromJson(api::UsersAnswer{{user}}.toJson()).value().users,
                 QList<User>{user});
        Conversation conversation;
        conversation.id = 7;
        conversation.participants = {user};
        conversation.updatedAt = 1000;
        QCOMPARE(api::ConversationAnswer::fromJson(api::ConversationAnswer{conversation}.toJson())
                     .value()
                     .conversation,
                 conversation);
        QCOMPARE(
            api::ConversationsAnswer::fromJson(api::ConversationsAnswer{{conversation}}.toJson())
                .value()
                .conversations,
            QList<Conversation>{conversation});
        NotificationPreferences preferences;
        preferences.emailEnabled = false;
        preferences.mutedConversationIds = {7};
        QCOMPARE(api::PreferencesAnswer::fromJson(api::PreferencesAnswer{preferences}.toJson())
                     .value()
                     .preferences,
                 preferences);
        const Notification notification{3, u"new_message"_s, u"t"_s, u"b"_s, 7, 9, 1000};
        const auto listed = api::NotificationsAnswer::fromJson(
            api::NotificationsAnswer{{{notification, true}}}.toJson());
        QCOMPARE(listed.value().notifications.size(), 1);
        QCOMPARE(listed.value().notifications.first().notification, notification);
        QVERIFY(listed.value().notifications.first().read);
        for (const bool following : {true, false}) {
            const QJsonObject json = api::FollowAnswer{following}.toJson();
            QCOMPARE(json, (QJsonObject{{"following"_L1, following}}));
            QCOMPARE(api::FollowAnswer::fromJson(json).value().following, following);
        }
    }

    void malformedAnswersAreRefused()
    {
        QVERIFY(!api::AuthAnswer::fromJson({{"user"_L1, kUser}}).ok());     // no token
        QVERIFY(!api::AuthAnswer::fromJson({{"token"_L1, "jwt"_L1}}).ok()); // no user
        QVERIFY(!api::HistoryAnswer::fromJson({{"messages"_L1, "none"_L1}}).ok());
        QVERIFY(!api::UsersAnswer::fromJson({}).ok());
        QVERIFY(!api::ConversationsAnswer::fromJson({{"conversations"_L1, QJsonArray{1}}}).ok());
        QVERIFY(!api::MessageAnswer::fromJson({{"message"_L1, QJsonObject{}}}).ok());
        QVERIFY(!api::NotificationsAnswer::fromJson({{"notifications"_L1, 3}}).ok());
        QVERIFY(!api::FollowAnswer::fromJson({{"following"_L1, 1}}).ok());
    }

    void preferencesAnswersKeepWhatThisSideKnows()
    {
        const auto read = api::PreferencesAnswer::fromJson(
            {{"preferences"_L1, QJsonObject{{"emailEnabled"_L1, false},
                                            {"mutedConversationIds"_L1, QJsonArray{7}},
                                            {"somethingNew"_L1, 1}}}});
        QVERIFY(read.ok());
        QCOMPARE(read.value().preferences.emailEnabled, false);
        QCOMPARE(read.value().preferences.mutedConversationIds, QList<qint64>{7});
        QCOMPARE(read.value().preferences.realtimeEnabled, true); // the default
    }

    void tokenClaimsComeBackEqual()
    {
        const api::TokenClaims claims{42, u"alice"_s, 1000, 2000, 7};
        const QJsonObject payload = claims.toJson();
        QCOMPARE(payload.value("sub"_L1), QJsonValue(u"42"_s)); // RFC 7519: a string
        QCOMPARE(api::TokenClaims::fromJson(payload), claims);
        const QByteArray segment =
            QJsonDocument(payload)
                .toJson(QJsonDocument::Compact)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        const QString token = u"e30.%1.c2ln"_s.arg(QString::fromLatin1(segment));
        QCOMPARE(api::TokenClaims::readUnverified(token), claims);
        QVERIFY(!api::TokenClaims::readUnverified(u"e30.%1"_s.arg(QString::fromLatin1(segment))));
        QVERIFY(!api::TokenClaims::fromJson({{"sub"_L1, "0"_L1}}));
        QVERIFY(!api::TokenClaims::fromJson({{"sub"_L1, 42}})); // a number, not a string
    }

    void errorsComeBackEqual()
    {
        const Error taken{ErrorCode::Conflict, u"taken"_s};
        QCOMPARE(api::errorOf(api::errorBody(taken)), taken);
        QCOMPARE(api::errorBody(taken),
                 (QJsonObject{{"error"_L1, QJsonObject{{"code"_L1, "conflict"_L1},
                                                       {"message"_L1, "taken"_L1}}}}));
        QVERIFY(!api::errorOf({{"error"_L1, QJsonObject{{"code"_L1, "later"_L1}}}}));
        QVERIFY(!api::errorOf({}));
    }
};

QTEST_APPLESS_MAIN(TestApi)
#include "tst_api.moc"
