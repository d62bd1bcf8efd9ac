#include "MediaImageProvider.h"

#include <QImageReader>
#include <QPointer>
#include <QThreadPool>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace pitchey::app {

namespace {

// The picture at `path`, at most `requestedSize` (kept in proportion), upright.
QImage decode(const QString &path, QSize requestedSize, QString *error)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    if (requestedSize.isValid() && !requestedSize.isEmpty())
        reader.setScaledSize(reader.size().scaled(requestedSize, Qt::KeepAspectRatio));
    QImage image = reader.read();
    if (image.isNull())
        *error = reader.errorString();
    return image;
}

class MediaImageResponse : public QQuickImageResponse
{
public:
    [[nodiscard]] QQuickTextureFactory *textureFactory() const override
    {
        return QQuickTextureFactory::textureFactoryForImage(m_image);
    }
    [[nodiscard]] QString errorString() const override { return m_error; }

    // On the GUI thread, once: the file is decoded on the thread pool (a full-size photo
    // takes a while), the answer given on the response's own thread. The engine keeps a
    // response until it says finished(), even a cancelled one.
    void finish(const Result<QString> &file, QSize requestedSize)
    {
        if (!file.ok()) {
            m_error = file.error().message;
            Q_EMIT finished();
            return;
        }
        QThreadPool::globalInstance()->start([this, path = file.value(), requestedSize] {
            QString error;
            QImage image = decode(path, requestedSize, &error);
            QMetaObject::invokeMethod(
                this,
                [this, image = std::move(image), error = std::move(error)] {
                    m_image = image;
                    m_error = error;
                    Q_EMIT finished();
                },
                Qt::QueuedConnection);
        });
    }

private:
    QImage m_image;
    QString m_error;
};

} // namespace

QQuickImageResponse *MediaImageProvider::requestImageResponse(const QString &id,
                                                              const QSize &requestedSize)
{
    auto *response = new MediaImageResponse;
    const QStringList parts = id.split(u'/');
    const qint64 attachmentId = parts.value(0).toLongLong();
    const int size = parts.value(1).toInt(); // 0: the file itself
    const QString filename = QUrl::fromPercentEncoding(parts.value(2).toUtf8());
    QMetaObject::invokeMethod(
        &m_cache,
        [this, response = QPointer<MediaImageResponse>(response), attachmentId, size, filename,
         requestedSize] {
            m_cache.fetch(attachmentId, size, filename, response,
                          [response, requestedSize](const Result<QString> &file) {
                              if (response)
                                  response->finish(file, requestedSize);
                          });
        },
        Qt::QueuedConnection);
    return response;
}

} // namespace pitchey::app
