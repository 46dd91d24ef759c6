#pragma once
// The cluster map's geometry (SPEC 7, issue 12): Q's penultimate features of
// real images, embedded in 2-D by PCA or by exact t-SNE (van der Maaten &
// Hinton 2008), all in libtorch on the calling thread.
#include "cgpgan/dataset.h"
#include "cgpgan/values.h"

#include <torch/torch.h>

#include <functional>

namespace cgpgan {

class Model;

// x [n, d] -> [n, k] scores on the top k principal axes of the centred x.
// Each axis is signed so that its largest-magnitude loading is positive (the
// result does not depend on the eigen solver's sign). explained, if given,
// gets [k] shares of the total variance.
torch::Tensor pcaProjection(const torch::Tensor& x, int64_t k, torch::Tensor* explained = nullptr);

// Symmetric t-SNE affinities: per row a Gaussian whose width is found by
// bisection so that its perplexity is `perplexity`, then (P + P^T) / 2n.
// x [n, d] -> P [n, n] (zero diagonal, sums to 1). rowPerplexity, if given,
// gets [n] the perplexity each row reached before symmetrising.
torch::Tensor tsneAffinities(const torch::Tensor& x, double perplexity, torch::Tensor* rowPerplexity = nullptr);

struct TsneOptions {
    double perplexity = 30;   // capped at (n - 1) / 3
    int iterations = 500;     // of which the first quarter with early exaggeration 12
    uint64_t seed = 1;        // the subsample
};

// Exact t-SNE of x [n, d] -> [n, 2]. Starts from the PCA scores scaled to
// std 1e-4 (deterministic), learning rate max(n / 12, 50) (Belkina et al.
// 2019), momentum 0.5 then 0.8 with the reference code's gains. O(n^2) time
// and memory: meant for up to a few thousand points. progress(done, total)
// after each iteration may return false to cancel (then throws Error).
torch::Tensor tsneEmbedding(const torch::Tensor& x, const TsneOptions& options = {},
                            const std::function<bool(int64_t, int64_t)>& progress = {});

struct MapOptions {
    MapMethod method = MapMethod::Pca;
    int64_t maxPoints = 5000; // t-SNE's subsample (PCA maps every sample)
    TsneOptions tsne;
};

// The map of data's images under model's Q. progress(done, total) in
// permille of the whole job; returning false cancels (throws Error).
ClusterMap clusterMap(const Model& model, const Dataset& data, const MapOptions& options = {},
                      const std::function<bool(int64_t, int64_t)>& progress = {});

} // namespace cgpgan
