// `cgpgan bench`: times training steps of a preset (default `bench`, the
// frozen network of SPEC 5) and prints one JSON line, in the same format as
// tests/bench/mirror.py, so the two can be compared side by side. Every line
// names the speed options it ran with (run.precision, run.channels_last,
// run.cudnn_benchmark). --profile runs the timed steps under libtorch's
// profiler and prints where the time went (to stderr: stdout stays one line).
#include "commands.h"
#include "common.h"
#include "profile.h"

#include "cgpgan/trainer.h"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <random>

namespace cgpgan::cli {

namespace {

struct BenchOptions {
    ConfigOptions config;
    int64_t steps = 30;
    int64_t warmup = 3;
    std::string profile; // chrome trace path; empty: no profiling
    int profileTop = 25;
};

double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) / 1024.0; // ru_maxrss is KiB on Linux
}

int runBench(BenchOptions o)
{
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
    for (int64_t i = 0; i < o.warmup; ++i)
        trainer.step();
    std::optional<OpProfiler> profiler;
    if (!o.profile.empty())
        profiler.emplace();
    const auto start = std::chrono::steady_clock::now();
    bool finite = true;
    for (int64_t i = 0; i < o.steps; ++i)
        finite = trainer.step().finite() && finite;
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
    std::cout << out.dump() << std::endl;
    return finite ? 0 : 3;
}

} // namespace

void addBenchCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<BenchOptions>();
    o->config.preset = "bench";
    CLI::App* sub = app.add_subcommand("bench", "Time training steps of a preset and print one JSON line");
    o->config.addTo(*sub, /*withPreset=*/true);
    sub->add_option("--timed-steps", o->steps, "Steps to time")->capture_default_str();
    sub->add_option("--warmup", o->warmup, "Untimed steps first")->capture_default_str();
    sub->add_option("--profile", o->profile,
                    "Profile the timed steps: write a chrome://tracing trace to this file and print the ops "
                    "by self time to stderr (the profiler slows the steps it times)");
    sub->add_option("--profile-top", o->profileTop, "Rows of the profile table")->capture_default_str();
    sub->callback([o, &exitCode] { exitCode = runBench(*o); });
}

} // namespace cgpgan::cli
