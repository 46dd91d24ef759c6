// CIFAR-10 binary batches (raw or gzip): loadCifar10 (SPEC 5).
#include "cgpgan/data.h"

#include "cgpgan/error.h"
#include "data/data_files_common.h"

#include <spdlog/spdlog.h>
#include <fstream>
#include <map>
#include <new>

namespace cgpgan {
namespace {

using namespace data_detail;

// ---------------------------------------------------------------- CIFAR-10

constexpr int kCifarSide = 32;
constexpr uint64_t kCifarPixels = uint64_t(3) * kCifarSide * kCifarSide; // R 1024, G 1024, B 1024
constexpr uint64_t kCifarRecord = 1 + kCifarPixels;
const std::vector<std::string> kCifarDefaultNames = {"airplane", "automobile", "bird", "cat",
                                                     "deer",     "dog",        "frog", "horse",
                                                     "ship",     "truck"};

bool isCifarBatchName(const std::string& name)
{
    const std::string lower = toLower(name);
    return endsWith(lower, ".bin") || endsWith(lower, ".bin.gz");
}

// *.bin and *.bin.gz in the folder, sorted (data_batch_1..5, then test_batch);
// x.bin wins over x.bin.gz when both exist (preferRaw compares them).
std::vector<std::string> cifarBatchFiles(const fs::path& folder)
{
    std::map<std::string, std::string> stems; // x.bin -> the name as found (case kept)
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec))
            continue;
        const std::string name = it->path().filename().string();
        if (!isCifarBatchName(name))
            continue;
        const std::string stem = endsWith(toLower(name), ".gz") ? name.substr(0, name.size() - 3) : name;
        stems.emplace(stem, stem);
    }
    if (ec)
        throw Error("cannot list CIFAR-10 folder " + folder.string() + ": " + ec.message());
    std::vector<std::string> files;
    for (const auto& entry : stems) {
        const fs::path raw = folder / entry.first;
        std::string gz = raw.string() + ".gz";
        for (const char* ext : {".gz", ".GZ", ".Gz", ".gZ"})
            if (isFile(raw.string() + ext))
                gz = raw.string() + ext;
        files.push_back(preferRaw(raw.string(), gz));
    }
    return files;
}

// Class names from batches.meta.txt (one per line), else the CIFAR-10 defaults.
std::vector<std::string> cifarClassNames(const fs::path& folder)
{
    const fs::path meta = folder / "batches.meta.txt";
    if (!isFile(meta)) // absent (or a FIFO, which would block): the defaults
        return kCifarDefaultNames;
    std::ifstream in(meta);
    if (!in)
        return kCifarDefaultNames;
    std::vector<std::string> names;
    std::string line;
    while (std::getline(in, line)) {
        const size_t first = line.find_first_not_of(" \t\r\n");
        if (first == std::string::npos)
            continue;
        const size_t last = line.find_last_not_of(" \t\r\n");
        names.push_back(line.substr(first, last - first + 1));
    }
    if (names.empty()) {
        spdlog::warn("{} lists no class names; using the CIFAR-10 defaults", meta.string());
        return kCifarDefaultNames;
    }
    return names;
}

// Appends every record of one batch file: the label to labels, the CHW pixels
// (already in the record's R, G, B plane order) to pixels.
void readCifarBatch(const std::string& path, size_t classCount, std::vector<uint8_t>& pixels,
                    std::vector<int32_t>& labels)
{
    GzReader in(path);
    uint64_t record = 0; // index in this file, for messages
    constexpr uint64_t kRecordsPerBlock = 256;
    std::vector<uint8_t> block(size_t(kRecordsPerBlock * kCifarRecord));
    uint64_t total = 0;
    for (;;) {
        const uint64_t got = in.read(block.data(), block.size());
        total += got;
        const uint64_t records = got / kCifarRecord;
        for (uint64_t r = 0; r < records; ++r) {
            const uint8_t* bytes = block.data() + r * kCifarRecord;
            if (bytes[0] >= classCount)
                throw Error(path + ": record " + std::to_string(record) + " has label "
                            + std::to_string(bytes[0]) + " but there are only "
                            + std::to_string(classCount)
                            + " classes (is this really CIFAR-10 binary data?)");
            labels.push_back(bytes[0]);
            pixels.insert(pixels.end(), bytes + 1, bytes + kCifarRecord);
            ++record;
        }
        if (got < block.size())
            break; // end of file
    }
    if (total == 0 || total % kCifarRecord != 0)
        throw Error(path + ": size " + std::to_string(total) + " bytes"
                    + (in.isRaw() ? "" : " (uncompressed)")
                    + " is not a multiple of the CIFAR-10 record size " + std::to_string(kCifarRecord)
                    + " (1 label byte + 3072 pixel bytes)");
}

} // namespace

Dataset loadCifar10(const std::string& pathOrFolder)
{
    requireExists("CIFAR-10", pathOrFolder);
    std::error_code ec;
    const bool isFolder = fs::is_directory(pathOrFolder, ec);
    const fs::path folder = isFolder ? fs::path(pathOrFolder) : fs::path(pathOrFolder).parent_path();
    const std::vector<std::string> files =
        isFolder ? cifarBatchFiles(folder) : std::vector<std::string>{pathOrFolder};
    if (files.empty())
        throw Error("no CIFAR-10 batch files (data_batch_1..5.bin, test_batch.bin, *.bin or "
                    "*.bin.gz) found in " + pathOrFolder);

    LabelColumn labels;
    labels.name = "class";
    labels.classNames = cifarClassNames(folder);

    Dataset data;
    data.source = pathOrFolder;
    data.channels = 3;
    data.height = kCifarSide;
    data.width = kCifarSide;
    uint64_t expectedBytes = 0;
    for (const std::string& file : files)
        expectedBytes += uncompressedSizeHint(file);
    data.pixels.reserve(size_t(expectedBytes / kCifarRecord * kCifarPixels));

    for (const std::string& file : files)
        readCifarBatch(file, labels.classNames.size(), data.pixels, labels.values);
    data.pixels.shrink_to_fit();
    data.count = int64_t(labels.values.size());
    data.labels.push_back(std::move(labels));
    data.name = "CIFAR-10 " + baseName(pathOrFolder)
        + (isFolder ? " (" + std::to_string(files.size()) + " files)" : "");
    return data;
}

} // namespace cgpgan
