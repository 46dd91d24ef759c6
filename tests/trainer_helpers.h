#pragma once
// Helpers shared by the trainer's tests (test_trainer, test_checkpoint,
// test_model_api): a tiny config and its data, parameter snapshots, paths.
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/values.h"
#include "test_support.h"

#include <torch/torch.h>

#include <QTemporaryDir>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace cgpgan::testing {

using cgpgan::Config;
using cgpgan::Dataset;
using cgpgan::StepStats;


inline std::shared_ptr<const Dataset> tinyData()
{
    static std::shared_ptr<const Dataset> data =
        std::make_shared<const Dataset>(cgpgan::loadDataset(tinyConfig().data));
    return data;
}

// Parameters of a module, cloned (a snapshot that later steps do not touch).
inline std::vector<torch::Tensor> snapshot(torch::nn::Module& module)
{
    std::vector<torch::Tensor> out;
    for (const auto& p : module.parameters())
        out.push_back(p.detach().clone());
    return out;
}

inline bool allIdentical(torch::nn::Module& module, const std::vector<torch::Tensor>& before)
{
    const auto now = module.parameters();
    if (now.size() != before.size())
        return false;
    for (size_t i = 0; i < now.size(); ++i)
        if (!torch::equal(now[i].detach(), before[i]))
            return false;
    return true;
}

// How many parameter tensors differ from the snapshot.
inline int changedCount(torch::nn::Module& module, const std::vector<torch::Tensor>& before)
{
    const auto now = module.parameters();
    int changed = 0;
    for (size_t i = 0; i < now.size(); ++i)
        changed += torch::equal(now[i].detach(), before[i]) ? 0 : 1;
    return changed;
}

inline void setRequiresGrad(torch::nn::Module& module, bool on)
{
    for (auto& p : module.parameters())
        p.requires_grad_(on);
}

inline std::string tempPath(const QTemporaryDir& dir, const std::string& name)
{
    return (std::filesystem::path(dir.path().toStdString()) / name).string();
}

// The loss values that must repeat exactly when a run is resumed.
inline std::vector<double> lossValues(const StepStats& s)
{
    return {s.dAdversarial, s.r2, s.cls, s.cgp, s.gAdversarial, s.realScore, s.fakeScore};
}

inline const char* const kLossNames[] = {"dAdversarial", "r2", "cls", "cgp", "gAdversarial", "realScore", "fakeScore"};

inline double maxDeviationFromUniform(const torch::Tensor& prior)
{
    const double uniform = 1.0 / double(prior.size(1));
    return (prior.to(torch::kDouble) - uniform).abs().max().item<double>();
}


} // namespace cgpgan::testing
