// Issue 9: the z-diversity statistic on constructed inputs, and the ablation
// fields (minibatch std, mode seeking, hidden width, codebook init and
// learning-rate scale): each validated with a message naming it, each doing
// what it says, and the paper presets keeping the paper's values.
#include "cgpgan/augment.h"
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/diversity.h"
#include "cgpgan/error.h"
#include "cgpgan/losses.h"
#include "cgpgan/networks.h"
#include "cgpgan/trainer.h"
#include "test_support.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <filesystem>
#include <memory>
#include <string>

using namespace cgpgan;

namespace {

Config tiny() { return testing::tinyConfig(256); }

std::shared_ptr<const Dataset> tinyData()
{
    static auto data = std::make_shared<const Dataset>(loadDataset(tiny().data));
    return data;
}

// Constant uint8 images [n, 3, 4, 4], image i filled with values[i].
torch::Tensor constantImages(std::vector<int> values)
{
    auto t = torch::empty({int64_t(values.size()), 3, 4, 4}, torch::kUInt8);
    for (size_t i = 0; i < values.size(); ++i)
        t[int64_t(i)].fill_(values[i]);
    return t;
}

// The message of the Error that validate() throws, or "" when it passes.
QString validationMessage(const Config& c)
{
    try {
        c.validate();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestAblations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pairwiseDistanceOfConstructedImages();
    void gridZDiversityIsZeroForIdenticalRows();
    void gridZDiversityMatchesHandComputedValue();
    void zDiversityOfATrainer();
    void newFieldsAreValidatedByName_data();
    void newFieldsAreValidatedByName();
    void newFieldsRoundTripAndDefaultWhenAbsent();
    void paperPresetsKeepThePaperArchitecture_data();
    void paperPresetsKeepThePaperArchitecture();
    void minibatchStddevValues();
    void minibatchStdChangesDOnly();
    void modeSeekingLossClosedForm();
    void modeSeekingTrainsAndIsFinite();
    void hiddenWidthSetsTheEncoderHead();
    void codebookInitScalesThePages();
    void codebookLearningRateScale();
    void codebookLrScaleResumesExactly();
    void randomAffineViews();
    void augmentedQTrainsAndResumesExactly();
    void lazyRegularisationTakesPenaltiesEveryKSteps();
};

void TestAblations::pairwiseDistanceOfConstructedImages()
{
    // Pairs (0,255) = 1, (0,0) = 0, (255,0) = 1 in [0, 1] units: mean 2/3.
    VERIFY_NEAR(meanPairwiseDistance(constantImages({0, 255, 0})), 2.0 / 3.0, 1e-6);
    VERIFY_NEAR(meanPairwiseDistance(constantImages({51, 51})), 0.0, 1e-9);
    // Float images in [-1, 1] are mapped to [0, 1]: -1 vs 1 differ by 1.
    const auto f = torch::stack({torch::full({3, 4, 4}, -1.0), torch::full({3, 4, 4}, 1.0)});
    VERIFY_NEAR(meanPairwiseDistance(f), 1.0, 1e-6);
    QVERIFY_THROWS_EXCEPTION(Error, meanPairwiseDistance(constantImages({7})));
}

void TestAblations::gridZDiversityIsZeroForIdenticalRows()
{
    // 3 rows x 4 columns, every row the same: G ignores z.
    std::vector<int> values;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c)
            values.push_back(40 * c);
    VERIFY_NEAR(gridZDiversity(constantImages(values), 3, 4, 0.3), 0.0, 1e-9);
}

void TestAblations::gridZDiversityMatchesHandComputedValue()
{
    // Row-major 2 x 2: column 0 is {0, 0} (distance 0), column 1 is {0, 255}
    // (distance 1); mean within columns 0.5; reference 0.25 -> 2.
    QCOMPARE(gridZDiversity(constantImages({0, 0, 0, 255}), 2, 2, 0.25), 2.0);
    // The same tiles read as columns would give a different value: the
    // layout is rows of fixed z (Model::generateGrid), not columns.
    //   rows {0, 0} and {0, 255}: column 0 = {0, 0}, column 1 = {0, 255}.
    QCOMPARE(gridZDiversity(constantImages({0, 0, 255, 0}), 2, 2, 1.0), 0.5);
    QVERIFY_THROWS_EXCEPTION(Error, gridZDiversity(constantImages({0, 0, 0}), 2, 2, 1.0));
    QVERIFY_THROWS_EXCEPTION(Error, gridZDiversity(constantImages({0, 0}), 1, 2, 1.0));
    QVERIFY_THROWS_EXCEPTION(Error, gridZDiversity(constantImages({0, 0, 0, 0}), 2, 2, 0.0));
}

void TestAblations::zDiversityOfATrainer()
{
    Trainer trainer(tiny(), tinyData());
    const auto real = realPairwiseDistance(*tinyData(), 64, 3);
    QVERIFY(real > 0.01 && real < 1.0);
    QCOMPARE(realPairwiseDistance(*tinyData(), 64, 3), real); // deterministic for a seed
    const auto zd = zDiversity(trainer.model(), *tinyData(), 16, 4, 3);
    QCOMPARE(zd.combinations, int64_t(16)); // d_c^d_l = 4^2: every combination
    QCOMPARE(zd.perCombination, int64_t(4));
    QVERIFY(std::isfinite(zd.ratio) && zd.ratio >= 0);
    VERIFY_NEAR(zd.fake, zd.ratio * zd.real, 1e-12);
}

void TestAblations::newFieldsAreValidatedByName_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("field");
    QTest::newRow("d_hidden < 0") << "model.d_hidden=-1" << "model.d_hidden";
    QTest::newRow("mbstd group 1") << "model.mbstd_group=1" << "model.mbstd_group";
    QTest::newRow("mbstd not dividing the batch") << "model.mbstd_group=3" << "model.mbstd_group";
    QTest::newRow("codebook_init 0") << "model.codebook_init=0" << "model.codebook_init";
    QTest::newRow("lambda_ms < 0") << "train.lambda_ms=-0.5" << "train.lambda_ms";
    QTest::newRow("codebook_lr_scale 0") << "train.codebook_lr_scale=0" << "train.codebook_lr_scale";
    QTest::newRow("q_augment_scale < 0") << "train.q_augment_scale=-0.1" << "train.q_augment_scale";
    QTest::newRow("q_augment_shift > 0.5") << "train.q_augment_shift=0.6" << "train.q_augment_shift";
    QTest::newRow("q_augment_rotate > 180") << "train.q_augment_rotate=200" << "train.q_augment_rotate";
    QTest::newRow("lambda_g_cls < 0") << "train.lambda_g_cls=-1" << "train.lambda_g_cls";
    QTest::newRow("reg_every 0") << "train.reg_every=0" << "train.reg_every";
    QTest::newRow("reg_every > 1000") << "train.reg_every=1001" << "train.reg_every";
}

void TestAblations::newFieldsAreValidatedByName()
{
    QFETCH(QString, assignment);
    QFETCH(QString, field);
    Config c = tiny();
    applyOverride(c, assignment.toStdString());
    const QString message = validationMessage(c);
    QVERIFY2(message.contains(field), qPrintable("no error naming " + field + ": \"" + message + "\""));
    // Mode seeking pairs the batch in halves: an odd batch is refused.
    Config odd = tiny();
    odd.train.lambdaMs = 1;
    odd.train.batch = 7;
    QVERIFY(validationMessage(odd).contains("train.lambda_ms"));
    // G's classifier loss needs Q, which vanilla mode does not build.
    Config vanilla = tiny();
    vanilla.train.lambdaGCls = 1;
    applyOverride(vanilla, "model.mode=vanilla");
    QVERIFY(validationMessage(vanilla).contains("train.lambda_g_cls"));
}

void TestAblations::newFieldsRoundTripAndDefaultWhenAbsent()
{
    Config c = tiny();
    c.model.dHidden = 48;
    c.model.mbstdGroup = 4;
    c.model.codebookInit = 0.25;
    c.train.lambdaMs = 0.5;
    c.train.codebookLrScale = 0.1;
    const Config back = configFromJson(toJson(c), "round trip");
    QCOMPARE(back.model.dHidden, 48);
    QCOMPARE(back.model.mbstdGroup, 4);
    QCOMPARE(back.model.codebookInit, 0.25);
    QCOMPARE(back.train.lambdaMs, 0.5);
    QCOMPARE(back.train.codebookLrScale, 0.1);
    // A config written before these fields existed loads with the paper's values.
    const Config old = configFromJson(R"({"model": {"d_z": 16}, "train": {"batch": 8}})", "old config");
    QCOMPARE(old.model.dHidden, 0);
    QCOMPARE(old.model.hiddenWidth(), 2 * old.model.dL * old.model.dC);
    QCOMPARE(old.model.mbstdGroup, 0);
    QCOMPARE(old.model.codebookInit, 1.0);
    QCOMPARE(old.train.lambdaMs, 0.0);
    QCOMPARE(old.train.codebookLrScale, 1.0);
    // Shape-changing fields are named when a checkpoint would not fit.
    Config wide = tiny();
    wide.model.dHidden = 64;
    const auto diffs = shapeDifferences(tiny(), wide);
    QVERIFY(!diffs.empty() && QString::fromStdString(diffs.front()).contains("model.d_hidden"));
}

void TestAblations::paperPresetsKeepThePaperArchitecture_data()
{
    QTest::addColumn<QString>("name");
    for (const char* name : {"paper-afhq", "official-cifar", "original-mnist", "bench", "toy-2d"})
        QTest::newRow(name) << name;
}

void TestAblations::paperPresetsKeepThePaperArchitecture()
{
    QFETCH(QString, name);
    const Config c = preset(name.toStdString());
    QCOMPARE(c.model.dHidden, 0);
    QCOMPARE(c.model.hiddenWidth(), 2 * c.model.dL * c.model.dC); // SPEC 3
    QCOMPARE(c.model.mbstdGroup, 0);
    QCOMPARE(c.model.codebookInit, 1.0);
    QCOMPARE(c.train.lambdaMs, 0.0);
    QCOMPARE(c.train.codebookLrScale, 1.0);
    QCOMPARE(c.train.qAugmentScale + c.train.qAugmentShift + c.train.qAugmentRotate, 0.0);
    QCOMPARE(c.train.lambdaGCls, 0.0);
    QCOMPARE(c.train.regEvery, 1);
}

void TestAblations::minibatchStddevValues()
{
    // Batch 4, group 2: members of group j are samples j and j + 2.
    // Samples 0 and 2 differ by 2 everywhere -> std 1; samples 1 and 3 are equal -> sqrt(1e-8).
    auto h = torch::zeros({4, 2, 2, 2});
    h[0].fill_(1.0);
    h[2].fill_(-1.0);
    h[1].fill_(5.0);
    h[3].fill_(5.0);
    const auto out = minibatchStddev(h, 2);
    QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{4, 3, 2, 2}));
    QVERIFY(torch::equal(out.narrow(1, 0, 2), h));
    VERIFY_NEAR(out[0][2].mean().item<double>(), 1.0, 1e-6);
    VERIFY_NEAR(out[2][2].mean().item<double>(), 1.0, 1e-6);
    VERIFY_NEAR(out[1][2].mean().item<double>(), 1e-4, 1e-6);
    VERIFY_NEAR(out[3][2].mean().item<double>(), 1e-4, 1e-6);
    // Its gradient is finite where all members are equal (the 1e-8 inside the sqrt).
    auto x = torch::ones({4, 2, 2, 2}, torch::requires_grad());
    minibatchStddev(x, 4).sum().backward();
    QVERIFY(torch::isfinite(x.grad()).all().item<bool>());
}

void TestAblations::minibatchStdChangesDOnly()
{
    Config c = tiny();
    c.model.mbstdGroup = 4;
    c.validate();
    Encoder d(c.model, int64_t(c.model.dL) * c.model.dC, /*minibatchStd=*/true);
    Encoder q(c.model, int64_t(c.model.dL) * c.model.dC);
    const int64_t last = c.model.dWidths.back();
    QCOMPARE(d->last->weight.size(1), last + 1); // one more input map: the std feature
    QCOMPARE(q->last->weight.size(1), last);     // Q classifies one image at a time
    // D's output for a sample depends on the rest of its group; Q's does not.
    // Batch 8, group 4: the groups are {0, 2, 4, 6} and {1, 3, 5, 7}.
    torch::manual_seed(3);
    auto x = torch::randn({8, 3, 32, 32});
    auto y = x.clone();
    y[2] = torch::randn({3, 32, 32});
    {
        torch::NoGradGuard noGrad;
        const auto dx = d->forward(x), dy = d->forward(y);
        QVERIFY(!torch::allclose(dx[0], dy[0])); // same group as the changed sample
        QVERIFY(torch::allclose(dx[1], dy[1]));  // the other group
        QVERIFY(torch::allclose(q->forward(x)[0], q->forward(y)[0]));
    }
    // A trainer with it steps, finitely, and its checkpoint does not fit a model without it.
    Trainer t(c, tinyData());
    for (int i = 0; i < 3; ++i)
        QVERIFY(t.step().finite());
    QVERIFY(!shapeDifferences(c, tiny()).empty());
}

void TestAblations::modeSeekingLossClosedForm()
{
    // Pairs (0, 2) and (1, 3). Image distances 0.5 and 1.0, latent distances 1 and 2:
    // ratios 0.5 and 0.5 -> loss 1 / (0.5 + eps).
    auto images = torch::zeros({4, 1, 2, 2});
    images[2].fill_(0.5);
    images[1].fill_(1.0);
    images[3].fill_(2.0);
    auto z = torch::zeros({4, 3});
    z[2].fill_(1.0);
    z[3].fill_(2.0);
    VERIFY_NEAR(modeSeekingLoss(images, z).item<double>(), 1.0 / (0.5 + 1e-5), 1e-4);
    // Moving a pair apart lowers it: the gradient points the pair together.
    auto img = images.clone().requires_grad_(true);
    modeSeekingLoss(img, z).backward();
    QVERIFY(img.grad()[2].sum().item<double>() < 0); // sample 2 > sample 0: pushing it up lowers the loss
    QVERIFY_THROWS_EXCEPTION(std::exception, modeSeekingLoss(torch::zeros({3, 1, 2, 2}), torch::zeros({3, 3})));
}

void TestAblations::modeSeekingTrainsAndIsFinite()
{
    Config c = tiny();
    c.train.lambdaMs = 1.0;
    Trainer with(c, tinyData());
    Trainer without(tiny(), tinyData());
    // The knob turns it on in a run configured without it: the same steps as the config.
    Trainer viaKnob(tiny(), tinyData());
    auto knobs = viaKnob.knobs();
    QCOMPARE(knobs.lambdaMs, 0.0);
    knobs.lambdaMs = 1.0;
    viaKnob.setKnobs(knobs);
    QCOMPARE(with.knobs().lambdaMs, 1.0);
    StepStats a, b, k;
    for (int i = 0; i < 3; ++i) {
        a = with.step();
        b = without.step();
        k = viaKnob.step();
        QVERIFY(a.finite());
        QCOMPARE(k.gAdversarial, a.gAdversarial);
    }
    // Same seed, same D/Q half of the step: the generator's loss is where they part.
    QVERIFY(a.gAdversarial != b.gAdversarial);
}

void TestAblations::hiddenWidthSetsTheEncoderHead()
{
    Config c = tiny();
    QCOMPARE(Encoder(c.model, 8)->hidden->weight.size(0), int64_t(2 * c.model.dL * c.model.dC));
    c.model.dHidden = 40;
    QCOMPARE(Encoder(c.model, 8)->hidden->weight.size(0), int64_t(40));
    QCOMPARE(Encoder(c.model, 8)->out->weight.size(1), int64_t(40));
}

void TestAblations::codebookInitScalesThePages()
{
    Config c = tiny();
    c.model.codebookInit = 0.1;
    Trainer small(c, tinyData());
    Trainer normal(tiny(), tinyData());
    // Same seed: the same draw, scaled.
    QVERIFY(torch::allclose(small.model().codebook(), normal.model().codebook() * 0.1, 1e-6, 1e-7));
    VERIFY_NEAR(small.model().codebook().std().item<double>(), 0.1, 0.02);
}

void TestAblations::codebookLearningRateScale()
{
    // G_ema's codebook moves by (1 - ema) of G's; Adam's steps scale with the
    // learning rate, so a 1e-3 scale moves the pages about 1000x less.
    auto change = [](double scale) {
        Config c = tiny();
        c.train.codebookLrScale = scale;
        c.train.emaDecay = 0.0; // G_ema = G: see G's codebook directly
        Trainer t(c, tinyData());
        const auto before = t.model().codebook();
        for (int i = 0; i < 2; ++i)
            t.step();
        return (t.model().codebook() - before).abs().mean().item<double>();
    };
    const double normal = change(1.0), slow = change(1e-3);
    QVERIFY2(normal > 0, "the codebook did not train");
    QVERIFY2(slow < 0.01 * normal, qPrintable(QString("scaled %1 vs normal %2").arg(slow).arg(normal)));
    QVERIFY2(slow > 0, "a scaled codebook must still train");
}

void TestAblations::codebookLrScaleResumesExactly()
{
    // Two optimizer groups in G's AdamW: saved and restored like one.
    Config c = tiny();
    c.train.codebookLrScale = 0.5;
    const auto path = (std::filesystem::temp_directory_path() / "cgpgan_test_lr_scale.pt").string();
    std::vector<double> straight, resumed;
    {
        Trainer x(c, tinyData());
        for (int i = 0; i < 4; ++i)
            straight.push_back(x.step().gAdversarial);
    }
    {
        Trainer y(c, tinyData());
        for (int i = 0; i < 2; ++i)
            resumed.push_back(y.step().gAdversarial);
        y.save(path);
    }
    {
        Trainer z(c, tinyData());
        z.load(path);
        for (int i = 0; i < 2; ++i)
            resumed.push_back(z.step().gAdversarial);
    }
    std::filesystem::remove(path);
    QCOMPARE(resumed, straight);
}

void TestAblations::randomAffineViews()
{
    auto gen = at::detail::createCPUGenerator(7);
    const auto images = torch::rand({6, 3, 16, 16}, gen) * 2 - 1;
    // Off: the very same tensor.
    QVERIFY(randomAffine(images, AugmentRange{}, gen).is_same(images));
    // A constant image stays constant (the border is repeated, nothing grey comes in).
    const AugmentRange all{0.5, 0.2, 180};
    const auto flat = torch::full({4, 1, 16, 16}, -1.0);
    VERIFY_NEAR((randomAffine(flat, all, gen) + 1).abs().max().item<double>(), 0.0, 1e-6);
    // The same generator state gives the same views; views differ from the input and from each other.
    auto a = at::detail::createCPUGenerator(11), b = at::detail::createCPUGenerator(11);
    const auto va = randomAffine(images, all, a), vb = randomAffine(images, all, b);
    QVERIFY(torch::equal(va, vb));
    QCOMPARE(va.sizes(), images.sizes());
    QVERIFY((va - images).abs().mean().item<double>() > 0.05);
    QVERIFY((va[0] - va[1]).abs().mean().item<double>() > 0.05);
    // A shift of exactly one pixel per axis at zoom 1: a pure translation.
    // u = +-1 is never drawn, so check the bound instead: a shift of 1/16 of
    // the side moves a sharp dot by at most one pixel.
    auto dot = torch::full({1, 1, 16, 16}, -1.0);
    dot[0][0][8][8] = 1.0;
    const auto moved = randomAffine(dot, AugmentRange{0, 1.0 / 16, 0}, a);
    const auto where = (moved[0][0] > -0.999).nonzero();
    QVERIFY(where.size(0) > 0);
    QVERIFY((where - 8).abs().max().item<int64_t>() <= 1);
    // Gradients flow to the images (Q's CGP is taken on the view).
    auto x = images.clone().requires_grad_(true);
    randomAffine(x, all, a).sum().backward();
    QVERIFY(x.grad().defined() && x.grad().abs().sum().item<double>() > 0);
}

void TestAblations::augmentedQTrainsAndResumesExactly()
{
    // The views come from the trainer's generator, which the checkpoint holds.
    Config c = tiny();
    c.train.qAugmentScale = 0.5;
    c.train.qAugmentShift = 0.15;
    c.train.qAugmentRotate = 180;
    c.validate();
    const auto path = (std::filesystem::temp_directory_path() / "cgpgan_test_q_augment.pt").string();
    std::vector<double> straight, resumed, plain;
    {
        Trainer x(c, tinyData());
        for (int i = 0; i < 4; ++i) {
            const auto s = x.step();
            QVERIFY(s.finite());
            straight.push_back(s.cls + s.cgp);
        }
    }
    {
        Trainer y(c, tinyData());
        for (int i = 0; i < 2; ++i) {
            const auto s = y.step();
            resumed.push_back(s.cls + s.cgp);
        }
        y.save(path);
    }
    {
        Trainer z(c, tinyData());
        z.load(path);
        for (int i = 0; i < 2; ++i) {
            const auto s = z.step();
            resumed.push_back(s.cls + s.cgp);
        }
    }
    std::filesystem::remove(path);
    QCOMPARE(resumed, straight);
    // And Q's losses do see the views: without them the same run differs.
    Trainer w(tiny(), tinyData());
    for (int i = 0; i < 4; ++i) {
        const auto s = w.step();
        plain.push_back(s.cls + s.cgp);
    }
    QVERIFY(plain != straight);
}

void TestAblations::lazyRegularisationTakesPenaltiesEveryKSteps()
{
    // train.reg_every = 3: R2 and the CGP on the steps that start at 0, 3, 6
    // (stats.step 1, 4, 7), weighted by 3; NaN ("not measured") elsewhere.
    Config lazy = tiny();
    lazy.train.regEvery = 3;
    lazy.validate();
    QCOMPARE(configFromJson(toJson(lazy), "round trip").train.regEvery, 3);
    QCOMPARE(configFromJson(R"({"train": {"batch": 8}})", "old config").train.regEvery, 1);

    const auto path = (std::filesystem::temp_directory_path() / "cgpgan_test_reg_every.pt").string();
    std::vector<double> straight, resumed;
    const auto record = [](std::vector<double>& out, const StepStats& s) {
        for (double v : {s.dAdversarial, s.r2, s.cls, s.cgp, s.gAdversarial})
            out.push_back(v);
    };
    Trainer every(tiny(), tinyData());
    Trainer x(lazy, tinyData());
    for (int i = 0; i < 7; ++i) {
        const auto s = x.step();
        const auto e = every.step();
        QVERIFY(e.regularised && std::isfinite(e.r2) && std::isfinite(e.cgp));
        const bool expected = (s.step - 1) % 3 == 0;
        QCOMPARE(s.regularised, expected);
        QCOMPARE(std::isnan(s.r2), !expected);
        QCOMPARE(std::isnan(s.cgp), !expected);
        QVERIFY2(s.finite(), "an unmeasured penalty is not a divergence");
        if (i == 0) { // the same first forward: the weight changes the update only
            QCOMPARE(s.r2, e.r2);
            QCOMPARE(s.cgp, e.cgp);
        }
        if (i == 1) // ... and so the second step differs
            QVERIFY(s.dAdversarial != e.dAdversarial);
        record(straight, s);
    }
    // A NaN penalty on a step that took it is still a divergence.
    StepStats bad;
    bad.r2 = std::nan("");
    QVERIFY(!bad.finite());
    bad.regularised = false;
    QVERIFY(bad.finite());

    // Resuming between two regularised steps continues the same schedule.
    {
        Trainer y(lazy, tinyData());
        for (int i = 0; i < 2; ++i)
            record(resumed, y.step());
        y.save(path);
    }
    {
        Trainer z(lazy, tinyData());
        z.load(path);
        for (int i = 0; i < 5; ++i)
            record(resumed, z.step());
    }
    std::filesystem::remove(path);
    QCOMPARE(resumed.size(), straight.size());
    for (size_t i = 0; i < straight.size(); ++i) // NaN == NaN here: both unmeasured
        QVERIFY2(resumed[i] == straight[i] || (std::isnan(resumed[i]) && std::isnan(straight[i])),
                 qPrintable(QStringLiteral("value %1: %2 vs %3").arg(i).arg(resumed[i]).arg(straight[i])));
}

QTEST_GUILESS_MAIN(TestAblations)
#include "test_ablations.moc"
