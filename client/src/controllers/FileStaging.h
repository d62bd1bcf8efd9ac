#pragma once

#include "protocol/Api.h"
#include "store/LocalMessage.h"

#include <QHash>
#include <QObject>
#include <QUrl>
#include <QVariantList>

#include <functional>

class QImage;
class QMimeData;

namespace pitchey::client {

// The files the person picked, pasted or dropped for the open conversation's next message,
// each checked against what the server takes (GET /api/media/config) before anything is
// sent: a file over maxUploadBytes, an empty one, a folder or more files than a message may
// carry are refused with a word that says why; an image over maxImagePixels is kept, as a
// file (the server would not show it as a picture). Each conversation keeps its own until
// sent (or each thread: the staging's "conversation" is then the thread's root). A pasted
// picture is written as a PNG under the staging directory. GUI thread.
class FileStaging : public QObject
{
    Q_OBJECT
    // [{filename, size, sizeText, mimeType, image, asFile, source}]: image is shown as a
    // picture; asFile: an image too large to be shown, sent as a file; source: its file: URL.
    Q_PROPERTY(QVariantList files READ files NOTIFY changed)
    Q_PROPERTY(int count READ count NOTIFY changed)

public:
    explicit FileStaging(QObject *parent = nullptr);
    ~FileStaging() override;

    void setConfig(const api::MediaConfig &config) { m_config = config; }
    [[nodiscard]] const api::MediaConfig &config() const { return m_config; }
    // Where pasted pictures are written (removed again once sent or taken away).
    void setStagingDir(const QString &dir) { m_stagingDir = dir; }
    // The conversation whose files show (0: none).
    void setConversation(qint64 conversationId);
    // How files are picked (the app's file dialog): it calls back with the chosen ones.
    using Chooser = std::function<void(std::function<void(const QList<QUrl> &)>)>;
    void setChooser(Chooser chooser) { m_chooser = std::move(chooser); }

    // Local files (a file dialog's, a drop's); true when every one was taken, else
    // refused(why) for the first that was not.
    Q_INVOKABLE bool addUrls(const QList<QUrl> &urls);
    // The clipboard's or a drop's data: local files, else a picture; false when it holds
    // neither (the text field pastes the text then).
    bool addMimeData(const QMimeData &data);
    // The clipboard's files or picture (addMimeData); false when it holds neither.
    Q_INVOKABLE bool paste();
    // Opens the file dialog; what is chosen is added.
    Q_INVOKABLE void choose();
    Q_INVOKABLE void remove(int index);
    // Every conversation's files forgotten (the session ends).
    void clear();
    // The open conversation's files, to send: they leave the staging. restore() puts them
    // back when the message could not be queued; done() once it was.
    [[nodiscard]] QList<OutgoingFile> take();
    void restore();
    void done();

    [[nodiscard]] QVariantList files() const;
    [[nodiscard]] int count() const { return int(m_files.value(m_conversation).size()); }

Q_SIGNALS:
    void changed();
    void refused(const QString &why);

private:
    struct Staged
    {
        OutgoingFile file;
        bool asFile = false;    // an image over the pixel limit
        bool temporary = false; // written here (a pasted picture): removed once sent
    };
    bool add(const Staged &staged);
    bool addImage(const QImage &image);
    static void forget(const Staged &staged);

    api::MediaConfig m_config;
    QString m_stagingDir;
    Chooser m_chooser;
    qint64 m_conversation = 0;
    QHash<qint64, QList<Staged>> m_files; // by conversation
    QList<Staged> m_taken;                // on their way into the queue
};

} // namespace pitchey::client
