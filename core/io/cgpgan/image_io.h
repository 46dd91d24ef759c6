#pragma once
// Image files through stb (PNG written atomically: temporary file, then rename).
#include <cstdint>
#include <string>
#include <vector>

namespace cgpgan {

// An owning 8-bit image, interleaved HWC, 1 or 3 channels.
struct Image8 {
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<uint8_t> data;
};

void writePng(const std::string& path, const Image8& image);

// Tiles count NCHW uint8 images (each channels x size x size) into a grid of
// `cols` columns with `pad` pixels of `padValue` between tiles and around.
Image8 tileImages(const uint8_t* nchw, int64_t count, int channels, int size, int cols,
                  int pad = 2, uint8_t padValue = 32);

} // namespace cgpgan
