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

torch::Tensor blur(const torch::Tensor& x, const torch::Tensor& kernel, int64_t pad0, int64_t pad1,
                   double gain)
{
    const auto padded = F::pad(x, F::PadFuncOptions({pad0, pad1, pad0, pad1}));
    auto w = gain == 1.0 ? kernel : kernel * gain;
    return torch::conv2d(padded, w, torch::Tensor(), kOne, kZero, kOne, /*groups=*/x.size(1));
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
    const auto w = weight * scale;
    switch (resample) {
    case Resample::None:
        return torch::conv2d(x, w, bias, kOne, torch::IntArrayRef({kernel / 2, kernel / 2}));
    case Resample::Up: {
        // [out, in, k, k] -> [in, out, k, k] for the transposed convolution.
        const auto y = torch::conv_transpose2d(x, w.transpose(0, 1), torch::Tensor(), kTwo);
        const int64_t p = 3 - kernel;
        auto out = blur(y, blurFilter, (p + 1) / 2 + 1, p / 2 + 1, 4.0);
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
