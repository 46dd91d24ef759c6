// Checkpoints (SPEC 7 "Save / load / resume"): a bit-exact round trip, a
// resumed run that repeats the uninterrupted one, checkpoints of another shape
// and damaged or missing files refused, and a model loaded without its data.
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

class TestCheckpoint : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void checkpointRoundTripIsBitIdentical();
    void resumeIsDeterministic();
    void checkpointOfAnotherShapeIsRefused();
    void damagedOrMissingCheckpointIsAnError();
    void modelLoadsWithoutDataOrOptimizers();

private:
    QTemporaryDir m_dir;
};
void TestCheckpoint::initTestCase()
{
    QVERIFY(m_dir.isValid());
    torch::set_num_threads(2);
}

void TestCheckpoint::checkpointRoundTripIsBitIdentical()
{
    const Config config = tinyConfig();
    const auto pathA = tempPath(m_dir, "roundtrip_a.pt");
    const auto pathB = tempPath(m_dir, "roundtrip_b.pt");
    {
        Trainer trainer(config, tinyData());
        for (int i = 0; i < 3; ++i)
            QVERIFY(trainer.step().finite());
        trainer.save(pathA);
    }
    {
        Trainer trainer(config, tinyData());
        trainer.load(pathA);
        QCOMPARE(trainer.stepCount(), int64_t(3));
        trainer.save(pathB);
    }
    const auto result = compareCheckpoints(pathA, pathB);
    if (!result.differences.isEmpty())
        QFAIL(qPrintable("checkpoints differ after a load/save round trip:\n  " + result.differences.join("\n  ")));
    // Everything the format promises was actually compared.
    for (const char* needed : {"G.", "G_ema.", "D.", "Q.", "opt_G.", "opt_D.", "opt_Q."}) {
        const int n = int(std::count_if(result.compared.begin(), result.compared.end(),
                                        [&](const QString& k) { return k.startsWith(needed); }));
        QVERIFY2(n > 0, needed);
    }
    for (const char* needed : {"prior", "rng_state", "data_order", "data_cursor", "step", "config",
                               "format_version"})
        QVERIFY2(result.compared.contains(needed), needed);
    // Optimizer moments are stored (not just the step counts).
    QVERIFY(std::any_of(result.compared.begin(), result.compared.end(),
                        [](const QString& k) { return k.startsWith("opt_D.") && k.endsWith("exp_avg_sq"); }));
    qInfo("compared %d entries, all identical", int(result.compared.size()));
}

// A resumed run repeats the uninterrupted one bit for bit (CPU).
void TestCheckpoint::resumeIsDeterministic()
{
    const Config config = tinyConfig();
    const int n = 8;
    std::vector<StepStats> straight, resumed;
    const auto pathX = tempPath(m_dir, "resume_x.pt");
    const auto pathY = tempPath(m_dir, "resume_y.pt");
    const auto pathZ = tempPath(m_dir, "resume_z.pt");
    {
        Trainer x(config, tinyData());
        for (int i = 0; i < n; ++i)
            straight.push_back(x.step());
        x.save(pathX);
    }
    {
        Trainer y(config, tinyData());
        for (int i = 0; i < n / 2; ++i)
            resumed.push_back(y.step());
        y.save(pathY);
    }
    {
        Trainer z(config, tinyData());
        z.load(pathY);
        for (int i = 0; i < n / 2; ++i)
            resumed.push_back(z.step());
        z.save(pathZ);
    }
    QCOMPARE(int(resumed.size()), n);
    QStringList mismatches;
    for (int i = 0; i < n; ++i) {
        QCOMPARE(resumed[size_t(i)].step, straight[size_t(i)].step);
        const auto a = lossValues(straight[size_t(i)]);
        const auto b = lossValues(resumed[size_t(i)]);
        for (size_t k = 0; k < a.size(); ++k)
            if (!(a[k] == b[k]))
                mismatches << QString("step %1 %2: %3 vs %4")
                                  .arg(i + 1)
                                  .arg(kLossNames[k])
                                  .arg(a[k], 0, 'g', 17)
                                  .arg(b[k], 0, 'g', 17);
        QVERIFY(straight[size_t(i)].prior == resumed[size_t(i)].prior);
        QCOMPARE(resumed[size_t(i)].fakeAccuracy, straight[size_t(i)].fakeAccuracy);
    }
    if (!mismatches.isEmpty())
        QFAIL(qPrintable("resumed run differs from the straight run:\n  " + mismatches.join("\n  ")));
    // And the final states agree entirely.
    const auto result = compareCheckpoints(pathX, pathZ);
    if (!result.differences.isEmpty())
        QFAIL(qPrintable("final checkpoints differ:\n  " + result.differences.join("\n  ")));
}

void TestCheckpoint::checkpointOfAnotherShapeIsRefused()
{
    const Config small = tinyConfig();
    const auto path = tempPath(m_dir, "shape16.pt");
    {
        Trainer trainer(small, tinyData());
        trainer.save(path);
    }
    Config other = small;
    other.model.dZ = 32;
    Trainer trainer(other, tinyData());
    try {
        trainer.load(path);
        QFAIL("loading a d_z 16 checkpoint into a d_z 32 model did not throw");
    } catch (const cgpgan::Error& e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.contains("model.d_z"), qPrintable(message));
        QVERIFY2(message.contains("16") && message.contains("32"), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    }
    // The trainer is still usable after the refused load.
    QCOMPARE(trainer.stepCount(), int64_t(0));
    QVERIFY(trainer.step().finite());
}

void TestCheckpoint::damagedOrMissingCheckpointIsAnError()
{
    const Config config = tinyConfig();
    const auto good = tempPath(m_dir, "whole.pt");
    const auto truncated = tempPath(m_dir, "truncated.pt");
    const auto garbage = tempPath(m_dir, "garbage.pt");
    const auto missing = tempPath(m_dir, "does_not_exist.pt");
    Trainer trainer(config, tinyData());
    trainer.step();
    trainer.save(good);
    {
        std::ifstream in(good, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        QVERIFY(bytes.size() > 1000);
        std::ofstream out(truncated, std::ios::binary);
        out.write(bytes.data(), std::streamsize(bytes.size() / 2));
        std::ofstream junk(garbage, std::ios::binary);
        std::mt19937 gen(5);
        for (int i = 0; i < 4096; ++i)
            junk.put(char(gen() & 0xff));
    }
    for (const auto& path : {truncated, garbage, missing}) {
        for (int mode = 0; mode < 2; ++mode) {
            try {
                if (mode == 0)
                    trainer.load(path);
                else
                    Trainer::readInfo(path);
                QFAIL(qPrintable(QString("no error for %1 (%2)")
                                     .arg(QString::fromStdString(path))
                                     .arg(mode == 0 ? "load" : "readInfo")));
            } catch (const cgpgan::Error& e) {
                const QString message = QString::fromUtf8(e.what());
                QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
            } catch (const std::exception& e) {
                QFAIL(qPrintable(QString("%1 threw a non-cgpgan exception: %2")
                                     .arg(QString::fromStdString(path))
                                     .arg(e.what())));
            }
        }
    }
    // A failed load leaves the trainer as it was.
    QCOMPARE(trainer.stepCount(), int64_t(1));
    QVERIFY(trainer.step().finite());
}

void TestCheckpoint::modelLoadsWithoutDataOrOptimizers()
{
    // What the command line's sample / cluster / eval and an export need: the
    // model of a checkpoint, with no dataset (issue 10).
    const Config config = tinyConfig();
    Trainer trainer(config, tinyData());
    trainer.step();
    trainer.step();
    const auto path = tempPath(m_dir, "model-only.pt");
    trainer.save(path);

    const auto model = Model::load(path);
    QCOMPARE(model->step(), int64_t(2));
    QVERIFY(torch::equal(model->prior(), trainer.model().prior()));
    QCOMPARE(model->parameterCount(), trainer.model().parameterCount());
    QCOMPARE(Trainer::readInfo(path).parameters, trainer.model().parameterCount());
    const auto z = model->latentRows(3, 9);
    const auto c = model->combinationCodes({0, 7, 15});
    QVERIFY(torch::equal(model->generate(z, c), trainer.model().generate(z, c)));
    QVERIFY(torch::equal(model->codebook(), trainer.model().codebook()));
    const auto a = model->assignClusters(*tinyData());
    const auto b = trainer.model().assignClusters(*tinyData());
    QCOMPARE(a.combined, b.combined);
    QCOMPARE(a.confidence, b.confidence);
    const auto ga = model->sampleGrid(5, 2, std::vector<int64_t>{1, 2});
    const auto gb = trainer.model().sampleGrid(5, 2, std::vector<int64_t>{1, 2});
    QCOMPARE(ga.pixels, gb.pixels);

    // A given config must have the checkpoint's shape.
    Config other = config;
    other.model.dZ += 1;
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, Model::load(path, other));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, Model::load(tempPath(m_dir, "no-such-model.pt")));
}

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
