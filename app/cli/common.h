#pragma once
// Shared pieces of the `cgpgan` subcommands: how a run's config is put
// together from a preset / file / checkpoint and single-field overrides.
#include "cgpgan/config.h"
#include "cgpgan/dataset.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cgpgan::cli {

// Options that pick and adjust a config; every subcommand that trains or
// reads data has them.
struct ConfigOptions {
    std::string preset = "demo";
    std::string configFile;
    std::vector<std::string> overrides; // --set section.field=value
    std::optional<int64_t> steps;
    std::optional<int> batch;
    std::optional<uint64_t> seed;
    std::string dataKind, dataPath, device;
    std::optional<int> threads;

    // withPreset: --preset/--config; withTraining: --steps/--batch/--seed.
    void addTo(CLI::App& app, bool withPreset, bool withTraining = true);
    // Base config (preset, file, or the given one) with the overrides applied.
    Config build(std::optional<Config> base = std::nullopt) const;
};

// Loads the data a config names, logging what was skipped.
std::shared_ptr<Dataset> loadData(const Config& config);

// Sets libtorch's intra-op threads from the config and logs the device.
void setUpThreads(const Config& config);

} // namespace cgpgan::cli
