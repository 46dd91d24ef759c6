// Sample quality metrics of SPEC 6: feature extractors, FID and
// precision / recall, and evaluate() that ties them to a trainer's G_ema.
#include "cgpgan/metrics.h"

#include "cgpgan/error.h"
#include "cgpgan/model.h"
#include "model/model_impl.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/script.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace cgpgan {

namespace {

std::string shapeOf(const torch::Tensor& t)
{
    std::ostringstream s;
    s << t.sizes();
    return s.str();
}

// [-1, 1] images as the 8-bit values a saved file would hold, as float 0..255.
torch::Tensor toByteRange(const torch::Tensor& images)
{
    return images.add(1.0).mul(127.5).round().clamp(0.0, 255.0);
}

torch::Tensor repeatGrey(const torch::Tensor& images)
{
    return images.size(1) == 1 ? images.expand({-1, 3, -1, -1}) : images;
}

} // namespace

// ---- FeatureExtractor ------------------------------------------------------

torch::Tensor FeatureExtractor::features(const torch::Tensor& images)
{
    if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3))
        throw Error("feature extraction needs images [n, 1 or 3, H, W], got " + shapeOf(images));
    torch::NoGradGuard noGrad;
    const int64_t n = images.size(0);
    std::vector<torch::Tensor> parts;
    for (int64_t i = 0; i < n; i += m_chunk) {
        const int64_t len = std::min(m_chunk, n - i);
        const auto f = extract(images.narrow(0, i, len).to(torch::kFloat));
        if (f.dim() < 1 || f.size(0) != len)
            throw Error(name() + " returned features of shape " + shapeOf(f) + " for " + std::to_string(len) +
                        " images");
        parts.push_back(f.reshape({len, -1}).to(torch::kCPU, torch::kFloat));
    }
    if (parts.empty())
        return torch::zeros({0, dimension()});
    return torch::cat(parts, 0);
}

// ---- TorchScriptExtractor --------------------------------------------------

struct TorchScriptExtractor::Module {
    torch::jit::Module module;
    bool returnFeatures = false; // forward has a return_features argument
};

TorchScriptExtractor::TorchScriptExtractor(const std::string& path, torch::Device device)
    : FeatureExtractor(64), m_path(path), m_name("torchscript:" + std::filesystem::path(path).filename().string()),
      m_device(device), m_module(std::make_unique<Module>())
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("feature network " + path + " does not exist (expected a TorchScript .pt file, e.g. "
                    "StyleGAN2-ADA's inception-2015-12-05.pt)");
    try {
        m_module->module = torch::jit::load(path, device);
    } catch (const std::exception& e) {
        throw Error("cannot load feature network " + path + " as TorchScript: " + userMessage(e));
    }
    m_module->module.eval();
    const auto forward = m_module->module.find_method("forward");
    if (!forward)
        throw Error("feature network " + path + " has no forward method");
    for (const auto& arg : forward->function().getSchema().arguments())
        if (arg.name() == "return_features")
            m_module->returnFeatures = true;
}

TorchScriptExtractor::~TorchScriptExtractor() = default;

torch::Tensor TorchScriptExtractor::run(const torch::Tensor& images) const
{
    // StyleGAN2-ADA's convention: NCHW, 3 channels, 0..255.
    const auto x = toByteRange(repeatGrey(images)).to(m_device).contiguous();
    torch::jit::Kwargs kwargs;
    if (m_module->returnFeatures)
        kwargs["return_features"] = true;
    torch::IValue out;
    try {
        out = m_module->module.forward({x}, kwargs);
    } catch (const std::exception& e) {
        throw Error("feature network " + m_path + " failed on images " + shapeOf(x) + ": " + userMessage(e));
    }
    if (out.isTuple() && !out.toTupleRef().elements().empty()) {
        torch::IValue first = out.toTupleRef().elements()[0];
        out = std::move(first);
    }
    if (!out.isTensor())
        throw Error("feature network " + m_path + " returned " + out.tagKind() + ", not a tensor");
    return out.toTensor();
}

torch::Tensor TorchScriptExtractor::extract(const torch::Tensor& images)
{
    auto f = run(images);
    m_dimension = f.numel() / std::max<int64_t>(1, images.size(0));
    return f;
}

int64_t TorchScriptExtractor::dimension() const
{
    if (m_dimension < 0) {
        torch::NoGradGuard noGrad;
        const auto f = run(torch::zeros({2, 3, 64, 64}));
        m_dimension = f.numel() / 2;
    }
    return m_dimension;
}

// ---- BuiltinExtractor ------------------------------------------------------

namespace {
constexpr uint64_t kBuiltinSeed = 0x6367706761'6e0001ULL; // fixed forever: changing it changes every number
constexpr int64_t kBuiltinWidths[] = {32, 64, 128};
constexpr int64_t kBuiltinMaxSize = 64;
} // namespace

BuiltinExtractor::BuiltinExtractor(torch::Device device) : FeatureExtractor(256), m_device(device)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(kBuiltinSeed);
    int64_t in = 3;
    for (const int64_t out : kBuiltinWidths) {
        // He initialisation for leaky ReLU (slope 0.2): activations keep their scale.
        const double std = std::sqrt(2.0 / (1.0 + 0.2 * 0.2) / double(in * 9));
        m_weights.push_back((torch::randn({out, in, 3, 3}, gen) * std).to(m_device));
        m_biases.push_back((torch::randn({out}, gen) * 0.1).to(m_device));
        in = out;
    }
}

std::string BuiltinExtractor::name() const
{
    return "builtin-random-conv-v1 (not Inception: numbers are only comparable with each other)";
}

torch::Tensor BuiltinExtractor::extract(const torch::Tensor& images)
{
    auto x = repeatGrey(images).to(m_device);
    if (x.size(2) > kBuiltinMaxSize || x.size(3) > kBuiltinMaxSize)
        x = torch::adaptive_avg_pool2d(x, {std::min(x.size(2), kBuiltinMaxSize), std::min(x.size(3), kBuiltinMaxSize)});
    const auto layer = [&](const torch::Tensor& h, size_t i) {
        return torch::leaky_relu(torch::conv2d(h, m_weights[i], m_biases[i], 1, 1), 0.2);
    };
    const auto half = [](const torch::Tensor& h) {
        return torch::avg_pool2d(h, 2, 2, 0, /*ceil_mode=*/true);
    };
    const auto h1 = layer(x, 0);
    const auto h2 = layer(half(h1), 1);
    const auto h3 = layer(half(h2), 2);
    return torch::cat({torch::adaptive_avg_pool2d(h1, {2, 2}).flatten(1),  // 32 x 4
                       torch::adaptive_avg_pool2d(h2, {2, 2}).flatten(1),  // 64 x 4
                       h3.mean({2, 3})},                                   // 128
                      1);
}

// ---- Frechet distance, FID -------------------------------------------------

double frechetDistance(const torch::Tensor& mu1, const torch::Tensor& sigma1, const torch::Tensor& mu2,
                       const torch::Tensor& sigma2)
{
    if (mu1.dim() != 1 || mu2.sizes() != mu1.sizes() || sigma1.dim() != 2 || sigma1.size(0) != mu1.size(0) ||
        sigma1.size(1) != mu1.size(0) || sigma2.sizes() != sigma1.sizes())
        throw Error("Frechet distance needs means [d] and covariances [d, d] of one size, got " + shapeOf(mu1) +
                    ", " + shapeOf(sigma1) + ", " + shapeOf(mu2) + ", " + shapeOf(sigma2));
    torch::NoGradGuard noGrad;
    const auto dbl = [](const torch::Tensor& t) { return t.to(torch::kCPU, torch::kDouble); };
    const auto m1 = dbl(mu1), m2 = dbl(mu2);
    // Symmetrise: covariances computed in floating point are only nearly so.
    const auto s1 = dbl(sigma1), s2 = dbl(sigma2);
    const auto S1 = (s1 + s1.t()) * 0.5, S2 = (s2 + s2.t()) * 0.5;
    const double meanTerm = (m1 - m2).pow(2).sum().item<double>();
    // S1^(1/2) from S1 = V diag(w) V^T.
    const auto [w, V] = at::linalg_eigh(S1, "L");
    const auto root1 = torch::matmul(V * w.clamp_min(0.0).sqrt().unsqueeze(0), V.t());
    // Tr (S1 S2)^(1/2) = sum sqrt(eig(S1^(1/2) S2 S1^(1/2))): similar matrices share eigenvalues.
    auto M = torch::matmul(torch::matmul(root1, S2), root1);
    M = (M + M.t()) * 0.5;
    const double traceRoot = at::linalg_eigvalsh(M, "L").clamp_min(0.0).sqrt().sum().item<double>();
    return meanTerm + S1.trace().item<double>() + S2.trace().item<double>() - 2.0 * traceRoot;
}

double fid(const torch::Tensor& featuresA, const torch::Tensor& featuresB)
{
    if (featuresA.dim() != 2 || featuresB.dim() != 2 || featuresA.size(1) != featuresB.size(1))
        throw Error("FID needs two feature sets [n, d] of the same d, got " + shapeOf(featuresA) + " and " +
                    shapeOf(featuresB));
    if (featuresA.size(0) < 2 || featuresB.size(0) < 2)
        throw Error("FID needs at least 2 samples per set, got " + std::to_string(featuresA.size(0)) + " and " +
                    std::to_string(featuresB.size(0)));
    torch::NoGradGuard noGrad;
    const auto stats = [](const torch::Tensor& f) {
        const auto x = f.to(torch::kCPU, torch::kDouble);
        const auto mu = x.mean(0);
        const auto centred = x - mu;
        return std::make_pair(mu, torch::matmul(centred.t(), centred) / double(x.size(0) - 1)); // unbiased
    };
    const auto [muA, sigmaA] = stats(featuresA);
    const auto [muB, sigmaB] = stats(featuresB);
    return frechetDistance(muA, sigmaA, muB, sigmaB);
}

// ---- Precision / recall ----------------------------------------------------

namespace {

// Rows per cdist block, so that one block holds at most ~16M distances (64 MiB).
int64_t rowsPerBlock(int64_t columns)
{
    return std::max<int64_t>(1, (int64_t(1) << 24) / std::max<int64_t>(1, columns));
}

// Distance from each point to its k-th nearest neighbour in the same set,
// itself excluded: the (k+1)-th smallest distance of its row, whose smallest
// is its zero distance to itself (a duplicate point counts as a neighbour).
torch::Tensor kthNeighbourRadii(const torch::Tensor& x, int k)
{
    const int64_t n = x.size(0);
    const int64_t block = rowsPerBlock(n);
    std::vector<torch::Tensor> parts;
    for (int64_t i = 0; i < n; i += block) {
        const auto d = torch::cdist(x.narrow(0, i, std::min(block, n - i)), x);
        parts.push_back(std::get<0>(d.kthvalue(k + 1, 1)));
    }
    return torch::cat(parts, 0);
}

// Share of `points` within radius[j] of some centre j.
double coveredShare(const torch::Tensor& points, const torch::Tensor& centres, const torch::Tensor& radii)
{
    const int64_t n = points.size(0);
    const int64_t block = rowsPerBlock(centres.size(0));
    const auto r = radii.unsqueeze(0);
    int64_t inside = 0;
    for (int64_t i = 0; i < n; i += block) {
        const auto d = torch::cdist(points.narrow(0, i, std::min(block, n - i)), centres);
        inside += (d <= r).any(1).sum().item<int64_t>();
    }
    return double(inside) / double(n);
}

} // namespace

PrecisionRecall precisionRecall(const torch::Tensor& real, const torch::Tensor& fake, int k)
{
    if (real.dim() != 2 || fake.dim() != 2 || real.size(1) != fake.size(1))
        throw Error("precision / recall need two feature sets [n, d] of the same d, got " + shapeOf(real) +
                    " and " + shapeOf(fake));
    if (k < 1)
        throw Error("precision / recall need k >= 1, got " + std::to_string(k));
    if (real.size(0) <= k || fake.size(0) <= k)
        throw Error("precision / recall with k = " + std::to_string(k) + " need more than " + std::to_string(k) +
                    " samples per set, got " + std::to_string(real.size(0)) + " and " +
                    std::to_string(fake.size(0)));
    torch::NoGradGuard noGrad;
    // Distances do not change under a common shift; centring on the real mean
    // keeps the norms small, which makes cdist's |a|^2 + |b|^2 - 2ab accurate.
    const auto centre = real.to(torch::kCPU, torch::kDouble).mean(0);
    const auto r = (real.to(torch::kCPU, torch::kDouble) - centre).to(torch::kFloat).contiguous();
    const auto f = (fake.to(torch::kCPU, torch::kDouble) - centre).to(torch::kFloat).contiguous();
    PrecisionRecall out;
    out.precision = coveredShare(f, r, kthNeighbourRadii(r, k));
    out.recall = coveredShare(r, f, kthNeighbourRadii(f, k));
    return out;
}

// ---- evaluate --------------------------------------------------------------

EvalReport evaluate(const Model& model, const Dataset& real, FeatureExtractor& extractor, int64_t samples,
                    uint64_t seed, const std::function<bool(int64_t, int64_t)>& progress)
{
    const auto started = std::chrono::steady_clock::now();
    const auto& m = model.config().model;
    if (m.arch != Arch::Conv)
        throw Error("FID, precision and recall need an image model; this one (" + std::string(nameOf(m.arch)) + ") makes points");
    if (!real.isImages() || real.channels != m.channels || real.height != m.resolution ||
        real.width != m.resolution)
        throw Error("\"" + real.name + "\" images are " + std::to_string(real.channels) + "x" +
                    std::to_string(real.height) + "x" + std::to_string(real.width) + ", the model makes " +
                    std::to_string(m.channels) + "x" + std::to_string(m.resolution) + "x" +
                    std::to_string(m.resolution));
    EvalReport report;
    const int64_t n = std::min(samples, real.count);
    if (n <= report.k)
        throw Error("evaluation needs more than " + std::to_string(report.k) + " samples, got " +
                    std::to_string(n) + (samples > real.count ? " (the data has only that many)" : ""));
    constexpr int64_t kChunk = 256;
    const int64_t total = 2 * n;
    const auto tick = [&](int64_t done) {
        if (progress && !progress(done, total))
            throw Error("evaluation cancelled");
    };

    // Real: all images, or a seeded random subset (sorted, for locality).
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto pixels = torch::from_blob(const_cast<uint8_t*>(real.pixels.data()),
                                         {real.count, real.channels, real.height, real.width}, torch::kUInt8);
    const auto index = n == real.count ? torch::arange(n, torch::kLong)
                                       : std::get<0>(torch::randperm(real.count, gen, torch::kLong).narrow(0, 0, n).sort());
    std::vector<torch::Tensor> realParts, fakeParts;
    for (int64_t i = 0; i < n; i += kChunk) {
        const auto x = pixels.index_select(0, index.narrow(0, i, std::min(kChunk, n - i)));
        realParts.push_back(extractor.features(toModelInput(x)));
        tick(i + x.size(0));
    }

    // Fake: G_ema(z, c), z from the trainer's latent rows, c ~ P(C) label by
    // label (SPEC 2), both from their own seeds.
    const auto z = model.latentRows(n, seed);
    const auto idx = torch::multinomial(model.prior(), n, /*replacement=*/true, gen); // [d_l, n]
    const auto c = torch::one_hot(idx.t(), m.dC).to(torch::kFloat);
    for (int64_t i = 0; i < n; i += kChunk) {
        const int64_t len = std::min(kChunk, n - i);
        fakeParts.push_back(extractor.features(model.generate(z.narrow(0, i, len), c.narrow(0, i, len))));
        tick(n + i + len);
    }

    const auto realFeatures = torch::cat(realParts, 0);
    const auto fakeFeatures = torch::cat(fakeParts, 0);
    const auto pr = precisionRecall(realFeatures, fakeFeatures, report.k);
    report.extractor = extractor.name();
    report.dimension = realFeatures.size(1);
    report.realSamples = n;
    report.fakeSamples = n;
    report.step = model.step();
    report.fid = fid(realFeatures, fakeFeatures);
    report.precision = pr.precision;
    report.recall = pr.recall;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace cgpgan
