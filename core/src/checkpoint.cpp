// Checkpoints (issue: one file holding G, G_ema, D, Q, the optimizer states,
// prior, step, RNG state, data order and the config), written atomically.
#include "cgpgan/error.h"
#include "cgpgan/trainer.h"
#include "speed_options.h"
#include "trainer_impl.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace cgpgan {

namespace fs = std::filesystem;

namespace {

torch::serialize::InputArchive openArchive(const std::string& path, const torch::Device& device)
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

Config readConfig(torch::serialize::InputArchive& archive, const std::string& path)
{
    c10::IValue format, config;
    if (!archive.try_read("format_version", format) || !archive.try_read("config", config))
        throw Error(path + " is not a CGPGAN checkpoint (no format_version/config)");
    if (format.toInt() != kCheckpointFormat)
        throw Error(path + " has checkpoint format " + std::to_string(format.toInt()) + ", this build reads " +
                    std::to_string(kCheckpointFormat));
    return configFromJson(config.toStringRef(), path + " (config)");
}

int64_t readInt(torch::serialize::InputArchive& archive, const std::string& key)
{
    torch::Tensor t;
    archive.read(key, t);
    return t.item<int64_t>();
}

} // namespace

void Trainer::save(const std::string& path) const
{
    const auto lock = m_gate.forCall();
    const auto& n = *m_nets;
    torch::serialize::OutputArchive archive;
    archive.write("format_version", c10::IValue(int64_t(kCheckpointFormat)));
    archive.write("config", c10::IValue(toJson(m_config)));
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
    writeOptimizer("opt_G", *n.optG);
    writeOptimizer("opt_D", *n.optD);
    if (n.q) {
        writeModule("Q", *n.q);
        writeOptimizer("opt_Q", *n.optQ);
    }
    archive.write("prior", n.prior);
    archive.write("step", torch::tensor(n.step, torch::kLong));
    archive.write("rng_state", n.rng.get_state());
    archive.write("data_order", n.order);
    archive.write("data_cursor", torch::tensor(n.cursor, torch::kLong));

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
}

void Trainer::load(const std::string& path)
{
    auto archive = openArchive(path, m_device);
    const Config saved = readConfig(archive, path);
    const auto diffs = shapeDifferences(saved, m_config);
    if (!diffs.empty()) {
        std::string message = "checkpoint " + path + " holds a model of another shape (checkpoint vs current):";
        for (const auto& d : diffs)
            message += "\n  - " + d;
        throw Error(message);
    }
    const auto lock = m_gate.forCall();
    auto& n = *m_nets;
    auto readModule = [&](const char* key, torch::nn::Module& module) {
        torch::serialize::InputArchive sub;
        if (!archive.try_read(key, sub))
            throw Error(path + " lacks " + key);
        module.load(sub);
    };
    auto readOptimizer = [&](const char* key, torch::optim::Optimizer& opt) {
        torch::serialize::InputArchive sub;
        if (!archive.try_read(key, sub))
            throw Error(path + " lacks " + key);
        opt.load(sub);
    };
    try {
        readModule("G", *n.g);
        readModule("G_ema", *n.gEma);
        readModule("D", *n.d);
        readOptimizer("opt_G", *n.optG);
        readOptimizer("opt_D", *n.optD);
        if (n.q) {
            readModule("Q", *n.q);
            readOptimizer("opt_Q", *n.optQ);
        }
        torch::Tensor prior, rng, order;
        archive.read("prior", prior);
        n.prior = prior.to(torch::kCPU).clone();
        n.step = readInt(archive, "step");
        archive.read("rng_state", rng);
        n.rng.set_state(rng.to(torch::kCPU));
        archive.read("data_order", order);
        n.order = order.to(torch::kCPU).clone();
        n.cursor = readInt(archive, "data_cursor");
        // A checkpoint keeps the layout it was saved in (channels-last or
        // not); this trainer's run.channels_last decides.
        n.applyMemoryFormat();
    } catch (const c10::Error& e) {
        throw Error("checkpoint " + path + " is damaged: " + e.what_without_backtrace());
    }
    if (n.order.size(0) != n.data.size(0)) {
        spdlog::warn("checkpoint {} was trained on {} samples, the data now has {}: starting a new data order", path,
                     n.order.size(0), n.data.size(0));
        n.order = torch::randperm(n.data.size(0), n.rng, torch::kLong);
        n.cursor = 0;
    }
    // Training settings (learning rates, loss weights, length) stay those of
    // this trainer's config: the caller decides whether they follow the
    // checkpoint (`cgpgan train --resume` starts from the checkpoint's config).
}

CheckpointInfo Trainer::readInfo(const std::string& path)
{
    auto archive = openArchive(path, torch::kCPU);
    CheckpointInfo info;
    info.config = readConfig(archive, path);
    info.formatVersion = kCheckpointFormat;
    info.step = readInt(archive, "step");
    torch::Tensor prior;
    archive.read("prior", prior);
    prior = prior.contiguous().to(torch::kFloat);
    info.prior.assign(prior.data_ptr<float>(), prior.data_ptr<float>() + prior.numel());
    // Count by building the networks of that config (no weights needed).
    const auto& m = info.config.model;
    const bool vanilla = m.mode == "vanilla";
    const auto count = [](const torch::nn::Module& module) {
        int64_t total = 0;
        for (const auto& p : module.parameters())
            total += p.numel();
        return total;
    };
    info.parameters = count(*Generator(m)) + count(*Encoder(m, vanilla ? 1 : int64_t(m.dL) * m.dC, /*minibatchStd=*/true)) +
                      (vanilla ? 0 : count(*Encoder(m, int64_t(m.dL) * m.dC)));
    return info;
}

Config checkpointConfig(const std::string& checkpoint)
{
    Config config = Trainer::readInfo(checkpoint).config;
    const RunConfig defaults;
    config.run.device = defaults.device;
    config.run.threads = defaults.threads;
    return config;
}

} // namespace cgpgan
