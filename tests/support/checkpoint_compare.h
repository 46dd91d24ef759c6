#pragma once
// Checkpoint comparison for the tests (tests/support, cgpgan_test_support):
// every entry of two checkpoints, with optimizer states matched by parameter
// position, and a module's tensors by name.
#include <torch/torch.h>

#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cgpgan::testing {

torch::serialize::InputArchive openArchive(const std::string& path);

// Every entry of two archives, recursively: tensors must be torch::equal (same
// dtype and shape), other values ==. Records what was compared and what differs.
struct ArchiveComparison {
    QStringList compared;   // "G.blocks.0.up.weight", ...
    QStringList differences;
};

ArchiveComparison compareCheckpoints(const std::string& pathA, const std::string& pathB);

// All tensors of one module's sub-archive ("G", "Q", ...) by name ("blocks.0.up.weight").
std::map<std::string, torch::Tensor> moduleTensors(const std::string& checkpoint, const std::string& key);

// Copies a checkpoint entry by entry (names as in ArchiveComparison:
// "G.blocks.0.up.weight"), for crafting damaged or older files: top-level
// entries in `drop` are left out, top-level text entries in `text` replaced,
// and `tensor` (when set) may change every tensor on the way.
struct CheckpointEdit {
    std::vector<std::string> drop;
    std::map<std::string, std::string> text;
    std::function<void(const std::string& name, torch::Tensor& tensor)> tensor;
};
void rewriteCheckpoint(const std::string& from, const std::string& to, const CheckpointEdit& edit);

} // namespace cgpgan::testing
