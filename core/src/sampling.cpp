// Sampling from G_ema, codebook pages and cluster assignment: what the CLI's
// `sample` / `cluster` and the explorer's grid, sliders and browser call.
#include "cgpgan/error.h"
#include "cgpgan/trainer.h"
#include "trainer_impl.h"

#include <algorithm>

namespace cgpgan {

namespace {
constexpr int64_t kChunk = 256; // samples per forward pass when sampling or assigning
}

torch::Tensor Trainer::latentRows(int64_t n, uint64_t seed) const
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    const auto& m = m_config.model;
    if (m.latentDist == "uniform")
        return (torch::rand({n, m.dZ}, gen) * 2.0 - 1.0) * std::sqrt(3.0);
    return torch::randn({n, m.dZ}, gen);
}

torch::Tensor Trainer::combinationCodes(const std::vector<int64_t>& combinations) const
{
    const auto& m = m_config.model;
    const int64_t total = m.combinations();
    auto codes = torch::zeros({int64_t(combinations.size()), m.dL, m.dC});
    auto acc = codes.accessor<float, 3>();
    for (size_t i = 0; i < combinations.size(); ++i) {
        const int64_t id = combinations[i];
        if (id < 0 || id >= total)
            throw Error("combination " + std::to_string(id) + " is out of range (0.." + std::to_string(total - 1) + ")");
        const auto categories = combinationCategories(id, m.dL, m.dC);
        for (int l = 0; l < m.dL; ++l)
            acc[int64_t(i)][l][categories[size_t(l)]] = 1.0f;
    }
    return codes;
}

torch::Tensor Trainer::generate(const torch::Tensor& z, const torch::Tensor& c) const
{
    const auto& m = m_config.model;
    if (z.dim() != 2 || z.size(1) != m.dZ)
        throw Error("z must be [n, " + std::to_string(m.dZ) + "]");
    if (c.dim() != 3 || c.size(0) != z.size(0) || c.size(1) != m.dL || c.size(2) != m.dC)
        throw Error("c must be [n, " + std::to_string(m.dL) + ", " + std::to_string(m.dC) + "]");
    const auto lock = m_gate.forCall();
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> parts;
    for (int64_t i = 0; i < z.size(0); i += kChunk) {
        const int64_t len = std::min(kChunk, z.size(0) - i);
        const auto zi = z.narrow(0, i, len).to(m_device, torch::kFloat);
        const auto ci = c.narrow(0, i, len).to(m_device, torch::kFloat);
        auto out = m_nets->gEma->forward(zi, ci);
        if (m_config.model.arch == "conv")
            out = out.clamp(-1.0, 1.0); // SPEC 3: images are clipped for display; points are not
        parts.push_back(out.to(torch::kCPU).contiguous()); // NCHW for callers, whatever run.channels_last
    }
    return torch::cat(parts, 0);
}

torch::Tensor Trainer::generateGrid(const torch::Tensor& z, const torch::Tensor& codes) const
{
    const int64_t rows = z.size(0);
    const int64_t cols = codes.size(0);
    // Row-major: tile (r, j) = G_ema(z[r], codes[j]).
    const auto zz = z.unsqueeze(1).expand({rows, cols, z.size(1)}).reshape({rows * cols, z.size(1)});
    const auto cc = codes.unsqueeze(0).expand({rows, cols, codes.size(1), codes.size(2)})
                        .reshape({rows * cols, codes.size(1), codes.size(2)});
    return generate(zz, cc);
}

torch::Tensor Trainer::gridSamples(const torch::Tensor& z, const std::vector<int64_t>& combinations) const
{
    if (m_config.model.arch != "conv")
        throw Error("sample grids need an image model; this one (" + m_config.model.arch + ") makes points");
    const auto images = generateGrid(z, combinationCodes(combinations));
    return images.add(1.0).mul(127.5).round().clamp(0, 255).to(torch::kUInt8).contiguous();
}

Image8 Trainer::gridImage(const torch::Tensor& z, const std::vector<int64_t>& combinations) const
{
    const auto tiles = gridSamples(z, combinations);
    return tileImages(tiles.data_ptr<uint8_t>(), tiles.size(0), int(tiles.size(1)), int(tiles.size(2)),
                      int(combinations.size()));
}

bool Trainer::hasCodebook() const { return m_config.model.codebook; }

torch::Tensor Trainer::codebook() const
{
    if (!hasCodebook())
        throw Error("this model has no codebook (model.codebook is false)");
    const auto lock = m_gate.forCall();
    return m_nets->gEma->codebook.detach().to(torch::kCPU).clone();
}

torch::Tensor Trainer::page(int label, int category) const
{
    const auto& m = m_config.model;
    if (label < 0 || label >= m.dL || category < 0 || category >= m.dC)
        throw Error("page (" + std::to_string(label) + ", " + std::to_string(category) + ") is out of range");
    return codebook()[label][category].clone();
}

void Trainer::setCodebook(const torch::Tensor& book)
{
    if (!hasCodebook())
        throw Error("this model has no codebook (model.codebook is false)");
    const auto lock = m_gate.forCall();
    if (book.sizes() != m_nets->g->codebook.sizes())
        throw Error("codebook shape mismatch");
    torch::NoGradGuard noGrad;
    // The edit lands in both G (which trains on) and G_ema (which is shown).
    m_nets->g->codebook.copy_(book);
    m_nets->gEma->codebook.copy_(book);
}

void Trainer::setPage(int label, int category, const torch::Tensor& value)
{
    auto book = codebook();
    if (value.numel() != book.size(2))
        throw Error("a page has " + std::to_string(book.size(2)) + " values, got " + std::to_string(value.numel()));
    book[label][category].copy_(value.reshape({-1}));
    setCodebook(book);
}

ClusterAssignment Trainer::assignClusters(const Dataset& data,
                                          const std::function<bool(int64_t, int64_t)>& progress) const
{
    const auto& m = m_config.model;
    if (m.mode == "vanilla")
        throw Error("a vanilla GAN has no classifier Q: it cannot assign clusters");
    const auto all = dataView(data, m); // the same checks and layout as training data
    ClusterAssignment out;
    out.count = data.count;
    out.dL = m.dL;
    out.dC = m.dC;
    out.category.resize(size_t(data.count * m.dL));
    out.confidence.resize(size_t(data.count * m.dL));
    out.combined.resize(size_t(data.count));
    out.combinedConfidence.resize(size_t(data.count));
    out.step = stepCount();
    const bool combinedIds = m.combinations() != kTooManyCombinations;
    for (int64_t i = 0; i < data.count; i += kChunk) {
        const int64_t len = std::min(kChunk, data.count - i);
        torch::Tensor probs;
        {
            const auto lock = m_gate.forCall();
            torch::NoGradGuard noGrad;
            const auto x = toModelInput(all.narrow(0, i, len).to(m_device));
            probs = torch::softmax(m_nets->q->forward(x).view({len, m.dL, m.dC}), -1).to(torch::kCPU);
        }
        const auto [best, index] = probs.max(-1); // [len, d_l]
        const auto bestA = best.accessor<float, 2>();
        const auto indexA = index.accessor<int64_t, 2>();
        for (int64_t r = 0; r < len; ++r) {
            int64_t id = 0;
            float conf = 1.0f;
            for (int l = 0; l < m.dL; ++l) {
                out.category[size_t((i + r) * m.dL + l)] = int32_t(indexA[r][l]);
                out.confidence[size_t((i + r) * m.dL + l)] = bestA[r][l];
                if (combinedIds)
                    id = id * m.dC + indexA[r][l];
                conf *= bestA[r][l];
            }
            out.combined[size_t(i + r)] = combinedIds ? id : -1;
            out.combinedConfidence[size_t(i + r)] = conf;
        }
        if (progress && !progress(i + len, data.count))
            throw Error("cluster assignment cancelled");
    }
    return out;
}

} // namespace cgpgan
