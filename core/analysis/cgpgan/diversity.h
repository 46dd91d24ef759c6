#pragma once
// z-diversity (SPEC 7 "collapse is visible", issue 9): how much G_ema's images
// of one combination differ when only z changes, relative to how much real
// images differ. 0 means every row of a grid column is the same image (G
// ignores z); about 1 means samples of one combination differ as much as two
// random real images do. Pixels are compared in [0, 1] units (uint8 / 255, or
// float images in [-1, 1] mapped by (x + 1) / 2), as the mean absolute
// difference per pixel and channel.
#include "cgpgan/dataset.h"

#include <torch/torch.h>

#include <cstdint>

namespace cgpgan {

class Model;

// Mean absolute pixel difference over all unordered pairs of images [n, ...]
// (n >= 2), uint8 or float as above.
double meanPairwiseDistance(const torch::Tensor& images);

// The same within each group of groups [g, n, ...] (n >= 2), averaged over groups.
double withinGroupDistance(const torch::Tensor& groups);

// Real images in the reference distance below.
constexpr int64_t kReferenceImages = 256;

// Reference: mean pairwise distance of up to n real images drawn from seed
// (all of them when the data has fewer). Throws Error for point data.
double realPairwiseDistance(const Dataset& data, int64_t n = kReferenceImages, uint64_t seed = 1);

// For a row-major grid of tiles [rows * cols, C, H, W] (row = fixed z, column =
// one combination, as Model::generateGrid makes it): within-column distance
// divided by `reference`. Needs rows >= 2 and reference > 0.
double gridZDiversity(const torch::Tensor& tiles, int64_t rows, int64_t cols, double reference);

struct ZDiversity {
    double fake = 0;      // within-combination distance of G_ema samples
    double real = 0;      // real pairwise distance (the reference)
    double ratio = 0;     // fake / real
    int64_t combinations = 0;
    int64_t perCombination = 0;
};

// `combinations` combinations (all of them when there are fewer, else drawn
// from the prior with seed) x `perCombination` z rows from seed.
ZDiversity zDiversity(const Model& model, const Dataset& real, int64_t combinations = 16,
                      int64_t perCombination = 8, uint64_t seed = 1);

} // namespace cgpgan
