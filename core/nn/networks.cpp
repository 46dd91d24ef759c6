#include "cgpgan/networks.h"

#include <algorithm>
#include <cmath>

namespace cgpgan {

namespace {
const double kInvSqrt2 = 1.0 / std::sqrt(2.0);
}

torch::Tensor normaliseCode(const torch::Tensor& c)
{
    const double dC = double(c.size(2));
    return ((c - 1.0 / dC) * (dC / std::sqrt(dC - 1.0))).flatten(1);
}

// SPEC 3: skip = up_conv2x2 (no bias); main = lrelu(conv3x3(lrelu(up_conv3x3(h)))).
ResidualUpBlockImpl::ResidualUpBlockImpl(int64_t in, int64_t out)
{
    skip = register_module("skip", EqualizedConv2d(in, out, 2, Resample::Up, /*bias=*/false));
    up = register_module("up", EqualizedConv2d(in, out, 3, Resample::Up));
    conv = register_module("conv", EqualizedConv2d(out, out, 3));
}

torch::Tensor ResidualUpBlockImpl::forward(const torch::Tensor& h)
{
    const auto main = lrelu(conv->forward(lrelu(up->forward(h))));
    return (skip->forward(h) + main) * kInvSqrt2;
}

// SPEC 3: skip = down_conv2x2 (no bias); main = lrelu(down_conv3x3(lrelu(conv3x3(h)))).
ResidualDownBlockImpl::ResidualDownBlockImpl(int64_t in, int64_t out)
{
    skip = register_module("skip", EqualizedConv2d(in, out, 2, Resample::Down, /*bias=*/false));
    conv = register_module("conv", EqualizedConv2d(in, in, 3));
    down = register_module("down", EqualizedConv2d(in, out, 3, Resample::Down));
}

torch::Tensor ResidualDownBlockImpl::forward(const torch::Tensor& h)
{
    const auto main = lrelu(down->forward(lrelu(conv->forward(h))));
    return (skip->forward(h) + main) * kInvSqrt2;
}

GeneratorImpl::GeneratorImpl(const ModelConfig& cfg) : config(cfg)
{
    const int64_t codeSize = int64_t(cfg.dL) * cfg.dC;
    const int64_t W = cfg.topWidth();
    const bool conv = cfg.arch == Arch::Conv;
    const int64_t spatial = conv ? 16 : 1;
    if (cfg.codebook) {
        // z -> dense -> 4x4xW; pages fill the other W channels (SPEC 3).
        input = register_module("input", EqualizedLinear(cfg.dZ, spatial * W));
        // SPEC 3: pages ~ N(0, 1); model.codebook_init scales them (an ablation, default 1).
        codebook = register_parameter("codebook",
                                      torch::randn({cfg.dL, cfg.dC, cfg.pageSize()}) * cfg.codebookInit);
    } else {
        // [z, normalised c] -> dense -> 4x4x2W (SPEC 3).
        input = register_module("input", EqualizedLinear(cfg.dZ + codeSize, spatial * 2 * W));
    }
    blocks = register_module("blocks", torch::nn::ModuleList());
    if (conv) {
        int64_t in = 2 * W;
        for (int width : cfg.gWidths) {
            blocks->push_back(ResidualUpBlock(in, width));
            in = width;
        }
        toImage = register_module("to_image", EqualizedConv2d(in, cfg.channels, 1));
    } else {
        int64_t in = 2 * W;
        for (size_t i = 1; i < cfg.mlpHidden.size(); ++i) {
            blocks->push_back(EqualizedLinear(in, cfg.mlpHidden[i]));
            in = cfg.mlpHidden[i];
        }
        toPoint = register_module("to_point", EqualizedLinear(in, cfg.channels));
    }
}

torch::Tensor GeneratorImpl::pages(const torch::Tensor& c) const
{
    // [b, d_l, d_c] x [d_l, d_c, d_p] -> [b, d_l, d_p]: one-hot selects a page,
    // a soft code mixes pages linearly.
    return torch::einsum("blk,lkp->blp", {c, codebook}).flatten(1);
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& c)
{
    const int64_t b = z.size(0);
    const int64_t W = config.topWidth();
    const bool conv = config.arch == Arch::Conv;
    torch::Tensor h;
    if (config.codebook)
        h = torch::cat({lrelu(input->forward(z)), pages(c)}, 1);
    else
        h = lrelu(input->forward(torch::cat({z, normaliseCode(c)}, 1)));
    if (conv) {
        // Both halves are [b, 16W]; viewing each as [W, 4, 4] and concatenating
        // on channels gives the 4x4x2W map.
        h = h.view({b, 2 * W, 4, 4});
        for (const auto& block : *blocks)
            h = block->as<ResidualUpBlock>()->forward(h);
        return toImage->forward(h);
    }
    for (const auto& layer : *blocks)
        h = lrelu(layer->as<EqualizedLinear>()->forward(h));
    return toPoint->forward(h);
}

torch::Tensor minibatchStddev(const torch::Tensor& h, int64_t group)
{
    const int64_t b = h.size(0);
    const int64_t g = std::min(group, b);
    TORCH_CHECK(b % g == 0, "minibatch std: batch ", b, " is not a multiple of the group ", g);
    // [g, b/g, C, H, W]: member i of every group sits at [i, group].
    const auto y = h.reshape({g, b / g, h.size(1), h.size(2), h.size(3)});
    const auto centred = y - y.mean(0, /*keepdim=*/true);
    const auto stddev = (centred.square().mean(0) + 1e-8).sqrt();                 // [b/g, C, H, W]
    const auto perGroup = stddev.mean({1, 2, 3}).view({1, b / g, 1, 1, 1});       // [1, b/g, 1, 1, 1]
    const auto feature = perGroup.expand({g, b / g, 1, h.size(2), h.size(3)}).reshape({b, 1, h.size(2), h.size(3)});
    return torch::cat({h, feature.to(h.scalar_type())}, 1);
}

EncoderImpl::EncoderImpl(const ModelConfig& cfg, int64_t outputs, bool minibatchStd) : config(cfg)
{
    // SPEC 3: hidden dense of 2 * d_l * d_c units; model.d_hidden widens it (ablation).
    const int64_t hiddenSize = cfg.hiddenWidth();
    mbstdGroup = (minibatchStd && cfg.arch == Arch::Conv) ? cfg.mbstdGroup : 0;
    blocks = register_module("blocks", torch::nn::ModuleList());
    if (cfg.arch == Arch::Conv) {
        fromImage = register_module("from_image", EqualizedConv2d(cfg.channels, cfg.dWidths.front(), 1));
        int64_t in = cfg.dWidths.front();
        for (int width : cfg.dWidths) {
            blocks->push_back(ResidualDownBlock(in, width));
            in = width;
        }
        last = register_module("last", EqualizedConv2d(in + (mbstdGroup > 0 ? 1 : 0), 2 * in, 3));
        hidden = register_module("hidden", EqualizedLinear(2 * in * 16, hiddenSize));
    } else {
        int64_t in = cfg.channels;
        for (int width : cfg.mlpHidden) {
            blocks->push_back(EqualizedLinear(in, width));
            in = width;
        }
        hidden = register_module("hidden", EqualizedLinear(in, hiddenSize));
    }
    out = register_module("out", EqualizedLinear(hiddenSize, outputs));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& x)
{
    return out->forward(features(x));
}

torch::Tensor EncoderImpl::features(const torch::Tensor& x)
{
    torch::Tensor h;
    if (config.arch == Arch::Conv) {
        h = lrelu(fromImage->forward(x));
        for (const auto& block : *blocks)
            h = block->as<ResidualDownBlock>()->forward(h);
        if (mbstdGroup > 0)
            h = minibatchStddev(h, mbstdGroup);
        h = lrelu(last->forward(h)).flatten(1);
    } else {
        h = x;
        for (const auto& layer : *blocks)
            h = lrelu(layer->as<EqualizedLinear>()->forward(h));
    }
    return lrelu(hidden->forward(h));
}

} // namespace cgpgan
