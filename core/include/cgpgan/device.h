#pragma once
// Where the math runs: CUDA when present, CPU otherwise, and how many threads.
#include "cgpgan/config.h"
#include "cgpgan/settings.h"

#include <torch/torch.h>

#include <string>

namespace cgpgan {

// "auto" picks CUDA when available; "cuda" without a GPU is an Error.
torch::Device chooseDevice(DeviceChoice request);
// The CUDA device chooseDevice picks (default 0): a data-parallel rank uses
// its LOCAL_RANK (distributed.h). Throws Error when this machine has no such device.
void setCudaDeviceIndex(int index);

// Sets libtorch's intra-op threads (Debian's libtorch starts with one).
// threads == 0 means all cores. Returns the number now in use.
int configureThreads(int threads);

std::string describeDevice(const torch::Device& device);

// Memory a run on `device` can still take, in bytes: the CPU's MemAvailable;
// 0 (unknown, not checked) for CUDA, whose allocator reports its own errors.
int64_t availableMemory(const torch::Device& device);

// The config's footprint estimate (config.h) against availableMemory(device),
// before anything is allocated. Throws Error naming the fields to change.
void requireFitsOn(const Config& config, int64_t samples, const torch::Device& device);

} // namespace cgpgan
