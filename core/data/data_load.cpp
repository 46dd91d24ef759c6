// loadDataset: dispatches on DataSpec::kind (SPEC 5 lists the data behind
// each preset) and brings images to the model's resolution.
#include "cgpgan/data.h"

#include "cgpgan/error.h"
#include "data/data_files_common.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace cgpgan {

using namespace data_detail;

void padImagesTo(Dataset& data, int resolution)
{
    if (!data.isImages())
        throw Error("cannot pad " + data.name + ": it holds points, not images");
    if (resolution < 1)
        throw Error("cannot pad " + data.name + " to resolution " + std::to_string(resolution));
    if (data.height == resolution && data.width == resolution)
        return;

    // Offsets of the old image inside the new one: positive pads, negative crops.
    const int offsetY = (resolution - data.height) / 2;
    const int offsetX = (resolution - data.width) / 2;
    const int y0 = std::max(0, offsetY), y1 = std::min(resolution, offsetY + data.height);
    const int x0 = std::max(0, offsetX), x1 = std::min(resolution, offsetX + data.width);

    const size_t oldPlane = size_t(data.height) * size_t(data.width);
    const size_t newPlane = size_t(resolution) * size_t(resolution);
    const size_t planes = size_t(data.count) * size_t(data.channels);
    std::vector<uint8_t> padded(planes * newPlane, 0);
    for (size_t p = 0; p < planes; ++p) {
        const uint8_t* src = data.pixels.data() + p * oldPlane;
        uint8_t* dst = padded.data() + p * newPlane;
        for (int y = y0; y < y1; ++y)
            std::copy(src + size_t(y - offsetY) * size_t(data.width) + size_t(x0 - offsetX),
                      src + size_t(y - offsetY) * size_t(data.width) + size_t(x1 - offsetX),
                      dst + size_t(y) * size_t(resolution) + size_t(x0));
    }
    data.pixels = std::move(padded);
    data.height = resolution;
    data.width = resolution;
}

Dataset loadDataset(const DataSpec& spec)
{
    if (spec.count < 0)
        throw Error("data count must be 0 (all) or positive, got " + std::to_string(spec.count));
    const int64_t generated = spec.count > 0 ? spec.count : 20000;
    // (An unknown kind cannot get here: data.kind is read as a DataKind, settings.h.)
    if (spec.kind == DataKind::Toy2d)
        return makeToy2dDataset(generated, spec.seed);

    // SPEC 2: image resolution is a power of two from 16 to 256.
    if (!isPowerOfTwo(spec.resolution) || spec.resolution < 16 || spec.resolution > 256)
        throw Error("data resolution must be a power of two from 16 to 256, got "
                    + std::to_string(spec.resolution));

    Dataset data;
    switch (spec.kind) {
    case DataKind::Builtin:
        return makeShapesDataset(generated, spec.resolution, spec.seed, spec.variation);
    case DataKind::Mnist:
        data = loadMnist(spec.path, spec.split);
        break;
    case DataKind::Cifar10:
        data = loadCifar10(spec.path);
        break;
    case DataKind::Folder:
        data = loadImageFolder(spec.path, spec.resolution, spec.channels);
        break;
    case DataKind::Toy2d:
        break; // returned above
    }

    keepFirst(data, spec.count);
    sanitiseLabelText(data); // names from files and folders, before any CSV or JSON (issue 26)
    if (data.height != spec.resolution || data.width != spec.resolution)
        padImagesTo(data, spec.resolution); // MNIST 28 -> 32 (SPEC 5, original-mnist)
    spdlog::info("{}: {} images {}x{}x{}", data.name, data.count, data.channels,
                       data.height, data.width);
    return data;
}

} // namespace cgpgan
