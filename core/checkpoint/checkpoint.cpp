// Checkpoints: one file holding G, G_ema, D, Q, the optimizer states, prior,
// step, RNG state, data order and the config, written atomically. A Model
// reads the model's part alone (Model::load), a Trainer all of it.
#include "cgpgan/error.h"
#include "cgpgan/file_io.h"
#include "cgpgan/losses.h"
#include "cgpgan/model.h"
#include "cgpgan/trainer.h"
#include "checkpoint/checkpoint_integrity.h"
#include "model/model_impl.h"
#include "runtime/speed_options.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace cgpgan {

namespace fs = std::filesystem;

namespace {


int64_t readInt(torch::serialize::InputArchive& archive, const std::string& key)
{
    torch::Tensor t;
    archive.read(key, t);
    return t.item<int64_t>();
}

std::string shapeText(c10::IntArrayRef sizes)
{
    std::string text = "[";
    for (size_t i = 0; i < sizes.size(); ++i)
        text += (i ? ", " : "") + std::to_string(sizes[i]);
    return text + "]";
}

// Every tensor the module expects, against the archive's (Module::save nests
// children as sub-archives): names what is missing or shaped otherwise, so
// that a config that disagrees with its tensors gets our message, not libtorch's.
void collectShapeProblems(torch::serialize::InputArchive& archive, const torch::nn::Module& module,
                          const std::string& prefix, std::vector<std::string>& problems)
{
    const auto check = [&](const std::string& name, const torch::Tensor& expected, bool buffer) {
        torch::Tensor stored;
        if (!archive.try_read(name, stored, buffer))
            problems.push_back(prefix + name + " is missing");
        else if (stored.sizes() != expected.sizes())
            problems.push_back(prefix + name + " is " + shapeText(stored.sizes()) + ", the config builds " +
                               shapeText(expected.sizes()));
        else if (stored.scalar_type() != expected.scalar_type()) // int64 weights read as "NaN or infinite" (issue 26)
            problems.push_back(prefix + name + " holds " + std::string(c10::toString(stored.scalar_type())) +
                               " values, the model " + c10::toString(expected.scalar_type()));
    };
    for (const auto& item : module.named_parameters(/*recurse=*/false))
        check(item.key(), item.value(), false);
    for (const auto& item : module.named_buffers(/*recurse=*/false))
        check(item.key(), item.value(), true);
    for (const auto& child : module.named_children()) {
        torch::serialize::InputArchive sub;
        if (!archive.try_read(child.key(), sub))
            problems.push_back(prefix + child.key() + " is missing");
        else
            collectShapeProblems(sub, *child.value(), prefix + child.key() + ".", problems);
    }
}

// A module from its sub-archive, its shapes checked first.
void readModule(torch::serialize::InputArchive& archive, const char* key, torch::nn::Module& module,
                const std::string& path)
{
    torch::serialize::InputArchive sub;
    if (!archive.try_read(key, sub))
        throw Error("checkpoint " + path + " lacks " + key);
    std::vector<std::string> problems;
    collectShapeProblems(sub, module, std::string(key) + "/", problems);
    if (!problems.empty()) {
        std::string message = "checkpoint " + path + ": its tensors do not fit its config (edited or corrupt):";
        for (size_t i = 0; i < problems.size() && i < 6; ++i)
            message += "\n  - " + problems[i];
        if (problems.size() > 6)
            message += "\n  - and " + std::to_string(problems.size() - 6) + " more";
        throw Error(message);
    }
    module.load(sub);
}

void readOptimizer(torch::serialize::InputArchive& archive, const char* key, torch::optim::Optimizer& optimizer,
                   const std::string& path)
{
    torch::serialize::InputArchive sub;
    if (!archive.try_read(key, sub))
        throw Error("checkpoint " + path + " lacks " + key);
    optimizer.load(sub);
}

// After a load: the tensors against the stored checksums, and finite.
void verifyLoaded(torch::serialize::InputArchive& archive, const std::vector<NamedTensor>& loaded, bool complete,
                  const std::string& path)
{
    const auto stored = readStoredChecksums(archive, path);
    if (!stored.present)
        spdlog::warn("checkpoint {} carries no checksums (written before they were added): its tensors cannot be "
                     "verified; save it again to add them",
                     path);
    verifyTensorChecksums(stored, loaded, complete, path);
    requireFinite(loaded, "checkpoint " + path + " is refused");
}

} // namespace

torch::serialize::InputArchive openCheckpoint(const std::string& path, const torch::Device& device)
{
    requireRegularFile(path, "checkpoint"); // a FIFO would block, /dev/zero never end (issue 26)
    // The whole file is read and its seal checked before libtorch parses it
    // (checkpoint_integrity.h: libtorch can crash on damaged archives).
    std::string bytes;
    {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw Error("cannot open checkpoint " + path + ": " + std::strerror(errno));
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (in.bad())
            throw Error("cannot read checkpoint " + path + ": " + std::strerror(errno));
    }
    if (!verifyArchiveSeal(bytes, path))
        spdlog::warn("checkpoint {} has no whole-file checksum (written before they were added): only its zip's own "
                     "CRCs were checked; save it again to add one",
                     path);
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(bytes.data(), bytes.size(), device);
    } catch (const std::exception& e) {
        throw Error("cannot read checkpoint " + path + ": it is truncated, corrupt or not a CGPGAN checkpoint (" +
                    userMessage(e) + ")");
    }
    return archive;
}

Config readCheckpointConfig(torch::serialize::InputArchive& archive, const std::string& path)
{
    c10::IValue format, config;
    if (!archive.try_read("format_version", format) || !archive.try_read("config", config))
        throw Error(path + " is not a CGPGAN checkpoint (no format_version/config)");
    if (!format.isInt() || !config.isString())
        throw Error("checkpoint " + path + " is corrupt: format_version or config has the wrong type");
    if (format.toInt() != kCheckpointFormat)
        throw Error(path + " has checkpoint format " + std::to_string(format.toInt()) + ", this build reads " +
                    std::to_string(kCheckpointFormat));
    verifyConfigChecksum(readStoredChecksums(archive, path), config.toStringRef(), path);
    Config parsed = configFromJson(config.toStringRef(), path + " (config)");
    try {
        parsed.validate();
    } catch (const Error& e) {
        throw Error("checkpoint " + path + " holds a config this build refuses: " + e.what());
    }
    return parsed;
}

// One reading of a checkpoint's header values for every command (issue 26:
// `info` printed a step of -5 and trained priors of negative mass): the step
// in range, the prior a distribution per label (finite masses in [0, 1]
// summing to 1 within 1e-3; a category may be empty).
constexpr int64_t kMaxCheckpointStep = int64_t(1) << 40;

void requireSaneStep(int64_t step, const std::string& path)
{
    if (step < 0 || step > kMaxCheckpointStep)
        throw Error("checkpoint " + path + " is corrupt: its step is " + std::to_string(step) + " (a step is 0.." +
                    std::to_string(kMaxCheckpointStep) + ")");
}

void requirePriorDistribution(const torch::Tensor& prior, const std::string& path)
{
    const auto p = prior.to(torch::kCPU, torch::kDouble).contiguous();
    if (p.dim() != 2)
        throw Error("checkpoint " + path + " is corrupt: its prior is not a d_l x d_c table");
    const auto a = p.accessor<double, 2>();
    for (int64_t l = 0; l < p.size(0); ++l) {
        double sum = 0;
        for (int64_t k = 0; k < p.size(1); ++k) {
            const double m = a[l][k];
            if (!std::isfinite(m) || m < 0 || m > 1)
                throw Error("checkpoint " + path + " is corrupt: prior mass P(label " + std::to_string(l) +
                            " = category " + std::to_string(k) + ") is " + std::to_string(m) +
                            ", not a probability in [0, 1]");
            sum += m;
        }
        if (std::abs(sum - 1.0) > 1e-3)
            throw Error("checkpoint " + path + " is corrupt: the prior of label " + std::to_string(l) + " sums to " +
                        std::to_string(sum) + ", not 1");
    }
}

// The steering holds (issue 27) [d_l, d_c]: -1 free, else the held mass.
// Absent from checkpoints nobody steered and from those written before
// steering: every category free. applied (when given) gets how many of the
// config's train.steer actions the checkpoint has applied, -1 when it does
// not say.
torch::Tensor readSteeringHolds(torch::serialize::InputArchive& archive, int64_t dL, int64_t dC,
                                const std::string& path, int64_t* applied = nullptr)
{
    auto pins = torch::full({dL, dC}, -1.0f);
    if (applied)
        *applied = -1;
    c10::IValue steering;
    if (!archive.try_read("steering", steering))
        return pins;
    const auto bad = [&](const std::string& why) {
        return Error("checkpoint " + path + " is corrupt: its steering holds " + why);
    };
    if (!steering.isString())
        throw bad("are not text");
    const auto j = nlohmann::json::parse(steering.toStringRef(), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("pins") || !j["pins"].is_array() || j["pins"].size() != size_t(pins.numel()))
        throw bad("are not a list of " + std::to_string(pins.numel()) + " masses");
    auto a = pins.accessor<float, 2>();
    for (int64_t i = 0; i < pins.numel(); ++i) {
        const auto& v = j["pins"][size_t(i)];
        const double m = v.is_number() ? v.get<double>() : -2;
        if (!(m == -1 || (m >= 0 && m < 1)))
            throw bad("hold " + v.dump() + " (a hold is -1 for free or a mass in [0, 1))");
        a[i / dC][i % dC] = float(m);
    }
    if (applied && j.contains("applied") && j["applied"].is_number_unsigned())
        *applied = j["applied"].get<int64_t>();
    return pins;
}

void readModelParts(torch::serialize::InputArchive& archive, Model::Networks& n, const std::string& path,
                    int64_t* steerApplied)
{
    readModule(archive, "G", *n.g, path);
    readModule(archive, "G_ema", *n.gEma, path);
    readModule(archive, "D", *n.d, path);
    if (n.q)
        readModule(archive, "Q", *n.q, path);
    torch::Tensor prior;
    archive.read("prior", prior);
    if (prior.sizes() != n.prior.sizes())
        throw Error("checkpoint " + path + ": its prior is " + shapeText(prior.sizes()) + ", its config needs " +
                    shapeText(n.prior.sizes()) + " (d_l x d_c)");
    requirePriorDistribution(prior, path);
    n.prior = prior.to(torch::kCPU).clone();
    n.pins = readSteeringHolds(archive, n.prior.size(0), n.prior.size(1), path, steerApplied);
    n.step = readInt(archive, "step");
    requireSaneStep(n.step, path);
    // A checkpoint keeps the layout it was saved in (channels-last or not);
    // this model's run.channels_last decides.
    n.applyMemoryFormat();
}

std::vector<std::string> Trainer::nonFiniteState() const
{
    const auto lock = m_model->gate().forCall();
    return nonFiniteNames(stateTensors(networksOf(*m_model), m_state.get()));
}

Config Trainer::recordedConfig() const
{
    const auto lock = m_model->gate().forCall();
    return configWithKnobsLocked();
}

// The config a checkpoint records: the knobs set while training (SPEC 4),
// pending ones included, replace the fields they started from, so a resumed
// run goes on as the person left it (issue 11).
Config Trainer::configWithKnobsLocked() const
{
    Config c = config();
    const TrainingKnobs& k = m_pendingKnobs ? *m_pendingKnobs : m_knobs;
    c.train.lrG = k.lrG;
    c.train.lrD = k.lrD;
    c.train.lrQ = k.lrQ;
    c.train.lambdaR2 = k.lambdaR2;
    c.train.lambdaCls = k.lambdaCls;
    c.train.lambdaCgp = k.lambdaCgp;
    c.train.lambdaMs = k.lambdaMs;
    c.train.steer = m_steerPlan;
    switch (k.priorMode) {
    case TrainingKnobs::PriorMode::Auto:
        break;
    case TrainingKnobs::PriorMode::Frozen: // never updated
        c.train.priorStartStep = -1;
        c.train.priorStartEpoch = -1;
        break;
    case TrainingKnobs::PriorMode::Free: // updated from the next step on
        c.train.priorStartStep = 0;
        c.train.priorStartEpoch = -1;
        break;
    }
    return c;
}

int64_t Trainer::save(const std::string& path) const
{
    const auto lock = m_model->gate().forCall();
    const auto& n = networksOf(*m_model);
    const auto& s = *m_state;
    torch::serialize::OutputArchive archive;
    // Nothing that is not finite is saved: the previous file stays (issue 11).
    const auto tensors = stateTensors(n, &s);
    requireFinite(tensors, "checkpoint " + path + " was not written");
    const std::string configJson = toJson(configWithKnobsLocked());
    archive.write("format_version", c10::IValue(int64_t(kCheckpointFormat)));
    archive.write("config", c10::IValue(configJson));
    archive.write("checksums", c10::IValue(checksumsJson(configJson, tensors)));
    auto writeModule = [&](const char* key, const torch::nn::Module& module) {
        torch::serialize::OutputArchive sub;
        module.save(sub);
        archive.write(key, sub);
    };
    auto writeOptimizer = [&](const char* key, const torch::optim::Optimizer& opt) {
        torch::serialize::OutputArchive sub;
        opt.save(sub);
        archive.write(key, sub);
    };
    writeModule("G", *n.g);
    writeModule("G_ema", *n.gEma);
    writeModule("D", *n.d);
    writeOptimizer("opt_G", *s.optG);
    writeOptimizer("opt_D", *s.optD);
    if (n.q) {
        writeModule("Q", *n.q);
        writeOptimizer("opt_Q", *s.optQ);
    }
    archive.write("prior", n.prior);
    if (anyHeld(n.pins) || m_steerApplied > 0) { // a run nobody steered writes what it always wrote
        nlohmann::json steering;
        const auto pins = n.pins.contiguous();
        steering["pins"] = std::vector<float>(pins.data_ptr<float>(), pins.data_ptr<float>() + pins.numel());
        steering["applied"] = m_steerApplied;
        archive.write("steering", c10::IValue(steering.dump()));
    }
    archive.write("step", torch::tensor(n.step, torch::kLong));
    archive.write("rng_state", s.rng.get_state());
    archive.write("data_order", s.order);
    archive.write("data_cursor", torch::tensor(s.cursor, torch::kLong));
    // For `cgpgan info`, which then needs to build nothing.
    archive.write("parameter_count", torch::tensor(m_model->parameterCountLocked(), torch::kLong));
    // The charts' history (issue 12): a bounded, thinned StepStats list as JSON.
    {
        const std::lock_guard<std::mutex> events(m_eventsMutex); // recordEvent runs on any thread
        archive.write("history", c10::IValue(m_history.toJson()));
    }

    // Serialised in memory, then written all or nothing and fsynced
    // (file_io.h): a full disk or a kill leaves the previous checkpoint.
    std::string bytes;
    try {
        archive.save_to([&bytes](const void* data, size_t size) {
            bytes.append(static_cast<const char*>(data), size);
            return size;
        });
    } catch (const std::exception& e) {
        throw Error("cannot write checkpoint " + path + ": " + userMessage(e));
    }
    writeFileAtomically(path, sealArchive(std::move(bytes)), "checkpoint", Durability::Synced);
    return n.step;
}

void Trainer::load(const std::string& path)
{
    auto archive = openCheckpoint(path, m_device);
    const Config saved = readCheckpointConfig(archive, path);
    const auto diffs = shapeDifferences(saved, config());
    if (!diffs.empty()) {
        std::string message = "checkpoint " + path + " holds a model of another shape (checkpoint vs current):";
        for (const auto& d : diffs)
            message += "\n  - " + d;
        throw Error(message);
    }
    const auto lock = m_model->gate().forCall();
    auto& n = networksOf(*m_model);
    auto& s = *m_state;
    try {
        int64_t applied = -1;
        readModelParts(archive, n, path, &applied);
        readOptimizer(archive, "opt_G", *s.optG, path);
        readOptimizer(archive, "opt_D", *s.optD, path);
        if (n.q)
            readOptimizer(archive, "opt_Q", *s.optQ, path);
        torch::Tensor rng, order;
        archive.read("rng_state", rng);
        s.rng.set_state(rng.to(torch::kCPU));
        archive.read("data_order", order);
        s.order = order.to(torch::kCPU).clone();
        s.cursor = readInt(archive, "data_cursor");
        // Steering actions of the config already applied (issue 27): those the
        // checkpoint counts; without a count, those before its step.
        m_steerUndo.clear();
        m_steerApplied = 0;
        if (applied >= 0)
            m_steerApplied = std::min<int64_t>(applied, int64_t(m_steerPlan.size()));
        else
            while (m_steerApplied < int64_t(m_steerPlan.size()) && m_steerPlan[size_t(m_steerApplied)].step < n.step)
                ++m_steerApplied;
        // Older checkpoints have no history: the charts start at this step.
        c10::IValue history;
        const std::lock_guard<std::mutex> events(m_eventsMutex); // recordEvent runs on any thread
        m_history = StepHistory();
        if (archive.try_read("history", history) && history.isString()) {
            try {
                m_history = StepHistory::fromJson(history.toStringRef());
            } catch (const Error& e) {
                spdlog::warn("checkpoint {}: {}; the charts start at step {}", path, e.what(), n.step);
            }
        }
        s.applyMemoryFormat(n.memoryFormat);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("checkpoint " + path + " is damaged: " + userMessage(e));
    }
    verifyLoaded(archive, stateTensors(n, &s), /*complete=*/true, path);
    // The data order must be a permutation of the sample indices (issue 26:
    // a forged one reached libtorch's "index out of range in self").
    if (s.order.dim() != 1 || s.order.scalar_type() != torch::kLong)
        throw Error("checkpoint " + path + " is corrupt: its data order is " + shapeText(s.order.sizes()) + " " +
                    c10::toString(s.order.scalar_type()) + ", not a list of sample indices");
    if (s.order.numel() > 0
        && !torch::equal(std::get<0>(s.order.sort()), torch::arange(s.order.numel(), torch::kLong)))
        throw Error("checkpoint " + path + " is corrupt: its data order is not a permutation of 0.." +
                    std::to_string(s.order.numel() - 1));
    if (s.cursor < 0 || s.cursor > s.order.size(0))
        throw Error("checkpoint " + path + " is corrupt: data cursor " + std::to_string(s.cursor) +
                    " lies outside its data order of " + std::to_string(s.order.size(0)));
    if (s.order.size(0) != s.data.size(0)) {
        spdlog::warn("checkpoint {} was trained on {} samples, the data now has {}: starting a new data order", path,
                     s.order.size(0), s.data.size(0));
        s.order = torch::randperm(s.data.size(0), s.rng, torch::kLong);
        s.cursor = 0;
    }
    // Training settings (learning rates, loss weights, length) stay those of
    // this trainer's config: the caller decides whether they follow the
    // checkpoint (`cgpgan train --resume` starts from the checkpoint's config).
}

std::shared_ptr<Model> Model::load(const std::string& path, std::optional<Config> config)
{
    auto archive = openCheckpoint(path, torch::kCPU);
    const Config saved = readCheckpointConfig(archive, path);
    if (config) {
        const auto diffs = shapeDifferences(saved, *config);
        if (!diffs.empty()) {
            std::string message = "checkpoint " + path + " holds a model of another shape (checkpoint vs given):";
            for (const auto& d : diffs)
                message += "\n  - " + d;
            throw Error(message);
        }
    } else {
        config = withDefaultMachine(saved);
    }
    auto model = std::make_shared<Model>(*config);
    try {
        const auto lock = model->gate().forCall();
        auto& n = networksOf(*model);
        readModelParts(archive, n, path);
        verifyLoaded(archive, stateTensors(n, nullptr), /*complete=*/false, path);
        if (!model->device().is_cpu()) // the archive was read onto the CPU
            for (torch::nn::Module* module : n.modules())
                module->to(model->device());
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("checkpoint " + path + " is damaged: " + userMessage(e));
    }
    return model;
}

CheckpointInfo Trainer::readInfo(const std::string& path)
{
    auto archive = openCheckpoint(path, torch::kCPU);
    CheckpointInfo info;
    info.config = readCheckpointConfig(archive, path);
    info.formatVersion = kCheckpointFormat;
    torch::Tensor prior;
    try {
        info.step = readInt(archive, "step");
        archive.read("prior", prior);
    } catch (const std::exception& e) {
        throw Error("checkpoint " + path + " is damaged: " + userMessage(e));
    }
    const int64_t cells = int64_t(info.config.model.dL) * info.config.model.dC;
    if (prior.numel() != cells)
        throw Error("checkpoint " + path + " is corrupt: its prior has " + std::to_string(prior.numel()) +
                    " entries, its config needs d_l x d_c = " + std::to_string(cells));
    requireSaneStep(info.step, path);
    requirePriorDistribution(prior.reshape({info.config.model.dL, info.config.model.dC}), path);
    prior = prior.contiguous().to(torch::kFloat);
    info.checksummed = readStoredChecksums(archive, path).present;
    info.prior.assign(prior.data_ptr<float>(), prior.data_ptr<float>() + prior.numel());
    const auto pins = readSteeringHolds(archive, info.config.model.dL, info.config.model.dC, path);
    info.pins.assign(pins.data_ptr<float>(), pins.data_ptr<float>() + pins.numel());
    torch::Tensor count;
    if (archive.try_read("parameter_count", count)) {
        info.parameters = count.item<int64_t>();
        // The count the config builds (test_integrity holds the estimate to the real networks).
        if (info.parameters != info.config.model.parameterEstimate())
            throw Error("checkpoint " + path + " is corrupt: it records " + std::to_string(info.parameters) +
                        " parameters, its config builds " + std::to_string(info.config.model.parameterEstimate()));
    } else {
        // Checkpoints written before parameter_count was stored: the stored
        // tensors include buffers, so count by building the networks once.
        info.parameters = Model(withDefaultMachine(info.config)).parameterCount();
    }
    return info;
}

StepHistory Trainer::readHistory(const std::string& path)
{
    auto archive = openCheckpoint(path, torch::kCPU);
    c10::IValue history;
    if (!archive.try_read("history", history) || !history.isString())
        return StepHistory();
    try {
        return StepHistory::fromJson(history.toStringRef());
    } catch (const Error& e) {
        throw Error("checkpoint " + path + ": " + e.what());
    }
}

Config withDefaultMachine(Config config)
{
    const RunConfig defaults;
    config.run.device = defaults.device;
    config.run.threads = defaults.threads;
    return config;
}

Config checkpointConfig(const std::string& checkpoint)
{
    auto archive = openCheckpoint(checkpoint, torch::kCPU);
    return withDefaultMachine(readCheckpointConfig(archive, checkpoint));
}

} // namespace cgpgan
