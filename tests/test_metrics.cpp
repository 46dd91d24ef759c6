// Sample quality metrics (SPEC 6): the Frechet distance against closed forms
// for Gaussians, FID's invariances and its response to noise, precision /
// recall on point sets worked out by hand, the built-in and TorchScript
// feature extractors, and evaluate() on a tiny trainer.
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/metrics.h"
#include "cgpgan/trainer.h"
#include "test_support.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

using namespace cgpgan;

namespace {


torch::Tensor dbl(std::vector<double> values)
{
    return torch::tensor(values, torch::kDouble);
}

// A random symmetric positive definite matrix [d, d] (double).
torch::Tensor randomSpd(int64_t d)
{
    const auto a = torch::randn({d, d}, torch::kDouble);
    return torch::matmul(a, a.t()) / double(d) + 0.1 * torch::eye(d, torch::kDouble);
}

// Tr (S1 S2)^(1/2) a second way: the Denman-Beavers iteration for the
// principal square root of the non-symmetric S1 S2 (its eigenvalues are real
// and positive), Y -> sqrt(M), Z -> sqrt(M)^-1.
double traceSqrtDenmanBeavers(const torch::Tensor& s1, const torch::Tensor& s2)
{
    auto y = torch::matmul(s1, s2);
    auto z = torch::eye(y.size(0), torch::kDouble);
    for (int i = 0; i < 60; ++i) {
        const auto yNext = 0.5 * (y + torch::inverse(z));
        z = 0.5 * (z + torch::inverse(y));
        y = yNext;
    }
    return y.trace().item<double>();
}

// Images [n, 3, 32, 32] in [-1, 1] of the built-in shapes.
torch::Tensor shapeImages(int64_t n, uint64_t seed)
{
    const auto data = makeShapesDataset(n, 32, seed);
    return torch::from_blob(const_cast<uint8_t*>(data.pixels.data()), {n, 3, 32, 32}, torch::kUInt8)
        .to(torch::kFloat)
        .mul(2.0 / 255.0)
        .sub(1.0);
}

// 1-D points [n, 1].
torch::Tensor points1d(std::vector<float> values)
{
    const auto n = int64_t(values.size());
    return torch::tensor(values, torch::kFloat).view({n, 1});
}

Config tinyConfig() { return cgpgan::testing::tinyConfig(96); }

} // namespace

class TestMetrics final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void frechetOneDimensional();
    void frechetDiagonal();
    void frechetCommuting();
    void frechetGeneralSpd();
    void frechetRejectsShapes();
    void fidSelfAndShift();
    void fidGrowsWithNoise();
    void precisionRecallByHand();
    void precisionRecallLargeChunked();
    void builtinExtractor();
    void torchScriptMissingOrCorrupt();
    void torchScriptModule();
    void evaluateTrainer();
};

void TestMetrics::initTestCase()
{
    torch::set_num_threads(2);
}

void TestMetrics::frechetOneDimensional()
{
    // N(1, 2^2) vs N(-2, 0.5^2): (m1 - m2)^2 + (sd1 - sd2)^2 = 9 + 2.25 = 11.25.
    const double fd = frechetDistance(dbl({1.0}), dbl({4.0}).view({1, 1}), dbl({-2.0}), dbl({0.25}).view({1, 1}));
    VERIFY_NEAR(fd, 11.25, 1e-12);
    // Identical Gaussians: 0.
    VERIFY_NEAR(frechetDistance(dbl({3.0}), dbl({2.0}).view({1, 1}), dbl({3.0}), dbl({2.0}).view({1, 1})), 0.0, 1e-12);
}

void TestMetrics::frechetDiagonal()
{
    torch::manual_seed(1);
    const int64_t d = 7;
    const auto mu1 = torch::randn({d}, torch::kDouble), mu2 = torch::randn({d}, torch::kDouble);
    const auto s1 = torch::rand({d}, torch::kDouble) * 3 + 0.01, s2 = torch::rand({d}, torch::kDouble) * 3 + 0.01;
    // ||mu1 - mu2||^2 + sum (s1 + s2 - 2 sqrt(s1 s2)).
    const double expected =
        (mu1 - mu2).pow(2).sum().item<double>() + (s1 + s2 - 2 * (s1 * s2).sqrt()).sum().item<double>();
    VERIFY_NEAR(frechetDistance(mu1, torch::diag(s1), mu2, torch::diag(s2)), expected, 1e-10 * expected);
    // Float inputs are promoted to double.
    VERIFY_NEAR(frechetDistance(mu1.to(torch::kFloat), torch::diag(s1).to(torch::kFloat), mu2.to(torch::kFloat),
                                torch::diag(s2).to(torch::kFloat)),
                expected, 1e-5 * expected);
}

void TestMetrics::frechetCommuting()
{
    // S1 = Q diag(a) Q^T, S2 = Q diag(b) Q^T commute: Tr (S1 S2)^(1/2) = sum sqrt(a b).
    torch::manual_seed(2);
    const auto q = std::get<0>(at::linalg_qr(torch::randn({3, 3}, torch::kDouble), "reduced"));
    const auto rotate = [&](const torch::Tensor& v) { return torch::matmul(q * v.unsqueeze(0), q.t()); };
    const auto mu = torch::zeros({3}, torch::kDouble);
    {
        // a = (2, 1, 4), b = (8, 9, 1): (2+8-2*4) + (1+9-2*3) + (4+1-2*2) = 2 + 4 + 1 = 7.
        VERIFY_NEAR(frechetDistance(mu, rotate(dbl({2, 1, 4})), mu, rotate(dbl({8, 9, 1}))), 7.0, 1e-10);
    }
    {
        // Singular (rank 2 each): a = (0, 1, 4), b = (9, 0, 1):
        // (0+9-0) + (1+0-0) + (4+1-2*2) = 9 + 1 + 1 = 11.
        VERIFY_NEAR(frechetDistance(mu, rotate(dbl({0, 1, 4})), mu, rotate(dbl({9, 0, 1}))), 11.0, 1e-7);
    }
}

void TestMetrics::frechetGeneralSpd()
{
    torch::manual_seed(3);
    for (const int64_t d : {2, 5, 12}) {
        const auto s1 = randomSpd(d), s2 = randomSpd(d);
        const auto mu1 = torch::randn({d}, torch::kDouble), mu2 = torch::randn({d}, torch::kDouble);
        const double expected = (mu1 - mu2).pow(2).sum().item<double>() + s1.trace().item<double>() +
                                s2.trace().item<double>() - 2.0 * traceSqrtDenmanBeavers(s1, s2);
        VERIFY_NEAR(frechetDistance(mu1, s1, mu2, s2), expected, 1e-9 * (1.0 + std::abs(expected)));
        // Symmetric in its two arguments.
        VERIFY_NEAR(frechetDistance(mu2, s2, mu1, s1), expected, 1e-9 * (1.0 + std::abs(expected)));
    }
}

void TestMetrics::frechetRejectsShapes()
{
    const auto mu = torch::zeros({3}, torch::kDouble);
    QVERIFY_THROWS_EXCEPTION(Error, frechetDistance(mu, torch::eye(2), mu, torch::eye(3)));
    QVERIFY_THROWS_EXCEPTION(Error, fid(torch::zeros({10, 3}), torch::zeros({10, 4})));
    QVERIFY_THROWS_EXCEPTION(Error, fid(torch::zeros({1, 3}), torch::zeros({10, 3})));
}

void TestMetrics::fidSelfAndShift()
{
    torch::manual_seed(4);
    // Correlated, anisotropic features (n > d so the covariance has full rank).
    const auto mix = torch::randn({32, 32});
    const auto a = torch::matmul(torch::randn({3000, 32}), mix) + 5.0;
    const double scale = torch::matmul((a - a.mean(0)).t(), a - a.mean(0)).trace().item<double>() / 2999.0;
    const double self = fid(a, a);
    QVERIFY2(std::abs(self) < 1e-6 * scale, qPrintable(QStringLiteral("FID(A, A) = %1, Tr S = %2").arg(self).arg(scale)));
    // A common shift delta moves only the means: FID = ||delta||^2.
    const auto delta = torch::randn({32});
    const double expected = delta.pow(2).sum().item<double>();
    const double shifted = fid(a, a + delta);
    // float features: the shifted copy differs from A by rounding (~1e-7 relative).
    VERIFY_NEAR(shifted, expected, 1e-4 * scale);
    // And a second, larger shift grows it by the square of the length.
    VERIFY_NEAR(fid(a, a + 3.0 * delta), 9.0 * expected, 1e-4 * scale);
}

void TestMetrics::fidGrowsWithNoise()
{
    BuiltinExtractor extractor;
    const auto real = shapeImages(640, 7);
    const auto realFeatures = extractor.features(real);
    torch::manual_seed(5);
    const auto noise = torch::randn_like(real);
    double previous = fid(realFeatures, realFeatures);
    QVERIFY2(std::abs(previous) < 1e-6 * realFeatures.var(0).sum().item<double>(), qPrintable(QString::number(previous)));
    QStringList seen{QString::number(previous)};
    for (const double sigma : {0.05, 0.1, 0.2, 0.4, 0.8}) {
        const auto noisy = (real + sigma * noise).clamp(-1.0, 1.0);
        const double value = fid(realFeatures, extractor.features(noisy));
        seen << QString::number(value);
        QVERIFY2(value > previous, qPrintable("FID by noise level 0, 0.05, 0.1, 0.2, 0.4, 0.8: " + seen.join(", ")));
        previous = value;
    }
    qInfo("builtin FID by noise level 0, 0.05, 0.1, 0.2, 0.4, 0.8: %s", qPrintable(seen.join(", ")));

    // Two independent samples of the same distribution: a FID well below that
    // of mild noise, and most points of each set inside the other's balls.
    const auto otherFeatures = extractor.features(shapeImages(640, 8));
    const double sameDistribution = fid(realFeatures, otherFeatures);
    const auto pr = precisionRecall(realFeatures, otherFeatures);
    qInfo("builtin, two samples of the shapes: FID %g, precision %.3f, recall %.3f", sameDistribution, pr.precision,
          pr.recall);
    QVERIFY(sameDistribution > 0);
    QVERIFY2(sameDistribution < fid(realFeatures, extractor.features((real + 0.2 * noise).clamp(-1.0, 1.0))),
             qPrintable(QString::number(sameDistribution)));
    QVERIFY2(pr.precision > 0.5 && pr.recall > 0.5, qPrintable(QStringLiteral("%1 %2").arg(pr.precision).arg(pr.recall)));
}

void TestMetrics::precisionRecallByHand()
{
    // Real {0, 1, 2, 3, 4}, k = 3. Distances to the others, sorted, and the 3rd:
    //   0: 1 2 3 4 -> 3    1: 1 1 2 3 -> 2    2: 1 1 2 2 -> 2
    //   3: 1 1 2 2 -> 2    4: 1 2 3 4 -> 3
    // Real balls: [-3, 3], [-1, 3], [0, 4], [1, 5], [1, 7]; union [-3, 7].
    const auto real = points1d({0, 1, 2, 3, 4});
    {
        // Identical sets: every point lies in its own ball (distance 0).
        const auto pr = precisionRecall(real, real.clone(), 3);
        VERIFY_NEAR(pr.precision, 1.0, 0.0);
        VERIFY_NEAR(pr.recall, 1.0, 0.0);
    }
    {
        // Far apart: fake {100..104} has the same radii (3 2 2 2 3): no ball
        // reaches the other set.
        const auto pr = precisionRecall(real, points1d({100, 101, 102, 103, 104}), 3);
        VERIFY_NEAR(pr.precision, 0.0, 0.0);
        VERIFY_NEAR(pr.recall, 0.0, 0.0);
    }
    {
        // Fake {6, 20, 21, 22, 23}, k = 3:
        //   6: 14 15 16 17 -> 16    20: 1 2 3 14 -> 3    21: 1 1 2 15 -> 2
        //   22: 1 1 2 16 -> 2       23: 1 2 3 17 -> 3
        // Fake balls: [-10, 22], [17, 23], [19, 23], [20, 24], [20, 26].
        // Precision: fakes inside [-3, 7]: only 6 -> 1/5 = 0.2.
        // Recall: the outlier 6's ball [-10, 22] holds all of 0..4 -> 5/5 = 1.
        const auto fake = points1d({6, 20, 21, 22, 23});
        const auto pr = precisionRecall(real, fake, 3);
        VERIFY_NEAR(pr.precision, 0.2, 1e-15);
        VERIFY_NEAR(pr.recall, 1.0, 1e-15);
        // Swapping the roles swaps the numbers.
        const auto swapped = precisionRecall(fake, real, 3);
        VERIFY_NEAR(swapped.precision, 1.0, 1e-15);
        VERIFY_NEAR(swapped.recall, 0.2, 1e-15);
    }
    {
        // k = 1 and a boundary case: real {0, 2, 10, 12}, radii (nearest
        // neighbour) 2, 2, 2, 2. Fake {4, 8, 30, 31}: radii 4, 4, 1, 1.
        // Precision: 4 is at distance 2 of real 2 (<= 2: inside); 8 at 2 of 10
        // (inside); 30, 31 outside -> 2/4. Recall: real 0 is at 4 of fake 4
        // (<= 4: inside), 2 inside, 10 and 12 within 4 of fake 8 -> 4/4.
        const auto pr = precisionRecall(points1d({0, 2, 10, 12}), points1d({4, 8, 30, 31}), 1);
        VERIFY_NEAR(pr.precision, 0.5, 1e-15);
        VERIFY_NEAR(pr.recall, 1.0, 1e-15);
    }
    // Too few points for k, or mismatched dimensions.
    QVERIFY_THROWS_EXCEPTION(Error, precisionRecall(points1d({0, 1, 2}), points1d({0, 1, 2, 3}), 3));
    QVERIFY_THROWS_EXCEPTION(Error, precisionRecall(torch::zeros({5, 2}), torch::zeros({5, 3}), 3));
}

void TestMetrics::precisionRecallLargeChunked()
{
    // Sizes that need several cdist blocks (16M distances each), against a
    // plain double-precision reference; two shifted clouds so that neither
    // number is trivial.
    torch::manual_seed(6);
    const int64_t n = 6000, d = 8;
    const auto real = torch::randn({n, d}) + 20.0; // an offset that centring must remove
    auto fake = torch::randn({n, d}) * 1.3 + 20.0;
    fake.select(1, 0).add_(0.7);
    const auto pr = precisionRecall(real, fake, 3);

    const auto reference = [](const torch::Tensor& centres, const torch::Tensor& points) {
        const auto c = centres.to(torch::kDouble), p = points.to(torch::kDouble);
        std::vector<torch::Tensor> radii;
        for (int64_t i = 0; i < c.size(0); i += 500) {
            const auto dist = torch::cdist(c.narrow(0, i, std::min<int64_t>(500, c.size(0) - i)), c, 2.0,
                                           /*donot_use_mm_for_euclid_dist*/ 2);
            // The 4 smallest, in order: 0 is itself, 3 the 3rd neighbour.
            radii.push_back(std::get<0>(dist.topk(4, 1, /*largest=*/false, /*sorted=*/true)).select(1, 3));
        }
        const auto r = torch::cat(radii).unsqueeze(0);
        int64_t inside = 0;
        for (int64_t i = 0; i < p.size(0); i += 500) {
            const auto dist = torch::cdist(p.narrow(0, i, std::min<int64_t>(500, p.size(0) - i)), c, 2.0, 2);
            inside += (dist <= r).any(1).sum().item<int64_t>();
        }
        return double(inside) / double(p.size(0));
    };
    const double precision = reference(real, fake), recall = reference(fake, real);
    qInfo("6000 x 6000 in 8-D: precision %.4f (reference %.4f), recall %.4f (reference %.4f)", pr.precision,
          precision, pr.recall, recall);
    QVERIFY(precision > 0.2 && precision < 0.98 && recall > 0.2 && recall < 0.999);
    // float vs double may flip a point lying on a ball's edge.
    VERIFY_NEAR(pr.precision, precision, 3.0 / n);
    VERIFY_NEAR(pr.recall, recall, 3.0 / n);
}

void TestMetrics::builtinExtractor()
{
    BuiltinExtractor a, b;
    QVERIFY(QString::fromStdString(a.name()).contains("not Inception"));
    const auto images = shapeImages(300, 11); // more than one chunk of 256
    const auto fa = a.features(images);
    const auto fb = b.features(images);
    QCOMPARE(fa.sizes().vec(), (std::vector<int64_t>{300, a.dimension()}));
    QCOMPARE(fa.scalar_type(), torch::kFloat);
    QVERIFY(fa.device().is_cpu());
    QVERIFY2(torch::equal(fa, fb), "two instances differ on the same input");
    QVERIFY2(torch::equal(fa, a.features(images)), "one instance differs between two calls");
    QVERIFY(torch::isfinite(fa).all().item<bool>());
    // Chunking does not change the numbers (to float tolerance: batch size may
    // change the convolution algorithm).
    QVERIFY(torch::allclose(fa.narrow(0, 0, 10), a.features(images.narrow(0, 0, 10)), 1e-5, 1e-6));
    // Different images give different features.
    QVERIFY((fa[0] - fa[1]).abs().max().item<float>() > 1e-4);

    // Grey: repeated to 3 channels.
    const auto grey = images.narrow(0, 0, 8).mean(1, /*keepdim=*/true);
    const auto fg = a.features(grey);
    QCOMPARE(fg.sizes().vec(), (std::vector<int64_t>{8, a.dimension()}));
    QVERIFY(torch::allclose(fg, a.features(grey.repeat({1, 3, 1, 1})), 1e-5, 1e-6));

    // Other resolutions, same dimension (adaptive pooling; > 64 is area-averaged).
    for (const int64_t size : {16, 64, 128}) {
        const auto big = torch::nn::functional::interpolate(
            images.narrow(0, 0, 4),
            torch::nn::functional::InterpolateFuncOptions().size(std::vector<int64_t>{size, size}).mode(torch::kNearest));
        QCOMPARE(a.features(big).size(1), a.dimension());
    }
    QVERIFY_THROWS_EXCEPTION(Error, a.features(torch::zeros({2, 2, 32, 32})));
    QVERIFY_THROWS_EXCEPTION(Error, a.features(torch::zeros({3, 32, 32})));
    QCOMPARE(a.features(torch::zeros({0, 3, 32, 32})).sizes().vec(), (std::vector<int64_t>{0, a.dimension()}));
}

void TestMetrics::torchScriptMissingOrCorrupt()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string missing = dir.filePath("nowhere/inception-2015-12-05.pt").toStdString();
    try {
        TorchScriptExtractor e(missing);
        QFAIL("no error for a missing file");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(missing) != std::string::npos, e.what());
    }
    const std::string corrupt = dir.filePath("corrupt.pt").toStdString();
    std::ofstream(corrupt) << "this is not a TorchScript archive";
    try {
        TorchScriptExtractor e(corrupt);
        QFAIL("no error for a corrupt file");
    } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(corrupt) != std::string::npos, e.what());
    }
}

void TestMetrics::torchScriptModule()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A stand-in for StyleGAN2-ADA's Inception: same call convention
    // (0..255 NCHW RGB, return_features=True), 6 features: per-channel mean
    // and maximum.
    const std::string path = dir.filePath("tiny-features.pt").toStdString();
    {
        torch::jit::Module m("TinyFeatures");
        m.register_buffer("scale", torch::ones({1}));
        m.define(R"JIT(
def forward(self, img, return_features: bool = False):
    x = img.float() * self.scale
    f = torch.cat([x.mean([2, 3]), x.amax([2, 3])], 1)
    if return_features:
        return f
    return f.sum(1, True)
)JIT");
        m.save(path);
    }
    TorchScriptExtractor e(path);
    QCOMPARE(QString::fromStdString(e.name()), QStringLiteral("torchscript:tiny-features.pt"));
    QCOMPARE(e.dimension(), int64_t(6)); // probed before any features
    torch::manual_seed(8);
    const auto images = torch::rand({70, 3, 8, 8}) * 2 - 1; // two chunks of 64
    const auto f = e.features(images);
    // Expected: the images quantised to 0..255, then mean and max per channel.
    const auto bytes = images.add(1).mul(127.5).round().clamp(0, 255);
    const auto expected = torch::cat({bytes.mean({2, 3}), bytes.amax({2, 3})}, 1);
    QCOMPARE(f.sizes().vec(), (std::vector<int64_t>{70, 6}));
    QVERIFY(torch::allclose(f, expected, 1e-5, 1e-3));
    // Grey: repeated to 3 channels.
    const auto grey = images.narrow(0, 0, 5).narrow(1, 0, 1);
    const auto fg = e.features(grey);
    QVERIFY(torch::allclose(fg.narrow(1, 0, 3), fg.narrow(1, 0, 1).expand({5, 3})));

    // A module without return_features is called with the image alone.
    const std::string plain = dir.filePath("plain.pt").toStdString();
    {
        torch::jit::Module m("Plain");
        m.define(R"JIT(
def forward(self, img):
    return img.float().mean([2, 3])
)JIT");
        m.save(plain);
    }
    TorchScriptExtractor p(plain);
    QVERIFY(torch::allclose(p.features(images), bytes.mean({2, 3}), 1e-5, 1e-3));
    QCOMPARE(p.dimension(), int64_t(3));
}

void TestMetrics::evaluateTrainer()
{
    const auto config = tinyConfig();
    const auto data = std::make_shared<const Dataset>(loadDataset(config.data));
    Trainer a(config, data);
    Trainer b(config, data);
    BuiltinExtractor extractor;
    const auto r1 = evaluate(a.model(), *data, extractor, 64, 3);
    const auto r2 = evaluate(a.model(), *data, extractor, 64, 3);
    QCOMPARE(r1.realSamples, int64_t(64));
    QCOMPARE(r1.fakeSamples, int64_t(64));
    QCOMPARE(r1.dimension, extractor.dimension());
    QCOMPARE(r1.extractor, extractor.name());
    QCOMPARE(r1.step, int64_t(0));
    QVERIFY2(std::isfinite(r1.fid) && r1.fid > 0, qPrintable(QString::number(r1.fid)));
    QVERIFY(r1.precision >= 0 && r1.precision <= 1 && r1.recall >= 0 && r1.recall <= 1);
    // Seeded: the same numbers twice.
    QCOMPARE(r1.fid, r2.fid);
    QCOMPARE(r1.precision, r2.precision);
    QCOMPARE(r1.recall, r2.recall);
    // More samples than the data has: all of it.
    QCOMPARE(evaluate(a.model(), *data, extractor, 1000, 3).realSamples, data->count);
    // The trainer's RNG is untouched: the next step matches a trainer that
    // never evaluated.
    const auto sa = a.step();
    const auto sb = b.step();
    QCOMPARE(sa.dAdversarial, sb.dAdversarial);
    QCOMPARE(sa.gAdversarial, sb.gAdversarial);
    QCOMPARE(sa.fakeAccuracy, sb.fakeAccuracy);
    // Cancelling throws.
    QVERIFY_THROWS_EXCEPTION(Error, evaluate(a.model(), *data, extractor, 64, 3, [](int64_t, int64_t) { return false; }));
    QVERIFY_THROWS_EXCEPTION(Error, evaluate(a.model(), *data, extractor, 3, 3));
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
