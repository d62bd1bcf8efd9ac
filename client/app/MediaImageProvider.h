#pragma once

#include "net/MediaCache.h"

#include <QQuickAsyncImageProvider>

namespace pitchey::app {

// "image://media/<attachmentId>/<size>": an attachment's thumbnail (size 320 or 800), or
// "image://media/<attachmentId>/0/<percent-encoded filename>": the picture itself, through
// the media cache (downloaded once with the session's token, then read from disk).
// Requests arrive on Qt Quick's loader threads; the cache is asked on the GUI thread, the
// file decoded on the thread pool.
class MediaImageProvider : public QQuickAsyncImageProvider
{
public:
    explicit MediaImageProvider(client::MediaCache &cache)
        : m_cache(cache)
    {}

    QQuickImageResponse *requestImageResponse(const QString &id,
                                              const QSize &requestedSize) override;

private:
    client::MediaCache &m_cache;
};

} // namespace pitchey::app
