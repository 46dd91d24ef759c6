#include "common.h"

#include "cgpgan/data.h"
#include "cgpgan/device.h"

#include <spdlog/spdlog.h>

namespace cgpgan::cli {

void ConfigOptions::addTo(CLI::App& app, bool withPreset, bool withTraining)
{
    if (withPreset) {
        std::string names;
        for (const auto& n : presetNames())
            names += (names.empty() ? "" : ", ") + n;
        app.add_option("--preset", preset, "Preset to start from (" + names + ")")->capture_default_str();
        app.add_option("--config", configFile, "JSON config file to start from instead of a preset")
            ->check(CLI::ExistingFile);
    }
    app.add_option("--set", overrides,
                   "Override one field: section.field=value, e.g. --set train.lambda_r2=5 "
                   "--set model.g_widths=[64,32,16] (repeatable)");
    if (withTraining) {
        app.add_option("--steps", steps, "Train for this many steps in total (train.steps)")
            ->check(CLI::PositiveNumber);
        app.add_option("--batch", batch, "Batch size (train.batch)")->check(CLI::Range(2, 1 << 16));
        app.add_option("--seed", seed, "Seed for weights, latents and data order (train.seed)");
    }
    app.add_option("--data", dataKind, "Dataset kind: builtin, mnist, cifar10, folder, toy2d (data.kind)");
    app.add_option("--data-path", dataPath, "File or folder of the dataset (data.path)");
    app.add_option("--device", device, "auto, cpu or cuda (run.device)");
    app.add_option("--threads", threads, "CPU intra-op threads; 0 = all cores (run.threads)");
}

Config ConfigOptions::build(std::optional<Config> base) const
{
    Config config = base ? *base : (configFile.empty() ? cgpgan::preset(preset) : loadConfigFile(configFile));
    for (const auto& o : overrides)
        applyOverride(config, o);
    if (steps) {
        config.train.steps = *steps;
        config.train.epochs = 0;
    }
    if (batch)
        config.train.batch = *batch;
    if (seed)
        config.train.seed = *seed;
    if (!dataKind.empty())
        config.data.kind = dataKind;
    if (!dataPath.empty())
        config.data.path = dataPath;
    if (!device.empty())
        config.run.device = device;
    if (threads)
        config.run.threads = *threads;
    config.data.resolution = config.model.resolution;
    config.data.channels = config.model.channels;
    config.validate();
    return config;
}

std::shared_ptr<Dataset> loadData(const Config& config)
{
    auto data = std::make_shared<Dataset>(loadDataset(config.data));
    spdlog::info("data: {} ({} samples{})", data->name, data->count,
                 data->hasLabels() ? ", with labels" : ", no labels");
    if (!data->skipped.empty()) {
        spdlog::warn("{} file(s) could not be used and were skipped:", data->skipped.size());
        for (const auto& s : data->skipped)
            spdlog::warn("  {}: {}", s.path, s.reason);
    }
    return data;
}

void setUpThreads(const Config& config)
{
    const int threads = configureThreads(config.run.threads);
    spdlog::debug("intra-op threads: {}", threads);
}

} // namespace cgpgan::cli
