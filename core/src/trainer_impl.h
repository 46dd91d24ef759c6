#pragma once
// Trainer internals shared by trainer.cpp, sampling.cpp and checkpoint.cpp.
#include "cgpgan/networks.h"
#include "cgpgan/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace cgpgan {

constexpr int kCheckpointFormat = 1;

// A CPU view (no copy) of the data, checked against the model: images
// [n, C, R, R] uint8, or points [n, d] float. Throws Error when they differ.
torch::Tensor dataView(const Dataset& data, const ModelConfig& model);

// What the networks take: uint8 images scaled to [-1, 1]; points unchanged.
torch::Tensor toModelInput(const torch::Tensor& batch);

struct Trainer::Networks {
    Generator g{nullptr};
    Generator gEma{nullptr};
    Encoder d{nullptr};
    Encoder q{nullptr}; // null in vanilla mode
    std::unique_ptr<torch::optim::AdamW> optG, optD, optQ;
    torch::Tensor prior;   // CPU float [d_l, d_c]
    torch::Tensor data;    // all training data on the device: uint8 images or float points
    at::Generator rng;     // CPU generator for z, c and the data order
    torch::Tensor order;   // current epoch permutation (CPU int64)
    int64_t cursor = 0;    // next position in order
    int64_t step = 0;
    // Speed options (RunConfig): the layout of 4-d tensors, bf16 autocast.
    at::MemoryFormat memoryFormat = at::MemoryFormat::Contiguous;
    bool bf16 = false;

    // Puts the networks and the optimizer states into memoryFormat (after
    // construction and after a checkpoint load, which keeps the saved layout).
    void applyMemoryFormat();
};

} // namespace cgpgan
