#pragma once

#include "protocol/Types.h"

#include <QString>

namespace pitchey::client {

// A name a message mentions, "@name" in its text, and whether it is the reader's own.
struct MentionMark
{
    QString name;
    bool own = false;
};

// A message's text as rich text whose links can be clicked: every http, https and mailto
// address becomes a link (the address as QUrl reads it, strictly); everything else, other
// schemes included, stays text, HTML-escaped, its spaces and line breaks kept. Empty when
// the text has no link: the view shows such a message as plain text.
// Each "@name" of `mentions` (its case aside, not followed by a letter or digit) is bold
// too, the reader's own also in `ownColor`; empty when there is neither link nor mention.
[[nodiscard]] QString linkedHtml(const QString &plain, const QList<MentionMark> &mentions = {},
                                 const QString &ownColor = {});

// The mentions a text typed here makes: each participant but `me` whose "@name" it holds,
// and `all` for "@all" in a group. (The server never reads the text: this is what the
// sender's client tells it.)
[[nodiscard]] Mentions mentionsIn(const QString &text, const QList<User> &participants, qint64 me,
                                  bool isGroup);

} // namespace pitchey::client
