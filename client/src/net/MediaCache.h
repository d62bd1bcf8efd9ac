#pragma once

#include "net/ApiClient.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

namespace pitchey::client {

// Attachments and their thumbnails on disk: each fetched once from the server (one
// download however many ask at once), kept under `root`/<server>/, the least recently
// used removed past a size bound. GUI thread.
class MediaCache : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(Result<QString>)>; // the local file

    explicit MediaCache(ApiClient &api, QObject *parent = nullptr);

    void setRoot(const QString &root) { m_root = root; }
    void setLimit(qint64 bytes) { m_limit = bytes; }
    // The thumbnail (`thumbnailSize` > 0), or the file itself, saved under `filename`.
    void fetch(qint64 attachmentId, int thumbnailSize, const QString &filename, QObject *context,
               Done done);
    [[nodiscard]] QString pathFor(qint64 attachmentId, int thumbnailSize,
                                  const QString &filename) const;
    // A file this computer has already (one the user sent), kept as the attachment's: moved
    // in, or copied where it cannot be moved. False when it could not be.
    bool adopt(const QString &file, qint64 attachmentId, const QString &filename);

private:
    void trim();

    ApiClient &m_api;
    QString m_root;
    qint64 m_limit = 512LL * 1024 * 1024;
    struct Waiting
    {
        QPointer<QObject> context;
        Done done;
    };
    QHash<QString, QList<Waiting>> m_waiting;
};

} // namespace pitchey::client
