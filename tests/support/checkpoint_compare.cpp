// Checkpoint comparison for the tests (checkpoint_compare.h).
#include "support/checkpoint_compare.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace cgpgan::testing {

torch::serialize::InputArchive openArchive(const std::string& path)
{
    torch::serialize::InputArchive archive;
    archive.load_from(path, torch::kCPU);
    return archive;
}

// A history JSON (history.h) with every row's wall time (field 1) zeroed.
static std::string historyWithoutTimes(const std::string& text)
{
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return text;
    const auto clear = [](nlohmann::json& row) {
        if (row.is_array() && row.size() > 1)
            row[1] = 0;
    };
    if (j.contains("rows"))
        for (auto& row : j["rows"])
            clear(row);
    if (j.contains("latest"))
        clear(j["latest"]);
    return j.dump();
}

static void compareArchives(torch::serialize::InputArchive& a, torch::serialize::InputArchive& b, const QString& prefix,
                     ArchiveComparison& result);

static bool isOptimizerArchive(torch::serialize::InputArchive& archive)
{
    const auto keys = archive.keys();
    return std::find(keys.begin(), keys.end(), "pytorch_version") != keys.end() &&
           std::find(keys.begin(), keys.end(), "state") != keys.end() &&
           std::find(keys.begin(), keys.end(), "param_groups") != keys.end();
}

// libtorch (1.13) keys an optimizer's per-parameter state by the address of
// the parameter's TensorImpl ("0x55..."), listed in param_groups/i/params/j;
// those addresses differ between two processes or two trainers, so states
// are matched through the parameter's position instead.
static void compareOptimizers(torch::serialize::InputArchive& a, torch::serialize::InputArchive& b, const QString& prefix,
                       ArchiveComparison& result)
{
    c10::IValue versionA, versionB;
    a.read("pytorch_version", versionA);
    b.read("pytorch_version", versionB);
    result.compared << prefix + ".pytorch_version";
    if (!(versionA == versionB))
        result.differences << prefix + ".pytorch_version differs";

    torch::serialize::InputArchive groupsA, groupsB, stateA, stateB;
    a.read("param_groups", groupsA);
    b.read("param_groups", groupsB);
    a.read("state", stateA);
    b.read("state", stateB);
    torch::Tensor sizeA, sizeB;
    groupsA.read("param_groups/size", sizeA);
    groupsB.read("param_groups/size", sizeB);
    result.compared << prefix + ".param_groups/size";
    if (!torch::equal(sizeA, sizeB)) {
        result.differences << prefix + ": different numbers of parameter groups";
        return;
    }
    auto stateKeysA = stateA.keys();
    auto stateKeysB = stateB.keys();
    size_t matchedA = 0, matchedB = 0;
    for (int64_t g = 0; g < sizeA.item<int64_t>(); ++g) {
        const std::string groupKey = "param_groups/" + std::to_string(g);
        const QString groupName = prefix + "." + QString::fromStdString(groupKey);
        torch::serialize::InputArchive groupA, groupB, optionsA, optionsB;
        groupsA.read(groupKey, groupA);
        groupsB.read(groupKey, groupB);
        groupA.read("options", optionsA);
        groupB.read("options", optionsB);
        compareArchives(optionsA, optionsB, groupName + ".options", result);
        torch::Tensor countA, countB;
        groupA.read("params/size", countA);
        groupB.read("params/size", countB);
        result.compared << groupName + ".params/size";
        if (!torch::equal(countA, countB)) {
            result.differences << groupName + ": different numbers of parameters";
            continue;
        }
        for (int64_t j = 0; j < countA.item<int64_t>(); ++j) {
            c10::IValue keyA, keyB;
            groupA.read("params/" + std::to_string(j), keyA);
            groupB.read("params/" + std::to_string(j), keyB);
            const auto& ka = keyA.toStringRef();
            const auto& kb = keyB.toStringRef();
            const bool hasA = std::find(stateKeysA.begin(), stateKeysA.end(), ka) != stateKeysA.end();
            const bool hasB = std::find(stateKeysB.begin(), stateKeysB.end(), kb) != stateKeysB.end();
            const QString name = prefix + ".state[" + QString::number(g) + "/" + QString::number(j) + "]";
            if (hasA != hasB) {
                result.differences << name + ": present in one checkpoint only";
                continue;
            }
            if (!hasA)
                continue;
            ++matchedA;
            ++matchedB;
            torch::serialize::InputArchive sa, sb;
            stateA.read(ka, sa);
            stateB.read(kb, sb);
            compareArchives(sa, sb, name, result);
        }
    }
    if (matchedA != stateKeysA.size() || matchedB != stateKeysB.size())
        result.differences << prefix + ": optimizer state entries that belong to no parameter";
}

static void compareArchives(torch::serialize::InputArchive& a, torch::serialize::InputArchive& b, const QString& prefix,
                     ArchiveComparison& result)
{
    if (isOptimizerArchive(a) && isOptimizerArchive(b)) {
        compareOptimizers(a, b, prefix, result);
        return;
    }
    auto keysA = a.keys();
    auto keysB = b.keys();
    std::sort(keysA.begin(), keysA.end());
    std::sort(keysB.begin(), keysB.end());
    if (keysA != keysB) {
        QStringList la, lb;
        for (const auto& k : keysA)
            la << QString::fromStdString(k);
        for (const auto& k : keysB)
            lb << QString::fromStdString(k);
        result.differences << prefix + ": keys differ: [" + la.join(",") + "] vs [" + lb.join(",") + "]";
        return;
    }
    for (const auto& key : keysA) {
        const QString name = prefix.isEmpty() ? QString::fromStdString(key) : prefix + "." + QString::fromStdString(key);
        c10::IValue va, vb;
        a.read(key, va);
        b.read(key, vb);
        if (va.isModule() || va.isObject()) {
            torch::serialize::InputArchive subA, subB;
            if (!a.try_read(key, subA) || !b.try_read(key, subB)) {
                result.differences << name + ": sub-archive unreadable";
                continue;
            }
            compareArchives(subA, subB, name, result);
            continue;
        }
        result.compared << name;
        if (va.isTensor() != vb.isTensor()) {
            result.differences << name + ": tensor vs non-tensor";
        } else if (va.isTensor()) {
            const auto ta = va.toTensor();
            const auto tb = vb.toTensor();
            if (ta.scalar_type() != tb.scalar_type() || ta.sizes() != tb.sizes() || !torch::equal(ta, tb))
                result.differences << name + ": tensors differ";
        } else if (name == "history" && va.isString() && vb.isString()) {
            // The run's history holds each step's wall time ("seconds"), which
            // no two runs share; everything else in it must be equal.
            if (historyWithoutTimes(va.toStringRef()) != historyWithoutTimes(vb.toStringRef()))
                result.differences << name + ": the histories differ (wall times aside)";
        } else if (!(va == vb)) {
            std::ostringstream sa, sb;
            sa << va;
            sb << vb;
            result.differences << name + ": " + QString::fromStdString(sa.str()) + " vs " +
                                      QString::fromStdString(sb.str());
        }
    }
}

ArchiveComparison compareCheckpoints(const std::string& pathA, const std::string& pathB)
{
    auto a = openArchive(pathA);
    auto b = openArchive(pathB);
    ArchiveComparison result;
    compareArchives(a, b, QString(), result);
    return result;
}

// All tensors of a module's sub-archive by name (e.g. "blocks.0.up.weight").
static void collectTensors(torch::serialize::InputArchive& archive, const std::string& prefix,
                    std::map<std::string, torch::Tensor>& out)
{
    for (const auto& key : archive.keys()) {
        c10::IValue v;
        archive.read(key, v);
        const std::string name = prefix.empty() ? key : prefix + "." + key;
        if (v.isModule() || v.isObject()) {
            torch::serialize::InputArchive sub;
            if (archive.try_read(key, sub))
                collectTensors(sub, name, out);
        } else if (v.isTensor()) {
            out[name] = v.toTensor();
        }
    }
}

std::map<std::string, torch::Tensor> moduleTensors(const std::string& checkpoint, const std::string& key)
{
    auto archive = openArchive(checkpoint);
    torch::serialize::InputArchive sub;
    if (!archive.try_read(key, sub))
        throw std::runtime_error(checkpoint + " has no sub-archive " + key);
    std::map<std::string, torch::Tensor> out;
    collectTensors(sub, "", out);
    return out;
}

static void copyArchive(torch::serialize::InputArchive& in, torch::serialize::OutputArchive& out,
                        const std::string& prefix, const CheckpointEdit& edit)
{
    for (const auto& key : in.keys()) {
        const std::string name = prefix.empty() ? key : prefix + "." + key;
        if (prefix.empty() && std::find(edit.drop.begin(), edit.drop.end(), key) != edit.drop.end())
            continue;
        c10::IValue value;
        in.read(key, value);
        if (value.isModule() || value.isObject()) {
            torch::serialize::InputArchive sub;
            in.read(key, sub);
            torch::serialize::OutputArchive copy;
            copyArchive(sub, copy, name, edit);
            out.write(key, copy);
        } else if (value.isTensor()) {
            auto t = value.toTensor().clone();
            if (edit.tensor)
                edit.tensor(name, t);
            out.write(key, t);
        } else if (prefix.empty() && edit.text.count(key)) {
            out.write(key, c10::IValue(edit.text.at(key)));
        } else {
            out.write(key, value);
        }
    }
}

void rewriteCheckpoint(const std::string& from, const std::string& to, const CheckpointEdit& edit)
{
    auto in = openArchive(from);
    torch::serialize::OutputArchive out;
    copyArchive(in, out, "", edit);
    out.save_to(to);
}

} // namespace cgpgan::testing
