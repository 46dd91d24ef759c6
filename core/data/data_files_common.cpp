// The loaders' shared pieces (data_files_common.h).
#include "data/data_files_common.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <system_error>

namespace cgpgan::data_detail {


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
            spdlog::warn("{} and {} do not both have labels: the combined data has none",
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

} // namespace cgpgan::data_detail
