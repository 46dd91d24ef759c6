#pragma once
// The speed options of RunConfig (issue 4): cuDNN autotuning, channels-last
// memory format, and bf16 autocast for the forward passes of the step.
// Internal to the trainer (trainer.cpp, checkpoint.cpp).
#include "cgpgan/config.h"

#include <torch/torch.h>

namespace cgpgan {

// cudnn_benchmark: lets cuDNN time its convolution algorithms once per shape
// and keep the fastest. A process-wide switch; only set on a CUDA device.
void configureCudnn(const RunConfig& run, const torch::Device& device);

// The memory format of 4-d tensors (conv weights, image batches).
at::MemoryFormat modelMemoryFormat(const RunConfig& run);

// Puts every 4-d parameter and buffer of module into format, in place
// (set_data keeps each tensor's identity, so optimizers that hold the
// parameters keep working). C++'s Module::to has no memory_format.
void setMemoryFormat(torch::nn::Module& module, at::MemoryFormat format);

// The same for the per-parameter state of an AdamW (exp_avg, exp_avg_sq),
// which a checkpoint restores with the layout it was saved in.
void setMemoryFormat(torch::optim::Optimizer& optimizer, at::MemoryFormat format);

// x in format when it is 4-d; unchanged otherwise (points, codes).
torch::Tensor inMemoryFormat(const torch::Tensor& x, at::MemoryFormat format);

// Autocast to a lower precision on one device type for the scope of the
// guard, then the previous state back (and the autocast cast cache cleared
// when the outermost guard closes, as torch.autocast's __exit__ does).
// Disabled guards touch nothing. Only forward passes belong inside: the
// backward and the double backward of the penalties run outside, on the
// dtypes the forward recorded.
class AutocastGuard final {
public:
    AutocastGuard(torch::DeviceType device, bool enabled, at::ScalarType dtype = at::kBFloat16);
    ~AutocastGuard();
    AutocastGuard(const AutocastGuard&) = delete;
    AutocastGuard& operator=(const AutocastGuard&) = delete;

private:
    torch::DeviceType m_device;
    bool m_active = false;
    bool m_previousEnabled = false;
    at::ScalarType m_previousDtype = at::kFloat;
};

} // namespace cgpgan
