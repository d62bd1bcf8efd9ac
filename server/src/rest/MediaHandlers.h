#pragma once

#include "rest/Router.h"

namespace pitchey::server {

class MediaService;

// Attachments over HTTP (contract v2, "Attachments"): GET /api/media/config, POST
// /api/media?filename= (the body streamed to the media store as it arrives), GET
// /api/media/{id} and /api/media/{id}/thumbnail?size= (Range, the safety headers).
class MediaHandlers : public QObject
{
    Q_OBJECT

public:
    MediaHandlers(MediaService &media, QObject *parent = nullptr);

    [[nodiscard]] QList<Route> routes();
    // How POST /api/media takes its body (BodyPolicy, on any thread): streamed, up to
    // `maxUploadBytes`; every other route: the default.
    [[nodiscard]] static BodyPolicy bodyPolicy(const QByteArray &method, const QString &path,
                                               qint64 maxUploadBytes);

private:
    void config(const Call &call);
    void upload(const Call &call);
    void receive(const Call &call); // the body, into the media store
    void download(const Call &call, bool thumbnail);

    MediaService &m_media;
};

} // namespace pitchey::server
