#include "cgpgan/layers.h"

#include <cmath>

namespace cgpgan {

namespace F = torch::nn::functional;

namespace {
// Stride / padding / dilation arguments (brace lists are ambiguous for conv2d).
const std::vector<int64_t> kZeroV{0, 0}, kOneV{1, 1}, kTwoV{2, 2};
const torch::IntArrayRef kZero(kZeroV), kOne(kOneV), kTwo(kTwoV);
} // namespace

torch::Tensor lrelu(const torch::Tensor& x) { return torch::leaky_relu(x, kLeakySlope); }

torch::Tensor blurKernel()
{
    const auto taps = torch::tensor({1.0f, 3.0f, 3.0f, 1.0f});
    const auto k = torch::outer(taps, taps);
    return k / k.sum();
}

namespace {

// Depthwise blur, forward only: zero padding (pad0 before, pad1 after, both
// axes) then a valid 4x4 correlation per channel. Symmetric padding is done
// by the convolution itself (no padded copy of x).
torch::Tensor blurForward(const torch::Tensor& x, const torch::Tensor& kernel, int64_t pad0, int64_t pad1)
{
    // The kernel follows x's dtype: under bf16 autocast the backward's blur
    // runs outside autocast on bf16 gradients.
    const auto k = kernel.scalar_type() == x.scalar_type() ? kernel : kernel.to(x.scalar_type());
    const int64_t groups = x.size(1);
    if (pad0 == pad1 && pad0 >= 0)
        return torch::conv2d(x, k, torch::Tensor(), kOne, torch::IntArrayRef({pad0, pad0}), kOne, groups);
    const auto padded = F::pad(x, F::PadFuncOptions({pad0, pad1, pad0, pad1}));
    return torch::conv2d(padded, k, torch::Tensor(), kOne, kZero, kOne, groups);
}

// The blur as an autograd function. Its adjoint is again a blur: the
// [1,3,3,1] kernel is symmetric under flipping, so the input gradient of
// "pad (p0, p1), correlate with k" is "pad (3 - p0, 3 - p1), correlate with k"
// (a negative pad crops). Written this way the double backward of the
// gradient penalties (SPEC 4.4-4.5) is one more depthwise blur; through
// conv2d it was libtorch's convolution double backward, which also computes
// the kernel's gradient (not needed: the kernel is a constant) as one small
// convolution per channel: about 600 extra convolutions per bench step.
struct BlurFunction : torch::autograd::Function<BlurFunction> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& kernel, int64_t pad0, int64_t pad1)
    {
        ctx->saved_data["kernel"] = kernel;
        ctx->saved_data["pad0"] = pad0;
        ctx->saved_data["pad1"] = pad1;
        return blurForward(x, kernel, pad0, pad1);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto kernel = ctx->saved_data["kernel"].toTensor();
        const int64_t taps = kernel.size(-1);
        const int64_t pad0 = ctx->saved_data["pad0"].toInt();
        const int64_t pad1 = ctx->saved_data["pad1"].toInt();
        const auto gradX = BlurFunction::apply(grads[0], kernel, taps - 1 - pad0, taps - 1 - pad1);
        return {gradX, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor blur(const torch::Tensor& x, const torch::Tensor& kernel, int64_t pad0, int64_t pad1,
                   double gain)
{
    // The kernel is a constant (a buffer): no gradient flows to it.
    const auto k = (gain == 1.0 ? kernel : kernel * gain).detach();
    return BlurFunction::apply(x, k, pad0, pad1);
}

namespace {
torch::Tensor depthwiseKernel(int64_t channels, const torch::Device& device, torch::ScalarType dtype)
{
    return blurKernel().to(device, dtype).view({1, 1, 4, 4}).repeat({channels, 1, 1, 1});
}
} // namespace

// StyleGAN2 padding for a 4-tap filter: upsampling with a k-kernel transposed
// conv pads p = 3 - k as ((p+1)/2 + 1, p/2 + 1); downsampling pads p = k + 1
// as ((p+1)/2, p/2). With k = 1 that is blur-only resampling.
torch::Tensor upsample2(const torch::Tensor& x)
{
    const auto c = x.size(1);
    // Zero insertion = transposed conv with a 1x1 identity kernel, stride 2.
    const auto eye = torch::ones({c, 1, 1, 1}, x.options());
    const auto up = torch::conv_transpose2d(x, eye, torch::Tensor(), kTwo, kZero, kZero, c);
    const int64_t p = 3 - 1;
    return blur(up, depthwiseKernel(c, x.device(), x.scalar_type()), (p + 1) / 2 + 1, p / 2 + 1, 4.0);
}

torch::Tensor downsample2(const torch::Tensor& x)
{
    const auto c = x.size(1);
    const int64_t p = 2; // blur-only: k = 1
    const auto b = blur(x, depthwiseKernel(c, x.device(), x.scalar_type()), (p + 1) / 2, p / 2, 1.0);
    using torch::indexing::None;
    using torch::indexing::Slice;
    return b.index({Slice(), Slice(), Slice(0, None, 2), Slice(0, None, 2)});
}

EqualizedLinearImpl::EqualizedLinearImpl(int64_t inFeatures, int64_t outFeatures, bool withBias)
    : scale(1.0 / std::sqrt(double(inFeatures)))
{
    weight = register_parameter("weight", torch::randn({outFeatures, inFeatures}));
    if (withBias)
        bias = register_parameter("bias", torch::zeros({outFeatures}));
}

torch::Tensor EqualizedLinearImpl::forward(const torch::Tensor& x)
{
    return torch::linear(x, weight * scale, bias);
}

EqualizedConv2dImpl::EqualizedConv2dImpl(int64_t inChannels, int64_t outChannels, int64_t k,
                                         Resample r, bool withBias)
    : kernel(k), resample(r), scale(1.0 / std::sqrt(double(k * k * inChannels)))
{
    TORCH_CHECK(r != Resample::None || k % 2 == 1, "a non-resampling conv needs an odd kernel");
    // The StyleGAN2 padding below is written for p = 3 - k >= 0 (k <= 3).
    TORCH_CHECK(r != Resample::Up || k <= 3, "upsampling convolutions support kernels up to 3");
    weight = register_parameter("weight", torch::randn({outChannels, inChannels, k, k}));
    if (withBias)
        bias = register_parameter("bias", torch::zeros({outChannels}));
    if (r != Resample::None) {
        const int64_t blurred = r == Resample::Up ? outChannels : inChannels;
        blurFilter = register_buffer("blur_filter", depthwiseKernel(blurred, torch::kCPU, torch::kFloat));
    }
}

torch::Tensor EqualizedConv2dImpl::forward(const torch::Tensor& x)
{
    // Up: the blur's gain 4 is folded into the weight's scale. Both are
    // linear and 4 is a power of two, so blur(convT(x, w), 4k) and
    // blur(convT(x, 4w), k) round identically; it saves scaling the kernel
    // (a new tensor) on every call.
    const auto w = weight * (resample == Resample::Up ? scale * 4.0 : scale);
    switch (resample) {
    case Resample::None:
        return torch::conv2d(x, w, bias, kOne, torch::IntArrayRef({kernel / 2, kernel / 2}));
    case Resample::Up: {
        // [out, in, k, k] -> [in, out, k, k] for the transposed convolution.
        const auto y = torch::conv_transpose2d(x, w.transpose(0, 1), torch::Tensor(), kTwo);
        const int64_t p = 3 - kernel;
        auto out = blur(y, blurFilter, (p + 1) / 2 + 1, p / 2 + 1, 1.0); // gain 4 is in w
        return bias.defined() ? out + bias.view({1, -1, 1, 1}) : out;
    }
    case Resample::Down: {
        const int64_t p = kernel + 1;
        const auto b = blur(x, blurFilter, (p + 1) / 2, p / 2, 1.0);
        return torch::conv2d(b, w, bias, kTwo, kZero);
    }
    }
    return {};
}

} // namespace cgpgan
