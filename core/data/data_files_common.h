#pragma once
// Pieces shared by the file loaders (data_idx.cpp, data_cifar.cpp,
// data_folder.cpp, data_load.cpp): path and size checks, a zlib reader,
// dataset surgery. Internal to core/.
#include "cgpgan/dataset.h"
#include "cgpgan/error.h"
#include "cgpgan/file_io.h"

#include <zlib.h>

#include <algorithm>
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
// Class names "0", "1", ... for labels that come without names.
std::vector<std::string> numberNames(int64_t count);
// Keeps the first n samples of an image or point dataset.
void keepFirst(Dataset& data, int64_t n);
// Appends part to into (same image geometry). Labels survive only when both
// have the same label columns.
void appendDataset(Dataset& into, Dataset&& part);

// A gzip or raw file read through zlib (gzread passes raw files through).
class GzReader final {
public:
    explicit GzReader(const std::string& path) : m_path(path)
    {
        requireRegularFile(path, "data file");
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
            if (got == 0) {
                // zlib returns what it could decompress and then 0, setting
                // Z_BUF_ERROR, when the file ends inside a gzip stream: a cut
                // download. Refuse it, even when it ends on a record boundary.
                int code = Z_OK;
                gzerror(m_file, &code);
                if (code == Z_BUF_ERROR)
                    throw Error(m_path + " is a truncated gzip file: it ends inside its compressed"
                                " stream after " + std::to_string(m_delivered + done)
                                + " uncompressed bytes (download or copy it again)");
                break;
            }
            done += uint64_t(got);
        }
        m_delivered += done;
        return done;
    }

    // Whether the file is read as is (not gzip). Valid after the first read.
    bool isRaw() const { return gzdirect(m_file) == 1; }

private:
    std::string m_path;
    gzFile m_file = nullptr;
    uint64_t m_delivered = 0; // bytes returned by read so far
};

} // namespace cgpgan::data_detail
