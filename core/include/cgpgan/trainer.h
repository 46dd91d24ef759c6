#pragma once
// The trainer: one object that owns G, G_ema, D, Q, their optimizers, the
// dynamic prior and the random state, and runs SPEC 4 one step at a time.
// What it measures comes back as data (StepStats); it never prints.
//
// Threads: step(), the sampling calls, the codebook edits, setKnobs() and
// save() may be called from different threads; an internal lock serialises
// them, so an edit or a sample always lands between two steps, and step()
// lets a waiting caller in first (a running loop cannot starve it).
#include "cgpgan/config.h"
#include "cgpgan/dataset.h"
#include "cgpgan/image_io.h"
#include "cgpgan/values.h"

#include <torch/torch.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cgpgan {

// The trainer's lock. std::mutex lets a thread that unlocks take the lock
// straight back, so a training loop could starve a sample or a save for any
// number of steps; here step() waits while another caller is waiting.
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

class Trainer final {
public:
    // Builds the networks for config on its device (run.device) and takes the
    // data (checked against the model's channels and resolution).
    Trainer(Config config, std::shared_ptr<const Dataset> data);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    // One full step, SPEC 4 items 1-9.
    StepStats step();

    const Config& config() const { return m_config; }
    const Dataset& dataset() const { return *m_data; }
    std::shared_ptr<const Dataset> datasetPtr() const { return m_data; }
    torch::Device device() const { return m_device; }
    std::string deviceName() const;
    int64_t stepCount() const;
    int64_t totalSteps() const { return m_totalSteps; }
    int64_t priorStartStep() const { return m_priorStart; }
    bool priorFrozen() const;
    torch::Tensor prior() const; // CPU copy [d_l, d_c]
    int64_t parameterCount() const;

    TrainingKnobs knobs() const;
    void setKnobs(const TrainingKnobs& knobs);

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
    // Grid: row r = z[r], column j = combinations[j] (NCHW uint8 on CPU, row-major).
    torch::Tensor gridSamples(const torch::Tensor& z, const std::vector<int64_t>& combinations) const;
    Image8 gridImage(const torch::Tensor& z, const std::vector<int64_t>& combinations) const;

    // ---- Codebook pages (SPEC 3), edited in G and G_ema alike ----
    bool hasCodebook() const;
    torch::Tensor codebook() const;                 // CPU copy [d_l, d_c, d_p] of G_ema's
    torch::Tensor page(int label, int category) const;
    void setPage(int label, int category, const torch::Tensor& page);
    void setCodebook(const torch::Tensor& codebook);

    // ---- Clusters (SPEC 6) ----
    // progress(done, total) may return false to cancel (then throws Error).
    ClusterAssignment assignClusters(const Dataset& data,
                                     const std::function<bool(int64_t, int64_t)>& progress = {}) const;

    // ---- Checkpoints: one file, written atomically ----
    void save(const std::string& path) const;
    // Restores everything (networks, optimizers, prior, step, RNG, data
    // order). Throws Error naming the differing fields when shapes differ.
    void load(const std::string& path);
    static CheckpointInfo readInfo(const std::string& path);

    struct Networks; // defined in trainer_impl.h
private:
    StepStats stepLocked();
    bool priorFrozenLocked() const;
    torch::Tensor nextRealBatch();
    std::pair<torch::Tensor, torch::Tensor> sampleLatents(int64_t n);
    void applyKnobsLocked();
    void resetDataOrder();
    void updateEma();

    Config m_config;
    std::shared_ptr<const Dataset> m_data;
    torch::Device m_device;
    int64_t m_totalSteps = 0;
    int64_t m_priorStart = -1;
    std::unique_ptr<Networks> m_nets;
    mutable StepGate m_gate;
    std::optional<TrainingKnobs> m_pendingKnobs;
    TrainingKnobs m_knobs;
};

// The config saved in a checkpoint, with the machine-specific settings
// (run.device, run.threads) back at their defaults: where a model was trained
// says nothing about the machine that now reads it.
Config checkpointConfig(const std::string& checkpoint);

} // namespace cgpgan
