// Checkpoints: one file holding G, G_ema, D, Q, the optimizer states, prior,
// step, RNG state, data order and the config, written atomically. A Model
// reads the model's part alone (Model::load), a Trainer all of it.
#include "cgpgan/error.h"
#include "cgpgan/model.h"
#include "cgpgan/trainer.h"
#include "model_impl.h"
#include "speed_options.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace cgpgan {

namespace fs = std::filesystem;

namespace {

int64_t readInt(torch::serialize::InputArchive& archive, const std::string& key)
{
    torch::Tensor t;
    archive.read(key, t);
    return t.item<int64_t>();
}

// A module or an optimizer from its sub-archive (both have load(InputArchive&)).
template <typename Part>
void readPart(torch::serialize::InputArchive& archive, const char* key, Part& part, const std::string& path)
{
    torch::serialize::InputArchive sub;
    if (!archive.try_read(key, sub))
        throw Error(path + " lacks " + key);
    part.load(sub);
}

} // namespace

torch::serialize::InputArchive openCheckpoint(const std::string& path, const torch::Device& device)
{
    if (!fs::exists(path))
        throw Error("checkpoint " + path + " does not exist");
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path, device);
    } catch (const c10::Error& e) {
        throw Error("cannot read checkpoint " + path + ": it is truncated, corrupt or not a CGPGAN checkpoint");
    }
    return archive;
}

Config readCheckpointConfig(torch::serialize::InputArchive& archive, const std::string& path)
{
    c10::IValue format, config;
    if (!archive.try_read("format_version", format) || !archive.try_read("config", config))
        throw Error(path + " is not a CGPGAN checkpoint (no format_version/config)");
    if (format.toInt() != kCheckpointFormat)
        throw Error(path + " has checkpoint format " + std::to_string(format.toInt()) + ", this build reads " +
                    std::to_string(kCheckpointFormat));
    return configFromJson(config.toStringRef(), path + " (config)");
}

void readModelParts(torch::serialize::InputArchive& archive, Model::Networks& n, const std::string& path)
{
    readPart(archive, "G", *n.g, path);
    readPart(archive, "G_ema", *n.gEma, path);
    readPart(archive, "D", *n.d, path);
    if (n.q)
        readPart(archive, "Q", *n.q, path);
    torch::Tensor prior;
    archive.read("prior", prior);
    n.prior = prior.to(torch::kCPU).clone();
    n.step = readInt(archive, "step");
    // A checkpoint keeps the layout it was saved in (channels-last or not);
    // this model's run.channels_last decides.
    n.applyMemoryFormat();
}

int64_t Trainer::save(const std::string& path) const
{
    const auto lock = m_model->gate().forCall();
    const auto& n = m_model->networks();
    const auto& s = *m_state;
    torch::serialize::OutputArchive archive;
    archive.write("format_version", c10::IValue(int64_t(kCheckpointFormat)));
    archive.write("config", c10::IValue(toJson(config())));
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
    archive.write("step", torch::tensor(n.step, torch::kLong));
    archive.write("rng_state", s.rng.get_state());
    archive.write("data_order", s.order);
    archive.write("data_cursor", torch::tensor(s.cursor, torch::kLong));
    // For `cgpgan info`, which then needs to build nothing.
    archive.write("parameter_count", torch::tensor(m_model->parameterCountLocked(), torch::kLong));

    const fs::path target(path);
    if (target.has_parent_path())
        fs::create_directories(target.parent_path());
    const std::string tmp = path + ".tmp";
    try {
        archive.save_to(tmp);
    } catch (const c10::Error& e) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw Error("cannot write checkpoint " + tmp + ": " + e.what_without_backtrace());
    }
    std::error_code ec;
    fs::rename(tmp, target, ec); // atomic on POSIX: readers see the old or the new file
    if (ec)
        throw Error("cannot move " + tmp + " to " + path + ": " + ec.message());
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
    auto& n = m_model->networks();
    auto& s = *m_state;
    try {
        readModelParts(archive, n, path);
        readPart(archive, "opt_G", *s.optG, path);
        readPart(archive, "opt_D", *s.optD, path);
        if (n.q)
            readPart(archive, "opt_Q", *s.optQ, path);
        torch::Tensor rng, order;
        archive.read("rng_state", rng);
        s.rng.set_state(rng.to(torch::kCPU));
        archive.read("data_order", order);
        s.order = order.to(torch::kCPU).clone();
        s.cursor = readInt(archive, "data_cursor");
        s.applyMemoryFormat(n.memoryFormat);
    } catch (const c10::Error& e) {
        throw Error("checkpoint " + path + " is damaged: " + e.what_without_backtrace());
    }
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
        auto& n = model->networks();
        readModelParts(archive, n, path);
        if (!model->device().is_cpu()) // the archive was read onto the CPU
            for (torch::nn::Module* module : n.modules())
                module->to(model->device());
    } catch (const c10::Error& e) {
        throw Error("checkpoint " + path + " is damaged: " + e.what_without_backtrace());
    }
    return model;
}

CheckpointInfo Trainer::readInfo(const std::string& path)
{
    auto archive = openCheckpoint(path, torch::kCPU);
    CheckpointInfo info;
    info.config = readCheckpointConfig(archive, path);
    info.formatVersion = kCheckpointFormat;
    info.step = readInt(archive, "step");
    torch::Tensor prior;
    archive.read("prior", prior);
    prior = prior.contiguous().to(torch::kFloat);
    info.prior.assign(prior.data_ptr<float>(), prior.data_ptr<float>() + prior.numel());
    torch::Tensor count;
    if (archive.try_read("parameter_count", count)) {
        info.parameters = count.item<int64_t>();
    } else {
        // Checkpoints written before parameter_count was stored: the stored
        // tensors include buffers, so count by building the networks once.
        info.parameters = Model(withDefaultMachine(info.config)).parameterCount();
    }
    return info;
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
