#include "cgpgan/config.h"

#include "cgpgan/error.h"
#include "cgpgan/file_io.h"
#include "values/presets_embedded.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <type_traits>

namespace cgpgan {

using nlohmann::json;

int ModelConfig::pageSize() const
{
    const int spatial = arch == Arch::Mlp ? 1 : 16; // 4 x 4 map in conv mode (SPEC 3)
    return spatial * topWidth() / std::max(dL, 1);
}

int64_t ModelConfig::combinations() const { return combinationCount(dL, dC); }

namespace {

// ---- The one table of fields ---------------------------------------------
//
// Every config field once, with its section and JSON key, in file order.
// Writing, reading (unknown keys are refused) and --set (through the JSON
// form) all walk this list, so a new field is one line here.
template <typename C, typename F>
void forEachField(C& c, F&& f)
{
    f("", "preset", c.preset);
    f("", "description", c.description);
    f("data", "kind", c.data.kind);
    f("data", "path", c.data.path);
    f("data", "split", c.data.split);
    f("data", "count", c.data.count);
    f("data", "seed", c.data.seed);
    f("data", "variation", c.data.variation);
    f("model", "arch", c.model.arch);
    f("model", "mode", c.model.mode);
    f("model", "codebook", c.model.codebook);
    f("model", "resolution", c.model.resolution);
    f("model", "channels", c.model.channels);
    f("model", "g_widths", c.model.gWidths);
    f("model", "d_widths", c.model.dWidths);
    f("model", "mlp_hidden", c.model.mlpHidden);
    f("model", "d_z", c.model.dZ);
    f("model", "d_l", c.model.dL);
    f("model", "d_c", c.model.dC);
    f("model", "latent_dist", c.model.latentDist);
    f("model", "d_hidden", c.model.dHidden);
    f("model", "mbstd_group", c.model.mbstdGroup);
    f("model", "codebook_init", c.model.codebookInit);
    f("train", "batch", c.train.batch);
    f("train", "lr_g", c.train.lrG);
    f("train", "lr_d", c.train.lrD);
    f("train", "lr_q", c.train.lrQ);
    f("train", "weight_decay", c.train.weightDecay);
    f("train", "beta1", c.train.beta1);
    f("train", "beta2", c.train.beta2);
    f("train", "lambda_r2", c.train.lambdaR2);
    f("train", "lambda_cls", c.train.lambdaCls);
    f("train", "lambda_cgp", c.train.lambdaCgp);
    f("train", "lambda_ms", c.train.lambdaMs);
    f("train", "codebook_lr_scale", c.train.codebookLrScale);
    f("train", "q_augment_scale", c.train.qAugmentScale);
    f("train", "q_augment_shift", c.train.qAugmentShift);
    f("train", "q_augment_rotate", c.train.qAugmentRotate);
    f("train", "lambda_g_cls", c.train.lambdaGCls);
    f("train", "reg_every", c.train.regEvery);
    f("train", "prior_start_step", c.train.priorStartStep);
    f("train", "prior_start_epoch", c.train.priorStartEpoch);
    f("train", "prior_decay", c.train.priorDecay);
    f("train", "ema_decay", c.train.emaDecay);
    f("train", "steps", c.train.steps);
    f("train", "epochs", c.train.epochs);
    f("train", "seed", c.train.seed);
    f("train", "steer", c.train.steer);
    f("run", "device", c.run.device);
    f("run", "threads", c.run.threads);
    f("run", "grid_every", c.run.gridEvery);
    f("run", "checkpoint_every", c.run.checkpointEvery);
    f("run", "grid_rows", c.run.gridRows);
    f("run", "grid_columns", c.run.gridColumns);
    f("run", "cudnn_benchmark", c.run.cudnnBenchmark);
    f("run", "channels_last", c.run.channelsLast);
    f("run", "precision", c.run.precision);
    f("run", "score_every", c.run.scoreEvery);
    f("run", "score_samples", c.run.scoreSamples);
}

// A double as a person writes it: 0.25, 1e+10.
std::string shortNumber(double v)
{
    std::ostringstream out;
    out << v;
    return out.str();
}

std::string fieldName(const char* section, const char* key)
{
    return *section ? std::string(section) + "." + key : std::string(key);
}

// ---- JSON writing -------------------------------------------------------

json steerJson(const SteerAction& a)
{
    json j = json::object();
    j["step"] = a.step;
    j["action"] = nameOf(a.action);
    if (a.action == SteerKind::Undo)
        return j;
    j["label"] = a.label;
    j["category"] = a.category;
    if (a.action == SteerKind::Merge)
        j["into"] = a.other;
    if (a.action == SteerKind::Revive && a.other >= 0)
        j["from"] = a.other;
    if ((a.action == SteerKind::Pin || a.action == SteerKind::Revive) && a.mass >= 0)
        j["mass"] = a.mass;
    return j;
}

template <typename T>
json jsonOf(const T& value)
{
    if constexpr (std::is_same_v<T, std::vector<SteerAction>>) {
        json list = json::array();
        for (const SteerAction& a : value)
            list.push_back(steerJson(a));
        return list;
    } else if constexpr (std::is_enum_v<T>)
        return nameOf(value); // the same words as before the enums
    else
        return value;
}

json toJsonValue(const Config& c)
{
    json j = json::object();
    forEachField(c, [&](const char* section, const char* key, const auto& field) {
        (*section ? j[section][key] : j[key]) = jsonOf(field);
    });
    return j;
}

// ---- JSON reading: every key must be known ------------------------------

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};

// Reads one field, refusing what would change on the way in: an integer that
// does not fit (4294967312 into an int), a fraction where a whole number is
// needed (16.7), a number where a word or a flag is needed, and the reverse.
template <typename T>
void readValue(const json& value, T& out, const std::string& name, const std::string& origin)
{
    const auto wrong = [&](const std::string& want) {
        // Text that is not UTF-8 is shown with replacement characters, not thrown on.
        return Error(origin + ": " + name + " must be " + want + ", not "
                     + value.dump(-1, ' ', false, json::error_handler_t::replace));
    };
    if constexpr (std::is_enum_v<T>) {
        const auto parsed = value.is_string() ? parseName<T>(value.get<std::string>()) : std::nullopt;
        if (!parsed)
            throw wrong(choicesOf<T>());
        out = *parsed;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!value.is_boolean())
            throw wrong("true or false");
        out = value.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
        using Limits = std::numeric_limits<T>;
        const std::string range = "a whole number in " + std::to_string(Limits::min()) + ".." +
                                  std::to_string(Limits::max());
        if (value.is_number_unsigned()) {
            const auto v = value.get<uint64_t>();
            if (v > uint64_t(Limits::max()))
                throw wrong(range);
            out = T(v);
        } else if (value.is_number_integer()) {
            const auto v = value.get<int64_t>();
            if (v < 0 && !std::is_signed_v<T>)
                throw wrong(range);
            if (std::is_signed_v<T> && (v < int64_t(Limits::min()) || v > int64_t(Limits::max())))
                throw wrong(range);
            out = T(v);
        } else if (value.is_number_float()) {
            const double v = value.get<double>();
            // 16.0 is 16; 16.7 is not a whole number. The bounds are exact powers of two.
            const double low = std::is_signed_v<T> ? -std::ldexp(1.0, Limits::digits) : 0.0;
            const double high = std::ldexp(1.0, Limits::digits);
            if (!std::isfinite(v) || v != std::floor(v) || v < low || v >= high)
                throw wrong(range);
            out = T(v);
        } else {
            throw wrong(range);
        }
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!value.is_number())
            throw wrong("a number");
        out = value.get<T>();
        if (!std::isfinite(out))
            throw wrong("a finite number");
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!value.is_string())
            throw wrong("text in quotes");
        out = value.get<std::string>();
    } else if constexpr (std::is_same_v<T, SteerAction>) {
        // {"step": 500, "action": "merge", "label": 0, "category": 3, "into": 1}
        if (!value.is_object())
            throw wrong("an action {\"step\": ..., \"action\": ..., ...}");
        SteerAction a;
        const std::set<std::string> keys{"step", "action", "label", "category", "into", "from", "mass"};
        for (auto it = value.begin(); it != value.end(); ++it)
            if (!keys.count(it.key()))
                throw Error(origin + ": " + name + " has an unknown key \"" + it.key() +
                            "\" (an action has step, action, label, category, into, from, mass)");
        const auto need = [&](const char* key) -> const json& {
            const auto it = value.find(key);
            if (it == value.end())
                throw Error(origin + ": " + name + " needs \"" + key + "\"");
            return *it;
        };
        readValue(need("step"), a.step, name + ".step", origin);
        readValue(need("action"), a.action, name + ".action", origin);
        if (a.action != SteerKind::Undo) {
            readValue(need("label"), a.label, name + ".label", origin);
            readValue(need("category"), a.category, name + ".category", origin);
        }
        const auto allowed = [&](const char* key, bool ok) {
            if (value.contains(key) && !ok)
                throw Error(origin + ": " + name + ": \"" + key + "\" does not go with \"" + nameOf(a.action) + "\"");
        };
        allowed("label", a.action != SteerKind::Undo);
        allowed("category", a.action != SteerKind::Undo);
        allowed("into", a.action == SteerKind::Merge);
        allowed("from", a.action == SteerKind::Revive);
        allowed("mass", a.action == SteerKind::Pin || a.action == SteerKind::Revive);
        if (a.action == SteerKind::Merge)
            readValue(need("into"), a.other, name + ".into", origin);
        if (value.contains("from"))
            readValue(value["from"], a.other, name + ".from", origin);
        if (value.contains("mass"))
            readValue(value["mass"], a.mass, name + ".mass", origin);
        out = a;
    } else if constexpr (IsVector<T>::value) {
        if (!value.is_array())
            throw wrong("a list [...]");
        T items(value.size());
        for (size_t i = 0; i < value.size(); ++i)
            readValue(value[i], items[i], name + "[" + std::to_string(i) + "]", origin);
        out = std::move(items);
    } else {
        static_assert(!sizeof(T*), "readValue: a field type without a reader");
    }
}

Config fromJsonValue(const json& j, const std::string& origin)
{
    if (!j.is_object())
        throw Error(origin + ": the configuration must be a JSON object");
    Config c;
    std::map<std::string, std::set<std::string>> known; // section -> keys ("" = top level)
    forEachField(c, [&](const char* section, const char* key, auto& field) {
        known[section].insert(key);
        const json* object = &j;
        if (*section) {
            const auto it = j.find(section);
            if (it == j.end())
                return; // the whole section keeps its defaults
            if (!it->is_object())
                throw Error(origin + ": \"" + section + "\" must be a JSON object");
            object = &*it;
        }
        const auto it = object->find(key);
        if (it != object->end())
            readValue(*it, field, fieldName(section, key), origin);
    });
    for (auto it = j.begin(); it != j.end(); ++it) {
        const auto section = known.find(it.key());
        if (section == known.end() || it.key().empty()) {
            if (!known[""].count(it.key()))
                throw Error(origin + ": unknown setting \"" + it.key() + "\"");
            continue;
        }
        for (auto field = it->begin(); field != it->end(); ++field)
            if (!section->second.count(field.key()))
                throw Error(origin + ": unknown setting \"" + it.key() + "." + field.key() + "\"");
    }
    // data.variation (issue 23): a file without it was written before the
    // field existed, when the built-in shapes had today's full nuisances;
    // reading it as full keeps old configs and checkpoints on their own data
    // (an exact resume). New files always carry the key (the writer walks
    // every field), and the struct's default, moderate, is what a preset or
    // a config built in code gets.
    const auto data = j.find("data");
    if (data == j.end() || !data->is_object() || !data->contains("variation"))
        c.data.variation = ShapesVariation::Full;
    c.data.resolution = c.model.resolution;
    c.data.channels = c.model.channels;
    return c;
}

// Parses text; a syntax error or a number too large for a double (1e400)
// names origin, and for the number the field being read and its line.
json parseJson(const std::string& text, const std::string& origin)
{
    // The parser callback sees each key before its value is read, so when a
    // value throws, `keys` holds the path to it.
    // It also refuses a key given twice in one object (issue 26): the JSON
    // library would keep the last one without a word, so `"steps": 5,
    // "steps": 7` would mean whichever the reader of the file noticed last.
    std::vector<std::string> keys;
    std::vector<std::set<std::string>> seen; // the keys of each open object
    const json::parser_callback_t track = [&](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) {
            seen.emplace_back();
        } else if (event == json::parse_event_t::object_end) {
            if (!seen.empty())
                seen.pop_back();
        } else if (event == json::parse_event_t::key) {
            keys.resize(size_t(std::max(depth - 1, 0)));
            keys.push_back(parsed.get<std::string>());
            if (!seen.empty() && !seen.back().insert(keys.back()).second) {
                std::string field;
                for (const std::string& key : keys)
                    field += (field.empty() ? "" : ".") + key;
                throw Error(origin + ": \"" + field + "\" is given twice; keep one");
            }
        }
        return true;
    };
    try {
        return json::parse(text, track);
    } catch (const json::parse_error& e) {
        throw Error(origin + " is not valid JSON: " + e.what());
    } catch (const json::out_of_range& e) {
        std::string field;
        for (const std::string& key : keys)
            field += (field.empty() ? "" : ".") + key;
        std::string what = e.what();
        // "[json.exception.out_of_range.406] number overflow parsing '1e400'"
        const size_t quote = what.find('\'');
        const std::string number = quote == std::string::npos
            ? std::string()
            : what.substr(quote + 1, what.rfind('\'') - quote - 1);
        std::string line;
        if (const size_t at = number.empty() ? std::string::npos : text.find(number);
            at != std::string::npos)
            line = " (line " + std::to_string(1 + std::count(text.begin(), text.begin() + long(at), '\n')) + ")";
        throw Error(origin + ": the number " + (number.empty() ? what : number)
                    + (field.empty() ? std::string() : " for " + field) + line
                    + " is out of range (too large for a double)");
    }
}

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
    require(m.dZ > 0, "model.d_z must be positive");
    require(m.dL > 0 && m.dC > 1, "model.d_l must be >= 1 and model.d_c >= 2");
    if (m.arch == Arch::Conv) {
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
        for (int w : m.mlpHidden)
            require(w > 0, "model.mlp_hidden entries must be positive");
        require(m.channels > 0, "model.channels (the point dimension) must be positive");
    }
    const bool widthsGiven = m.arch == Arch::Mlp ? !m.mlpHidden.empty() : !m.gWidths.empty();
    if (m.codebook && widthsGiven && m.dL > 0) { // d_l itself is checked above (fuzz_config: 0 divided by zero here)
        const int spatial = m.arch == Arch::Mlp ? 1 : 16;
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
    // Ranges that make sense (issue 11): each message names its field.
    const auto inRange = [&](double v, double low, double high, const char* name, const char* what) {
        require(std::isfinite(v) && v >= low && v <= high,
                std::string(name) + " must be " + what + ", not " + shortNumber(v));
    };
    const auto probability = [&](double v, const char* name) {
        require(std::isfinite(v) && v >= 0 && v < 1, std::string(name) + " must be in [0, 1), not " + shortNumber(v));
    };
    const auto weight = [&](double v, const char* name) { inRange(v, 0, 1e6, name, "a weight in [0, 1e6]"); };
    inRange(train.qAugmentScale, 0, 3, "train.q_augment_scale", "in [0, 3] (zoom up to 1 + s)");
    inRange(train.qAugmentShift, 0, 0.5, "train.q_augment_shift", "in [0, 0.5] (a fraction of the image side)");
    inRange(train.qAugmentRotate, 0, 180, "train.q_augment_rotate", "in [0, 180] degrees");
    require(m.dZ <= 4096, "model.d_z must be at most 4096, not " + std::to_string(m.dZ));
    require(m.dL <= 64 && m.dC <= 1024, "model.d_l must be at most 64 and model.d_c at most 1024");
    for (const auto* widths : {&m.gWidths, &m.dWidths, &m.mlpHidden})
        for (int w : *widths)
            require(w <= 8192, "network widths (model.g_widths, d_widths, mlp_hidden) must be at most 8192, not " +
                                   std::to_string(w));
    require(train.batch <= 65536, "train.batch must be at most 65536, not " + std::to_string(train.batch));
    inRange(train.lrG, 1e-12, 1, "train.lr_g", "in (0, 1]");
    inRange(train.lrD, 1e-12, 1, "train.lr_d", "in (0, 1]");
    inRange(train.lrQ, 1e-12, 1, "train.lr_q", "in (0, 1]");
    inRange(train.weightDecay, 0, 1, "train.weight_decay", "in [0, 1]");
    probability(train.beta1, "train.beta1");
    probability(train.beta2, "train.beta2");
    weight(train.lambdaR2, "train.lambda_r2");
    weight(train.lambdaCls, "train.lambda_cls");
    weight(train.lambdaCgp, "train.lambda_cgp");
    weight(train.lambdaGCls, "train.lambda_g_cls");
    if (train.lambdaGCls > 0)
        require(m.mode != GanMode::Vanilla, "train.lambda_g_cls needs a classifier: model.mode must be cgpgan");
    require(train.regEvery >= 1 && train.regEvery <= 1000,
            "train.reg_every must be in 1..1000 (1 = R2 and the CGP on every step), not " +
                std::to_string(train.regEvery));
    probability(train.priorDecay, "train.prior_decay");
    probability(train.emaDecay, "train.ema_decay");
    require(train.priorStartStep >= -1, "train.prior_start_step must be -1 (never) or a step >= 0, not " +
                                            std::to_string(train.priorStartStep));
    inRange(train.priorStartEpoch, -1, 1e6, "train.prior_start_epoch", "-1 (unused) or an epoch in [0, 1e6]");
    require(train.steps >= 0 && train.steps <= 1'000'000'000,
            "train.steps must be in 0..1000000000, not " + std::to_string(train.steps));
    inRange(train.epochs, 0, 1e6, "train.epochs", "in [0, 1e6]");
    require(train.steps > 0 || train.epochs > 0, "train.steps or train.epochs must be positive");
    // Steering (issue 27): in step order, each naming a category of the model.
    for (size_t i = 0; i < train.steer.size(); ++i) {
        const SteerAction& a = train.steer[i];
        const std::string at = "train.steer[" + std::to_string(i) + "] (" + describeSteer(a) + ")";
        require(a.step >= 0, at + ": step must be >= 0");
        if (i > 0)
            require(a.step >= train.steer[i - 1].step, at + ": at step " + std::to_string(a.step) +
                                                           ", after one at step " +
                                                           std::to_string(train.steer[i - 1].step) +
                                                           ": list the actions in step order");
        require(m.mode != GanMode::Vanilla, at + ": a vanilla GAN has no categories to steer");
        if (a.action == SteerKind::Undo)
            continue;
        require(a.label >= 0 && a.label < m.dL,
                at + ": label must be in 0.." + std::to_string(m.dL - 1) + " (model.d_l " + std::to_string(m.dL) + ")");
        require(a.category >= 0 && a.category < m.dC, at + ": category must be in 0.." + std::to_string(m.dC - 1) +
                                                          " (model.d_c " + std::to_string(m.dC) + ")");
        if (a.action == SteerKind::Merge || (a.action == SteerKind::Revive && a.other >= 0))
            require(a.other >= 0 && a.other < m.dC && a.other != a.category,
                    at + ": " + (a.action == SteerKind::Merge ? "into" : "from") + " must be another category in 0.." +
                        std::to_string(m.dC - 1));
        if (a.action == SteerKind::Pin || a.action == SteerKind::Revive)
            require(a.mass == -1 || (a.mass > 0 && a.mass < 1),
                    at + ": mass must be in (0, 1), or left out for " +
                        (a.action == SteerKind::Pin ? "the mass it has" : "an equal share"));
    }
    require(run.threads >= 0, "run.threads must be >= 0 (0 = every core; more than the cores are capped)");
    require(run.gridEvery >= 0, "run.grid_every must be >= 0 (0 = only at the end)");
    require(run.scoreEvery >= 0, "run.score_every must be >= 0 (0 = no live clustering score)");
    require(run.scoreSamples >= 1 && run.scoreSamples <= 1000000,
            "run.score_samples must be in 1..1000000 (images Q is scored on)");
    require(run.checkpointEvery >= 0, "run.checkpoint_every must be >= 0 (0 = only at the end)");
    require(run.gridRows >= 1 && run.gridRows <= 64, "run.grid_rows must be in 1..64");
    require(run.gridColumns >= 1 && run.gridColumns <= 4096, "run.grid_columns must be in 1..4096");
    require(data.count >= 0, "data.count must be >= 0 (0 = all samples)");
    // Generated data is drawn in memory: a count past ten million is a typo
    // that ended in std::bad_alloc (issue 26). For files it is only a cap.
    if (data.kind == DataKind::Builtin || data.kind == DataKind::Toy2d)
        require(data.count <= 10'000'000, std::string("data.count for generated data (data.kind ") + nameOf(data.kind)
                                              + ") must be at most 10000000 samples, not " + std::to_string(data.count));
    if (m.arch == Arch::Mlp)
        require(data.kind == DataKind::Toy2d, "model.arch mlp trains on point data: data.kind must be toy2d");
    else
        require(data.kind != DataKind::Toy2d, "data.kind toy2d needs model.arch mlp");
    if (!problems.empty()) {
        std::string message = "invalid configuration \"" + preset + "\":";
        for (const auto& p : problems)
            message += "\n  - " + p;
        throw Error(message);
    }
}

std::string toJson(const Config& config, int indent)
{
    try {
        return toJsonValue(config).dump(indent);
    } catch (const json::type_error& e) { // JSON text is UTF-8: a path that is not cannot be stored
        throw Error(std::string("the config cannot be written as JSON: a text field (a path?) is not valid UTF-8 (")
                    + e.what() + ")");
    }
}

std::string describeSteer(const SteerAction& a)
{
    const std::string of = "category " + std::to_string(a.category) + " of label " + std::to_string(a.label);
    const auto mass = [&] {
        std::ostringstream out;
        out.precision(3);
        out << a.mass;
        return out.str();
    };
    switch (a.action) {
    case SteerKind::Empty:
        return "empty " + of;
    case SteerKind::Pin:
        return "pin " + of + (a.mass >= 0 ? " at " + mass() : std::string(" at its mass"));
    case SteerKind::Release:
        return "release " + of;
    case SteerKind::Revive:
        return "revive " + of +
               (a.other >= 0 ? " with a copy of page " + std::to_string(a.other) : std::string(" with a fresh page")) +
               (a.mass >= 0 ? " at " + mass() : std::string());
    case SteerKind::Merge:
        return "merge category " + std::to_string(a.category) + " into " + std::to_string(a.other) + " (label " +
               std::to_string(a.label) + ")";
    case SteerKind::Undo:
        return "undo";
    }
    return "?";
}

std::vector<SteerAction> steerActionsFromJson(const std::string& text, const std::string& origin)
{
    const json list = parseJson(text, origin);
    std::vector<SteerAction> actions;
    if (!list.is_array())
        throw Error(origin + ": a steering file is a JSON list of actions, e.g. "
                             "[{\"step\": 500, \"action\": \"empty\", \"label\": 0, \"category\": 2}]");
    readValue(list, actions, "steering", origin);
    return actions;
}

Config configFromJson(const std::string& text, const std::string& origin)
{
    return fromJsonValue(parseJson(text, origin), origin);
}

Config loadConfigFile(const std::string& path)
{
    requireRegularFile(path, "config file"); // a FIFO would block (issue 26)
    std::ifstream in(path);
    if (!in)
        throw Error("cannot open config file " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    json file = parseJson(ss.str(), path);
    if (!file.is_object())
        return fromJsonValue(file, path); // its message names the problem

    // A file's "preset" names where it starts (issue 26: {"preset": "toy-2d"}
    // trained the image defaults under that name). A built-in preset is the
    // base and the file's fields replace the preset's one by one (a list as a
    // whole), so {"preset": "demo", "train": {"steps": 500}} is the demo with
    // 500 steps. A name that is not built in is only a label: such a file must
    // then give every field, or the ones it leaves out would silently be the
    // struct's defaults. A config a run wrote gives every field, so reading it
    // back is unchanged either way. A file without "preset" starts from the
    // struct's defaults, as before. Checkpoints keep configFromJson: they are
    // complete and must read exactly as written.
    std::vector<std::string> missing;
    Config probe;
    forEachField(probe, [&](const char* section, const char* key, auto&) {
        const json* object = &file;
        if (*section) {
            const auto it = file.find(section);
            object = it != file.end() && it->is_object() ? &*it : nullptr;
        }
        // data.variation is absent from files written before it existed,
        // which then mean the full nuisances (fromJsonValue); a description is
        // only words.
        const std::string field = fieldName(section, key);
        // train.steer likewise (older files; an unsteered run).
        if ((!object || !object->contains(key)) && field != "data.variation" && field != "description" &&
            field != "train.steer")
            missing.push_back(field);
    });
    const auto name = file.find("preset");
    if (missing.empty() || name == file.end() || !name->is_string())
        return fromJsonValue(file, path);
    const std::string presetName = name->get<std::string>();
    for (const auto& p : embeddedPresets()) {
        if (p.name != presetName)
            continue;
        json merged = parseJson(p.json, "preset " + p.name);
        for (auto it = file.begin(); it != file.end(); ++it) {
            json& target = merged[it.key()];
            if (it->is_object() && target.is_object())
                for (auto field = it->begin(); field != it->end(); ++field)
                    target[field.key()] = *field;
            else
                target = *it;
        }
        return fromJsonValue(merged, path);
    }
    std::string known;
    for (const auto& n : presetNames())
        known += (known.empty() ? "" : ", ") + n;
    throw Error(path + ": \"preset\": \"" + presetName + "\" is not a built-in preset (" + known
                + "), so the " + std::to_string(missing.size()) + " fields the file leaves out (first: "
                + missing.front() + ") would take default values: name a built-in preset to start from, "
                "or give every field");
}

void saveConfigFile(const Config& config, const std::string& path)
{
    writeFileAtomically(path, toJson(config) + "\n", "config file");
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
    if (parsed.is_discarded()) {
        try {
            const json probe = json::parse(value);
            (void)probe;
        } catch (const json::out_of_range&) { // 1e400: a number, but not a double
            throw Error("override \"" + assignment + "\": the number " + value + " for " + path
                        + " is out of range (too large for a double)");
        } catch (const json::exception&) {
        }
        parsed = value; // a bare word: take it as a string
        try {
            (void)parsed.dump();
        } catch (const json::type_error&) {
            throw Error("override \"" + path + "=...\": the value is not valid UTF-8 text");
        }
    }
    *node = parsed;
    config = fromJsonValue(j, "override \"" + assignment + "\"");
}

std::vector<std::string> configDifferences(const Config& a, const Config& b)
{
    const json x = toJsonValue(a), y = toJsonValue(b);
    const auto text = [](const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); };
    std::vector<std::string> diffs;
    Config walk;
    forEachField(walk, [&](const char* section, const char* key, auto&) {
        const json* from = *section ? (x.contains(section) ? &x.at(section) : nullptr) : &x;
        const json* to = *section ? (y.contains(section) ? &y.at(section) : nullptr) : &y;
        const json none;
        const json& u = from && from->contains(key) ? from->at(key) : none;
        const json& v = to && to->contains(key) ? to->at(key) : none;
        if (u != v)
            diffs.push_back(fieldName(section, key) + ": " + text(u) + " -> " + text(v));
    });
    return diffs;
}

std::vector<std::string> shapeDifferences(const Config& a, const Config& b)
{
    std::vector<std::string> diffs;
    auto cmp = [&](const char* name, const auto& x, const auto& y) {
        if (!(x == y))
            diffs.push_back(std::string(name) + ": " + jsonOf(x).dump() + " vs " + jsonOf(y).dump());
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
    if (a.model.arch == Arch::Conv && b.model.arch == Arch::Conv) {
        cmp("model.resolution", a.model.resolution, b.model.resolution);
        cmp("model.g_widths", a.model.gWidths, b.model.gWidths);
        cmp("model.d_widths", a.model.dWidths, b.model.dWidths);
    } else {
        cmp("model.mlp_hidden", a.model.mlpHidden, b.model.mlpHidden);
    }
    return diffs;
}

} // namespace cgpgan
