#pragma once
// Pieces shared by the file loaders (data_idx.cpp, data_cifar.cpp,
// data_folder.cpp, data_load.cpp): path and size checks, a zlib reader,
// dataset surgery. Internal to core/.
#include "cgpgan/dataset.h"
#include "cgpgan/error.h"
#include "cgpgan/file_io.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cgpgan::data_detail {

namespace fs = std::filesystem;

std::string toLower(std::string text);
bool endsWith(const std::string& text, const std::string& suffix);
std::string hex32(uint32_t value); // "0x00000803"
bool isFile(const fs::path& path);
// "a/b/" and "a/b" -> "b".
std::string baseName(const std::string& path);
// Throws "<what>: no path given" / "<what> path P does not exist".
void requireExists(const std::string& what, const std::string& path);
uint64_t fileSize(const std::string& path);
// The most bytes a file can hold once uncompressed: deflate never compresses
// better than about 1032:1, so a header that claims more is corrupt.
uint64_t maxUncompressedSize(const std::string& path, bool raw);
// Uncompressed size for reserving memory: the file size, or a gzip file's
// ISIZE trailer (uncompressed size mod 2^32). Only a hint.
uint64_t uncompressedSizeHint(const std::string& path);
uint32_t bigEndian32(const uint8_t* bytes);
// Text from a data file or a folder name made safe for CSV, JSON and the
// screen (issue 26: a binary batches.meta.txt put NUL bytes into
// assignments.csv): valid UTF-8 is kept, and every byte that is a control
// character or not part of valid UTF-8 becomes "\xNN", so distinct names stay
// distinct. Sets *changed when anything was escaped.
std::string printableText(const std::string& text, bool* changed = nullptr);
// printableText on every label column's name and class names, with one
// warning per column that needed it, naming where the data came from.
void sanitiseLabelText(Dataset& data);

// Class names "0", "1", ... for labels that come without names.
std::vector<std::string> numberNames(int64_t count);
// Keeps the first n samples of an image or point dataset.
void keepFirst(Dataset& data, int64_t n);
// Appends part to into (same image geometry). Labels survive only when both
// have the same label columns.
void appendDataset(Dataset& into, Dataset&& part);

// Of a raw file and its .gz twin, the one to read: the raw one when both
// exist. When both exist their contents are compared and a difference is
// logged as a warning that names both (issue 26: the raw one won silently).
std::string preferRaw(const std::string& raw, const std::string& gz);

// A gzip or raw file read through zlib's inflate. gzread would do the same
// but drops anything after the gzip stream without a word (issue 26: junk
// after the data passed); here a gzip file may hold several members (as
// `cat a.gz b.gz` or bgzip make), and bytes after the last one that are not
// another member are logged as a warning with their count and ignored.
class GzReader final {
public:
    explicit GzReader(const std::string& path);
    ~GzReader();
    GzReader(const GzReader&) = delete;
    GzReader& operator=(const GzReader&) = delete;

    // Reads up to size bytes; returns how many were read (fewer only at end
    // of data). Throws Error naming the file when the gzip data is corrupt or
    // cut short.
    uint64_t read(void* out, uint64_t size);

    // Whether the file is read as is (not gzip).
    bool isRaw() const { return m_raw; }
    // Bytes after the last gzip member that were ignored (known once read
    // has reached the end of the data).
    uint64_t trailingBytes() const { return m_trailing; }

private:
    bool fill(); // more compressed input; false at the end of the file
    [[noreturn]] void fail(const std::string& what) const;

    std::string m_path;
    std::FILE* m_file = nullptr;
    bool m_raw = false;
    bool m_ended = false; // no more data (the stream ended, or the raw file)
    z_stream m_stream{};
    bool m_inflating = false;
    std::vector<uint8_t> m_input;
    uint64_t m_delivered = 0; // uncompressed bytes returned so far
    uint64_t m_trailing = 0;
};

} // namespace cgpgan::data_detail
