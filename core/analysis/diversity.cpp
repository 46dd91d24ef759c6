#include "cgpgan/diversity.h"

#include "cgpgan/error.h"
#include "cgpgan/model.h"

#include <algorithm>
#include <numeric>

namespace cgpgan {

namespace {

// [n, ...] -> [n, P] float in [0, 1].
torch::Tensor unitPixels(const torch::Tensor& images)
{
    const auto flat = images.reshape({images.size(0), -1});
    if (flat.scalar_type() == torch::kUInt8)
        return flat.to(torch::kFloat).div_(255.0);
    return flat.to(torch::kFloat).add(1.0).mul_(0.5);
}

// Mean over unordered pairs of the mean absolute difference per pixel; flat is [n, P].
double pairwiseMean(const torch::Tensor& flat)
{
    const int64_t n = flat.size(0);
    if (n < 2)
        throw Error("a pairwise distance needs at least 2 images, got " + std::to_string(n));
    // cdist with p = 1 sums |a - b| over pixels; the diagonal is 0.
    const auto d = torch::cdist(flat.unsqueeze(0), flat.unsqueeze(0), 1.0).squeeze(0);
    return d.sum().item<double>() / double(n * (n - 1)) / double(flat.size(1));
}

} // namespace

double meanPairwiseDistance(const torch::Tensor& images)
{
    torch::NoGradGuard noGrad;
    return pairwiseMean(unitPixels(images));
}

double withinGroupDistance(const torch::Tensor& groups)
{
    torch::NoGradGuard noGrad;
    if (groups.dim() < 3)
        throw Error("withinGroupDistance needs [groups, n, ...]");
    double total = 0;
    for (int64_t g = 0; g < groups.size(0); ++g)
        total += pairwiseMean(unitPixels(groups[g]));
    return total / double(groups.size(0));
}

double realPairwiseDistance(const Dataset& data, int64_t n, uint64_t seed)
{
    if (!data.isImages())
        throw Error("z-diversity compares images; \"" + data.name + "\" holds points");
    if (data.count < 2)
        throw Error("z-diversity needs at least 2 real images");
    const int64_t m = std::min(n, data.count);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto index = m < data.count ? torch::randperm(data.count, gen, torch::kLong).narrow(0, 0, m)
                                      : torch::arange(data.count, torch::kLong);
    const auto all = torch::from_blob(const_cast<uint8_t*>(data.pixels.data()), {data.count, data.imageSize()},
                                      torch::kUInt8);
    return meanPairwiseDistance(all.index_select(0, index));
}

double gridZDiversity(const torch::Tensor& tiles, int64_t rows, int64_t cols, double reference)
{
    if (rows < 2)
        throw Error("z-diversity needs at least 2 rows (z values) per column");
    if (tiles.size(0) != rows * cols)
        throw Error("the grid has " + std::to_string(tiles.size(0)) + " tiles, not rows x columns = " +
                    std::to_string(rows * cols));
    if (!(reference > 0))
        throw Error("the real-image reference distance must be positive");
    // Row-major [rows, cols, ...] -> one group per column: [cols, rows, ...].
    auto shape = tiles.sizes().vec();
    shape.erase(shape.begin());
    shape.insert(shape.begin(), {rows, cols});
    const auto groups = tiles.reshape(shape).transpose(0, 1);
    return withinGroupDistance(groups) / reference;
}

ZDiversity zDiversity(const Model& model, const Dataset& real, int64_t combinations, int64_t perCombination,
                      uint64_t seed)
{
    const auto& m = model.config().model;
    if (m.arch != Arch::Conv)
        throw Error("z-diversity needs an image model");
    const int64_t total = m.combinations();
    // Codes [k, d_l, d_c]: every combination when there are few, else one
    // category per label drawn from the prior (SPEC 2), as training does
    // (no combination ids: 16^16 of them do not fit in int64).
    torch::Tensor codes;
    if (total != kTooManyCombinations && total <= combinations) {
        std::vector<int64_t> ids(static_cast<size_t>(total));
        std::iota(ids.begin(), ids.end(), int64_t(0));
        codes = model.combinationCodes(ids);
    } else {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(seed + 1);
        const auto idx = torch::multinomial(model.prior(), combinations, /*replacement=*/true, gen); // [d_l, k]
        codes = torch::one_hot(idx.t(), m.dC).to(torch::kFloat);
    }
    const int64_t k = codes.size(0);
    const auto tiles = model.generateGrid(model.latentRows(perCombination, seed), codes);
    ZDiversity out;
    out.combinations = k;
    out.perCombination = perCombination;
    out.real = realPairwiseDistance(real, kReferenceImages, seed);
    out.ratio = gridZDiversity(tiles, perCombination, k, out.real);
    out.fake = out.ratio * out.real;
    return out;
}

} // namespace cgpgan
