#pragma once
// Building blocks of SPEC 3: equalized learning rate, [1,3,3,1] blur,
// blurred up/down-sampling convolutions (StyleGAN2's formulation).
#include <torch/torch.h>

namespace cgpgan {

constexpr double kLeakySlope = 0.2; // SPEC 3: leaky ReLU, slope 0.2

torch::Tensor lrelu(const torch::Tensor& x);

// The normalised 4x4 blur filter: outer([1,3,3,1], [1,3,3,1]) / 64.
torch::Tensor blurKernel();

// Depthwise blur with padding (pad0 before, pad1 after, both axes; negative
// crops) and gain. `kernel` is blurKernel() expanded to [C, 1, 4, 4] (a
// constant: no gradient flows to it). Differentiable to any order in x: its
// backward is again a blur (the kernel is symmetric), which keeps the double
// backward of the gradient penalties cheap.
torch::Tensor blur(const torch::Tensor& x, const torch::Tensor& kernel, int64_t pad0, int64_t pad1,
                   double gain);

// Blur-only resampling by 2 (no weights): the reference for the resampling
// convolutions and for tests. Output size is exactly 2H (up) or H/2 (down).
torch::Tensor upsample2(const torch::Tensor& x);
torch::Tensor downsample2(const torch::Tensor& x);

// Dense layer with equalized learning rate: weight ~ N(0,1) stored, scaled by
// 1/sqrt(in_features) at run time; bias starts at 0 (SPEC 3).
struct EqualizedLinearImpl : torch::nn::Module {
    EqualizedLinearImpl(int64_t inFeatures, int64_t outFeatures, bool bias = true);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight;
    torch::Tensor bias; // undefined when built without bias
    double scale;
};
TORCH_MODULE(EqualizedLinear);

enum class Resample { None, Up, Down };

// Convolution with equalized learning rate (scale 1/sqrt(k*k*in_channels)).
// Up: transposed conv (stride 2) then blur with gain 4; Down: blur then conv
// (stride 2); None: 'same' padding (odd kernels). Sizes: Up 2H, Down H/2.
struct EqualizedConv2dImpl : torch::nn::Module {
    EqualizedConv2dImpl(int64_t inChannels, int64_t outChannels, int64_t kernel,
                        Resample resample = Resample::None, bool bias = true);
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight; // [out, in, k, k]
    torch::Tensor bias;
    torch::Tensor blurFilter; // buffer [C, 1, 4, 4], C = channels blurred
    int64_t kernel;
    Resample resample;
    double scale;
};
TORCH_MODULE(EqualizedConv2d);

} // namespace cgpgan
