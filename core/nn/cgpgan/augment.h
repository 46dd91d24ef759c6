#pragma once
// Random affine views of images for Q (issue 9; train.q_augment_*; beyond the
// paper). Q learns to read G's codes from these views, so a code that only a
// view-dependent property (position, size, orientation) could carry cannot be
// read, and Q's partition of the real data has to rest on what survives them.
#include <torch/torch.h>

namespace cgpgan {

struct AugmentRange {
    double scale = 0;  // zoom factor drawn log-uniformly in [1/(1+scale), 1+scale]; 0 = none
    double shift = 0;  // translation, per axis, uniform in +-shift of the image side
    double rotate = 0; // rotation uniform in +-rotate degrees
    bool any() const { return scale > 0 || shift > 0 || rotate > 0; }
};

// images [b, C, H, W] -> one independent random view per image, same shape and
// device. Pixels from outside the image repeat its border (backgrounds stay
// backgrounds). Draws 4 numbers per image from `rng` (CPU), so a run with the
// same generator state gives the same views. Differentiable in `images`.
// With total >= 0 the numbers are drawn for `total` images and images gets
// rows first .. first + b - 1 of them: a rank of a data-parallel run draws
// the views of the whole batch and applies its slice (trainer.h).
torch::Tensor randomAffine(const torch::Tensor& images, const AugmentRange& range, at::Generator& rng,
                           int64_t total = -1, int64_t first = 0);

} // namespace cgpgan
