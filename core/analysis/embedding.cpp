// The cluster map (embedding.h): Q's penultimate features -> PCA or t-SNE.
#include "cgpgan/embedding.h"

#include "cgpgan/combinations.h"
#include "cgpgan/error.h"
#include "cgpgan/model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace cgpgan {
namespace {

// Pairwise squared Euclidean distances of the rows of x, clamped at 0.
torch::Tensor squaredDistances(const torch::Tensor& x)
{
    const auto norms = x.square().sum(1);
    return (norms.unsqueeze(1) + norms.unsqueeze(0) - 2.0 * x.matmul(x.t())).clamp_min(0.0);
}

} // namespace

torch::Tensor pcaProjection(const torch::Tensor& x, int64_t k, torch::Tensor* explained)
{
    if (x.dim() != 2 || x.size(0) < 2 || k < 1 || k > x.size(1))
        throw Error("PCA needs at least 2 samples and 1 <= k <= their dimension");
    const auto centred = x.to(torch::kDouble) - x.to(torch::kDouble).mean(0, /*keepdim=*/true);
    const auto covariance = centred.t().matmul(centred) / double(x.size(0) - 1);
    const auto [values, vectors] = at::linalg_eigh(covariance, "L"); // ascending
    const auto d = x.size(1);
    const auto order = torch::arange(d - 1, d - 1 - k, -1, torch::kLong);
    auto axes = vectors.index_select(1, order); // [d, k], largest variance first
    // The sign of an eigenvector is the solver's choice: make each axis's
    // largest-magnitude loading positive.
    const auto pivot = axes.abs().argmax(0);
    const auto signs = axes.gather(0, pivot.unsqueeze(0)).sign().clamp_min(0) * 2 - 1;
    axes = axes * signs;
    if (explained) {
        const double total = values.clamp_min(0).sum().item<double>();
        *explained = total > 0 ? (values.index_select(0, order).clamp_min(0) / total).to(torch::kFloat)
                               : torch::zeros({k});
    }
    return centred.matmul(axes).to(torch::kFloat);
}

torch::Tensor tsneAffinities(const torch::Tensor& x, double perplexity, torch::Tensor* rowPerplexity)
{
    const int64_t n = x.size(0);
    if (x.dim() != 2 || n < 2 || !(perplexity >= 1))
        throw Error("t-SNE affinities need at least 2 samples and a perplexity >= 1");
    const auto eye = torch::eye(n, torch::kBool);
    // float: n^2 entries (10000 points: 400 MB a matrix); the bisection needs no more.
    auto distances = squaredDistances(x.to(torch::kFloat));
    // Shift each row by its smallest off-diagonal distance (P and its entropy
    // do not change; exp no longer underflows for far-away rows).
    const auto offDiagonal = distances.masked_fill(eye, std::numeric_limits<float>::infinity());
    distances = (distances - std::get<0>(offDiagonal.min(1, /*keepdim=*/true))).masked_fill(eye, 0.0);
    const double target = std::log(perplexity);
    // Bisection on log(beta), beta = 1 / (2 sigma^2), for every row at once:
    // the entropy H(beta) falls as beta grows.
    const auto scale = distances.sum(1, /*keepdim=*/true) / double(std::max<int64_t>(n - 1, 1));
    const auto unit = 1.0 / scale.clamp_min(1e-12);
    auto low = torch::full({n, 1}, -20.0), high = torch::full({n, 1}, 20.0);
    // Two n x n buffers reused by every evaluation: fresh 100 MB temporaries
    // per call cost more in page faults than in arithmetic.
    auto p = torch::empty_like(distances), weighted = torch::empty_like(distances);
    torch::Tensor entropy;
    const auto evaluate = [&](const torch::Tensor& logBeta) {
        const auto beta = logBeta.exp() * unit;
        torch::mul_out(p, distances, -beta);
        p.exp_().masked_fill_(eye, 0.0);
        const auto sum = p.sum(1, /*keepdim=*/true).clamp_min(1e-30);
        torch::mul_out(weighted, distances, p);
        entropy = sum.log() + beta * weighted.sum(1, /*keepdim=*/true) / sum;
        p.div_(sum);
    };
    for (int i = 0; i < 40; ++i) { // the bracket shrinks to 40 / 2^40 in log(beta)
        const auto middle = (low + high) / 2;
        evaluate(middle);
        const auto tooFlat = entropy > target; // beta too small
        low = torch::where(tooFlat, middle, low);
        high = torch::where(tooFlat, high, middle);
    }
    evaluate((low + high) / 2);
    if (rowPerplexity)
        *rowPerplexity = entropy.squeeze(1).exp().to(torch::kFloat);
    return (p + p.t()) / (2.0 * double(n));
}

torch::Tensor tsneEmbedding(const torch::Tensor& x, const TsneOptions& options,
                            const std::function<bool(int64_t, int64_t)>& progress)
{
    const int64_t n = x.size(0);
    if (x.dim() != 2 || n < 5)
        throw Error("t-SNE needs at least 5 samples, not " + std::to_string(n));
    if (options.iterations < 1)
        throw Error("t-SNE needs at least one iteration");
    const double perplexity = std::min(options.perplexity, double(n - 1) / 3.0);
    const auto input = x.size(1) > 50 ? pcaProjection(x, 50) : x.to(torch::kFloat);
    const auto p = tsneAffinities(input, perplexity).clamp_min(1e-12);

    // Start: the first two principal axes, scaled to std 1e-4.
    auto y = pcaProjection(input, std::min<int64_t>(2, input.size(1)));
    if (y.size(1) < 2)
        y = torch::cat({y, torch::zeros({n, 1})}, 1);
    y = y / y.std(0, /*unbiased=*/true, /*keepdim=*/true).clamp_min(1e-12) * 1e-4;
    auto update = torch::zeros_like(y), gains = torch::ones_like(y);
    const double rate = std::max(double(n) / 12.0, 50.0);
    const int exaggerated = options.iterations / 4;
    const auto eye = torch::eye(n, torch::kBool);
    auto kernel = torch::empty({n, n}), w = torch::empty({n, n}); // reused, as above
    for (int it = 0; it < options.iterations; ++it) {
        const double exaggeration = it < exaggerated ? 12.0 : 1.0;
        const double momentum = it < exaggerated ? 0.5 : 0.8;
        // Student t kernel 1 / (1 + |y_i - y_j|^2), zero on the diagonal.
        const auto norms = y.square().sum(1);
        torch::mm_out(kernel, y, y.t());
        kernel.mul_(-2.0).add_(norms.unsqueeze(1)).add_(norms.unsqueeze(0)).clamp_min_(0.0).add_(1.0).reciprocal_().masked_fill_(eye, 0.0);
        const double total = kernel.sum().item<double>();
        // w = (exaggeration p - q) * kernel with q = kernel / total (p, q >= 1e-12 off the diagonal).
        torch::div_out(w, kernel, total);
        w.clamp_min_(1e-12).neg_().add_(p, exaggeration).mul_(kernel);
        const auto gradient = 4.0 * (w.sum(1, /*keepdim=*/true) * y - w.matmul(y));
        // Gains as in the reference implementation: grow where the gradient
        // keeps pushing against the last update, shrink where it agrees.
        const auto flipped = (gradient > 0) != (update > 0);
        gains = torch::where(flipped, gains + 0.2, gains * 0.8).clamp_min(0.01);
        update = momentum * update - rate * gains * gradient;
        y = y + update;
        y = y - y.mean(0, /*keepdim=*/true);
        if (progress && !progress(it + 1, options.iterations))
            throw Error("the cluster map was cancelled");
    }
    return y;
}

ClusterMap clusterMap(const Model& model, const Dataset& data, const MapOptions& options,
                      const std::function<bool(int64_t, int64_t)>& progress)
{
    const auto& m = model.config().model;
    ClusterMap out;
    out.method = options.method;
    out.dL = m.dL;
    out.dC = m.dC;
    const bool tsne = options.method == MapMethod::Tsne;
    // Checked before Q's pass, so that nothing is spent on a map that cannot be drawn.
    if (data.count < 2)
        throw Error("a map needs at least 2 images; the data has " + std::to_string(data.count));
    if (tsne && data.count < 5)
        throw Error("a t-SNE map needs at least 5 images; the data has " + std::to_string(data.count)
                    + " (use PCA, or more data)");
    const int64_t n = tsne ? std::min(data.count, std::max<int64_t>(options.maxPoints, 5)) : data.count;
    if (n < data.count) { // a seeded subsample, kept in dataset order
        auto gen = at::make_generator<at::CPUGeneratorImpl>(options.tsne.seed);
        const auto pick = std::get<0>(torch::randperm(data.count, gen, torch::kLong).narrow(0, 0, n).sort()).contiguous();
        out.samples.assign(pick.data_ptr<int64_t>(), pick.data_ptr<int64_t>() + n);
    } else {
        out.samples.resize(size_t(n));
        std::iota(out.samples.begin(), out.samples.end(), int64_t(0));
    }
    // Permille of the whole job: Q's pass is most of PCA and a fifth of t-SNE.
    const int64_t featureShare = tsne ? 200 : 900;
    const auto report = [&](int64_t done, int64_t total, int64_t from, int64_t span) {
        return !progress || progress(from + span * done / std::max<int64_t>(total, 1), 1000);
    };
    auto [features, categories] = model.classifierFeatures(
        data, out.samples, [&](int64_t done, int64_t total) { return report(done, total, 0, featureShare); });
    out.featureDim = int(features.size(1));
    out.step = model.step();
    torch::Tensor xy, explained;
    if (tsne) {
        pcaProjection(features, std::min<int64_t>(2, features.size(1)), &explained);
        xy = tsneEmbedding(features, options.tsne, [&](int64_t done, int64_t total) {
            return report(done, total, featureShare, 1000 - featureShare);
        });
    } else {
        xy = pcaProjection(features, std::min<int64_t>(2, features.size(1)), &explained);
        if (xy.size(1) < 2)
            xy = torch::cat({xy, torch::zeros({n, 1})}, 1);
    }
    xy = xy.contiguous();
    out.xy.assign(xy.data_ptr<float>(), xy.data_ptr<float>() + 2 * n);
    for (int64_t i = 0; i < std::min<int64_t>(2, explained.numel()); ++i)
        out.explained[i] = explained[i].item<double>();
    categories = categories.to(torch::kInt).contiguous();
    out.category.assign(categories.data_ptr<int32_t>(), categories.data_ptr<int32_t>() + n * m.dL);
    out.combined.resize(size_t(n));
    const bool combinedIds = m.combinations() != kTooManyCombinations;
    std::vector<int> one(size_t(m.dL));
    for (int64_t i = 0; i < n; ++i) {
        for (int l = 0; l < m.dL; ++l)
            one[size_t(l)] = out.category[size_t(i * m.dL + l)];
        out.combined[size_t(i)] = combinedIds ? combinationId(one, m.dL, m.dC) : -1;
    }
    if (progress)
        progress(1000, 1000);
    return out;
}

} // namespace cgpgan
