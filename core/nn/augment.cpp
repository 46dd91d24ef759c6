#include "cgpgan/augment.h"

#include <cmath>

namespace cgpgan {

namespace F = torch::nn::functional;

torch::Tensor randomAffine(const torch::Tensor& images, const AugmentRange& range, at::Generator& rng,
                           int64_t total, int64_t first)
{
    if (!range.any())
        return images;
    TORCH_CHECK(images.dim() == 4, "randomAffine wants [b, C, H, W] images");
    const int64_t b = images.size(0);
    const auto opts = torch::TensorOptions().dtype(torch::kFloat);
    // u in [-1, 1): [b, 4] = (log-zoom, angle, shift x, shift y).
    const int64_t drawn = total < 0 ? b : total;
    TORCH_CHECK(first >= 0 && first + b <= drawn, "randomAffine: rows ", first, "..", first + b, " outside ", drawn);
    const auto u = (torch::rand({drawn, 4}, rng, opts) * 2 - 1).narrow(0, first, b);
    const auto logZoom = u.select(1, 0) * std::log1p(range.scale);
    const auto angle = u.select(1, 1) * (range.rotate * M_PI / 180.0);
    // affine_grid maps output coordinates to input ones (normalised to [-1, 1]):
    // in = R(angle) / zoom * out + t, so the content grows by `zoom` and moves by -t.
    const auto inv = torch::exp(-logZoom);
    const auto cs = torch::cos(angle) * inv, sn = torch::sin(angle) * inv;
    const auto tx = u.select(1, 2) * (2 * range.shift), ty = u.select(1, 3) * (2 * range.shift);
    const auto theta = torch::stack({torch::stack({cs, -sn, tx}, 1), torch::stack({sn, cs, ty}, 1)}, 1)
                           .to(images.device(), images.scalar_type()); // [b, 2, 3]
    const auto grid = F::affine_grid(theta, images.sizes(), /*align_corners=*/false);
    return F::grid_sample(images, grid,
                          F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(false));
}

} // namespace cgpgan
