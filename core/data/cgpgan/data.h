#pragma once
// Dataset loaders and the built-in procedural sets. Every failure throws
// cgpgan::Error with a message that names the file and the problem.
#include "cgpgan/dataset.h"
#include "cgpgan/settings.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cgpgan {

// What to load: the "data" object of a run config (see config.h).
struct DataSpec {
    // builtin | mnist | cifar10 | folder | toy2d
    DataKind kind = DataKind::Builtin;
    // mnist: a folder holding the IDX files, or one images file;
    // cifar10: a folder of data_batch_*.bin / test_batch.bin, or one .bin(.gz);
    // folder: a folder searched recursively for .png/.jpg/.jpeg.
    std::string path;
    // mnist: train | test | all (train + test)
    std::string split = "train";
    // builtin / toy2d: how many samples to generate; other kinds: keep at most
    // this many (0 = all).
    int64_t count = 0;
    uint64_t seed = 1;
    // Images are brought to resolution x resolution (power of two): MNIST 28
    // is zero-padded to 32, folder images are centre-cropped and resized.
    int resolution = 32;
    // folder: 1 (grey) or 3 (RGB) channels.
    int channels = 3;
    // builtin: the spread of the shapes' size, place and angle (SPEC 5,
    // decision of issue 23). moderate: diameter 70 % of the side +-12 %,
    // centre within +-8 % of the side, rotation within +-20 degrees. full:
    // diameter 35-75 %, anywhere, any angle (the data before the field, bit
    // for bit). Other kinds ignore it. A config file without the key reads
    // as full (config.cpp): every file written before the field meant it.
    ShapesVariation variation = ShapesVariation::Moderate;
};

Dataset loadDataset(const DataSpec& spec);

// Resolutions (SPEC 2) are powers of two; config validation and the loaders share this.
constexpr bool isPowerOfTwo(int v) { return v > 0 && (v & (v - 1)) == 0; }

// The built-in set: 32x32-style RGB images of 4 shapes x 4 colours at random
// position, size and rotation (their spread set by variation), fully
// determined by seed; labels "shape" and "colour" are kept for scoring.
Dataset makeShapesDataset(int64_t count, int resolution, uint64_t seed,
                          ShapesVariation variation = ShapesVariation::Full);

// What the generator drew for each built-in shape image, as fractions of the
// side and degrees (for tests and for studies of what a model learnt):
// the same draws as makeShapesDataset with the same arguments.
struct ShapeNuisance {
    double diameter = 0;   // 2 R / side
    double centreX = 0;    // / side, 0.5 = the middle
    double centreY = 0;
    double angleDegrees = 0; // rotation from the shape's own orientation, -180..180
    double brightness = 0;   // 0.8..1
};
std::vector<ShapeNuisance> shapesNuisances(int64_t count, int resolution, uint64_t seed,
                                           ShapesVariation variation);

// toy-2d (SPEC 5): 4 isotropic Gaussians, sigma 0.3, centres (-1,1), (0,-2),
// (1,-1), (2,1) with weights 0.1, 0.2, 0.3, 0.4; label "component".
Dataset makeToy2dDataset(int64_t count, uint64_t seed);

// MNIST / Fashion-MNIST IDX files, raw or gzip. labelsPath may be empty.
Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath);
Dataset loadMnist(const std::string& pathOrFolder, const std::string& split);
Dataset loadCifar10(const std::string& pathOrFolder);
// Image folder: .png/.jpg/.jpeg found recursively (sorted paths), centre-cropped
// to a square and resized to resolution. Undecodable files are listed in
// Dataset::skipped. Labels follow torchvision's ImageFolder: when every image
// lies in a subfolder and there are at least two, the first folder below the
// root is the image's class (afhq/train/cat/x.png -> "cat", also for
// cat/sub/x.png), a label column "class" for scoring clusters.
Dataset loadImageFolder(const std::string& folder, int resolution, int channels);

// Zero-pad (or centre-crop) every image to resolution x resolution.
void padImagesTo(Dataset& data, int resolution);

} // namespace cgpgan
