#pragma once
// What makes a checkpoint trustworthy (issue 11): a CRC-32 of every tensor
// and of the config, stored in the checkpoint and checked on every load, and
// a refusal of tensors that are not finite, on save and on load. Internal to
// core/ (checkpoint.cpp).
#include "model/model_impl.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cgpgan {

struct NamedTensor {
    std::string name; // as the checkpoint's message names it: "G/blocks.0.conv.weight", "opt_D/3/exp_avg"
    torch::Tensor tensor;
};

// Every tensor of the model (G, G_ema, D, Q, prior, step) and, given a
// trainer's state, of training (optimizer moments and steps, RNG state, data
// order and cursor), in a fixed order.
std::vector<NamedTensor> stateTensors(const Model::Networks& nets, const Trainer::State* state);

// CRC-32 (zlib) of a tensor's dtype, shape and values in standard layout, and of bytes.
uint32_t tensorChecksum(const torch::Tensor& tensor);
uint32_t bytesChecksum(std::string_view bytes);

// The checkpoint's "checksums" entry: {"algorithm": "crc32", "config": hex, "tensors": {name: hex}}.
std::string checksumsJson(const std::string& configJson, const std::vector<NamedTensor>& tensors);

// The names of the floating-point tensors that are not finite.
std::vector<std::string> nonFiniteNames(const std::vector<NamedTensor>& tensors);

// Throws Error("<prefix>: <names> hold NaN or infinite values ...") when any
// floating-point tensor is not finite.
void requireFinite(const std::vector<NamedTensor>& tensors, const std::string& prefix);

// The stored checksums of a checkpoint, parsed; empty `tensors` when the
// checkpoint predates them (present == false).
struct StoredChecksums {
    bool present = false;
    uint32_t config = 0;
    std::vector<std::pair<std::string, uint32_t>> tensors;
};
StoredChecksums readStoredChecksums(torch::serialize::InputArchive& archive, const std::string& path);

// Config text against its checksum; throws Error naming path when they differ.
void verifyConfigChecksum(const StoredChecksums& stored, const std::string& configJson, const std::string& path);

// The loaded tensors against the stored checksums. Every loaded tensor must
// have a matching entry; with `complete`, every stored entry must also have
// been loaded (a Trainer reads everything, a Model only its part). Throws
// Error naming path and the tensors that differ.
void verifyTensorChecksums(const StoredChecksums& stored, const std::vector<NamedTensor>& loaded, bool complete,
                           const std::string& path);

// A whole-file seal (found by fuzz_checkpoint): libtorch 1.13's TorchScript
// reader crashes (SIGSEGV in ScriptTypeParser) on some damaged archives
// before any tensor checksum can be checked, and its zip reader skips the
// zip's own CRCs. So the bytes are sealed when saved: the zip's end record
// gets a comment "cgpgan-seal2 XXXXXXXX", the CRC-32 of every byte before
// that comment but the comment's length (which must match the file's end),
// and a load checks it before libtorch parses anything. Files sealed before
// issue 26 carry "cgpgan-crc32 XXXXXXXX", a CRC-32 of the bytes before the
// end record; for those (and unsealed ones) the record's fields are checked
// against the directory instead.
// sealArchive takes libtorch's output (a zip without a comment) and seals it.
std::string sealArchive(std::string bytes);
// Checks the seal of a checkpoint's bytes: true when sealed and intact,
// false for a checkpoint written before seals (then the zip's own CRC-32 of
// each stored entry is checked instead). Throws Error naming path when the
// bytes are not a complete zip or do not match their seal or CRCs.
bool verifyArchiveSeal(std::string_view bytes, const std::string& path);

} // namespace cgpgan
