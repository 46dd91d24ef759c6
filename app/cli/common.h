#pragma once
// Shared pieces of the `cgpgan` subcommands: how a run's config is put
// together from a preset / file / checkpoint and single-field overrides, a
// model restored from a checkpoint, and the clustering scores of SPEC 6.
#include "cgpgan/clustering.h"
#include "cgpgan/config.h"
#include "cgpgan/dataset.h"
#include "cgpgan/model.h"
#include "cgpgan/trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cgpgan::cli {

// Options that pick and adjust a config; every subcommand that trains or
// reads data has them.
// Option checks shared by the subcommands (issue 26: one validation of every
// option). CLI11 alone turns "--seed -1" into 2^64-1, clamps a 20-digit seed
// and lets NaN through a range check.
// A seed: digits only, 0 .. 18446744073709551615.
CLI::Validator seedValidator();
// A path or name that is not empty ("--out ''" fell back to a default folder).
CLI::Validator nonEmptyValidator();
// A finite number (NaN and infinities are refused).
CLI::Validator finiteValidator();
// A regular file that exists (requireRegularFile's words, which name a
// FIFO, a folder, a device or a loop of links; CLI::ExistingFile called a
// loop "File does not exist"). what: "checkpoint", "config file".
CLI::Validator regularFileValidator(const std::string& what);

struct ConfigOptions {
    std::string preset = "demo";
    std::string configFile;
    std::vector<std::string> overrides; // --set section.field=value
    std::optional<int64_t> steps;
    std::optional<int> batch;
    std::optional<uint64_t> seed;
    std::string dataKind, dataPath, device;
    std::optional<int> threads;
    // Set by addTo: whether --preset / --config were given (a base config refuses them).
    CLI::Option* presetOption = nullptr;
    CLI::Option* configOption = nullptr;

    // withPreset: --preset/--config; withTraining: --steps/--batch/--seed.
    void addTo(CLI::App& app, bool withPreset, bool withTraining = true);
    // Base config (preset, file, or the given one) with the overrides applied.
    // With a base (a checkpoint's config), --preset and --config are refused:
    // they would be silently ignored otherwise.
    Config build(std::optional<Config> base = std::nullopt) const;
};

// Loads the data a config names, logging what was skipped.
std::shared_ptr<Dataset> loadData(const Config& config);

// Sets libtorch's intra-op threads from the config and logs the device.
void setUpThreads(const Config& config);

// The pattern of every log line.
inline constexpr const char* kLogPattern = "[%H:%M:%S] %^%l%$ %v";

// Moves every logger (the default one and the data loaders') from stdout to
// stderr, so that a --json command prints nothing on stdout but its JSON.
void logToStderr();

// The model of a checkpoint (its config with the overrides), ready to
// sample, assign or evaluate, and with needData the data its config names.
struct Restored {
    Config config;
    std::shared_ptr<Dataset> data; // null without needData
    std::shared_ptr<Model> model;
};
Restored restore(const std::string& checkpoint, const ConfigOptions& options, bool needData);

// Clustering of real data by Q (SPEC 6), as JSON: "populated_clusters"
// (combinations with prior mass > 0.01), "populated_per_label", and, when the
// data has labels, "scores": {"combined": ..., "label<l>_vs_<column>": ...},
// each with samples, clusters, non_empty_clusters, classes,
// hungarian_accuracy, majority_accuracy, nmi, ari.
nlohmann::json clusteringSummary(const ClusterAssignment& assignment, const torch::Tensor& prior,
                                 const Dataset& data);
nlohmann::json scoresJson(const ClusterScores& scores);
// Prints a clusteringSummary() as text: the populated line and, when there
// are scores, one table row per comparison.
void printClusteringSummary(const nlohmann::json& summary);

// JSON for stdout (--json): text that is not UTF-8 (a path, a class name from
// a data file) is written with U+FFFD in place of the bad bytes instead of
// failing the command after its work is done (issue 26).
std::string jsonText(const nlohmann::json& j, int indent = 2);

} // namespace cgpgan::cli
