// Sampling from G_ema, codebook pages and cluster assignment (model.h): what
// the CLI's `sample` / `cluster` and the explorer's grid, sliders and browser call.
#include "cgpgan/combinations.h"
#include "cgpgan/diversity.h"
#include "cgpgan/error.h"
#include "cgpgan/model.h"
#include "model/model_impl.h"
#include "cgpgan/losses.h"

#include <algorithm>

namespace cgpgan {

namespace {
constexpr int64_t kChunk = 256; // samples per forward pass of G_ema when sampling

// What a pass of Q over data reads (assignClusters, classifierFeatures), all
// of one step: Q, the steering holds and the step.
struct ClassifierSnapshot {
    Encoder q{nullptr};
    torch::Tensor pins;
    int64_t step = 0;
};

// With copyWeights, a new Q of the same shape (its random initial weights
// come from the default generator, which training never draws from: the
// trainer has its own) with Q's weights copied in under the lock, so that
// the pass needs no lock after this and runs beside training. Without, the
// live Q (the caller then takes the lock per chunk).
ClassifierSnapshot classifierSnapshot(const Model& model, bool copyWeights = true)
{
    const auto& m = model.config().model;
    ClassifierSnapshot out;
    if (copyWeights) {
        out.q = Encoder(m, int64_t(m.dL) * m.dC);
        out.q->to(model.device());
        out.q->eval();
    }
    torch::NoGradGuard noGrad;
    const auto lock = model.gate().forCall();
    const auto& nets = networksOf(model);
    out.pins = nets.pins.clone();
    out.step = nets.step;
    if (!copyWeights) {
        out.q = nets.q;
        return out;
    }
    const auto from = nets.q->parameters();
    auto to = out.q->parameters();
    for (size_t i = 0; i < from.size(); ++i)
        to[i].copy_(from[i]);
    const auto fromBuffers = nets.q->buffers();
    auto toBuffers = out.q->buffers();
    for (size_t i = 0; i < fromBuffers.size(); ++i)
        toBuffers[i].copy_(fromBuffers[i]);
    return out;
}

} // namespace



torch::Tensor Model::latentRows(int64_t n, uint64_t seed) const
{
    return drawLatents(n, m_config.model, at::make_generator<at::CPUGeneratorImpl>(seed));
}

torch::Tensor Model::combinationCodes(const std::vector<int64_t>& combinations) const
{
    const auto& m = m_config.model;
    auto codes = oneHotCodes(combinations, m.dL, m.dC);
    return torch::from_blob(codes.data(), {int64_t(combinations.size()), m.dL, m.dC}, torch::kFloat).clone();
}

torch::Tensor Model::generate(const torch::Tensor& z, const torch::Tensor& c) const
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
        if (m_config.model.arch == Arch::Conv)
            out = out.clamp(-1.0, 1.0); // SPEC 3: images are clipped for display; points are not
        parts.push_back(out.to(torch::kCPU).contiguous()); // NCHW for callers, whatever run.channels_last
    }
    return torch::cat(parts, 0);
}

torch::Tensor Model::generateGrid(const torch::Tensor& z, const torch::Tensor& codes) const
{
    const int64_t rows = z.size(0);
    const int64_t cols = codes.size(0);
    // Row-major: tile (r, j) = G_ema(z[r], codes[j]).
    const auto zz = z.unsqueeze(1).expand({rows, cols, z.size(1)}).reshape({rows * cols, z.size(1)});
    const auto cc = codes.unsqueeze(0).expand({rows, cols, codes.size(1), codes.size(2)})
                        .reshape({rows * cols, codes.size(1), codes.size(2)});
    return generate(zz, cc);
}

GridSamples Model::sampleGrid(uint64_t zSeed, int firstRow, int rows, const torch::Tensor& codes,
                              double reference) const
{
    if (rows < 1 || firstRow < 0)
        throw Error("a grid needs rows >= 1 and firstRow >= 0");
    return sampleGrid(latentRows(int64_t(firstRow) + rows, zSeed).narrow(0, firstRow, rows), codes, reference);
}

GridSamples Model::sampleGrid(const torch::Tensor& z, const torch::Tensor& codes, double reference) const
{
    const auto& m = m_config.model;
    if (m.arch != Arch::Conv)
        throw Error("sample grids need an image model; this one (" + std::string(nameOf(m.arch)) + ") makes points");
    const int rows = int(z.size(0));
    GridSamples out;
    out.step = step(); // a step may land before generateGrid takes the lock: the grid is at least this new
    const auto images = generateGrid(z, codes); // row-major (r, j), floats in [-1, 1]
    out.rows = rows;
    out.columns = int(codes.size(0));
    out.channels = m.channels;
    out.size = m.resolution;
    const auto bytes = images.add(1.0).mul(127.5).round().clamp(0, 255).to(torch::kUInt8).contiguous();
    out.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    if (reference > 0 && rows >= 2)
        out.zDiversity = gridZDiversity(images, rows, out.columns, reference);
    return out;
}

GridSamples Model::sampleGrid(uint64_t zSeed, int rows, const std::vector<int64_t>& combinations,
                              double reference) const
{
    return sampleGrid(zSeed, 0, rows, combinationCodes(combinations), reference);
}

torch::Tensor Model::codebook() const
{
    if (!hasCodebook())
        throw Error("this model has no codebook (model.codebook is false)");
    const auto lock = m_gate.forCall();
    return m_nets->gEma->codebook.detach().to(torch::kCPU).clone();
}

torch::Tensor Model::page(int label, int category) const
{
    const auto& m = m_config.model;
    if (label < 0 || label >= m.dL || category < 0 || category >= m.dC)
        throw Error("page (" + std::to_string(label) + ", " + std::to_string(category) + ") is out of range");
    return codebook()[label][category].clone();
}

void Model::setCodebook(const torch::Tensor& book)
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

void Model::setPage(int label, int category, const torch::Tensor& value)
{
    auto book = codebook();
    if (value.numel() != book.size(2))
        throw Error("a page has " + std::to_string(book.size(2)) + " values, got " + std::to_string(value.numel()));
    book[label][category].copy_(value.reshape({-1}));
    setCodebook(book);
}

ClusterAssignment Model::assignClusters(const Dataset& data,
                                          const std::function<bool(int64_t, int64_t)>& progress,
                                          int64_t chunk, bool snapshot) const
{
    if (chunk <= 0)
        chunk = kAssignChunk;
    const auto& m = m_config.model;
    if (m.mode == GanMode::Vanilla)
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
    const bool combinedIds = m.combinations() != kTooManyCombinations;
    std::vector<int> categories(size_t(m.dL)); // one sample's, reused
    // Q's weights and the holds of this step, read once (classifierSnapshot):
    // the pass then runs beside training instead of taking turns with it.
    // With snapshot false, the lock is taken per chunk on the live Q (what
    // `cgpgan bench --assign` compares against).
    ClassifierSnapshot q = classifierSnapshot(*this, snapshot);
    out.step = q.step;
    for (int64_t i = 0; i < data.count; i += chunk) {
        const int64_t len = std::min(chunk, data.count - i);
        torch::Tensor probs;
        {
            std::unique_lock<std::mutex> lock;
            if (!snapshot)
                lock = m_gate.forCall();
            c10::InferenceMode inference; // no autograd bookkeeping at all (the probabilities leave as numbers)
            const auto x = toModelInput(all.narrow(0, i, len).to(m_device));
            const auto logits = q.q->forward(x).view({len, m.dL, m.dC});
            probs = withoutEmptied(torch::softmax(logits, -1), q.pins).to(torch::kCPU);
        }
        const auto [best, index] = probs.max(-1); // [len, d_l]
        const auto bestA = best.accessor<float, 2>();
        const auto indexA = index.accessor<int64_t, 2>();
        for (int64_t r = 0; r < len; ++r) {
            float conf = 1.0f;
            for (int l = 0; l < m.dL; ++l) {
                categories[size_t(l)] = int(indexA[r][l]);
                out.category[size_t((i + r) * m.dL + l)] = int32_t(indexA[r][l]);
                out.confidence[size_t((i + r) * m.dL + l)] = bestA[r][l];
                conf *= bestA[r][l];
            }
            out.combined[size_t(i + r)] = combinedIds ? combinationId(categories, m.dL, m.dC) : -1;
            out.combinedConfidence[size_t(i + r)] = conf;
        }
        if (progress && !progress(i + len, data.count))
            throw Error("cluster assignment cancelled");
    }
    return out;
}

std::pair<torch::Tensor, torch::Tensor> Model::classifierFeatures(
    const Dataset& data, const std::vector<int64_t>& samples, const std::function<bool(int64_t, int64_t)>& progress,
    int64_t chunk) const
{
    if (chunk <= 0)
        chunk = kAssignChunk;
    const auto& m = m_config.model;
    if (m.mode == GanMode::Vanilla)
        throw Error("a vanilla GAN has no classifier Q: it has no features to map");
    const auto all = dataView(data, m);
    const int64_t n = int64_t(samples.size());
    for (const int64_t s : samples)
        if (s < 0 || s >= data.count)
            throw Error("sample " + std::to_string(s) + " is not in the dataset (" + std::to_string(data.count) +
                        " samples)");
    const auto index = torch::from_blob(const_cast<int64_t*>(samples.data()), {n}, torch::kLong);
    std::vector<torch::Tensor> features, categories;
    // As assignClusters: one copy of Q and the holds, then no lock.
    ClassifierSnapshot q = classifierSnapshot(*this);
    for (int64_t i = 0; i < n; i += chunk) {
        const int64_t len = std::min(chunk, n - i);
        {
            c10::InferenceMode inference;
            const auto x = toModelInput(all.index_select(0, index.narrow(0, i, len)).to(m_device));
            const auto h = q.q->features(x);
            features.push_back(h.to(torch::kCPU, torch::kFloat));
            const auto p = torch::softmax(q.q->out->forward(h).view({len, m.dL, m.dC}), -1);
            categories.push_back(withoutEmptied(p, q.pins).argmax(-1).to(torch::kCPU));
        }
        if (progress && !progress(i + len, n))
            throw Error("the cluster map was cancelled");
    }
    if (n == 0)
        return {torch::zeros({0, m.hiddenWidth()}), torch::zeros({0, m.dL}, torch::kLong)};
    return {torch::cat(features), torch::cat(categories)};
}

} // namespace cgpgan
