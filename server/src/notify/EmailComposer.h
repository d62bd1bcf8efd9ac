#pragma once

#include "storage/EmailRepository.h"

#include <QList>
#include <QString>

namespace pitchey::server {

struct DigestLinks
{
    QString open;        // where the reader can read them (the public URL), may be empty
    QString unsubscribe; // one-click unsubscribe link
};

// One email for one user that sums up every conversation with unread messages: who wrote,
// how many, the latest lines. Plain text and HTML (every user-supplied text escaped).
[[nodiscard]] ComposedEmail composeDigest(const QString &recipientName,
                                          const QList<DigestConversation> &conversations,
                                          const DigestLinks &links);

// The whole RFC 5322 message, CRLF line ends, multipart/alternative, UTF-8 bodies in
// quoted-printable-free base64 so that no line is too long and no byte is mangled.
[[nodiscard]] QByteArray mimeMessage(const QString &from, const QString &to,
                                     const ComposedEmail &email, const QString &unsubscribeUrl,
                                     const QString &messageIdDomain);

} // namespace pitchey::server
