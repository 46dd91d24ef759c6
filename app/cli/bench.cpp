// `cgpgan bench`: times training steps of a preset (default `bench`, the
// frozen network of SPEC 5) and prints one JSON line, in the same format as
// tests/bench/mirror.py, so the two can be compared side by side. Every line
// names the speed options it ran with (run.precision, run.channels_last,
// run.cudnn_benchmark). --profile runs the timed steps under libtorch's
// profiler and prints where the time went (to stderr: stdout stays one line).
#include "commands.h"
#include "common.h"
#include "profile.h"

#include "cgpgan/embedding.h"
#include "cgpgan/error.h"
#include "cgpgan/thread_governor.h"
#include "cgpgan/trainer.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <random>
#include <thread>

namespace cgpgan::cli {

namespace {

struct BenchOptions {
    ConfigOptions config;
    int64_t steps = 30;
    int64_t warmup = 3;
    std::string profile; // chrome trace path; empty: no profiling
    int profileTop = 25;
    bool assign = false;                          // --assign: cluster assignment speed instead
    std::vector<int64_t> chunks{256, 1024, 4096}; // --assign-chunks
    int rounds = 2;
    // --map-points: also time the cluster map (PCA of every image, t-SNE of
    // this many) beside training; 0 = no map.
    int64_t mapPoints = 0;
};

double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // ru_maxrss is KiB on Linux
}

// `cgpgan bench --assign` (issue 12): Q over the preset's real data
// (Model::assignClusters, what the explorer's Clusters tab runs) at each
// chunk size, with training stopped and with a training loop running on
// another thread (as in the explorer), plus training's speed meanwhile.
// One JSON line per measurement, rounds alternating over the chunk sizes.
int runAssignBench(const BenchOptions& o)
{
    Config config = o.config.build();
    config.train.steps = 1000000000;
    setUpThreads(config);
    const auto data = loadData(config);
    Trainer trainer(config, data);
    for (int64_t i = 0; i < o.warmup; ++i)
        trainer.step();
    using Clock = std::chrono::steady_clock;
    const auto seconds = [](Clock::time_point from) { return std::chrono::duration<double>(Clock::now() - from).count(); };
    // Steps of a training loop on its own thread while `work` runs here.
    const auto trainingDuring = [&](const auto& work) {
        std::atomic<bool> stop{false};
        std::atomic<int64_t> steps{0};
        std::thread loop([&] {
            while (!stop) {
                trainer.step();
                ++steps;
            }
        });
        const auto start = Clock::now();
        work();
        const double s = seconds(start);
        stop = true;
        loop.join();
        return std::pair<double, int64_t>{s, steps.load()};
    };
    const auto print = [&](const char* mode, int64_t chunk, double s, double stepsPerSecond) {
        nlohmann::json line{{"bench", "assign"},      {"preset", config.preset}, {"mode", mode},
                            {"images", data->count}, {"chunk", chunk},           {"seconds", s},
                            {"images_per_s", double(data->count) / s},           {"threads", torch::get_num_threads()}};
        if (stepsPerSecond >= 0)
            line["training_steps_per_s"] = stepsPerSecond;
        std::cout << jsonText(line, -1) << std::endl;
    };
    // Training alone, for the ratio: as long as one paused assignment takes.
    {
        const auto start = Clock::now();
        int64_t steps = 0;
        while (seconds(start) < 10.0) {
            trainer.step();
            ++steps;
        }
        const double s = seconds(start);
        std::cout << nlohmann::json{{"bench", "assign"}, {"preset", config.preset}, {"mode", "training alone"},
                                    {"seconds", s}, {"training_steps_per_s", double(steps) / s}}
                         .dump()
                  << std::endl;
    }
    // Issue 27: "taking turns" is the old pass (the model's lock per chunk
    // of Q, so chunks and steps alternate); "beside training" copies Q once
    // and runs without the lock (Model::assignClusters now).
    for (int round = 0; round < o.rounds; ++round)
        for (int64_t chunk : o.chunks) {
            auto start = Clock::now();
            trainer.model().assignClusters(*data, {}, chunk);
            print("paused", chunk, seconds(start), -1);
            for (const bool snapshot : {false, true}) {
                const auto [s, steps] =
                    trainingDuring([&] { trainer.model().assignClusters(*data, {}, chunk, snapshot); });
                print(snapshot ? "beside training (Q copied)" : "taking turns with training (lock per chunk)", chunk,
                      s, double(steps) / s);
            }
        }
    // The cluster map (embedding.h), as the explorer's Cluster map tab runs
    // it: Q's features from a copy of Q, then the projection, beside training.
    if (o.mapPoints > 0)
        for (const MapMethod method : {MapMethod::Pca, MapMethod::Tsne}) {
            MapOptions options;
            options.method = method;
            options.maxPoints = o.mapPoints;
            const auto [s, steps] = trainingDuring([&] { clusterMap(trainer.model(), *data, options); });
            std::cout << jsonText(nlohmann::json{{"bench", "map"},
                                                 {"method", method == MapMethod::Pca ? "pca" : "tsne"},
                                                 {"points", method == MapMethod::Pca ? data->count
                                                                                     : std::min(data->count, o.mapPoints)},
                                                 {"mode", "beside training"},
                                                 {"seconds", s},
                                                 {"training_steps_per_s", double(steps) / s}},
                                  -1)
                      << std::endl;
        }
    return 0;
}

int runBench(BenchOptions o)
{
    // (CLI11 2.1's Range did not stop "--warmup -1" on these int64 options: checked here.)
    if (o.steps < 1 || o.steps > 1000000)
        throw Error("--timed-steps must be in 1..1000000, not " + std::to_string(o.steps));
    if (o.warmup < 0 || o.warmup > 1000000)
        throw Error("--warmup must be in 0..1000000, not " + std::to_string(o.warmup));
    if (o.rounds < 1 || o.rounds > 1000)
        throw Error("--rounds must be in 1..1000, not " + std::to_string(o.rounds));
    if (o.assign)
        return runAssignBench(o);
    if (o.config.preset.empty())
        o.config.preset = "bench";
    Config config = o.config.build();
    config.train.steps = o.warmup + o.steps;
    setUpThreads(config);
    // Random images, as the Python mirror uses: the data does not change the cost of a step.
    auto data = std::make_shared<Dataset>();
    data->name = "random";
    if (config.model.arch == Arch::Mlp) {
        data->count = 4096;
        data->pointDim = config.model.channels;
        data->points.resize(size_t(data->count * data->pointDim));
        std::mt19937 gen(1);
        for (auto& v : data->points)
            v = float(gen() % 2000) / 1000.0f - 1.0f;
    } else {
        data->count = 4096;
        data->channels = config.model.channels;
        data->height = data->width = config.model.resolution;
        data->pixels.resize(size_t(data->count * data->imageSize()));
        std::mt19937 gen(1);
        for (auto& v : data->pixels)
            v = uint8_t(gen());
    }
    Trainer trainer(config, data);
    // As in training: with run.threads 0 the threads follow the free cores
    // (cgpgan/thread_governor.h), so a bench on a shared machine measures what
    // a run there gets.
    ThreadGovernor governor(config.run, trainer.model().device());
    const auto step = [&] {
        governor.betweenSteps();
        return trainer.step();
    };
    for (int64_t i = 0; i < o.warmup; ++i)
        step();
    std::optional<OpProfiler> profiler;
    if (!o.profile.empty())
        profiler.emplace();
    const auto start = std::chrono::steady_clock::now();
    bool finite = true;
    for (int64_t i = 0; i < o.steps; ++i)
        finite = step().finite() && finite;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (profiler) {
        const auto ops = profiler->finish(o.profile);
        std::cerr << "profile of " << o.steps << " steps of preset " << config.preset << " on "
                  << trainer.model().deviceName() << " (" << nameOf(config.run.precision)
                  << (config.run.channelsLast ? ", channels-last" : ", contiguous")
                  << "); chrome trace in " << o.profile << "\n";
        printOpTable(std::cerr, ops, seconds, o.steps, size_t(std::max(o.profileTop, 1)));
    }
    const nlohmann::json out{{"impl", "cpp"},
                             {"preset", config.preset},
                             {"torch", TORCH_VERSION},
                             {"device", trainer.model().deviceName()},
                             {"threads", torch::get_num_threads()},
                             {"precision", nameOf(config.run.precision)},
                             {"channels_last", config.run.channelsLast},
                             {"cudnn_benchmark", config.run.cudnnBenchmark},
                             {"profiled", !o.profile.empty()},
                             {"steps", o.steps},
                             {"seconds", seconds},
                             {"steps_per_s", double(o.steps) / seconds},
                             {"images_per_s", double(o.steps * config.train.batch) / seconds},
                             {"peak_rss_mib", peakRssMiB()},
                             {"finite", finite}};
    std::cout << jsonText(out, -1) << std::endl;
    return finite ? 0 : 3;
}

} // namespace

void addBenchCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<BenchOptions>();
    o->config.preset = "bench";
    CLI::App* sub = app.add_subcommand("bench", "Time training steps of a preset and print one JSON line");
    o->config.addTo(*sub, /*withPreset=*/true);
    sub->add_option("--timed-steps", o->steps, "Steps to time (1..1000000)")->capture_default_str();
    sub->add_option("--warmup", o->warmup, "Untimed steps first (0..1000000)")->capture_default_str();
    sub->add_option("--profile", o->profile,
                    "Profile the timed steps: write a chrome://tracing trace to this file and print the ops "
                    "by self time to stderr (the profiler slows the steps it times)");
    sub->add_option("--profile-top", o->profileTop, "Rows of the profile table")->capture_default_str();
    sub->add_flag("--assign", o->assign,
                  "Time cluster assignment (Q over the preset's data, e.g. --preset demo) with training stopped "
                  "and with training running on another thread, at each --assign-chunks size");
    sub->add_option("--assign-chunks", o->chunks, "Images per forward pass of Q to compare")->capture_default_str();
    sub->add_option("--map-points", o->mapPoints,
                    "--assign: also time the cluster map beside training (PCA of every image, t-SNE of this many)")
        ->check(CLI::Range(int64_t(0), int64_t(100000)));
    sub->add_option("--rounds", o->rounds, "Rounds over the chunk sizes (--assign, 1..1000)")->capture_default_str();
    sub->callback([o, &exitCode] { exitCode = runBench(*o); });
}

} // namespace cgpgan::cli
