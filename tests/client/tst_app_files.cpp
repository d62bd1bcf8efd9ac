// Sending files from the messenger, as people do: the attach dialog (Ctrl+O), a picture
// pasted into the composer, files dropped on the conversation; limits checked before
// anything is sent; uploads that wait in the offline queue, resume after a restart of the
// server and of the app, and can be cancelled.
#include "AppDriver.h"
#include "MediaFiles.h"

#include "media/MediaService.h"
#include "sync/OfflineQueue.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QJsonArray>
#include <QLineEdit>
#include <QMimeData>
#include <QSignalSpy>

using namespace pitchey::testing;
using namespace Qt::StringLiterals;

namespace {

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return file.fileName();
}

// The conversation's messages as the server has them, oldest first.
QJsonArray messagesOf(TwoPeople &world, const HttpClient::Account &who)
{
    return world.http->get(u"/api/messages/%1/messages?limit=100"_s.arg(world.pair), who.token)
        .body["messages"_L1]
        .toArray();
}

QStringList fieldOf(const QJsonArray &attachments, QLatin1StringView field)
{
    QStringList values;
    for (const auto &attachment : attachments)
        values.append(attachment[field].toVariant().toString());
    return values;
}

QFileDialog *openFileDialog()
{
    const auto widgets = QApplication::topLevelWidgets();
    for (QWidget *widget : widgets) {
        if (auto *dialog = qobject_cast<QFileDialog *>(widget); dialog && dialog->isVisible())
            return dialog;
    }
    return nullptr;
}

// What a file manager does: drags the files in and lets go over `at`.
void drop(QQuickWindow *window, QPoint at, const QList<QUrl> &urls)
{
    QMimeData data;
    data.setUrls(urls);
    QDragEnterEvent enter(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &enter);
    QDragMoveEvent move(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &move);
    QDropEvent dropped(at, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &dropped);
}

int stagedCount(RunningApp &app)
{
    return app.messenger.chat().files()->count();
}

// A file's bytes; empty if it cannot be read.
QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The person types `path` into the open file dialog and presses Enter.
bool answerFileDialog(const QString &path)
{
    QFileDialog *dialog = nullptr;
    if (!QTest::qWaitFor([&] { return (dialog = openFileDialog()) != nullptr; }))
        return false;
    auto *name = dialog->findChild<QLineEdit *>(u"fileNameEdit"_s);
    if (!name)
        return false;
    QTest::keyClicks(name, path);
    QTest::keyClick(name, Qt::Key_Return);
    return true;
}

} // namespace

class TestAppFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { useOwnSettings(u"tst_app_files"_s); }

    void attachPasteAndDropMakeOneMessage()
    {
        TwoPeople world;
        QVERIFY(world.start());
        QTemporaryDir files;
        const QByteArray pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";
        const QByteArray jpeg = jpegOf(quadrantImage(800, 600));
        const QString report = writeFile(files, u"report.pdf"_s, pdf);
        const QString photo = writeFile(files, u"photo.jpg"_s, jpeg);
        QVERIFY(!report.isEmpty() && !photo.isEmpty());
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        QTest::keyClick(app.window, Qt::Key_Down, Qt::AltModifier); // opens the chat
        QQuickItem *field = app.item(u"composerField"_s);
        QTRY_COMPARE(app.window->activeFocusItem(), field);

        // Ctrl+O: the file dialog; a file chosen in it is staged.
        QTest::keyClick(app.window, Qt::Key_O, Qt::ControlModifier);
        QVERIFY(answerFileDialog(report));
        QTRY_COMPARE(stagedCount(app), 1);

        // A picture on the clipboard, pasted into the composer: staged, no text pasted.
        QGuiApplication::clipboard()->setImage(quadrantImage(300, 200));
        click(app.window, field);
        QTest::keyClick(app.window, Qt::Key_V, Qt::ControlModifier);
        QTRY_COMPARE(stagedCount(app), 2);
        QCOMPARE(field->property("text").toString(), QString());

        // A file dropped on the conversation.
        QQuickItem *list = app.item(u"messageList"_s);
        drop(app.window, list->mapToScene({list->width() / 2, list->height() / 2}).toPoint(),
             {QUrl::fromLocalFile(photo)});
        QTRY_COMPARE(stagedCount(app), 3);
        QTRY_COMPARE(visibleItems(app.window, u"stagedFile"_s).size(), 3);

        click(app.window, field);
        type(app.window, u"three files"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_COMPARE(messagesOf(world, world.bob).size(), 1);
        const QJsonObject sent = messagesOf(world, world.bob).at(0).toObject();
        QCOMPARE(sent["content"_L1].toString(), u"three files"_s);
        const QJsonArray attachments = sent["attachments"_L1].toArray();
        QCOMPARE(fieldOf(attachments, "filename"_L1),
                 (QStringList{u"report.pdf"_s, u"Pasted image.png"_s, u"photo.jpg"_s}));
        QCOMPARE(fieldOf(attachments, "mimeType"_L1),
                 (QStringList{u"application/pdf"_s, u"image/png"_s, u"image/jpeg"_s}));
        QCOMPARE(attachments.at(2)["size"_L1].toInteger(), jpeg.size());
        QCOMPARE(stagedCount(app), 0);
        QTRY_VERIFY(visibleItems(app.window, u"stagedFile"_s).isEmpty());
        // The bubble: two pictures and a card, as the server has them.
        QTRY_COMPARE(visibleItems(app.window, u"attachmentImage"_s).size(), 2);
        QCOMPARE(visibleItems(app.window, u"attachmentFile"_s).size(), 1);
        QTRY_VERIFY(visibleItems(app.window, u"uploadBar"_s).isEmpty());
        QCOMPARE(app.messenger.chat().messages()->messages().constLast().attachments.size(), 3);
    }

    void picturesOpenInAViewerAndFilesSaveWhereChosen()
    {
        TwoPeople world;
        QVERIFY(world.start());
        const QByteArray wide = jpegOf(quadrantImage(1600, 800));
        const QByteArray tall = pngOf(quadrantImage(300, 600));
        const QByteArray notes = "minutes\n";
        const qint64 first = world.upload(world.bob, wide, u"wide.jpg"_s);
        const qint64 second = world.upload(world.bob, tall, u"tall.png"_s);
        const qint64 third = world.upload(world.bob, notes, u"notes.txt"_s);
        QVERIFY(first > 0 && second > 0 && third > 0);
        QVERIFY(world.sayWithFiles(world.bob, world.pair, u"two pictures and the notes"_s,
                                   {first, second, third}) > 0);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        QTest::keyClick(app.window, Qt::Key_Down, Qt::AltModifier);
        QTRY_COMPARE(visibleItems(app.window, u"attachmentImage"_s).size(), 2);
        const auto thumbnailsShown = [&] {
            const auto pictures = visibleItems(app.window, u"attachmentPicture"_s);
            return pictures.size() == 2 &&
                   std::all_of(pictures.cbegin(), pictures.cend(), [](QQuickItem *picture) {
                       return picture->property("status").toInt() == 1; // Image.Ready
                   });
        };
        QTRY_VERIFY(thumbnailsShown());
        screenshot(app.window, u"files"_s);

        // A click on the first picture: the viewer, the picture fitted (1600 x 800 in the
        // window less the margins), read whole from the server.
        click(app.window, visibleItems(app.window, u"attachmentImage"_s).constFirst());
        QTRY_COMPARE(visibleItems(app.window, u"viewerImage"_s).size(), 1);
        QQuickItem *picture = visibleItems(app.window, u"viewerImage"_s).constFirst();
        QTRY_COMPARE(picture->property("status").toInt(), 1); // Image.Ready
        const qreal fitted = picture->width();
        QCOMPARE(fitted, 1000.0 - 2 * 56); // the window's width less the margins
        QCOMPARE(picture->height(), fitted / 2);
        QCOMPARE(picture->property("sourceSize").toSize().width(), 1600);
        const auto title = [&] {
            return visibleItems(app.window, u"viewerTitle"_s)
                .constFirst()
                ->property("text")
                .toString();
        };
        QCOMPARE(title(), u"wide.jpg · 1 of 2"_s);
        screenshot(app.window, u"viewer"_s);
        QTest::keyClick(app.window, Qt::Key_Plus);
        QTRY_COMPARE(picture->width(), qRound(fitted * 1.25));
        // The scale is of the picture's own size; 1 shows it pixel for pixel.
        const auto scale = [&] {
            return visibleItems(app.window, u"viewerScale"_s).constFirst()->property("text");
        };
        QCOMPARE(scale(), u"%1%"_s.arg(qRound(fitted * 1.25 * 100 / 1600)));
        QTest::keyClick(app.window, Qt::Key_1);
        QTRY_COMPARE(picture->width(), 1600.0);
        QCOMPARE(scale(), u"100%"_s);
        QTest::keyClick(app.window, Qt::Key_0);
        QTRY_COMPARE(picture->width(), fitted);
        QCOMPARE(scale(), u"%1%"_s.arg(qRound(fitted * 100 / 1600)));
        QTest::keyClick(app.window, Qt::Key_Right); // the next picture: the tall one
        QTRY_COMPARE(title(), u"tall.png · 2 of 2"_s);
        QTRY_COMPARE(picture->property("status").toInt(), 1);
        QCOMPARE(picture->height(), 680.0 - 2 * 56); // 600 high: fitted to the height
        QCOMPARE(picture->width(), qRound(300.0 * (680 - 2 * 56) / 600));
        QTest::keyClick(app.window, Qt::Key_Right); // the last: stays
        QCOMPARE(title(), u"tall.png · 2 of 2"_s);

        // Save as: the dialog, a name typed, the file written there.
        QTemporaryDir saved;
        QSignalSpy written(&app.messenger.chat(),
                           &pitchey::client::ChatController::attachmentSaved);
        click(app.window, visibleItems(app.window, u"viewerSave"_s).constFirst());
        QVERIFY(answerFileDialog(saved.filePath(u"mine.png"_s)));
        QTRY_COMPARE(written.size(), 1);
        QCOMPARE(contentsOf(saved.filePath(u"mine.png"_s)), tall);
        app.window->requestActivate(); // as the window manager does when the dialog closes
        QVERIFY(QTest::qWaitForWindowActive(app.window));
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_VERIFY(visibleItems(app.window, u"viewerImage"_s).isEmpty());

        // A file's card saves too.
        QTRY_COMPARE(visibleItems(app.window, u"saveFile"_s).size(), 1);
        // (The tall message opened at its top, under the "New messages" line: to its end.)
        QMetaObject::invokeMethod(app.item(u"messageList"_s), "positionViewAtBeginning");
        click(app.window, visibleItems(app.window, u"saveFile"_s).constFirst());
        QVERIFY(answerFileDialog(saved.filePath(u"notes.txt"_s)));
        QTRY_COMPARE(written.size(), 2);
        QCOMPARE(contentsOf(saved.filePath(u"notes.txt"_s)), notes);
    }

    // The thread beside the conversation takes files of its own (Ctrl+O while typing there,
    // a drop on it), sends them as a reply in the thread, and its pictures open the viewer.
    void theThreadTakesFilesOfItsOwn()
    {
        TwoPeople world;
        QVERIFY(world.start());
        QTemporaryDir files;
        const QString photo = writeFile(files, u"photo.jpg"_s, jpegOf(quadrantImage(800, 600)));
        const QString notes = writeFile(files, u"notes.txt"_s, "minutes\n");
        const qint64 root = world.say(world.bob, world.pair, u"photos from friday?"_s);
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        pitchey::client::ChatController &chat = app.messenger.chat();
        QTest::keyClick(app.window, Qt::Key_Down, Qt::AltModifier);
        QTRY_COMPARE(chat.messages()->rowCount(), 1); // the root, there to open its thread
        chat.openThread(root);
        QTRY_VERIFY(app.item(u"threadComposer"_s));
        QQuickItem *field =
            app.item(u"threadComposer"_s)->findChild<QQuickItem *>(u"composerField"_s);
        QTRY_VERIFY(field->hasActiveFocus());

        QTest::keyClick(app.window, Qt::Key_O, Qt::ControlModifier);
        QVERIFY(answerFileDialog(photo));
        QTRY_COMPARE(chat.threadFiles()->count(), 1);
        QQuickItem *thread = app.item(u"threadList"_s);
        drop(app.window, thread->mapToScene({thread->width() / 2, thread->height() / 2}).toPoint(),
             {QUrl::fromLocalFile(notes)});
        QTRY_COMPARE(chat.threadFiles()->count(), 2);
        QCOMPARE(chat.files()->count(), 0); // the conversation's own stay apart
        QTRY_COMPARE(visibleItems(app.window, u"stagedFile"_s).size(), 2);
        QVERIFY(app.item(u"threadComposer"_s)
                    ->isAncestorOf(visibleItems(app.window, u"stagedFile"_s).constFirst()));

        app.window->requestActivate();
        QVERIFY(QTest::qWaitForWindowActive(app.window));
        click(app.window, field);
        type(app.window, u"here they are"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        const auto replies = [&] {
            return world.http
                ->get(u"/api/messages/%1/messages?threadRootId=%2"_s.arg(world.pair).arg(root),
                      world.bob.token)
                .body["messages"_L1]
                .toArray();
        };
        QTRY_COMPARE(replies().size(), 1);
        QCOMPARE(replies().at(0)["content"_L1].toString(), u"here they are"_s);
        QCOMPARE(fieldOf(replies().at(0)["attachments"_L1].toArray(), "filename"_L1),
                 (QStringList{u"photo.jpg"_s, u"notes.txt"_s}));
        QCOMPARE(chat.threadFiles()->count(), 0);

        // The picture in the thread opens the viewer, with the thread's pictures.
        QTRY_COMPARE(visibleItems(app.window, u"attachmentImage"_s).size(), 1);
        QVERIFY(thread->isAncestorOf(visibleItems(app.window, u"attachmentImage"_s).constFirst()));
        click(app.window, visibleItems(app.window, u"attachmentImage"_s).constFirst());
        QTRY_COMPARE(visibleItems(app.window, u"viewerTitle"_s).size(), 1);
        QCOMPARE(visibleItems(app.window, u"viewerTitle"_s).constFirst()->property("text"),
                 u"photo.jpg · 1 of 1"_s);
        QTest::keyClick(app.window, Qt::Key_Escape);
        QTRY_VERIFY(visibleItems(app.window, u"viewerTitle"_s).isEmpty());
        QTRY_VERIFY(field->hasActiveFocus());
    }

    void limitsAreCheckedBeforeAnythingIsSent()
    {
        TwoPeople world([](pitchey::server::ServerConfig &config) {
            config.maxUploadBytes = 5000;
            config.maxImagePixels = 100 * 100;
            config.maxAttachmentsPerMessage = 3;
        });
        QVERIFY(world.start());
        QTemporaryDir files;
        const QString exact = writeFile(files, u"exact.bin"_s, QByteArray(5000, 'a'));
        const QString over = writeFile(files, u"over.bin"_s, QByteArray(5001, 'a'));
        const QString empty = writeFile(files, u"empty.txt"_s, {});
        const QString wide = writeFile(files, u"wide.png"_s, pngOf(quadrantImage(101, 100)));
        const QString fits = writeFile(files, u"fits.png"_s, pngOf(quadrantImage(100, 100)));
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        pitchey::client::ChatController &chat = app.messenger.chat();
        QTRY_COMPARE(chat.files()->config().maxUploadBytes, 5000);
        chat.openConversation(world.pair);
        QSignalSpy said(&chat, &pitchey::client::ChatController::errorOccurred);

        QVERIFY(chat.files()->addUrls({QUrl::fromLocalFile(exact)}));
        QVERIFY(!chat.files()->addUrls({QUrl::fromLocalFile(over)}));
        QCOMPARE(said.size(), 1);
        QCOMPARE(said.at(0).at(0).toString(),
                 u"over.bin is 5,001 bytes; this server takes files up to 5,000 bytes."_s);
        QVERIFY(!chat.files()->addUrls({QUrl::fromLocalFile(empty)}));
        QVERIFY(!chat.files()->addUrls({QUrl::fromLocalFile(files.path())})); // a folder
        QVERIFY(!chat.files()->addUrls({QUrl(u"https://example.org/a.png"_s)}));
        QCOMPARE(said.size(), 4);
        // Over the pixel limit by one column: kept, as a file; at the limit: a picture.
        QVERIFY(chat.files()->addUrls({QUrl::fromLocalFile(wide), QUrl::fromLocalFile(fits)}));
        const QVariantList staged = chat.files()->files();
        QCOMPARE(staged.size(), 3);
        QCOMPARE(staged.at(1).toMap().value(u"asFile"_s).toBool(), true);
        QCOMPARE(staged.at(1).toMap().value(u"image"_s).toBool(), false);
        QCOMPARE(staged.at(2).toMap().value(u"asFile"_s).toBool(), false);
        QCOMPARE(staged.at(2).toMap().value(u"image"_s).toBool(), true);
        QVERIFY(!chat.files()->addUrls({QUrl::fromLocalFile(exact)})); // a fourth
        QVERIFY(said.at(4).at(0).toString().contains(u"at most 3 files"_s));

        // Another conversation has files of its own; back here, these are still staged.
        const auto carol = world.http->registerUser(u"carol"_s);
        const qint64 other = world.startConversation(world.alice, {world.bob.id, carol.id});
        QVERIFY(other > 0);
        QVERIFY(world.say(world.bob, other, u"hello both"_s) > 0);
        QTRY_COMPARE(chat.conversations()->rowCount(), 2);
        chat.openConversation(other);
        QCOMPARE(chat.files()->count(), 0);
        chat.openConversation(world.pair);
        QCOMPARE(chat.files()->count(), 3);

        QVERIFY(chat.send(u"   "_s)); // blanks are no caption
        QTRY_COMPARE(messagesOf(world, world.bob).size(), 1);
        const QJsonObject sent = messagesOf(world, world.bob).at(0).toObject();
        QCOMPARE(sent["content"_L1].toString(), QString());
        const QJsonArray attachments = sent["attachments"_L1].toArray();
        QCOMPARE(fieldOf(attachments, "filename"_L1),
                 (QStringList{u"exact.bin"_s, u"wide.png"_s, u"fits.png"_s}));
        QCOMPARE(attachments.at(1)["thumbnail"_L1]["state"_L1].toString(), u"none"_s);
        QCOMPARE(attachments.at(2)["thumbnail"_L1]["state"_L1].toString(), u"ready"_s);
    }

    void anUploadCutByRestartsIsSentOnceAndTheTextAfterItWaits()
    {
        TwoPeople world;
        QVERIFY(world.start());
        QTemporaryDir files;
        const QByteArray bytes = noise(24 * 1024 * 1024);
        const QString big = writeFile(files, u"big.bin"_s, bytes);
        QTemporaryDir cache;
        {
            RunningApp app(world.url, cache.path());
            QVERIFY(app.start(u"alice"_s, 1));
            pitchey::client::ChatController &chat = app.messenger.chat();
            chat.openConversation(world.pair);
            QVERIFY(chat.files()->addUrls({QUrl::fromLocalFile(big)}));
            QVERIFY(chat.send(u"the big one"_s));
            QVERIFY(chat.send(u"after it"_s));
            // A tenth of the way up, the server goes away; then the person quits.
            bool cut = false;
            connect(chat.queue(), &pitchey::client::OfflineQueue::uploadProgress, this,
                    [&](const QString &, double done) {
                        if (done >= 0.1 && !cut) {
                            cut = true;
                            world.server.stop();
                        }
                    });
            QTRY_VERIFY(cut);
            QTRY_VERIFY(chat.connectionState() !=
                        pitchey::client::ChatController::ConnectionState::Connected);
            QCOMPARE(chat.cache()->queued().size(), 2);
        }
        QVERIFY(world.server.start());
        QVERIFY(messagesOf(world, world.bob).isEmpty());

        RunningApp again(world.url, cache.path());
        QVERIFY(again.start(u"alice"_s, 1));
        QTRY_COMPARE(messagesOf(world, world.bob).size(), 2);
        const QJsonArray sent = messagesOf(world, world.bob);
        QCOMPARE(sent.at(0)["content"_L1].toString(), u"the big one"_s);
        QCOMPARE(sent.at(0)["attachments"_L1].toArray().size(), 1);
        QCOMPARE(sent.at(0)["attachments"_L1][0]["size"_L1].toInteger(), bytes.size());
        QCOMPARE(sent.at(1)["content"_L1].toString(), u"after it"_s);
        QTRY_VERIFY(again.messenger.chat().cache()->queued().isEmpty());
        QCOMPARE(messagesOf(world, world.bob).size(), 2); // once each
        // The copy kept for sending is gone with it.
        const QDir copies(again.messenger.chat().cache()->outboxDir());
        QTRY_VERIFY(copies.entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());
    }

    // The app quit between an upload and its message; the server forgot the upload after
    // its 24 hours (here: at once). The send is refused; Retry uploads the file again.
    void retryUploadsAgainWhatTheServerForgot()
    {
        TwoPeople world([](pitchey::server::ServerConfig &config) {
            config.uploadRetention = std::chrono::hours(0);
        });
        QVERIFY(world.start());
        QTemporaryDir files;
        const QByteArray bytes = noise(64 * 1024);
        const QString report = writeFile(files, u"report.bin"_s, bytes);
        pitchey::Attachment forgotten; // as the app kept the server's answer
        forgotten.id = world.upload(world.alice, bytes, u"report.bin"_s);
        forgotten.filename = u"report.bin"_s;
        forgotten.size = bytes.size();
        QVERIFY(forgotten.id > 0);
        int swept = -1;
        world.server.server().media()->sweep(
            [&](const auto &result) { swept = result.ok() ? result.value() : 0; });
        QTRY_COMPARE(swept, 1);

        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        pitchey::client::ChatController &chat = app.messenger.chat();
        world.server.stop();
        QTRY_VERIFY(chat.connectionState() !=
                    pitchey::client::ChatController::ConnectionState::Connected);
        QTest::keyClick(app.window, Qt::Key_Down, Qt::AltModifier);
        QVERIFY(chat.files()->addUrls({QUrl::fromLocalFile(report)}));
        type(app.window, u"the report"_s);
        QTest::keyClick(app.window, Qt::Key_Return);
        QTRY_COMPARE(chat.cache()->queued().size(), 1);
        const QString cmid = chat.cache()->queued().constFirst().clientMessageId;
        QVERIFY(chat.cache()->setUploaded(cmid, 0, forgotten));
        QVERIFY(world.server.start());

        QTRY_COMPARE(chat.cache()->byClientId(cmid)->state,
                     pitchey::client::LocalMessage::State::Failed);
        QTRY_COMPARE(visibleItems(app.window, u"retryButton"_s).size(), 1);
        click(app.window, visibleItems(app.window, u"retryButton"_s).constFirst());
        QTRY_COMPARE(messagesOf(world, world.bob).size(), 1);
        const QJsonObject sent = messagesOf(world, world.bob).at(0).toObject();
        QCOMPARE(sent["content"_L1].toString(), u"the report"_s);
        const QJsonArray attachments = sent["attachments"_L1].toArray();
        QCOMPARE(fieldOf(attachments, "filename"_L1), QStringList{u"report.bin"_s});
        QCOMPARE(attachments.at(0)["size"_L1].toInteger(), bytes.size());
        QVERIFY(attachments.at(0)["id"_L1].toInteger() != forgotten.id);
        QTRY_VERIFY(chat.cache()->queued().isEmpty());
        QCOMPARE(visibleItems(app.window, u"retryButton"_s).size(), 0);
    }

    void aCancelledUploadTakesItsMessageBack()
    {
        TwoPeople world;
        QVERIFY(world.start());
        QTemporaryDir files;
        const QString big = writeFile(files, u"big.bin"_s, noise(48 * 1024 * 1024));
        RunningApp app(world.url);
        QVERIFY(app.start(u"alice"_s, 1));
        pitchey::client::ChatController &chat = app.messenger.chat();
        chat.openConversation(world.pair);
        QSignalSpy progress(chat.queue(), &pitchey::client::OfflineQueue::uploadProgress);
        QVERIFY(chat.files()->addUrls({QUrl::fromLocalFile(big)}));
        QVERIFY(chat.send(u"never mind"_s));
        QVERIFY(!progress.isEmpty()); // uploading
        // At once (a QTRY's pauses would let a fast loopback finish the upload first).
        QVERIFY(QTest::qWaitFor(
            [&] { return visibleItems(app.window, u"cancelUpload"_s).size() == 1; }));
        click(app.window, visibleItems(app.window, u"cancelUpload"_s).constFirst());
        QTRY_COMPARE(chat.messages()->rowCount(), 0); // its bubble is gone
        QVERIFY(chat.cache()->queued().isEmpty());
        QCOMPARE(progress.constLast().at(1).toDouble(), -1.0);

        QVERIFY(chat.send(u"the next one"_s)); // the queue goes on
        QTRY_COMPARE(messagesOf(world, world.bob).size(), 1);
        QCOMPARE(messagesOf(world, world.bob).at(0)["content"_L1].toString(), u"the next one"_s);
        const QDir copies(chat.cache()->outboxDir());
        QVERIFY(copies.entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());
    }
};

QTEST_MAIN(TestAppFiles)
#include "tst_app_files.moc"
