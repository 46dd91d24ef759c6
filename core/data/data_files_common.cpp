// The loaders' shared pieces (data_files_common.h).
#include "data/data_files_common.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cerrno>
#include <cstring>
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

std::string printableText(const std::string& text, bool* changed)
{
    std::string out;
    out.reserve(text.size());
    bool escaped = false;
    const auto escape = [&](unsigned char byte) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\x%02X", unsigned(byte));
        out += buffer;
        escaped = true;
    };
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                escape(c);
            else
                out += char(c);
            ++i;
            continue;
        }
        // The length and the first continuation byte's range of a
        // well-formed sequence (Unicode 15, table 3-7): no overlong forms,
        // no surrogates, nothing above U+10FFFF.
        size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            length = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            low = c == 0xE0 ? 0xA0 : 0x80;
            high = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            low = c == 0xF0 ? 0x90 : 0x80;
            high = c == 0xF4 ? 0x8F : 0xBF;
        }
        bool valid = length > 0 && i + length <= n && p[i + 1] >= low && p[i + 1] <= high;
        for (size_t k = 2; valid && k < length; ++k)
            valid = p[i + k] >= 0x80 && p[i + k] <= 0xBF;
        // C1 controls (U+0080..U+009F) are escaped like C0 ones.
        if (valid && !(c == 0xC2 && p[i + 1] <= 0x9F)) {
            out.append(text, i, length);
            i += length;
        } else {
            escape(c);
            ++i;
        }
    }
    if (changed)
        *changed = escaped;
    return out;
}

void sanitiseLabelText(Dataset& data)
{
    for (LabelColumn& column : data.labels) {
        bool changed = false, any = false;
        std::string first;
        column.name = printableText(column.name, &changed);
        any = changed;
        for (std::string& name : column.classNames) {
            std::string clean = printableText(name, &changed);
            if (changed && first.empty())
                first = clean;
            any = any || changed;
            name = std::move(clean);
        }
        if (any)
            spdlog::warn("{}: the names of label \"{}\" hold bytes that are control characters or not UTF-8; "
                         "they are shown as \\xNN (first: \"{}\")",
                         printableText(data.source), column.name, first.empty() ? column.name : first);
    }
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

// ---------------------------------------------------------------- GzReader

GzReader::GzReader(const std::string& path) : m_path(path), m_input(size_t(1) << 20)
{
    requireRegularFile(path, "data file");
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file)
        throw Error("cannot open " + path + ": " + std::strerror(errno));
    const size_t got = std::fread(m_input.data(), 1, m_input.size(), m_file);
    m_stream.next_in = m_input.data();
    m_stream.avail_in = uInt(got);
    m_raw = !(got >= 2 && m_input[0] == 0x1f && m_input[1] == 0x8b);
    if (!m_raw) {
        // 16 + MAX_WBITS: a gzip wrapper (header and CRC-32 trailer checked by zlib).
        if (inflateInit2(&m_stream, 16 + MAX_WBITS) != Z_OK) {
            std::fclose(m_file);
            throw Error("cannot read " + path + ": zlib could not start");
        }
        m_inflating = true;
    }
}

GzReader::~GzReader()
{
    if (m_inflating)
        inflateEnd(&m_stream);
    std::fclose(m_file);
}

void GzReader::fail(const std::string& what) const
{
    throw Error(m_path + ": " + what);
}

bool GzReader::fill()
{
    const size_t got = std::fread(m_input.data(), 1, m_input.size(), m_file);
    if (got == 0 && std::ferror(m_file))
        fail(std::string("cannot read: ") + std::strerror(errno));
    m_stream.next_in = m_input.data();
    m_stream.avail_in = uInt(got);
    return got > 0;
}

uint64_t GzReader::read(void* out, uint64_t size)
{
    auto* bytes = static_cast<uint8_t*>(out);
    uint64_t done = 0;
    if (m_raw) { // buffered input first, then the file
        const uint64_t buffered = std::min<uint64_t>(size, m_stream.avail_in);
        std::memcpy(bytes, m_stream.next_in, size_t(buffered));
        m_stream.next_in += buffered;
        m_stream.avail_in -= uInt(buffered);
        done = buffered;
        if (done < size)
            done += std::fread(bytes + done, 1, size_t(size - done), m_file);
        if (done < size && std::ferror(m_file))
            fail(std::string("cannot read: ") + std::strerror(errno));
        m_delivered += done;
        return done;
    }
    while (done < size && !m_ended) {
        if (m_stream.avail_in == 0 && !fill())
            fail("it is a truncated gzip file: it ends inside its compressed stream after "
                 + std::to_string(m_delivered + done) + " uncompressed bytes (download or copy it again)");
        const auto chunk = uInt(std::min<uint64_t>(size - done, 1u << 30));
        m_stream.next_out = bytes + done;
        m_stream.avail_out = chunk;
        const int code = inflate(&m_stream, Z_NO_FLUSH);
        done += chunk - m_stream.avail_out;
        if (code == Z_STREAM_END) {
            // The member is complete and its CRC-32 and length matched.
            // Another member may follow; anything else is trailing junk.
            if (m_stream.avail_in == 0)
                fill();
            if (m_stream.avail_in == 0) {
                m_ended = true;
            } else if (m_stream.avail_in >= 2 && m_stream.next_in[0] == 0x1f && m_stream.next_in[1] == 0x8b) {
                inflateReset(&m_stream);
            } else {
                m_trailing = m_stream.avail_in;
                while (fill())
                    m_trailing += m_stream.avail_in;
                m_stream.avail_in = 0;
                m_ended = true;
                spdlog::warn("{} has {} bytes after its gzip data that are not gzip data; they are ignored "
                             "(a damaged or appended-to file?)", m_path, m_trailing);
            }
        } else if (code == Z_DATA_ERROR) {
            fail(std::string("corrupt gzip data after ") + std::to_string(m_delivered + done)
                 + " uncompressed bytes (" + (m_stream.msg ? m_stream.msg : "data error")
                 + "); download or copy it again");
        } else if (code == Z_MEM_ERROR) {
            fail("not enough memory to decompress it");
        } else if (code != Z_OK && code != Z_BUF_ERROR) {
            fail("zlib error " + std::to_string(code) + " while decompressing it");
        }
    }
    m_delivered += done;
    return done;
}

// ---------------------------------------------------------------- raw or .gz

std::string preferRaw(const std::string& raw, const std::string& gz)
{
    if (!isFile(gz))
        return raw;
    if (!isFile(raw))
        return gz;
    GzReader a(raw), b(gz);
    std::vector<uint8_t> x(size_t(1) << 20), y(x.size());
    uint64_t offset = 0;
    for (;;) {
        const uint64_t gotA = a.read(x.data(), x.size());
        const uint64_t gotB = b.read(y.data(), y.size());
        const uint64_t same = std::min(gotA, gotB);
        const auto differs = std::mismatch(x.begin(), x.begin() + ptrdiff_t(same), y.begin());
        if (differs.first != x.begin() + ptrdiff_t(same) || gotA != gotB) {
            const uint64_t at = offset + uint64_t(differs.first - x.begin());
            spdlog::warn("{} and {} both exist and differ (from byte {} of the uncompressed data); using {}: "
                         "delete or replace the one that is wrong",
                         raw, gz, at, raw);
            return raw;
        }
        offset += same;
        if (gotA < x.size())
            break;
    }
    spdlog::info("{} and {} both exist and hold the same data; using {}", raw, gz, raw);
    return raw;
}

} // namespace cgpgan::data_detail
