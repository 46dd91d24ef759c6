#include "runtime/speed_options.h"

#include "cgpgan/error.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

// libtorch 2.4 replaced the per-device autocast calls (is_cpu_enabled,
// set_autocast_gpu_dtype, ...) by ones that take the device type, and
// deprecated the old names. Before 2.4 (1.13 included) only the old ones exist.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define CGPGAN_AUTOCAST_BY_DEVICE_TYPE 1
#else
#define CGPGAN_AUTOCAST_BY_DEVICE_TYPE 0
#endif

namespace cgpgan {

void configureCudnn(const RunConfig& run, const torch::Device& device)
{
    if (device.is_cuda())
        at::globalContext().setBenchmarkCuDNN(run.cudnnBenchmark);
}

at::MemoryFormat modelMemoryFormat(const RunConfig& run)
{
    return run.channelsLast ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
}

torch::Tensor inMemoryFormat(const torch::Tensor& x, at::MemoryFormat format)
{
    return x.dim() == 4 ? x.contiguous(format) : x;
}

void setMemoryFormat(torch::nn::Module& module, at::MemoryFormat format)
{
    torch::NoGradGuard noGrad;
    for (auto& p : module.parameters())
        if (p.dim() == 4 && !p.is_contiguous(format))
            p.set_data(p.detach().contiguous(format));
    for (auto& b : module.buffers())
        if (b.dim() == 4 && !b.is_contiguous(format))
            b.set_data(b.contiguous(format));
}

void setMemoryFormat(torch::optim::Optimizer& optimizer, at::MemoryFormat format)
{
    torch::NoGradGuard noGrad;
    const auto convert = [format](const torch::Tensor& t) {
        return t.defined() && t.dim() == 4 && !t.is_contiguous(format) ? t.contiguous(format) : t;
    };
    // The state map's key type differs between libtorch versions; only the values are used.
    for (auto& entry : optimizer.state()) {
        if (auto* s = dynamic_cast<torch::optim::AdamWParamState*>(entry.second.get())) {
            s->exp_avg(convert(s->exp_avg()));
            s->exp_avg_sq(convert(s->exp_avg_sq()));
            s->max_exp_avg_sq(convert(s->max_exp_avg_sq()));
        }
    }
}

namespace {

bool autocastEnabled(torch::DeviceType device)
{
#if CGPGAN_AUTOCAST_BY_DEVICE_TYPE
    return at::autocast::is_autocast_enabled(device);
#else
    return device == torch::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

at::ScalarType autocastDtype(torch::DeviceType device)
{
#if CGPGAN_AUTOCAST_BY_DEVICE_TYPE
    return at::autocast::get_autocast_dtype(device);
#else
    return device == torch::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void setAutocast(torch::DeviceType device, bool enabled, at::ScalarType dtype)
{
#if CGPGAN_AUTOCAST_BY_DEVICE_TYPE
    at::autocast::set_autocast_dtype(device, dtype);
    at::autocast::set_autocast_enabled(device, enabled);
#else
    if (device == torch::kCUDA) {
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(enabled);
    } else {
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(enabled);
    }
#endif
}

} // namespace

AutocastGuard::AutocastGuard(torch::DeviceType device, bool enabled, at::ScalarType dtype) : m_device(device)
{
    if (!enabled)
        return;
    if (device != torch::kCPU && device != torch::kCUDA)
        throw Error("bf16 autocast is supported on the CPU and on CUDA only");
    m_previousEnabled = autocastEnabled(device);
    m_previousDtype = autocastDtype(device);
    setAutocast(device, true, dtype);
    at::autocast::increment_nesting();
    m_active = true;
}

AutocastGuard::~AutocastGuard()
{
    if (!m_active)
        return;
    // Casts of parameters are cached while autocast is on; an optimizer step
    // follows, so the cache must not outlive the outermost region.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    setAutocast(m_device, m_previousEnabled, m_previousDtype);
}

} // namespace cgpgan
