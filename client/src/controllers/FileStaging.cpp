#include "controllers/FileStaging.h"

#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QImageReader>
#include <QLocale>
#include <QMimeData>
#include <QMimeDatabase>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace pitchey::client {

namespace {

// What the server makes thumbnails of (never SVG: a picture that runs code in some viewers).
bool isPicture(const QString &mimeType)
{
    static const QStringList kPictures{u"image/png"_s,  u"image/jpeg"_s, u"image/gif"_s,
                                       u"image/webp"_s, u"image/bmp"_s,  u"image/tiff"_s};
    return kPictures.contains(mimeType);
}

QString sizeText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes);
}

// `bytes` against `limit` in words that show the difference (in bytes when rounding hides it).
std::pair<QString, QString> sizesApart(qint64 bytes, qint64 limit)
{
    if (sizeText(bytes) != sizeText(limit))
        return {sizeText(bytes), sizeText(limit)};
    const auto exactly = [](qint64 n) { return FileStaging::tr("%L1 bytes").arg(n); };
    return {exactly(bytes), exactly(limit)};
}

} // namespace

FileStaging::FileStaging(QObject *parent)
    : QObject(parent)
{}

FileStaging::~FileStaging()
{
    clear();
}

void FileStaging::clear()
{
    for (const auto &files : std::as_const(m_files)) {
        for (const Staged &staged : files)
            forget(staged);
    }
    for (const Staged &staged : std::as_const(m_taken))
        forget(staged);
    m_files.clear();
    m_taken.clear();
    m_conversation = 0;
    Q_EMIT changed();
}

void FileStaging::setConversation(qint64 conversationId)
{
    if (conversationId == m_conversation)
        return;
    m_conversation = conversationId;
    Q_EMIT changed();
}

bool FileStaging::addUrls(const QList<QUrl> &urls)
{
    for (const QUrl &url : urls) {
        if (!url.isLocalFile()) {
            Q_EMIT refused(tr("Only files on this computer can be sent."));
            return false;
        }
        const QFileInfo info(url.toLocalFile());
        Staged staged;
        staged.file.path = info.absoluteFilePath();
        staged.file.filename = info.fileName();
        staged.file.size = info.size();
        if (info.isDir()) {
            Q_EMIT refused(
                tr("%1 is a folder; send the files in it instead.").arg(info.fileName()));
            return false;
        }
        if (!info.isReadable()) {
            Q_EMIT refused(tr("%1 cannot be read.").arg(info.fileName()));
            return false;
        }
        staged.file.mimeType = QMimeDatabase().mimeTypeForFile(info).name();
        if (isPicture(staged.file.mimeType)) {
            QImageReader reader(staged.file.path);
            QSize size = reader.size();
            if (reader.transformation() & QImageIOHandler::TransformationRotate90)
                size.transpose(); // shown upright, as the server will
            if (size.isValid() && qint64(size.width()) * size.height() > m_config.maxImagePixels)
                staged.asFile = true;
            else if (size.isValid())
                staged.file.width = size.width(), staged.file.height = size.height();
        }
        if (!add(staged))
            return false;
    }
    return true;
}

bool FileStaging::addMimeData(const QMimeData &data)
{
    const QList<QUrl> urls = data.urls();
    const bool files =
        !urls.isEmpty() &&
        std::all_of(urls.cbegin(), urls.cend(), [](const QUrl &u) { return u.isLocalFile(); });
    if (files) {
        addUrls(urls);
        return true;
    }
    if (data.hasImage()) {
        addImage(qvariant_cast<QImage>(data.imageData()));
        return true;
    }
    return false;
}

bool FileStaging::paste()
{
    const QMimeData *data = QGuiApplication::clipboard()->mimeData();
    return data && addMimeData(*data);
}

void FileStaging::choose()
{
    if (!m_chooser)
        return;
    m_chooser([this, conversation = m_conversation](const QList<QUrl> &urls) {
        if (conversation == m_conversation) // not another conversation meanwhile
            addUrls(urls);
    });
}

bool FileStaging::addImage(const QImage &image)
{
    QDir dir(m_stagingDir);
    const QString path =
        dir.filePath(QUuid::createUuid().toString(QUuid::WithoutBraces) + ".png"_L1);
    if (image.isNull() || !dir.mkpath(u"."_s) || !image.save(path, "PNG")) {
        Q_EMIT refused(tr("The picture could not be kept for sending."));
        return false;
    }
    Staged staged;
    staged.file = {path,           tr("Pasted image.png"), QFileInfo(path).size(),
                   u"image/png"_s, image.width(),          image.height(),
                   std::nullopt};
    staged.temporary = true;
    if (qint64(image.width()) * image.height() > m_config.maxImagePixels) {
        staged.asFile = true;
        staged.file.width = staged.file.height = 0;
    }
    return add(staged);
}

bool FileStaging::add(const Staged &staged)
{
    QList<Staged> &files = m_files[m_conversation];
    QString why;
    if (m_conversation == 0)
        why = tr("Open a conversation to send files to.");
    else if (files.size() >= m_config.maxAttachmentsPerMessage)
        why = tr("A message can carry at most %n files.", "", m_config.maxAttachmentsPerMessage);
    else if (staged.file.size == 0)
        why = tr("%1 is empty.").arg(staged.file.filename);
    else if (staged.file.size > m_config.maxUploadBytes) {
        const auto [size, limit] = sizesApart(staged.file.size, m_config.maxUploadBytes);
        why = tr("%1 is %2; this server takes files up to %3.")
                  .arg(staged.file.filename, size, limit);
    }
    if (!why.isEmpty()) {
        forget(staged);
        Q_EMIT refused(why);
        return false;
    }
    files.append(staged);
    Q_EMIT changed();
    return true;
}

void FileStaging::remove(int index)
{
    QList<Staged> &files = m_files[m_conversation];
    if (index < 0 || index >= files.size())
        return;
    forget(files.takeAt(index));
    Q_EMIT changed();
}

QList<OutgoingFile> FileStaging::take()
{
    m_taken = m_files.take(m_conversation);
    QList<OutgoingFile> files;
    for (const Staged &staged : std::as_const(m_taken))
        files.append(staged.file);
    if (!files.isEmpty())
        Q_EMIT changed();
    return files;
}

void FileStaging::restore()
{
    if (m_taken.isEmpty())
        return;
    m_files[m_conversation] = std::exchange(m_taken, {});
    Q_EMIT changed();
}

void FileStaging::done()
{
    for (const Staged &staged : std::exchange(m_taken, {}))
        forget(staged); // the queue holds its own copies
}

void FileStaging::forget(const Staged &staged)
{
    if (staged.temporary)
        QFile::remove(staged.file.path);
}

QVariantList FileStaging::files() const
{
    QVariantList list;
    for (const Staged &staged : m_files.value(m_conversation)) {
        const OutgoingFile &file = staged.file;
        list.append(QVariantMap{{u"filename"_s, file.filename},
                                {u"size"_s, file.size},
                                {u"sizeText"_s, sizeText(file.size)},
                                {u"mimeType"_s, file.mimeType},
                                {u"image"_s, file.width > 0 && !staged.asFile},
                                {u"asFile"_s, staged.asFile},
                                {u"source"_s, QUrl::fromLocalFile(file.path)}});
    }
    return list;
}

} // namespace pitchey::client
