#include "UploadScenarios.h"

#include "LoadWorker.h"
#include "ProcessStats.h"

#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QImageWriter>
#include <QNetworkReply>
#include <QTimer>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace pitchey::bench {

namespace {

// `size` bytes that differ with `seed` (SplitMix64 words), made as they are read: twenty
// uploads of 50 MiB cost the bench no memory.
class PatternDevice : public QIODevice
{
public:
    PatternDevice(quint64 seed, qint64 size)
        : m_seed(seed)
        , m_size(size)
    {
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    [[nodiscard]] qint64 size() const override { return m_size; }
    bool seek(qint64 position) override
    {
        m_position = std::clamp<qint64>(position, 0, m_size);
        return QIODevice::seek(m_position);
    }

protected:
    qint64 readData(char *data, qint64 max) override
    {
        const qint64 count = std::min(max, m_size - m_position);
        for (qint64 i = 0; i < count; ++i, ++m_position) {
            if (m_position % 8 == 0)
                m_word = mix(m_seed ^ quint64(m_position / 8));
            data[i] = char(m_word >> (8 * (m_position % 8)));
        }
        return count;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    static quint64 mix(quint64 x)
    {
        x += 0x9E3779B97F4A7C15ULL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        return x ^ (x >> 31);
    }

    quint64 m_seed;
    qint64 m_size;
    qint64 m_position = 0;
    quint64 m_word = 0;
};

// MB/s of writing `bytes` to a new file in `directory` and syncing it: the disk's floor.
double diskFloor(const QString &directory, qint64 bytes)
{
    QFile file(QDir(directory).filePath(u".pitchey-bench-floor"_s));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    PatternDevice source(7, bytes);
    QElapsedTimer clock;
    clock.start();
    while (!source.atEnd())
        file.write(source.read(1024 * 1024));
    file.flush();
    ::fsync(file.handle());
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    file.remove();
    return double(bytes) / 1e6 / seconds;
}

QNetworkRequest uploadRequest(BenchApi &api, const Account &account, qint64 size)
{
    QNetworkRequest request(api.url(u"/api/media"_s));
    QUrl url = request.url();
    url.setQuery(u"filename=bench.bin"_s);
    request.setUrl(url);
    request.setRawHeader("Authorization", "Bearer " + account.token);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/octet-stream"_ba);
    request.setHeader(QNetworkRequest::ContentLengthHeader, size);
    return request;
}

// A 4000x3000 JPEG, once; each upload gets a comment segment of its own after SOI.
QByteArray photo()
{
    QImage image(4000, 3000, QImage::Format_RGB32);
    for (int y = 0; y < image.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < image.width(); ++x)
            line[x] = qRgb(x % 256, y % 256, (x ^ y) % 256);
    }
    QByteArray jpeg;
    QBuffer buffer(&jpeg);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter(&buffer, "jpeg").write(image);
    return jpeg;
}

QByteArray withComment(const QByteArray &jpeg, int n)
{
    const QByteArray text = "pitchey-bench " + QByteArray::number(n);
    QByteArray segment("\xFF\xFE", 2);
    segment += char((text.size() + 2) >> 8);
    segment += char((text.size() + 2) & 0xFF);
    return jpeg.first(2) + segment + text + jpeg.sliced(2);
}

} // namespace

Report uploads(const UploadSettings &settings, BenchApi &api)
{
    const Account account = api.accounts(settings.prefix + u"u"_s, 1, "bench-password").value(0);
    const double floor = diskFloor(settings.floorDirectory, settings.bytes);
    qint64 peakKiB = 0;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, [&] {
        peakKiB = std::max(peakKiB, sampleProcess(settings.serverPid).rssKiB);
    });
    const ProcessSample before = sampleProcess(settings.serverPid);
    sampler.start(20);
    int failures = 0;
    QElapsedTimer clock;
    clock.start();
    const quint64 run = quint64(QDateTime::currentMSecsSinceEpoch());
    api.runMany(
        settings.uploads, settings.parallel,
        [&](QNetworkAccessManager &nam, int i) {
            auto *body = new PatternDevice(run * 1000 + quint64(i), settings.bytes);
            QNetworkReply *reply = nam.post(uploadRequest(api, account, settings.bytes), body);
            body->setParent(reply);
            return reply;
        },
        [&](int, const BenchApi::Reply &reply) {
            if (reply.status != 201)
                ++failures;
        });
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    sampler.stop();
    const ProcessSample after = sampleProcess(settings.serverPid);
    const double total = double(settings.bytes) * settings.uploads / 1e6;
    Report report;
    report.add(u"uploads"_s, settings.uploads);
    report.add(u"at once"_s, settings.parallel);
    report.add(u"each"_s, double(settings.bytes) / 1e6, u"MB"_s);
    report.add(u"failed"_s, failures);
    report.add(u"throughput"_s, total / seconds, u"MB/s"_s);
    report.add(u"disk floor (write + fsync)"_s, floor, u"MB/s"_s);
    report.add(u"throughput / floor"_s, floor > 0 ? total / seconds / floor : 0.0);
    if (after.rssKiB > 0) {
        report.add(u"server RSS before"_s, double(before.rssKiB) / 1024, u"MiB"_s);
        report.add(u"server RSS peak"_s, double(peakKiB) / 1024, u"MiB"_s);
        report.add(u"server CPU per upload"_s,
                   (after.cpuSeconds - before.cpuSeconds) / settings.uploads, u"s"_s);
    }
    return report;
}

Report thumbnails(const UploadSettings &settings, BenchApi &api)
{
    const Account account = api.accounts(settings.prefix + u"t"_s, 1, "bench-password").value(0);
    const QByteArray jpeg = photo();
    const int base = int(QDateTime::currentMSecsSinceEpoch() % 1000000) * 1000;
    std::vector<qint64> latencies;
    QHash<int, qint64> startedAt;
    int withThumbnails = 0;
    const ProcessSample before = sampleProcess(settings.serverPid);
    QElapsedTimer clock;
    clock.start();
    api.runMany(
        settings.images, 1,
        [&](QNetworkAccessManager &nam, int i) {
            const QByteArray bytes = withComment(jpeg, base + i);
            startedAt.insert(i, monotonicNs());
            return nam.post(uploadRequest(api, account, bytes.size()), bytes);
        },
        [&](int i, const BenchApi::Reply &reply) {
            latencies.push_back(monotonicNs() - startedAt.take(i));
            if (reply.body.value("attachment"_L1)["thumbnail"_L1]["state"_L1] == "ready"_L1)
                ++withThumbnails;
        });
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    const ProcessSample after = sampleProcess(settings.serverPid);
    std::sort(latencies.begin(), latencies.end());
    Report report;
    report.add(u"images (4000x3000 JPEG)"_s, settings.images);
    report.add(u"size each"_s, double(jpeg.size()) / 1e6, u"MB"_s);
    report.add(u"with thumbnails"_s, withThumbnails);
    report.add(u"images per second (one at a time)"_s, settings.images / seconds, u"/s"_s);
    report.add(u"upload to answer p50"_s, percentile(latencies, 0.5), u"ms"_s);
    if (after.rssKiB > 0) {
        const double cpu = after.cpuSeconds - before.cpuSeconds;
        report.add(u"server CPU per image"_s, cpu / settings.images * 1000, u"ms"_s);
        report.add(u"images per server CPU second"_s, cpu > 0 ? settings.images / cpu : 0.0);
    }
    return report;
}

} // namespace pitchey::bench
