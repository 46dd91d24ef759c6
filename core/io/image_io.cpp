// PNG output through stb_image_write (the implementation lives in Debian's
// libstb.so, so no STB_IMAGE_WRITE_IMPLEMENTATION here) and grid tiling of
// NCHW uint8 images for sample grids (SPEC 7).
#include "cgpgan/image_io.h"

#include "cgpgan/error.h"
#include "cgpgan/file_io.h"

#include <stb_image_write.h>

#include <algorithm>

namespace cgpgan {
namespace {

void checkImage(const std::string& path, const Image8& image)
{
    if (image.width <= 0 || image.height <= 0)
        throw Error("cannot write " + path + ": empty image (" + std::to_string(image.width)
                    + "x" + std::to_string(image.height) + ")");
    if (image.channels < 1 || image.channels > 4)
        throw Error("cannot write " + path + ": " + std::to_string(image.channels)
                    + " channels (expected 1 to 4)");
    const size_t expected = size_t(image.width) * size_t(image.height) * size_t(image.channels);
    if (image.data.size() != expected)
        throw Error("cannot write " + path + ": image holds " + std::to_string(image.data.size())
                    + " bytes, expected " + std::to_string(expected) + " for "
                    + std::to_string(image.width) + "x" + std::to_string(image.height) + "x"
                    + std::to_string(image.channels));
}

} // namespace

void writePng(const std::string& path, const Image8& image)
{
    checkImage(path, image);
    // Encoded in memory, then written all or nothing (file_io.h): a reader
    // never sees a half-written PNG, and a full disk is an error, not "wrote".
    std::string bytes;
    const auto append = [](void* context, void* data, int size) {
        static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
    };
    const int ok = stbi_write_png_to_func(append, &bytes, image.width, image.height, image.channels,
                                          image.data.data(), image.width * image.channels);
    if (!ok)
        throw Error("cannot write PNG " + path + ": encoding the " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " image failed");
    writeFileAtomically(path, bytes, "PNG");
}

Image8 tileImages(const uint8_t* nchw, int64_t count, int channels, int size, int cols, int pad,
                  uint8_t padValue)
{
    if (count < 0 || channels < 1 || channels > 4 || size < 1 || cols < 1 || pad < 0)
        throw Error("tileImages: bad geometry (count " + std::to_string(count) + ", channels "
                    + std::to_string(channels) + ", size " + std::to_string(size) + ", cols "
                    + std::to_string(cols) + ", pad " + std::to_string(pad) + ")");

    Image8 grid;
    grid.channels = channels;
    if (count == 0)
        return grid; // nothing to show: an empty 0x0 image
    if (!nchw)
        throw Error("tileImages: no pixel data for " + std::to_string(count) + " images");

    const int64_t rows = (count + cols - 1) / cols;
    grid.width = cols * size + (cols + 1) * pad;
    grid.height = int(rows) * size + int(rows + 1) * pad;
    grid.data.assign(size_t(grid.width) * size_t(grid.height) * size_t(channels), padValue);

    const size_t plane = size_t(size) * size_t(size);
    for (int64_t i = 0; i < count; ++i) {
        const uint8_t* image = nchw + size_t(i) * size_t(channels) * plane;
        const int left = int(i % cols) * (size + pad) + pad;
        const int top = int(i / cols) * (size + pad) + pad;
        for (int y = 0; y < size; ++y) {
            uint8_t* row = grid.data.data()
                + (size_t(top + y) * size_t(grid.width) + size_t(left)) * size_t(channels);
            for (int x = 0; x < size; ++x)
                for (int c = 0; c < channels; ++c)
                    row[size_t(x) * size_t(channels) + size_t(c)]
                        = image[size_t(c) * plane + size_t(y) * size_t(size) + size_t(x)];
        }
    }
    return grid;
}

} // namespace cgpgan
