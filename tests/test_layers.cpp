// Layers and networks (SPEC 3): equalized learning rate, the [1,3,3,1] blur
// and the blurred resampling (checked against values worked out by hand and
// against the blur-only reference), the one-hot code normalisation, the
// codebook (pages select / mix linearly and feed G exactly as described), and
// the output shapes of every network mode.
#include "cgpgan/config.h"
#include "cgpgan/layers.h"
#include "cgpgan/networks.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <cmath>
#include <string>
#include <vector>

using namespace cgpgan;
using torch::indexing::Slice;

namespace {

// conv2d stride / padding arguments as explicit lists (a bare 0 or brace list
// is ambiguous with the string padding overload).
const std::vector<int64_t> kS1{1, 1}, kS2{2, 2}, kP0{0, 0};
std::vector<int64_t> pad2(int64_t p) { return {p, p}; }

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

std::string shapeOf(const torch::Tensor& t)
{
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

#define VERIFY_SHAPE(tensor, ...)                                                                   \
    do {                                                                                            \
        const std::vector<int64_t> expected_{__VA_ARGS__};                                          \
        const auto actual_ = (tensor);                                                              \
        QVERIFY2(actual_.sizes().vec() == expected_,                                                \
                 qPrintable(QString::fromStdString("shape " + shapeOf(actual_))));                  \
    } while (0)

#define VERIFY_CLOSE(a, b, tol)                                                                     \
    do {                                                                                            \
        const double d_ = maxAbsDiff((a), (b));                                                     \
        QVERIFY2(d_ <= (tol), qPrintable(QStringLiteral("max |difference| = %1 > %2").arg(d_).arg(tol))); \
    } while (0)

// The 1-D taps [1,3,3,1]/8; the 2-D filter is their outer product.
const double kTaps[4] = {1.0 / 8, 3.0 / 8, 3.0 / 8, 1.0 / 8};

// Reference blur written independently of layers.cpp: depthwise correlation
// with outer([1,3,3,1])/64 after zero padding (pad0 before, pad1 after).
torch::Tensor referenceBlur(const torch::Tensor& x, int64_t pad0, int64_t pad1)
{
    const auto taps = torch::tensor({1.0, 3.0, 3.0, 1.0}, x.options());
    const auto k = (torch::outer(taps, taps) / 64.0).view({1, 1, 4, 4}).repeat({x.size(1), 1, 1, 1});
    const auto padded = torch::constant_pad_nd(x, {pad0, pad1, pad0, pad1});
    return torch::conv2d(padded, k, torch::Tensor(), kS1, kP0, kS1, x.size(1));
}

// The small conv model of the brief: R = 16 (two blocks), W = 8.
Config smallConvConfig(bool codebook)
{
    Config c;
    c.model.arch = cgpgan::Arch::Conv;
    c.model.resolution = 16;
    c.model.channels = 3;
    c.model.gWidths = {8, 4};
    c.model.dWidths = {4, 8};
    c.model.dZ = 8;
    c.model.dL = 2;
    c.model.dC = 3;
    c.model.codebook = codebook;
    return c;
}

Config smallMlpConfig(bool codebook)
{
    Config c;
    c.data.kind = cgpgan::DataKind::Toy2d;
    c.model.arch = cgpgan::Arch::Mlp;
    c.model.channels = 2;
    c.model.mlpHidden = {16, 16};
    c.model.dZ = 8;
    c.model.dL = 2;
    c.model.dC = 3;
    c.model.codebook = codebook;
    return c;
}

// One-hot codes [b, d_l, d_c] from category indices [b, d_l].
torch::Tensor oneHot(const std::vector<std::vector<int64_t>>& cats, int64_t dC)
{
    const auto b = int64_t(cats.size());
    const auto dL = int64_t(cats.front().size());
    auto c = torch::zeros({b, dL, dC});
    for (int64_t i = 0; i < b; ++i)
        for (int64_t l = 0; l < dL; ++l)
            c[i][l][cats[size_t(i)][size_t(l)]] = 1.0;
    return c;
}

} // namespace

class TestLayers final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void equalizedLinear();
    void equalizedConvNone();
    void blurKernelValues();
    void resampleShapes();
    void upsampleValues();
    void downsampleValues();
    void resamplingConvSizes();
    void resamplingConvMatchesBlurReference();
    void normaliseCodeStatistics();
    void codebookPages();
    void codebookFeedsGenerator();
    void networkShapesConv();
    void networkShapesMlp();
};

void TestLayers::initTestCase()
{
    torch::set_num_threads(2);
    torch::manual_seed(12345);
}

void TestLayers::equalizedLinear()
{
    torch::manual_seed(1);
    // 512 x 512 = 262144 stored weights ~ N(0,1): the standard error of the
    // sample std is 1/sqrt(2n) ~ 0.0014 and of the mean 1/sqrt(n) ~ 0.002, so
    // 0.02 is > 10 standard errors, while a weight stored already scaled
    // (std 1/sqrt(512) ~ 0.044) or U(-1,1) (std 0.58) fails clearly.
    EqualizedLinear big(512, 512);
    VERIFY_SHAPE(big->weight, 512, 512);
    QVERIFY(std::abs(big->weight.std().item<double>() - 1.0) < 0.02);
    QVERIFY(std::abs(big->weight.mean().item<double>()) < 0.02);
    QVERIFY(big->bias.defined());
    QCOMPARE(big->bias.abs().max().item<double>(), 0.0);
    QCOMPARE(big->scale, 1.0 / std::sqrt(512.0));

    // Forward = x W^T / sqrt(in_features) + b, in double so the comparison is
    // at rounding level (1e-12 on values of order 1).
    EqualizedLinear lin(7, 5);
    lin->to(torch::kDouble);
    {
        torch::NoGradGuard ng;
        lin->bias.copy_(torch::randn({5}, torch::kDouble)); // make the bias visible
    }
    const auto x = torch::randn({4, 7}, torch::kDouble);
    const auto expected = torch::matmul(x, lin->weight.t()) / std::sqrt(7.0) + lin->bias;
    VERIFY_CLOSE(lin->forward(x), expected, 1e-12);

    EqualizedLinear noBias(7, 5, /*bias=*/false);
    noBias->to(torch::kDouble);
    QVERIFY(!noBias->bias.defined());
    QCOMPARE(int(noBias->parameters().size()), 1);
    VERIFY_CLOSE(noBias->forward(x), torch::matmul(x, noBias->weight.t()) / std::sqrt(7.0), 1e-12);
}

void TestLayers::equalizedConvNone()
{
    torch::manual_seed(2);
    // 96 x 96 x 3 x 3 = 82944 weights: same reasoning as above (SE ~ 0.0025
    // for the std, 0.0035 for the mean; tolerance 0.02).
    EqualizedConv2d big(96, 96, 3);
    VERIFY_SHAPE(big->weight, 96, 96, 3, 3);
    QVERIFY(std::abs(big->weight.std().item<double>() - 1.0) < 0.02);
    QVERIFY(std::abs(big->weight.mean().item<double>()) < 0.02);
    QCOMPARE(big->bias.abs().max().item<double>(), 0.0);
    // fan_in = k * k * in_channels = 3 * 3 * 96.
    QCOMPARE(big->scale, 1.0 / std::sqrt(9.0 * 96.0));

    for (int64_t k : {1, 3, 5}) {
        EqualizedConv2d conv(3, 4, k);
        conv->to(torch::kDouble);
        {
            torch::NoGradGuard ng;
            conv->bias.copy_(torch::randn({4}, torch::kDouble));
        }
        const auto x = torch::randn({2, 3, 8, 8}, torch::kDouble);
        const double fanIn = double(k * k * 3);
        const auto expected = torch::conv2d(x, conv->weight / std::sqrt(fanIn), conv->bias, kS1, pad2(k / 2));
        const auto y = conv->forward(x);
        VERIFY_SHAPE(y, 2, 4, 8, 8); // 'same' padding
        VERIFY_CLOSE(y, expected, 1e-12);
    }
    // A non-resampling conv with an even kernel has no 'same' padding.
    QVERIFY_THROWS_EXCEPTION(std::exception, EqualizedConv2d(3, 4, 2));
}

void TestLayers::blurKernelValues()
{
    const auto k = blurKernel().to(torch::kDouble);
    VERIFY_SHAPE(k, 4, 4);
    // Entries are multiples of 1/64, exact in float: compare exactly (1e-15).
    QVERIFY(std::abs(k.sum().item<double>() - 1.0) < 1e-15);
    VERIFY_CLOSE(k, k.t(), 0.0);
    VERIFY_CLOSE(k, k.flip({0}), 0.0);
    VERIFY_CLOSE(k, k.flip({1}), 0.0);
    const double taps[4] = {1, 3, 3, 1};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            QCOMPARE(k[i][j].item<double>(), taps[i] * taps[j] / 64.0);
}

void TestLayers::resampleShapes()
{
    for (int64_t h : {4, 8, 16}) {
        const auto x = torch::randn({2, 3, h, h});
        VERIFY_SHAPE(upsample2(x), 2, 3, 2 * h, 2 * h);
        VERIFY_SHAPE(downsample2(x), 2, 3, h / 2, h / 2);
    }
    // Non-square input: each axis on its own.
    const auto x = torch::randn({1, 2, 8, 4});
    VERIFY_SHAPE(upsample2(x), 1, 2, 16, 8);
    VERIFY_SHAPE(downsample2(x), 1, 2, 4, 2);
}

void TestLayers::upsampleValues()
{
    // Constant image: zero insertion keeps 1 sample in 4, the filter sums to
    // 1, so gain 4 restores the constant. In 1-D (gain 2 per axis), output m
    // sees taps [1,3,3,1]/8 over zero-inserted inputs m-2..m+1, two of which
    // are real samples: (1+3)/8 * 2 = 1 for 1 <= m <= 2H-2; at m = 0 and
    // m = 2H-1 only one tap (3/8) lands on the image: 0.75. Values are exact
    // binary fractions; 1e-6 is float rounding.
    const int64_t h = 8;
    const auto up = upsample2(torch::full({1, 2, h, h}, 0.7f));
    const auto inner = up.index({Slice(), Slice(), Slice(1, 2 * h - 1), Slice(1, 2 * h - 1)});
    VERIFY_CLOSE(inner, torch::full_like(inner, 0.7f), 1e-6);
    QVERIFY(std::abs(up[0][0][0][5].item<double>() - 0.7 * 0.75) < 1e-6);
    QVERIFY(std::abs(up[0][1][0][0].item<double>() - 0.7 * 0.75 * 0.75) < 1e-6);

    // One output pixel by hand, random input. Even m = 2r: x[r-1]/4 + 3x[r]/4;
    // odd m = 2r+1: 3x[r]/4 + x[r+1]/4 (per axis). Pixel (5, 4): rows
    // {2: 3/4, 3: 1/4} x columns {1: 1/4, 2: 3/4}.
    torch::manual_seed(3);
    const auto x = torch::randn({1, 1, h, h}, torch::kDouble);
    const auto y = upsample2(x);
    auto X = [&](int i, int j) { return x[0][0][i][j].item<double>(); };
    const double expected = 0.75 * 0.25 * X(2, 1) + 0.75 * 0.75 * X(2, 2) + 0.25 * 0.25 * X(3, 1) +
                            0.25 * 0.75 * X(3, 2);
    QVERIFY(std::abs(y[0][0][5][4].item<double>() - expected) < 1e-12);
    // And the whole interior from the same rule, as a separable matrix:
    // y = A x A^T with A[m, r] the per-axis weights.
    auto A = torch::zeros({2 * h, h}, torch::kDouble);
    for (int64_t r = 0; r < h; ++r) {
        if (r >= 1) A[2 * r][r - 1] = 0.25;
        A[2 * r][r] = 0.75;
        A[2 * r + 1][r] = 0.75;
        if (r + 1 < h) A[2 * r + 1][r + 1] = 0.25;
    }
    VERIFY_CLOSE(y[0][0], torch::matmul(torch::matmul(A, x[0][0]), A.t()), 1e-12);
}

void TestLayers::downsampleValues()
{
    // Constant image: output n averages inputs 2n-1..2n+2 with [1,3,3,1]/8 per
    // axis, all inside the image for 1 <= n <= H/2-2 -> the constant.
    const int64_t h = 16;
    const auto down = downsample2(torch::full({1, 1, h, h}, -0.4f));
    const auto inner = down.index({Slice(), Slice(), Slice(1, h / 2 - 1), Slice(1, h / 2 - 1)});
    VERIFY_CLOSE(inner, torch::full_like(inner, -0.4f), 1e-6);

    // One interior output pixel computed by hand from the 4x4 filter:
    // out[i][j] = sum_{a,b} f[a] f[b] x[2i-1+a][2j-1+b], f = [1,3,3,1]/8.
    torch::manual_seed(4);
    const auto x = torch::randn({1, 1, h, h}, torch::kDouble);
    const auto y = downsample2(x);
    VERIFY_SHAPE(y, 1, 1, h / 2, h / 2);
    for (auto [i, j] : {std::pair<int, int>{2, 1}, {3, 5}, {1, 6}}) {
        double expected = 0;
        for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 4; ++b)
                expected += kTaps[a] * kTaps[b] * x[0][0][2 * i - 1 + a][2 * j - 1 + b].item<double>();
        QVERIFY2(std::abs(y[0][0][i][j].item<double>() - expected) < 1e-12,
                 qPrintable(QStringLiteral("pixel (%1, %2)").arg(i).arg(j)));
    }
    // The blurred 2x2 neighbourhood is weighted 9/64 each, i.e. the result is
    // a blurred 2x2 average; a checkerboard (Nyquist) is removed entirely in
    // the interior: taps 1-3+3-1 = 0.
    auto checker = torch::ones({1, 1, h, h});
    for (int64_t r = 0; r < h; ++r)
        for (int64_t c = 0; c < h; ++c)
            if ((r + c) % 2) checker[0][0][r][c] = -1.0;
    const auto dc = downsample2(checker).index({0, 0, Slice(1, h / 2 - 1), Slice(1, h / 2 - 1)});
    VERIFY_CLOSE(dc, torch::zeros_like(dc), 1e-6);
}

void TestLayers::resamplingConvSizes()
{
    for (int64_t h : {4, 8, 16})
        for (int64_t k : {2, 3}) {
            const auto x = torch::randn({2, 3, h, h});
            EqualizedConv2d up(3, 5, k, Resample::Up);
            EqualizedConv2d down(3, 5, k, Resample::Down);
            QCOMPARE(up->scale, 1.0 / std::sqrt(double(k * k * 3)));
            QCOMPARE(down->scale, 1.0 / std::sqrt(double(k * k * 3)));
            VERIFY_SHAPE(up->forward(x), 2, 5, 2 * h, 2 * h);
            VERIFY_SHAPE(down->forward(x), 2, 5, h / 2, h / 2);
        }
}

void TestLayers::resamplingConvMatchesBlurReference()
{
    torch::manual_seed(5);
    const int64_t h = 8, in = 3, out = 4;
    const auto x = torch::randn({2, in, h, h}, torch::kDouble);
    const auto setBias = [](EqualizedConv2d& conv) {
        torch::NoGradGuard ng;
        conv->bias.copy_(torch::randn({conv->bias.size(0)}, torch::kDouble));
    };

    // k = 1: the resampling conv is the blur-only resampling followed by a
    // channel mix with weight / sqrt(in) (fan_in = 1*1*in); exact everywhere.
    {
        EqualizedConv2d up(in, out, 1, Resample::Up), down(in, out, 1, Resample::Down);
        up->to(torch::kDouble);
        down->to(torch::kDouble);
        setBias(up);
        setBias(down);
        const auto mixUp = torch::conv2d(upsample2(x), up->weight / std::sqrt(double(in)), up->bias);
        VERIFY_CLOSE(up->forward(x), mixUp, 1e-12);
        const auto mixDown = torch::conv2d(downsample2(x), down->weight / std::sqrt(double(in)), down->bias);
        VERIFY_CLOSE(down->forward(x), mixDown, 1e-12);
    }

    // Up, k in {2, 3}: transposed conv then blur (gain 4) equals, by
    // commutativity of the two filters, upsample2 followed by a correlation
    // with the spatially flipped kernel, padding q = 1 (StyleGAN2's pads:
    // p = 3 - k, pad0 = (p+1)/2 + 1, q = k - 3 + pad0). The fused layer blurs
    // the full transposed-conv output, the reference zero-pads upsample2's
    // output, so they agree away from the border: outputs 1 .. 2H-1-(k-1-q).
    for (int64_t k : {2, 3}) {
        EqualizedConv2d up(in, out, k, Resample::Up);
        up->to(torch::kDouble);
        setBias(up);
        const double s = 1.0 / std::sqrt(double(k * k * in));
        const int64_t q = 1;
        const auto ref = torch::conv2d(torch::constant_pad_nd(upsample2(x), {q, q, q, q}),
                                       up->weight.flip({2, 3}) * s, up->bias);
        const int64_t last = 2 * h - 1 - (k - 1 - q); // inclusive
        const auto sl = Slice(1, last + 1);
        VERIFY_CLOSE(up->forward(x).index({Slice(), Slice(), sl, sl}), ref.index({Slice(), Slice(), sl, sl}),
                     1e-12);
    }

    // Down, k in {2, 3}: blur with StyleGAN2's pads (p = k + 1, ((p+1)/2, p/2))
    // then a stride-2 correlation; reference built from referenceBlur.
    for (int64_t k : {2, 3}) {
        EqualizedConv2d down(in, out, k, Resample::Down);
        down->to(torch::kDouble);
        setBias(down);
        const int64_t p = k + 1;
        const double s = 1.0 / std::sqrt(double(k * k * in));
        const auto ref = torch::conv2d(referenceBlur(x, (p + 1) / 2, p / 2), down->weight * s, down->bias, kS2);
        VERIFY_CLOSE(down->forward(x), ref, 1e-12);
    }
}

void TestLayers::normaliseCodeStatistics()
{
    torch::manual_seed(6);
    for (int64_t dC : {2, 3, 4, 7}) {
        const int64_t b = 6, dL = 3;
        const auto idx = torch::randint(dC, {b, dL}, torch::kLong);
        const auto c = torch::one_hot(idx, dC).to(torch::kFloat);
        const auto n = normaliseCode(c);
        VERIFY_SHAPE(n, b, dL * dC);
        const auto per = n.view({b, dL, dC}).to(torch::kDouble);
        // Zero mean, unit population variance (divide by d_c) per label; float
        // rounding of values ~sqrt(d_c-1) gives errors ~1e-7: tolerance 1e-5.
        VERIFY_CLOSE(per.mean(-1), torch::zeros({b, dL}, torch::kDouble), 1e-5);
        VERIFY_CLOSE(per.var(-1, /*unbiased=*/false), torch::ones({b, dL}, torch::kDouble), 1e-5);
        // Hot entry sqrt(d_c - 1), others -1/sqrt(d_c - 1).
        const double hot = std::sqrt(double(dC - 1)), cold = -1.0 / std::sqrt(double(dC - 1));
        const auto expected = c.to(torch::kDouble) * (hot - cold) + cold;
        VERIFY_CLOSE(per, expected, 1e-5);
    }
}

void TestLayers::codebookPages()
{
    torch::manual_seed(7);
    const Config cfg = smallConvConfig(true);
    cfg.validate();
    const auto& m = cfg.model;
    QCOMPARE(m.pageSize(), 16 * 8 / 2);
    Generator g(m);
    VERIFY_SHAPE(g->codebook, 2, 3, 64);
    const auto B = g->codebook.detach();

    // One-hot: page of label l is exactly B[l][k_l]; concatenated over labels.
    // (Products with 1 and sums with 0 are exact; 1e-6 allows any summation order.)
    const std::vector<std::vector<int64_t>> cats{{0, 2}, {1, 1}, {2, 0}, {1, 2}};
    const auto c = oneHot(cats, 3);
    const auto pages = g->pages(c).detach();
    VERIFY_SHAPE(pages, 4, 2 * 64);
    for (size_t i = 0; i < cats.size(); ++i) {
        const auto expected = torch::cat({B[0][cats[i][0]], B[1][cats[i][1]]});
        VERIFY_CLOSE(pages[int64_t(i)], expected, 1e-6);
    }
    // Distinct codes give distinct pages (the code reaches the pages at all).
    QVERIFY(maxAbsDiff(pages[0], pages[1]) > 0.1);

    // Soft code: convex mix. Label 0: 0.3 e_0 + 0.7 e_2; label 1: 0.3 e_1 + 0.7 e_0.
    // Float: |B| ~ 3 at most, three products and two sums -> ~1e-6; tolerance 1e-5.
    auto soft = torch::zeros({1, 2, 3});
    soft[0][0][0] = 0.3;
    soft[0][0][2] = 0.7;
    soft[0][1][1] = 0.3;
    soft[0][1][0] = 0.7;
    const auto mixed = g->pages(soft).detach();
    const auto expected =
        torch::cat({0.3 * B[0][0] + 0.7 * B[0][2], 0.3 * B[1][1] + 0.7 * B[1][0]}).unsqueeze(0);
    VERIFY_CLOSE(mixed, expected, 1e-5);
    // ... which is the same mix of the one-hot pages.
    const auto pa = g->pages(oneHot({{0, 1}}, 3)).detach();
    const auto pb = g->pages(oneHot({{2, 0}}, 3)).detach();
    VERIFY_CLOSE(mixed, 0.3 * pa + 0.7 * pb, 1e-5);

    // The codebook is a generator weight: the generator output back-propagates
    // into the selected pages only (unselected pages get exactly zero).
    g->zero_grad();
    const auto z = torch::randn({1, m.dZ});
    g->forward(z, oneHot({{1, 2}}, 3)).pow(2).sum().backward();
    const auto grad = g->codebook.grad();
    QVERIFY(grad.defined());
    QVERIFY(grad[0][1].abs().sum().item<double>() > 0);
    QVERIFY(grad[1][2].abs().sum().item<double>() > 0);
    QCOMPARE(grad[0][0].abs().sum().item<double>(), 0.0);
    QCOMPARE(grad[0][2].abs().sum().item<double>(), 0.0);
    QCOMPARE(grad[1][0].abs().sum().item<double>(), 0.0);
    QCOMPARE(grad[1][1].abs().sum().item<double>(), 0.0);
}

void TestLayers::codebookFeedsGenerator()
{
    // G(z, soft c) is G run on the z map (channels 0..W-1) and the mixed pages
    // (channels W..2W-1, each label's page filling 4x4xW/d_l): rebuilt here
    // from the public parts. Same float ops -> tolerance 1e-5 for ordering.
    torch::manual_seed(8);
    const Config cfg = smallConvConfig(true);
    const auto& m = cfg.model;
    Generator g(m);
    g->eval();
    torch::NoGradGuard ng;
    const int64_t b = 3, W = m.topWidth();
    const auto z = torch::randn({b, m.dZ});
    auto soft = torch::zeros({b, 2, 3});
    soft.index_put_({Slice(), 0, 0}, 0.3);
    soft.index_put_({Slice(), 0, 2}, 0.7);
    soft.index_put_({Slice(), 1, 1}, 0.3);
    soft.index_put_({Slice(), 1, 0}, 0.7);
    const auto B = g->codebook;
    const auto mixed = torch::cat({0.3 * B[0][0] + 0.7 * B[0][2], 0.3 * B[1][1] + 0.7 * B[1][0]})
                           .unsqueeze(0)
                           .expand({b, -1});
    auto h = torch::cat({lrelu(g->input->forward(z)), mixed}, 1).view({b, 2 * W, 4, 4});
    for (const auto& block : *g->blocks)
        h = block->as<ResidualUpBlock>()->forward(h);
    const auto expected = g->toImage->forward(h);
    const auto y = g->forward(z, soft);
    VERIFY_SHAPE(y, b, 3, 16, 16);
    VERIFY_CLOSE(y, expected, 1e-5);

    // The page half really is the upper W channels: changing only the pages
    // (another code) with the same z changes the output.
    const auto other = g->forward(z, oneHot({{1, 1}, {1, 1}, {1, 1}}, 3));
    QVERIFY(maxAbsDiff(y, other) > 1e-3);
}

void TestLayers::networkShapesConv()
{
    torch::manual_seed(9);
    const int64_t b = 5;
    for (bool codebook : {true, false}) {
        const Config cfg = smallConvConfig(codebook);
        cfg.validate();
        const auto& m = cfg.model;
        Generator g(m);
        const int64_t W = m.topWidth();
        if (codebook) {
            // z -> dense -> 4x4xW (SPEC 3).
            VERIFY_SHAPE(g->input->weight, 16 * W, m.dZ);
            QVERIFY(g->codebook.defined());
        } else {
            // [z, normalised c] -> dense -> 4x4x2W.
            VERIFY_SHAPE(g->input->weight, 16 * 2 * W, m.dZ + m.dL * m.dC);
            QVERIFY(!g->codebook.defined());
        }
        QCOMPARE(int(g->blocks->size()), 2);
        const auto z = torch::randn({b, m.dZ});
        const auto c = torch::one_hot(torch::randint(m.dC, {b, m.dL}, torch::kLong), m.dC).to(torch::kFloat);
        const auto y = g->forward(z, c);
        VERIFY_SHAPE(y, b, 3, 16, 16);
        QVERIFY(torch::isfinite(y).all().item<bool>());

        Encoder d(m, m.dL * m.dC), v(m, 1);
        VERIFY_SHAPE(d->forward(y), b, m.dL * m.dC);
        VERIFY_SHAPE(v->forward(y), b, 1); // vanilla D
        QCOMPARE(int(d->blocks->size()), 2);
    }
    // Grey images.
    Config grey = smallConvConfig(true);
    grey.model.channels = 1;
    grey.validate();
    Generator g(grey.model);
    Encoder d(grey.model, 6);
    const auto y = g->forward(torch::randn({2, 8}), oneHot({{0, 1}, {2, 2}}, 3));
    VERIFY_SHAPE(y, 2, 1, 16, 16);
    VERIFY_SHAPE(d->forward(y), 2, 6);
}

void TestLayers::networkShapesMlp()
{
    torch::manual_seed(10);
    const int64_t b = 7;
    for (bool codebook : {true, false}) {
        const Config cfg = smallMlpConfig(codebook);
        cfg.validate();
        const auto& m = cfg.model;
        Generator g(m);
        if (codebook) {
            QCOMPARE(m.pageSize(), 16 / 2);
            VERIFY_SHAPE(g->codebook, 2, 3, 8);
            VERIFY_SHAPE(g->pages(oneHot({{0, 1}}, 3)), 1, 16);
        }
        const auto z = torch::randn({b, m.dZ});
        const auto c = torch::one_hot(torch::randint(m.dC, {b, m.dL}, torch::kLong), m.dC).to(torch::kFloat);
        const auto y = g->forward(z, c);
        VERIFY_SHAPE(y, b, 2);
        Encoder d(m, m.dL * m.dC), v(m, 1);
        VERIFY_SHAPE(d->forward(y), b, 6);
        VERIFY_SHAPE(v->forward(y), b, 1);
    }
    // mlp needs toy2d data (validate() must say so).
    Config bad = smallMlpConfig(true);
    bad.data.kind = cgpgan::DataKind::Builtin;
    QVERIFY_THROWS_EXCEPTION(std::exception, bad.validate());
}

QTEST_APPLESS_MAIN(TestLayers)
#include "test_layers.moc"
