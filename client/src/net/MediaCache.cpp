#include "net/MediaCache.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace pitchey::client {

MediaCache::MediaCache(ApiClient &api, QObject *parent)
    : QObject(parent)
    , m_api(api)
{}

QString MediaCache::pathFor(qint64 attachmentId, int thumbnailSize, const QString &filename) const
{
    // Ids are the server's: one directory per server.
    const QString server = QString::fromLatin1(
        QCryptographicHash::hash(m_api.baseUrl().toEncoded(), QCryptographicHash::Sha256)
            .toHex()
            .left(16));
    const QString base = m_root + u'/' + server + u'/' + QString::number(attachmentId);
    if (thumbnailSize > 0)
        return base + u"/thumbnail-"_s + QString::number(thumbnailSize);
    // (The server's name is clean; a name of nothing but dots is not a file.)
    const QString name = filename.isEmpty() || filename.startsWith(u'.') ? u"file"_s : filename;
    return base + u'/' + QFileInfo(name).fileName();
}

void MediaCache::fetch(qint64 attachmentId, int thumbnailSize, const QString &filename,
                       QObject *context, Done done)
{
    const QString path = pathFor(attachmentId, thumbnailSize, filename);
    if (QFileInfo::exists(path)) {
        QFile used(path); // the most recently used stays longest
        if (used.open(QIODevice::Append))
            used.setFileTime(QDateTime::currentDateTimeUtc(), QFileDevice::FileModificationTime);
        return done(path);
    }
    auto &waiting = m_waiting[path];
    waiting.append({context, std::move(done)});
    if (waiting.size() > 1)
        return; // one download for all
    m_api.download(attachmentId, thumbnailSize, path, this,
                   [this, path](const Result<QString> &got) {
                       const QList<Waiting> all = m_waiting.take(path);
                       for (const Waiting &each : all) {
                           if (each.context)
                               each.done(got);
                       }
                       if (got.ok())
                           trim();
                   });
}

bool MediaCache::adopt(const QString &file, qint64 attachmentId, const QString &filename)
{
    const QString path = pathFor(attachmentId, 0, filename);
    if (QFileInfo::exists(path))
        return true;
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return false;
    if (!QFile::rename(file, path) && !QFile::copy(file, path))
        return false;
    trim();
    return true;
}

void MediaCache::trim()
{
    QList<QFileInfo> files;
    qint64 total = 0;
    QDirIterator it(m_root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        if (it.fileName().endsWith(u".part"_s))
            continue;
        files.append(it.fileInfo());
        total += it.fileInfo().size();
    }
    if (total <= m_limit)
        return;
    std::sort(files.begin(), files.end(), [](const QFileInfo &a, const QFileInfo &b) {
        return a.lastModified() < b.lastModified();
    });
    for (const QFileInfo &file : std::as_const(files)) {
        if (total <= m_limit * 3 / 4)
            break;
        if (QFile::remove(file.absoluteFilePath()))
            total -= file.size();
    }
}

} // namespace pitchey::client
