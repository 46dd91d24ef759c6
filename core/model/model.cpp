// The model (model.h): building the networks, the lock, what it reports.
// Sampling, pages and clusters are in sampling.cpp, loading in checkpoint.cpp.
#include "cgpgan/model.h"

#include "cgpgan/device.h"
#include "cgpgan/error.h"
#include "model/model_impl.h"
#include "runtime/speed_options.h"

#include <cmath>

namespace cgpgan {

torch::Tensor dataView(const Dataset& data, const ModelConfig& model)
{
    if (data.count <= 0)
        throw Error("the dataset \"" + data.name + "\" is empty");
    if (model.arch == Arch::Mlp) {
        if (data.isImages())
            throw Error("model.arch mlp needs point data, but \"" + data.name + "\" holds images");
        if (data.pointDim != model.channels)
            throw Error("the data has " + std::to_string(data.pointDim) + "-D points, the model expects " +
                        std::to_string(model.channels));
        return torch::from_blob(const_cast<float*>(data.points.data()), {data.count, data.pointDim}, torch::kFloat);
    }
    if (!data.isImages())
        throw Error("a conv model needs images, but \"" + data.name + "\" holds points");
    if (data.channels != model.channels || data.height != model.resolution || data.width != model.resolution)
        throw Error("\"" + data.name + "\" has " + std::to_string(data.channels) + "x" + std::to_string(data.height) +
                    "x" + std::to_string(data.width) + " images but the model expects " +
                    std::to_string(model.channels) + "x" + std::to_string(model.resolution) + "x" +
                    std::to_string(model.resolution) + " (set model.channels / model.resolution)");
    return torch::from_blob(const_cast<uint8_t*>(data.pixels.data()),
                            {data.count, data.channels, data.height, data.width}, torch::kUInt8);
}

torch::Tensor toModelInput(const torch::Tensor& batch)
{
    if (batch.scalar_type() == torch::kUInt8)
        return batch.to(torch::kFloat).mul_(2.0 / 255.0).sub_(1.0); // [0, 255] -> [-1, 1]
    return batch;
}

torch::Tensor drawLatents(int64_t n, const ModelConfig& model, at::Generator gen)
{
    if (model.latentDist == LatentDist::Uniform)
        return (torch::rand({n, model.dZ}, gen) * 2.0 - 1.0) * std::sqrt(3.0); // U(-sqrt3, sqrt3)
    return torch::randn({n, model.dZ}, gen);
}

std::unique_lock<std::mutex> StepGate::forCall()
{
    m_waiting.fetch_add(1);
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_waiting.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> gate(m_gateMutex);
        m_gate.notify_all();
    }
    return lock;
}

std::unique_lock<std::mutex> StepGate::forStep()
{
    {
        std::unique_lock<std::mutex> gate(m_gateMutex);
        m_gate.wait(gate, [this] { return m_waiting.load() == 0; });
    }
    return std::unique_lock<std::mutex>(m_mutex);
}

std::vector<torch::nn::Module*> Model::Networks::modules() const
{
    std::vector<torch::nn::Module*> out{g.ptr().get(), gEma.ptr().get(), d.ptr().get()};
    if (q)
        out.push_back(q.ptr().get());
    return out;
}

void Model::Networks::applyMemoryFormat()
{
    for (torch::nn::Module* module : modules())
        setMemoryFormat(*module, memoryFormat);
}

Model::Model(Config config)
    : m_config(std::move(config)), m_device(chooseDevice(m_config.run.device)),
      m_nets(std::make_unique<Networks>())
{
    m_config.validate();
    requireFitsOn(m_config, 0, m_device); // before a single weight is allocated (issue 11)
    const auto& m = m_config.model;
    // Weights are initialised from the seed, so a config gives one network.
    torch::manual_seed(m_config.train.seed); // the CPU and every CUDA device (at::manual_seed)
    auto& n = *m_nets;
    n.g = Generator(m);
    n.gEma = Generator(m);
    const bool vanilla = m.mode == GanMode::Vanilla;
    n.d = Encoder(m, vanilla ? 1 : int64_t(m.dL) * m.dC, /*minibatchStd=*/true);
    if (!vanilla)
        n.q = Encoder(m, int64_t(m.dL) * m.dC);
    for (torch::nn::Module* module : n.modules())
        module->to(m_device);
    configureCudnn(m_config.run, m_device);
    n.memoryFormat = modelMemoryFormat(m_config.run);
    n.applyMemoryFormat();
    {
        torch::NoGradGuard noGrad;
        auto src = n.g->parameters();
        auto dst = n.gEma->parameters();
        for (size_t i = 0; i < src.size(); ++i)
            dst[i].copy_(src[i]);
    }
    for (auto& p : n.gEma->parameters())
        p.requires_grad_(false);
    // SPEC 2: the prior starts uniform.
    n.prior = torch::full({m.dL, m.dC}, 1.0f / float(m.dC));
    n.pins = torch::full({m.dL, m.dC}, -1.0f); // every category free
}

Model::~Model() = default;

std::string Model::deviceName() const { return describeDevice(m_device); }

int64_t Model::step() const
{
    const auto lock = m_gate.forCall();
    return m_nets->step;
}

torch::Tensor Model::pins() const
{
    const auto lock = m_gate.forCall();
    return m_nets->pins.clone();
}

torch::Tensor Model::prior() const
{
    const auto lock = m_gate.forCall();
    return m_nets->prior.clone();
}

int64_t Model::parameterCount() const
{
    const auto lock = m_gate.forCall();
    return parameterCountLocked();
}

int64_t Model::parameterCountLocked() const
{
    int64_t total = 0;
    for (const torch::nn::Module* module : m_nets->modules())
        if (module != m_nets->gEma.ptr().get()) // G_ema is G's copy
            for (const auto& p : module->parameters())
                total += p.numel();
    return total;
}

Image8 GridSamples::image() const
{
    return tileImages(pixels.data(), int64_t(rows) * columns, channels, size, columns);
}

} // namespace cgpgan
