#include "common.h"

#include "cgpgan/data.h"
#include "cgpgan/device.h"
#include "cgpgan/error.h"
#include "cgpgan/file_io.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <functional>

namespace cgpgan::cli {

std::string jsonText(const nlohmann::json& j, int indent)
{
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

CLI::Validator seedValidator()
{
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const bool digits = !text.empty() && text.size() <= 20 &&
                                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
            // 20 digits fit only up to 18446744073709551615 (compared as text, same length).
            if (!digits || (text.size() == 20 && text > "18446744073709551615"))
                return "a seed is a whole number from 0 to 18446744073709551615, not " + text;
            return {};
        },
        "SEED", "seed");
}

CLI::Validator nonEmptyValidator()
{
    return CLI::Validator(
        [](std::string& text) -> std::string { return text.empty() ? "an empty path: give a file or folder name" : ""; },
        "", "non-empty");
}

CLI::Validator finiteValidator()
{
    return CLI::Validator(
        [](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            return end != text.c_str() && *end == '\0' && std::isfinite(v) ? "" : text + " is not a finite number";
        },
        "", "finite");
}

CLI::Validator regularFileValidator(const std::string& what)
{
    return CLI::Validator(
        [what](std::string& text) -> std::string {
            try {
                requireRegularFile(text, what);
            } catch (const Error& e) {
                // CLI11 puts the option's name first ("checkpoint: ..."): the
                // message's own "checkpoint " would say it twice.
                std::string message = e.what();
                if (message.rfind(what + " ", 0) == 0)
                    message.erase(0, what.size() + 1);
                return message;
            }
            return {};
        },
        "FILE", "regular file");
}

void ConfigOptions::addTo(CLI::App& app, bool withPreset, bool withTraining)
{
    if (withPreset) {
        std::string names;
        for (const auto& n : presetNames())
            names += (names.empty() ? "" : ", ") + n;
        presetOption =
            app.add_option("--preset", preset, "Preset to start from (" + names + ")")->capture_default_str();
        configOption = app.add_option("--config", configFile, "JSON config file to start from instead of a preset")
                           ->check(regularFileValidator("config file"));
        // Both name where a run starts; the config won without a word (issue 26).
        configOption->excludes(presetOption);
    }
    app.add_option("--set", overrides,
                   "Override one field: section.field=value, e.g. --set train.lambda_r2=5 "
                   "--set model.g_widths=[64,32,16] (repeatable)");
    if (withTraining) {
        app.add_option("--steps", steps, "Train for this many steps in total (train.steps)")
            ->check(CLI::Range(int64_t(1), int64_t(1'000'000'000)));
        app.add_option("--batch", batch, "Batch size (train.batch)")->check(CLI::Range(2, 1 << 16));
        app.add_option("--seed", seed, "Seed for weights, latents and data order (train.seed)")->check(seedValidator());
    }
    app.add_option("--data", dataKind, "Dataset kind: builtin, mnist, cifar10, folder, toy2d (data.kind)");
    app.add_option("--data-path", dataPath, "File or folder of the dataset (data.path)");
    app.add_option("--device", device, "auto, cpu or cuda (run.device)");
    app.add_option("--threads", threads, "CPU intra-op threads; 0 = all cores (run.threads)");
}

Config ConfigOptions::build(std::optional<Config> base) const
{
    const auto given = [](const CLI::Option* option) { return option && option->count() > 0; };
    if (base && (given(presetOption) || given(configOption)))
        throw Error(std::string(given(presetOption) ? "--preset" : "--config") +
                    " starts a new run, and this command continues a checkpoint with its own config: drop it, and "
                    "change settings with --set section.field=value (or --steps, --batch, ...)");
    Config config = base ? *base : (configFile.empty() ? cgpgan::preset(preset) : loadConfigFile(configFile));
    for (const auto& o : overrides)
        applyOverride(config, o);
    if (steps) {
        // A choice between two lengths, said aloud (issue 26).
        if (config.train.epochs > 0)
            spdlog::warn("--steps {} replaces train.epochs {}: the run is measured in steps", *steps,
                         config.train.epochs);
        config.train.steps = *steps;
        config.train.epochs = 0;
    }
    if (batch)
        config.train.batch = *batch;
    if (seed)
        config.train.seed = *seed;
    // The words go through the same field table as --set (settings.h).
    if (!dataKind.empty())
        applyOverride(config, "data.kind=" + dataKind);
    if (!dataPath.empty())
        config.data.path = dataPath;
    // A path the data never reads is a mistake, not a choice (issue 26).
    if (!dataPath.empty() && (config.data.kind == DataKind::Builtin || config.data.kind == DataKind::Toy2d))
        throw Error("--data-path " + dataPath + " is not read: data.kind " + nameOf(config.data.kind) +
                    " generates its samples. Give --data mnist, cifar10 or folder with it, or drop it");
    if (!device.empty())
        applyOverride(config, "run.device=" + device);
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

void logToStderr()
{
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) { logger->sinks().assign(1, sink); });
    spdlog::set_pattern(kLogPattern);
}

Restored restore(const std::string& checkpoint, const ConfigOptions& options, bool needData)
{
    Restored r;
    r.config = options.build(checkpointConfig(checkpoint));
    setUpThreads(r.config);
    if (needData)
        r.data = loadData(r.config);
    r.model = Model::load(checkpoint, r.config); // no dataset, no optimizers: all that sampling needs
    return r;
}

nlohmann::json scoresJson(const ClusterScores& s)
{
    return {{"samples", s.samples},
            {"clusters", s.clusters},
            {"non_empty_clusters", s.nonEmptyClusters},
            {"classes", s.classes},
            {"hungarian_accuracy", s.hungarianAccuracy},
            {"majority_accuracy", s.majorityAccuracy},
            {"nmi", s.nmi},
            {"ari", s.ari}};
}

nlohmann::json clusteringSummary(const ClusterAssignment& a, const torch::Tensor& prior, const Dataset& data)
{
    // Populated clusters: prior mass > 0.01 (SPEC 6); a combination's mass is
    // the product of its labels' masses (labels are sampled independently).
    const auto P = prior.accessor<float, 2>();
    nlohmann::json result;
    std::vector<int64_t> populatedPerLabel;
    // Depth-first over labels, pruning once the partial product is <= 0.01
    // (masses only shrink): at most 100 combinations can pass, so this is
    // cheap even for 16^16 of them.
    int64_t populatedCombined = 0;
    std::function<void(int, double)> visit = [&](int label, double mass) {
        if (mass <= 0.01)
            return;
        if (label == a.dL) {
            ++populatedCombined;
            return;
        }
        for (int k = 0; k < a.dC; ++k)
            visit(label + 1, mass * P[label][k]);
    };
    visit(0, 1.0);
    for (int l = 0; l < a.dL; ++l) {
        int64_t n = 0;
        for (int k = 0; k < a.dC; ++k)
            n += P[l][k] > 0.01f ? 1 : 0;
        populatedPerLabel.push_back(n);
    }
    result["combinations"] = a.combinations();
    result["populated_clusters"] = populatedCombined;
    result["populated_per_label"] = populatedPerLabel;
    if (data.hasLabels()) {
        const auto truth = data.combinedLabels();
        // A contingency table over every combination: only when they are few.
        if (a.combinations() <= kMaxTabulatedCombinations)
            result["scores"]["combined"] = scoresJson(scoreClustering(a.combined, a.combinations(), truth,
                                                                      data.combinedClassCount()));
        // Each Q label against each ground-truth attribute.
        for (int l = 0; l < a.dL; ++l) {
            std::vector<int64_t> pred(size_t(a.count));
            for (int64_t i = 0; i < a.count; ++i)
                pred[size_t(i)] = a.category[size_t(i * a.dL + l)];
            for (const auto& col : data.labels)
                result["scores"]["label" + std::to_string(l) + "_vs_" + col.name] =
                    scoresJson(scoreClustering(pred, a.dC, col.values, int64_t(col.classNames.size())));
        }
    }
    return result;
}

void printClusteringSummary(const nlohmann::json& summary)
{
    std::printf("populated clusters (prior mass > 0.01): %lld of %lld\n",
                (long long)summary["populated_clusters"].get<int64_t>(),
                (long long)summary["combinations"].get<int64_t>());
    if (!summary.contains("scores")) {
        std::printf("the data has no labels: no clustering scores\n");
        return;
    }
    std::printf("%-28s %8s %8s %8s %8s %10s\n", "clusters vs truth", "ACC", "purity", "NMI", "ARI", "non-empty");
    for (const auto& [name, s] : summary["scores"].items())
        std::printf("%-28s %8.4f %8.4f %8.4f %8.4f %5lld/%-4lld\n", name.c_str(), s["hungarian_accuracy"].get<double>(),
                    s["majority_accuracy"].get<double>(), s["nmi"].get<double>(), s["ari"].get<double>(),
                    (long long)s["non_empty_clusters"].get<int64_t>(), (long long)s["clusters"].get<int64_t>());
}

} // namespace cgpgan::cli
