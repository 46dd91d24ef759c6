#pragma once
// Sample quality (SPEC 6): FID and precision / recall (Kynkaanniemi 2019) of
// G_ema samples against real images, measured on the features of a feature
// network: a TorchScript file given by path (StyleGAN2-ADA's Inception,
// `inception-2015-12-05.pt`, makes numbers comparable with papers), or a small
// built-in random-feature network that needs no download (numbers comparable
// only with each other). Every number is reported with the extractor's name.
#include "cgpgan/dataset.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cgpgan {

class Model;

// images [n, C, H, W] float in [-1, 1], C = 1 or 3 -> features [n, d] float on CPU.
class FeatureExtractor {
public:
    virtual ~FeatureExtractor() = default;
    // Printed beside every number it produced.
    virtual std::string name() const = 0;
    virtual int64_t dimension() const = 0;
    // Runs the network in chunks (bounded memory) without gradients; the
    // images may live on any device. Throws Error on a wrong shape.
    torch::Tensor features(const torch::Tensor& images);

protected:
    explicit FeatureExtractor(int64_t chunk) : m_chunk(chunk) {}
    // One chunk: [n, C, H, W] float in [-1, 1] on any device -> [n, d] (any device, any float type).
    virtual torch::Tensor extract(const torch::Tensor& images) = 0;

private:
    int64_t m_chunk;
};

// A TorchScript feature network. Input convention of StyleGAN2-ADA's
// Inception: NCHW, 3 channels (grey repeated), float 0..255 (quantised to
// integers, as if the images were saved as 8-bit files); forward is called with
// return_features=True when its signature has that argument.
class TorchScriptExtractor final : public FeatureExtractor {
public:
    // Throws Error naming the path when it is missing or not a TorchScript module.
    TorchScriptExtractor(const std::string& path, torch::Device device = torch::kCPU);
    ~TorchScriptExtractor() override;
    std::string name() const override { return m_name; }
    // Known once features() has run; before that, probed with two 64x64 images.
    int64_t dimension() const override;

protected:
    torch::Tensor extract(const torch::Tensor& images) override;

private:
    struct Module; // the torch::jit::Module, kept out of this header
    torch::Tensor run(const torch::Tensor& images) const;

    std::string m_path, m_name;
    torch::Device m_device;
    std::unique_ptr<Module> m_module;
    mutable int64_t m_dimension = -1;
};

// A small fixed convolutional network with weights drawn from a fixed seed (a
// random-feature embedding): images larger than 64x64 are first area-averaged
// to 64x64; then three 3x3 conv + leaky ReLU layers (32, 64, 128 channels, 2x2
// average pooling between them), each pooled to 2x2 (layers 1 and 2) or 1x1
// (layer 3) and concatenated: 128 + 256 + 128 = 512 features. Deterministic
// for a given libtorch; NOT Inception, so its FIDs are only comparable with
// each other.
class BuiltinExtractor final : public FeatureExtractor {
public:
    explicit BuiltinExtractor(torch::Device device = torch::kCPU);
    std::string name() const override;
    int64_t dimension() const override { return 512; }

protected:
    torch::Tensor extract(const torch::Tensor& images) override;

private:
    torch::Device m_device;
    std::vector<torch::Tensor> m_weights, m_biases;
};

// Frechet distance between N(mu1, sigma1) and N(mu2, sigma2), in double:
// ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)) (SPEC 6). The trace of the
// square root comes from symmetric eigendecompositions: S1 S2 is similar to
// the symmetric PSD S1^(1/2) S2 S1^(1/2), whose eigenvalues (clamped at 0) are
// square-rooted and summed.
double frechetDistance(const torch::Tensor& mu1, const torch::Tensor& sigma1, const torch::Tensor& mu2,
                       const torch::Tensor& sigma2);

// FID of two feature sets [n, d]: Frechet distance of their means and
// unbiased covariances (n >= 2 each).
double fid(const torch::Tensor& featuresA, const torch::Tensor& featuresB);

struct PrecisionRecall {
    double precision = 0; // share of fake points inside some real k-NN ball
    double recall = 0;    // share of real points inside some fake k-NN ball
};

// Kynkaanniemi et al. 2019 (SPEC 6): a point's radius is the distance to its
// k-th nearest neighbour in its own set (itself excluded); "inside" means
// distance <= radius. Distances are computed in row chunks, so 10k x 10k
// works in bounded memory. Each set needs more than k points.
PrecisionRecall precisionRecall(const torch::Tensor& real, const torch::Tensor& fake, int k = 3);

struct EvalReport {
    std::string extractor;     // FeatureExtractor::name()
    int64_t dimension = 0;     // feature size
    int64_t realSamples = 0;
    int64_t fakeSamples = 0;
    int k = 3;                 // neighbourhood of precision / recall
    int64_t step = 0;          // the trainer's step
    double fid = 0;
    double precision = 0;
    double recall = 0;
    double seconds = 0;        // wall time of evaluate()
};

// Compares up to `samples` real images (all of them, or a random subset drawn
// from `seed` when there are more) with as many G_ema samples: z from
// model.latentRows(n, seed), c drawn from the model's prior P(C) with a
// generator seeded from `seed` (the trainer's own RNG is untouched). Images
// are generated and embedded in chunks. progress(done, total) counts images
// embedded (real then fake) and may return false to cancel (throws Error).
EvalReport evaluate(const Model& model, const Dataset& real, FeatureExtractor& extractor, int64_t samples,
                    uint64_t seed, const std::function<bool(int64_t, int64_t)>& progress = {});

} // namespace cgpgan
