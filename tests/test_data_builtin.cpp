// The built-in data (SPEC 5): the shapes' determinism, balance, colours and
// foreground, toy-2d's statistics; and the image helpers every loader uses
// (padding, tiling, PNG output).
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/image_io.h"

#include <QtTest/QtTest>

#include "data_helpers.h"

#include <stb/stb_image.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

using namespace cgpgan;
using namespace cgpgan::testing;

class TestDataBuiltin final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void combinedLabels();
    void shapesDeterministic();
    void shapesLabelBalance();
    void shapesColoursDistinct();
    void shapesForegroundPerImage();
    void shapesSpeed();
    void shapesBadArguments();
    void shapesFullIsTheOldData();
    void shapesModerateRanges();
    void shapesVariationInConfigs();
    void subsamples();
    void toy2dStatistics();
    void padImagesToCentres();
    void padImagesToCrops();
    void tileImagesGeometry();
    void writePngRoundTrip();
    void writePngErrors();
};
void TestDataBuiltin::combinedLabels()
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

void TestDataBuiltin::shapesDeterministic()
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
    QCOMPARE(a.name, std::string("built-in shapes (4 shapes x 4 colours, full nuisances)"));
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

void TestDataBuiltin::shapesLabelBalance()
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

void TestDataBuiltin::shapesColoursDistinct()
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

void TestDataBuiltin::shapesForegroundPerImage()
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

void TestDataBuiltin::shapesSpeed()
{
    QElapsedTimer timer;
    timer.start();
    const Dataset d = makeShapesDataset(20000, 32, 1);
    const qint64 ms = timer.elapsed();
    QCOMPARE(d.count, int64_t(20000));
    qInfo("makeShapesDataset(20000, 32, 1) took %lld ms", static_cast<long long>(ms));
}

void TestDataBuiltin::shapesBadArguments()
{
    VERIFY_ERROR(makeShapesDataset(10, 8, 1), QStringLiteral("resolution"));
    VERIFY_ERROR(makeShapesDataset(0, 32, 1), QStringLiteral("count"));
    VERIFY_ERROR(makeToy2dDataset(-1, 1), QStringLiteral("count"));
}

// FNV-1a over the pixels, then the label values (one byte each).
uint64_t fingerprint(const Dataset& d)
{
    uint64_t h = 1469598103934665603ULL;
    const auto mix = [&](uint8_t b) {
        h ^= b;
        h *= 1099511628211ULL;
    };
    for (const uint8_t b : d.pixels)
        mix(b);
    for (const auto& column : d.labels)
        for (const int32_t v : column.values)
            mix(uint8_t(v));
    return h;
}

// SPEC 5 (issue 23): `full` is the data from before data.variation, bit for
// bit. The fingerprints were taken from the build before the field existed
// (commit 0953a3a), 500 images of seed 7.
void TestDataBuiltin::shapesFullIsTheOldData()
{
    QCOMPARE(fingerprint(makeShapesDataset(500, 32, 7, ShapesVariation::Full)), uint64_t(0x495ec9fb46c184feULL));
    QCOMPARE(fingerprint(makeShapesDataset(500, 64, 7, ShapesVariation::Full)), uint64_t(0x1bcbb5bd103b66b1ULL));
    QVERIFY(fingerprint(makeShapesDataset(500, 32, 7, ShapesVariation::Moderate)) != uint64_t(0x495ec9fb46c184feULL));
    // Loading through a DataSpec follows its variation.
    DataSpec spec;
    spec.count = 500;
    spec.seed = 7;
    spec.variation = ShapesVariation::Full;
    QCOMPARE(fingerprint(loadDataset(spec)), uint64_t(0x495ec9fb46c184feULL));
}

// moderate: diameter 70 % of the side +-12 %, centre within +-8 % of the
// side, rotation within +-20 degrees, brightness 0.8..1; and the pixels
// agree: each image's foreground centroid lies near its drawn centre.
void TestDataBuiltin::shapesModerateRanges()
{
    const int64_t n = 4000;
    const auto moderate = shapesNuisances(n, 32, 3, ShapesVariation::Moderate);
    QCOMPARE(int64_t(moderate.size()), n);
    double minAngle = 1e9, maxAngle = -1e9, minD = 1e9, maxD = -1e9;
    for (const ShapeNuisance& s : moderate) {
        QVERIFY2(s.diameter >= 0.70 * 0.87 && s.diameter <= 0.70 * 1.12, qPrintable(QString::number(s.diameter)));
        QVERIFY(std::abs(s.centreX - 0.5) <= 0.08 + 1e-9 && std::abs(s.centreY - 0.5) <= 0.08 + 1e-9);
        QVERIFY2(std::abs(s.angleDegrees) <= 20.01, qPrintable(QString::number(s.angleDegrees)));
        QVERIFY(s.brightness >= 0.79 && s.brightness <= 1.0);
        minAngle = std::min(minAngle, s.angleDegrees);
        maxAngle = std::max(maxAngle, s.angleDegrees);
        minD = std::min(minD, s.diameter);
        maxD = std::max(maxD, s.diameter);
    }
    // The ranges are used, not just respected.
    QVERIFY(minAngle < -19 && maxAngle > 19);
    QVERIFY(minD < 0.63 && maxD > 0.77);
    // full: any angle, diameters 35-75 %.
    const auto full = shapesNuisances(n, 32, 3, ShapesVariation::Full);
    QVERIFY(std::any_of(full.begin(), full.end(), [](const ShapeNuisance& s) { return std::abs(s.angleDegrees) > 150; }));
    QVERIFY(std::any_of(full.begin(), full.end(), [](const ShapeNuisance& s) { return s.diameter < 0.4; }));

    // The images are the ones described.
    const Dataset d = makeShapesDataset(200, 32, 3, ShapesVariation::Moderate);
    for (int64_t i = 0; i < d.count; ++i) {
        double sx = 0, sy = 0, mass = 0;
        const uint8_t* img = d.pixels.data() + size_t(i) * size_t(d.imageSize());
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                const double v = double(img[y * 32 + x]) + img[1024 + y * 32 + x] + img[2048 + y * 32 + x];
                sx += v * (x + 0.5);
                sy += v * (y + 0.5);
                mass += v;
            }
        QVERIFY(mass > 0);
        // The triangle's centroid is 0.13 R off its centre; R is at most 0.2 of the side.
        QVERIFY2(std::abs(sx / mass / 32 - moderate[size_t(i)].centreX) < 0.06 &&
                     std::abs(sy / mass / 32 - moderate[size_t(i)].centreY) < 0.06,
                 qPrintable(QString("image %1").arg(i)));
    }
}

// Presets and files: demo is moderate, shapes-hard full; a config file
// without the key was written before it and reads as full.
void TestDataBuiltin::shapesVariationInConfigs()
{
    QCOMPARE(preset("demo").data.variation, ShapesVariation::Moderate);
    QCOMPARE(preset("shapes-hard").data.variation, ShapesVariation::Full);
    QCOMPARE(Config().data.variation, ShapesVariation::Moderate);
    QCOMPARE(configFromJson(R"({"data": {"kind": "builtin"}})", "old").data.variation, ShapesVariation::Full);
    QCOMPARE(configFromJson(R"({"data": {"variation": "moderate"}})", "new").data.variation,
             ShapesVariation::Moderate);
    Config c = preset("demo");
    applyOverride(c, "data.variation=full");
    QCOMPARE(c.data.variation, ShapesVariation::Full);
    QCOMPARE(configFromJson(toJson(c), "round trip").data.variation, ShapesVariation::Full);
    VERIFY_ERROR(configFromJson(R"({"data": {"variation": "mild"}})", "bad"), QStringLiteral("moderate or full"));
    // shapes-hard differs from demo in the data alone.
    Config hard = preset("shapes-hard");
    hard.preset = "demo";
    hard.description = preset("demo").description;
    hard.data.variation = ShapesVariation::Moderate;
    QCOMPARE(QString::fromStdString(toJson(hard)), QString::fromStdString(toJson(preset("demo"))));
}

// The live score's subsample (SPEC 8): evenly spread, the same every time.
void TestDataBuiltin::subsamples()
{
    QCOMPARE(evenSubsample(10, 4), (std::vector<int64_t>{0, 2, 5, 7}));
    QCOMPARE(evenSubsample(3, 10), (std::vector<int64_t>{0, 1, 2}));
    QVERIFY(evenSubsample(0, 5).empty());
    const auto big = evenSubsample(60000, 2000);
    QCOMPARE(big.size(), size_t(2000));
    QVERIFY(std::adjacent_find(big.begin(), big.end(), [](int64_t a, int64_t b) { return b - a != 30; }) == big.end());

    const Dataset d = makeShapesDataset(50, 16, 2);
    const Dataset sub = subsetOf(d, {3, 0, 49});
    QCOMPARE(sub.count, int64_t(3));
    QCOMPARE(sub.labels.size(), d.labels.size());
    for (size_t k = 0; k < 3; ++k) {
        const int64_t from = std::vector<int64_t>{3, 0, 49}[k];
        QVERIFY(std::equal(sub.pixels.begin() + ptrdiff_t(k * 768), sub.pixels.begin() + ptrdiff_t((k + 1) * 768),
                           d.pixels.begin() + ptrdiff_t(from * 768)));
        QCOMPARE(sub.labels[1].values[k], d.labels[1].values[size_t(from)]);
    }
    VERIFY_ERROR(subsetOf(d, {50}), QStringLiteral("sample 50"));
}

void TestDataBuiltin::toy2dStatistics()
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

void TestDataBuiltin::padImagesToCentres()
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

void TestDataBuiltin::padImagesToCrops()
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

void TestDataBuiltin::tileImagesGeometry()
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

void TestDataBuiltin::writePngRoundTrip()
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

void TestDataBuiltin::writePngErrors()
{
    QTemporaryDir dir;
    Image8 bad{4, 4, 3, std::vector<uint8_t>(10)};
    VERIFY_ERROR(writePng(str(dir.filePath("bad.png")), bad), QStringLiteral("bad.png"));
    // A file where a folder is needed.
    writeFile(dir.filePath("file"), "x", false);
    const QString path = dir.filePath("file/sub/x.png");
    VERIFY_ERROR(writePng(str(path), solidImage(2, 2, 3, {1, 2, 3})), path);
}

QTEST_APPLESS_MAIN(TestDataBuiltin)
#include "test_data_builtin.moc"
