#include "cgpgan/latent_walk.h"

#include "cgpgan/combinations.h"
#include "cgpgan/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace cgpgan {

namespace {

// Spherical interpolation between rows of a and b [n, d] (slerp; linear
// where the two are nearly parallel): z drawn N(0, I) keeps its length.
torch::Tensor slerp(const torch::Tensor& a, const torch::Tensor& b, double t)
{
    const auto na = a / a.norm(2, 1, /*keepdim=*/true).clamp_min(1e-12);
    const auto nb = b / b.norm(2, 1, /*keepdim=*/true).clamp_min(1e-12);
    const auto omega = torch::acos((na * nb).sum(1, /*keepdim=*/true).clamp(-1.0 + 1e-7, 1.0 - 1e-7));
    const auto so = torch::sin(omega);
    const auto linear = a * (1.0 - t) + b * t;
    const auto spherical = (torch::sin((1.0 - t) * omega) * a + torch::sin(t * omega) * b) / so.clamp_min(1e-12);
    return torch::where(so < 1e-4, linear, spherical);
}

Image8 scaled(const Image8& image, int s)
{
    if (s == 1)
        return image;
    Image8 out;
    out.width = image.width * s;
    out.height = image.height * s;
    out.channels = image.channels;
    out.data.resize(size_t(out.width) * size_t(out.height) * size_t(out.channels));
    const size_t c = size_t(image.channels);
    for (int y = 0; y < out.height; ++y) {
        const uint8_t* src = image.data.data() + size_t(y / s) * size_t(image.width) * c;
        uint8_t* dst = out.data.data() + size_t(y) * size_t(out.width) * c;
        for (int x = 0; x < out.width; ++x)
            std::copy_n(src + size_t(x / s) * c, c, dst + size_t(x) * c);
    }
    return out;
}

} // namespace

void checkLatentWalk(const Model& model, const LatentWalk& walk)
{
    const auto& m = model.config().model;
    if (m.arch != Arch::Conv)
        throw Error("a latent walk needs an image model; this one makes points");
    const int64_t total = m.combinations();
    for (const int64_t c : walk.combinations)
        if (c < 0 || c >= total)
            throw Error("combination " + std::to_string(c) + " is not one of this model's 0.." +
                        std::to_string(total == kTooManyCombinations ? total : total - 1));
    if (walk.frames < 2 || walk.frames > 10000)
        throw Error("a walk has 2..10000 frames, not " + std::to_string(walk.frames));
    if (walk.rows < 1 || walk.rows > 64)
        throw Error("a walk shows 1..64 rows of z, not " + std::to_string(walk.rows));
    if (walk.scale < 1 || walk.scale > 16)
        throw Error("the scale is 1..16 (each pixel drawn scale x scale), not " + std::to_string(walk.scale));
    switch (walk.kind) {
    case LatentWalk::Kind::Z:
        if (walk.combinations.empty() || walk.combinations.size() > 256)
            throw Error("a z walk shows 1..256 columns (combinations)");
        if (walk.keyframes < 2 || walk.keyframes > 1000)
            throw Error("a z walk has 2..1000 keyframes, not " + std::to_string(walk.keyframes));
        break;
    case LatentWalk::Kind::Pages:
        if (walk.combinations.size() != 1)
            throw Error("a page sweep starts from one combination (the other labels' categories)");
        if (walk.label < 0 || walk.label >= m.dL)
            throw Error("label " + std::to_string(walk.label) + " is not one of 0.." + std::to_string(m.dL - 1));
        if (walk.pageA < 0 || walk.pageA >= m.dC || walk.pageB < 0 || walk.pageB >= m.dC || walk.pageA == walk.pageB)
            throw Error("a page sweep goes between two different categories of 0.." + std::to_string(m.dC - 1));
        break;
    case LatentWalk::Kind::Path:
        if (walk.combinations.size() < 2)
            throw Error("a path visits at least 2 combinations");
        break;
    }
    const auto [w, h] = latentWalkFrameSize(model, walk);
    if (w > 16383 || h > 16383)
        throw Error("frames of " + std::to_string(w) + " x " + std::to_string(h) +
                    " pixels are too large: fewer rows or columns, or a smaller scale");
}

std::pair<int, int> latentWalkFrameSize(const Model& model, const LatentWalk& walk)
{
    return walk.frameSize(model.config().model.resolution);
}

void renderLatentWalk(const Model& model, const LatentWalk& walk,
                      const std::function<bool(int, int, const Image8&)>& frame)
{
    checkLatentWalk(model, walk);
    const auto& m = model.config().model;
    const int n = walk.frames;
    torch::Tensor keys; // z: [keyframes, rows, d_z]
    torch::Tensor z;    // pages, path: [rows, d_z]
    if (walk.kind == LatentWalk::Kind::Z)
        keys = model.latentRows(int64_t(walk.keyframes) * walk.rows, walk.zSeed).view({walk.keyframes, walk.rows, m.dZ});
    else
        z = model.latentRows(walk.rows, walk.zSeed);
    const auto codes = model.combinationCodes(walk.combinations); // [k, d_l, d_c]
    for (int i = 0; i < n; ++i) {
        torch::Tensor frameZ, frameCodes;
        switch (walk.kind) {
        case LatentWalk::Kind::Z: {
            // A closed loop: frame n would be frame 0 again.
            const double u = double(i) * walk.keyframes / n;
            const int k = std::min(int(u), walk.keyframes - 1);
            frameZ = slerp(keys[k], keys[(k + 1) % walk.keyframes], u - k);
            frameCodes = codes;
            break;
        }
        case LatentWalk::Kind::Pages: {
            // From A (first frame) to B (last frame), as the mixer's slider.
            const double t = double(i) / (n - 1);
            auto code = codes.clone();
            code[0][walk.label].zero_();
            code[0][walk.label][walk.pageA] = 1.0 - t;
            code[0][walk.label][walk.pageB] = t;
            frameZ = z;
            frameCodes = code;
            break;
        }
        case LatentWalk::Kind::Path: {
            // Equal time per leg, from the first combination to the last.
            const int legs = int(walk.combinations.size()) - 1;
            const double u = double(i) * legs / (n - 1);
            const int k = std::min(int(u), legs - 1);
            const double t = u - k;
            frameZ = z;
            frameCodes = (codes[k] * (1.0 - t) + codes[k + 1] * t).unsqueeze(0);
            break;
        }
        }
        const auto tiles = model.sampleGrid(frameZ, frameCodes);
        if (frame && !frame(i, n, scaled(tiles.image(), walk.scale)))
            throw Error("the latent walk was cancelled");
    }
}

} // namespace cgpgan
