#pragma once
// The generator and the encoder (D and Q are two instances), SPEC 3; plus the
// small MLP versions used by toy-2d (SPEC 5).
#include "cgpgan/config.h"
#include "cgpgan/layers.h"

#include <torch/torch.h>

namespace cgpgan {

// SPEC 3, one-hot mode: c normalised to zero mean, unit variance per label,
// (c - 1/d_c) * d_c / sqrt(d_c - 1), flattened to [b, d_l * d_c].
torch::Tensor normaliseCode(const torch::Tensor& c);

struct ResidualUpBlockImpl : torch::nn::Module {
    ResidualUpBlockImpl(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& h);
    EqualizedConv2d skip{nullptr}, up{nullptr}, conv{nullptr};
};
TORCH_MODULE(ResidualUpBlock);

struct ResidualDownBlockImpl : torch::nn::Module {
    ResidualDownBlockImpl(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& h);
    EqualizedConv2d skip{nullptr}, conv{nullptr}, down{nullptr};
};
TORCH_MODULE(ResidualDownBlock);

// G(z, c): z [b, d_z], c [b, d_l, d_c] (one-hot or soft). Output images
// [b, C, R, R] (conv) or points [b, C] (mlp), unclipped.
struct GeneratorImpl : torch::nn::Module {
    explicit GeneratorImpl(const ModelConfig& config);
    torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& c);

    // The codebook B [d_l, d_c, d_p] (undefined in one-hot mode), SPEC 3.
    torch::Tensor codebook;
    // Pages for a (soft) code: sum_k c[l,k] B[l,k,:], flattened to [b, d_l*d_p].
    torch::Tensor pages(const torch::Tensor& c) const;

    ModelConfig config;
    EqualizedLinear input{nullptr};
    torch::nn::ModuleList blocks;  // conv: residual up-blocks; mlp: hidden dense layers
    EqualizedConv2d toImage{nullptr};
    EqualizedLinear toPoint{nullptr};
};
TORCH_MODULE(Generator);

// Minibatch standard deviation (Karras et al. 2018; StyleGAN2's form): for
// groups of `group` consecutive samples, the std over the group of every
// feature (sqrt(var + 1e-8), so its gradient is finite where all members are
// equal), averaged over channels and positions; that one number per group is
// appended as an extra feature map of h [b, C, H, W] -> [b, C + 1, H, W].
// A batch smaller than the group forms one group; b must divide by the group.
torch::Tensor minibatchStddev(const torch::Tensor& h, int64_t group);

// Encoder: images [b, C, R, R] (or points) -> logits [b, outputs].
// minibatchStd (D only, model.mbstd_group > 0): the minibatch std feature at
// 4x4, before the last conv (conv arch only).
struct EncoderImpl : torch::nn::Module {
    EncoderImpl(const ModelConfig& config, int64_t outputs, bool minibatchStd = false);
    torch::Tensor forward(const torch::Tensor& x);
    // The penultimate layer: lrelu(hidden(...)), [b, hiddenWidth()] (SPEC 3);
    // forward(x) is out(features(x)). The cluster map embeds Q's.
    torch::Tensor features(const torch::Tensor& x);

    ModelConfig config;
    int64_t mbstdGroup = 0; // 0 = no minibatch std feature
    EqualizedConv2d fromImage{nullptr}, last{nullptr};
    torch::nn::ModuleList blocks;
    EqualizedLinear hidden{nullptr}, out{nullptr};
};
TORCH_MODULE(Encoder);

} // namespace cgpgan
