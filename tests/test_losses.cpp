// Loss terms of one CGPGAN step (SPEC 4): every function of losses.h against
// values worked out by hand, and the two gradient penalties (R2, classifier
// gradient penalty) against central finite differences, including the double
// backprop (penalty -> network weights) that the D and Q updates rely on.
#include "cgpgan/layers.h"
#include "cgpgan/losses.h"
#include "test_support.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace cgpgan;

namespace {

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

#define VERIFY_CLOSE(a, b, tol)                                                                     \
    do {                                                                                            \
        const double d_ = maxAbsDiff((a), (b));                                                     \
        QVERIFY2(d_ <= (tol), qPrintable(QStringLiteral("max |difference| = %1 > %2").arg(d_).arg(tol))); \
    } while (0)


torch::Tensor dbl(std::vector<double> values, std::vector<int64_t> shape)
{
    return torch::tensor(values, torch::kDouble).view(shape).clone(); // a leaf, not a view
}

// A tiny double-precision network x -> logits [b, d_l = 2, d_c = 3]. tanh
// instead of leaky ReLU keeps it smooth, so central differences are accurate
// to O(eps^2) with no risk of stepping over a kink; the Down conv still runs
// the blur + strided conv path under double backprop.
struct ConvNet {
    EqualizedConv2d c1{1, 4, 3};
    EqualizedConv2d c2{4, 4, 3, Resample::Down};
    EqualizedLinear lin{16, 6};

    ConvNet()
    {
        torch::NoGradGuard ng;
        for (auto* m : std::vector<torch::nn::Module*>{c1.get(), c2.get(), lin.get()}) {
            m->to(torch::kDouble);
            for (auto& p : m->parameters())
                if (p.dim() == 1)
                    p.copy_(0.3 * torch::randn_like(p)); // non-zero biases
        }
    }
    torch::Tensor operator()(const torch::Tensor& x)
    {
        auto h = torch::tanh(c1->forward(x));
        h = torch::tanh(c2->forward(h)); // [b, 4, 2, 2]
        return lin->forward(h.flatten(1)).view({x.size(0), 2, 3});
    }
};

// Dense variant on points x [b, 5].
struct DenseNet {
    EqualizedLinear l1{5, 8};
    EqualizedLinear l2{8, 6};

    DenseNet()
    {
        torch::NoGradGuard ng;
        for (auto* m : std::vector<torch::nn::Module*>{l1.get(), l2.get()}) {
            m->to(torch::kDouble);
            for (auto& p : m->parameters())
                if (p.dim() == 1)
                    p.copy_(0.3 * torch::randn_like(p));
        }
    }
    torch::Tensor operator()(const torch::Tensor& x)
    {
        return l2->forward(torch::tanh(l1->forward(x))).view({x.size(0), 2, 3});
    }
};

using PerSample = std::function<torch::Tensor(const torch::Tensor&)>; // x -> [b]

// Per-sample input gradient by central differences: perturbs x[b, i] and
// reads f[b] only (a true per-sample derivative, independent of the
// sum-over-batch trick inside gradientPenalty). Returns [b, n].
torch::Tensor finiteDifferenceGrad(const PerSample& f, const torch::Tensor& x, double eps)
{
    torch::NoGradGuard ng;
    const int64_t b = x.size(0), n = x[0].numel();
    auto grad = torch::zeros({b, n}, torch::kDouble);
    for (int64_t s = 0; s < b; ++s)
        for (int64_t i = 0; i < n; ++i) {
            auto xp = x.clone(), xm = x.clone();
            xp.view({b, n})[s][i] += eps;
            xm.view({b, n})[s][i] -= eps;
            grad[s][i] = (f(xp)[s].item<double>() - f(xm)[s].item<double>()) / (2 * eps);
        }
    return grad;
}

// Checks penalty(x) == mean_b ||FD grad_b||^2 (rel 1e-5), that it carries a
// graph to the weights (create_graph), and that d penalty / d weight agrees
// with central differences of the penalty itself (double backprop).
// `penalty` builds the graph from x with requires_grad; `perSample` is the
// function whose gradient is penalised.
void checkPenalty(const std::function<torch::Tensor(const torch::Tensor&)>& penalty, const PerSample& perSample,
                  const torch::Tensor& x0, const std::vector<torch::Tensor>& weights)
{
    // eps 1e-6 in double: truncation O(eps^2 f''') ~ 1e-12, rounding
    // ~1e-16 / 1e-6 = 1e-10, both far under the 1e-5 relative tolerance.
    const double eps = 1e-6;
    const auto fd = finiteDifferenceGrad(perSample, x0, eps);
    const double expected = fd.pow(2).sum(1).mean().item<double>();
    QVERIFY(expected > 1e-6); // a non-trivial gradient, else the test proves nothing

    const auto x = x0.clone().requires_grad_(true);
    for (const auto& w : weights)
        if (w.grad().defined())
            w.grad().zero_();
    const auto pen = penalty(x);
    QCOMPARE(pen.dim(), int64_t(0));
    VERIFY_NEAR(pen.item<double>(), expected, 1e-5 * expected);

    // create_graph: the penalty depends on the weights through the gradient.
    QVERIFY(pen.requires_grad());
    pen.backward();
    for (const auto& w : weights) {
        QVERIFY(w.grad().defined());
        QVERIFY(w.grad().abs().sum().item<double>() > 0);
    }

    // Double backprop vs finite differences of the penalty in every entry of
    // each weight tensor. The penalty's own second-order FD error is again
    // ~1e-10 relative; compare the whole gradient with rel. tolerance 1e-5 of
    // its largest entry.
    for (const auto& w : weights) {
        const auto analytic = w.grad().clone().flatten();
        auto numeric = torch::zeros_like(analytic);
        auto flat = w.detach().view({-1}); // shares storage with w
        for (int64_t j = 0; j < flat.numel(); ++j) {
            const double orig = flat[j].item<double>();
            flat[j] = orig + eps;
            const double up = penalty(x0.clone().requires_grad_(true)).item<double>();
            flat[j] = orig - eps;
            const double down = penalty(x0.clone().requires_grad_(true)).item<double>();
            flat[j] = orig;
            numeric[j] = (up - down) / (2 * eps);
        }
        const double scale = analytic.abs().max().item<double>();
        QVERIFY(scale > 0);
        VERIFY_CLOSE(numeric, analytic, 1e-5 * scale);
    }
}

} // namespace

class TestLosses final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void probNormalizeBatchMean();
    void updatedPriorByHand();
    void priorEntropyValues();
    void conditionalScoresByHand();
    void classificationLossByHand();
    void discriminatorAdversarialByHand();
    void generatorAdversarialByHand();
    void r2PenaltyLinearByHand();
    void r2PenaltyFiniteDifferences();
    void classifierGradientPenaltyFiniteDifferences();
    void penaltiesKeepTheScoreGraph();
};

void TestLosses::initTestCase()
{
    torch::set_num_threads(2);
    torch::manual_seed(2024);
}

void TestLosses::probNormalizeBatchMean()
{
    torch::manual_seed(1);
    for (int64_t dC : {2, 3, 5}) {
        const auto p = torch::softmax(2.0 * torch::randn({64, 3, dC}), -1); // float
        // The raw batch mean is not uniform (else the test shows nothing).
        QVERIFY(maxAbsDiff(p.mean(0), torch::full({3, dC}, 1.0 / dC)) > 1e-3);
        const auto q = probNormalize(p);
        QVERIFY(q.scalar_type() == torch::kFloat);
        // Float: mean of 64 values ~1/d_c has rounding ~1e-8; tolerance 1e-6.
        VERIFY_CLOSE(q.mean(0), torch::full({3, dC}, 1.0 / dC), 1e-6);
        // Rows still sum to 1: sum_k (p - mean p + 1/d_c) = 1 - 1 + 1.
        VERIFY_CLOSE(q.sum(-1), torch::ones({64, 3}), 1e-6);
    }
    // A batch whose mean is already uniform is left as it is:
    // p = [[0.9, 0.1], [0.1, 0.9]] -> mean [0.5, 0.5].
    const auto p = dbl({0.9, 0.1, 0.1, 0.9}, {2, 1, 2});
    VERIFY_CLOSE(probNormalize(p), p, 1e-15);
    // By hand: p = [[1, 0], [0.5, 0.5]] (b = 2, d_l = 1, d_c = 2); mean
    // [0.75, 0.25]; p - mean + 0.5 = [[0.75, 0.25], [0.25, 0.75]].
    VERIFY_CLOSE(probNormalize(dbl({1, 0, 0.5, 0.5}, {2, 1, 2})), dbl({0.75, 0.25, 0.25, 0.75}, {2, 1, 2}),
                 1e-15);
}

void TestLosses::updatedPriorByHand()
{
    // P (2 labels x 3 categories) = [[0.5, 0.3, 0.2], [1/3, 1/3, 1/3]];
    // p (b = 2) = [[1, 0, 0], [0, 0.5, 0.5]] and [[0, 1, 0], [0.2, 0.2, 0.6]];
    // mean_b p = [[0.5, 0.5, 0], [0.1, 0.35, 0.55]]; decay 0.9:
    // row 0: 0.9*[0.5, 0.3, 0.2] + 0.1*[0.5, 0.5, 0] = [0.5, 0.32, 0.18]
    // row 1: 0.9/3 + 0.1*[0.1, 0.35, 0.55] = [0.31, 0.335, 0.355].
    const auto prior = dbl({0.5, 0.3, 0.2, 1.0 / 3, 1.0 / 3, 1.0 / 3}, {2, 3});
    const auto p = dbl({1, 0, 0, 0, 0.5, 0.5, /**/ 0, 1, 0, 0.2, 0.2, 0.6}, {2, 2, 3});
    const auto expected = dbl({0.5, 0.32, 0.18, 0.31, 0.335, 0.355}, {2, 3});
    const auto updated = updatedPrior(prior, p, 0.9);
    QCOMPARE(updated.sizes().vec(), (std::vector<int64_t>{2, 3}));
    VERIFY_CLOSE(updated, expected, 1e-12); // double arithmetic on O(1) values
    VERIFY_CLOSE(updated.sum(-1), torch::ones({2}, torch::kDouble), 1e-12);
    // The input prior is not modified in place.
    VERIFY_CLOSE(prior, dbl({0.5, 0.3, 0.2, 1.0 / 3, 1.0 / 3, 1.0 / 3}, {2, 3}), 0.0);

    // A float prior stays float even with double p (the trainer's prior
    // dtype is kept); float rounding -> 1e-6.
    const auto updatedF = updatedPrior(prior.to(torch::kFloat), p, 0.9);
    QVERIFY(updatedF.scalar_type() == torch::kFloat);
    VERIFY_CLOSE(updatedF, expected, 1e-6);

    // Limits: decay 1 keeps P, decay 0 takes the batch mean.
    VERIFY_CLOSE(updatedPrior(prior, p, 1.0), prior, 1e-15);
    VERIFY_CLOSE(updatedPrior(prior, p, 0.0), p.mean(0), 1e-15);
}

void TestLosses::priorEntropyValues()
{
    // Uniform rows: log d_c (float 0.25 is exact; computed in double).
    QVERIFY(std::abs(priorEntropy(torch::full({3, 4}, 0.25f)) - std::log(4.0)) < 1e-12);
    QVERIFY(std::abs(priorEntropy(torch::full({2, 3}, 1.0 / 3, torch::kDouble)) - std::log(3.0)) < 1e-12);
    // One-hot rows: 0 (0 log 0 taken as 0, no NaN).
    const auto oneHot = dbl({0, 1, 0, 0, 0, 0, 0, 1}, {2, 4});
    QCOMPARE(priorEntropy(oneHot), 0.0);
    // Mean over labels: [uniform(4), one-hot] -> log(4)/2.
    QVERIFY(std::abs(priorEntropy(dbl({0.25, 0.25, 0.25, 0.25, 1, 0, 0, 0}, {2, 4})) - std::log(4.0) / 2) <
            1e-12);
    // [0.5, 0.25, 0.25, 0]: 0.5 ln 2 + 2 * 0.25 ln 4 = 1.5 ln 2.
    QVERIFY(std::abs(priorEntropy(dbl({0.5, 0.25, 0.25, 0}, {1, 4})) - 1.5 * std::log(2.0)) < 1e-12);
}

void TestLosses::conditionalScoresByHand()
{
    // b = 2, d_l = 1, d_c = 2. logits [[1, -2]], [[0.5, 3]]; codes e_0, e_1:
    // s = [[1], [3]].
    const auto logits = dbl({1, -2, 0.5, 3}, {2, 1, 2});
    const auto s = conditionalScores(logits, dbl({1, 0, 0, 1}, {2, 1, 2}));
    QCOMPARE(s.sizes().vec(), (std::vector<int64_t>{2, 1}));
    VERIFY_CLOSE(s, dbl({1, 3}, {2, 1}), 1e-15);
    // Soft code [0.25, 0.75] on sample 0: 0.25*1 + 0.75*(-2) = -1.25;
    // [0.5, 0.5] on sample 1: 0.25 + 1.5 = 1.75.
    VERIFY_CLOSE(conditionalScores(logits, dbl({0.25, 0.75, 0.5, 0.5}, {2, 1, 2})), dbl({-1.25, 1.75}, {2, 1}),
                 1e-15);
    // d_l = 2, d_c = 3: one score per label, [b, d_l].
    // sample 0: labels pick logits[0][0][2] = 3 and logits[0][1][0] = -1;
    // sample 1: logits[1][0][1] = 5 and logits[1][1][1] = 0.5.
    const auto logits2 = dbl({1, 2, 3, -1, 4, 6, /**/ 0, 5, 2, 1, 0.5, 7}, {2, 2, 3});
    const auto code2 = dbl({0, 0, 1, 1, 0, 0, /**/ 0, 1, 0, 0, 1, 0}, {2, 2, 3});
    VERIFY_CLOSE(conditionalScores(logits2, code2), dbl({3, -1, 5, 0.5}, {2, 2}), 1e-15);
}

void TestLosses::classificationLossByHand()
{
    // b = 2, d_l = 1, d_c = 2. Sample 0: logits [0, ln 3] -> softmax
    // [1/4, 3/4], code e_1 -> CE = -ln(3/4) = ln(4/3). Sample 1: logits
    // [2, 2] -> [1/2, 1/2], code e_0 -> ln 2. Mean (ln(4/3) + ln 2)/2 = ln(8/3)/2.
    const auto logits = dbl({0, std::log(3.0), 2, 2}, {2, 1, 2});
    const auto code = dbl({0, 1, 1, 0}, {2, 1, 2});
    const auto loss = classificationLoss(logits, code);
    QCOMPARE(loss.dim(), int64_t(0));
    VERIFY_NEAR(loss.item<double>(), std::log(8.0 / 3.0) / 2, 1e-12);

    // Mean over b and l, against libtorch's own cross entropy (d_l = 3).
    torch::manual_seed(2);
    const auto q = torch::randn({5, 3, 4}, torch::kDouble);
    const auto target = torch::randint(4, {5, 3}, torch::kLong);
    const auto oneHot = torch::one_hot(target, 4).to(torch::kDouble);
    const auto reference = torch::nn::functional::cross_entropy(q.view({15, 4}), target.view({15}));
    VERIFY_NEAR(classificationLoss(q, oneHot).item<double>(), reference.item<double>(), 1e-12);
    // Large logits stay finite (log_softmax, not log(softmax)).
    const auto big = dbl({1000, -1000, -1000, 1000}, {2, 1, 2});
    VERIFY_NEAR(classificationLoss(big, dbl({0, 1, 0, 1}, {2, 1, 2})).item<double>(), 1000.0, 1e-9);
}

void TestLosses::discriminatorAdversarialByHand()
{
    // b = 2, d_l = 1. s_real = [0, ln 3], s_fake = [ln 3, 0].
    // Sample 0: softplus(-0) + softplus(ln 3) = ln 2 + ln 4 = ln 8.
    // Sample 1: softplus(-ln 3) + softplus(0) = ln(4/3) + ln 2 = ln(8/3).
    // Mean: (ln 8 + ln(8/3)) / 2 = ln(64/3) / 2.
    const auto real = dbl({0, std::log(3.0)}, {2, 1});
    const auto fake = dbl({std::log(3.0), 0}, {2, 1});
    const auto loss = discriminatorAdversarial(real, fake);
    QCOMPARE(loss.dim(), int64_t(0));
    VERIFY_NEAR(loss.item<double>(), std::log(64.0 / 3.0) / 2, 1e-12);
    // Saturated, confident D: ~0, finite (softplus, not log(1 + exp)).
    const auto sure = discriminatorAdversarial(torch::full({2, 2}, 200.0f), torch::full({2, 2}, -200.0f));
    QVERIFY(std::isfinite(sure.item<double>()));
    QVERIFY(sure.item<double>() < 1e-30);
    // Fooled D: softplus(200) = 200 per term, both terms: 400.
    const auto fooled = discriminatorAdversarial(torch::full({2, 2}, -200.0f), torch::full({2, 2}, 200.0f));
    VERIFY_NEAR(fooled.item<double>(), 400.0, 1e-3);
}

void TestLosses::generatorAdversarialByHand()
{
    // b = 2, d_l = 2. s_fake = [[0, ln 3], [-ln 3, ln 7]]; softplus(-s):
    // ln 2, ln(4/3), ln 4, ln(8/7); mean = ln(2 * 4/3 * 4 * 8/7) / 4 = ln(256/21) / 4.
    const auto s = dbl({0, std::log(3.0), -std::log(3.0), std::log(7.0)}, {2, 2}).requires_grad_(true);
    const auto loss = generatorAdversarial(s);
    QCOMPARE(loss.dim(), int64_t(0));
    VERIFY_NEAR(loss.item<double>(), std::log(256.0 / 21.0) / 4, 1e-12);
    // d/ds softplus(-s) / 4 = -sigmoid(-s) / 4: at s = 0, -1/8; at ln 3, -1/16;
    // at -ln 3, -3/16; at ln 7, -1/32.
    loss.backward();
    VERIFY_CLOSE(s.grad(), dbl({-1.0 / 8, -1.0 / 16, -3.0 / 16, -1.0 / 32}, {2, 2}), 1e-12);
    // Large negative scores: softplus(100) = 100, finite.
    VERIFY_NEAR(generatorAdversarial(torch::full({3, 1}, -100.0f)).item<double>(), 100.0, 1e-4);
}

void TestLosses::r2PenaltyLinearByHand()
{
    // Linear scores s[b, l] = A_l . x[b] with A = [[1, 2, 0], [3, 0, -2]]:
    // d(mean_l s)/dx = mean_l A_l = [2, 1, -1] for every sample; ||.||^2 = 6.
    const auto A = dbl({1, 2, 0, 3, 0, -2}, {2, 3});
    const auto x = torch::randn({4, 3}, torch::kDouble).requires_grad_(true);
    const auto scores = torch::matmul(x, A.t());
    VERIFY_NEAR(r2Penalty(scores, x).item<double>(), 6.0, 1e-12);
    // Quadratic, per-sample: f_b = mean_l s = 0.5 * ||x_b||^2 with
    // s_0 = s_1 = 0.5 ||x_b||^2 -> grad x_b, penalty mean_b ||x_b||^2.
    const auto x2 = dbl({1, 2, 2, 0, 3, 4}, {2, 3}).requires_grad_(true);
    const auto half = 0.5 * x2.pow(2).sum(1, /*keepdim=*/true);
    // ||x_0||^2 = 9, ||x_1||^2 = 25 -> 17.
    VERIFY_NEAR(r2Penalty(torch::cat({half, half}, 1), x2).item<double>(), 17.0, 1e-12);
}

void TestLosses::r2PenaltyFiniteDifferences()
{
    torch::manual_seed(3);
    {
        ConvNet net;
        const auto code = torch::one_hot(torch::tensor({{0, 2}, {1, 1}, {2, 0}}, torch::kLong), 3).to(torch::kDouble);
        const auto x0 = torch::randn({3, 1, 4, 4}, torch::kDouble);
        checkPenalty([&](const torch::Tensor& x) { return r2Penalty(conditionalScores(net(x), code), x); },
                     [&](const torch::Tensor& x) { return conditionalScores(net(x), code).mean(1); }, x0,
                     {net.c1->weight, net.c2->weight, net.c2->bias, net.lin->weight});
        if (QTest::currentTestFailed())
            return;
    }
    {
        DenseNet net;
        const auto code = torch::one_hot(torch::tensor({{1, 0}, {0, 2}, {2, 2}}, torch::kLong), 3).to(torch::kDouble);
        const auto x0 = torch::randn({3, 5}, torch::kDouble);
        checkPenalty([&](const torch::Tensor& x) { return r2Penalty(conditionalScores(net(x), code), x); },
                     [&](const torch::Tensor& x) { return conditionalScores(net(x), code).mean(1); }, x0,
                     {net.l1->weight, net.l1->bias, net.l2->weight});
    }
}

void TestLosses::classifierGradientPenaltyFiniteDifferences()
{
    torch::manual_seed(4);
    // f_b = mean_l (1 - sum_k softmax(Q(x_b))[l, k] c[b, l, k])^2 (SPEC 4.5).
    const auto perSampleOf = [](auto& net, const torch::Tensor& code) {
        return [&net, code](const torch::Tensor& x) {
            const auto hit = (torch::softmax(net(x), -1) * code).sum(-1);
            return (1.0 - hit).pow(2).mean(1);
        };
    };
    {
        ConvNet net;
        const auto code = torch::one_hot(torch::tensor({{2, 1}, {0, 0}, {1, 2}}, torch::kLong), 3).to(torch::kDouble);
        const auto x0 = torch::randn({3, 1, 4, 4}, torch::kDouble);
        checkPenalty([&](const torch::Tensor& x) { return classifierGradientPenalty(net(x), code, x); },
                     perSampleOf(net, code), x0, {net.c1->weight, net.c2->weight, net.lin->weight, net.lin->bias});
        if (QTest::currentTestFailed())
            return;
    }
    {
        DenseNet net;
        // A soft code too (the penalty is defined for any code).
        auto code = torch::one_hot(torch::tensor({{0, 1}, {2, 0}, {1, 1}}, torch::kLong), 3).to(torch::kDouble);
        code[1][1] = dbl({0.2, 0.5, 0.3}, {3});
        const auto x0 = torch::randn({3, 5}, torch::kDouble);
        checkPenalty([&](const torch::Tensor& x) { return classifierGradientPenalty(net(x), code, x); },
                     perSampleOf(net, code), x0, {net.l1->weight, net.l2->weight, net.l2->bias});
    }
}

void TestLosses::penaltiesKeepTheScoreGraph()
{
    // The trainer adds the penalty to the adversarial loss computed from the
    // same scores and back-propagates once: the penalty must not free the
    // graph (retain_graph), and the sum's gradient is the sum of gradients.
    torch::manual_seed(5);
    ConvNet net;
    const auto code = torch::one_hot(torch::tensor({{0, 1}, {2, 2}, {1, 0}}, torch::kLong), 3).to(torch::kDouble);
    const auto x = torch::randn({3, 1, 4, 4}, torch::kDouble).requires_grad_(true);
    const auto weight = net.lin->weight;

    const auto gradOf = [&](const torch::Tensor& loss) {
        return torch::autograd::grad({loss}, {weight})[0];
    };
    const auto adv = [&]() { return discriminatorAdversarial(conditionalScores(net(x), code), conditionalScores(net(x), code)); };
    const auto gAdv = gradOf(adv());
    const auto gPen = gradOf(r2Penalty(conditionalScores(net(x), code), x));

    const auto scores = conditionalScores(net(x), code);
    const auto total = discriminatorAdversarial(scores, scores) + 10.0 * r2Penalty(scores, x);
    const auto gTotal = gradOf(total); // throws if the penalty freed the graph
    VERIFY_CLOSE(gTotal, gAdv + 10.0 * gPen, 1e-10);
}

QTEST_APPLESS_MAIN(TestLosses)
#include "test_losses.moc"
