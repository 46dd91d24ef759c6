// Dataset loaders for files on disk: MNIST-style IDX (raw or gzip), CIFAR-10
// binary batches, and folders of PNG/JPEG images; plus loadDataset, which
// dispatches on DataSpec::kind (SPEC 5 lists the data behind each preset).
//
// Every failure throws cgpgan::Error naming the file and the problem; a file
// that cannot be used inside an image folder is counted, listed in
// Dataset::skipped and logged, never dropped silently (STYLE.md, "Errors").
#include "cgpgan/data.h"

#include "cgpgan/error.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <stb_image.h>
#include <stb_image_resize.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <system_error>

namespace fs = std::filesystem;

namespace cgpgan {
namespace {

// ---------------------------------------------------------------- helpers

std::shared_ptr<spdlog::logger> dataLogger()
{
    if (auto logger = spdlog::get("data"))
        return logger;
    try {
        return spdlog::stdout_color_mt("data");
    } catch (const spdlog::spdlog_ex&) {
        // Another thread registered it between get() and stdout_color_mt().
        return spdlog::get("data");
    }
}

std::string toLower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size()
        && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string hex32(uint32_t value)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%08x", value);
    return buffer;
}

bool isFile(const fs::path& path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// "a/b/" and "a/b" -> "b".
std::string baseName(const std::string& path)
{
    fs::path normal = fs::path(path).lexically_normal();
    if (normal.filename().empty())
        normal = normal.parent_path();
    return normal.filename().string();
}

void requireExists(const std::string& what, const std::string& path)
{
    if (path.empty())
        throw Error(what + ": no path given");
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(what + " path " + path + " does not exist");
}

// A gzip or raw file read through zlib (gzread passes raw files through).
class GzReader final {
public:
    explicit GzReader(const std::string& path) : m_path(path)
    {
        if (!isFile(path))
            throw Error(path + " does not exist or is not a file");
        m_file = gzopen(path.c_str(), "rb");
        if (!m_file)
            throw Error("cannot open " + path);
        gzbuffer(m_file, 1 << 20);
    }
    ~GzReader() { gzclose(m_file); }
    GzReader(const GzReader&) = delete;
    GzReader& operator=(const GzReader&) = delete;

    // Reads up to size bytes; returns how many were read (fewer only at end of file).
    uint64_t read(void* out, uint64_t size)
    {
        auto* bytes = static_cast<uint8_t*>(out);
        uint64_t done = 0;
        while (done < size) {
            const auto chunk = unsigned(std::min<uint64_t>(size - done, 1u << 30));
            const int got = gzread(m_file, bytes + done, chunk);
            if (got < 0) {
                int code = 0;
                const char* message = gzerror(m_file, &code);
                throw Error("cannot read " + m_path + ": " + (message ? message : "read error")
                            + " (corrupt or truncated gzip data?)");
            }
            if (got == 0)
                break;
            done += uint64_t(got);
        }
        return done;
    }

    // Whether the file is read as is (not gzip). Valid after the first read.
    bool isRaw() const { return gzdirect(m_file) == 1; }

private:
    std::string m_path;
    gzFile m_file = nullptr;
};

uint64_t fileSize(const std::string& path)
{
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : uint64_t(size);
}

// The most bytes a file can hold once uncompressed: deflate never compresses
// better than about 1032:1, so a header that claims more is corrupt.
uint64_t maxUncompressedSize(const std::string& path, bool raw)
{
    const uint64_t size = fileSize(path);
    return raw ? size : size * 1100 + (1u << 20);
}

// Uncompressed size for reserving memory: the file size, or a gzip file's
// ISIZE trailer (uncompressed size mod 2^32). Only a hint.
uint64_t uncompressedSizeHint(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[2] = {0, 0};
    if (!in.read(reinterpret_cast<char*>(magic), 2) || magic[0] != 0x1f || magic[1] != 0x8b)
        return fileSize(path);
    unsigned char trailer[4] = {0, 0, 0, 0};
    in.seekg(-4, std::ios::end);
    if (!in.read(reinterpret_cast<char*>(trailer), 4))
        return 0;
    const uint64_t isize = uint64_t(trailer[0]) | uint64_t(trailer[1]) << 8
        | uint64_t(trailer[2]) << 16 | uint64_t(trailer[3]) << 24;
    // A corrupt trailer must not make us reserve gigabytes.
    return std::min(isize, maxUncompressedSize(path, false));
}

uint32_t bigEndian32(const uint8_t* bytes)
{
    return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8
        | uint32_t(bytes[3]);
}

std::vector<std::string> numberNames(int64_t count)
{
    std::vector<std::string> names;
    for (int64_t i = 0; i < count; ++i)
        names.push_back(std::to_string(i));
    return names;
}

// Keeps the first n samples of an image or point dataset.
void keepFirst(Dataset& data, int64_t n)
{
    if (n <= 0 || n >= data.count)
        return;
    data.count = n;
    if (data.isImages())
        data.pixels.resize(size_t(n) * size_t(data.imageSize()));
    else
        data.points.resize(size_t(n) * size_t(data.pointDim));
    for (LabelColumn& column : data.labels)
        column.values.resize(size_t(n));
}

// Appends part to into (same image geometry). Labels survive only when both
// have the same label columns.
void appendDataset(Dataset& into, Dataset&& part)
{
    if (into.count == 0) {
        into = std::move(part);
        return;
    }
    if (part.channels != into.channels || part.height != into.height || part.width != into.width)
        throw Error("cannot combine " + part.source + " (" + std::to_string(part.channels) + "x"
                    + std::to_string(part.height) + "x" + std::to_string(part.width) + ") with "
                    + into.source + " (" + std::to_string(into.channels) + "x"
                    + std::to_string(into.height) + "x" + std::to_string(into.width)
                    + "): image sizes differ");
    into.pixels.insert(into.pixels.end(), part.pixels.begin(), part.pixels.end());
    part.pixels = {};

    bool sameColumns = into.labels.size() == part.labels.size();
    for (size_t c = 0; sameColumns && c < into.labels.size(); ++c)
        sameColumns = into.labels[c].name == part.labels[c].name;
    if (!sameColumns) {
        if (!into.labels.empty() || !part.labels.empty())
            dataLogger()->warn("{} and {} do not both have labels: the combined data has none",
                               into.source, part.source);
        into.labels.clear();
    }
    for (size_t c = 0; sameColumns && c < into.labels.size(); ++c) {
        LabelColumn& column = into.labels[c];
        const LabelColumn& extra = part.labels[c];
        column.values.insert(column.values.end(), extra.values.begin(), extra.values.end());
        if (extra.classNames.size() > column.classNames.size())
            column.classNames = extra.classNames;
    }
    into.count += part.count;
    into.source += ";" + part.source;
    into.skipped.insert(into.skipped.end(), part.skipped.begin(), part.skipped.end());
}

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
        sizes.push_back(bigEndian32(header.data() + 4 * (1 + d)));
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
        dataLogger()->warn("{} has bytes after the {} its header announces; they are ignored",
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
        for (const std::string& candidate : {name, stem, stem + ".gz"}) {
            const fs::path labels = images.parent_path() / candidate;
            if (isFile(labels))
                return labels.string();
        }
        break;
    }
    return {};
}

// The images / labels file for one MNIST part ("train" or "t10k") in a folder.
std::string findIdxFile(const fs::path& folder, const std::string& part, const std::string& kind,
                        const std::string& dims)
{
    for (const std::string sep : {"-", "."})
        for (const std::string ext : {"", ".gz"}) {
            const fs::path candidate = folder / (part + "-" + kind + sep + dims + "-ubyte" + ext);
            if (isFile(candidate))
                return candidate.string();
        }
    return {};
}

// ---------------------------------------------------------------- CIFAR-10

constexpr int kCifarSide = 32;
constexpr uint64_t kCifarPixels = 3 * kCifarSide * kCifarSide; // R 1024, G 1024, B 1024
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
// x.bin wins over x.bin.gz when both exist.
std::vector<std::string> cifarBatchFiles(const fs::path& folder)
{
    std::map<std::string, std::string> byStem; // stem -> path
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_regular_file(ec))
            continue;
        const std::string name = it->path().filename().string();
        if (!isCifarBatchName(name))
            continue;
        const bool gz = endsWith(toLower(name), ".gz");
        const std::string stem = gz ? name.substr(0, name.size() - 3) : name;
        auto found = byStem.find(stem);
        if (found == byStem.end() || !gz) {
            if (found != byStem.end())
                dataLogger()->warn("{} and {} both exist; using {}", found->second,
                                   it->path().string(), it->path().string());
            byStem[stem] = it->path().string();
        } else {
            dataLogger()->warn("{} and {} both exist; using {}", found->second,
                               it->path().string(), found->second);
        }
    }
    if (ec)
        throw Error("cannot list CIFAR-10 folder " + folder.string() + ": " + ec.message());
    std::vector<std::string> files;
    for (const auto& entry : byStem)
        files.push_back(entry.second);
    return files;
}

// Class names from batches.meta.txt (one per line), else the CIFAR-10 defaults.
std::vector<std::string> cifarClassNames(const fs::path& folder)
{
    const fs::path meta = folder / "batches.meta.txt";
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
        dataLogger()->warn("{} lists no class names; using the CIFAR-10 defaults", meta.string());
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

// ---------------------------------------------------------------- image folders

bool isImageFileName(const fs::path& path)
{
    const std::string ext = toLower(path.extension().string());
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

struct FolderImage {
    fs::path path;
    int depth = 0; // 0: directly in the searched folder
    bool operator<(const FolderImage& other) const { return path < other.path; }
};

std::vector<FolderImage> findImageFiles(const fs::path& folder)
{
    std::vector<FolderImage> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
    for (const fs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
        std::error_code typeError;
        if (isImageFileName(it->path()) && it->is_regular_file(typeError))
            files.push_back({it->path(), it.depth()});
    }
    if (ec)
        throw Error("cannot list image folder " + folder.string() + ": " + ec.message());
    std::sort(files.begin(), files.end()); // same order on every run
    return files;
}

// Decodes one file to `channels` channels, centre-crops it to a square and
// resizes it to resolution x resolution; appends CHW bytes to pixels.
// Returns an empty string on success, else why the file could not be used.
std::string loadFolderImage(const fs::path& path, int resolution, int channels,
                            std::vector<uint8_t>& pixels, std::vector<uint8_t>& scratch)
{
    int width = 0, height = 0, fileChannels = 0;
    std::unique_ptr<stbi_uc, void (*)(void*)> decoded(
        stbi_load(path.string().c_str(), &width, &height, &fileChannels, channels),
        stbi_image_free);
    if (!decoded) {
        const char* reason = stbi_failure_reason();
        return std::string("cannot decode: ") + (reason ? reason : "unknown error");
    }

    const int side = std::min(width, height);
    const int left = (width - side) / 2;
    const int top = (height - side) / 2;
    const stbi_uc* square = decoded.get() + (size_t(top) * size_t(width) + size_t(left)) * size_t(channels);
    const int inputStride = width * channels;

    scratch.resize(size_t(resolution) * size_t(resolution) * size_t(channels));
    if (!stbir_resize_uint8(square, side, side, inputStride, scratch.data(), resolution,
                            resolution, 0, channels))
        return "cannot resize " + std::to_string(width) + "x" + std::to_string(height) + " to "
            + std::to_string(resolution) + "x" + std::to_string(resolution);

    // HWC -> CHW.
    const size_t plane = size_t(resolution) * size_t(resolution);
    const size_t start = pixels.size();
    pixels.resize(start + plane * size_t(channels));
    for (size_t p = 0; p < plane; ++p)
        for (size_t c = 0; c < size_t(channels); ++c)
            pixels[start + c * plane + p] = scratch[p * size_t(channels) + c];
    return {};
}

// Ground truth from the folder layout: the parent folder's name (afhq/train/cat/x.png
// -> "cat") when every image lies below the root and there are at least two such names.
std::vector<LabelColumn> folderLabels(const std::vector<FolderImage>& used)
{
    std::map<std::string, int32_t> classIds;
    for (const FolderImage& file : used) {
        if (file.depth == 0)
            return {};
        classIds.emplace(file.path.parent_path().filename().string(), 0);
    }
    if (classIds.size() < 2)
        return {};
    LabelColumn column;
    column.name = "folder";
    for (auto& [name, id] : classIds) {
        id = int32_t(column.classNames.size());
        column.classNames.push_back(name);
    }
    for (const FolderImage& file : used)
        column.values.push_back(classIds.at(file.path.parent_path().filename().string()));
    return {std::move(column)};
}

bool isPowerOfTwo(int value)
{
    return value > 0 && (value & (value - 1)) == 0;
}

} // namespace

// ---------------------------------------------------------------- public API

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
            dataLogger()->info("no labels file found beside {}: loading images without labels",
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
            dataLogger()->warn("no {}-labels-idx1-ubyte[.gz] in {}: {} has no labels", part,
                               pathOrFolder, images);
        appendDataset(data, loadIdx(images, labels));
        files += (files.empty() ? "" : " + ") + fs::path(images).filename().string();
    }
    data.name = "MNIST " + split + " (" + files + ")";
    data.source = pathOrFolder;
    return data;
}

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

Dataset loadImageFolder(const std::string& folder, int resolution, int channels)
{
    requireExists("image folder", folder);
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error("image folder " + folder + " is not a folder");
    if (channels != 1 && channels != 3)
        throw Error("image folder " + folder + ": channels must be 1 or 3, got "
                    + std::to_string(channels));
    if (resolution < 1 || resolution > 4096)
        throw Error("image folder " + folder + ": bad resolution " + std::to_string(resolution));

    const std::vector<FolderImage> files = findImageFiles(folder);
    if (files.empty())
        throw Error("no .png/.jpg/.jpeg images found under " + folder);

    Dataset data;
    data.name = "image folder " + baseName(folder);
    data.source = folder;
    data.channels = channels;
    data.height = resolution;
    data.width = resolution;
    data.pixels.reserve(files.size() * size_t(data.imageSize()));

    auto log = dataLogger();
    constexpr size_t kMaxLoggedSkips = 20;
    std::vector<FolderImage> used;
    std::vector<uint8_t> scratch;
    for (const FolderImage& file : files) {
        const std::string reason =
            loadFolderImage(file.path, resolution, channels, data.pixels, scratch);
        if (reason.empty()) {
            used.push_back(file);
            continue;
        }
        data.skipped.push_back({file.path.string(), reason});
        if (data.skipped.size() <= kMaxLoggedSkips)
            log->warn("skipping {}: {}", file.path.string(), reason);
    }
    data.count = int64_t(used.size());
    if (data.skipped.size() > kMaxLoggedSkips)
        log->warn("{} more files skipped in {}", data.skipped.size() - kMaxLoggedSkips, folder);

    if (used.empty())
        throw Error("no usable images in " + folder + ": all " + std::to_string(files.size())
                    + " image files were skipped (first: " + data.skipped.front().path + ": "
                    + data.skipped.front().reason + ")");
    data.labels = folderLabels(used);
    log->info("loaded {} images from {} ({} skipped)", data.count, folder, data.skipped.size());
    return data;
}

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
        return makeShapesDataset(generated, spec.resolution, spec.seed);
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
    if (data.height != spec.resolution || data.width != spec.resolution)
        padImagesTo(data, spec.resolution); // MNIST 28 -> 32 (SPEC 5, original-mnist)
    dataLogger()->info("{}: {} images {}x{}x{}", data.name, data.count, data.channels,
                       data.height, data.width);
    return data;
}

} // namespace cgpgan
