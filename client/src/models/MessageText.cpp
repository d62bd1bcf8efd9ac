#include "models/MessageText.h"

#include <QRegularExpression>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::client {

namespace {

// Where an address may start: a scheme we link, up to the next space or angle bracket.
const QRegularExpression &candidates()
{
    static const QRegularExpression pattern(u"\\b(?:https?://|mailto:)[^\\s<>\"]+"_s,
                                            QRegularExpression::CaseInsensitiveOption);
    return pattern;
}

// The end of a sentence is not part of an address: trailing punctuation goes, and a
// closing bracket too unless the address opened one ("…/Foo_(bar)").
QStringView trimmed(QStringView address)
{
    const auto endsASentence = [](QStringView text) {
        const QChar last = text.back();
        return QStringView(u".,;:!?'").contains(last) ||
               (last == u')' && text.count(u'(') < text.count(u')'));
    };
    while (!address.isEmpty() && endsASentence(address))
        address.chop(1);
    return address;
}

std::optional<QUrl> linkable(QStringView address)
{
    const QUrl url(address.toString(), QUrl::StrictMode);
    if (!url.isValid())
        return std::nullopt;
    const QString scheme = url.scheme().toLower();
    if (scheme == "mailto"_L1)
        return url.path().contains(u'@') ? std::optional(url) : std::nullopt;
    if ((scheme == "http"_L1 || scheme == "https"_L1) && !url.host().isEmpty())
        return url;
    return std::nullopt;
}

// Escaped, with the whitespace the person typed kept (white-space: pre-wrap below).
QString escaped(QStringView text)
{
    return text.toString().toHtmlEscaped();
}

// Where "@name" stands in `text` (its case aside), not followed by a letter or digit.
QList<qsizetype> mentionsOf(const QString &text, const QString &name)
{
    QList<qsizetype> found;
    const QString needle = u'@' + name;
    for (qsizetype at = text.indexOf(needle, 0, Qt::CaseInsensitive); at >= 0;
         at = text.indexOf(needle, at + 1, Qt::CaseInsensitive)) {
        const qsizetype end = at + needle.size();
        if (end < text.size() && text.at(end).isLetterOrNumber())
            continue;
        found.append(at);
    }
    return found;
}

} // namespace

QString linkedHtml(const QString &plain, const QList<MentionMark> &mentions,
                   const QString &ownColor)
{
    struct Span
    {
        qsizetype start = 0;
        qsizetype length = 0;
        QString html;
    };
    QList<Span> spans;
    auto it = candidates().globalMatch(plain);
    while (it.hasNext()) {
        const auto match = it.next();
        const QStringView address = trimmed(match.capturedView());
        if (const auto url = linkable(address)) {
            spans.append(
                {match.capturedStart(), address.size(),
                 u"<a href=\"%1\">%2</a>"_s.arg(url->toString(QUrl::FullyEncoded).toHtmlEscaped(),
                                                escaped(address))});
        }
    }
    const qsizetype links = spans.size();
    for (const MentionMark &mark : mentions) {
        for (const qsizetype at : mentionsOf(plain, mark.name)) {
            const qsizetype length = mark.name.size() + 1;
            const bool inALink =
                std::any_of(spans.cbegin(), spans.cbegin() + links, [&](const Span &s) {
                    return at < s.start + s.length && s.start < at + length;
                });
            if (inALink)
                continue;
            const QString name = escaped(QStringView(plain).sliced(at, length));
            spans.append({at, length,
                          mark.own && !ownColor.isEmpty()
                              ? u"<b style=\"color: %1\">%2</b>"_s.arg(ownColor, name)
                              : u"<b>%1</b>"_s.arg(name)});
        }
    }
    if (spans.isEmpty())
        return {};
    std::sort(spans.begin(), spans.end(),
              [](const Span &a, const Span &b) { return a.start < b.start; });
    QString html;
    qsizetype done = 0;
    for (const Span &span : std::as_const(spans)) {
        if (span.start < done)
            continue; // overlaps one written (two names, one a prefix of the other)
        html += escaped(QStringView(plain).sliced(done, span.start - done)) + span.html;
        done = span.start + span.length;
    }
    html += escaped(QStringView(plain).sliced(done));
    return u"<span style=\"white-space: pre-wrap\">%1</span>"_s.arg(html);
}

Mentions mentionsIn(const QString &text, const QList<User> &participants, qint64 me, bool isGroup)
{
    Mentions mentions;
    for (const User &user : participants) {
        if (user.id != me && !user.displayName.isEmpty() &&
            !mentionsOf(text, user.displayName).isEmpty())
            mentions.userIds.append(user.id);
    }
    mentions.all = isGroup && !mentionsOf(text, u"all"_s).isEmpty();
    return mentions;
}

} // namespace pitchey::client
