// Data: the built-in sets (determinism, balance, colours; toy-2d statistics,
// SPEC 5), the file loaders on small files written here (IDX raw and gzip,
// CIFAR-10 records, image folders) including every error path, padding,
// tiling and PNG output; and the real MNIST / CIFAR-10 subset from
// ../shared/datasets when present.
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/image_io.h"

#include <QtTest/QtTest>

#include <stb/stb_image.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

using namespace cgpgan;

namespace {

// The message of the cgpgan::Error that f throws, or a marker when it throws
// nothing or something else.
QString errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const cgpgan::Error& e) {
        return QString::fromStdString(e.what());
    } catch (...) {
        return QStringLiteral("<an exception that is not cgpgan::Error>");
    }
    return QStringLiteral("<no exception>");
}

#define VERIFY_ERROR(statement, needle)                                                        \
    do {                                                                                       \
        const QString message_ = errorOf([&] { statement; });                                  \
        QVERIFY2(message_.contains(needle),                                                    \
                 qPrintable(QStringLiteral("'%1' should contain '%2'").arg(message_, needle))); \
    } while (0)

std::string str(const QString& s) { return s.toStdString(); }

void writeFile(const QString& path, const QByteArray& bytes, bool gzip)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (gzip) {
        gzFile f = gzopen(path.toLocal8Bit().constData(), "wb");
        QVERIFY(f);
        QCOMPARE(gzwrite(f, bytes.constData(), unsigned(bytes.size())), int(bytes.size()));
        QCOMPARE(gzclose(f), Z_OK);
    } else {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QCOMPARE(f.write(bytes), qint64(bytes.size()));
    }
}

void appendBigEndian(QByteArray& out, uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.append(char((value >> shift) & 0xff));
}

QByteArray idxImages(uint32_t count, uint32_t rows, uint32_t cols, const QByteArray& pixels,
                     uint32_t magic = 0x00000803)
{
    QByteArray out;
    appendBigEndian(out, magic);
    appendBigEndian(out, count);
    appendBigEndian(out, rows);
    appendBigEndian(out, cols);
    return out + pixels;
}

QByteArray idxLabels(const QByteArray& labels)
{
    QByteArray out;
    appendBigEndian(out, 0x00000801);
    appendBigEndian(out, uint32_t(labels.size()));
    return out + labels;
}

QByteArray randomBytes(int n, uint32_t seed)
{
    std::mt19937 rng(seed);
    QByteArray out(n, 0);
    for (char& c : out)
        c = char(rng() & 0xff);
    return out;
}

// CIFAR-10 records: label then 3072 pixel bytes, pixel i of record r = (r * 7 + i) % 256.
QByteArray cifarRecords(const std::vector<int>& labels)
{
    QByteArray out;
    for (size_t r = 0; r < labels.size(); ++r) {
        out.append(char(labels[r]));
        for (int i = 0; i < 3072; ++i)
            out.append(char((int(r) * 7 + i) % 256));
    }
    return out;
}

// A solid-colour image (HWC) with `channels` channels.
Image8 solidImage(int width, int height, int channels, std::array<uint8_t, 3> rgb)
{
    Image8 image{width, height, channels, {}};
    for (int p = 0; p < width * height; ++p)
        for (int c = 0; c < channels; ++c)
            image.data.push_back(rgb[size_t(c)]);
    return image;
}

uint8_t pixelAt(const Dataset& d, int64_t image, int channel, int y, int x)
{
    return d.pixels[size_t(((image * d.channels + channel) * d.height + y) * d.width + x)];
}

// A pixel is foreground when any channel is clearly above the black background.
bool isForeground(const Dataset& d, int64_t image, int y, int x)
{
    for (int c = 0; c < d.channels; ++c)
        if (pixelAt(d, image, c, y, x) > 40)
            return true;
    return false;
}

QString sharedDatasets() { return QStringLiteral(CGPGAN_SHARED_DATASETS); }

} // namespace

class TestData final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void combinedLabels();
    void shapesDeterministic();
    void shapesLabelBalance();
    void shapesColoursDistinct();
    void shapesForegroundPerImage();
    void shapesSpeed();
    void shapesBadArguments();
    void toy2dStatistics();
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
    void loadDatasetDispatch();
    void padImagesToCentres();
    void padImagesToCrops();
    void tileImagesGeometry();
    void writePngRoundTrip();
    void writePngErrors();
    void sharedMnist();
    void sharedCifarSubset();
};

void TestData::combinedLabels()
{
    Dataset d;
    QVERIFY(d.combinedLabels().empty());
    QCOMPARE(d.combinedClassCount(), int64_t(0));

    d.labels.push_back({"shape", {"a", "b", "c"}, {0, 2, 1}});
    QCOMPARE(d.combinedClassCount(), int64_t(3));
    QCOMPARE(d.combinedLabels(), (std::vector<int32_t>{0, 2, 1}));

    d.labels.push_back({"colour", {"r", "g", "b", "y"}, {3, 0, 2}});
    QCOMPARE(d.combinedClassCount(), int64_t(12));
    // First column most significant: shape * 4 + colour.
    QCOMPARE(d.combinedLabels(), (std::vector<int32_t>{3, 8, 6}));
}

void TestData::shapesDeterministic()
{
    const Dataset a = makeShapesDataset(200, 32, 7);
    const Dataset b = makeShapesDataset(200, 32, 7);
    const Dataset c = makeShapesDataset(200, 32, 8);
    QCOMPARE(a.count, int64_t(200));
    QCOMPARE(a.channels, 3);
    QCOMPARE(a.height, 32);
    QCOMPARE(a.width, 32);
    QCOMPARE(a.pixels.size(), size_t(200 * 3 * 32 * 32));
    QVERIFY(a.isImages());
    QCOMPARE(a.source, std::string("builtin"));
    QCOMPARE(a.name, std::string("built-in shapes (4 shapes x 4 colours)"));
    QVERIFY(a.pixels == b.pixels);
    QVERIFY(a.labels[0].values == b.labels[0].values);
    QVERIFY(a.labels[1].values == b.labels[1].values);
    QVERIFY(a.pixels != c.pixels);

    // A prefix of a longer run is the shorter run.
    const Dataset longer = makeShapesDataset(300, 32, 7);
    QVERIFY(std::equal(a.pixels.begin(), a.pixels.end(), longer.pixels.begin()));

    // Other resolutions work too.
    const Dataset big = makeShapesDataset(4, 64, 7);
    QCOMPARE(big.pixels.size(), size_t(4 * 3 * 64 * 64));
}

void TestData::shapesLabelBalance()
{
    const Dataset d = makeShapesDataset(4000, 16, 3);
    QCOMPARE(d.labels.size(), size_t(2));
    QCOMPARE(d.labels[0].name, std::string("shape"));
    QCOMPARE(d.labels[1].name, std::string("colour"));
    QCOMPARE(d.labels[0].classNames,
             (std::vector<std::string>{"circle", "square", "triangle", "cross"}));
    QCOMPARE(d.labels[1].classNames, (std::vector<std::string>{"red", "green", "blue", "yellow"}));
    QCOMPARE(d.combinedClassCount(), int64_t(16));
    for (const LabelColumn& column : d.labels) {
        std::array<int, 4> counts{};
        for (int32_t v : column.values) {
            QVERIFY(v >= 0 && v < 4);
            ++counts[size_t(v)];
        }
        for (int k = 0; k < 4; ++k)
            QVERIFY2(counts[size_t(k)] > 900 && counts[size_t(k)] < 1100,
                     qPrintable(QStringLiteral("%1 class %2: %3 of 4000")
                                    .arg(QString::fromStdString(column.name))
                                    .arg(k)
                                    .arg(counts[size_t(k)])));
    }
    std::array<int, 16> combined{};
    for (int32_t v : d.combinedLabels())
        ++combined[size_t(v)];
    for (int n : combined)
        QVERIFY(n > 170 && n < 330);
}

void TestData::shapesColoursDistinct()
{
    const Dataset d = makeShapesDataset(2000, 32, 11);
    std::array<std::array<double, 3>, 4> sum{};
    std::array<double, 4> n{};
    for (int64_t i = 0; i < d.count; ++i) {
        const int colour = d.labels[1].values[size_t(i)];
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                if (!isForeground(d, i, y, x))
                    continue;
                for (int c = 0; c < 3; ++c)
                    sum[size_t(colour)][size_t(c)] += pixelAt(d, i, c, y, x);
                n[size_t(colour)] += 1;
            }
    }
    std::array<std::array<double, 3>, 4> mean{};
    for (int k = 0; k < 4; ++k) {
        QVERIFY(n[size_t(k)] > 0);
        for (int c = 0; c < 3; ++c)
            mean[size_t(k)][size_t(c)] = sum[size_t(k)][size_t(c)] / n[size_t(k)];
        qInfo("colour %d mean foreground RGB %.0f %.0f %.0f", k, mean[size_t(k)][0],
              mean[size_t(k)][1], mean[size_t(k)][2]);
    }
    const auto& red = mean[0];
    const auto& green = mean[1];
    const auto& blue = mean[2];
    const auto& yellow = mean[3];
    QVERIFY(red[0] > red[1] + 80 && red[0] > red[2] + 80);
    QVERIFY(green[1] > green[0] + 80 && green[1] > green[2] + 80);
    QVERIFY(blue[2] > blue[0] + 80 && blue[2] > blue[1] + 80);
    QVERIFY(yellow[0] > yellow[2] + 80 && yellow[1] > yellow[2] + 80);
    for (int a = 0; a < 4; ++a)
        for (int b = a + 1; b < 4; ++b) {
            double d2 = 0;
            for (int c = 0; c < 3; ++c)
                d2 += std::pow(mean[size_t(a)][size_t(c)] - mean[size_t(b)][size_t(c)], 2);
            QVERIFY2(std::sqrt(d2) > 100, qPrintable(QStringLiteral("colours %1 and %2 too close")
                                                         .arg(a)
                                                         .arg(b)));
        }
}

void TestData::shapesForegroundPerImage()
{
    const int res = 32;
    const Dataset d = makeShapesDataset(1000, res, 5);
    std::array<double, 4> areaByShape{};
    std::array<int, 4> countByShape{};
    for (int64_t i = 0; i < d.count; ++i) {
        int foreground = 0;
        int onBorder = 0;
        for (int y = 0; y < res; ++y)
            for (int x = 0; x < res; ++x) {
                if (!isForeground(d, i, y, x))
                    continue;
                ++foreground;
                if (x == 0 || y == 0 || x == res - 1 || y == res - 1)
                    ++onBorder;
            }
        // The smallest shape (35% of 32 px across) still covers tens of pixels.
        QVERIFY2(foreground >= 30, qPrintable(QStringLiteral("image %1: %2 foreground pixels")
                                                  .arg(i)
                                                  .arg(foreground)));
        // Fully or nearly inside the image: little of it touches the border.
        QVERIFY2(onBorder <= foreground / 5,
                 qPrintable(QStringLiteral("image %1: %2 of %3 foreground pixels on the border")
                                .arg(i)
                                .arg(onBorder)
                                .arg(foreground)));
        const int shape = d.labels[0].values[size_t(i)];
        areaByShape[size_t(shape)] += foreground;
        ++countByShape[size_t(shape)];
    }
    for (int k = 0; k < 4; ++k)
        qInfo("shape %d mean foreground area %.1f px", k,
              areaByShape[size_t(k)] / std::max(1, countByShape[size_t(k)]));
}

void TestData::shapesSpeed()
{
    QElapsedTimer timer;
    timer.start();
    const Dataset d = makeShapesDataset(20000, 32, 1);
    const qint64 ms = timer.elapsed();
    QCOMPARE(d.count, int64_t(20000));
    qInfo("makeShapesDataset(20000, 32, 1) took %lld ms", static_cast<long long>(ms));
}

void TestData::shapesBadArguments()
{
    VERIFY_ERROR(makeShapesDataset(10, 8, 1), QStringLiteral("resolution"));
    VERIFY_ERROR(makeShapesDataset(0, 32, 1), QStringLiteral("count"));
    VERIFY_ERROR(makeToy2dDataset(-1, 1), QStringLiteral("count"));
}

void TestData::toy2dStatistics()
{
    const Dataset d = makeToy2dDataset(20000, 3);
    QVERIFY(!d.isImages());
    QCOMPARE(d.pointDim, 2);
    QCOMPARE(d.count, int64_t(20000));
    QCOMPARE(d.points.size(), size_t(40000));
    QCOMPARE(d.labels.size(), size_t(1));
    QCOMPARE(d.labels[0].name, std::string("component"));
    QCOMPARE(d.labels[0].classNames.size(), size_t(4));

    // SPEC 5: centres, weights and sigma.
    const double centres[4][2] = {{-1, 1}, {0, -2}, {1, -1}, {2, 1}};
    const double weights[4] = {0.1, 0.2, 0.3, 0.4};
    double sum[4][2] = {}, sumSq[4][2] = {};
    int n[4] = {};
    for (int64_t i = 0; i < d.count; ++i) {
        const int k = d.labels[0].values[size_t(i)];
        QVERIFY(k >= 0 && k < 4);
        ++n[k];
        for (int j = 0; j < 2; ++j) {
            const double v = d.points[size_t(2 * i + j)];
            sum[k][j] += v;
            sumSq[k][j] += v * v;
        }
    }
    for (int k = 0; k < 4; ++k) {
        const double share = double(n[k]) / double(d.count);
        QVERIFY2(std::abs(share - weights[k]) < 0.015,
                 qPrintable(QStringLiteral("component %1 share %2").arg(k).arg(share)));
        for (int j = 0; j < 2; ++j) {
            const double mean = sum[k][j] / n[k];
            const double sd = std::sqrt(sumSq[k][j] / n[k] - mean * mean);
            QVERIFY2(std::abs(mean - centres[k][j]) < 0.05,
                     qPrintable(QStringLiteral("component %1 mean %2").arg(k).arg(mean)));
            QVERIFY2(std::abs(sd - 0.3) < 0.03,
                     qPrintable(QStringLiteral("component %1 sd %2").arg(k).arg(sd)));
        }
    }

    const Dataset again = makeToy2dDataset(20000, 3);
    QVERIFY(again.points == d.points);
    QVERIFY(makeToy2dDataset(100, 4).points != makeToy2dDataset(100, 5).points);
}

void TestData::idxRoundTrip_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TestData::idxRoundTrip()
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

void TestData::idxManyClasses()
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

void TestData::idxTruncated_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gzip") << true;
}

void TestData::idxTruncated()
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

void TestData::idxWrongMagic()
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

void TestData::idxLabelCountMismatch()
{
    QTemporaryDir dir;
    const QString images = dir.filePath("images");
    const QString labels = dir.filePath("labels");
    writeFile(images, idxImages(5, 4, 3, randomBytes(60, 7)), false);
    writeFile(labels, idxLabels(QByteArray(4, 1)), false);
    VERIFY_ERROR(loadIdx(str(images), str(labels)), labels + " has 4 labels but");
    VERIFY_ERROR(loadIdx(str(images), str(labels)), QStringLiteral("has 5 images"));
}

void TestData::mnistFolderSplits()
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

void TestData::mnistDirectFile()
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

void TestData::cifarSmallFile()
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

void TestData::cifarFolderWithMeta()
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

void TestData::cifarBadSize()
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

void TestData::cifarBadLabel()
{
    QTemporaryDir dir;
    const QString file = dir.filePath("labels.bin");
    writeFile(file, cifarRecords({1, 57}), false);
    VERIFY_ERROR(loadCifar10(str(file)), QStringLiteral("record 1 has label 57"));
}

// Issue 11: a gzip file cut inside its stream, exactly after a whole record
// (the sizes all add up), is refused as truncated instead of loading short.
void TestData::gzipCutAtRecordBoundary()
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

void TestData::imageFolder()
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

void TestData::imageFolderGrey()
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

void TestData::imageFolderEmpty()
{
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath("sub/empty"));
    writeFile(dir.filePath("sub/readme.md"), "text", false);
    VERIFY_ERROR(loadImageFolder(str(dir.path()), 32, 3),
                 "no .png/.jpg/.jpeg images found under " + dir.path());
}

void TestData::imageFolderAllCorrupt()
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
void TestData::imageFolderSymlinks()
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

void TestData::missingPaths()
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

void TestData::loadDatasetDispatch()
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
    QCOMPARE(small.pixels, makeShapesDataset(10, 16, 3).pixels);

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

void TestData::padImagesToCentres()
{
    Dataset d;
    d.count = 2;
    d.channels = 1;
    d.height = 28;
    d.width = 28;
    d.pixels.assign(2 * 28 * 28, 0);
    d.pixels[0] = 1;                    // image 0 (0, 0)
    d.pixels[27 * 28 + 27] = 2;         // image 0 (27, 27)
    d.pixels[784 + 13 * 28 + 14] = 3;   // image 1 (13, 14)
    padImagesTo(d, 32);
    QCOMPARE(d.height, 32);
    QCOMPARE(d.width, 32);
    QCOMPARE(d.pixels.size(), size_t(2 * 32 * 32));
    QCOMPARE(pixelAt(d, 0, 0, 2, 2), uint8_t(1));
    QCOMPARE(pixelAt(d, 0, 0, 29, 29), uint8_t(2));
    QCOMPARE(pixelAt(d, 1, 0, 15, 16), uint8_t(3));
    QCOMPARE(std::accumulate(d.pixels.begin(), d.pixels.end(), 0), 6);

    padImagesTo(d, 32); // already there: unchanged
    QCOMPARE(d.pixels.size(), size_t(2 * 32 * 32));
}

void TestData::padImagesToCrops()
{
    Dataset d;
    d.count = 1;
    d.channels = 3;
    d.height = 36;
    d.width = 36;
    d.pixels.assign(3 * 36 * 36, 0);
    for (int c = 0; c < 3; ++c)
        d.pixels[size_t(c * 36 * 36 + 2 * 36 + 2)] = uint8_t(10 + c); // first kept pixel
    d.pixels[0] = 99;                                                 // cropped away
    padImagesTo(d, 32);
    QCOMPARE(d.pixels.size(), size_t(3 * 32 * 32));
    for (int c = 0; c < 3; ++c)
        QCOMPARE(pixelAt(d, 0, c, 0, 0), uint8_t(10 + c));
    QCOMPARE(std::accumulate(d.pixels.begin(), d.pixels.end(), 0), 10 + 11 + 12);

    Dataset points = makeToy2dDataset(10, 1);
    VERIFY_ERROR(padImagesTo(points, 32), QStringLiteral("points"));
}

void TestData::tileImagesGeometry()
{
    // 5 RGB images of 4x4, image i filled with value 10*i + channel.
    const int count = 5, channels = 3, size = 4;
    std::vector<uint8_t> nchw;
    for (int i = 0; i < count; ++i)
        for (int c = 0; c < channels; ++c)
            for (int p = 0; p < size * size; ++p)
                nchw.push_back(uint8_t(10 * i + c));
    nchw[size_t(4 * 48 + 1 * 16 + 2 * 4 + 3)] = 200; // image 4, channel 1, y 2, x 3

    const Image8 grid = tileImages(nchw.data(), count, channels, size, 3, 2, 7);
    QCOMPARE(grid.channels, 3);
    QCOMPARE(grid.width, 3 * 4 + 4 * 2);  // 20
    QCOMPARE(grid.height, 2 * 4 + 3 * 2); // 14
    QCOMPARE(grid.data.size(), size_t(20 * 14 * 3));
    auto at = [&](int x, int y, int c) { return grid.data[size_t((y * grid.width + x) * 3 + c)]; };
    QCOMPARE(at(0, 0, 0), uint8_t(7));
    QCOMPARE(at(2, 2, 0), uint8_t(0));   // image 0 top-left
    QCOMPARE(at(8, 2, 2), uint8_t(12));  // image 1 (left 2 + 6), channel 2
    QCOMPARE(at(14, 5, 0), uint8_t(20)); // image 2
    QCOMPARE(at(6, 4, 0), uint8_t(7));   // gap between images 0 and 1
    QCOMPARE(at(2, 8, 1), uint8_t(31));  // image 3 starts the second row
    QCOMPARE(at(8 + 3, 8 + 2, 1), uint8_t(200));
    QCOMPARE(at(15, 10, 0), uint8_t(7)); // the empty sixth cell is padding
    QCOMPARE(at(19, 13, 2), uint8_t(7));

    const Image8 grey = tileImages(nchw.data(), 2, 1, 4, 1, 0);
    QCOMPARE(grey.width, 4);
    QCOMPARE(grey.height, 8);
    QCOMPARE(grey.channels, 1);

    VERIFY_ERROR(tileImages(nchw.data(), 5, 3, 4, 0), QStringLiteral("tileImages"));
}

void TestData::writePngRoundTrip()
{
    QTemporaryDir dir;
    for (int channels : {1, 3}) {
        Image8 image{7, 5, channels, {}};
        const QByteArray bytes = randomBytes(7 * 5 * channels, uint32_t(channels));
        image.data.assign(bytes.begin(), bytes.end());
        const QString path = dir.filePath(QStringLiteral("new/nested/img%1.png").arg(channels));
        writePng(str(path), image);
        QVERIFY(QFile::exists(path));
        QVERIFY(!QFile::exists(path + ".tmp"));

        int w = 0, h = 0, n = 0;
        stbi_uc* loaded = stbi_load(str(path).c_str(), &w, &h, &n, 0);
        QVERIFY(loaded);
        QCOMPARE(w, 7);
        QCOMPARE(h, 5);
        QCOMPARE(n, channels);
        const bool same = std::equal(image.data.begin(), image.data.end(), loaded);
        stbi_image_free(loaded);
        QVERIFY(same);
    }
}

void TestData::writePngErrors()
{
    QTemporaryDir dir;
    Image8 bad{4, 4, 3, std::vector<uint8_t>(10)};
    VERIFY_ERROR(writePng(str(dir.filePath("bad.png")), bad), QStringLiteral("bad.png"));
    // A file where a folder is needed.
    writeFile(dir.filePath("file"), "x", false);
    const QString path = dir.filePath("file/sub/x.png");
    VERIFY_ERROR(writePng(str(path), solidImage(2, 2, 3, {1, 2, 3})), path);
}

void TestData::sharedMnist()
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

void TestData::sharedCifarSubset()
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

QTEST_APPLESS_MAIN(TestData)
#include "test_data.moc"
