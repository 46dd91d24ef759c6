// `cgpgan sample`, `cgpgan cluster` and `cgpgan info`: what a checkpoint
// generates, how it clusters a dataset, and what it holds.
#include "commands.h"
#include "common.h"

#include "cgpgan/clustering.h"
#include "cgpgan/device.h"
#include "cgpgan/error.h"
#include "cgpgan/live_score.h"
#include "cgpgan/file_io.h"
#include "cgpgan/trainer.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

namespace cgpgan::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string priorTable(const std::vector<float>& prior, int dL, int dC)
{
    std::string out;
    for (int l = 0; l < dL; ++l) {
        out += "  label " + std::to_string(l) + ":";
        for (int k = 0; k < dC; ++k) {
            char buf[16];
            std::snprintf(buf, sizeof buf, " %.3f", prior[size_t(l * dC + k)]);
            out += buf;
        }
        out += "\n";
    }
    return out;
}

// ---- sample ------------------------------------------------------------------

struct SampleOptions {
    ConfigOptions config;
    std::string checkpoint;
    std::string out = "grid.png";
    int rows = 8;
    int columns = 16;
    std::vector<int64_t> combinations;
    bool random = false;
    uint64_t zSeed = 1;
};

int runSample(const SampleOptions& o)
{
    auto r = restore(o.checkpoint, o.config, /*needData=*/false);
    const int64_t total = r.config.model.combinations();
    std::vector<int64_t> combos = o.combinations;
    if (combos.empty() && o.columns > total) // e.g. --columns 4096 of 16 combinations (issue 26)
        spdlog::warn("--columns {}: the model has {} combinations, so the grid has {} columns", o.columns, total, total);
    if (combos.empty()) {
        const int64_t n = std::min<int64_t>(total, o.columns);
        if (o.random) {
            // n distinct ids without listing all of them (d_c^d_l can be 16^16).
            std::mt19937_64 gen(o.zSeed);
            std::uniform_int_distribution<int64_t> pick(0, total - 1);
            std::set<int64_t> seen;
            while (int64_t(combos.size()) < n)
                if (const int64_t id = pick(gen); seen.insert(id).second)
                    combos.push_back(id);
        } else {
            for (int64_t i = 0; i < n; ++i)
                combos.push_back(i);
        }
    }
    const auto grid = r.model->sampleGrid(o.zSeed, o.rows, combos).image();
    writePng(o.out, grid);
    std::cout << "wrote " << o.out << ": " << o.rows << " rows (z) x " << combos.size()
              << " combinations, step " << r.model->step() << "\n";
    return 0;
}

// ---- cluster -----------------------------------------------------------------

struct ClusterOptions {
    ConfigOptions config;
    std::string checkpoint;
    std::string out = "assignments.csv";
    bool json = false;
    int64_t scoreSamples = 0; // > 0: only the live score's subsample (SPEC 8)
};

int runCluster(const ClusterOptions& o)
{
    if (o.json)
        logToStderr();
    auto r = restore(o.checkpoint, o.config, /*needData=*/true);
    // --score-samples: the images `cgpgan train` scores every run.score_every
    // steps (live_score.h), so its metrics.csv can be checked against this.
    const Dataset data = o.scoreSamples > 0 ? LiveScorer(*r.data, o.scoreSamples).subset() : *r.data;
    int64_t lastShown = -1;
    const auto a = r.model->assignClusters(data, [&](int64_t done, int64_t total) {
        const int64_t percent = done * 100 / total;
        if (percent / 10 != lastShown / 10 && !o.json) {
            std::fprintf(stderr, "\rassigning clusters: %3lld%%", (long long)percent);
            lastShown = percent;
        }
        return true;
    });
    if (!o.json)
        std::fprintf(stderr, "\n");

    // The assignments CSV: one row per sample, the explorer's layout (clustering.h).
    {
        std::ostringstream csv;
        writeAssignmentsCsv(csv, a, data.labels);
        writeFileAtomically(o.out, csv.str(), "assignments CSV");
    }

    json result;
    result["checkpoint"] = o.checkpoint;
    result["step"] = r.model->step();
    result["data"] = data.name;
    result["samples"] = a.count;
    result["assignments_csv"] = o.out;
    result.update(clusteringSummary(a, r.model->prior(), data));
    if (data.hasLabels()) {
        // The live score's reading: each label column with the Q label matched to it.
        json live = json::array();
        for (const LabelScore& l : scoreAgainstLabels(a, data))
            live.push_back({{"name", l.name}, {"q_label", l.qLabel}, {"hungarian_accuracy", l.accuracy},
                            {"nmi", l.nmi}, {"ari", l.ari}});
        result["live_score"] = live;
    }
    if (o.json) {
        std::cout << jsonText(result) << "\n";
        return 0;
    }
    std::printf("clustered %lld samples of %s with the classifier of %s (step %lld)\n", (long long)a.count,
                data.name.c_str(), o.checkpoint.c_str(), (long long)r.model->step());
    printClusteringSummary(result);
    std::printf("assignments: %s\n", o.out.c_str());
    return 0;
}

// ---- info --------------------------------------------------------------------

// `cgpgan info --devices`: what this build can run on (issue 24).
int runDevices(bool asJson)
{
    const DeviceReport r = describeDevices();
    if (asJson) {
        json j;
        j["libtorch"] = r.libtorch;
        j["cuda_compiled_in"] = r.cudaCompiledIn;
        j["cuda_toolkit"] = r.cudaToolkit;
        j["cuda_devices"] = r.cudaDevices;
        j["device_names"] = r.deviceNames;
        j["cudnn"] = r.cudnn;
        j["gloo"] = r.gloo;
        j["nccl"] = r.nccl;
        j["cpu_threads"] = r.cpuThreads;
        j["omp_wait_policy"] = r.openMpWait;
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::printf("libtorch        %s\n", r.libtorch.c_str());
    if (!r.cudaCompiledIn)
        std::printf("CUDA            not compiled in (a CPU libtorch): runs on the CPU\n");
    else if (r.cudaDevices == 0)
        std::printf("CUDA            compiled in (toolkit %s), no device present: runs on the CPU\n",
                    r.cudaToolkit.c_str());
    else
        std::printf("CUDA            compiled in (toolkit %s), %d device(s), cuDNN %s\n", r.cudaToolkit.c_str(),
                    r.cudaDevices, r.cudnn ? "yes" : "no");
    for (size_t i = 0; i < r.deviceNames.size(); ++i)
        std::printf("  cuda:%zu        %s\n", i, r.deviceNames[i].c_str());
    std::printf("process groups  %s%s\n", r.gloo ? "gloo" : "none (built without Gloo's headers)",
                r.nccl ? ", nccl (CUDA runs under torchrun)" : "");
    std::printf("CPU threads     %d, OpenMP wait policy %s\n", r.cpuThreads,
                r.openMpWait.empty() ? "libgomp's default" : r.openMpWait.c_str());
    return 0;
}

int runInfo(const std::string& checkpoint, bool asJson)
{
    const auto info = Trainer::readInfo(checkpoint);
    // The same reading `sample`, `cluster` and `export` make (issue 26: info
    // printed a checkpoint with NaN weights that sample refused): checksums
    // and finite weights, without building optimizers.
    Model::load(checkpoint, withDefaultMachine(info.config));
    const auto& c = info.config;
    if (asJson) {
        json j;
        j["checkpoint"] = checkpoint;
        j["format_version"] = info.formatVersion;
        j["step"] = info.step;
        j["parameters"] = info.parameters;
        j["prior"] = info.prior;
        j["holds"] = info.pins; // steering: -1 free, else the held mass (0: emptied)
        j["config"] = json::parse(toJson(c));
        std::cout << jsonText(j) << "\n";
        return 0;
    }
    std::printf("checkpoint      %s (%.1f MiB, format %d)\n", checkpoint.c_str(),
                double(fs::file_size(checkpoint)) / (1024.0 * 1024.0), info.formatVersion);
    std::printf("preset          %s\n", c.preset.c_str());
    std::printf("step            %lld\n", (long long)info.step);
    std::printf("model           %s %s, %s, %s, d_z %d, d_l %d x d_c %d (%lld combinations), %lld parameters\n",
                nameOf(c.model.mode), nameOf(c.model.arch), c.model.codebook ? "codebook" : "one-hot code",
                c.model.arch == Arch::Conv
                    ? (std::to_string(c.model.channels) + "x" + std::to_string(c.model.resolution) + "x" +
                       std::to_string(c.model.resolution)).c_str()
                    : (std::to_string(c.model.channels) + "-D points").c_str(),
                c.model.dZ, c.model.dL, c.model.dC, (long long)c.model.combinations(), (long long)info.parameters);
    std::printf("data            %s%s%s\n", nameOf(c.data.kind), c.data.path.empty() ? "" : " ", c.data.path.c_str());
    std::printf("training        batch %d, lr G/D/Q %g/%g/%g, lambda r2/cls/cgp %g/%g/%g, prior from %s\n",
                c.train.batch, c.train.lrG, c.train.lrD, c.train.lrQ, c.train.lambdaR2, c.train.lambdaCls,
                c.train.lambdaCgp,
                c.train.priorStartEpoch >= 0 ? ("epoch " + std::to_string(c.train.priorStartEpoch)).c_str()
                : c.train.priorStartStep >= 0 ? ("step " + std::to_string(c.train.priorStartStep)).c_str()
                                              : "never (frozen)");
    // Issue 9's devices beyond the paper, when a config turns any on.
    std::string extras;
    const auto add = [&extras](const std::string& item) { extras += (extras.empty() ? "" : ", ") + item; };
    if (c.train.lambdaMs > 0)
        add("mode seeking lambda_ms " + fmt::format("{:g}", c.train.lambdaMs));
    if (c.model.mbstdGroup > 0)
        add("minibatch std in D, groups of " + std::to_string(c.model.mbstdGroup));
    if (c.model.dHidden > 0)
        add("encoder hidden width " + std::to_string(c.model.dHidden));
    if (c.model.codebookInit != 1.0)
        add("codebook init std " + fmt::format("{:g}", c.model.codebookInit));
    if (c.train.codebookLrScale != 1.0)
        add("codebook lr x " + fmt::format("{:g}", c.train.codebookLrScale));
    if (c.train.qAugmentScale > 0 || c.train.qAugmentShift > 0 || c.train.qAugmentRotate > 0)
        add(fmt::format("Q reads random views (zoom {:g}, shift {:g}, rotate {:g} deg)", c.train.qAugmentScale,
                        c.train.qAugmentShift, c.train.qAugmentRotate));
    if (c.train.lambdaGCls > 0)
        add("classifier loss on G (InfoGAN) lambda_g_cls " + fmt::format("{:g}", c.train.lambdaGCls));
    if (c.train.regEvery > 1)
        add(fmt::format("lazy regularisation: R2 and CGP every {} steps, weighted x{}", c.train.regEvery,
                        c.train.regEvery));
    std::printf("beyond paper    %s\n", extras.empty() ? "none (the paper's architecture and losses)" : extras.c_str());
    std::printf("prior P(C)\n%s", priorTable(info.prior, c.model.dL, c.model.dC).c_str());
    // Steering (issue 27): the categories held now, and the run's actions.
    std::string holds;
    for (int l = 0; l < c.model.dL; ++l)
        for (int k = 0; k < c.model.dC; ++k) {
            const float h = info.pins.empty() ? -1.0f : info.pins[size_t(l * c.model.dC + k)];
            if (h == 0)
                holds += fmt::format("{}label {} category {} emptied", holds.empty() ? "" : "; ", l, k);
            else if (h > 0)
                holds += fmt::format("{}label {} category {} pinned at {:.3f}", holds.empty() ? "" : "; ", l, k, h);
        }
    if (!holds.empty() || !c.train.steer.empty())
        std::printf("steering        %s (%zu action%s in train.steer)\n", holds.empty() ? "nothing held" : holds.c_str(),
                    c.train.steer.size(), c.train.steer.size() == 1 ? "" : "s");
    return 0;
}

} // namespace

void addSampleCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<SampleOptions>();
    CLI::App* sub = app.add_subcommand("sample", "Write a grid PNG of G_ema samples from a checkpoint");
    sub->add_option("checkpoint", o->checkpoint, "Checkpoint file")->required()->check(regularFileValidator("checkpoint"));
    sub->add_option("-o,--out", o->out, "PNG to write")->capture_default_str()->check(nonEmptyValidator());
    sub->add_option("--rows", o->rows, "Rows: fixed z vectors")->capture_default_str()->check(CLI::Range(1, 256));
    sub->add_option("--columns", o->columns, "Columns: how many combinations (the first ones, or --random)")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    sub->add_option("--combinations", o->combinations,
                    "Exact combination ids for the columns (label 0 most significant), e.g. --combinations 0 5 9");
    sub->add_flag("--random", o->random, "Pick the columns at random among all d_c^d_l combinations");
    sub->add_option("--z-seed", o->zSeed, "Seed of the z rows (and of --random)")
        ->capture_default_str()
        ->check(seedValidator());
    sub->get_option("--random")->excludes(sub->get_option("--combinations")); // one way to pick the columns
    sub->add_option("--device", o->config.device, "auto, cpu or cuda");
    sub->add_option("--threads", o->config.threads, "CPU intra-op threads; 0 = all cores");
    sub->callback([o, &exitCode] { exitCode = runSample(*o); });
}

void addClusterCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<ClusterOptions>();
    CLI::App* sub = app.add_subcommand(
        "cluster", "Assign a dataset to clusters with Q; write a CSV and print scores when labels exist");
    sub->add_option("checkpoint", o->checkpoint, "Checkpoint file")->required()->check(regularFileValidator("checkpoint"));
    o->config.addTo(*sub, /*withPreset=*/false, /*withTraining=*/false);
    sub->add_option("-o,--out", o->out, "Assignments CSV to write")->capture_default_str()->check(nonEmptyValidator());
    sub->add_flag("--json", o->json, "Print the results as JSON");
    sub->add_option("--score-samples", o->scoreSamples,
                    "Only these many images, spread evenly over the data: the subsample `train` scores live "
                    "(run.score_samples)")
        ->check(CLI::Range(int64_t(1), int64_t(1000000)));
    sub->callback([o, &exitCode] { exitCode = runCluster(*o); });
}

void addInfoCommand(CLI::App& app, int& exitCode)
{
    auto checkpoint = std::make_shared<std::string>();
    auto asJson = std::make_shared<bool>(false);
    auto devices = std::make_shared<bool>(false);
    CLI::App* sub = app.add_subcommand("info", "Show what a checkpoint holds, or (--devices) what this build runs on");
    auto* file = sub->add_option("checkpoint", *checkpoint, "Checkpoint file")->check(regularFileValidator("checkpoint"));
    auto* dev = sub->add_flag("--devices", *devices, "Show libtorch's version, CUDA, its devices and the process-group "
                                                      "backends of this build instead");
    dev->excludes(file);
    sub->add_flag("--json", *asJson, "Print as JSON");
    sub->callback([checkpoint, asJson, devices, &exitCode] {
        if (*devices) {
            exitCode = runDevices(*asJson);
            return;
        }
        if (checkpoint->empty())
            throw Error("cgpgan info needs a checkpoint file (or --devices)");
        exitCode = runInfo(*checkpoint, *asJson);
    });
}

} // namespace cgpgan::cli
