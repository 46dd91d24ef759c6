// Folders of PNG/JPEG images: loadImageFolder. A file that cannot be used is
// counted, listed in Dataset::skipped and logged, never dropped silently
// (STYLE.md, "Errors").
#include "cgpgan/data.h"

#include "cgpgan/error.h"
#include "data/data_files_common.h"

#include <spdlog/spdlog.h>
#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <fstream>
#include <map>
#include <system_error>

namespace cgpgan {
namespace {

using namespace data_detail;

// ---------------------------------------------------------------- image folders

bool isImageFileName(const fs::path& path)
{
    const std::string ext = toLower(path.extension().string());
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

struct FolderImage {
    fs::path path;
    int depth = 0;         // 0: directly in the searched folder
    std::string topFolder; // the first folder below the searched one ("" at depth 0)
    bool operator<(const FolderImage& other) const { return path < other.path; }
};

// Why an entry with an image's name cannot be read as a file: a dangling or
// looping symbolic link, a folder or device named *.png, or a status error.
std::string notAFileReason(const fs::directory_entry& entry)
{
    std::error_code ec;
    if (entry.is_symlink(ec)) {
        std::error_code targetError;
        const fs::path target = fs::read_symlink(entry.path(), targetError);
        const std::string to = targetError ? std::string() : " to " + target.string();
        std::error_code statusError;
        (void)fs::status(entry.path(), statusError);
        if (statusError == std::errc::too_many_symbolic_link_levels)
            return "symbolic link" + to + " loops";
        if (statusError)
            return "dangling symbolic link" + to + " (" + statusError.message() + ")";
        return "symbolic link" + to + " does not point at a regular file";
    }
    std::error_code statusError;
    const fs::file_status status = fs::status(entry.path(), statusError);
    if (statusError)
        return "cannot read its type: " + statusError.message();
    return status.type() == fs::file_type::directory ? "is a folder, not an image file"
                                                     : "is not a regular file";
}

// Every file with an image's name under folder, sorted; entries with such a
// name that are not readable files go to skipped, with the reason, and so do
// folders that cannot be listed (issue 26: skip_permission_denied dropped an
// unreadable class folder without a word, and with it the labels). Folder
// links are not followed, as before.
std::vector<FolderImage> findImageFiles(const fs::path& folder, std::vector<SkippedFile>& skipped)
{
    std::vector<FolderImage> files;
    std::vector<std::pair<fs::path, int>> pending{{folder, -1}}; // a folder and its depth below the root
    while (!pending.empty()) {
        const auto [current, depth] = pending.back();
        pending.pop_back();
        std::error_code ec;
        fs::directory_iterator it(current, ec);
        if (ec) {
            if (depth < 0)
                throw Error("cannot list image folder " + folder.string() + ": " + ec.message());
            skipped.push_back({current.string(), "folder cannot be read (" + ec.message()
                                                     + "): the images in it, if any, are left out"});
            continue;
        }
        for (const fs::directory_iterator end; it != end; it.increment(ec)) {
            const fs::directory_entry& entry = *it;
            std::error_code typeError;
            if (entry.is_directory(typeError) && !entry.is_symlink(typeError)) {
                pending.emplace_back(entry.path(), depth + 1);
                if (isImageFileName(entry.path())) // a folder named x.png: listed, and searched
                    skipped.push_back({entry.path().string(), notAFileReason(entry)});
                continue;
            }
            if (!isImageFileName(entry.path()))
                continue;
            if (entry.is_regular_file(typeError))
                files.push_back({entry.path(), depth + 1,
                                 depth + 1 == 0 ? std::string()
                                                : entry.path().lexically_relative(folder).begin()->string()});
            else
                skipped.push_back({entry.path().string(), notAFileReason(entry)});
        }
        if (ec) {
            if (depth < 0)
                throw Error("cannot list image folder " + folder.string() + ": " + ec.message());
            skipped.push_back({current.string(), "folder could be read only in part (" + ec.message()
                                                     + "): some of its images may be left out"});
        }
    }
    std::sort(files.begin(), files.end()); // same order on every run
    std::sort(skipped.begin(), skipped.end(),
              [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
    return files;
}

// The format the first bytes say: "PNG", "JPEG", or "" for anything else.
std::string sniffFormat(const std::string& bytes)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    const auto* head = reinterpret_cast<const unsigned char*>(bytes.data());
    if (bytes.size() >= 8 && std::equal(head, head + 8, png))
        return "PNG";
    if (bytes.size() >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
        return "JPEG";
    return {};
}

// Every chunk of a PNG against its CRC-32 (issue 26: stb_image does not
// check them, so a damaged PNG loaded as whatever its bytes decoded to).
// Returns why the file is damaged, or "" when every chunk up to IEND is whole.
std::string pngDamage(const std::string& bytes)
{
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t at = 8;
    while (at + 12 <= bytes.size()) {
        const uint32_t length = bigEndian32(p + at);
        const std::string type(bytes, at + 4, 4);
        if (length > 0x7fffffffu || at + 12 + uint64_t(length) > bytes.size())
            return "damaged PNG: chunk " + type + " at byte " + std::to_string(at) + " runs past the end of the file";
        const uint32_t stored = bigEndian32(p + at + 8 + length);
        const uint32_t actual = uint32_t(crc32(crc32(0L, nullptr, 0), p + at + 4, uInt(4 + length)));
        if (stored != actual)
            return "damaged PNG: chunk " + type + " at byte " + std::to_string(at) + " fails its CRC-32";
        if (type == "IEND")
            return {};
        at += 12 + size_t(length);
    }
    return "damaged PNG: it ends before its IEND chunk (cut short?)";
}

// Decodes one file to `channels` channels, centre-crops it to a square and
// resizes it to resolution x resolution; appends CHW bytes to pixels.
// Returns an empty string on success, else why the file could not be used.
std::string loadFolderImage(const fs::path& path, int resolution, int channels,
                            std::vector<uint8_t>& pixels, std::vector<uint8_t>& scratch)
{
    // The file is read once, here, so that a file that cannot be read says
    // so (not "not PNG or JPEG data") and the bytes checked are the bytes decoded.
    constexpr uint64_t kMaxFileBytes = uint64_t(1) << 28;
    std::error_code sizeError;
    const uint64_t fileBytes = fs::file_size(path, sizeError);
    if (sizeError)
        return "cannot read its size: " + sizeError.message();
    if (fileBytes > kMaxFileBytes)
        return "too large a file (" + std::to_string(fileBytes >> 20) + " MiB; at most 256 MiB)";
    std::string bytes;
    {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return std::string("cannot open it: ") + std::strerror(errno);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (in.bad())
            return std::string("cannot read it: ") + std::strerror(errno);
    }
    // Only PNG and JPEG content reaches stb_image, whatever the file's name:
    // stb_image also decodes PNM, PSD, PIC, HDR, TGA and GIF from the bytes,
    // and fuzz_image found Debian's stb_image reading past the end of a
    // 27-byte file named .png that holds a 16-bit PGM header (SEGV).
    const std::string format = sniffFormat(bytes);
    if (format.empty())
        return "not PNG or JPEG data (the file's first bytes are neither signature)";
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int length = int(bytes.size());
    int width = 0, height = 0, fileChannels = 0;
    // Found by fuzz_image: a 19-byte PPM header claiming 25551x25555 pixels
    // made stb_image allocate 1.9 GB and spend 21 s. The size a header
    // claims is checked before decoding (64 megapixels at most).
    constexpr int64_t kMaxPixels = int64_t(1) << 26;
    if (stbi_info_from_memory(data, length, &width, &height, &fileChannels)
        && int64_t(width) * int64_t(height) > kMaxPixels)
        return "too large: its header says " + std::to_string(width) + "x" + std::to_string(height)
            + " pixels (at most " + std::to_string(kMaxPixels >> 20) + " megapixels)";
    if (format == "PNG")
        if (std::string damage = pngDamage(bytes); !damage.empty())
            return damage;
    std::unique_ptr<stbi_uc, void (*)(void*)> decoded(
        stbi_load_from_memory(data, length, &width, &height, &fileChannels, channels),
        stbi_image_free);
    if (!decoded) {
        const char* reason = stbi_failure_reason();
        return std::string("cannot decode: ") + (reason ? reason : "unknown error");
    }

    // Found by fuzz_image: stb_image can "decode" a header such as "P6 ]2 255"
    // to a 0-pixel-wide image, and resizing that fails an assertion in
    // libstb (the whole load aborted).
    if (width < 1 || height < 1)
        return "cannot decode: the image is " + std::to_string(width) + "x" + std::to_string(height) + " pixels";
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

// Ground truth from the folder layout, torchvision's ImageFolder convention:
// root/<class>/**/image.png, the class being the first folder below the root
// (afhq/train/cat/x.png -> "cat" when loading afhq/train; deeper folders do
// not start new classes). Used only when every image lies in such a folder
// and there are at least two classes: a folder without subfolders, or with
// images beside its subfolders, stays unlabelled (and the log says why).
std::vector<LabelColumn> folderLabels(const std::vector<FolderImage>& used, const std::string& folder)
{
    std::map<std::string, int32_t> classIds;
    int64_t atRoot = 0;
    for (const FolderImage& file : used) {
        if (file.depth == 0)
            ++atRoot;
        else
            classIds.emplace(file.topFolder, 0);
    }
    auto log = spdlog::default_logger();
    if (classIds.empty())
        return {};
    if (atRoot > 0) {
        log->info("{}: {} images lie directly in the folder beside its {} subfolders: the subfolders are not "
                  "used as class labels", folder, atRoot, classIds.size());
        return {};
    }
    if (classIds.size() < 2) {
        log->info("{}: all images are in one subfolder ({}): no class labels to score against", folder,
                  classIds.begin()->first);
        return {};
    }
    LabelColumn column;
    column.name = "class";
    for (auto& [name, id] : classIds) {
        id = int32_t(column.classNames.size());
        column.classNames.push_back(name);
    }
    for (const FolderImage& file : used)
        column.values.push_back(classIds.at(file.topFolder));
    log->info("{}: {} classes from its subfolders ({}{})", folder, column.classNames.size(),
              column.classNames.front(), column.classNames.size() > 1 ? ", " + column.classNames[1] + ", ..." : "");
    return {std::move(column)};
}

} // namespace

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

    std::vector<SkippedFile> notFiles;
    const std::vector<FolderImage> files = findImageFiles(folder, notFiles);
    if (files.empty())
        throw Error("no .png/.jpg/.jpeg images found under " + folder
                    + (notFiles.empty() ? std::string()
                                        : " (" + std::to_string(notFiles.size())
                                              + " entries with an image's name are not files; first: "
                                              + notFiles.front().path + ": " + notFiles.front().reason + ")"));

    Dataset data;
    data.name = "image folder " + baseName(folder);
    data.source = folder;
    data.channels = channels;
    data.height = resolution;
    data.width = resolution;
    data.pixels.reserve(files.size() * size_t(data.imageSize()));

    auto log = spdlog::default_logger();
    constexpr size_t kMaxLoggedSkips = 20;
    auto skip = [&](const std::string& path, const std::string& reason) {
        data.skipped.push_back({path, reason});
        if (data.skipped.size() <= kMaxLoggedSkips)
            log->warn("skipping {}: {}", path, reason);
    };
    for (const SkippedFile& entry : notFiles)
        skip(entry.path, entry.reason);
    std::vector<FolderImage> used;
    std::vector<uint8_t> scratch;
    for (const FolderImage& file : files) {
        const std::string reason =
            loadFolderImage(file.path, resolution, channels, data.pixels, scratch);
        if (reason.empty())
            used.push_back(file);
        else
            skip(file.path.string(), reason);
    }
    data.count = int64_t(used.size());
    if (data.skipped.size() > kMaxLoggedSkips)
        log->warn("{} more files skipped in {}", data.skipped.size() - kMaxLoggedSkips, folder);

    if (used.empty())
        throw Error("no usable images in " + folder + ": all " + std::to_string(files.size())
                    + " image files were skipped (first: " + data.skipped.front().path + ": "
                    + data.skipped.front().reason + ")");
    data.labels = folderLabels(used, folder);
    log->info("loaded {} images from {} ({} skipped)", data.count, folder, data.skipped.size());
    return data;
}

} // namespace cgpgan
