#pragma once
// The model: G, G_ema, D, Q, the codebook (inside G), the prior P(C) and the
// config, plus the step its weights are at. Everything that samples,
// classifies, edits pages or exports needs this and nothing else: no dataset,
// no optimizer. The Trainer (trainer.h) owns one and adds what training needs
// (data order, optimizers, the random state, the step of SPEC 4).
//
// Threads: every call takes the model's lock (StepGate), and the Trainer
// takes the same lock for a whole step, so a sample, an edit or a read lands
// between two steps and never sees half-updated weights.
#include "cgpgan/config.h"
#include "cgpgan/dataset.h"
#include "cgpgan/image_io.h"
#include "cgpgan/values.h"

#include <torch/torch.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cgpgan {

// The model's lock. std::mutex lets a thread that unlocks take the lock
// straight back, so a training loop could starve a sample or a save for any
// number of steps; here forStep() waits while another caller is waiting.
class StepGate final {
public:
    std::unique_lock<std::mutex> forStep();
    std::unique_lock<std::mutex> forCall();

private:
    std::mutex m_mutex;
    std::atomic<int> m_waiting{0};
    std::mutex m_gateMutex;
    std::condition_variable m_gate;
};

// What the one sampling path returns (SPEC 7 grid: row r = z_r, column j =
// code j): owned 8-bit tiles, row-major, NCHW, ready for a PNG or a QImage.
struct GridSamples {
    int rows = 0, columns = 0;
    int channels = 0, size = 0;   // each tile channels x size x size
    std::vector<uint8_t> pixels;  // rows * columns * channels * size * size
    int64_t step = 0;             // the model's step when sampled
    // Within-column pixel distance over `reference` (diversity.h), NaN when
    // not asked for (reference <= 0) or rows < 2.
    double zDiversity = std::numeric_limits<double>::quiet_NaN();

    int64_t tileBytes() const { return int64_t(channels) * size * size; }
    const uint8_t* tile(int row, int column) const
    {
        return pixels.data() + (int64_t(row) * columns + column) * tileBytes();
    }
    Image8 image() const; // the tiles as one picture (tileImages: columns across, gaps between)
};

class Model final {
public:
    // Builds the networks of config on its run.device, weights from train.seed
    // (a config gives one network), the prior uniform (SPEC 2), step 0.
    explicit Model(Config config);
    ~Model();
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;

    // The model of a checkpoint, with no training state and no data. Throws
    // Error naming the file and what is wrong with it.
    // With a config (e.g. the checkpoint's with --device), its shape must be
    // the checkpoint's; without one, the checkpoint's on the default machine.
    static std::shared_ptr<Model> load(const std::string& checkpoint, std::optional<Config> config = std::nullopt);

    const Config& config() const { return m_config; }
    torch::Device device() const { return m_device; }
    std::string deviceName() const;
    int64_t step() const;
    torch::Tensor prior() const;  // CPU copy [d_l, d_c]
    // The steering holds (issue 27, config.h SteerAction), CPU [d_l, d_c]:
    // -1 where a category is free, else the mass it is held at (0: emptied).
    // Emptied categories are never a cluster of assignClusters() or classifierFeatures().
    torch::Tensor pins() const;
    int64_t parameterCount() const; // G + D + Q (G_ema is G's copy)
    int64_t parameterCountLocked() const; // the same, for a caller holding gate()

    // ---- Sampling from G_ema (SPEC 4.8: every sample shown uses G_ema) ----
    // Fixed z rows from their own seed (the training RNG is untouched).
    torch::Tensor latentRows(int64_t n, uint64_t seed) const;
    // One-hot codes [n, d_l, d_c] for combination ids (label 0 most significant).
    torch::Tensor combinationCodes(const std::vector<int64_t>& combinations) const;
    // G_ema(z, c) for any (soft) code c [n, d_l, d_c]; CPU float. Images are
    // clipped to [-1, 1]; points (mlp) are returned as generated.
    torch::Tensor generate(const torch::Tensor& z, const torch::Tensor& c) const;
    // A grid of generate(): tile (r, j) = G_ema(z[r], codes[j]) for z [rows, d_z]
    // and (soft) codes [cols, d_l, d_c], row-major [rows * cols, ...], CPU float.
    torch::Tensor generateGrid(const torch::Tensor& z, const torch::Tensor& codes) const;
    // The sampling path of the command line and the explorer: z rows
    // firstRow .. firstRow + rows - 1 of zSeed's sequence, codes [cols, d_l, d_c],
    // as 8-bit tiles; with reference > 0 also their z-diversity. Image models only.
    GridSamples sampleGrid(uint64_t zSeed, int firstRow, int rows, const torch::Tensor& codes,
                           double reference = 0) const;
    // The same for given z rows [rows, d_z] (a latent walk's).
    GridSamples sampleGrid(const torch::Tensor& z, const torch::Tensor& codes, double reference = 0) const;
    // The same for combination ids as columns, rows 0 .. rows - 1.
    GridSamples sampleGrid(uint64_t zSeed, int rows, const std::vector<int64_t>& combinations,
                           double reference = 0) const;

    // ---- Codebook pages (SPEC 3), edited in G and G_ema alike ----
    bool hasCodebook() const { return m_config.model.codebook; }
    torch::Tensor codebook() const; // CPU copy [d_l, d_c, d_p] of G_ema's
    torch::Tensor page(int label, int category) const;
    void setPage(int label, int category, const torch::Tensor& page);
    void setCodebook(const torch::Tensor& codebook);

    // ---- Clusters (SPEC 6) ----
    // Q over every sample of data. progress(done, total) may return false to
    // cancel (then throws Error).
    // chunk: images per forward pass of Q (0: kAssignChunk). Q's weights are
    // copied once, under the model's lock, and the pass runs on the copy
    // without it, beside training (issue 27: taking turns with the steps
    // halved both); snapshot false takes the lock per chunk on Q itself
    // instead (the old way, for `cgpgan bench --assign`'s comparison).
    ClusterAssignment assignClusters(const Dataset& data,
                                     const std::function<bool(int64_t, int64_t)>& progress = {},
                                     int64_t chunk = 0, bool snapshot = true) const;
    // Q's penultimate features [n, hidden] (CPU float) and argmax categories
    // [n, d_l] (int64) of the given samples, in their order (the cluster map,
    // embedding.h). progress and chunk as for assignClusters.
    std::pair<torch::Tensor, torch::Tensor> classifierFeatures(const Dataset& data, const std::vector<int64_t>& samples,
                                                               const std::function<bool(int64_t, int64_t)>& progress = {},
                                                               int64_t chunk = 0) const;
    static constexpr int64_t kAssignChunk = 256; // the fastest with training stopped (docs/performance.md, "Cluster assignment speed")

    StepGate& gate() const { return m_gate; }

    // The networks, prior and step: an engine-internal type, defined in
    // model/model_impl.h and reached through networksOf() there (the trainer,
    // checkpoints, export); no public function hands it out.
    struct Networks;

private:
    friend Networks& networksOf(Model& model);
    friend const Networks& networksOf(const Model& model);
    Config m_config;
    torch::Device m_device;
    std::unique_ptr<Networks> m_nets;
    mutable StepGate m_gate;
};

} // namespace cgpgan
