#pragma once
// Latent walks (issue 27, "latent walks as animation"): the frames of an
// animation of G_ema's samples (the walk, LatentWalk, is a plain value in
// values.h), in three kinds.
//  - z: each row walks through `keyframes` points of z on a closed loop
//    (spherical interpolation, so every frame's z has z's usual length), for
//    fixed codes (the columns); the last frame leads back to the first.
//  - pages: the code of one label is mixed from page A to page B (the
//    mixer's soft code, (1 - t) onehot(A) + t onehot(B)), the other labels
//    at the base combination's categories; fixed z rows.
//  - path: the code moves along a list of combinations, each step a linear
//    mix of two one-hot codes; fixed z rows.
// Each frame is a tile grid (rows = z, columns = codes, 2 px gaps) scaled up
// by an integer factor (nearest neighbour, so pixels stay sharp).
#include "cgpgan/image_io.h"
#include "cgpgan/model.h"
#include "cgpgan/values.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cgpgan {

// Throws Error naming what in walk does not fit model (a category or a
// combination out of range, fewer than 2 path points, 0 frames, ...).
void checkLatentWalk(const Model& model, const LatentWalk& walk);

// Frame size (pixels) of walk for model.
std::pair<int, int> latentWalkFrameSize(const Model& model, const LatentWalk& walk);

// Renders the frames in order, calling frame(index, total, image) for each;
// frame may return false to cancel (then throws Error "cancelled").
void renderLatentWalk(const Model& model, const LatentWalk& walk,
                      const std::function<bool(int, int, const Image8&)>& frame);

} // namespace cgpgan
