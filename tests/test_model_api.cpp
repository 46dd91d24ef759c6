// The model's API (model.h): sampling, codebook page edits that land in G
// and G_ema, cluster assignment's shape, and combination ids past int64.
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/losses.h"
#include "cgpgan/model.h"
#include "cgpgan/networks.h"
#include "cgpgan/runner.h"
#include "cgpgan/trainer.h"
#include "support/checkpoint_compare.h"
#include "test_support.h"
#include "trainer_helpers.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

using cgpgan::Config;
using cgpgan::Dataset;
using cgpgan::StepStats;
using cgpgan::Trainer;
using cgpgan::testing::ArchiveComparison;
using cgpgan::testing::compareCheckpoints;
using cgpgan::testing::moduleTensors;
using cgpgan::testing::openArchive;
using cgpgan::Model;

using namespace cgpgan::testing;
namespace fs = std::filesystem;

class TestModelApi : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void samplingApi();
    void codebookEditsLandInGAndGEma();
    void tooManyCombinationsForIds();
    void assignClustersShape();

private:
    QTemporaryDir m_dir;
};
void TestModelApi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    torch::set_num_threads(2);
}

void TestModelApi::samplingApi()
{
    const Config config = tinyConfig();
    const auto& m = config.model;
    Trainer trainer(config, tinyData());
    trainer.step();

    // Grid: rows * cols owned 8-bit tiles, row-major.
    const auto z = trainer.model().latentRows(2, 42);
    QCOMPARE(z.sizes().vec(), (std::vector<int64_t>{2, m.dZ}));
    QVERIFY(torch::equal(z, trainer.model().latentRows(2, 42)));
    const std::vector<int64_t> combos{0, 5, 15};
    const auto grid = trainer.model().sampleGrid(42, 2, combos);
    QCOMPARE(grid.rows, 2);
    QCOMPARE(grid.columns, 3);
    QCOMPARE(grid.channels, m.channels);
    QCOMPARE(grid.size, m.resolution);
    QCOMPARE(grid.step, int64_t(1));
    QCOMPARE(int64_t(grid.pixels.size()), 6 * grid.tileBytes());
    QVERIFY(std::isnan(grid.zDiversity)); // not asked for
    // Tile (r, j) is G_ema(z[r], combination j): row 1 alone (firstRow 1), column 5.
    const auto single = trainer.model().sampleGrid(42, 1, 1, trainer.model().combinationCodes({5}));
    QVERIFY(std::equal(single.tile(0, 0), single.tile(0, 0) + single.tileBytes(), grid.tile(1, 1)));
    // The bytes are G_ema's floats mapped from [-1, 1] to [0, 255].
    const auto floats = trainer.model().generate(z.narrow(0, 1, 1), trainer.model().combinationCodes({5}));
    const auto expected = floats.add(1.0).mul(127.5).round().clamp(0, 255).to(torch::kUInt8).contiguous();
    QVERIFY(std::equal(single.tile(0, 0), single.tile(0, 0) + single.tileBytes(), expected.data_ptr<uint8_t>()));
    // With a reference distance the z-diversity comes along; one row has none.
    QVERIFY(std::isfinite(trainer.model().sampleGrid(42, 2, combos, 0.5).zDiversity));
    QVERIFY(std::isnan(trainer.model().sampleGrid(42, 1, combos, 0.5).zDiversity));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().sampleGrid(42, 0, combos));

    // Combination codes: label 0 most significant.
    std::vector<int64_t> all(16);
    std::iota(all.begin(), all.end(), 0);
    const auto codes = trainer.model().combinationCodes(all);
    QCOMPARE(codes.sizes().vec(), (std::vector<int64_t>{16, 2, 4}));
    for (int64_t k = 0; k < 16; ++k) {
        QCOMPARE(codes[k][0][k / 4].item<float>(), 1.0f);
        QCOMPARE(codes[k][1][k % 4].item<float>(), 1.0f);
        QCOMPARE(codes[k].sum().item<float>(), 2.0f);
    }
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().combinationCodes({16}));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().combinationCodes({-1}));

    // generate is a pure function of (z, c).
    const auto zz = trainer.model().latentRows(4, 7);
    const auto cc = trainer.model().combinationCodes({1, 2, 3, 9});
    const auto a = trainer.model().generate(zz, cc);
    const auto b = trainer.model().generate(zz, cc);
    QVERIFY(torch::equal(a, b));
    QCOMPARE(a.sizes().vec(), (std::vector<int64_t>{4, m.channels, m.resolution, m.resolution}));
    QVERIFY(a.max().item<float>() <= 1.0f && a.min().item<float>() >= -1.0f);
    // A soft code mixes pages: generate accepts it.
    const auto soft = torch::full({4, m.dL, m.dC}, 1.0f / float(m.dC));
    QVERIFY(torch::isfinite(trainer.model().generate(zz, soft)).all().item<bool>());
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().generate(torch::zeros({4, m.dZ + 1}), cc));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().generate(zz, torch::zeros({4, m.dL, m.dC + 1})));
}

// Pages written through setPage come back exactly, land in G as well as
// G_ema (so training continues from the edit) and change only the samples
// whose code selects them.
void TestModelApi::codebookEditsLandInGAndGEma()
{
    const Config config = tinyConfig();
    const auto& m = config.model;
    Trainer trainer(config, tinyData());
    trainer.step();
    QVERIFY(trainer.model().hasCodebook());
    const auto before = trainer.model().codebook();
    QCOMPARE(before.sizes().vec(), (std::vector<int64_t>{m.dL, m.dC, m.pageSize()}));

    const auto zz = trainer.model().latentRows(2, 3);
    const auto untouchedCode = trainer.model().combinationCodes({0, 0}); // categories (0, 0)
    const auto touchedCode = trainer.model().combinationCodes({6, 6});   // categories (1, 2)
    const auto untouchedBefore = trainer.model().generate(zz, untouchedCode);
    const auto touchedBefore = trainer.model().generate(zz, touchedCode);

    const auto value = torch::linspace(-2.0, 2.0, m.pageSize());
    trainer.model().setPage(1, 2, value);
    QVERIFY(torch::equal(trainer.model().page(1, 2), value));
    auto expected = before.clone();
    expected[1][2].copy_(value);
    QVERIFY(torch::equal(trainer.model().codebook(), expected));
    QVERIFY(torch::equal(trainer.model().generate(zz, untouchedCode), untouchedBefore));
    QVERIFY(!torch::equal(trainer.model().generate(zz, touchedCode), touchedBefore));

    const auto path = tempPath(m_dir, "codebook.pt");
    trainer.save(path);
    const auto g = moduleTensors(path, "G");
    const auto e = moduleTensors(path, "G_ema");
    QVERIFY(g.count("codebook") && e.count("codebook"));
    QVERIFY(torch::equal(g.at("codebook")[1][2], value));
    QVERIFY(torch::equal(e.at("codebook")[1][2], value));

    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().page(m.dL, 0));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().setPage(0, 0, torch::zeros({m.pageSize() + 1})));
}

void TestModelApi::tooManyCombinationsForIds()
{
    // The official CIFAR setting has 16^16 combinations: more than int64
    // holds. The count saturates, the preset stays valid, and combined ids
    // are -1 while per-label categories still come back.
    QCOMPARE(cgpgan::combinationCount(2, 4), int64_t(16));
    QCOMPARE(cgpgan::combinationCount(15, 16), int64_t(1) << 60);
    QCOMPARE(cgpgan::combinationCount(16, 16), cgpgan::kTooManyCombinations);
    const Config official = cgpgan::preset("official-cifar");
    QCOMPARE(official.model.combinations(), cgpgan::kTooManyCombinations);
    official.validate();

    Config config = tinyConfig();
    config.model.dL = 16;
    config.model.dC = 16;
    config.model.gWidths = {16, 8, 8}; // d_p = 16 * 16 / 16
    config.validate();
    Trainer trainer(config, tinyData());
    const auto a = trainer.model().assignClusters(*tinyData());
    QCOMPARE(a.combinations(), cgpgan::kTooManyCombinations);
    for (int64_t i = 0; i < a.count; ++i) {
        QCOMPARE(a.combined[size_t(i)], int64_t(-1));
        for (int l = 0; l < 16; ++l)
            QVERIFY(a.category[size_t(i * 16 + l)] >= 0 && a.category[size_t(i * 16 + l)] < 16);
    }
}

void TestModelApi::assignClustersShape()
{
    const Config config = tinyConfig();
    Trainer trainer(config, tinyData());
    trainer.step();
    const auto& data = *tinyData();
    int64_t calls = 0;
    const auto a = trainer.model().assignClusters(data, [&](int64_t done, int64_t total) {
        ++calls;
        return done <= total;
    });
    QVERIFY(calls > 0);
    QCOMPARE(a.count, data.count);
    QCOMPARE(a.dL, 2);
    QCOMPARE(a.dC, 4);
    QCOMPARE(a.combinations(), int64_t(16));
    QCOMPARE(int64_t(a.combined.size()), data.count);
    QCOMPARE(int64_t(a.combinedConfidence.size()), data.count);
    QCOMPARE(int64_t(a.category.size()), data.count * 2);
    QCOMPARE(int64_t(a.confidence.size()), data.count * 2);
    for (int64_t i = 0; i < a.count; ++i) {
        const auto c0 = a.category[size_t(2 * i)];
        const auto c1 = a.category[size_t(2 * i + 1)];
        QVERIFY(c0 >= 0 && c0 < 4 && c1 >= 0 && c1 < 4);
        QCOMPARE(a.combined[size_t(i)], int64_t(c0) * 4 + c1);
        QVERIFY(a.combined[size_t(i)] >= 0 && a.combined[size_t(i)] < 16);
        for (int l = 0; l < 2; ++l) {
            const float conf = a.confidence[size_t(2 * i + l)];
            QVERIFY2(conf > 0.0f && conf <= 1.0f, qPrintable(QString::number(conf)));
            QVERIFY(conf >= 0.25f - 1e-6f); // the argmax of 4 probabilities
        }
        const float combined = a.combinedConfidence[size_t(i)];
        QVERIFY(combined > 0.0f && combined <= 1.0f);
        QVERIFY(std::abs(combined - a.confidence[size_t(2 * i)] * a.confidence[size_t(2 * i + 1)]) < 1e-6f);
    }
    // Cancelling throws.
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.model().assignClusters(data, [](int64_t, int64_t) { return false; }));
}

QTEST_APPLESS_MAIN(TestModelApi)
#include "test_model_api.moc"
