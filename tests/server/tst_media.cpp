// Version 2 of the contract, "Attachments": uploads, downloads, thumbnails and sending
// files, against a real server on a real socket (SQLite here, PostgreSQL in the _postgres
// run), with files made byte by byte (MediaFiles.h).
#include "MediaFiles.h"
#include "TeamSuite.h"
#include "TestMain.h"

#include "media/MediaService.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QImage>
#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace pitchey::testing;

namespace {

#ifdef __SANITIZE_ADDRESS__ // (GCC's): ASan's quarantine keeps what is freed resident
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// This process's resident memory (the server runs in it).
qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    return statm.readAll().split(' ').value(1).toLongLong() * 4096;
}

QString sha256Of(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestMedia : public TeamSuite
{
    Q_OBJECT

private:
    HttpResult upload(const HttpClient::Account &who, const QByteArray &bytes,
                      const QString &filename = u"file.bin"_s)
    {
        return m_http->sendWithHeaders("POST",
                                       u"/api/media?filename="_s +
                                           QString::fromLatin1(QUrl::toPercentEncoding(filename)),
                                       bytes,
                                       {{"Authorization", "Bearer " + who.token.toLatin1()},
                                        {"Content-Type", "application/octet-stream"}});
    }

    qint64 uploaded(const HttpClient::Account &who, const QByteArray &bytes,
                    const QString &filename = u"file.bin"_s)
    {
        return upload(who, bytes, filename).body["attachment"_L1]["id"_L1].toInteger();
    }

    HttpResult download(const HttpClient::Account &who, qint64 id, const QString &suffix = {},
                        const QByteArray &range = {})
    {
        QList<QPair<QByteArray, QByteArray>> headers{
            {"Authorization", "Bearer " + who.token.toLatin1()}};
        if (!range.isEmpty())
            headers.append({"Range", range});
        return m_http->sendWithHeaders("GET", u"/api/media/%1%2"_s.arg(id).arg(suffix), {},
                                       headers);
    }

    HttpResult send(const HttpClient::Account &from, const QString &content,
                    const QList<qint64> &attachmentIds, qint64 conversationId = 0)
    {
        QJsonArray ids;
        for (const qint64 id : attachmentIds)
            ids.append(id);
        return m_http->post(u"/api/messages/send"_s,
                            {{"conversationId"_L1, conversationId ? conversationId : m_group},
                             {"content"_L1, content},
                             {"attachmentIds"_L1, ids}},
                            from.token);
    }

    // The raw answer to a request written by hand (head, then `body`), read to its end.
    QByteArray rawExchange(const QByteArray &head, const QByteArray &body = {})
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        if (!socket.waitForConnected(5000))
            return {};
        socket.write(head);
        socket.write(body);
        QByteArray in;
        (void)readUntil(socket, in, "\r\n\r\n");
        (void)readUntil(socket, in, "}", 2000);
        return in;
    }

    QByteArray uploadHead(qint64 length, const QByteArray &extra = {})
    {
        return "POST /api/media?filename=a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
               m_ann.token.toLatin1() + "\r\nContent-Length: " + QByteArray::number(length) +
               "\r\n" + extra + "\r\n";
    }

    QStringList filesInMediaStore()
    {
        QStringList files;
        QDirIterator it(m_server->dataDir() + u"/media"_s, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            if (!it.filePath().contains(u"/media/tmp/"_s))
                files.append(it.fileName());
        }
        return files;
    }

    int sweep()
    {
        int removed = -1;
        bool finished = false;
        m_server->server().media()->sweep([&](const auto &result) {
            removed = result.ok() ? result.value() : -1;
            finished = true;
        });
        if (!QTest::qWaitFor([&] { return finished; }, 5000))
            return -1;
        return removed;
    }

    QImage thumbnail(const HttpClient::Account &who, qint64 id, int size = 320)
    {
        const auto answer = download(who, id, u"/thumbnail?size=%1"_s.arg(size));
        return QImage::fromData(answer.raw);
    }

private Q_SLOTS:
    void init() { QVERIFY(startTeam()); }
    void cleanup() { stopTeam(); }

    void theConfigurationIsTheContracts()
    {
        const auto answer = m_http->get(u"/api/media/config"_s, m_ann.token);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.body["maxUploadBytes"_L1].toInteger(), 50LL * 1024 * 1024);
        QCOMPARE(answer.body["maxImagePixels"_L1].toInteger(), 40'000'000);
        QCOMPARE(answer.body["maxAttachmentsPerMessage"_L1].toInt(), 10);
        QCOMPARE(answer.body["thumbnailSizes"_L1].toArray(), (QJsonArray{320, 800}));
        QCOMPARE(m_http->get(u"/api/media/config"_s).status, 401);
    }

    void anUploadIsAnAttachment()
    {
        const QByteArray bytes = noise(100'000);
        const auto answer = upload(m_ann, bytes, u"notes.bin"_s);
        QCOMPARE(answer.status, 201);
        const QJsonObject attachment = answer.body["attachment"_L1].toObject();
        QVERIFY(attachment["id"_L1].toInteger() > 0);
        QCOMPARE(attachment["filename"_L1].toString(), u"notes.bin"_s);
        QCOMPARE(attachment["mimeType"_L1].toString(), u"application/octet-stream"_s);
        QCOMPARE(attachment["size"_L1].toInteger(), 100'000);
        QCOMPARE(attachment["sha256"_L1].toString(), sha256Of(bytes));
        QVERIFY(attachment["width"_L1].isNull());
        QVERIFY(attachment["height"_L1].isNull());
        QCOMPARE(attachment["thumbnail"_L1]["state"_L1].toString(), u"none"_s);
        // The uploader downloads it as it was sent, before any message carries it.
        const auto back = download(m_ann, attachment["id"_L1].toInteger());
        QCOMPARE(back.status, 200);
        QCOMPARE(back.raw, bytes);
        QCOMPARE(filesInMediaStore(), QStringList{sha256Of(bytes)});
    }

    void exactlyTheLimitIsAcceptedOneByteOverIsNotRead()
    {
        constexpr qint64 kLimit = 300'000;
        QVERIFY(startTeam([](auto &config) { config.maxUploadBytes = kLimit; }));
        QCOMPARE(upload(m_ann, noise(kLimit)).status, 201);
        // One byte over: answered from the head, with not one byte of the body sent.
        const QByteArray answer = rawExchange(uploadHead(kLimit + 1));
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
        QVERIFY(answer.contains("\"too_large\""));
        QCOMPARE(upload(m_ann, noise(kLimit + 1, 2)).status, 413);
        QCOMPARE(
            m_http->get(u"/api/media/config"_s, m_ann.token).body["maxUploadBytes"_L1].toInteger(),
            kLimit);
    }

    // What one user's uploads may take while no message carries them: exactly the limit
    // fits; past it, refused from the head (not a byte of the body read); others are not
    // counted, and files sent in a message no longer count.
    void unsentUploadsHaveALimitPerUser()
    {
        QVERIFY(startTeam([](auto &config) { config.maxUnsentUploadBytes = 10'000; }));
        const qint64 first = uploaded(m_ann, noise(6000, 1));
        const qint64 second = uploaded(m_ann, noise(4000, 2));
        QVERIFY(first > 0 && second > 0);
        const QByteArray answer = rawExchange(uploadHead(1));
        QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.constData());
        QVERIFY(answer.contains("\"too_large\""));
        QVERIFY(answer.contains("not yet sent"));
        QCOMPARE(upload(m_ann, noise(1, 3)).status, 413);
        QCOMPARE(upload(m_ben, noise(10'000, 4)).status, 201); // ben's own
        QCOMPARE(send(m_ann, u"two files"_s, {first, second}).status, 201);
        QCOMPARE(upload(m_ann, noise(10'000, 5)).status, 201);
        QCOMPARE(upload(m_ann, noise(1, 6)).status, 413);
    }

    void anUploadNeedsALengthAndABody()
    {
        QVERIFY(rawExchange(uploadHead(0)).contains("\"bad_request\""));
        const QByteArray chunked = "POST /api/media?filename=a HTTP/1.1\r\nHost: x\r\n"
                                   "Authorization: Bearer " +
                                   m_ann.token.toLatin1() +
                                   "\r\nTransfer-Encoding: chunked\r\n\r\n";
        const QByteArray answer = rawExchange(chunked, "5\r\nhello\r\n0\r\n\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
        QVERIFY(answer.contains("\"bad_request\""));
        QVERIFY(filesInMediaStore().isEmpty());
    }

    void theTypeComesFromTheBytesNeverTheName()
    {
        const QByteArray html = "<!DOCTYPE html><html><body><script>alert(1)</script></html>";
        const auto answer = upload(m_ann, html, u"cat.png"_s);
        QCOMPARE(answer.status, 201);
        QCOMPARE(answer.body["attachment"_L1]["mimeType"_L1].toString(), u"text/html"_s);
        const auto served = download(m_ann, answer.body["attachment"_L1]["id"_L1].toInteger());
        QCOMPARE(served.status, 200);
        QCOMPARE(served.headers.value("content-type"), "application/octet-stream");
        QVERIFY(served.headers.value("content-disposition").startsWith("attachment;"));
        QCOMPARE(served.headers.value("x-content-type-options"), "nosniff");
        // SVG is never served as an image either.
        const QByteArray svg =
            R"svg(<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" )svg"
            R"svg(onload="alert(1)"><rect width="9" height="9"/></svg>)svg";
        const auto vector = upload(m_ann, svg, u"logo.svg"_s);
        QCOMPARE(vector.body["attachment"_L1]["mimeType"_L1].toString(), u"image/svg+xml"_s);
        QCOMPARE(vector.body["attachment"_L1]["thumbnail"_L1]["state"_L1].toString(), u"none"_s);
        const auto drawn = download(m_ann, vector.body["attachment"_L1]["id"_L1].toInteger());
        QCOMPARE(drawn.headers.value("content-type"), "application/octet-stream");
        // A real PNG is served as one, inline.
        const auto png = upload(m_ann, pngOf(quadrantImage(40, 30)), u"q.png"_s);
        const auto image = download(m_ann, png.body["attachment"_L1]["id"_L1].toInteger());
        QCOMPARE(image.headers.value("content-type"), "image/png");
        QVERIFY(image.headers.value("content-disposition").startsWith("inline;"));
    }

    void hostileFileNamesAreCleaned_data()
    {
        QTest::addColumn<QString>("given");
        QTest::addColumn<QString>("kept");
        QTest::newRow("path") << u"../../etc/passwd"_s << u"passwd"_s;
        QTest::newRow("windows path") << u"C:\\Users\\x\\report.pdf"_s << u"report.pdf"_s;
        QTest::newRow("bidi override") << u"invoice\u202Efdp.exe"_s << u"invoicefdp.exe"_s;
        QTest::newRow("isolates") << u"a\u2066b\u2069.txt"_s << u"ab.txt"_s;
        QTest::newRow("controls") << u"a\u0001b\nc\u007F.txt"_s << u"abc.txt"_s;
        QTest::newRow("hidden") << u"..bashrc"_s << u"bashrc"_s;
        QTest::newRow("nothing left") << u"../"_s << u"file"_s;
        QTest::newRow("none") << QString() << u"file"_s;
        QTest::newRow("unicode kept") << u"Café 🎉.jpg"_s << u"Café 🎉.jpg"_s;
        QTest::newRow("long") << QString(300, u'x') + u".jpg"_s << QString(251, u'x') + u".jpg"_s;
    }

    void hostileFileNamesAreCleaned()
    {
        QFETCH(QString, given);
        QFETCH(QString, kept);
        QCOMPARE(pitchey::server::MediaService::cleanFilename(given), kept);
        // And through the wire: the query's name, percent-encoded.
        const auto answer = upload(m_ann, noise(64, quint32(qHash(given))), given);
        QCOMPARE(answer.status, 201);
        QCOMPARE(answer.body["attachment"_L1]["filename"_L1].toString(), kept);
    }

    void theSameBytesTwiceAreOneAttachment()
    {
        const QByteArray bytes = noise(5000);
        const auto first = upload(m_ann, bytes, u"one.bin"_s);
        const auto again = upload(m_ann, bytes, u"two.bin"_s);
        QCOMPARE(first.status, 201);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.body["attachment"_L1], first.body["attachment"_L1]);
        // Another user's upload of them is theirs, the file on disk is one.
        const auto bens = upload(m_ben, bytes, u"three.bin"_s);
        QCOMPARE(bens.status, 201);
        QVERIFY(bens.body["attachment"_L1]["id"_L1] != first.body["attachment"_L1]["id"_L1]);
        QCOMPARE(filesInMediaStore().size(), 1);
    }

    void onlyTheUploaderAndParticipantsDownload()
    {
        const auto eve = m_http->registerUser(u"eve"_s);
        const qint64 id = uploaded(m_ann, noise(2000));
        QCOMPARE(download(m_ann, id).status, 200);
        QCOMPARE(download(m_ben, id).status, 404); // not sent yet
        QCOMPARE(download(eve, id).status, 404);
        QCOMPARE(send(m_ann, u"the file"_s, {id}).status, 201);
        QCOMPARE(download(m_ben, id).status, 200);
        QCOMPARE(download(m_cyd, id).status, 200);
        const auto refused = download(eve, id);
        QCOMPARE(refused.status, 404);
        QCOMPARE(refused.errorCode(), u"not_found"_s);
        QCOMPARE(download(eve, id + 1000).status, 404);
        QCOMPARE(m_http->get(u"/api/media/%1"_s.arg(id)).status, 401);
    }

    void downloadsHaveARateBucketOfTheirOwn()
    {
        QVERIFY(startTeam([](auto &config) {
            config.downloadBurst = 3;
            config.downloadPerSecond = 0.01; // none come back during the test
        }));
        const qint64 id = uploaded(m_ann, noise(2000)); // the API's first
        for (int i = 0; i < 3; ++i)
            QCOMPARE(download(m_ann, id).status, 200);
        const auto over = download(m_ann, id, u"/thumbnail?size=320"_s);
        QCOMPARE(over.status, 429);
        QCOMPARE(over.errorCode(), u"rate_limited"_s);
        QCOMPARE(over.headers.value("retry-after"), "1");
        QCOMPARE(download(m_ben, id).status, 404); // Ben's bucket is his (and it is Ann's file)
        QCOMPARE(m_http->get(u"/api/media/config"_s, m_ann.token).status, 200); // the API's
    }

    void rangesAreServed()
    {
        const QByteArray bytes = noise(10'000);
        const qint64 id = uploaded(m_ann, bytes);
        const auto part = download(m_ann, id, {}, "bytes=100-199");
        QCOMPARE(part.status, 206);
        QCOMPARE(part.raw, bytes.mid(100, 100));
        QCOMPARE(part.headers.value("content-range"), "bytes 100-199/10000");
        const auto tail = download(m_ann, id, {}, "bytes=-10");
        QCOMPARE(tail.status, 206);
        QCOMPARE(tail.raw, bytes.last(10));
        const auto rest = download(m_ann, id, {}, "bytes=9990-");
        QCOMPARE(rest.raw, bytes.last(10));
        const auto outside = download(m_ann, id, {}, "bytes=10000-");
        QCOMPARE(outside.status, 416);
        QCOMPARE(outside.headers.value("content-range"), "bytes */10000");
        const auto several = download(m_ann, id, {}, "bytes=0-1,5-6");
        QCOMPARE(several.status, 200);
        QCOMPARE(several.raw, bytes);
    }

    void imagesGetThumbnailsNeverUpscaled()
    {
        const auto answer = upload(m_ann, jpegOf(quadrantImage(1600, 1200)), u"big.jpg"_s);
        const QJsonObject attachment = answer.body["attachment"_L1].toObject();
        QCOMPARE(attachment["mimeType"_L1].toString(), u"image/jpeg"_s);
        QCOMPARE(attachment["width"_L1].toInt(), 1600);
        QCOMPARE(attachment["height"_L1].toInt(), 1200);
        QCOMPARE(attachment["thumbnail"_L1]["state"_L1].toString(), u"ready"_s);
        const qint64 id = attachment["id"_L1].toInteger();
        QCOMPARE(thumbnail(m_ann, id, 320).size(), QSize(320, 240));
        QCOMPARE(thumbnail(m_ann, id, 800).size(), QSize(800, 600));
        const auto small = download(m_ann, id, u"/thumbnail?size=320"_s);
        QCOMPARE(small.headers.value("content-type"), "image/jpeg");
        QCOMPARE(download(m_ann, id, u"/thumbnail?size=500"_s).status, 400);
        // A small image stays its size.
        const qint64 tiny = uploaded(m_ann, pngOf(quadrantImage(100, 50)), u"tiny.png"_s);
        QCOMPARE(thumbnail(m_ann, tiny, 800).size(), QSize(100, 50));
        // A plain file has none.
        QCOMPARE(download(m_ann, uploaded(m_ann, noise(300)), u"/thumbnail?size=320"_s).status,
                 404);
    }

    void exifOrientationsGiveUprightThumbnails_data()
    {
        QTest::addColumn<int>("orientation");
        QTest::addColumn<bool>("turned"); // width and height swap
        QTest::addColumn<QPoint>("red");  // the red quadrant's corner, upright (0/1, 0/1)
        QTest::newRow("1 as stored") << 1 << false << QPoint(0, 0);
        QTest::newRow("2 mirrored") << 2 << false << QPoint(1, 0);
        QTest::newRow("3 rotated 180") << 3 << false << QPoint(1, 1);
        QTest::newRow("4 flipped") << 4 << false << QPoint(0, 1);
        QTest::newRow("5 transposed") << 5 << true << QPoint(0, 0);
        QTest::newRow("6 rotated 90 cw") << 6 << true << QPoint(1, 0);
        QTest::newRow("7 transversed") << 7 << true << QPoint(1, 1);
        QTest::newRow("8 rotated 90 ccw") << 8 << true << QPoint(0, 1);
    }

    void exifOrientationsGiveUprightThumbnails()
    {
        QFETCH(int, orientation);
        QFETCH(bool, turned);
        QFETCH(QPoint, red);
        const QByteArray jpeg = withExifOrientation(jpegOf(quadrantImage(400, 200)), orientation);
        const auto answer = upload(m_ann, jpeg, u"photo.jpg"_s);
        const QJsonObject attachment = answer.body["attachment"_L1].toObject();
        const QSize shown = turned ? QSize(200, 400) : QSize(400, 200);
        QCOMPARE(QSize(attachment["width"_L1].toInt(), attachment["height"_L1].toInt()), shown);
        const QImage upright = thumbnail(m_ann, attachment["id"_L1].toInteger());
        QCOMPARE(upright.size(), shown.scaled(320, 320, Qt::KeepAspectRatio));
        const QPoint corner(red.x() == 0 ? 5 : upright.width() - 5,
                            red.y() == 0 ? 5 : upright.height() - 5);
        const QColor seen = upright.pixelColor(corner);
        QVERIFY2(seen.red() > 200 && seen.blue() < 60, qPrintable(seen.name()));
        const QColor opposite =
            upright.pixelColor(upright.width() - 1 - corner.x(), upright.height() - 1 - corner.y());
        QVERIFY2(opposite.blue() > 200 && opposite.red() < 60, qPrintable(opposite.name()));
    }

    void alphaIsKept()
    {
        QImage image(64, 64, QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        image.setPixelColor(10, 10, QColor(0, 255, 0, 255));
        const qint64 id = uploaded(m_ann, pngOf(image), u"cut.png"_s);
        const auto served = download(m_ann, id, u"/thumbnail?size=320"_s);
        QCOMPARE(served.headers.value("content-type"), "image/png");
        const QImage thumb = QImage::fromData(served.raw);
        QVERIFY(thumb.hasAlphaChannel());
        QCOMPARE(thumb.pixelColor(0, 0).alpha(), 0);
        QCOMPARE(thumb.pixelColor(10, 10).alpha(), 255);
    }

    void aTruncatedJpegIsAPlainFile()
    {
        const QByteArray whole = jpegOf(quadrantImage(800, 600));
        const auto answer = upload(m_ann, whole.first(whole.size() * 6 / 10), u"cut.jpg"_s);
        QCOMPARE(answer.status, 201);
        const QJsonObject attachment = answer.body["attachment"_L1].toObject();
        QCOMPARE(attachment["mimeType"_L1].toString(), u"image/jpeg"_s);
        QCOMPARE(attachment["thumbnail"_L1]["state"_L1].toString(), u"none"_s);
        QVERIFY(attachment["width"_L1].isNull());
    }

    void anImageOverThePixelLimitIsAPlainFile()
    {
        QVERIFY(startTeam([](auto &config) { config.maxImagePixels = 100'000; }));
        const auto over = upload(m_ann, pngOf(quadrantImage(401, 250)), u"over.png"_s);
        QCOMPARE(over.status, 201);
        QCOMPARE(over.body["attachment"_L1]["thumbnail"_L1]["state"_L1].toString(), u"none"_s);
        QVERIFY(over.body["attachment"_L1]["width"_L1].isNull());
        const auto within = upload(m_ann, pngOf(quadrantImage(400, 250)), u"within.png"_s);
        QCOMPARE(within.body["attachment"_L1]["thumbnail"_L1]["state"_L1].toString(), u"ready"_s);
    }

    void aHugeImageOfFewBytesIsNeverDecoded()
    {
        const QByteArray png = hugeBlankPng(20'000, 20'000);
        QVERIFY(png.size() < 200 * 1024);
        const qint64 before = residentBytes();
        const auto answer = upload(m_ann, png, u"bomb.png"_s);
        const qint64 growth = residentBytes() - before;
        QCOMPARE(answer.status, 201);
        QCOMPARE(answer.body["attachment"_L1]["mimeType"_L1].toString(), u"image/png"_s);
        QCOMPARE(answer.body["attachment"_L1]["thumbnail"_L1]["state"_L1].toString(), u"none"_s);
        if (!kSanitized)
            QVERIFY2(growth < 32 * 1024 * 1024, qPrintable(QString::number(growth)));
    }

    void memoryStaysFlatDuringALargeUpload()
    {
        (void)uploaded(m_ann, noise(1024 * 1024)); // (the first upload's allocations)
        constexpr qint64 kSize = 50LL * 1024 * 1024;
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(uploadHead(kSize));
        const qint64 before = residentBytes();
        qint64 peak = before;
        QByteArray chunk(256 * 1024, Qt::Uninitialized);
        QCryptographicHash hash(QCryptographicHash::Sha256);
        qint64 sent = 0;
        while (sent < kSize) {
            if (socket.bytesToWrite() < 512 * 1024) {
                chunk.fill(char('a' + (sent / chunk.size()) % 26));
                socket.write(chunk);
                hash.addData(chunk);
                sent += chunk.size();
            }
            socket.waitForBytesWritten(20);
            QCoreApplication::processEvents();
            peak = std::max(peak, residentBytes());
        }
        QByteArray in;
        QVERIFY(readUntil(socket, in, "\"sha256\"", 30000));
        QVERIFY2(in.contains(hash.result().toHex()), in.constData());
        if (kSanitized)
            QSKIP("resident memory under ASan says nothing of the server's");
        QVERIFY2(peak - before < 4 * 1024 * 1024,
                 qPrintable(u"grew by %1 bytes"_s.arg(peak - before)));
    }

    void messagesCarryTheirFiles()
    {
        const qint64 photo = uploaded(m_ann, jpegOf(quadrantImage(64, 48)), u"p.jpg"_s);
        const qint64 doc = uploaded(m_ann, noise(4000), u"d.bin"_s);
        WsClient ben;
        QVERIFY(ben.open(m_server->wsUrl(m_ben.token)));
        const auto sent = send(m_ann, QString(), {doc, photo});
        QCOMPARE(sent.status, 201);
        const QJsonArray files = sent.body["message"_L1]["attachments"_L1].toArray();
        QCOMPARE(files.size(), 2);
        QCOMPARE(files.at(0)["id"_L1].toInteger(), doc); // in the order given
        QCOMPARE(files.at(1)["id"_L1].toInteger(), photo);
        const QJsonObject pushed = ben.waitFor(u"new_message"_s);
        QCOMPARE(pushed["attachments"_L1].toArray(), files);
        // A message of files alone still says something in its notification.
        const QJsonObject told = ben.waitFor(u"notification"_s);
        QCOMPARE(told["notification"_L1]["body"_L1].toString(), u"\U0001F4CE File"_s);
        const auto notifications = m_http->get(u"/api/notifications"_s, m_ben.token);
        QCOMPARE(notifications.body["notifications"_L1].toArray().first()["body"_L1].toString(),
                 u"\U0001F4CE File"_s);
        const auto history = m_http->get(u"/api/messages/%1/messages"_s.arg(m_group), m_cyd.token);
        QCOMPARE(history.body["messages"_L1].toArray().last()["attachments"_L1].toArray(), files);
        // Over the WebSocket too.
        WsClient ann;
        QVERIFY(ann.open(m_server->wsUrl(m_ann.token)));
        ann.sendJson({{"type"_L1, "send_message"_L1},
                      {"conversationId"_L1, m_group},
                      {"content"_L1, u"again"_s},
                      {"clientMessageId"_L1, u"f-1"_s},
                      {"attachmentIds"_L1, QJsonArray{photo}}});
        const QJsonObject second = ben.waitFor(u"new_message"_s);
        QCOMPARE(second["attachments"_L1].toArray().at(0)["id"_L1].toInteger(), photo);
        // A reply counts the files of what it answers.
        const auto reply = m_http->post(u"/api/messages/send"_s,
                                        {{"conversationId"_L1, m_group},
                                         {"content"_L1, u"nice"_s},
                                         {"replyToId"_L1, sent.body["message"_L1]["id"_L1]}},
                                        m_ben.token);
        QCOMPARE(reply.body["message"_L1]["replyTo"_L1]["attachmentCount"_L1].toInt(), 2);
        const auto listed = m_http->get(u"/api/messages/%1/messages"_s.arg(m_group), m_ann.token);
        QCOMPARE(
            listed.body["messages"_L1].toArray().last()["replyTo"_L1]["attachmentCount"_L1].toInt(),
            2);
    }

    void sendingRefusesWhatIsNotTheSenders()
    {
        const qint64 bens = uploaded(m_ben, noise(100, 7));
        QCOMPARE(send(m_ann, u"x"_s, {bens}).errorCode(), u"bad_request"_s);
        QCOMPARE(send(m_ann, u"x"_s, {987654321}).errorCode(), u"bad_request"_s);
        QCOMPARE(send(m_ann, QString(), {}).errorCode(), u"bad_request"_s);
        const qint64 mine = uploaded(m_ann, noise(100, 8));
        QCOMPARE(send(m_ann, u"   "_s, {mine}).errorCode(), u"bad_request"_s);
        QList<qint64> eleven;
        for (int i = 0; i < 11; ++i)
            eleven.append(uploaded(m_ann, noise(50, quint32(100 + i))));
        QCOMPARE(send(m_ann, u"many"_s, eleven).errorCode(), u"bad_request"_s);
        QCOMPARE(send(m_ann, u"ten"_s, eleven.first(10)).status, 201);
        QCOMPARE(m_http
                     ->post(u"/api/messages/send"_s,
                            {{"conversationId"_L1, m_group},
                             {"content"_L1, u"x"_s},
                             {"attachmentIds"_L1, u"1"_s}},
                            m_ann.token)
                     .errorCode(),
                 u"bad_request"_s);
        // Nothing refused was stored: ben's file is still his alone.
        QCOMPARE(download(m_cyd, bens).status, 404);
    }

    void aMessageWithFilesMayBeEditedToNoText()
    {
        const qint64 file = uploaded(m_ann, noise(100, 9));
        const qint64 withFile =
            send(m_ann, u"caption"_s, {file}).body["message"_L1]["id"_L1].toInteger();
        const auto edited = m_http->send("PATCH", u"/api/messages/%1"_s.arg(withFile),
                                         R"({"content":""})", m_ann.token);
        QCOMPARE(edited.status, 200);
        QCOMPARE(edited.body["message"_L1]["content"_L1].toString(), QString());
        const qint64 plain = send(m_ann, u"text"_s, {}).body["message"_L1]["id"_L1].toInteger();
        QCOMPARE(
            m_http
                ->send("PATCH", u"/api/messages/%1"_s.arg(plain), R"({"content":""})", m_ann.token)
                .errorCode(),
            u"bad_request"_s);
    }

    void aDeletedMessagesFilesAreGoneAtOnce()
    {
        const QByteArray bytes = jpegOf(quadrantImage(64, 48));
        const qint64 id = uploaded(m_ann, bytes, u"gone.jpg"_s);
        const qint64 kept = uploaded(m_ann, noise(300, 3), u"kept.bin"_s);
        const qint64 message =
            send(m_ann, u"look"_s, {id, kept}).body["message"_L1]["id"_L1].toInteger();
        const qint64 other =
            send(m_ann, u"again"_s, {kept}).body["message"_L1]["id"_L1].toInteger();
        QVERIFY(other > 0);
        QCOMPARE(download(m_ben, id).status, 200);
        const auto deleted =
            m_http->send("DELETE", u"/api/messages/%1"_s.arg(message), {}, m_ann.token);
        QCOMPARE(deleted.status, 200);
        QCOMPARE(deleted.body["message"_L1]["attachments"_L1].toArray(), QJsonArray());
        for (const auto &who : {m_ann, m_ben, m_cyd})
            QCOMPARE(download(who, id).status, 404);
        QCOMPARE(download(m_ben, id, u"/thumbnail?size=320"_s).status, 404);
        QCOMPARE(download(m_ben, kept).status, 200); // another live message carries it
        // The bytes go with the next sweep; what is still carried stays.
        QVERIFY(filesInMediaStore().contains(sha256Of(bytes)));
        QCOMPARE(sweep(), 1);
        QVERIFY(!filesInMediaStore().contains(sha256Of(bytes)));
        QVERIFY(!filesInMediaStore().contains(sha256Of(bytes) + u".320"_s));
        QCOMPARE(download(m_ben, kept).status, 200);
    }

    void uploadsNoMessageCarriesGoAfterTheRetention()
    {
        QVERIFY(startTeam([](auto &config) { config.uploadRetention = std::chrono::hours(0); }));
        const qint64 unsent = uploaded(m_ann, noise(100, 4));
        const qint64 sent = uploaded(m_ann, noise(100, 5));
        QCOMPARE(send(m_ann, u"this one"_s, {sent}).status, 201);
        QTest::qWait(5); // (past its upload's millisecond)
        QCOMPARE(sweep(), 1);
        QCOMPARE(download(m_ann, unsent).status, 404);
        QCOMPARE(download(m_ann, sent).status, 200);
        QCOMPARE(filesInMediaStore(), QStringList{sha256Of(noise(100, 5))});
        QCOMPARE(send(m_ann, u"too late"_s, {unsent}).errorCode(), u"bad_request"_s);
        // Within the retention nothing goes.
        QVERIFY(startTeam());
        const qint64 fresh = uploaded(m_ann, noise(100, 6));
        QCOMPARE(sweep(), 0);
        QCOMPARE(download(m_ann, fresh).status, 200);
    }
};

PITCHEY_TEST_MAIN(TestMedia)
#include "tst_media.moc"
