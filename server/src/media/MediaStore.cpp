#include "media/MediaStore.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QUuid>

#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace pitchey::server {

namespace {

bool syncFile(QFile &file)
{
    return file.flush() && ::fsync(file.handle()) == 0;
}

bool syncDirectory(const QString &path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}

bool validHash(const QString &sha256)
{
    static const QRegularExpression hex(u"^[0-9a-f]{64}$"_s);
    return hex.match(sha256).hasMatch();
}

class StagedFile final : public MediaStore::Staged
{
public:
    explicit StagedFile(const QString &directory)
        : m_directory(directory)
        , m_file(directory + u'/' + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {}

    ~StagedFile() override
    {
        m_file.close();
        if (!m_placed) {
            QFile::remove(m_file.fileName());
            for (const QString &thumbnail : std::as_const(m_thumbnails))
                QFile::remove(thumbnail);
        }
    }

    bool create() { return m_file.open(QIODevice::WriteOnly | QIODevice::NewOnly); }

    bool write(QByteArrayView piece) override
    {
        return m_file.write(piece.data(), piece.size()) == piece.size();
    }

    Status finish() override
    {
        if (!syncFile(m_file))
            return Error::internal(u"the upload could not be written to the media store"_s);
        m_file.close();
        return Done{};
    }

    std::unique_ptr<QIODevice> read() override
    {
        auto file = std::make_unique<QFile>(m_file.fileName());
        if (!file->open(QIODevice::ReadOnly))
            return nullptr;
        return file;
    }

    Status addThumbnail(int size, const QByteArray &encoded) override
    {
        QFile file(m_file.fileName() + u'.' + QString::number(size));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(encoded) != encoded.size() || !syncFile(file))
            return Error::internal(u"a thumbnail could not be written to the media store"_s);
        m_thumbnails.insert(size, file.fileName());
        return Done{};
    }

    [[nodiscard]] QString path() const { return m_file.fileName(); }
    [[nodiscard]] const QMap<int, QString> &thumbnails() const { return m_thumbnails; }
    void placed() { m_placed = true; }
    [[nodiscard]] bool isPlaced() const { return m_placed; }

private:
    QString m_directory;
    QFile m_file;
    QMap<int, QString> m_thumbnails;
    bool m_placed = false;
};

bool renameOver(const QString &from, const QString &to)
{
    return ::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0;
}

} // namespace

FileMediaStore::FileMediaStore(QString root)
    : m_root(std::move(root))
{}

Status FileMediaStore::open()
{
    if (!QDir().mkpath(m_root + u"/tmp"_s))
        return Error::internal(u"cannot create the media directory %1"_s.arg(m_root));
    const QDateTime dayAgo = QDateTime::currentDateTimeUtc().addDays(-1);
    QDirIterator staged(m_root + u"/tmp"_s, QDir::Files);
    while (staged.hasNext()) {
        staged.next();
        if (staged.fileInfo().lastModified() < dayAgo)
            QFile::remove(staged.filePath());
    }
    return Done{};
}

QString FileMediaStore::pathOf(const QString &sha256, int thumbnailSize) const
{
    QString path = m_root + u'/' + sha256.left(2) + u'/' + sha256;
    if (thumbnailSize > 0)
        path += u'.' + QString::number(thumbnailSize);
    return path;
}

Result<std::unique_ptr<MediaStore::Staged>> FileMediaStore::stage()
{
    auto staged = std::make_unique<StagedFile>(m_root + u"/tmp"_s);
    if (!staged->create())
        return Error::internal(u"the media store cannot take uploads now"_s);
    return std::unique_ptr<Staged>(std::move(staged));
}

Status FileMediaStore::place(Staged &staged, const QString &sha256)
{
    auto &file = static_cast<StagedFile &>(staged);
    if (file.isPlaced()) // (a database job that runs again)
        return QFile::exists(pathOf(sha256)) ? Status(Done{})
                                             : Error::internal(u"a placed upload went"_s);
    if (!validHash(sha256))
        return Error::internal(u"not a SHA-256: %1"_s.arg(sha256));
    const QString directory = m_root + u'/' + sha256.left(2);
    if (!QDir().mkpath(directory))
        return Error::internal(u"cannot create %1"_s.arg(directory));
    const QMap<int, QString> &thumbnails = file.thumbnails();
    for (auto it = thumbnails.cbegin(); it != thumbnails.cend(); ++it) {
        if (!renameOver(it.value(), pathOf(sha256, it.key())))
            return Error::internal(u"cannot place a thumbnail in the media store"_s);
    }
    if (!renameOver(file.path(), pathOf(sha256)) || !syncDirectory(directory))
        return Error::internal(u"cannot place an upload in the media store"_s);
    file.placed();
    return Done{};
}

std::unique_ptr<QIODevice> FileMediaStore::open(const QString &sha256, int thumbnailSize)
{
    if (!validHash(sha256))
        return nullptr;
    auto file = std::make_unique<QFile>(pathOf(sha256, thumbnailSize));
    if (!file->open(QIODevice::ReadOnly))
        return nullptr;
    return file;
}

Status FileMediaStore::remove(const QString &sha256)
{
    if (!validHash(sha256))
        return Error::internal(u"not a SHA-256: %1"_s.arg(sha256));
    QDir directory(m_root + u'/' + sha256.left(2));
    for (const QString &name : directory.entryList({sha256 + u'*'}, QDir::Files)) {
        if (!directory.remove(name) && directory.exists(name))
            return Error::internal(u"cannot remove %1 from the media store"_s.arg(name));
    }
    return Done{};
}

} // namespace pitchey::server
