// Steering clusters (issue 27; config.h SteerAction, losses.h heldPrior):
// the prior's holds, emptied categories in Q's pseudo-labels and in cluster
// assignment, each action and its refusals, undo, the checkpoint, and a
// replay of the recorded config that reproduces a steered run bit for bit.
#include "cgpgan/config.h"
#include "cgpgan/error.h"
#include "cgpgan/losses.h"
#include "cgpgan/model.h"
#include "cgpgan/trainer.h"
#include "support/checkpoint_compare.h"
#include "test_support.h"
#include "trainer_helpers.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

using cgpgan::Config;
using cgpgan::Error;
using cgpgan::SteerAction;
using cgpgan::SteerKind;
using cgpgan::Trainer;
using namespace cgpgan::testing;

namespace {

SteerAction action(SteerKind kind, int label = 0, int category = 0, int other = -1, double mass = -1)
{
    return SteerAction::of(kind, label, category, other, mass);
}

Config freePriorConfig()
{
    Config c = tinyConfig();
    c.train.priorStartStep = 0; // the prior follows Q from the first step
    c.train.priorDecay = 0.9;   // and moves fast enough to see
    c.run.scoreEvery = 0;
    return c;
}

} // namespace

class TestSteering : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void heldPriorKeepsHoldsAndShares();
    void emptiedCategoriesAreNeverPseudoLabels();
    void heldMassesStayThroughTraining();
    void emptiedCategoryIsNeverAClusterNorSampled();
    void refusalsChangeNothing();
    void mergeAndReviveThenUndo();
    void checkpointKeepsHoldsAndAppliedActions();
    void replayOfTheRecordedConfigIsExact();
    void steerListInJson();

private:
    QTemporaryDir m_dir;
};

void TestSteering::heldPriorKeepsHoldsAndShares()
{
    const auto prior = torch::tensor({0.1f, 0.2f, 0.3f, 0.4f, 0.25f, 0.25f, 0.25f, 0.25f}).view({2, 4});
    auto pins = torch::full({2, 4}, -1.0f);
    QVERIFY(torch::equal(cgpgan::heldPrior(prior, pins), prior)); // nothing held: the same tensor
    pins[0][1] = 0.0f; // emptied
    pins[0][3] = 0.5f; // pinned
    const auto held = cgpgan::heldPrior(prior, pins);
    // The free categories 0 and 2 (0.1, 0.3) share what the holds leave (0.5) as 1:3.
    QVERIFY(torch::allclose(held[0], torch::tensor({0.125f, 0.0f, 0.375f, 0.5f})));
    QVERIFY(torch::equal(held[1], prior[1])); // a row without holds, bit for bit
    // Free categories without mass share equally.
    auto lonely = torch::tensor({0.0f, 0.0f, 1.0f, 0.0f}).view({1, 4});
    auto lonelyPins = torch::tensor({-1.0f, -1.0f, 0.0f, 0.2f}).view({1, 4});
    QVERIFY(torch::allclose(cgpgan::heldPrior(lonely, lonelyPins), torch::tensor({0.4f, 0.4f, 0.0f, 0.2f}).view({1, 4})));
}

void TestSteering::emptiedCategoriesAreNeverPseudoLabels()
{
    // Sample 0 would pick category 2; emptied, it goes to its next best, 1.
    const auto p = torch::tensor({0.1f, 0.3f, 0.6f, 0.0f, 0.7f, 0.1f, 0.1f, 0.1f}).view({2, 1, 4});
    auto pins = torch::full({1, 4}, -1.0f);
    QVERIFY(torch::equal(cgpgan::withoutEmptied(p, pins), p));
    pins[0][2] = 0.0f;
    const auto kept = cgpgan::withoutEmptied(p, pins);
    QCOMPARE(kept[0][0].argmax().item<int64_t>(), int64_t(1));
    QCOMPARE(kept[1][0].argmax().item<int64_t>(), int64_t(0));
    QVERIFY(torch::allclose(kept.sum(-1), torch::ones({2, 1})));
    QCOMPARE(kept.select(2, 2).abs().sum().item<float>(), 0.0f);
    // While frozen the batch mean of the normalised p is the held prior.
    pins[0][0] = 0.4f;
    const auto normalised = cgpgan::probNormalizeHeld(kept, pins);
    QVERIFY(torch::allclose(normalised.mean(0)[0], torch::tensor({0.4f, 0.3f, 0.0f, 0.3f}), 1e-5, 1e-6));
}

void TestSteering::heldMassesStayThroughTraining()
{
    Trainer trainer(freePriorConfig(), tinyData());
    trainer.step();
    QCOMPARE(QString::fromStdString(trainer.steer(action(SteerKind::Empty, 0, 1))),
             QString("empty category 1 of label 0"));
    trainer.steer(action(SteerKind::Pin, 1, 2, -1, 0.3));
    for (int i = 0; i < 15; ++i)
        trainer.step();
    const auto prior = trainer.model().prior();
    QCOMPARE(prior[0][1].item<float>(), 0.0f);
    QCOMPARE(prior[1][2].item<float>(), 0.3f);
    QVERIFY(torch::allclose(prior.sum(-1), torch::ones({2}), 1e-5, 1e-6));
    // The free categories still moved with Q (decay 0.9 over 15 steps).
    QVERIFY(prior[1][0].item<float>() != prior[1][1].item<float>() || prior[1][1].item<float>() != 0.35f);
    // Released, the pinned category follows Q again.
    trainer.steer(action(SteerKind::Release, 1, 2));
    QCOMPARE(trainer.model().pins()[1][2].item<float>(), -1.0f);
    // Events: each action at the step it happened.
    int steers = 0;
    for (const auto& e : trainer.events())
        if (e.kind == "steer") {
            ++steers;
            QVERIFY(e.step == 1 || e.step == 16);
        }
    QCOMPARE(steers, 3);
    // The recorded config lists them where they happened.
    const auto recorded = trainer.recordedConfig().train.steer;
    QCOMPARE(int(recorded.size()), 3);
    QCOMPARE(recorded[0].step, int64_t(1));
    QCOMPARE(recorded[2].step, int64_t(16));
    QVERIFY(recorded[1].action == SteerKind::Pin && recorded[1].mass == 0.3);
}

void TestSteering::emptiedCategoryIsNeverAClusterNorSampled()
{
    Trainer trainer(freePriorConfig(), tinyData());
    for (int i = 0; i < 5; ++i)
        trainer.step();
    // Empty the category Q gives most images to: they must go elsewhere.
    const auto before = trainer.model().assignClusters(trainer.dataset());
    std::vector<int> counts(4, 0);
    for (int64_t s = 0; s < before.count; ++s)
        ++counts[size_t(before.category[size_t(s * before.dL)])];
    const int busiest = int(std::max_element(counts.begin(), counts.end()) - counts.begin());
    QVERIFY(counts[size_t(busiest)] > 0);
    trainer.steer(action(SteerKind::Empty, 0, busiest));
    const auto after = trainer.model().assignClusters(trainer.dataset());
    for (int64_t s = 0; s < after.count; ++s)
        QVERIFY(after.category[size_t(s * after.dL)] != busiest);
    // c ~ P never draws it: its mass is exactly 0.
    trainer.step();
    QCOMPARE(trainer.model().prior()[0][busiest].item<float>(), 0.0f);
    const auto idx = torch::multinomial(trainer.model().prior(), 2000, /*replacement=*/true);
    QVERIFY(!(idx[0] == busiest).any().item<bool>());
}

void TestSteering::refusalsChangeNothing()
{
    Trainer trainer(freePriorConfig(), tinyData());
    trainer.step();
    const auto prior = trainer.model().prior();
    const auto expectRefused = [&](const SteerAction& a, const char* words) {
        try {
            trainer.steer(a);
            QFAIL(qPrintable(QString("accepted: ") + QString::fromStdString(cgpgan::describeSteer(a))));
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(words), e.what());
        }
    };
    expectRefused(action(SteerKind::Undo), "nothing to undo");
    expectRefused(action(SteerKind::Empty, 2, 0), "label must be in 0..1");
    expectRefused(action(SteerKind::Revive, 0, 1), "only an empty category");
    expectRefused(action(SteerKind::Release, 0, 1), "not held");
    expectRefused(action(SteerKind::Merge, 0, 1, 1), "another one");
    trainer.steer(action(SteerKind::Empty, 0, 0));
    trainer.steer(action(SteerKind::Empty, 0, 1));
    trainer.steer(action(SteerKind::Pin, 0, 2, -1, 0.5));
    const auto steered = trainer.model().prior();
    expectRefused(action(SteerKind::Empty, 0, 3), "at least one must stay free");
    expectRefused(action(SteerKind::Merge, 0, 3, 0), "emptied");
    QVERIFY(torch::equal(trainer.model().prior(), steered));
    QCOMPARE(trainer.steerUndoDepth(), 3);
    for (int i = 0; i < 3; ++i)
        trainer.steer(action(SteerKind::Undo));
    QVERIFY(torch::equal(trainer.model().prior(), prior));
    QVERIFY(torch::equal(trainer.model().pins(), torch::full({2, 4}, -1.0f)));
}

void TestSteering::mergeAndReviveThenUndo()
{
    Trainer trainer(freePriorConfig(), tinyData());
    for (int i = 0; i < 3; ++i)
        trainer.step();
    auto& model = trainer.model();
    const auto prior0 = model.prior();
    const auto book0 = model.codebook();
    // Merge 3 into 1: 3's mass goes to 1, 3 is emptied, 1's page kept.
    trainer.steer(action(SteerKind::Merge, 1, 3, 1));
    auto prior = model.prior();
    QCOMPARE(prior[1][3].item<float>(), 0.0f);
    QVERIFY(std::abs(prior[1][1].item<float>() - (prior0[1][1] + prior0[1][3]).item<float>()) < 1e-6);
    QVERIFY(torch::equal(model.codebook(), book0));
    // Revive 3 with a copy of page 0: a page near 0's, not equal to it.
    trainer.steer(action(SteerKind::Revive, 1, 3, 0));
    prior = model.prior();
    QVERIFY(std::abs(prior[1][3].item<float>() - 0.25f) < 1e-6); // an equal share of the 4 alive
    QCOMPARE(model.pins()[1][3].item<float>(), -1.0f);           // free again
    const auto page = model.page(1, 3), source = model.page(1, 0);
    QVERIFY(!torch::equal(page, source));
    const double rel = ((page - source).norm() / source.norm()).item<double>();
    QVERIFY2(rel > 0.01 && rel < 0.1, qPrintable(QString::number(rel)));
    // Revive with a fresh page: another page altogether.
    trainer.steer(action(SteerKind::Empty, 0, 2));
    trainer.steer(action(SteerKind::Revive, 0, 2, -1, 0.1));
    QVERIFY(std::abs(model.prior()[0][2].item<float>() - 0.1f) < 1e-6);
    QVERIFY(!torch::allclose(model.page(0, 2), book0[0][2], 0.1, 0.1));
    // Undo all four: prior, holds and pages as they were.
    for (int i = 0; i < 4; ++i)
        trainer.steer(action(SteerKind::Undo));
    QVERIFY(torch::equal(model.prior(), prior0));
    QVERIFY(torch::equal(model.codebook(), book0));
    QVERIFY(torch::equal(model.pins(), torch::full({2, 4}, -1.0f)));
}

void TestSteering::checkpointKeepsHoldsAndAppliedActions()
{
    const auto path = tempPath(m_dir, "steered.pt");
    Config config = freePriorConfig();
    config.train.steer = {action(SteerKind::Pin, 0, 0, -1, 0.4)};
    config.train.steer[0].step = 2;
    {
        Trainer trainer(config, tinyData());
        for (int i = 0; i < 3; ++i)
            trainer.step();
        trainer.steer(action(SteerKind::Empty, 1, 3)); // live, at step 3
        trainer.save(path);
    }
    // The model alone: its holds, and the emptied category is no cluster.
    const auto model = cgpgan::Model::load(path);
    QCOMPARE(model->pins()[0][0].item<float>(), 0.4f);
    QCOMPARE(model->pins()[1][3].item<float>(), 0.0f);
    const auto clusters = model->assignClusters(*tinyData());
    for (int64_t s = 0; s < clusters.count; ++s)
        QVERIFY(clusters.category[size_t(s * 2 + 1)] != 3);
    // Resumed from the checkpoint's config: nothing is applied twice.
    const Config saved = cgpgan::checkpointConfig(path);
    QCOMPARE(int(saved.train.steer.size()), 2);
    Trainer resumed(saved, tinyData());
    resumed.load(path);
    const size_t events = resumed.events().size();
    resumed.step();
    QCOMPARE(resumed.events().size(), events);
    QCOMPARE(resumed.model().prior()[0][0].item<float>(), 0.4f);
    QCOMPARE(resumed.steerUndoDepth(), 0);
}

void TestSteering::replayOfTheRecordedConfigIsExact()
{
    // A run steered by hand between steps, and a fresh run of the config it
    // recorded, end in the same checkpoint: steering is reproducible.
    const auto live = tempPath(m_dir, "live.pt"), replay = tempPath(m_dir, "replay.pt");
    Config recorded;
    {
        Trainer trainer(freePriorConfig(), tinyData());
        for (int i = 0; i < 2; ++i)
            trainer.step();
        trainer.steer(action(SteerKind::Empty, 0, 1));
        trainer.steer(action(SteerKind::Revive, 0, 1, -1));
        trainer.step();
        trainer.steer(action(SteerKind::Merge, 1, 2, 0));
        trainer.step();
        trainer.steer(action(SteerKind::Undo));
        trainer.step();
        trainer.save(live);
        recorded = trainer.recordedConfig();
    }
    QCOMPARE(int(recorded.train.steer.size()), 4);
    {
        Trainer trainer(recorded, tinyData());
        for (int i = 0; i < 5; ++i)
            trainer.step();
        trainer.save(replay);
    }
    const auto comparison = compareCheckpoints(live, replay);
    QVERIFY(comparison.compared.size() > 10);
    QVERIFY2(comparison.differences.isEmpty(), qPrintable(comparison.differences.join("\n")));
}

void TestSteering::steerListInJson()
{
    Config c = freePriorConfig();
    c.train.steer = {action(SteerKind::Merge, 1, 3, 0), action(SteerKind::Revive, 0, 2, -1, 0.2),
                     action(SteerKind::Undo)};
    c.train.steer[1].step = 7;
    c.train.steer[2].step = 9;
    const Config back = cgpgan::configFromJson(cgpgan::toJson(c), "test");
    QVERIFY(back.train.steer == c.train.steer);
    // A file of actions, and what it refuses, by name.
    const auto actions = cgpgan::steerActionsFromJson(
        R"([{"step": 3, "action": "pin", "label": 1, "category": 0, "mass": 0.25}])", "steer.json");
    QCOMPARE(int(actions.size()), 1);
    QVERIFY(actions[0].action == SteerKind::Pin && actions[0].mass == 0.25 && actions[0].step == 3);
    const auto refused = [](const char* text, const char* words) {
        try {
            cgpgan::steerActionsFromJson(text, "steer.json");
            QFAIL(text);
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(words), e.what());
        }
    };
    refused(R"({"step": 1})", "JSON list");
    refused(R"([{"step": 1, "action": "explode", "label": 0, "category": 0}])", "empty, pin, release");
    refused(R"([{"step": 1, "action": "empty", "label": 0}])", "needs \"category\"");
    refused(R"([{"step": 1, "action": "empty", "label": 0, "category": 0, "mass": 0.5}])", "does not go with");
    refused(R"([{"step": 1, "action": "empty", "label": 0, "category": 0, "colour": 1}])", "unknown key");
    // Ranges and order against the model.
    Config bad = freePriorConfig();
    bad.train.steer = {action(SteerKind::Empty, 0, 9), action(SteerKind::Pin, 0, 1, -1, 1.5)};
    bad.train.steer[0].step = 5;
    try {
        bad.validate();
        QFAIL("an out-of-range steering list was accepted");
    } catch (const Error& e) {
        const QString message = e.what();
        QVERIFY2(message.contains("category must be in 0..3"), e.what());
        QVERIFY2(message.contains("list the actions in step order"), e.what());
        QVERIFY2(message.contains("mass must be in (0, 1)"), e.what());
    }
}

QTEST_GUILESS_MAIN(TestSteering)
#include "test_steering.moc"
