// `cgpgan train`: a run folder with config.json, metrics.csv of every step,
// grid PNGs and a checkpoint at chosen intervals; Ctrl-C saves and exits.
#include "commands.h"
#include "common.h"
#include "metrics_csv.h"
#include "progress.h"

#include "cgpgan/device.h"
#include "cgpgan/distributed.h"
#include "cgpgan/diversity.h"
#include "cgpgan/error.h"
#include "cgpgan/file_io.h"
#include "cgpgan/folder_lock.h"
#include "cgpgan/live_score.h"
#include "cgpgan/runner.h"
#include "cgpgan/trainer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <limits>

namespace cgpgan::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0}; // the signal that asked for the stop

// INT, TERM, HUP and QUIT all stop training after the current step and save
// (issue 26: HUP and QUIT used to end the run unsaved). The process then exits
// 0 after INT (a person's Ctrl-C) and 128 + the signal after the others, as a
// process ended by them would. A second INT ends at once (checkpoints stay
// whole: they are atomic).
extern "C" void onInterrupt(int signo)
{
    g_interrupted = true;
    g_signal = signo;
    std::signal(SIGINT, SIG_DFL);
}

const int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void catchStopSignals()
{
    g_interrupted = false;
    g_signal = 0;
    for (int s : kStopSignals)
        std::signal(s, onInterrupt);
}

void restoreStopSignals()
{
    for (int s : kStopSignals)
        std::signal(s, SIG_DFL);
}

// The exit status after a stop by signal (0 when no signal stopped the run).
int stopStatus()
{
    const int signo = g_signal.load();
    return signo == 0 || signo == SIGINT ? 0 : 128 + signo;
}

struct TrainOptions {
    ConfigOptions config;
    std::string out;
    std::string resume;
    std::string steerFile; // --steer: steering actions to add to train.steer
    std::optional<int64_t> gridEvery, checkpointEvery;
    double distTimeout = 300; // seconds a collective waits for the other processes
};

std::string defaultRunFolder(const std::string& preset)
{
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
    return (fs::path("runs") / (preset + "-" + stamp)).string();
}

std::vector<int64_t> gridCombinations(const Config& config)
{
    const int64_t total = config.model.combinations();
    std::vector<int64_t> combos;
    for (int64_t i = 0; i < std::min<int64_t>(total, config.run.gridColumns); ++i)
        combos.push_back(i);
    return combos;
}

// A rank other than 0 of a data-parallel run: the same steps, the same
// decisions to stop (non-finite losses or state, Ctrl-C on any rank), and
// nothing written. Mirrors runTrain's loop.
int trainAsFollower(Trainer& trainer, ProcessGroup& group)
{
    TrainingControl control;
    catchStopSignals();
    const auto& run = trainer.config().run;
    bool diverged = false;
    const RunEnd end = runTraining(trainer, control, trainer.totalSteps(), [&](const StepStats& s) {
        if (!s.finite())
            return;
        if (run.checkpointEvery > 0 && s.step % run.checkpointEvery == 0 && !trainer.nonFiniteState().empty()) {
            diverged = true;
            control.requestStop();
            return;
        }
        if (group.any(g_interrupted))
            control.requestStop();
    });
    restoreStopSignals();
    if (end == RunEnd::NotFinite || diverged || !trainer.nonFiniteState().empty()) {
        spdlog::error("training diverged by step {} (rank 0 reports the details)", trainer.stepCount());
        return 3;
    }
    return stopStatus();
}

int runTrain(const TrainOptions& o)
{
    std::optional<Config> base;
    if (!o.resume.empty())
        base = checkpointConfig(o.resume); // resume with the checkpoint's config
    Config config = o.config.build(base);
    if (o.gridEvery)
        config.run.gridEvery = *o.gridEvery;
    if (o.checkpointEvery)
        config.run.checkpointEvery = *o.checkpointEvery;
    if (!o.steerFile.empty()) {
        // Steering from a file (issue 27): the actions join the config's list,
        // after those it has; a resumed run cannot act in its past.
        requireRegularFile(o.steerFile, "steering file");
        std::ifstream in(o.steerFile);
        std::stringstream text;
        text << in.rdbuf();
        if (!in)
            throw Error("cannot read steering file " + o.steerFile);
        const auto actions = steerActionsFromJson(text.str(), o.steerFile);
        const int64_t from = o.resume.empty() ? 0 : Trainer::readInfo(o.resume).step;
        for (const SteerAction& a : actions) {
            if (a.step < from)
                throw Error(o.steerFile + ": \"" + describeSteer(a) + "\" at step " + std::to_string(a.step) +
                            " is before step " + std::to_string(from) + ", where " + o.resume +
                            " resumes: give steps from " + std::to_string(from) + " on");
            config.train.steer.push_back(a);
        }
        // Merged by step with the actions the config has (a resumed run's
        // later ones); at one step the config's come first. Those already
        // applied all lie before `from`, so the checkpoint's count of applied
        // actions still names the same ones.
        std::stable_sort(config.train.steer.begin(), config.train.steer.end(),
                         [](const SteerAction& x, const SteerAction& y) { return x.step < y.step; });
        config.validate();
        spdlog::info("steering: {} action{} from {}", actions.size(), actions.size() == 1 ? "" : "s", o.steerFile);
    }
    const std::string folder =
        !o.out.empty() ? o.out
                       : (!o.resume.empty() ? fs::path(o.resume).parent_path().string() : defaultRunFolder(config.preset));
    // Launched as one of several processes (torch.distributed's env://
    // variables): join the group before anything is written. Rank 0 alone
    // writes the run folder; the others train their slices and stay quiet.
    std::shared_ptr<ProcessGroup> group;
    if (const auto launch = launchFromEnvironment()) {
        if (config.train.batch % launch->worldSize != 0)
            throw Error("rank " + std::to_string(launch->rank) + ": train.batch " +
                        std::to_string(config.train.batch) + " does not divide among " +
                        std::to_string(launch->worldSize) + " processes (WORLD_SIZE): use a batch that is a multiple of " +
                        std::to_string(launch->worldSize));
        if (launch->rank > 0) {
            spdlog::set_pattern(std::string("[rank ") + std::to_string(launch->rank) + "] " + kLogPattern);
            spdlog::set_level(spdlog::level::warn);
        }
        setCudaDeviceIndex(launch->localRank); // one device per local rank (CUDA only)
        // NCCL on CUDA (when this libtorch has it), Gloo on the CPU.
        group = ProcessGroup::join(*launch, std::chrono::milliseconds(int64_t(o.distTimeout * 1000)),
                                   chooseDevice(config.run.device));
    }
    const bool writer = !group || group->rank() == 0;
    setUpThreads(config);
    // Data and model first: a bad path or shape leaves no half-made run folder.
    const auto data = loadData(config);
    Trainer trainer(config, data);
    if (!o.resume.empty()) {
        trainer.load(o.resume);
        spdlog::info("resumed {} at step {}", o.resume, trainer.stepCount());
        // Nothing to train is a mistake, not a finished run (issue 26).
        if (trainer.totalSteps() <= trainer.stepCount())
            throw Error(o.resume + " is at step " + std::to_string(trainer.stepCount()) + " and the run ends at step " +
                        std::to_string(trainer.totalSteps()) + ": nothing to train. Give --steps above " +
                        std::to_string(trainer.stepCount()) + " to go on");
    }
    if (group) {
        trainer.setProcessGroup(group);
        spdlog::info("data-parallel on {} processes ({}): {} samples each of the batch of {}", group->size(),
                     group->backend(), config.train.batch / group->size(), config.train.batch);
    }
    if (!writer)
        return trainAsFollower(trainer, *group);
    fs::create_directories(folder);
    // One writer per run folder (issue 26): a second train (or resume) into
    // it is refused here, before it writes anything.
    const FolderLock lock(folder, "cgpgan train");
    const std::string checkpointPath = (fs::path(folder) / "checkpoint.pt").string();
    const std::string eventsPath = (fs::path(folder) / "events.csv").string();
    // The run's timeline (issue 27): how this run began, in the checkpoint's
    // history and in events.csv beside metrics.csv.
    if (o.resume.empty()) {
        trainer.recordEvent({trainer.stepCount(), "start",
                             "cgpgan train: preset " + config.preset + ", " + std::to_string(trainer.totalSteps()) +
                                 " steps"});
    } else {
        std::string changes;
        for (const std::string& d : configDifferences(withDefaultMachine(checkpointConfig(o.resume)),
                                                      withDefaultMachine(config)))
            changes += (changes.empty() ? "" : "; ") + d;
        trainer.recordEvent({trainer.stepCount(), "resume-run",
                             "cgpgan train --resume " + o.resume + " to step " + std::to_string(trainer.totalSteps()) +
                                 (changes.empty() ? std::string() : " (" + changes + ")")});
    }
    saveConfigFile(config, (fs::path(folder) / "config.json").string());
    spdlog::info("preset {} on {}: {} parameters, {} steps ({} to go), prior frozen until step {}", config.preset,
                 trainer.model().deviceName(), trainer.model().parameterCount(), trainer.totalSteps(),
                 std::max<int64_t>(0, trainer.totalSteps() - trainer.stepCount()), trainer.priorStartStep());
    spdlog::info("run folder: {}", folder);

    const std::vector<std::string> scoreNames =
        trainer.liveScorer() ? LiveScorer::names(*data, config.model) : std::vector<std::string>{};
    if (trainer.liveScorer())
        spdlog::info("live clustering score every {} steps on {} images (run.score_every, run.score_samples)",
                     config.run.scoreEvery, trainer.liveScorer()->samples());
    MetricsCsv metrics((fs::path(folder) / "metrics.csv").string(), config.model.dL, config.model.dC,
                       trainer.stepCount(), scoreNames);
    const bool images = config.model.arch == Arch::Conv;
    const uint64_t gridZSeed = config.train.seed + 7919; // the grid's fixed z rows
    const auto combos = gridCombinations(config);
    // z-diversity (issue 9) of every grid, against the real images' own pairwise distance.
    const bool measureDiversity = images && config.run.gridRows >= 2;
    const double realDistance = measureDiversity ? realPairwiseDistance(*data, kReferenceImages, config.train.seed) : 0.0;
    // Writes the grid; returns its z-diversity (NaN when not measured).
    auto writeGrid = [&](int64_t step) {
        if (!images)
            return std::numeric_limits<double>::quiet_NaN();
        const auto samples = trainer.model().sampleGrid(gridZSeed, config.run.gridRows, combos, realDistance);
        const auto grid = samples.image();
        writePng((fs::path(folder) / "grid.png").string(), grid);
        char name[48];
        std::snprintf(name, sizeof name, "grid_%08lld.png", (long long)step);
        writePng((fs::path(folder) / "grids" / name).string(), grid);
        return samples.zDiversity; // NaN unless measureDiversity
    };

    TrainingControl control;
    ProgressLine progress(trainer.stepCount(), trainer.totalSteps());
    catchStopSignals();
    // An output that fails during training (a full disk, a removed folder)
    // warns and training goes on; the same output failing at the end fails
    // the run (issue 11). metrics.csv stops at its first failure.
    // Runs one write; on failure warns "<error>; training goes on <then>" and returns false.
    const auto keepTraining = [&](const std::string& then, const auto& write) {
        try {
            write();
            return true;
        } catch (const Error& e) {
            progress.clear();
            spdlog::warn("{}; training goes on {}", e.what(), then);
            return false;
        }
    };
    const auto duringTraining = [&](const char* what, const auto& write) {
        keepTraining(std::string("(") + what + " again at the next interval)", write);
    };
    bool metricsBroken = false;
    const auto writeMetrics = [&](const auto& write) {
        if (!metricsBroken)
            metricsBroken = !keepTraining("without metrics.csv", write);
    };
    StepStats last;
    std::vector<std::string> badState; // non-finite weights or optimizer states found at a save
    const auto train = [&](const auto& onStep) {
        try {
            return runTraining(trainer, control, trainer.totalSteps(), onStep);
        } catch (const Error& e) {
            // A steering action of the config that cannot apply at its step
            // (config.h SteerAction) stops the run; what was trained up to
            // it is saved first, so nothing is lost (one process only: a
            // group's ranks stop together in their own handlers).
            const std::string what = e.what();
            if (group || what.rfind("train.steer[", 0) != 0 || !trainer.nonFiniteState().empty())
                throw;
            progress.finish();
            trainer.save(checkpointPath);
            writeEventsCsv(eventsPath, trainer.events());
            throw Error(what + " (the run up to step " + std::to_string(trainer.stepCount()) + " is saved in " +
                        checkpointPath + "; to go on, resume it with --set 'train.steer=[...]' giving the list " +
                        "with that action changed or left out: the ones before it are applied)");
        }
    };
    const RunEnd end = train([&](const StepStats& stats) {
        StepStats s = stats;
        if (s.finite() && config.run.gridEvery > 0 && s.step % config.run.gridEvery == 0)
            duringTraining("the grid", [&] { s.zDiversity = writeGrid(s.step); });
        last = s;
        writeMetrics([&] { metrics.write(s); });
        progress.update(s);
        if (!s.finite())
            return;
        if (config.run.checkpointEvery > 0 && s.step % config.run.checkpointEvery == 0) {
            writeMetrics([&] { metrics.flush(); });
            badState = trainer.nonFiniteState(); // every rank holds the same weights and finds the same
            if (!badState.empty()) { // finite losses, overflowed weights or moments: diverged all the same
                control.requestStop();
                return;
            }
            duringTraining("the checkpoint", [&] { trainer.save(checkpointPath); });
            duringTraining("events.csv", [&] { writeEventsCsv(eventsPath, trainer.events()); });
        }
        if (group ? group->any(g_interrupted) : bool(g_interrupted))
            control.requestStop();
    });
    restoreStopSignals();
    progress.finish();
    writeMetrics([&] { metrics.flush(); });

    if (end != RunEnd::NotFinite && badState.empty())
        badState = trainer.nonFiniteState();
    if (!badState.empty()) {
        std::string names;
        for (size_t i = 0; i < badState.size() && i < 3; ++i)
            names += (i ? ", " : "") + badState[i];
        spdlog::error("training diverged by step {}: the losses are finite but {}{} hold NaN or infinite values. "
                      "Nothing was saved over the last good checkpoint{}; try lower learning rates or loss weights",
                      trainer.stepCount(), names, badState.size() > 3 ? " and more" : "",
                      fs::exists(checkpointPath) ? " (" + checkpointPath + ")" : "");
        return 3;
    }
    if (end == RunEnd::NotFinite) {
        spdlog::error("losses are not finite at step {} (D {}, G {}, r2 {}, cls {}, cgp {}): training stopped. "
                      "Nothing was saved over the last good checkpoint{}; try a lower learning rate (--set train.lr_g=...)",
                      last.step, last.dAdversarial, last.gAdversarial, last.r2, last.cls, last.cgp,
                      fs::exists(checkpointPath) ? " (" + checkpointPath + ")" : "");
        return 3;
    }
    if (end == RunEnd::Stopped)
        trainer.recordEvent({trainer.stepCount(), "stop",
                             g_signal ? std::string("stopped by ") + strsignal(g_signal) : std::string("stopped")});
    try {
        trainer.save(checkpointPath);
        writeEventsCsv(eventsPath, trainer.events());
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (the final save failed; " +
                    (fs::exists(checkpointPath) ? "the previous checkpoint is kept" : "there is no earlier checkpoint") +
                    ")");
    }
    writeGrid(trainer.stepCount());
    if (metricsBroken)
        throw Error("training finished and " + checkpointPath + " is saved, but " + metrics.path() +
                    " is incomplete (see the warning above)");
    if (end == RunEnd::Stopped)
        spdlog::info("interrupted at step {}{}: saved {} (continue with: cgpgan train --resume {})", trainer.stepCount(),
                     g_signal ? std::string(" by ") + strsignal(g_signal) : std::string(), checkpointPath,
                     checkpointPath);
    else
        spdlog::info("finished {} steps: {}", trainer.stepCount(), checkpointPath);
    if (images)
        spdlog::info("grid: {}", (fs::path(folder) / "grid.png").string());
    return end == RunEnd::Stopped ? stopStatus() : 0;
}

} // namespace

void addTrainCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<TrainOptions>();
    CLI::App* sub = app.add_subcommand("train", "Train a model; progress on stderr, results in a run folder");
    o->config.addTo(*sub, /*withPreset=*/true);
    sub->add_option("-o,--out", o->out,
                    "Run folder (config.json, metrics.csv, grid.png, grids/, checkpoint.pt); "
                    "default runs/<preset>-<date>, or the checkpoint's folder with --resume")
        ->check(nonEmptyValidator());
    sub->add_option("--resume", o->resume,
                    "Continue from this checkpoint (its config, then your overrides, e.g. --steps to extend)")
        ->check(regularFileValidator("checkpoint"));
    sub->add_option("--steer", o->steerFile,
                    "Steering actions to apply when their step comes, a JSON list such as "
                    "[{\"step\": 500, \"action\": \"empty\", \"label\": 0, \"category\": 2}] "
                    "(actions: empty, pin, release, revive, merge, undo; README \"Steer clusters\")")
        ->check(regularFileValidator("steering file"));
    sub->add_option("--grid-every", o->gridEvery, "Write a sample grid every N steps (0 = only at the end)");
    sub->add_option("--checkpoint-every", o->checkpointEvery, "Write checkpoint.pt every N steps (0 = only at the end)");
    sub->add_option("--dist-timeout", o->distTimeout,
                    "Launched on several processes (torch.distributed's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): "
                    "seconds to wait for the rendezvous and for the other processes at each exchange")
        ->check(finiteValidator() & CLI::Range(1.0, 86400.0))
        ->capture_default_str();
    sub->callback([o, &exitCode] {
        try {
            exitCode = runTrain(*o);
        } catch (const Error& e) {
            // One of several processes: say which one failed.
            const auto launch = launchFromEnvironment();
            const std::string message = e.what();
            if (launch && message.rfind("rank ", 0) != 0)
                throw Error("rank " + std::to_string(launch->rank) + ": " + message);
            throw;
        }
    });
}

} // namespace cgpgan::cli
