#include "checkpoint/checkpoint_integrity.h"

#include "cgpgan/error.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <type_traits>

namespace cgpgan {
namespace {

using nlohmann::json;

void addModule(std::vector<NamedTensor>& out, const std::string& prefix, const torch::nn::Module& module)
{
    for (const auto& item : module.named_parameters(/*recurse=*/true))
        out.push_back({prefix + "/" + item.key(), item.value()});
    for (const auto& item : module.named_buffers(/*recurse=*/true))
        out.push_back({prefix + "/" + item.key(), item.value()});
}

// The optimizer state of parameter p. The state map's key is the parameter's
// TensorImpl as a string in libtorch 1.x and as a pointer in 2.x.
template <typename Map>
const torch::optim::OptimizerParamState* stateOf(const Map& state, const torch::Tensor& p)
{
    using Key = typename Map::key_type;
    typename Map::const_iterator it;
    if constexpr (std::is_same_v<Key, std::string>) {
        // libtorch 1.x keys the state by the TensorImpl's address as text
        // (c10::guts::to_string, gone in 2.x: the same ostream form here).
        std::ostringstream key;
        key << p.unsafeGetTensorImpl();
        it = state.find(key.str());
    } else
        it = state.find(p.unsafeGetTensorImpl());
    return it == state.end() ? nullptr : it->second.get();
}

void addOptimizer(std::vector<NamedTensor>& out, const std::string& prefix, const torch::optim::Optimizer& opt)
{
    int index = 0;
    for (const auto& group : opt.param_groups()) {
        for (const auto& p : group.params()) {
            const std::string name = prefix + "/" + std::to_string(index++);
            const auto* state = dynamic_cast<const torch::optim::AdamWParamState*>(stateOf(opt.state(), p));
            if (!state)
                continue; // no step taken yet
            out.push_back({name + "/step", torch::tensor(state->step(), torch::kLong)});
            out.push_back({name + "/exp_avg", state->exp_avg()});
            out.push_back({name + "/exp_avg_sq", state->exp_avg_sq()});
            if (state->max_exp_avg_sq().defined())
                out.push_back({name + "/max_exp_avg_sq", state->max_exp_avg_sq()});
        }
    }
}

std::string hex(uint32_t v)
{
    char text[9];
    std::snprintf(text, sizeof text, "%08x", v);
    return text;
}

uint32_t crc(uint32_t seed, const void* data, size_t size)
{
    return uint32_t(crc32_z(seed, static_cast<const Bytef*>(data), size));
}

// "a, b and 3 more"
std::string someNames(const std::vector<std::string>& names)
{
    std::string text;
    const size_t shown = std::min<size_t>(names.size(), 4);
    for (size_t i = 0; i < shown; ++i)
        text += (i ? ", " : "") + names[i];
    if (names.size() > shown)
        text += " and " + std::to_string(names.size() - shown) + " more";
    return text;
}

} // namespace

std::vector<NamedTensor> stateTensors(const Model::Networks& n, const Trainer::State* s)
{
    std::vector<NamedTensor> out;
    addModule(out, "G", *n.g);
    addModule(out, "G_ema", *n.gEma);
    addModule(out, "D", *n.d);
    if (n.q)
        addModule(out, "Q", *n.q);
    out.push_back({"prior", n.prior});
    out.push_back({"step", torch::tensor(n.step, torch::kLong)});
    if (s) {
        addOptimizer(out, "opt_G", *s->optG);
        addOptimizer(out, "opt_D", *s->optD);
        if (s->optQ)
            addOptimizer(out, "opt_Q", *s->optQ);
        out.push_back({"rng_state", s->rng.get_state()});
        out.push_back({"data_order", s->order});
        out.push_back({"data_cursor", torch::tensor(s->cursor, torch::kLong)});
    }
    return out;
}

uint32_t tensorChecksum(const torch::Tensor& tensor)
{
    const auto t = tensor.detach().to(torch::kCPU).contiguous();
    std::string header = std::string(c10::toString(t.scalar_type())) + "[";
    for (const auto size : t.sizes())
        header += std::to_string(size) + ",";
    header += "]";
    uint32_t value = crc(0, header.data(), header.size());
    return crc(value, t.data_ptr(), size_t(t.numel()) * t.element_size());
}

uint32_t bytesChecksum(std::string_view bytes) { return crc(0, bytes.data(), bytes.size()); }

std::string checksumsJson(const std::string& configJson, const std::vector<NamedTensor>& tensors)
{
    json table = json::object();
    for (const auto& t : tensors)
        table[t.name] = hex(tensorChecksum(t.tensor));
    return json{{"algorithm", "crc32"}, {"config", hex(bytesChecksum(configJson))}, {"tensors", table}}.dump();
}

std::vector<std::string> nonFiniteNames(const std::vector<NamedTensor>& tensors)
{
    std::vector<std::string> bad;
    for (const auto& t : tensors)
        if (t.tensor.defined() && t.tensor.is_floating_point() && !torch::isfinite(t.tensor).all().item<bool>())
            bad.push_back(t.name);
    return bad;
}

void requireFinite(const std::vector<NamedTensor>& tensors, const std::string& prefix)
{
    const auto bad = nonFiniteNames(tensors);
    if (!bad.empty())
        throw Error(prefix + ": " + someNames(bad) + (bad.size() == 1 ? " holds" : " hold") +
                    " NaN or infinite values");
}

StoredChecksums readStoredChecksums(torch::serialize::InputArchive& archive, const std::string& path)
{
    StoredChecksums stored;
    c10::IValue entry;
    if (!archive.try_read("checksums", entry))
        return stored;
    const auto bad = [&path](const std::string& why) {
        return Error("checkpoint " + path + " is corrupt: its checksum table " + why);
    };
    if (!entry.isString())
        throw bad("is not text");
    const auto table = json::parse(entry.toStringRef(), nullptr, /*allow_exceptions=*/false);
    if (table.is_discarded() || !table.is_object() || table.value("algorithm", "") != "crc32" ||
        !table.contains("config") || !table["config"].is_string() || !table.contains("tensors") ||
        !table["tensors"].is_object())
        throw bad("cannot be read");
    const auto parseHex = [&](const json& v) {
        if (!v.is_string())
            throw bad("holds a value that is not a checksum");
        const auto& text = v.get_ref<const std::string&>();
        size_t used = 0;
        unsigned long value = 0;
        try {
            value = std::stoul(text, &used, 16);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != text.size() || text.size() != 8)
            throw bad("holds \"" + text + "\", not a checksum");
        return uint32_t(value);
    };
    stored.present = true;
    stored.config = parseHex(table["config"]);
    for (const auto& [name, value] : table["tensors"].items())
        stored.tensors.emplace_back(name, parseHex(value));
    return stored;
}

void verifyConfigChecksum(const StoredChecksums& stored, const std::string& configJson, const std::string& path)
{
    if (stored.present && bytesChecksum(configJson) != stored.config)
        throw Error("checkpoint " + path + " is corrupt: its config does not match its checksum");
}

void verifyTensorChecksums(const StoredChecksums& stored, const std::vector<NamedTensor>& loaded, bool complete,
                           const std::string& path)
{
    if (!stored.present)
        return;
    std::map<std::string, uint32_t> expected(stored.tensors.begin(), stored.tensors.end());
    std::vector<std::string> differ, unknown;
    for (const auto& t : loaded) {
        const auto it = expected.find(t.name);
        if (it == expected.end()) {
            unknown.push_back(t.name);
            continue;
        }
        if (tensorChecksum(t.tensor) != it->second)
            differ.push_back(t.name);
        expected.erase(it);
    }
    if (!differ.empty())
        throw Error("checkpoint " + path + " is corrupt: " + someNames(differ) +
                    (differ.size() == 1 ? " does" : " do") + " not match the stored checksum (" +
                    std::to_string(differ.size()) + " of " + std::to_string(loaded.size()) +
                    " tensors). Use an earlier checkpoint or a backup.");
    if (!unknown.empty())
        throw Error("checkpoint " + path + " is corrupt: its checksum table lacks " + someNames(unknown));
    if (complete && !expected.empty()) {
        std::vector<std::string> missing;
        for (const auto& [name, value] : expected)
            missing.push_back(name);
        throw Error("checkpoint " + path + " is corrupt: " + someNames(missing) +
                    " listed in its checksum table did not load");
    }
}

// ---------------------------------------------------------------- the seal

namespace {

constexpr uint32_t kEndOfCentralDirectory = 0x06054b50; // "PK\5\6"
constexpr size_t kEndRecordSize = 22;                   // without its comment
// The seal's two forms: the first covered the bytes before the zip end
// record; the second (issue 26) also covers the record's fields, everything
// but its comment length (which endRecord checks against the file's size).
constexpr std::string_view kSealPrefix = "cgpgan-seal2 ";
constexpr std::string_view kFirstSealPrefix = "cgpgan-crc32 ";

uint16_t littleEndian16(const char* p)
{
    return uint16_t(uint8_t(p[0]) | uint8_t(p[1]) << 8);
}

uint32_t littleEndian32(const char* p)
{
    return uint32_t(littleEndian16(p)) | uint32_t(littleEndian16(p + 2)) << 16;
}

// Offset of the zip's end record: the last one whose comment ends the file.
std::optional<size_t> endRecord(std::string_view bytes)
{
    if (bytes.size() < kEndRecordSize)
        return std::nullopt;
    const size_t lowest = bytes.size() > kEndRecordSize + 0xffff ? bytes.size() - kEndRecordSize - 0xffff : 0;
    for (size_t at = bytes.size() - kEndRecordSize + 1; at-- > lowest;) {
        if (littleEndian32(bytes.data() + at) == kEndOfCentralDirectory
            && at + kEndRecordSize + littleEndian16(bytes.data() + at + 20) == bytes.size())
            return at;
    }
    return std::nullopt;
}

} // namespace

std::string sealArchive(std::string bytes)
{
    const auto end = endRecord(bytes);
    if (!end || littleEndian16(bytes.data() + *end + 20) != 0)
        throw Error("internal error: libtorch's checkpoint bytes do not end in a zip end record without a comment");
    const std::string seal = std::string(kSealPrefix) + hex(bytesChecksum(std::string_view(bytes).substr(0, *end + 20)));
    static_assert(kSealPrefix.size() == kFirstSealPrefix.size());
    bytes[*end + 20] = char(seal.size() & 0xff);
    bytes[*end + 21] = char(seal.size() >> 8);
    bytes += seal;
    return bytes;
}

// The zip end record's own fields against the archive (issue 26: they lay
// outside the first seal, so a flip in its counts or offsets passed it).
// libtorch writes one disk, so both disk numbers are 0 and the two entry
// counts agree; the central directory ends where the end record (or a zip64
// end record) begins, and walking it finds exactly the entries counted.
void checkEndRecord(std::string_view bytes, size_t end, const std::string& path)
{
    const auto damaged = [&](const std::string& what) {
        return Error("checkpoint " + path + " is damaged: its zip end record " + what);
    };
    const char* eocd = bytes.data() + end;
    if (littleEndian16(eocd + 4) != 0 || littleEndian16(eocd + 6) != 0)
        throw damaged("names another disk (a checkpoint is one file)");
    const uint16_t entries = littleEndian16(eocd + 10);
    if (littleEndian16(eocd + 8) != entries)
        throw damaged("counts " + std::to_string(littleEndian16(eocd + 8)) + " entries on this disk but "
                      + std::to_string(entries) + " in all");
    const uint32_t directorySize = littleEndian32(eocd + 12);
    const uint32_t directoryOffset = littleEndian32(eocd + 16);
    if (entries == 0xffff || directorySize == 0xffffffffu || directoryOffset == 0xffffffffu)
        return; // zip64: the real counts are in the zip64 record, inside the seal
    const uint64_t directoryEnd = uint64_t(directoryOffset) + directorySize;
    const bool zip64Follows = directoryEnd + 4 <= end
        && littleEndian32(bytes.data() + directoryEnd) == 0x06064b50; // "PK\6\6"
    if (directoryEnd != end && !zip64Follows)
        throw damaged("places the zip directory at " + std::to_string(directoryOffset) + " + "
                      + std::to_string(directorySize) + " bytes, which does not end where the record begins ("
                      + std::to_string(end) + ")");
    uint64_t at = directoryOffset;
    uint32_t found = 0;
    while (at + 46 <= directoryEnd && littleEndian32(bytes.data() + at) == 0x02014b50) {
        const char* h = bytes.data() + at;
        at += 46 + uint64_t(littleEndian16(h + 28)) + littleEndian16(h + 30) + littleEndian16(h + 32);
        ++found;
    }
    if (at != directoryEnd || found != entries)
        throw damaged("counts " + std::to_string(entries) + " entries but its directory holds "
                      + std::to_string(found));
}

// For a checkpoint without a seal (written before them): the zip's own
// CRC-32 of every stored entry, which libtorch's reader does not check.
// Throws Error naming the entry that does not match or lies outside the file.
void verifyZipEntries(std::string_view bytes, size_t end, const std::string& path)
{
    auto damaged = [&](const std::string& what) {
        return Error("checkpoint " + path + " is damaged: " + what);
    };
    const char* eocd = bytes.data() + end;
    const uint16_t entries = littleEndian16(eocd + 10);
    const uint32_t directorySize = littleEndian32(eocd + 12);
    const uint32_t directoryOffset = littleEndian32(eocd + 16);
    if (entries == 0xffff || directoryOffset == 0xffffffffu)
        return; // zip64 (a file over 4 GiB): left to the tensor checksums
    if (uint64_t(directoryOffset) + directorySize > end)
        throw damaged("its zip directory lies outside the file");
    size_t at = directoryOffset;
    for (uint16_t i = 0; i < entries; ++i) {
        if (at + 46 > end || littleEndian32(bytes.data() + at) != 0x02014b50)
            throw damaged("zip directory entry " + std::to_string(i) + " is not where the directory says");
        const char* h = bytes.data() + at;
        const uint16_t method = littleEndian16(h + 10);
        const uint32_t crc = littleEndian32(h + 16), stored = littleEndian32(h + 20);
        const uint16_t nameLength = littleEndian16(h + 28), extra = littleEndian16(h + 30),
                       comment = littleEndian16(h + 32);
        const uint32_t local = littleEndian32(h + 42);
        if (at + 46 + nameLength > end)
            throw damaged("zip directory entry " + std::to_string(i) + " runs past the directory");
        const std::string name(h + 46, nameLength);
        if (uint64_t(local) + 30 > end || littleEndian32(bytes.data() + local) != 0x04034b50)
            throw damaged("the data of " + name + " is not where the zip directory says");
        const uint64_t data = uint64_t(local) + 30 + littleEndian16(bytes.data() + local + 26)
            + littleEndian16(bytes.data() + local + 28);
        if (data + stored > end)
            throw damaged(name + " runs past the end of the file");
        if (method == 0 && bytesChecksum(bytes.substr(size_t(data), stored)) != crc)
            throw damaged(name + " does not match the CRC-32 in its zip directory");
        at += 46 + size_t(nameLength) + extra + comment;
    }
}

bool verifyArchiveSeal(std::string_view bytes, const std::string& path)
{
    const auto end = endRecord(bytes);
    if (!end)
        throw Error("checkpoint " + path + " is not a complete CGPGAN checkpoint (corrupt, cut short or another "
                    "kind of file): it has no zip end record (" + std::to_string(bytes.size()) + " bytes)");
    const std::string_view comment = bytes.substr(*end + kEndRecordSize);
    const bool second = comment.substr(0, kSealPrefix.size()) == kSealPrefix;
    const bool first = comment.substr(0, kFirstSealPrefix.size()) == kFirstSealPrefix;
    if (!second)
        checkEndRecord(bytes, *end, path); // the first seal and no seal leave the record uncovered
    if (!first && !second) {
        verifyZipEntries(bytes, *end, path); // written before seals
        return false;
    }
    const std::string stored(comment.substr(kSealPrefix.size())); // both prefixes are 13 bytes
    const std::string actual = hex(bytesChecksum(bytes.substr(0, *end + (second ? 20 : 0))));
    if (stored != actual)
        throw Error("checkpoint " + path + " is damaged: its bytes do not match the CRC-32 written with them (stored " +
                    stored + ", now " + actual + "); it was changed or cut after it was saved");
    return true;
}

} // namespace cgpgan
