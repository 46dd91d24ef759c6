#pragma once
// Training data as plain values (no torch, no Qt): images as uint8 NCHW, or
// low-dimensional points (toy-2d), plus optional ground-truth labels kept only
// for scoring clusters (SPEC 6).
#include <cstdint>
#include <string>
#include <vector>

namespace cgpgan {

// One ground-truth attribute, e.g. "digit" for MNIST or "shape" and "colour"
// for the built-in set. values[i] is in [0, classNames.size()).
struct LabelColumn {
    std::string name;
    std::vector<std::string> classNames;
    std::vector<int32_t> values;
};

// A file that a loader could not use: counted, listed, reported.
struct SkippedFile {
    std::string path;
    std::string reason;
};

struct Dataset {
    std::string name;   // what it is, for logs and the UI ("MNIST train-images-idx3-ubyte.gz")
    std::string source; // path it came from, or "builtin"
    int64_t count = 0;

    // Image datasets: pixels.size() == count * channels * height * width, NCHW.
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<uint8_t> pixels;

    // Point datasets (toy-2d): points.size() == count * pointDim.
    int pointDim = 0;
    std::vector<float> points;

    std::vector<LabelColumn> labels;    // empty when the data has no labels
    std::vector<SkippedFile> skipped;   // inputs that were skipped, with why

    bool isImages() const { return pointDim == 0; }
    bool hasLabels() const { return !labels.empty(); }
    int64_t imageSize() const { return int64_t(channels) * height * width; }

    // The combined ground-truth class over all label columns (mixed radix,
    // first column most significant), and how many such classes exist.
    std::vector<int32_t> combinedLabels() const;
    int64_t combinedClassCount() const;
};

// Evenly spaced sample indices i * count / n for i < n, ascending (all of
// 0..count-1 when n >= count): the live score's fixed subsample (SPEC 8), the
// same for every run of the same data, and spread over data stored class by
// class (an image folder) as well as over shuffled data.
std::vector<int64_t> evenSubsample(int64_t count, int64_t n);

// The given samples of data (images or points, with their labels), in that
// order. Throws Error for an index outside the data.
Dataset subsetOf(const Dataset& data, const std::vector<int64_t>& samples);

} // namespace cgpgan
