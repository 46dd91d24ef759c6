// TorchScript export (export.h, SPEC 7, issue 13). Each network becomes a
// torch::jit::Module whose forward is TorchScript source written here for
// the model's shape, one line per layer, with the same operations in the
// same order as networks.cpp / layers.cpp, so that the exported module
// computes what the native one computes (the tests hold it to 1e-5).
#include "cgpgan/export.h"

#include "cgpgan/error.h"
#include "cgpgan/file_io.h"
#include "model/model_impl.h"

#include <nlohmann/json.hpp>

#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/version.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace cgpgan {

namespace {

namespace fs = std::filesystem;

// A double as TorchScript reads it back bit for bit (networks.cpp multiplies
// by doubles; the script's float literals are doubles too).
std::string literal(double value)
{
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    std::string text(buffer);
    if (text.find_first_of(".eEn") == std::string::npos)
        text += ".0"; // "2" would be an int in TorchScript
    return text;
}

// Builds one module: weights registered under flat names, forward written
// line by line. Names follow the native module tree with '.' -> '_'
// (blocks.0.up.weight -> blocks_0_up_weight).
class ScriptBuilder {
public:
    explicit ScriptBuilder(const std::string& className)
        : m_module(c10::QualifiedName("__torch__.cgpgan." + className))
    {
    }

    // Registers a CPU float copy of t (contiguous, no grad) and returns the
    // script expression that reads it.
    std::string weight(const std::string& name, const torch::Tensor& t, bool buffer = false)
    {
        auto copy = t.detach().to(torch::kCPU, torch::kFloat).contiguous().clone();
        m_module.register_parameter(name, copy, buffer);
        return "self." + name;
    }

    void line(const std::string& text) { m_body += "    " + text + "\n"; }

    // Linear layer with equalized learning rate (layers.cpp: linear(x, w * scale, b)).
    std::string linear(const std::string& name, EqualizedLinearImpl& layer, const std::string& x)
    {
        const std::string w = weight(name + "_weight", layer.weight * layer.scale);
        const std::string b = layer.bias.defined() ? weight(name + "_bias", layer.bias) : "None";
        return "torch.linear(" + x + ", " + w + ", " + b + ")";
    }

    // Convolution with equalized learning rate, resampling as in layers.cpp.
    // Writes its lines and returns the variable holding the result.
    std::string conv(const std::string& name, EqualizedConv2dImpl& layer, const std::string& x)
    {
        const std::string out = name;
        const bool up = layer.resample == Resample::Up;
        const std::string w = weight(name + "_weight", layer.weight * (up ? layer.scale * 4.0 : layer.scale));
        const std::string b = layer.bias.defined() ? weight(name + "_bias", layer.bias) : "None";
        const int64_t k = layer.kernel;
        switch (layer.resample) {
        case Resample::None:
            line(out + " = torch.conv2d(" + x + ", " + w + ", " + b + ", [1, 1], [" + std::to_string(k / 2) + ", "
                 + std::to_string(k / 2) + "])");
            break;
        case Resample::Up: {
            const std::string kernel = weight(name + "_blur", layer.blurFilter, /*buffer=*/true);
            const int64_t p = 3 - k;
            line(out + " = torch.conv_transpose2d(" + x + ", " + w + ".transpose(0, 1), None, [2, 2])");
            line(out + " = self.blur(" + out + ", " + kernel + ", " + std::to_string((p + 1) / 2 + 1) + ", "
                 + std::to_string(p / 2 + 1) + ")");
            if (b != "None")
                line(out + " = " + out + " + " + b + ".view([1, -1, 1, 1])");
            break;
        }
        case Resample::Down: {
            const std::string kernel = weight(name + "_blur", layer.blurFilter, /*buffer=*/true);
            const int64_t p = k + 1;
            line(out + " = self.blur(" + x + ", " + kernel + ", " + std::to_string((p + 1) / 2) + ", "
                 + std::to_string(p / 2) + ")");
            line(out + " = torch.conv2d(" + out + ", " + w + ", " + b + ", [2, 2], [0, 0])");
            break;
        }
        }
        return out;
    }

    // Defines the helpers and forward(signature) and returns the module.
    torch::jit::Module finish(const std::string& signature, const std::string& comment)
    {
        const std::string source =
            // layers.cpp blurForward: depthwise [1,3,3,1] blur, zero padding p0 before, p1 after.
            "def blur(self, x: Tensor, k: Tensor, p0: int, p1: int) -> Tensor:\n"
            "    if p0 == p1:\n"
            "        return torch.conv2d(x, k, None, [1, 1], [p0, p0], [1, 1], x.size(1))\n"
            "    x = torch.constant_pad_nd(x, [p0, p1, p0, p1], 0.0)\n"
            "    return torch.conv2d(x, k, None, [1, 1], [0, 0], [1, 1], x.size(1))\n"
            "\n"
            "def forward(self, "
            + signature + ":\n" + "    \"\"\"" + comment + "\"\"\"\n" + m_body;
        m_module.define(source);
        m_module.eval();
        return m_module;
    }

private:
    torch::jit::Module m_module;
    std::string m_body;
};

const double kInvSqrt2 = 1.0 / std::sqrt(2.0); // networks.cpp: residual sum scale

std::string lrelu(const std::string& x) { return "torch.leaky_relu(" + x + ", " + literal(kLeakySlope) + ")"; }

torch::jit::Module buildGenerator(GeneratorImpl& g, const ModelConfig& m)
{
    ScriptBuilder s("Generator");
    const bool conv = m.arch == Arch::Conv;
    s.line("b = z.size(0)");
    if (m.codebook) {
        // SPEC 3, codebook mode: [lrelu(dense(z)), pages(c)], pages = sum_k c[l,k] B[l,k,:].
        s.line("h = " + lrelu(s.linear("input", *g.input, "z")));
        const std::string book = s.weight("codebook", g.codebook);
        s.line("p = torch.einsum(\"blk,lkp->blp\", [c, " + book + "]).flatten(1)");
        s.line("h = torch.cat([h, p], 1)");
    } else {
        // SPEC 3, one-hot mode: lrelu(dense([z, normalised c])).
        const double dC = double(m.dC);
        s.line("cn = ((c - " + literal(1.0 / dC) + ") * " + literal(dC / std::sqrt(dC - 1.0)) + ").flatten(1)");
        s.line("h = " + lrelu(s.linear("input", *g.input, "torch.cat([z, cn], 1)")));
    }
    if (conv) {
        s.line("h = h.view([b, " + std::to_string(2 * m.topWidth()) + ", 4, 4])");
        for (size_t i = 0; i < g.blocks->size(); ++i) {
            auto& block = *g.blocks[i]->as<ResidualUpBlock>();
            const std::string n = "blocks_" + std::to_string(i);
            // SPEC 3 up-block: (skip(h) + lrelu(conv(lrelu(up(h))))) / sqrt(2).
            const std::string skip = s.conv(n + "_skip", *block.skip, "h");
            const std::string up = s.conv(n + "_up", *block.up, "h");
            const std::string main = s.conv(n + "_conv", *block.conv, lrelu(up));
            s.line("h = (" + skip + " + " + lrelu(main) + ") * " + literal(kInvSqrt2));
        }
        const std::string out = s.conv("to_image", *g.toImage, "h");
        s.line("return " + out + ".clamp(-1.0, 1.0)"); // Model::generate clips images
    } else {
        for (size_t i = 0; i < g.blocks->size(); ++i)
            s.line("h = " + lrelu(s.linear("blocks_" + std::to_string(i), *g.blocks[i]->as<EqualizedLinear>(), "h")));
        s.line("return " + s.linear("to_point", *g.toPoint, "h"));
    }
    return s.finish("z: Tensor, c: Tensor) -> Tensor",
                    "G_ema(z [b, d_z], c [b, d_l, d_c] one-hot or soft) -> images [b, C, R, R] in [-1, 1] "
                    "(points [b, C] for an mlp model); see model.json");
}

torch::jit::Module buildClassifier(EncoderImpl& q, const ModelConfig& m)
{
    ScriptBuilder s("Classifier");
    s.line("b = x.size(0)");
    if (m.arch == Arch::Conv) {
        s.line("h = " + lrelu(s.conv("from_image", *q.fromImage, "x")));
        for (size_t i = 0; i < q.blocks->size(); ++i) {
            auto& block = *q.blocks[i]->as<ResidualDownBlock>();
            const std::string n = "blocks_" + std::to_string(i);
            // SPEC 3 down-block: (skip(h) + lrelu(down(lrelu(conv(h))))) / sqrt(2).
            const std::string skip = s.conv(n + "_skip", *block.skip, "h");
            const std::string c = s.conv(n + "_conv", *block.conv, "h");
            const std::string down = s.conv(n + "_down", *block.down, lrelu(c));
            s.line("h = (" + skip + " + " + lrelu(down) + ") * " + literal(kInvSqrt2));
        }
        const std::string last = s.conv("last", *q.last, "h");
        s.line("h = " + lrelu(last) + ".flatten(1)");
    } else {
        s.line("h = x");
        for (size_t i = 0; i < q.blocks->size(); ++i)
            s.line("h = " + lrelu(s.linear("blocks_" + std::to_string(i), *q.blocks[i]->as<EqualizedLinear>(), "h")));
    }
    s.line("h = " + lrelu(s.linear("hidden", *q.hidden, "h")));
    s.line("return " + s.linear("out", *q.out, "h") + ".view([b, " + std::to_string(m.dL) + ", "
           + std::to_string(m.dC) + "])");
    return s.finish("x: Tensor) -> Tensor",
                    "Q(images [b, C, R, R] in [-1, 1], or points [b, C]) -> logits [b, d_l, d_c]; "
                    "softmax over the last axis gives P(category); see model.json");
}

std::string moduleBytes(torch::jit::Module& module)
{
    std::ostringstream out;
    module.save(out);
    return out.str();
}

// Every raw tensor of the model under its native name (prefix "g.", "g_ema.",
// "d.", "q."), plus "prior" and "step": what a Python user rebuilds from.
c10::Dict<std::string, at::Tensor> stateDict(const Model::Networks& nets)
{
    c10::Dict<std::string, at::Tensor> dict;
    auto add = [&](const std::string& prefix, const torch::nn::Module& module) {
        for (const auto& item : module.named_parameters())
            dict.insert(prefix + item.key(), item.value().detach().to(torch::kCPU).contiguous().clone());
        for (const auto& item : module.named_buffers())
            dict.insert(prefix + item.key(), item.value().detach().to(torch::kCPU).contiguous().clone());
    };
    add("g.", *nets.g);
    add("g_ema.", *nets.gEma);
    add("d.", *nets.d);
    if (nets.q)
        add("q.", *nets.q);
    dict.insert("prior", nets.prior.clone());
    dict.insert("step", torch::tensor(nets.step, torch::kLong));
    return dict;
}

nlohmann::json info(const Model& model, const Config& config, const torch::Tensor& prior, int64_t step,
                    bool hasClassifier)
{
    const auto& m = model.config().model;
    const bool images = m.arch == Arch::Conv;
    nlohmann::json j;
    j["format"] = "cgpgan-export";
    j["format_version"] = 1;
    j["step"] = step;
    j["libtorch"] = TORCH_VERSION;
    j["config"] = nlohmann::json::parse(toJson(config));
    std::vector<std::vector<float>> p(size_t(m.dL), std::vector<float>(size_t(m.dC)));
    const auto a = prior.accessor<float, 2>();
    for (int l = 0; l < m.dL; ++l)
        for (int k = 0; k < m.dC; ++k)
            p[size_t(l)][size_t(k)] = a[l][k];
    j["prior"] = p;
    nlohmann::json files;
    files["generator"] = {
        {"file", kExportGenerator},
        {"forward", "forward(z, c) -> x"},
        {"z", {{"shape", {"b", m.dZ}},
               {"distribution", m.latentDist == LatentDist::Normal ? "normal N(0, 1)" : "uniform U(-sqrt(3), sqrt(3))"}}},
        {"c", {{"shape", {"b", m.dL, m.dC}},
               {"meaning", "per label a one-hot row (a category) or a soft row of weights summing to 1; "
                           "combination id = sum_l c_l * d_c^(d_l - 1 - l) (label 0 most significant)"}}},
        {"x", images ? nlohmann::json{{"shape", {"b", m.channels, m.resolution, m.resolution}},
                                      {"layout", "NCHW"},
                                      {"range", "[-1, 1], clipped"},
                                      {"to_bytes", "round((x + 1) * 127.5)"}}
                     : nlohmann::json{{"shape", {"b", m.channels}}, {"range", "unclipped points"}}},
        {"network", "G_ema, the exponential moving average of G (SPEC 4.8)"}};
    if (hasClassifier)
        files["classifier"] = {
            {"file", kExportClassifier},
            {"forward", "forward(x) -> logits"},
            {"x", images ? nlohmann::json{{"shape", {"b", m.channels, m.resolution, m.resolution}},
                                          {"layout", "NCHW"},
                                          {"range", "[-1, 1]"},
                                          {"from_bytes", "x = bytes * 2 / 255 - 1"}}
                         : nlohmann::json{{"shape", {"b", m.channels}}}},
            {"logits", {{"shape", {"b", m.dL, m.dC}}, {"meaning", "softmax over the last axis: P(category | x) per label"}}},
            {"network", "Q, the classifier (SPEC 3, 6)"}};
    files["state_dict"] = {
        {"file", kExportStateDict},
        {"load", "torch.load(path): a dict of tensors"},
        {"keys", "g.*, g_ema.*, d.*, q.*: native parameter names (blocks.i.up.weight ...), raw weights: the "
                 "equalized learning rate multiplies each weight by 1 / sqrt(fan_in) when it is used (SPEC 3; x4 "
                 "for up-sampling convolutions, whose blur gain is folded in); the codebook is g_ema.codebook; "
                 "prior [d_l, d_c]; step"}};
    j["files"] = files;
    j["weights_in_modules"] = "effective: the equalized-learning-rate scale is already multiplied in";
    return j;
}

} // namespace

torch::jit::Module generatorModule(const Model& model)
{
    const auto lock = model.gate().forCall();
    auto& nets = networksOf(const_cast<Model&>(model));
    torch::NoGradGuard noGrad;
    return buildGenerator(*nets.gEma, model.config().model);
}

torch::jit::Module classifierModule(const Model& model)
{
    if (!networksOf(model).q)
        throw Error("a vanilla GAN has no classifier Q to export");
    const auto lock = model.gate().forCall();
    auto& nets = networksOf(const_cast<Model&>(model));
    torch::NoGradGuard noGrad;
    return buildClassifier(*nets.q, model.config().model);
}

ExportedFiles exportModel(const Model& model, const std::string& folder, const Config* config)
{
    if (folder.empty())
        throw Error("export: no output folder given");
    std::error_code ec;
    if (fs::exists(folder, ec) && !fs::is_directory(folder, ec))
        throw Error("export: " + folder + " exists and is not a folder");
    fs::create_directories(folder, ec);
    if (ec)
        throw Error("export: cannot create folder " + folder + ": " + ec.message());

    // One consistent copy of the weights (all taken under one lock hold).
    torch::jit::Module generator, classifier;
    std::vector<char> state;
    torch::Tensor prior;
    int64_t step = 0;
    const bool hasClassifier = bool(networksOf(model).q);
    {
        const auto lock = model.gate().forCall();
        auto& nets = networksOf(const_cast<Model&>(model));
        torch::NoGradGuard noGrad;
        generator = buildGenerator(*nets.gEma, model.config().model);
        if (hasClassifier)
            classifier = buildClassifier(*nets.q, model.config().model);
        state = torch::pickle_save(c10::IValue(stateDict(nets)));
        prior = nets.prior.clone();
        step = nets.step;
    }

    ExportedFiles out;
    out.folder = folder;
    out.step = step;
    auto write = [&](const char* name, std::string_view bytes, const std::string& what) {
        const std::string path = (fs::path(folder) / name).string();
        writeFileAtomically(path, bytes, what);
        out.files.push_back(path);
    };
    write(kExportGenerator, moduleBytes(generator), "exported generator");
    if (hasClassifier)
        write(kExportClassifier, moduleBytes(classifier), "exported classifier");
    else
        fs::remove(fs::path(folder) / kExportClassifier, ec); // not a stale Q beside a vanilla G
    write(kExportStateDict, std::string_view(state.data(), state.size()), "exported state dict");
    write(kExportInfo, info(model, config ? *config : model.config(), prior, step, hasClassifier).dump(2) + "\n",
          "export description");
    return out;
}

} // namespace cgpgan
