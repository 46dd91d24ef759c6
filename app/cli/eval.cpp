// `cgpgan eval`: sample quality of a checkpoint's G_ema against real data
// (FID, precision, recall; SPEC 6) and, when the data has labels and the model
// a classifier Q, the same clustering scores as `cgpgan cluster`.
#include "commands.h"
#include "common.h"

#include "cgpgan/diversity.h"
#include "cgpgan/error.h"
#include "cgpgan/metrics.h"
#include "cgpgan/model.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>

namespace cgpgan::cli {

using nlohmann::json;

namespace {

struct EvalOptions {
    ConfigOptions config;
    std::string checkpoint;
    int64_t samples = 5000;
    std::string features; // TorchScript feature network; empty = built-in
    bool json = false;
    uint64_t seed = 1;
};

// "builtin-random-conv-v1 (not Inception: ...)" -> "builtin-random-conv-v1".
std::string shortName(const std::string& name)
{
    return name.substr(0, name.find(" ("));
}

// Progress on stderr, every 10 %.
std::function<bool(int64_t, int64_t)> progressPrinter(const char* what, bool quiet)
{
    auto lastShown = std::make_shared<int64_t>(-1);
    return [what, quiet, lastShown](int64_t done, int64_t total) {
        const int64_t percent = done * 100 / std::max<int64_t>(1, total);
        if (!quiet && percent / 10 != *lastShown / 10) {
            std::fprintf(stderr, "\r%s: %3lld%%", what, (long long)percent);
            *lastShown = percent;
        }
        return true;
    };
}

int runEval(const EvalOptions& o)
{
    const auto started = std::chrono::steady_clock::now();
    if (o.json)
        logToStderr();
    auto r = restore(o.checkpoint, o.config, /*needData=*/true);
    const auto& data = *r.data;
    std::unique_ptr<FeatureExtractor> extractor;
    if (o.features.empty())
        extractor = std::make_unique<BuiltinExtractor>(r.model->device());
    else
        extractor = std::make_unique<TorchScriptExtractor>(o.features, r.model->device());

    const auto report = evaluate(*r.model, data, *extractor, o.samples, o.seed,
                                 progressPrinter("embedding real and generated images", o.json));
    if (!o.json)
        std::fprintf(stderr, "\n");

    json result;
    result["checkpoint"] = o.checkpoint;
    result["step"] = report.step;
    result["data"] = data.name;
    result["device"] = r.model->deviceName();
    result["features"] = {{"extractor", report.extractor},
                          {"dimension", report.dimension},
                          {"path", o.features.empty() ? json(nullptr) : json(o.features)}};
    result["seed"] = o.seed;
    result["real_samples"] = report.realSamples;
    result["fake_samples"] = report.fakeSamples;
    result["fid"] = report.fid;
    result["precision"] = report.precision;
    result["recall"] = report.recall;
    result["k"] = report.k;
    result["metric_seconds"] = report.seconds;
    // z-diversity (issue 9): 0 = G_ema ignores z (rows of a grid column identical).
    if (r.config.model.arch == Arch::Conv) {
        const auto zd = zDiversity(*r.model, data, 16, 8, o.seed);
        result["z_diversity"] = {{"ratio", zd.ratio}, {"fake", zd.fake}, {"real", zd.real},
                                 {"combinations", zd.combinations}, {"per_combination", zd.perCombination}};
    }

    // Clustering of the real data by Q, scored against its labels (SPEC 6).
    const bool hasQ = r.config.model.mode != GanMode::Vanilla;
    if (hasQ && data.hasLabels()) {
        const auto a = r.model->assignClusters(data, progressPrinter("assigning clusters", o.json));
        if (!o.json)
            std::fprintf(stderr, "\n");
        result["clustering"] = clusteringSummary(a, r.model->prior(), data);
        result["clustering"]["samples"] = a.count;
    }
    result["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (o.json) {
        std::cout << jsonText(result) << "\n";
        return 0;
    }
    const std::string on = "on " + shortName(report.extractor) + " features";
    std::printf("evaluated %s (step %lld) against %s: %lld real vs %lld G_ema samples, seed %llu\n",
                o.checkpoint.c_str(), (long long)report.step, data.name.c_str(), (long long)report.realSamples,
                (long long)report.fakeSamples, (unsigned long long)o.seed);
    std::printf("features   %s, %lld-d\n", report.extractor.c_str(), (long long)report.dimension);
    std::printf("FID        %10.4f  %s\n", report.fid, on.c_str());
    std::printf("precision  %10.4f  %s, k = %d\n", report.precision, on.c_str(), report.k);
    std::printf("recall     %10.4f  %s, k = %d\n", report.recall, on.c_str(), report.k);
    if (result.contains("z_diversity"))
        std::printf("z-div      %10.4f  within-combination pixel distance / real pairs' (%.4f / %.4f; 0 = z ignored)\n",
                    result["z_diversity"]["ratio"].get<double>(), result["z_diversity"]["fake"].get<double>(),
                    result["z_diversity"]["real"].get<double>());
    if (result.contains("clustering")) {
        std::printf("clustering of %lld real samples by Q:\n", (long long)result["clustering"]["samples"].get<int64_t>());
        printClusteringSummary(result["clustering"]);
    } else {
        std::printf("clustering: %s\n", hasQ ? "the data has no labels: no scores"
                                             : "a vanilla GAN has no classifier Q: no scores");
    }
    std::printf("took %.1f s (metrics %.1f s)\n", result["seconds"].get<double>(), report.seconds);
    return 0;
}

} // namespace

void addEvalCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<EvalOptions>();
    CLI::App* sub = app.add_subcommand(
        "eval", "FID, precision and recall of G_ema samples against real data (and clustering scores when "
                "the data has labels)");
    sub->add_option("checkpoint", o->checkpoint, "Checkpoint file")->required()->check(regularFileValidator("checkpoint"));
    sub->add_option("--samples", o->samples, "Real images and G_ema samples to compare (at most the data's size)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1'000'000)); // PositiveNumber's message printed 1.8e308 in full
    sub->add_option("--features", o->features,
                    "TorchScript feature network, e.g. StyleGAN2-ADA's inception-2015-12-05.pt (default: a "
                    "built-in random-feature network, whose numbers are only comparable with each other)");
    sub->add_option("--seed", o->seed, "Seed of the real subset, z and c")->capture_default_str()->check(seedValidator());
    sub->add_flag("--json", o->json, "Print the results as one JSON object");
    o->config.addTo(*sub, /*withPreset=*/false, /*withTraining=*/false);
    sub->callback([o, &exitCode] { exitCode = runEval(*o); });
}

} // namespace cgpgan::cli
