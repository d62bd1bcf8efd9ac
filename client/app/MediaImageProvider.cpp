#include "MediaImageProvider.h"

#include <QImageReader>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace pitchey::app {

namespace {

class MediaImageResponse : public QQuickImageResponse
{
public:
    [[nodiscard]] QQuickTextureFactory *textureFactory() const override
    {
        return QQuickTextureFactory::textureFactoryForImage(m_image);
    }
    [[nodiscard]] QString errorString() const override { return m_error; }

    // On the GUI thread, once.
    void finish(const Result<QString> &file, QSize requestedSize)
    {
        if (file.ok()) {
            QImageReader reader(file.value());
            if (requestedSize.isValid() && !requestedSize.isEmpty())
                reader.setScaledSize(reader.size().scaled(requestedSize, Qt::KeepAspectRatio));
            m_image = reader.read();
            if (m_image.isNull())
                m_error = reader.errorString();
        } else {
            m_error = file.error().message;
        }
        Q_EMIT finished();
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
    const int size = parts.value(1).toInt();
    QMetaObject::invokeMethod(
        &m_cache,
        [this, response = QPointer<MediaImageResponse>(response), attachmentId, size,
         requestedSize] {
            m_cache.fetch(attachmentId, size > 0 ? size : 320, {}, response,
                          [response, requestedSize](const Result<QString> &file) {
                              if (response)
                                  response->finish(file, requestedSize);
                          });
        },
        Qt::QueuedConnection);
    return response;
}

} // namespace pitchey::app
