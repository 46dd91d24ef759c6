#pragma once
// Where the math runs: CUDA when present, CPU otherwise, and how many threads.
#include "cgpgan/settings.h"

#include <torch/torch.h>

#include <string>

namespace cgpgan {

// "auto" picks CUDA when available; "cuda" without a GPU is an Error.
torch::Device chooseDevice(DeviceChoice request);

// Sets libtorch's intra-op threads (Debian's libtorch starts with one).
// threads == 0 means all cores. Returns the number now in use.
int configureThreads(int threads);

std::string describeDevice(const torch::Device& device);

} // namespace cgpgan
