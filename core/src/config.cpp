#include "cgpgan/config.h"

#include "cgpgan/error.h"
#include "presets_embedded.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace cgpgan {

using nlohmann::json;

int ModelConfig::pageSize() const
{
    const int spatial = arch == "mlp" ? 1 : 16; // 4 x 4 map in conv mode (SPEC 3)
    return spatial * topWidth() / std::max(dL, 1);
}

int64_t ModelConfig::combinations() const { return combinationCount(dL, dC); }

namespace {

// ---- JSON writing -------------------------------------------------------

json toJsonValue(const Config& c)
{
    json j;
    j["preset"] = c.preset;
    j["description"] = c.description;
    j["data"] = {{"kind", c.data.kind},   {"path", c.data.path},
                 {"split", c.data.split}, {"count", c.data.count},
                 {"seed", c.data.seed}};
    j["model"] = {{"arch", c.model.arch},
                  {"mode", c.model.mode},
                  {"codebook", c.model.codebook},
                  {"resolution", c.model.resolution},
                  {"channels", c.model.channels},
                  {"g_widths", c.model.gWidths},
                  {"d_widths", c.model.dWidths},
                  {"mlp_hidden", c.model.mlpHidden},
                  {"d_z", c.model.dZ},
                  {"d_l", c.model.dL},
                  {"d_c", c.model.dC},
                  {"latent_dist", c.model.latentDist},
                  {"d_hidden", c.model.dHidden},
                  {"mbstd_group", c.model.mbstdGroup},
                  {"codebook_init", c.model.codebookInit}};
    j["train"] = {{"batch", c.train.batch},
                  {"lr_g", c.train.lrG},
                  {"lr_d", c.train.lrD},
                  {"lr_q", c.train.lrQ},
                  {"weight_decay", c.train.weightDecay},
                  {"beta1", c.train.beta1},
                  {"beta2", c.train.beta2},
                  {"lambda_r2", c.train.lambdaR2},
                  {"lambda_cls", c.train.lambdaCls},
                  {"lambda_cgp", c.train.lambdaCgp},
                  {"lambda_ms", c.train.lambdaMs},
                  {"codebook_lr_scale", c.train.codebookLrScale},
                  {"prior_start_step", c.train.priorStartStep},
                  {"prior_start_epoch", c.train.priorStartEpoch},
                  {"prior_decay", c.train.priorDecay},
                  {"ema_decay", c.train.emaDecay},
                  {"steps", c.train.steps},
                  {"epochs", c.train.epochs},
                  {"seed", c.train.seed}};
    j["run"] = {{"device", c.run.device},
                {"threads", c.run.threads},
                {"grid_every", c.run.gridEvery},
                {"checkpoint_every", c.run.checkpointEvery},
                {"grid_rows", c.run.gridRows},
                {"grid_columns", c.run.gridColumns},
                {"cudnn_benchmark", c.run.cudnnBenchmark},
                {"channels_last", c.run.channelsLast},
                {"precision", c.run.precision}};
    return j;
}

// ---- JSON reading: every key must be known ------------------------------

class ObjectReader {
public:
    ObjectReader(const json& object, std::string where, std::string origin)
        : m_object(object), m_where(std::move(where)), m_origin(std::move(origin))
    {
        if (!m_object.is_object())
            throw Error(m_origin + ": \"" + m_where + "\" must be a JSON object");
    }

    template <typename T>
    void read(const char* key, T& out)
    {
        m_known.insert(key);
        const auto it = m_object.find(key);
        if (it == m_object.end())
            return; // keep the default
        try {
            out = it->template get<T>();
        } catch (const json::exception& e) {
            throw Error(m_origin + ": " + m_where + "." + key + " has the wrong type (" +
                        it->dump() + "): " + e.what());
        }
    }

    const json* child(const char* key)
    {
        m_known.insert(key);
        const auto it = m_object.find(key);
        return it == m_object.end() ? nullptr : &*it;
    }

    void rejectUnknown() const
    {
        for (auto it = m_object.begin(); it != m_object.end(); ++it)
            if (!m_known.count(it.key()))
                throw Error(m_origin + ": unknown setting \"" + (m_where.empty() ? "" : m_where + ".") +
                            it.key() + "\"");
    }

private:
    const json& m_object;
    std::string m_where;
    std::string m_origin;
    std::set<std::string> m_known;
};

Config fromJsonValue(const json& j, const std::string& origin)
{
    Config c;
    ObjectReader top(j, "", origin);
    top.read("preset", c.preset);
    top.read("description", c.description);
    if (const json* d = top.child("data")) {
        ObjectReader r(*d, "data", origin);
        r.read("kind", c.data.kind);
        r.read("path", c.data.path);
        r.read("split", c.data.split);
        r.read("count", c.data.count);
        r.read("seed", c.data.seed);
        r.rejectUnknown();
    }
    if (const json* m = top.child("model")) {
        ObjectReader r(*m, "model", origin);
        r.read("arch", c.model.arch);
        r.read("mode", c.model.mode);
        r.read("codebook", c.model.codebook);
        r.read("resolution", c.model.resolution);
        r.read("channels", c.model.channels);
        r.read("g_widths", c.model.gWidths);
        r.read("d_widths", c.model.dWidths);
        r.read("mlp_hidden", c.model.mlpHidden);
        r.read("d_z", c.model.dZ);
        r.read("d_l", c.model.dL);
        r.read("d_c", c.model.dC);
        r.read("latent_dist", c.model.latentDist);
        r.read("d_hidden", c.model.dHidden);
        r.read("mbstd_group", c.model.mbstdGroup);
        r.read("codebook_init", c.model.codebookInit);
        r.rejectUnknown();
    }
    if (const json* t = top.child("train")) {
        ObjectReader r(*t, "train", origin);
        r.read("batch", c.train.batch);
        r.read("lr_g", c.train.lrG);
        r.read("lr_d", c.train.lrD);
        r.read("lr_q", c.train.lrQ);
        r.read("weight_decay", c.train.weightDecay);
        r.read("beta1", c.train.beta1);
        r.read("beta2", c.train.beta2);
        r.read("lambda_r2", c.train.lambdaR2);
        r.read("lambda_cls", c.train.lambdaCls);
        r.read("lambda_cgp", c.train.lambdaCgp);
        r.read("lambda_ms", c.train.lambdaMs);
        r.read("codebook_lr_scale", c.train.codebookLrScale);
        r.read("prior_start_step", c.train.priorStartStep);
        r.read("prior_start_epoch", c.train.priorStartEpoch);
        r.read("prior_decay", c.train.priorDecay);
        r.read("ema_decay", c.train.emaDecay);
        r.read("steps", c.train.steps);
        r.read("epochs", c.train.epochs);
        r.read("seed", c.train.seed);
        r.rejectUnknown();
    }
    if (const json* u = top.child("run")) {
        ObjectReader r(*u, "run", origin);
        r.read("device", c.run.device);
        r.read("threads", c.run.threads);
        r.read("grid_every", c.run.gridEvery);
        r.read("checkpoint_every", c.run.checkpointEvery);
        r.read("grid_rows", c.run.gridRows);
        r.read("grid_columns", c.run.gridColumns);
        r.read("cudnn_benchmark", c.run.cudnnBenchmark);
        r.read("channels_last", c.run.channelsLast);
        r.read("precision", c.run.precision);
        r.rejectUnknown();
    }
    top.rejectUnknown();
    c.data.resolution = c.model.resolution;
    c.data.channels = c.model.channels;
    return c;
}

json parseJson(const std::string& text, const std::string& origin)
{
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(origin + " is not valid JSON: " + e.what());
    }
}

bool isPowerOfTwo(int v) { return v > 0 && (v & (v - 1)) == 0; }

int log2Int(int v)
{
    int n = 0;
    while (v > 1) {
        v >>= 1;
        ++n;
    }
    return n;
}

} // namespace

void Config::validate() const
{
    std::vector<std::string> problems;
    auto require = [&](bool ok, const std::string& message) {
        if (!ok)
            problems.push_back(message);
    };
    const auto& m = model;
    require(m.arch == "conv" || m.arch == "mlp", "model.arch must be conv or mlp, not \"" + m.arch + "\"");
    require(m.mode == "cgpgan" || m.mode == "vanilla",
            "model.mode must be cgpgan or vanilla, not \"" + m.mode + "\"");
    require(m.latentDist == "normal" || m.latentDist == "uniform",
            "model.latent_dist must be normal or uniform, not \"" + m.latentDist + "\"");
    require(m.dZ > 0, "model.d_z must be positive");
    require(m.dL > 0 && m.dC > 1, "model.d_l must be >= 1 and model.d_c >= 2");
    if (m.arch == "conv") {
        require(isPowerOfTwo(m.resolution) && m.resolution >= 16 && m.resolution <= 256,
                "model.resolution must be a power of two in 16..256, not " + std::to_string(m.resolution));
        const int blocks = log2Int(std::max(m.resolution, 4) / 4);
        require(int(m.gWidths.size()) == blocks,
                "model.g_widths needs " + std::to_string(blocks) + " entries (one up-block per doubling from 4x4 to " +
                    std::to_string(m.resolution) + "), it has " + std::to_string(m.gWidths.size()));
        require(int(m.dWidths.size()) == blocks,
                "model.d_widths needs " + std::to_string(blocks) + " entries, it has " +
                    std::to_string(m.dWidths.size()));
        require(m.channels == 1 || m.channels == 3, "model.channels must be 1 or 3");
        for (int w : m.gWidths)
            require(w > 0, "model.g_widths entries must be positive");
        for (int w : m.dWidths)
            require(w > 0, "model.d_widths entries must be positive");
    } else {
        require(!m.mlpHidden.empty(), "model.mlp_hidden must not be empty");
        require(m.channels > 0, "model.channels (the point dimension) must be positive");
    }
    const bool widthsGiven = m.arch == "mlp" ? !m.mlpHidden.empty() : !m.gWidths.empty();
    if (m.codebook && widthsGiven) {
        const int spatial = m.arch == "mlp" ? 1 : 16;
        require((spatial * m.topWidth()) % m.dL == 0,
                "codebook page size d_p = " + std::to_string(spatial) + " * W / d_l must be an integer (W = " +
                    std::to_string(m.topWidth()) + ", d_l = " + std::to_string(m.dL) + ")");
    }
    require(m.dHidden >= 0, "model.d_hidden must be >= 0 (0 = the paper's 2 * d_l * d_c), not " +
                                std::to_string(m.dHidden));
    require(m.mbstdGroup == 0 || m.mbstdGroup >= 2,
            "model.mbstd_group must be 0 (off) or a group of >= 2 samples, not " + std::to_string(m.mbstdGroup));
    require(std::isfinite(m.codebookInit) && m.codebookInit > 0,
            "model.codebook_init (the initial std of the pages) must be positive");
    require(train.batch >= 2, "train.batch must be at least 2");
    if (m.mbstdGroup > 0)
        require(train.batch % m.mbstdGroup == 0,
                "model.mbstd_group (" + std::to_string(m.mbstdGroup) + ") must divide train.batch (" +
                    std::to_string(train.batch) + ")");
    require(std::isfinite(train.lambdaMs) && train.lambdaMs >= 0, "train.lambda_ms must be >= 0");
    if (train.lambdaMs > 0)
        require(train.batch % 2 == 0, "train.lambda_ms > 0 pairs G's batch in halves: train.batch must be even");
    require(std::isfinite(train.codebookLrScale) && train.codebookLrScale > 0,
            "train.codebook_lr_scale must be positive");
    require(train.lrG > 0 && train.lrD > 0 && train.lrQ > 0, "learning rates must be positive");
    require(train.priorDecay >= 0 && train.priorDecay <= 1, "train.prior_decay must be in [0, 1]");
    require(train.emaDecay >= 0 && train.emaDecay <= 1, "train.ema_decay must be in [0, 1]");
    require(train.steps > 0 || train.epochs > 0, "train.steps or train.epochs must be positive");
    require(run.device == "auto" || run.device == "cpu" || run.device == "cuda",
            "run.device must be auto, cpu or cuda, not \"" + run.device + "\"");
    require(run.threads >= 0, "run.threads must be >= 0");
    require(run.precision == "fp32" || run.precision == "bf16",
            "run.precision must be fp32 or bf16, not \"" + run.precision + "\"");
    require(run.gridRows >= 1 && run.gridColumns >= 1, "run.grid_rows and run.grid_columns must be >= 1");
    if (m.arch == "mlp")
        require(data.kind == "toy2d", "model.arch mlp trains on point data: data.kind must be toy2d");
    else
        require(data.kind != "toy2d", "data.kind toy2d needs model.arch mlp");
    if (!problems.empty()) {
        std::string message = "invalid configuration \"" + preset + "\":";
        for (const auto& p : problems)
            message += "\n  - " + p;
        throw Error(message);
    }
}

std::string toJson(const Config& config, int indent) { return toJsonValue(config).dump(indent); }

Config configFromJson(const std::string& text, const std::string& origin)
{
    return fromJsonValue(parseJson(text, origin), origin);
}

Config loadConfigFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw Error("cannot open config file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return configFromJson(ss.str(), path);
}

void saveConfigFile(const Config& config, const std::string& path)
{
    std::ofstream out(path);
    out << toJson(config) << "\n";
    if (!out)
        throw Error("cannot write config file " + path);
}

std::vector<std::string> presetNames()
{
    std::vector<std::string> names;
    for (const auto& p : embeddedPresets())
        names.push_back(p.name);
    return names;
}

Config preset(const std::string& name)
{
    for (const auto& p : embeddedPresets())
        if (p.name == name)
            return configFromJson(p.json, "preset " + name);
    std::string known;
    for (const auto& n : presetNames())
        known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown preset \"" + name + "\" (known: " + known + ")");
}

void applyOverride(Config& config, const std::string& assignment)
{
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw Error("override \"" + assignment + "\" must look like section.field=value");
    const std::string path = assignment.substr(0, eq);
    const std::string value = assignment.substr(eq + 1);
    json j = toJsonValue(config);
    json* node = &j;
    std::stringstream parts(path);
    std::string part;
    std::vector<std::string> keys;
    while (std::getline(parts, part, '.'))
        keys.push_back(part);
    for (size_t i = 0; i < keys.size(); ++i) {
        if (!node->is_object() || !node->contains(keys[i]))
            throw Error("unknown setting \"" + path + "\" in override \"" + assignment + "\"");
        node = &(*node)[keys[i]];
    }
    json parsed = json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded())
        parsed = value; // a bare word: take it as a string
    *node = parsed;
    config = fromJsonValue(j, "override \"" + assignment + "\"");
}

std::vector<std::string> shapeDifferences(const Config& a, const Config& b)
{
    std::vector<std::string> diffs;
    auto cmp = [&](const char* name, const auto& x, const auto& y) {
        if (!(x == y))
            diffs.push_back(std::string(name) + ": " + json(x).dump() + " vs " + json(y).dump());
    };
    cmp("model.arch", a.model.arch, b.model.arch);
    cmp("model.mode", a.model.mode, b.model.mode);
    cmp("model.codebook", a.model.codebook, b.model.codebook);
    cmp("model.channels", a.model.channels, b.model.channels);
    cmp("model.d_z", a.model.dZ, b.model.dZ);
    cmp("model.d_l", a.model.dL, b.model.dL);
    cmp("model.d_c", a.model.dC, b.model.dC);
    cmp("model.d_hidden", a.model.hiddenWidth(), b.model.hiddenWidth());
    cmp("model.mbstd_group", a.model.mbstdGroup > 0, b.model.mbstdGroup > 0);
    if (a.model.arch == "conv" && b.model.arch == "conv") {
        cmp("model.resolution", a.model.resolution, b.model.resolution);
        cmp("model.g_widths", a.model.gWidths, b.model.gWidths);
        cmp("model.d_widths", a.model.dWidths, b.model.dWidths);
    } else {
        cmp("model.mlp_hidden", a.model.mlpHidden, b.model.mlpHidden);
    }
    return diffs;
}

} // namespace cgpgan
