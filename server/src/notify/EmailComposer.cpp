#include "notify/EmailComposer.h"

#include <QDateTime>
#include <QLocale>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace pitchey::server {

ComposedEmail composeDigest(const QString &recipientName,
                            const QList<DigestConversation> &conversations,
                            const DigestLinks &links)
{
    int total = 0;
    for (const DigestConversation &conversation : conversations)
        total += conversation.count;
    ComposedEmail email;
    email.subject =
        conversations.size() == 1
            ? u"%1 unread message%2 from %3"_s.arg(total).arg(total == 1 ? u""_s : u"s"_s,
                                                              conversations.first().title)
            : u"%1 unread messages in %2 conversations"_s.arg(total).arg(conversations.size());

    QString text = u"Hello %1,\n\nyou have unread messages on Pitchey:\n"_s.arg(recipientName);
    QString html = u"<!DOCTYPE html><html><body style=\"font-family:sans-serif\">"
                   "<p>Hello %1,</p><p>you have unread messages on Pitchey:</p>"_s.arg(
                       recipientName.toHtmlEscaped());
    QStringList mentions;
    for (const DigestConversation &conversation : conversations)
        mentions += conversation.mentions;
    if (!mentions.isEmpty()) {
        text += u"\nMentioned you\n"_s;
        html += u"<h3>Mentioned you</h3><ul>"_s;
        for (const QString &line : std::as_const(mentions)) {
            text += u"  %1\n"_s.arg(line);
            html += u"<li>%1</li>"_s.arg(line.toHtmlEscaped());
        }
        html += u"</ul>"_s;
    }
    for (const DigestConversation &conversation : conversations) {
        const QString heading = u"%1 (%2 unread)"_s.arg(conversation.title).arg(conversation.count);
        text += u"\n%1\n"_s.arg(heading);
        html += u"<h3>%1</h3><ul>"_s.arg(heading.toHtmlEscaped());
        for (const QString &line : conversation.latest) {
            text += u"  %1\n"_s.arg(line);
            html += u"<li>%1</li>"_s.arg(line.toHtmlEscaped());
        }
        html += u"</ul>"_s;
    }
    if (!links.open.isEmpty()) {
        text += u"\nRead them: %1\n"_s.arg(links.open);
        html += u"<p><a href=\"%1\">Read them</a></p>"_s.arg(links.open.toHtmlEscaped());
    }
    text += u"\nYou get this because email notifications are on. Turn them off in the "
            "messenger's settings, or: %1\n"_s.arg(links.unsubscribe);
    html += u"<p style=\"color:#777;font-size:small\">You get this because email notifications "
            "are on. <a href=\"%1\">Unsubscribe</a></p></body></html>"_s.arg(
                links.unsubscribe.toHtmlEscaped());
    email.text = text;
    email.html = html;
    return email;
}

namespace {

QByteArray encodedWord(const QString &text)
{
    bool ascii = true;
    for (QChar c : text)
        ascii = ascii && c.unicode() >= 0x20 && c.unicode() < 0x7f;
    if (ascii)
        return text.toLatin1();
    return "=?UTF-8?B?" + text.toUtf8().toBase64() + "?=";
}

QByteArray base64Lines(const QByteArray &data)
{
    const QByteArray encoded = data.toBase64();
    QByteArray out;
    for (qsizetype i = 0; i < encoded.size(); i += 76)
        out += encoded.mid(i, 76) + "\r\n";
    return out;
}

} // namespace

QByteArray mimeMessage(const QString &from, const QString &to, const ComposedEmail &email,
                       const QString &unsubscribeUrl, const QString &messageIdDomain)
{
    const QByteArray boundary = "pitchey-" + QUuid::createUuid().toByteArray(QUuid::Id128);
    QByteArray message;
    message += "From: " + from.toUtf8() + "\r\n";
    message += "To: " + to.toUtf8() + "\r\n";
    message += "Subject: " + encodedWord(email.subject) + "\r\n";
    message += "Date: " +
               QLocale::c()
                   .toString(QDateTime::currentDateTimeUtc(), u"ddd, dd MMM yyyy hh:mm:ss"_s)
                   .toLatin1() +
               " +0000\r\n";
    message += "Message-ID: <" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces) + "@" +
               messageIdDomain.toUtf8() + ">\r\n";
    message += "List-Unsubscribe: <" + unsubscribeUrl.toUtf8() + ">\r\n";
    message += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
    message += "Auto-Submitted: auto-generated\r\n";
    message += "MIME-Version: 1.0\r\n";
    message += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
    message += "--" + boundary + "\r\n";
    message +=
        "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    message += base64Lines(email.text.toUtf8());
    message += "--" + boundary + "\r\n";
    message +=
        "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    message += base64Lines(email.html.toUtf8());
    message += "--" + boundary + "--\r\n";
    return message;
}

} // namespace pitchey::server
