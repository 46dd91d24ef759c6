#pragma once
// Where the math runs: CUDA when present, CPU otherwise, and how many threads.
#include "cgpgan/config.h"
#include "cgpgan/settings.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace cgpgan {

// "auto" picks CUDA when available (a CUDA build with no device says so once
// in the log and uses the CPU); "cuda" without a GPU is an Error.
torch::Device chooseDevice(DeviceChoice request);

// What this build of libtorch can run on (`cgpgan info --devices`).
struct DeviceReport {
    std::string libtorch;          // its version, e.g. "1.13.1" or "2.15.0"
    bool cudaCompiledIn = false;   // built against a CUDA libtorch
    std::string cudaToolkit;       // the toolkit it was configured with ("" without CUDA)
    int cudaDevices = 0;           // devices this process sees
    std::vector<std::string> deviceNames;
    bool cudnn = false;            // cuDNN available to libtorch (needs a device)
    bool gloo = false, nccl = false; // process-group backends (distributed.h)
    int cpuThreads = 0;
    std::string openMpWait;        // OMP_WAIT_POLICY as libgomp read it ("" = its default)
};
DeviceReport describeDevices();
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
