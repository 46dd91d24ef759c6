#pragma once
// Model and Trainer internals, private to the engine: included by the model
// (model/model.cpp, sampling.cpp, export.cpp), the trainer
// (training/trainer.cpp), the checkpoint code (checkpoint/checkpoint.cpp,
// checkpoint_integrity.h), the metrics (analysis/metrics.cpp) and two white-box
// tests (test_export, test_integrity).
#include "cgpgan/model.h"
#include "cgpgan/networks.h"
#include "cgpgan/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace cgpgan {

constexpr int kCheckpointFormat = 1;

// A CPU view (no copy) of the data, checked against the model: images
// [n, C, R, R] uint8, or points [n, d] float. Throws Error when they differ.
torch::Tensor dataView(const Dataset& data, const ModelConfig& model);

// What the networks take: uint8 images scaled to [-1, 1]; points unchanged.
torch::Tensor toModelInput(const torch::Tensor& batch);

// z ~ model.latent_dist with the generator gen (unit variance either way).
torch::Tensor drawLatents(int64_t n, const ModelConfig& model, at::Generator gen);

// What a model is made of (model.h). Guarded by the model's StepGate.
struct Model::Networks {
    Generator g{nullptr};
    Generator gEma{nullptr};
    Encoder d{nullptr};
    Encoder q{nullptr};  // null in vanilla mode
    torch::Tensor prior; // CPU float [d_l, d_c]
    // Steering holds (issue 27, losses.h heldPrior): CPU float [d_l, d_c],
    // -1 where a category is free, else the mass it is held at (0: emptied).
    torch::Tensor pins;
    int64_t step = 0;    // steps the weights have been trained for
    // run.channels_last: the layout of 4-d parameters.
    at::MemoryFormat memoryFormat = at::MemoryFormat::Contiguous;

    // G, G_ema, D and (when there is one) Q.
    std::vector<torch::nn::Module*> modules() const;
    // Puts the modules into memoryFormat (after construction and after a
    // checkpoint load, which keeps the saved layout).
    void applyMemoryFormat();
};

inline Model::Networks& networksOf(Model& model) { return *model.m_nets; }
inline const Model::Networks& networksOf(const Model& model) { return *model.m_nets; }

// What training adds to a model (trainer.h). Guarded by the model's StepGate.
struct Trainer::State {
    std::unique_ptr<torch::optim::AdamW> optG, optD, optQ;
    torch::Tensor data;  // all training data on the device: uint8 images or float points
    at::Generator rng;   // CPU generator for z, c and the data order
    torch::Tensor order; // current epoch permutation (CPU int64)
    int64_t cursor = 0;  // next position in order
    bool bf16 = false;   // run.precision: bf16 autocast of the forward passes

    // Puts the optimizer states into format (after a checkpoint load).
    void applyMemoryFormat(at::MemoryFormat format);
};

// Checkpoint pieces shared by Model::load and Trainer::load (checkpoint.cpp).
torch::serialize::InputArchive openCheckpoint(const std::string& path, const torch::Device& device);
Config readCheckpointConfig(torch::serialize::InputArchive& archive, const std::string& path);
// G, G_ema, D, Q, the prior and the step into nets; throws Error naming path.
// steerApplied (when given): how many train.steer actions the checkpoint has
// applied, -1 when it does not say.
void readModelParts(torch::serialize::InputArchive& archive, Model::Networks& nets, const std::string& path,
                    int64_t* steerApplied = nullptr);

} // namespace cgpgan
