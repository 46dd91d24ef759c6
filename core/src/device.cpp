#include "cgpgan/device.h"

#include "cgpgan/error.h"

#include <thread>

namespace cgpgan {

torch::Device chooseDevice(const std::string& request)
{
    if (request == "cpu")
        return torch::kCPU;
    if (request == "cuda") {
        if (!torch::cuda::is_available())
            throw Error("--device cuda was asked for, but this libtorch sees no CUDA device "
                        "(Debian's libtorch is CPU-only; build against a CUDA libtorch)");
        return torch::Device(torch::kCUDA, 0);
    }
    if (request == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    throw Error("unknown device \"" + request + "\" (use auto, cpu or cuda)");
}

int configureThreads(int threads)
{
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int n = threads > 0 ? threads : cores;
    torch::set_num_threads(n);
    return torch::get_num_threads();
}

std::string describeDevice(const torch::Device& device)
{
    if (device.is_cuda())
        return "CUDA:" + std::to_string(device.index() < 0 ? 0 : device.index());
    return "CPU (" + std::to_string(torch::get_num_threads()) + " threads)";
}

} // namespace cgpgan
