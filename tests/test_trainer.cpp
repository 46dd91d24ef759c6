// The trainer (SPEC 4): update isolation, a real step's finite weights and
// EMA, knobs and the prior modes, divergence detection, and a short toy-2d run
// whose classifier must split the 4 Gaussians. Checkpoints are
// test_checkpoint's, the model's sampling and editing API test_model_api's.
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/live_score.h"
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

namespace {

// toy-2d: a short CPU run (SPEC 5 overrides: lr 1e-3, 4000 points).
constexpr int64_t kToyPriorStart = 500;
constexpr int64_t kToySteps = 3000;

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void updateIsolation();
    void realTrainerCheckpointFiniteAndEma();
    void knobsAndPriorModes();
    void divergenceIsDetected();
    void toy2dSplitsTheFourGaussians_data();
    void toy2dSplitsTheFourGaussians();
    void toyGenerateIsNotClipped();
    void liveScoreEveryNSteps();
    void scoreMatchingFollowsTheLabels();

private:
    QTemporaryDir m_dir;
    std::string m_toyCheckpoint;
};
void TestTrainer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    torch::set_num_threads(2);
}

// SPEC 4.6 / 4.7: the D/Q update leaves G untouched (and gives it no
// gradient); the G update leaves D and Q untouched. Replicates
// Trainer::stepLocked with the same modules, losses and optimizers.
void TestTrainer::updateIsolation()
{
    const Config config = tinyConfig();
    const auto& m = config.model;
    const auto& t = config.train;
    const int64_t b = t.batch;
    torch::manual_seed(11);
    cgpgan::Generator g(m);
    cgpgan::Encoder d(m, int64_t(m.dL) * m.dC);
    cgpgan::Encoder q(m, int64_t(m.dL) * m.dC);
    auto options = torch::optim::AdamWOptions(t.lrG).betas({t.beta1, t.beta2}).weight_decay(t.weightDecay);
    torch::optim::AdamW optG(g->parameters(), options);
    torch::optim::AdamW optD(d->parameters(), options);
    torch::optim::AdamW optQ(q->parameters(), options);

    const auto data = tinyData();
    const auto x = torch::from_blob(const_cast<uint8_t*>(data->pixels.data()),
                                    {b, data->channels, data->height, data->width}, torch::kUInt8)
                       .to(torch::kFloat)
                       .mul(2.0 / 255.0)
                       .sub(1.0);
    auto sampleCode = [&] {
        const auto prior = torch::full({m.dL, m.dC}, 1.0f / float(m.dC));
        return torch::one_hot(torch::multinomial(prior, b, true).t(), m.dC).to(torch::kFloat);
    };

    // ---- D/Q update (SPEC 4.1-4.6) ----
    const auto z = torch::randn({b, m.dZ});
    const auto c = sampleCode();
    torch::Tensor fake;
    {
        torch::NoGradGuard noGrad;
        fake = g->forward(z, c);
    }
    fake.requires_grad_(true);
    torch::Tensor p;
    {
        torch::NoGradGuard noGrad;
        p = cgpgan::probNormalize(torch::softmax(q->forward(x).view({b, m.dL, m.dC}), -1));
    }
    const auto cReal = torch::one_hot(p.argmax(-1), m.dC).to(torch::kFloat);
    const auto sReal = cgpgan::conditionalScores(d->forward(x).view({b, m.dL, m.dC}), cReal);
    const auto sFake = cgpgan::conditionalScores(d->forward(fake).view({b, m.dL, m.dC}), c);
    const auto lossD = cgpgan::discriminatorAdversarial(sReal, sFake) + t.lambdaR2 * cgpgan::r2Penalty(sFake, fake);
    const auto qFake = q->forward(fake).view({b, m.dL, m.dC});
    const auto lossQ = t.lambdaCls * cgpgan::classificationLoss(qFake, c) +
                       t.lambdaCgp * cgpgan::classifierGradientPenalty(qFake, c, fake);
    const auto lossDQ = lossD + lossQ;

    // One backward for L_D + L_Q gives D exactly dL_D and Q exactly dL_Q.
    const auto dParams = d->parameters();
    const auto qParams = q->parameters();
    const auto gradDAlone = torch::autograd::grad({lossD}, dParams, {}, /*retain_graph=*/true);
    const auto gradQAlone = torch::autograd::grad({lossQ}, qParams, {}, /*retain_graph=*/true);

    const auto g0 = snapshot(*g);
    const auto d0 = snapshot(*d);
    const auto q0 = snapshot(*q);
    optD.zero_grad();
    optQ.zero_grad();
    lossDQ.backward();
    for (size_t i = 0; i < dParams.size(); ++i) {
        QVERIFY(dParams[i].grad().defined());
        QVERIFY2(torch::allclose(dParams[i].grad(), gradDAlone[i], 1e-5, 1e-6), "D gets a gradient from L_Q");
    }
    for (size_t i = 0; i < qParams.size(); ++i) {
        QVERIFY(qParams[i].grad().defined());
        QVERIFY2(torch::allclose(qParams[i].grad(), gradQAlone[i], 1e-5, 1e-6), "Q gets a gradient from L_D");
    }
    for (const auto& gp : g->parameters())
        QVERIFY2(!gp.grad().defined() || gp.grad().abs().max().item<float>() == 0.0f,
                 "G received a gradient in the D/Q step");
    optD.step();
    optQ.step();
    QVERIFY2(allIdentical(*g, g0), "the D/Q update changed G");
    QVERIFY2(changedCount(*d, d0) > 0, "the D/Q update did not change D");
    QVERIFY2(changedCount(*q, q0) > 0, "the D/Q update did not change Q");
    qInfo("D/Q step changed %d/%d D and %d/%d Q parameter tensors", changedCount(*d, d0), int(d0.size()),
          changedCount(*q, q0), int(q0.size()));

    // ---- G update (SPEC 4.7) ----
    const auto g1 = snapshot(*g);
    const auto codebook1 = g->codebook.detach().clone();
    const auto d1 = snapshot(*d);
    const auto q1 = snapshot(*q);
    std::vector<torch::Tensor> dGradBefore;
    for (const auto& dp : d->parameters())
        dGradBefore.push_back(dp.grad().clone());
    setRequiresGrad(*d, false);
    const auto z2 = torch::randn({b, m.dZ});
    const auto c2 = sampleCode();
    const auto sG = cgpgan::conditionalScores(d->forward(g->forward(z2, c2)).view({b, m.dL, m.dC}), c2);
    const auto lG = cgpgan::generatorAdversarial(sG);
    optG.zero_grad();
    lG.backward();
    optG.step();
    setRequiresGrad(*d, true);
    QVERIFY2(allIdentical(*d, d1), "the G update changed D");
    QVERIFY2(allIdentical(*q, q1), "the G update changed Q");
    QVERIFY2(changedCount(*g, g1) > 0, "the G update did not change G");
    // The codebook is a generator weight: the G loss moves it (SPEC 3).
    QVERIFY2(!torch::equal(g->codebook.detach(), codebook1), "the G update did not move the codebook");
    const auto dNow = d->parameters();
    for (size_t i = 0; i < dNow.size(); ++i)
        QVERIFY2(torch::equal(dNow[i].grad(), dGradBefore[i]), "the G step wrote into D's gradients");
}

// The real trainer: after two steps every tensor of G, G_ema, D, Q is finite,
// G_ema differs from G, and after one step G_ema == lerp(G_0, G_1, 1 - decay).
void TestTrainer::realTrainerCheckpointFiniteAndEma()
{
    const Config config = tinyConfig();
    Trainer trainer(config, tinyData());
    const auto path0 = tempPath(m_dir, "ema0.pt");
    const auto path1 = tempPath(m_dir, "ema1.pt");
    const auto path2 = tempPath(m_dir, "ema2.pt");
    trainer.save(path0);
    QVERIFY(trainer.step().finite());
    trainer.save(path1);
    QVERIFY(trainer.step().finite());
    trainer.save(path2);
    QCOMPARE(trainer.stepCount(), int64_t(2));

    for (const char* key : {"G", "D", "Q", "G_ema"}) {
        const auto tensors = moduleTensors(path2, key);
        QVERIFY2(!tensors.empty(), key);
        for (const auto& [name, tensor] : tensors)
            QVERIFY2(torch::isfinite(tensor).all().item<bool>(), (std::string(key) + "." + name).c_str());
    }
    // Step 0: G_ema is a copy of G.
    {
        const auto g = moduleTensors(path0, "G");
        const auto e = moduleTensors(path0, "G_ema");
        QCOMPARE(g.size(), e.size());
        for (const auto& [name, tensor] : g)
            QVERIFY2(torch::equal(tensor, e.at(name)), name.c_str());
    }
    // Step 1: G_ema = G_0 + (1 - decay) (G_1 - G_0).
    {
        const auto g0 = moduleTensors(path0, "G");
        const auto g1 = moduleTensors(path1, "G");
        const auto e1 = moduleTensors(path1, "G_ema");
        const double w = 1.0 - config.train.emaDecay;
        for (const auto& [name, tensor] : g0) {
            const auto expected = tensor + w * (g1.at(name) - tensor);
            QVERIFY2(torch::allclose(e1.at(name), expected, 1e-6, 1e-7), name.c_str());
        }
    }
    // Step 2: G_ema lags G.
    {
        const auto g = moduleTensors(path2, "G");
        const auto e = moduleTensors(path2, "G_ema");
        int differing = 0;
        for (const auto& [name, tensor] : g)
            differing += torch::equal(tensor, e.at(name)) ? 0 : 1;
        QVERIFY2(differing > 0, "G_ema equals G after two steps");
    }
}

void TestTrainer::knobsAndPriorModes()
{
    Config config = tinyConfig();
    config.train.priorStartStep = -1; // Auto = frozen for ever
    Trainer trainer(config, tinyData());
    QVERIFY(trainer.priorFrozen());

    auto knobs = trainer.knobs();
    QCOMPARE(knobs.lrG, config.train.lrG);
    knobs.lrG = 5e-4;
    knobs.lambdaCgp = 2.5;
    trainer.setKnobs(knobs);
    QCOMPARE(trainer.knobs().lrG, 5e-4);
    QCOMPARE(trainer.knobs().lambdaCgp, 2.5);
    for (int i = 0; i < 2; ++i)
        QVERIFY(trainer.step().finite());
    QCOMPARE(trainer.knobs().lrG, 5e-4); // still in force after being applied
    QCOMPARE(maxDeviationFromUniform(trainer.model().prior()) < 1e-6, true);

    // Frozen (forced): the prior stays uniform.
    knobs.priorMode = cgpgan::TrainingKnobs::PriorMode::Frozen;
    trainer.setKnobs(knobs);
    for (int i = 0; i < 3; ++i) {
        const auto s = trainer.step();
        QVERIFY(s.priorFrozen);
        QVERIFY(s.finite());
    }
    QVERIFY(trainer.priorFrozen());
    const double frozenDeviation = maxDeviationFromUniform(trainer.model().prior());
    QVERIFY2(frozenDeviation < 1e-6, qPrintable(QString::number(frozenDeviation)));

    // Free: the prior follows Q at once.
    knobs.priorMode = cgpgan::TrainingKnobs::PriorMode::Free;
    trainer.setKnobs(knobs);
    StepStats last;
    for (int i = 0; i < 3; ++i) {
        last = trainer.step();
        QVERIFY(!last.priorFrozen);
        QVERIFY(last.finite());
    }
    QVERIFY(!trainer.priorFrozen());
    const auto prior = trainer.model().prior();
    const double freeDeviation = maxDeviationFromUniform(prior);
    qInfo("max |P - 1/d_c| after 3 free steps: %g (frozen: %g)", freeDeviation, frozenDeviation);
    QVERIFY2(freeDeviation > 1e-6, qPrintable(QString::number(freeDeviation)));
    // Still a probability vector per label.
    QVERIFY(torch::allclose(prior.sum(1), torch::ones({2}), 1e-5, 1e-5));
    QVERIFY((prior >= 0).all().item<bool>());

    // Auto with prior_start_step: frozen before, free from that step on.
    Config autoConfig = tinyConfig();
    autoConfig.train.priorStartStep = 2;
    Trainer autoTrainer(autoConfig, tinyData());
    QVERIFY(autoTrainer.step().priorFrozen);
    QVERIFY(autoTrainer.step().priorFrozen);
    QVERIFY(maxDeviationFromUniform(autoTrainer.model().prior()) < 1e-6);
    QVERIFY(!autoTrainer.priorFrozen());
    QVERIFY(!autoTrainer.step().priorFrozen);
    QVERIFY(maxDeviationFromUniform(autoTrainer.model().prior()) > 1e-6);
}

// A run made to diverge does; the stats, runTraining or nonFiniteState say so.
void TestTrainer::divergenceIsDetected()
{
    Config config = tinyConfig();
    // The largest learning rate the config allows (lr above 1 is refused since
    // issue 11) and huge penalties were not enough on every machine: on some the
    // run stayed finite for 50 steps and this case skipped. Adam with beta2 0
    // divides today's momentum by today's gradient alone, so a shrinking gradient
    // makes the step explode (test_cli's divergence case does the same).
    config.train.lrG = config.train.lrD = config.train.lrQ = 1;
    config.train.beta1 = 0.99;
    config.train.beta2 = 0;
    config.train.lambdaR2 = config.train.lambdaCgp = config.train.lambdaCls = 1e6;
    Trainer trainer(config, tinyData());
    cgpgan::TrainingControl control;
    std::vector<StepStats> seen;
    const auto end = cgpgan::runTraining(trainer, control, 50, [&](const StepStats& s) { seen.push_back(s); });
    if (end == cgpgan::RunEnd::NotFinite) {
        QVERIFY(!seen.empty());
        QVERIFY(!seen.back().finite());
        for (size_t i = 0; i + 1 < seen.size(); ++i)
            QVERIFY(seen[i].finite());
        QCOMPARE(trainer.stepCount(), seen.back().step);
        qInfo("losses became non-finite at step %lld", (long long)seen.back().step);
    } else {
        // Finite losses over an overflowed state: found by nonFiniteState, and never saved.
        const auto bad = trainer.nonFiniteState();
        QVERIFY2(!bad.empty(), "Adam with beta2 0, lr 1 and penalty weights 1e6 diverged neither in the losses "
                               "nor in the state within 50 steps");
        qInfo("losses stayed finite, %zu state tensors did not (first: %s)", bad.size(), bad.front().c_str());
        QVERIFY_THROWS_EXCEPTION(cgpgan::Error, trainer.save((std::filesystem::temp_directory_path() / "cgpgan_never.pt").string()));
        QVERIFY(!std::filesystem::exists(std::filesystem::temp_directory_path() / "cgpgan_never.pt"));
    }

    // A stop request ends a run before the next step.
    Trainer calm(tinyConfig(), tinyData());
    cgpgan::TrainingControl stopper;
    int steps = 0;
    const auto stopped = cgpgan::runTraining(calm, stopper, 50, [&](const StepStats&) {
        if (++steps == 2)
            stopper.requestStop();
    });
    QCOMPARE(int(stopped), int(cgpgan::RunEnd::Stopped));
    QCOMPARE(calm.stepCount(), int64_t(2));
}

// SPEC 5 toy-2d: after a short CPU run, Q puts the 4 Gaussians into 4
// different majority clusters, and G_ema turns every populated category into
// points of one Gaussian, covering all four.
//
// The majority rule alone is weak: an untrained Q already separates these
// well-separated blobs. What only training gives is checked on G_ema: each
// category with prior mass > 0.05 generates points near one centre.
void TestTrainer::toy2dSplitsTheFourGaussians_data()
{
    QTest::addColumn<qulonglong>("seed");
    QTest::newRow("seed 1") << qulonglong(1);
    QTest::newRow("seed 2") << qulonglong(2);
}

void TestTrainer::toy2dSplitsTheFourGaussians()
{
    QFETCH(qulonglong, seed);
    // The MLP is tiny: one thread is as fast as two, and much faster when the
    // machine is busy (OpenMP threads spin against other processes).
    const int threads = torch::get_num_threads();
    torch::set_num_threads(1);
    auto restoreThreads = qScopeGuard([threads] { torch::set_num_threads(threads); });

    Config config = cgpgan::preset("toy-2d");
    config.run.device = cgpgan::DeviceChoice::Cpu;
    config.data.count = 4000;
    config.train.seed = seed;
    config.train.lrG = config.train.lrD = config.train.lrQ = 1e-3;
    config.train.priorStartStep = kToyPriorStart;
    config.train.steps = kToySteps;
    config.validate();
    const auto data = std::make_shared<const Dataset>(cgpgan::loadDataset(config.data));
    QCOMPARE(data->count, int64_t(4000));
    Trainer trainer(config, data);
    QElapsedTimer timer;
    timer.start();
    cgpgan::TrainingControl control;
    StepStats last;
    const auto end = cgpgan::runTraining(trainer, control, config.train.steps, [&](const StepStats& s) { last = s; });
    QCOMPARE(int(end), int(cgpgan::RunEnd::Finished));
    QVERIFY(last.finite());
    const double seconds = timer.elapsed() / 1000.0;

    // 1. Q on the real points: the 4 components have 4 different majority clusters.
    const auto a = trainer.model().assignClusters(*data);
    const auto& truth = data->labels.front().values;
    const int64_t clusters = a.combinations();
    std::vector<std::vector<int64_t>> counts(4, std::vector<int64_t>(size_t(clusters), 0));
    for (int64_t i = 0; i < a.count; ++i)
        ++counts[size_t(truth[size_t(i)])][size_t(a.combined[size_t(i)])];
    std::vector<int64_t> majority;
    QStringList lines;
    for (int k = 0; k < 4; ++k) {
        const auto& row = counts[size_t(k)];
        const auto best = std::max_element(row.begin(), row.end()) - row.begin();
        majority.push_back(best);
        const int64_t total = std::accumulate(row.begin(), row.end(), int64_t(0));
        lines << QString("component %1: cluster %2 (%3/%4)").arg(k).arg(best).arg(row[size_t(best)]).arg(total);
    }
    const auto prior = trainer.model().prior();
    std::vector<float> masses(prior.data_ptr<float>(), prior.data_ptr<float>() + prior.numel());
    std::vector<float> sorted = masses;
    std::sort(sorted.begin(), sorted.end(), std::greater<float>());
    QStringList massText;
    for (float v : sorted)
        massText << QString::number(double(v), 'f', 3);
    qInfo("toy-2d seed %llu: %lld steps in %.1f s, fake accuracy %.2f, prior masses (sorted) %s", seed,
          (long long)trainer.stepCount(), seconds, last.fakeAccuracy, qPrintable(massText.join(" ")));
    qInfo("majority clusters: %s", qPrintable(lines.join("; ")));
    std::vector<int64_t> distinct = majority;
    std::sort(distinct.begin(), distinct.end());
    QVERIFY2(std::unique(distinct.begin(), distinct.end()) == distinct.end(),
             qPrintable("two Gaussians share a majority cluster: " + lines.join("; ")));

    // 2. G_ema per category, unclipped (read from the checkpoint).
    const auto checkpoint = tempPath(m_dir, "toy_seed" + std::to_string(seed) + ".pt");
    trainer.save(checkpoint);
    m_toyCheckpoint = checkpoint;
    cgpgan::Generator gEma(config.model);
    {
        auto archive = openArchive(checkpoint);
        torch::serialize::InputArchive sub;
        archive.read("G_ema", sub);
        gEma->load(sub);
    }
    torch::NoGradGuard noGrad;
    const auto centres = torch::tensor({-1.0f, 1.0f, 0.0f, -2.0f, 1.0f, -1.0f, 2.0f, 1.0f}).view({4, 2});
    const double weights[4] = {0.1, 0.2, 0.3, 0.4};
    double massPerCentre[4] = {0, 0, 0, 0};
    QStringList categoryLines;
    const int64_t n = 512;
    for (int64_t k = 0; k < config.model.dC; ++k) {
        const double mass = masses[size_t(k)];
        if (mass <= 0.05)
            continue;
        const auto z = trainer.model().latentRows(n, 1000 + uint64_t(k));
        const auto c = trainer.model().combinationCodes(std::vector<int64_t>(size_t(n), k));
        const auto points = gEma->forward(z, c);
        const auto [distance, nearest] = torch::cdist(points, centres).min(1);
        const auto near = distance < 0.9; // 3 sigma
        const double nearFraction = near.to(torch::kDouble).mean().item<double>();
        const auto perCentre = torch::bincount(nearest.masked_select(near), {}, 4);
        const int64_t top = perCentre.argmax().item<int64_t>();
        const double topFraction = perCentre[top].item<double>() / double(n);
        massPerCentre[top] += mass;
        categoryLines << QString("category %1 (mass %2): %3% within 3 sigma, %4% at centre %5")
                             .arg(k)
                             .arg(mass, 0, 'f', 3)
                             .arg(100 * nearFraction, 0, 'f', 0)
                             .arg(100 * topFraction, 0, 'f', 0)
                             .arg(top);
        QVERIFY2(topFraction >= 0.7, qPrintable("category " + QString::number(k) + " does not pick one Gaussian:\n  " +
                                                 categoryLines.join("\n  ")));
    }
    qInfo("%s", qPrintable(categoryLines.join("\n  ")));
    QStringList coverage;
    for (int i = 0; i < 4; ++i)
        coverage << QString("centre %1: mass %2 (true %3)").arg(i).arg(massPerCentre[i], 0, 'f', 3).arg(weights[i]);
    qInfo("prior mass per Gaussian: %s", qPrintable(coverage.join("; ")));
    for (int i = 0; i < 4; ++i) {
        QVERIFY2(massPerCentre[i] > 0.0, qPrintable("no populated category generates Gaussian " +
                                                    QString::number(i) + ": " + coverage.join("; ")));
        // The prior is still moving at this length (decay 0.999), so only
        // roughly: within 0.1 of the true weight, and in the same order.
        QVERIFY2(std::abs(massPerCentre[i] - weights[i]) < 0.1, qPrintable(coverage.join("; ")));
        if (i > 0)
            QVERIFY2(massPerCentre[i] > massPerCentre[i - 1], qPrintable(coverage.join("; ")));
    }
}

// SPEC 3 clips *images* for display; toy-2d points live in [-2.9, 2.9] and
// must come out of Trainer::generate as G_ema made them.
void TestTrainer::toyGenerateIsNotClipped()
{
    if (m_toyCheckpoint.empty())
        QSKIP("needs the toy-2d checkpoint of toy2dSplitsTheFourGaussians");
    Config config = cgpgan::Trainer::readInfo(m_toyCheckpoint).config;
    const auto data = std::make_shared<const Dataset>(cgpgan::loadDataset(config.data));
    Trainer trainer(config, data);
    trainer.load(m_toyCheckpoint);
    cgpgan::Generator gEma(config.model);
    {
        auto archive = openArchive(m_toyCheckpoint);
        torch::serialize::InputArchive sub;
        archive.read("G_ema", sub);
        gEma->load(sub);
    }
    torch::NoGradGuard noGrad;
    const auto z = trainer.model().latentRows(256, 3);
    std::vector<int64_t> ids(256);
    for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = int64_t(i) % config.model.dC;
    const auto c = trainer.model().combinationCodes(ids);
    const auto expected = gEma->forward(z, c);
    const auto got = trainer.model().generate(z, c);
    QVERIFY2(expected.abs().max().item<float>() > 1.0f, "the trained toy generator never leaves [-1, 1]");
    QVERIFY2(torch::equal(got, expected),
             qPrintable(QString("Trainer::generate clips points: max |x| %1, G_ema gives %2")
                            .arg(got.abs().max().item<float>())
                            .arg(expected.abs().max().item<float>())));
}

QTEST_APPLESS_MAIN(TestTrainer)
// SPEC 8 (issue 23): the live clustering score on every run.score_every-th
// step, equal to scoring the same subsample by hand, kept in the history
// through a checkpoint, and absent without labels.
void TestTrainer::liveScoreEveryNSteps()
{
    Config config = tinyConfig();
    config.run.scoreEvery = 2;
    config.run.scoreSamples = 100;
    Trainer trainer(config, tinyData());
    QVERIFY(trainer.liveScorer() != nullptr);
    QCOMPARE(trainer.liveScorer()->samples(), int64_t(100));
    const auto names = cgpgan::LiveScorer::names(*tinyData(), config.model);
    QCOMPARE(names, (std::vector<std::string>{"shape", "colour", "combined"}));
    for (int i = 1; i <= 4; ++i) {
        const StepStats s = trainer.step();
        QCOMPARE(s.scores.empty(), i % 2 == 1);
        if (s.scores.empty())
            continue;
        QCOMPARE(s.scores.size(), names.size());
        // By hand: Q over the evenly spread 100 images, read the same way.
        const Dataset subset = cgpgan::subsetOf(*tinyData(), cgpgan::evenSubsample(256, 100));
        const auto byHand = cgpgan::scoreAgainstLabels(trainer.model().assignClusters(subset), subset);
        for (size_t k = 0; k < names.size(); ++k) {
            QCOMPARE(s.scores[k].name, names[k]);
            QCOMPARE(s.scores[k].accuracy, byHand[k].accuracy);
            QCOMPARE(s.scores[k].nmi, byHand[k].nmi);
            QVERIFY(s.scores[k].accuracy >= 0 && s.scores[k].accuracy <= 1);
        }
    }
    QCOMPARE(trainer.scoreHistory().size(), size_t(2));
    const std::string path = (std::filesystem::path(m_dir.path().toStdString()) / "scored.pt").string();
    trainer.save(path);
    Trainer reopened(config, tinyData());
    reopened.load(path);
    const auto scores = reopened.scoreHistory();
    QCOMPARE(scores.size(), size_t(2));
    QCOMPARE(scores[1].step, int64_t(4));
    QCOMPARE(scores[1].scores[2].name, std::string("combined"));
    QCOMPARE(scores[1].scores[2].ari, trainer.scoreHistory()[1].scores[2].ari);

    // Off: score_every 0, or data without labels.
    config.run.scoreEvery = 0;
    QVERIFY(Trainer(config, tinyData()).liveScorer() == nullptr);
    config.run.scoreEvery = 1;
    auto unlabelled = std::make_shared<Dataset>(*tinyData());
    unlabelled->labels.clear();
    Trainer blind(config, unlabelled);
    QVERIFY(blind.liveScorer() == nullptr);
    QVERIFY(blind.step().scores.empty());
}

// Q's labels are matched to the data's columns one to one by NMI, in
// whatever order Q holds them.
void TestTrainer::scoreMatchingFollowsTheLabels()
{
    Dataset d;
    d.count = 8;
    d.labels = {{"shape", {"a", "b"}, {0, 0, 1, 1, 0, 0, 1, 1}}, {"colour", {"r", "g"}, {0, 1, 0, 1, 0, 1, 0, 1}}};
    cgpgan::ClusterAssignment a;
    a.count = 8;
    a.dL = 2;
    a.dC = 2;
    for (int i = 0; i < 8; ++i) {
        a.category.push_back(d.labels[1].values[size_t(i)]);     // Q label 0 = colour
        a.category.push_back(1 - d.labels[0].values[size_t(i)]); // Q label 1 = shape, categories swapped
        a.confidence.insert(a.confidence.end(), {1.0f, 1.0f});
        a.combined.push_back(a.category[size_t(2 * i)] * 2 + a.category[size_t(2 * i + 1)]);
        a.combinedConfidence.push_back(1.0f);
    }
    const auto scores = cgpgan::scoreAgainstLabels(a, d);
    QCOMPARE(scores.size(), size_t(3));
    QCOMPARE(scores[0].name, std::string("shape"));
    QCOMPARE(scores[0].qLabel, 1);
    QCOMPARE(scores[0].accuracy, 1.0);
    QCOMPARE(scores[1].qLabel, 0);
    QCOMPARE(scores[1].nmi, 1.0);
    QCOMPARE(scores[2].name, std::string("combined"));
    QCOMPARE(scores[2].accuracy, 1.0);
    // Shuffle one label: its score falls, the other's stays.
    std::swap(a.category[0], a.category[2]);
    std::swap(a.category[4], a.category[6]);
    a.category[4] = 1 - a.category[4];
    const auto worse = cgpgan::scoreAgainstLabels(a, d);
    QCOMPARE(worse[0].accuracy, 1.0);
    QVERIFY(worse[1].accuracy < 1.0);
}

#include "test_trainer.moc"
