#include "cgpgan/device.h"

#include "cgpgan/distributed.h"
#include "cgpgan/error.h"

#include <torch/version.h>
#if CGPGAN_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include <dlfcn.h>

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace cgpgan {

namespace {
int g_cudaIndex = 0;
}

void setCudaDeviceIndex(int index)
{
    if (index != 0 && torch::cuda::is_available() && index >= int(torch::cuda::device_count()))
        throw Error("CUDA device " + std::to_string(index) + " was asked for (LOCAL_RANK), but this machine has " +
                    std::to_string(torch::cuda::device_count()) + ": start at most that many processes per node");
    g_cudaIndex = index;
}

torch::Device chooseDevice(DeviceChoice request)
{
    switch (request) {
    case DeviceChoice::Cpu:
        return torch::kCPU;
    case DeviceChoice::Cuda:
        if (!torch::cuda::is_available())
            throw Error("--device cuda was asked for, but this libtorch sees no CUDA device "
                        "(Debian's libtorch is CPU-only; build against a CUDA libtorch)");
        return torch::Device(torch::kCUDA, c10::DeviceIndex(g_cudaIndex));
    case DeviceChoice::Auto:
        break;
    }
    if (torch::cuda::is_available())
        return torch::Device(torch::kCUDA, c10::DeviceIndex(g_cudaIndex));
#if CGPGAN_TORCH_CUDA
    static std::once_flag noted; // chooseDevice runs on the explorer's threads too
    std::call_once(noted, [] {
        spdlog::info("this build has CUDA ({}), but no CUDA device is present: running on the CPU",
                     CGPGAN_TORCH_CUDA_VERSION);
    });
#endif
    return torch::Device(torch::kCPU);
}

DeviceReport describeDevices()
{
    DeviceReport r;
    r.libtorch = TORCH_VERSION;
#if CGPGAN_TORCH_CUDA
    r.cudaCompiledIn = true;
    r.cudaToolkit = CGPGAN_TORCH_CUDA_VERSION;
#endif
    r.cudaDevices = int(torch::cuda::device_count());
#if CGPGAN_TORCH_CUDA
    for (int i = 0; i < r.cudaDevices; ++i) {
        const cudaDeviceProp* props = at::cuda::getDeviceProperties(c10::DeviceIndex(i));
        r.deviceNames.push_back(std::string(props->name) + " (" + std::to_string(props->totalGlobalMem >> 20) +
                                " MiB, compute " + std::to_string(props->major) + "." + std::to_string(props->minor) + ")");
    }
#endif
    r.cudnn = r.cudaDevices > 0 && torch::cuda::cudnn_is_available();
    r.gloo = distributedAvailable();
    r.nccl = ncclAvailable();
    r.cpuThreads = torch::get_num_threads();
    if (const char* policy = std::getenv("OMP_WAIT_POLICY"))
        r.openMpWait = policy;
    return r;
}

namespace {
// When libtorch's BLAS is OpenBLAS (Debian's libblas.so.3 alternative with
// libopenblas0-pthread installed), OpenBLAS runs its own pthread pool inside
// libtorch's OpenMP threads: 2 + 2 busy threads on 2 cores. Measured on the
// demo preset, 2 cores: 2.0 steps/s as shipped, 3.4 with OpenBLAS at one
// thread (libtorch's intra-op threads still parallelise the GEMMs' callers).
// Looked up at run time so that no BLAS is linked and other BLASes are left alone.
void keepBlasSingleThreaded()
{
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
        set(1);
}
} // namespace

int configureThreads(int threads)
{
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    int n = threads > 0 ? threads : cores;
    // More intra-op threads than cores only makes them wait for each other
    // (and 100000 of them stall the machine): capped, with a word.
    if (n > cores) {
        spdlog::warn("run.threads {} is more than the {} cores here: using {}", threads, cores, cores);
        n = cores;
    }
    keepBlasSingleThreaded();
    torch::set_num_threads(n);
    return torch::get_num_threads();
}

std::string describeDevice(const torch::Device& device)
{
    if (device.is_cuda())
        return "CUDA:" + std::to_string(device.index() < 0 ? 0 : device.index());
    const int threads = torch::get_num_threads();
    return "CPU (" + std::to_string(threads) + (threads == 1 ? " thread)" : " threads)");
}

int64_t availableMemory(const torch::Device& device)
{
    if (!device.is_cpu())
        return 0;
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    int64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit)
        if (key == "MemAvailable:")
            return kib * 1024;
    const long pages = sysconf(_SC_AVPHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? int64_t(pages) * size : 0;
}

void requireFitsOn(const Config& config, int64_t samples, const torch::Device& device)
{
    requireFits(config, samples, availableMemory(device), "this machine's free memory");
}

} // namespace cgpgan
