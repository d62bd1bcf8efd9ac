#pragma once

#include <QString>

namespace pitchey::client {

// A message's text as rich text whose links can be clicked: every http, https and mailto
// address becomes a link (the address as QUrl reads it, strictly); everything else, other
// schemes included, stays text, HTML-escaped, its spaces and line breaks kept. Empty when
// the text has no link: the view shows such a message as plain text.
[[nodiscard]] QString linkedHtml(const QString &plain);

} // namespace pitchey::client
