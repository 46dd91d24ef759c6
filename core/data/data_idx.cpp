// MNIST-style IDX files (raw or gzip): loadIdx and loadMnist (SPEC 5).
#include "cgpgan/data.h"

#include "cgpgan/error.h"
#include "data/data_files_common.h"

#include <spdlog/spdlog.h>
#include <cstring>
#include <fstream>
#include <new>

namespace cgpgan {
namespace {

using namespace data_detail;

// ---------------------------------------------------------------- IDX (MNIST)

constexpr uint32_t kIdxImagesMagic = 0x00000803; // unsigned byte, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801; // unsigned byte, 1 dimension
constexpr uint32_t kIdxMaxSide = 16384;

// Reads the IDX header: magic then `dims` big-endian sizes.
std::vector<uint32_t> readIdxHeader(GzReader& in, const std::string& path, uint32_t magic,
                                    const char* what, int dims)
{
    std::array<uint8_t, 16> header{};
    const uint64_t headerBytes = 4 * uint64_t(1 + dims);
    const uint64_t got = in.read(header.data(), headerBytes);
    if (got < 4)
        throw Error(path + " is truncated: " + std::to_string(got)
                    + " bytes, too short for an IDX header");
    const uint32_t found = bigEndian32(header.data());
    if (found != magic)
        throw Error(path + " is not an IDX " + what + " file: magic " + hex32(found)
                    + " (expected " + hex32(magic) + ")");
    if (got < headerBytes)
        throw Error(path + " is truncated: the IDX header needs " + std::to_string(headerBytes)
                    + " bytes, the file has " + std::to_string(got));
    std::vector<uint32_t> sizes;
    for (int d = 0; d < dims; ++d)
        sizes.push_back(bigEndian32(header.data() + 4 * (1 + ptrdiff_t(d))));
    return sizes;
}

// Reads exactly `bytes` payload bytes after the header into out, or throws.
void readIdxPayload(GzReader& in, const std::string& path, const std::string& claim,
                    uint64_t headerBytes, uint64_t bytes, std::vector<uint8_t>& out)
{
    if (bytes + headerBytes > maxUncompressedSize(path, in.isRaw())) {
        const std::string have = in.isRaw()
            ? std::to_string(fileSize(path) - std::min(fileSize(path), headerBytes)) + " bytes follow"
            : "the compressed file is far too small for that";
        throw Error(path + " is truncated: its header says " + claim + " ("
                    + std::to_string(bytes) + " bytes) but " + have);
    }
    try {
        out.resize(size_t(bytes));
    } catch (const std::bad_alloc&) {
        throw Error("not enough memory to load " + path + " (" + claim + ", "
                    + std::to_string(bytes) + " bytes)");
    }
    const uint64_t got = in.read(out.data(), bytes);
    if (got < bytes)
        throw Error(path + " is truncated: its header says " + claim + " ("
                    + std::to_string(bytes) + " bytes) but only " + std::to_string(got)
                    + " bytes follow");
    uint8_t extra = 0;
    if (in.read(&extra, 1) > 0)
        spdlog::warn("{} has bytes after the {} its header announces; they are ignored",
                           path, claim);
}

LabelColumn readIdxLabels(const std::string& path, int64_t imageCount,
                          const std::string& imagesPath)
{
    GzReader in(path);
    const std::vector<uint32_t> sizes = readIdxHeader(in, path, kIdxLabelsMagic, "labels", 1);
    if (int64_t(sizes[0]) != imageCount)
        throw Error(path + " has " + std::to_string(sizes[0]) + " labels but " + imagesPath
                    + " has " + std::to_string(imageCount) + " images");
    std::vector<uint8_t> bytes;
    readIdxPayload(in, path, std::to_string(sizes[0]) + " labels", 8, sizes[0], bytes);

    // Label bytes are always < 256; digits 0..9 get their usual names.
    const int maxLabel = bytes.empty() ? 0 : *std::max_element(bytes.begin(), bytes.end());
    LabelColumn column;
    column.name = "digit";
    column.classNames = numberNames(std::max(10, maxLabel + 1));
    column.values.assign(bytes.begin(), bytes.end());
    return column;
}

// "train-images-idx3-ubyte.gz" -> "train-labels-idx1-ubyte.gz" beside it, if present.
std::string labelsBeside(const std::string& imagesPath)
{
    const fs::path images(imagesPath);
    std::string name = images.filename().string();
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"images-idx3", "labels-idx1"},
                                   {"images.idx3", "labels.idx1"}}) {
        const size_t at = name.find(from);
        if (at == std::string::npos)
            continue;
        name.replace(at, from.size(), to);
        const std::string stem = endsWith(name, ".gz") ? name.substr(0, name.size() - 3) : name;
        const fs::path folder = images.parent_path();
        if (isFile(folder / stem) || isFile(folder / (stem + ".gz")))
            return preferRaw((folder / stem).string(), (folder / (stem + ".gz")).string());
        break;
    }
    return {};
}

// The images / labels file for one MNIST part ("train" or "t10k") in a folder.
std::string findIdxFile(const fs::path& folder, const std::string& part, const std::string& kind,
                        const std::string& dims)
{
    for (const std::string sep : {"-", "."}) {
        const fs::path raw = folder / (part + "-" + kind + sep + dims + "-ubyte");
        const fs::path gz = raw.string() + ".gz";
        if (isFile(raw) || isFile(gz))
            return preferRaw(raw.string(), gz.string());
    }
    return {};
}

} // namespace

Dataset loadIdx(const std::string& imagesPath, const std::string& labelsPath)
{
    requireExists("IDX images", imagesPath);
    GzReader in(imagesPath);
    const std::vector<uint32_t> sizes = readIdxHeader(in, imagesPath, kIdxImagesMagic, "images", 3);
    const uint32_t count = sizes[0], rows = sizes[1], cols = sizes[2];
    if (count == 0)
        throw Error(imagesPath + " holds no images (its header says 0)");
    if (rows == 0 || cols == 0 || rows > kIdxMaxSide || cols > kIdxMaxSide)
        throw Error(imagesPath + " has bad image dimensions " + std::to_string(rows) + "x"
                    + std::to_string(cols));

    Dataset data;
    data.name = "IDX " + fs::path(imagesPath).filename().string();
    data.source = imagesPath;
    data.count = count;
    data.channels = 1;
    data.height = int(rows);
    data.width = int(cols);
    const std::string claim = std::to_string(count) + " images of " + std::to_string(rows) + "x"
        + std::to_string(cols);
    readIdxPayload(in, imagesPath, claim, 16, uint64_t(count) * rows * cols, data.pixels);

    if (!labelsPath.empty()) {
        requireExists("IDX labels", labelsPath);
        data.labels.push_back(readIdxLabels(labelsPath, data.count, imagesPath));
    }
    return data;
}

Dataset loadMnist(const std::string& pathOrFolder, const std::string& split)
{
    requireExists("MNIST", pathOrFolder);
    std::error_code ec;
    if (!fs::is_directory(pathOrFolder, ec)) {
        const std::string labels = labelsBeside(pathOrFolder);
        if (labels.empty())
            spdlog::info("no labels file found beside {}: loading images without labels",
                               pathOrFolder);
        Dataset data = loadIdx(pathOrFolder, labels);
        data.name = "MNIST " + fs::path(pathOrFolder).filename().string();
        return data;
    }

    std::vector<std::string> parts;
    if (split == "train")
        parts = {"train"};
    else if (split == "test")
        parts = {"t10k"};
    else if (split == "all")
        parts = {"train", "t10k"};
    else
        throw Error("unknown MNIST split '" + split + "' (expected train, test or all)");

    const fs::path folder(pathOrFolder);
    Dataset data;
    std::string files;
    for (const std::string& part : parts) {
        const std::string images = findIdxFile(folder, part, "images", "idx3");
        if (images.empty())
            throw Error("no " + part + "-images-idx3-ubyte[.gz] found in MNIST folder "
                        + pathOrFolder);
        const std::string labels = findIdxFile(folder, part, "labels", "idx1");
        if (labels.empty())
            spdlog::warn("no {}-labels-idx1-ubyte[.gz] in {}: {} has no labels", part,
                               pathOrFolder, images);
        appendDataset(data, loadIdx(images, labels));
        files += (files.empty() ? "" : " + ") + fs::path(images).filename().string();
    }
    data.name = "MNIST " + split + " (" + files + ")";
    data.source = pathOrFolder;
    return data;
}

} // namespace cgpgan
