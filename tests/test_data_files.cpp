// The file loaders on small files written here (IDX raw and gzip, CIFAR-10
// records, image folders) with every error path, and the real MNIST /
// CIFAR-10 subset from ../shared/datasets when present.
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/image_io.h"

#include <QtTest/QtTest>

#include "data_helpers.h"

#include <stb/stb_image.h>
#include <zlib.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <sstream>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

using namespace cgpgan;
using namespace cgpgan::testing;

namespace {

// What the loaders log while it lives (their warnings are the report).
class LogCapture final {
public:
    LogCapture() { spdlog::default_logger()->sinks().push_back(m_sink); }
    ~LogCapture()
    {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
    }
    QString text() const { return QString::fromStdString(m_text.str()); }

private:
    std::ostringstream m_text;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> m_sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(m_text);
};

QByteArray gzipped(const QByteArray& bytes)
{
    QTemporaryDir dir;
    writeFile(dir.filePath("x.gz"), bytes, true);
    QFile f(dir.filePath("x.gz"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestDataFiles final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void idxRoundTrip_data();
    void idxRoundTrip();
    void idxManyClasses();
    void idxTruncated_data();
    void idxTruncated();
    void idxWrongMagic();
    void idxLabelCountMismatch();
    void mnistFolderSplits();
    void mnistDirectFile();
    void cifarSmallFile();
    void cifarFolderWithMeta();
    void cifarBadSize();
    void cifarBadLabel();
    void gzipCutAtRecordBoundary();
    void imageFolder();
    void imageFolderGrey();
    void imageFolderEmpty();
    void imageFolderAllCorrupt();
    void imageFolderSymlinks();
    void missingPaths();
    void gzipTrailingBytesAndMembers();
    void rawAndGzTwins();
    void pngChecksums();
    void unreadableClassFolder();
    void classNamesAreSanitised();
    void loadDatasetDispatch();
    void sharedMnist();
    void sharedCifarSubset();
};

void TestDataFiles::idxRoundTrip_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TestDataFiles::idxRoundTrip()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray pixels = randomBytes(5 * 4 * 3, 1);
    const QByteArray labels("\x03\x00\x09\x01\x07", 5);
    const QString suffix = gzip ? ".gz" : "";
    const QString images = dir.filePath("x-images-idx3-ubyte" + suffix);
    const QString labelFile = dir.filePath("x-labels-idx1-ubyte" + suffix);
    writeFile(images, idxImages(5, 4, 3, pixels), gzip);
    writeFile(labelFile, idxLabels(labels), gzip);

    const Dataset d = loadIdx(str(images), str(labelFile));
    QCOMPARE(d.count, int64_t(5));
    QCOMPARE(d.channels, 1);
    QCOMPARE(d.height, 4);
    QCOMPARE(d.width, 3);
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(d.pixels.data()), int(d.pixels.size())),
             pixels);
    QCOMPARE(d.labels.size(), size_t(1));
    QCOMPARE(d.labels[0].name, std::string("digit"));
    QCOMPARE(d.labels[0].classNames.size(), size_t(10));
    QCOMPARE(d.labels[0].classNames[7], std::string("7"));
    QCOMPARE(d.labels[0].values, (std::vector<int32_t>{3, 0, 9, 1, 7}));

    const Dataset unlabelled = loadIdx(str(images), "");
    QVERIFY(!unlabelled.hasLabels());
    QCOMPARE(unlabelled.pixels, d.pixels);
}

void TestDataFiles::idxManyClasses()
{
    QTemporaryDir dir;
    const QString images = dir.filePath("i");
    const QString labels = dir.filePath("l");
    writeFile(images, idxImages(3, 2, 2, randomBytes(12, 2)), false);
    writeFile(labels, idxLabels(QByteArray("\x00\x0c\x05", 3)), false);
    const Dataset d = loadIdx(str(images), str(labels));
    QCOMPARE(d.labels[0].classNames.size(), size_t(13));
    QCOMPARE(d.labels[0].classNames[12], std::string("12"));
}

void TestDataFiles::idxTruncated_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TestDataFiles::idxTruncated()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    const QString images = dir.filePath(gzip ? "cut-images.gz" : "cut-images");
    // Header: 5 images of 4x3 = 60 bytes; only 50 follow.
    writeFile(images, idxImages(5, 4, 3, randomBytes(50, 3)), gzip);
    VERIFY_ERROR(loadIdx(str(images), ""), images);
    VERIFY_ERROR(loadIdx(str(images), ""), QStringLiteral("truncated"));

    // A header that claims far more than the file could ever hold.
    const QString huge = dir.filePath(gzip ? "huge.gz" : "huge");
    writeFile(huge, idxImages(1000000, 1000, 1000, randomBytes(100, 4)), gzip);
    VERIFY_ERROR(loadIdx(str(huge), ""), QStringLiteral("truncated"));

    // Shorter than the header itself.
    const QString tiny = dir.filePath(gzip ? "tiny.gz" : "tiny");
    writeFile(tiny, QByteArray("\x00\x00\x08\x03\x00", 5), gzip);
    VERIFY_ERROR(loadIdx(str(tiny), ""), tiny);

    // Labels file cut short.
    const QString full = dir.filePath("full");
    writeFile(full, idxImages(5, 4, 3, randomBytes(60, 5)), false);
    const QString labels = dir.filePath(gzip ? "cut-labels.gz" : "cut-labels");
    writeFile(labels, idxLabels(QByteArray(5, 1)).left(8 + 3), gzip);
    VERIFY_ERROR(loadIdx(str(full), str(labels)), labels);
}

void TestDataFiles::idxWrongMagic()
{
    QTemporaryDir dir;
    const QString labels = dir.filePath("labels");
    writeFile(labels, idxLabels(QByteArray(5, 1)), false);
    // A labels file given as images.
    VERIFY_ERROR(loadIdx(str(labels), ""),
                 labels + " is not an IDX images file: magic 0x00000801 (expected 0x00000803)");

    const QString images = dir.filePath("images");
    writeFile(images, idxImages(5, 4, 3, randomBytes(60, 6)), false);
    VERIFY_ERROR(loadIdx(str(images), str(images)), QStringLiteral("not an IDX labels file"));

    const QString text = dir.filePath("text.gz");
    writeFile(text, "hello, this is not IDX data at all", true);
    VERIFY_ERROR(loadIdx(str(text), ""), QStringLiteral("magic 0x68656c6c"));
}

void TestDataFiles::idxLabelCountMismatch()
{
    QTemporaryDir dir;
    const QString images = dir.filePath("images");
    const QString labels = dir.filePath("labels");
    writeFile(images, idxImages(5, 4, 3, randomBytes(60, 7)), false);
    writeFile(labels, idxLabels(QByteArray(4, 1)), false);
    VERIFY_ERROR(loadIdx(str(images), str(labels)), labels + " has 4 labels but");
    VERIFY_ERROR(loadIdx(str(images), str(labels)), QStringLiteral("has 5 images"));
}

void TestDataFiles::mnistFolderSplits()
{
    QTemporaryDir dir;
    const QByteArray trainPixels = randomBytes(6 * 28 * 28, 8);
    const QByteArray testPixels = randomBytes(3 * 28 * 28, 9);
    writeFile(dir.filePath("train-images-idx3-ubyte.gz"), idxImages(6, 28, 28, trainPixels), true);
    writeFile(dir.filePath("train-labels-idx1-ubyte.gz"), idxLabels(QByteArray("\0\1\2\3\4\5", 6)),
              true);
    writeFile(dir.filePath("t10k-images-idx3-ubyte"), idxImages(3, 28, 28, testPixels), false);
    writeFile(dir.filePath("t10k-labels-idx1-ubyte"), idxLabels(QByteArray("\7\10\11", 3)), false);

    const Dataset train = loadMnist(str(dir.path()), "train");
    QCOMPARE(train.count, int64_t(6));
    QCOMPARE(train.height, 28);
    QCOMPARE(train.labels[0].values, (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));

    const Dataset test = loadMnist(str(dir.path()), "test");
    QCOMPARE(test.count, int64_t(3));
    QCOMPARE(test.labels[0].values, (std::vector<int32_t>{7, 8, 9}));

    const Dataset all = loadMnist(str(dir.path()), "all");
    QCOMPARE(all.count, int64_t(9));
    QCOMPARE(all.pixels.size(), size_t(9 * 28 * 28));
    QCOMPARE(all.labels[0].values, (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 7, 8, 9}));
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(all.pixels.data()), int(all.pixels.size())),
             trainPixels + testPixels);

    VERIFY_ERROR(loadMnist(str(dir.path()), "validation"), QStringLiteral("unknown MNIST split"));

    // Through loadDataset: padded to 32, limited by count.
    DataSpec spec;
    spec.kind = cgpgan::DataKind::Mnist;
    spec.path = str(dir.path());
    spec.split = "all";
    spec.count = 4;
    spec.resolution = 32;
    const Dataset padded = loadDataset(spec);
    QCOMPARE(padded.count, int64_t(4));
    QCOMPARE(padded.height, 32);
    QCOMPARE(padded.width, 32);
    QCOMPARE(padded.pixels.size(), size_t(4 * 32 * 32));
    QCOMPARE(padded.labels[0].values.size(), size_t(4));
    QCOMPARE(pixelAt(padded, 3, 0, 2, 2), uint8_t(trainPixels[3 * 784]));
    QCOMPARE(pixelAt(padded, 3, 0, 0, 0), uint8_t(0));

    // A folder without the files names what it looked for.
    QTemporaryDir empty;
    VERIFY_ERROR(loadMnist(str(empty.path()), "train"), QStringLiteral("train-images-idx3-ubyte"));
}

void TestDataFiles::mnistDirectFile()
{
    QTemporaryDir dir;
    const QString images = dir.filePath("t10k-images-idx3-ubyte.gz");
    writeFile(images, idxImages(2, 28, 28, randomBytes(2 * 784, 10)), true);
    // Without a labels file beside it: images only.
    QVERIFY(!loadMnist(str(images), "train").hasLabels());
    writeFile(dir.filePath("t10k-labels-idx1-ubyte.gz"), idxLabels(QByteArray("\4\2", 2)), true);
    const Dataset d = loadMnist(str(images), "train");
    QCOMPARE(d.count, int64_t(2));
    QVERIFY(d.hasLabels());
    QCOMPARE(d.labels[0].values, (std::vector<int32_t>{4, 2}));
}

void TestDataFiles::cifarSmallFile()
{
    QTemporaryDir dir;
    const QString file = dir.filePath("batch.bin");
    const QByteArray records = cifarRecords({0, 5, 9});
    writeFile(file, records, false);
    const Dataset d = loadCifar10(str(file));
    QCOMPARE(d.count, int64_t(3));
    QCOMPARE(d.channels, 3);
    QCOMPARE(d.height, 32);
    QCOMPARE(d.width, 32);
    QCOMPARE(d.labels.size(), size_t(1));
    QCOMPARE(d.labels[0].values, (std::vector<int32_t>{0, 5, 9}));
    QCOMPARE(d.labels[0].classNames.size(), size_t(10));
    QCOMPARE(d.labels[0].classNames[0], std::string("airplane"));
    QCOMPARE(d.labels[0].classNames[9], std::string("truck"));
    for (int r = 0; r < 3; ++r)
        QVERIFY(std::equal(d.pixels.begin() + r * 3072, d.pixels.begin() + (r + 1) * 3072,
                           reinterpret_cast<const uint8_t*>(records.constData()) + r * 3073 + 1));
    // Channel planes: R, G, B.
    QCOMPARE(pixelAt(d, 1, 1, 0, 0), uint8_t((7 + 1024) % 256));

    const QString gz = dir.filePath("batch.bin.gz");
    writeFile(gz, records, true);
    QCOMPARE(loadCifar10(str(gz)).pixels, d.pixels);
}

void TestDataFiles::cifarFolderWithMeta()
{
    QTemporaryDir dir;
    writeFile(dir.filePath("test_batch.bin.gz"), cifarRecords({3}), true);
    writeFile(dir.filePath("data_batch_2.bin"), cifarRecords({2, 2}), false);
    writeFile(dir.filePath("data_batch_1.bin"), cifarRecords({1}), false);
    writeFile(dir.filePath("readme.txt"), "not a batch", false);
    writeFile(dir.filePath("batches.meta.txt"), "a\nb\r\nc\nd\n\n", false);
    const Dataset d = loadCifar10(str(dir.path()));
    QCOMPARE(d.count, int64_t(4));
    QCOMPARE(d.labels[0].values, (std::vector<int32_t>{1, 2, 2, 3}));
    QCOMPARE(d.labels[0].classNames, (std::vector<std::string>{"a", "b", "c", "d"}));

    QTemporaryDir empty;
    VERIFY_ERROR(loadCifar10(str(empty.path())), QStringLiteral("no CIFAR-10 batch files"));
}

void TestDataFiles::cifarBadSize()
{
    QTemporaryDir dir;
    const QString file = dir.filePath("bad.bin");
    writeFile(file, cifarRecords({1, 2}) + QByteArray(100, 0), false);
    VERIFY_ERROR(loadCifar10(str(file)), file);
    VERIFY_ERROR(loadCifar10(str(file)), QStringLiteral("size 6246 bytes"));
    VERIFY_ERROR(loadCifar10(str(file)), QStringLiteral("3073"));

    const QString gz = dir.filePath("bad.bin.gz");
    writeFile(gz, cifarRecords({1}).left(3000), true);
    VERIFY_ERROR(loadCifar10(str(gz)), QStringLiteral("size 3000 bytes (uncompressed)"));

    const QString empty = dir.filePath("empty.bin");
    writeFile(empty, QByteArray(), false);
    VERIFY_ERROR(loadCifar10(str(empty)), empty);
}

void TestDataFiles::cifarBadLabel()
{
    QTemporaryDir dir;
    const QString file = dir.filePath("labels.bin");
    writeFile(file, cifarRecords({1, 57}), false);
    VERIFY_ERROR(loadCifar10(str(file)), QStringLiteral("record 1 has label 57"));
}

// Issue 11: a gzip file cut inside its stream, exactly after a whole record
// (the sizes all add up), is refused as truncated instead of loading short.
void TestDataFiles::gzipCutAtRecordBoundary()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("cut.bin.gz");
    const QByteArray records = cifarRecords({1, 2, 3});
    const QByteArray bytes = path.toLocal8Bit();
    gzFile f = gzopen(bytes.constData(), "wb");
    QVERIFY(f);
    QCOMPARE(gzwrite(f, records.constData(), unsigned(2 * 3073)), 2 * 3073);
    QCOMPARE(gzflush(f, Z_FULL_FLUSH), Z_OK); // the first two records decode from this prefix
    QCOMPARE(gzclose(f), Z_OK);
    // Drop the 8-byte gzip trailer (CRC and size): a stream that ends early.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.size() > 8);
    QVERIFY(file.resize(file.size() - 8));
    file.close();
    VERIFY_ERROR(loadCifar10(str(path)), QStringLiteral("truncated gzip file"));
    VERIFY_ERROR(loadCifar10(str(path)), QStringLiteral("after 6146 uncompressed bytes"));

    // The same cut in an IDX file whose header is satisfied is refused as well.
    const QString idx = dir.filePath("cut-images.gz");
    const QByteArray image = idxImages(2, 2, 2, randomBytes(8, 5));
    const QByteArray idxPath = idx.toLocal8Bit();
    f = gzopen(idxPath.constData(), "wb");
    QVERIFY(f);
    QCOMPARE(gzwrite(f, image.constData(), unsigned(image.size())), int(image.size()));
    QCOMPARE(gzclose(f), Z_OK);
    QFile idxFile(idx);
    QVERIFY(idxFile.open(QIODevice::ReadWrite));
    QVERIFY(idxFile.resize(idxFile.size() - 8));
    idxFile.close();
    VERIFY_ERROR(loadIdx(str(idx), ""), QStringLiteral("truncated gzip file"));
}

void TestDataFiles::imageFolder()
{
    QTemporaryDir dir;
    // 40x20: left 10 columns red, middle 20 green, right 10 blue. The centre
    // crop keeps only the green part.
    Image8 wide{40, 20, 3, {}};
    for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 40; ++x) {
            const std::array<uint8_t, 3> rgb =
                x < 10 ? std::array<uint8_t, 3>{255, 0, 0}
                       : (x < 30 ? std::array<uint8_t, 3>{0, 255, 0} : std::array<uint8_t, 3>{0, 0, 255});
            wide.data.insert(wide.data.end(), rgb.begin(), rgb.end());
        }
    writePng(str(dir.filePath("cats/wide.png")), wide);
    writePng(str(dir.filePath("cats/deeper/grey.png")), solidImage(16, 16, 1, {200, 0, 0}));
    writePng(str(dir.filePath("dogs/big.PNG")), solidImage(64, 64, 3, {10, 20, 250}));
    writeFile(dir.filePath("dogs/broken.jpg"), randomBytes(500, 11), false);
    writeFile(dir.filePath("notes.txt"), "not an image", false);

    const Dataset d = loadImageFolder(str(dir.path()), 16, 3);
    QCOMPARE(d.count, int64_t(3));
    QCOMPARE(d.channels, 3);
    QCOMPARE(d.height, 16);
    QCOMPARE(d.width, 16);
    QCOMPARE(d.pixels.size(), size_t(3 * 3 * 16 * 16));
    QCOMPARE(d.skipped.size(), size_t(1));
    QVERIFY(QString::fromStdString(d.skipped[0].path).endsWith("dogs/broken.jpg"));
    QVERIFY(!d.skipped[0].reason.empty());
    qInfo("corrupt file reason: %s", d.skipped[0].reason.c_str());

    // Sorted paths: cats/deeper/grey.png, cats/wide.png, dogs/big.PNG.
    for (int c = 0; c < 3; ++c)
        QCOMPARE(pixelAt(d, 0, c, 8, 8), uint8_t(200)); // grey -> RGB
    QCOMPARE(pixelAt(d, 1, 0, 8, 8), uint8_t(0));
    QCOMPARE(pixelAt(d, 1, 1, 8, 8), uint8_t(255));
    QVERIFY(pixelAt(d, 1, 0, 8, 0) < 10); // even the crop's edge is green, not red
    QCOMPARE(pixelAt(d, 2, 2, 5, 5), uint8_t(250));

    // ImageFolder's convention: the first folder below the root is the class
    // (cats/deeper/grey.png is a cat), a "class" label column.
    QCOMPARE(d.labels.size(), size_t(1));
    QCOMPARE(d.labels[0].name, std::string("class"));
    QCOMPARE(d.labels[0].classNames, (std::vector<std::string>{"cats", "dogs"}));
    QCOMPARE(d.labels[0].values, (std::vector<int32_t>{0, 0, 1}));

    // Images beside the subfolders, or one subfolder only: unlabelled.
    QTemporaryDir mixed;
    writePng(str(mixed.filePath("cats/a.png")), solidImage(8, 8, 3, {1, 2, 3}));
    writePng(str(mixed.filePath("dogs/b.png")), solidImage(8, 8, 3, {1, 2, 3}));
    writePng(str(mixed.filePath("loose.png")), solidImage(8, 8, 3, {1, 2, 3}));
    QVERIFY(loadImageFolder(str(mixed.path()), 8, 3).labels.empty());
    QTemporaryDir single;
    writePng(str(single.filePath("cats/a.png")), solidImage(8, 8, 3, {1, 2, 3}));
    writePng(str(single.filePath("cats/b/c.png")), solidImage(8, 8, 3, {1, 2, 3}));
    QVERIFY(loadImageFolder(str(single.path()), 8, 3).labels.empty());

    // Through loadDataset, with a count limit.
    DataSpec spec;
    spec.kind = cgpgan::DataKind::Folder;
    spec.path = str(dir.path());
    spec.resolution = 16;
    spec.count = 2;
    const Dataset limited = loadDataset(spec);
    QCOMPARE(limited.count, int64_t(2));
    QCOMPARE(limited.pixels.size(), size_t(2 * 3 * 16 * 16));
}

void TestDataFiles::imageFolderGrey()
{
    QTemporaryDir dir;
    writePng(str(dir.filePath("a.png")), solidImage(20, 20, 3, {255, 255, 255}));
    writePng(str(dir.filePath("b.jpeg.png")), solidImage(8, 8, 3, {0, 0, 0}));
    const Dataset d = loadImageFolder(str(dir.path()), 32, 1);
    QCOMPARE(d.count, int64_t(2));
    QCOMPARE(d.channels, 1);
    QCOMPARE(d.pixels.size(), size_t(2 * 32 * 32));
    QCOMPARE(pixelAt(d, 0, 0, 31, 31), uint8_t(255));
    QCOMPARE(pixelAt(d, 1, 0, 0, 0), uint8_t(0));
    QVERIFY(!d.hasLabels()); // images directly in the folder: no folder labels
    VERIFY_ERROR(loadImageFolder(str(dir.path()), 32, 2), QStringLiteral("channels must be 1 or 3"));
}

void TestDataFiles::imageFolderEmpty()
{
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath("sub/empty"));
    writeFile(dir.filePath("sub/readme.md"), "text", false);
    VERIFY_ERROR(loadImageFolder(str(dir.path()), 32, 3),
                 "no .png/.jpg/.jpeg images found under " + dir.path());
}

void TestDataFiles::imageFolderAllCorrupt()
{
    QTemporaryDir dir;
    writeFile(dir.filePath("x.png"), randomBytes(300, 12), false);
    writeFile(dir.filePath("y.JPG"), QByteArray(), false);
    const QString message = errorOf([&] { loadImageFolder(str(dir.path()), 32, 3); });
    QVERIFY2(message.contains(dir.path()), qPrintable(message));
    QVERIFY2(message.contains("2 image files were skipped"), qPrintable(message));
    QVERIFY2(message.contains("x.png"), qPrintable(message));

    // Found by fuzz_image: PNM content in files named .png: a header that
    // decodes to a 0-pixel-wide image (it aborted inside libstb's resize), a
    // 19-byte header claiming 25551x25555 pixels (1.9 GB, 21 s), and a
    // 16-bit PGM header that made libstb read past the end of the file
    // (SEGV). Only PNG and JPEG content is decoded now; the rest is skipped
    // with why.
    QTemporaryDir zero;
    writeFile(zero.filePath("zero.png"), QByteArray("P6 ]2 255\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b", 22), false);
    writeFile(zero.filePath("huge.ppm.png"), QByteArray("P6  25551  25555  \x0b", 19), false);
    writeFile(zero.filePath("pgm16.png"), QByteArray("P51  25556  25551  25555  \x0b", 27), false);
    writePng(str(zero.filePath("good.png")), solidImage(4, 4, 3, {1, 2, 3}));
    const Dataset d = loadImageFolder(str(zero.path()), 8, 3);
    QCOMPARE(d.count, int64_t(1));
    QCOMPARE(d.skipped.size(), size_t(3));
    for (const SkippedFile& s : d.skipped)
        QVERIFY2(QString::fromStdString(s.reason).contains("not PNG or JPEG"), s.reason.c_str());

    // A real PNG header claiming 9000x9000 pixels is skipped at once (the
    // 64-megapixel limit), before anything is decoded.
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += QByteArray("\x00\x00\x00\x0dIHDR", 8);
    png += QByteArray("\x00\x00\x23\x28\x00\x00\x23\x28\x08\x02\x00\x00\x00", 13); // 9000 x 9000, RGB 8-bit
    png += QByteArray("\x00\x00\x00\x00", 4);                                     // CRC (not checked by the header read)
    writeFile(zero.filePath("huge.png"), png, false);
    QElapsedTimer clock;
    clock.start();
    const Dataset withHuge = loadImageFolder(str(zero.path()), 8, 3);
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(withHuge.count, int64_t(1));
    bool named = false;
    for (const SkippedFile& s : withHuge.skipped)
        named = named || (QString::fromStdString(s.path).endsWith("huge.png")
                          && QString::fromStdString(s.reason).contains("9000x9000"));
    QVERIFY(named);
}

// Issue 11: links that lead nowhere are listed with why, not dropped silently.
void TestDataFiles::imageFolderSymlinks()
{
    QTemporaryDir dir;
    writePng(str(dir.filePath("good.png")), solidImage(8, 8, 3, {10, 20, 30}));
    QVERIFY(QFile::link(dir.filePath("good.png"), dir.filePath("alias.png"))); // a good link
    QVERIFY(QFile::link(dir.filePath("gone.png"), dir.filePath("dangling.png")));
    QVERIFY(QFile::link(dir.filePath("loop-b.png"), dir.filePath("loop-a.png")));
    QVERIFY(QFile::link(dir.filePath("loop-a.png"), dir.filePath("loop-b.png")));
    QVERIFY(QDir(dir.path()).mkdir("folder.png"));
    const Dataset d = loadImageFolder(str(dir.path()), 8, 3);
    QCOMPARE(d.count, int64_t(2)); // good.png and alias.png
    QCOMPARE(d.skipped.size(), size_t(4));
    auto reasonFor = [&](const QString& name) {
        for (const SkippedFile& s : d.skipped)
            if (QString::fromStdString(s.path).endsWith("/" + name))
                return QString::fromStdString(s.reason);
        return QStringLiteral("(not listed)");
    };
    QVERIFY2(reasonFor("dangling.png").startsWith("dangling symbolic link"), qPrintable(reasonFor("dangling.png")));
    QVERIFY2(reasonFor("dangling.png").contains("gone.png"), qPrintable(reasonFor("dangling.png")));
    QVERIFY2(reasonFor("loop-a.png").contains("loops"), qPrintable(reasonFor("loop-a.png")));
    QVERIFY2(reasonFor("loop-b.png").contains("loops"), qPrintable(reasonFor("loop-b.png")));
    QVERIFY2(reasonFor("folder.png").contains("is a folder"), qPrintable(reasonFor("folder.png")));

    QTemporaryDir onlyLinks;
    QVERIFY(QFile::link(onlyLinks.filePath("gone.png"), onlyLinks.filePath("x.png")));
    VERIFY_ERROR(loadImageFolder(str(onlyLinks.path()), 8, 3),
                 QStringLiteral("1 entries with an image's name are not files"));
}

void TestDataFiles::missingPaths()
{
    const QString missing = QStringLiteral("/nonexistent/cgpgan-test/nowhere");
    VERIFY_ERROR(loadMnist(str(missing), "train"), missing + " does not exist");
    VERIFY_ERROR(loadCifar10(str(missing)), missing + " does not exist");
    VERIFY_ERROR(loadImageFolder(str(missing), 32, 3), missing + " does not exist");
    VERIFY_ERROR(loadIdx(str(missing), ""), missing + " does not exist");
    DataSpec spec;
    spec.kind = cgpgan::DataKind::Folder;
    spec.path = str(missing);
    VERIFY_ERROR(loadDataset(spec), QStringLiteral("does not exist"));
    spec.path.clear();
    VERIFY_ERROR(loadDataset(spec), QStringLiteral("no path given"));
}

void TestDataFiles::loadDatasetDispatch()
{
    DataSpec spec;
    const Dataset builtin = loadDataset(spec);
    QCOMPARE(builtin.count, int64_t(20000));
    QCOMPARE(builtin.height, 32);
    QCOMPARE(builtin.source, std::string("builtin"));

    spec.count = 10;
    spec.resolution = 16;
    spec.seed = 3;
    const Dataset small = loadDataset(spec);
    // The spec's variation (moderate by default; SPEC 5) reaches the generator.
    QCOMPARE(small.pixels, makeShapesDataset(10, 16, 3, cgpgan::ShapesVariation::Moderate).pixels);
    spec.variation = cgpgan::ShapesVariation::Full;
    QCOMPARE(loadDataset(spec).pixels, makeShapesDataset(10, 16, 3).pixels);

    spec.kind = cgpgan::DataKind::Toy2d;
    spec.count = 0;
    QCOMPARE(loadDataset(spec).count, int64_t(20000));

    // (An unknown kind is refused where it is read, as a DataKind: test_ablations, settingWords.)

    spec.kind = cgpgan::DataKind::Builtin;
    spec.resolution = 48;
    VERIFY_ERROR(loadDataset(spec), QStringLiteral("power of two"));
    spec.resolution = 32;
    spec.count = -5;
    VERIFY_ERROR(loadDataset(spec), QStringLiteral("count"));
}

void TestDataFiles::sharedMnist()
{
    const QString folder = sharedDatasets() + "/mnist";
    if (!QDir(folder).exists())
        QSKIP("../shared/datasets not found: skipping the real MNIST test");

    const Dataset train = loadMnist(str(folder), "train");
    QCOMPARE(train.count, int64_t(60000));
    QCOMPARE(train.channels, 1);
    QCOMPARE(train.height, 28);
    QCOMPARE(train.width, 28);
    QCOMPARE(train.labels[0].values.size(), size_t(60000));
    QCOMPARE(train.labels[0].classNames.size(), size_t(10));
    std::array<int, 10> digits{};
    for (int32_t v : train.labels[0].values)
        ++digits[size_t(v)];
    QCOMPARE(digits[1], 6742); // the published class sizes of MNIST train
    QCOMPARE(digits[5], 5421);

    // The published MD5 of the uncompressed train images file (README.md).
    QByteArray header;
    appendBigEndian(header, 0x00000803);
    appendBigEndian(header, 60000);
    appendBigEndian(header, 28);
    appendBigEndian(header, 28);
    QCryptographicHash md5(QCryptographicHash::Md5);
    md5.addData(header);
    md5.addData(QByteArrayView(reinterpret_cast<const char*>(train.pixels.data()),
                               qsizetype(train.pixels.size())));
    QCOMPARE(md5.result().toHex(), QByteArray("6bbc9ace898e44ae57da46a324031adb"));

    const Dataset test = loadMnist(str(folder), "test");
    QCOMPARE(test.count, int64_t(10000));
    QCOMPARE(test.labels[0].values.size(), size_t(10000));

    DataSpec spec;
    spec.kind = cgpgan::DataKind::Mnist;
    spec.path = str(folder);
    spec.split = "all";
    spec.resolution = 32;
    const Dataset all = loadDataset(spec);
    QCOMPARE(all.count, int64_t(70000));
    QCOMPARE(all.height, 32);
    QCOMPARE(all.width, 32);
    QCOMPARE(all.pixels.size(), size_t(70000) * 32 * 32);
    QCOMPARE(all.labels[0].values.size(), size_t(70000));
    // Padding is black; the digit keeps its place 2 pixels in.
    QCOMPARE(pixelAt(all, 0, 0, 0, 0), uint8_t(0));
    QCOMPARE(pixelAt(all, 0, 0, 2 + 14, 2 + 14), train.pixels[14 * 28 + 14]);
}

void TestDataFiles::sharedCifarSubset()
{
    const QString folder = sharedDatasets() + "/cifar10-subset";
    if (!QDir(folder).exists())
        QSKIP("../shared/datasets not found: skipping the real CIFAR-10 test");

    const Dataset d = loadCifar10(str(folder));
    QCOMPARE(d.count, int64_t(4000));
    QCOMPARE(d.channels, 3);
    QCOMPARE(d.height, 32);
    QCOMPARE(d.width, 32);
    QCOMPARE(d.pixels.size(), size_t(4000) * 3072);
    QCOMPARE(d.labels[0].classNames,
             (std::vector<std::string>{"airplane", "automobile", "bird", "cat", "deer", "dog",
                                       "frog", "horse", "ship", "truck"}));
    // data_batch_1 begins frog, truck, truck, deer.
    QCOMPARE(d.labels[0].values[0], 6);
    QCOMPARE(d.labels[0].values[1], 9);
    QCOMPARE(d.labels[0].values[2], 9);
    QCOMPARE(d.labels[0].values[3], 4);
    std::array<int, 10> perClass{};
    for (int32_t v : d.labels[0].values)
        ++perClass[size_t(v)];
    for (int n : perClass)
        QVERIFY(n > 300 && n < 500);

    DataSpec spec;
    spec.kind = cgpgan::DataKind::Cifar10;
    spec.path = str(folder);
    spec.count = 100;
    const Dataset limited = loadDataset(spec);
    QCOMPARE(limited.count, int64_t(100));
    QCOMPARE(limited.height, 32);
}

// Issue 26: bytes after a gzip stream were dropped without a word. Now
// they are counted in a warning, while a file of several gzip members (as
// `cat a.gz b.gz` makes) is read whole and without one.
void TestDataFiles::gzipTrailingBytesAndMembers()
{
    QTemporaryDir dir;
    const QByteArray image = idxImages(3, 2, 2, randomBytes(12, 7));
    const QString junk = dir.filePath("junk-images.gz");
    writeFile(junk, gzipped(image) + QByteArray("appended", 8), false);
    {
        LogCapture log;
        const Dataset d = loadIdx(str(junk), "");
        QCOMPARE(d.count, int64_t(3));
        QVERIFY2(log.text().contains("has 8 bytes after its gzip data"), qPrintable(log.text()));
    }
    const QString members = dir.filePath("members-images.gz");
    writeFile(members, gzipped(image.left(10)) + gzipped(image.mid(10)), false);
    LogCapture log;
    const Dataset d = loadIdx(str(members), "");
    QCOMPARE(d.count, int64_t(3));
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(d.pixels.data()), int(d.pixels.size())), image.mid(16));
    QVERIFY2(!log.text().contains("after its gzip data"), qPrintable(log.text()));

    // A flipped byte in the stored CRC-32 is caught (zlib checks it).
    QByteArray flipped = gzipped(image);
    flipped[flipped.size() - 6] = char(flipped[flipped.size() - 6] ^ 0x40);
    writeFile(dir.filePath("flipped-images.gz"), flipped, false);
    VERIFY_ERROR(loadIdx(str(dir.filePath("flipped-images.gz")), ""), QStringLiteral("corrupt gzip data"));
}

// Issue 26: when x and x.gz both exist the raw one is read; that they differ
// is now a warning naming both (the same data: an info line).
void TestDataFiles::rawAndGzTwins()
{
    QTemporaryDir dir;
    const QByteArray images = idxImages(2, 2, 2, randomBytes(8, 3));
    writeFile(dir.filePath("train-images-idx3-ubyte"), images, false);
    writeFile(dir.filePath("train-images-idx3-ubyte.gz"), images, true);
    writeFile(dir.filePath("train-labels-idx1-ubyte"), idxLabels(QByteArray("\x01\x02", 2)), false);
    writeFile(dir.filePath("train-labels-idx1-ubyte.gz"), idxLabels(QByteArray("\x01\x03", 2)), true);
    LogCapture log;
    const Dataset d = loadMnist(str(dir.path()), "train");
    QCOMPARE(d.labels[0].values, (std::vector<int32_t>{1, 2})); // the raw file's
    QVERIFY2(log.text().contains("train-images-idx3-ubyte.gz both exist and hold the same data"), qPrintable(log.text()));
    QVERIFY2(log.text().contains("train-labels-idx1-ubyte.gz both exist and differ (from byte 9"), qPrintable(log.text()));

    QTemporaryDir cifar;
    writeFile(cifar.filePath("data_batch_1.bin"), cifarRecords({1}), false);
    writeFile(cifar.filePath("data_batch_1.bin.gz"), cifarRecords({2}), true);
    const Dataset c = loadCifar10(str(cifar.path()));
    QCOMPARE(c.labels[0].values, (std::vector<int32_t>{1}));
    QVERIFY2(log.text().contains("data_batch_1.bin.gz both exist and differ (from byte 0"), qPrintable(log.text()));
}

// Issue 26: stb_image ignores PNG CRCs, so a damaged PNG loaded. Every chunk
// is checked now; a damaged or cut file is skipped with why.
void TestDataFiles::pngChecksums()
{
    QTemporaryDir dir;
    const QString good = dir.filePath("a/good.png");
    QDir().mkpath(dir.filePath("a"));
    writePng(str(good), solidImage(8, 8, 3, {10, 200, 30}));
    QFile file(good);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();
    const int idat = bytes.indexOf("IDAT");
    QVERIFY(idat > 0);
    QByteArray flipped = bytes;
    flipped[idat + 6] = char(flipped[idat + 6] ^ 1); // inside the compressed pixels
    writeFile(dir.filePath("a/flipped.png"), flipped, false);
    writeFile(dir.filePath("a/cut.png"), bytes.left(bytes.size() - 12), false); // no IEND
    LogCapture log;
    const Dataset d = loadImageFolder(str(dir.filePath("a")), 8, 3);
    QCOMPARE(d.count, int64_t(1));
    QCOMPARE(d.skipped.size(), size_t(2));
    QVERIFY2(QString::fromStdString(d.skipped[0].reason).contains("ends before its IEND"), d.skipped[0].reason.c_str());
    QVERIFY2(QString::fromStdString(d.skipped[1].reason).contains("chunk IDAT at byte")
                 && QString::fromStdString(d.skipped[1].reason).contains("fails its CRC-32"),
             d.skipped[1].reason.c_str());
    QVERIFY2(log.text().contains("skipping") && log.text().contains("flipped.png"), qPrintable(log.text()));
}

// Issue 26: a class folder that cannot be read was dropped without a word
// ("0 skipped"), and with two classes the data silently lost its labels.
// It is listed as skipped and logged now. Root reads every folder, so as
// root the load runs in a child process as the user nobody.
void TestDataFiles::unreadableClassFolder()
{
    const QString root = QDir::tempPath() + "/cgpgan-unreadable-" + QString::number(getpid());
    QDir(root).removeRecursively();
    for (const char* cls : {"cats", "dogs", "owls"})
        QDir().mkpath(root + "/" + cls), writePng(str(root + "/" + cls + "/x.png"), solidImage(8, 8, 3, {1, 2, 3}));
    const auto cleanup = qScopeGuard([&] {
        QFile::setPermissions(root + "/owls", QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QDir(root).removeRecursively();
    });
    const auto open = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
        | QFile::ReadOther | QFile::ExeOther;
    for (const QString& folder : {root, root + "/cats", root + "/dogs"})
        QVERIFY(QFile::setPermissions(folder, open));
    for (const char* cls : {"cats", "dogs"})
        QVERIFY(QFile::setPermissions(root + "/" + cls + "/x.png", QFile::ReadOwner | QFile::ReadOther | QFile::ReadGroup));
    QVERIFY(QFile::setPermissions(root + "/owls", QFile::WriteOwner)); // no read, no search

    // count, classes, skipped, then the first skipped entry's path and reason
    auto load = [&]() -> std::string {
        try {
            const Dataset d = loadImageFolder(str(root), 8, 3);
            std::string out = std::to_string(d.count) + " " + std::to_string(d.labels.empty() ? 0 : d.labels[0].classNames.size())
                + " " + std::to_string(d.skipped.size());
            if (!d.skipped.empty())
                out += " " + d.skipped[0].path + ": " + d.skipped[0].reason;
            return out;
        } catch (const std::exception& e) {
            return std::string("error ") + e.what();
        }
    };
    std::string result;
    if (geteuid() != 0) {
        result = load();
    } else {
        int pipeEnds[2];
        QVERIFY(pipe(pipeEnds) == 0);
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            close(pipeEnds[0]);
            std::string text = setgid(65534) == 0 && setuid(65534) == 0 ? load() : std::string("setuid failed");
            (void)!write(pipeEnds[1], text.data(), text.size());
            _exit(0);
        }
        close(pipeEnds[1]);
        char buffer[4096];
        ssize_t got = 0;
        while ((got = read(pipeEnds[0], buffer, sizeof buffer)) > 0)
            result.append(buffer, size_t(got));
        close(pipeEnds[0]);
        int status = 0;
        waitpid(child, &status, 0);
    }
    const QString text = QString::fromStdString(result);
    QVERIFY2(text.startsWith("2 2 1 "), qPrintable(text));
    QVERIFY2(text.contains("/owls: folder cannot be read (Permission denied)"), qPrintable(text));
}

// Issue 26: class names come from files and folder names; control bytes and
// bytes that are not UTF-8 are escaped before they reach a CSV, JSON or the
// screen (a binary batches.meta.txt put NUL bytes into assignments.csv).
void TestDataFiles::classNamesAreSanitised()
{
    QTemporaryDir dir;
    writeFile(dir.filePath("data_batch_1.bin"), cifarRecords({0, 1, 2, 3, 4}), false);
    writeFile(dir.filePath("batches.meta.txt"),
              QByteArray("cat\x00x\n\xff\xfe bird\ncaf\xc3\xa9\ntab\there\n\xc0\xaf\n\xed\xa0\x80z\n", 37),
              false);
    DataSpec spec;
    spec.kind = DataKind::Cifar10;
    spec.path = str(dir.path());
    spec.resolution = 32;
    spec.channels = 3;
    LogCapture log;
    const Dataset d = loadDataset(spec);
    const std::vector<std::string> expected = {"cat\\x00x", "\\xFF\\xFE bird", "caf\xc3\xa9", "tab\\x09here",
                                               "\\xC0\\xAF", "\\xED\\xA0\\x80z"};
    QCOMPARE(d.labels[0].classNames, expected);
    QVERIFY2(log.text().contains("are shown as \\xNN (first: \"cat\\x00x\")"), qPrintable(log.text()));
}

QTEST_APPLESS_MAIN(TestDataFiles)
#include "test_data_files.moc"
