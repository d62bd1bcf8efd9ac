#include "models/MessageText.h"

#include <QRegularExpression>
#include <QUrl>

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

} // namespace

QString linkedHtml(const QString &plain)
{
    QString html;
    qsizetype done = 0;
    bool linked = false;
    auto it = candidates().globalMatch(plain);
    while (it.hasNext()) {
        const auto match = it.next();
        const QStringView address = trimmed(match.capturedView());
        const auto url = linkable(address);
        if (!url)
            continue;
        html += escaped(QStringView(plain).sliced(done, match.capturedStart() - done));
        html += u"<a href=\"%1\">%2</a>"_s.arg(url->toString(QUrl::FullyEncoded).toHtmlEscaped(),
                                               escaped(address));
        done = match.capturedStart() + address.size();
        linked = true;
    }
    if (!linked)
        return {};
    html += escaped(QStringView(plain).sliced(done));
    return u"<span style=\"white-space: pre-wrap\">%1</span>"_s.arg(html);
}

} // namespace pitchey::client
