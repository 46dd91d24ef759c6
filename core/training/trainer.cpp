#include "cgpgan/trainer.h"

#include "cgpgan/live_score.h"

#include "cgpgan/augment.h"
#include "cgpgan/device.h"
#include "cgpgan/distributed.h"
#include "cgpgan/error.h"
#include "cgpgan/losses.h"
#include "checkpoint/checkpoint_integrity.h"
#include "runtime/speed_options.h"
#include "model/model_impl.h"

#include <chrono>
#include <cmath>

namespace cgpgan {

namespace {

void setRequiresGrad(torch::nn::Module& module, bool on)
{
    for (auto& p : module.parameters())
        p.requires_grad_(on);
}

// SPEC 4: AdamW(lr, weight_decay 1e-4, beta1 0, beta2 0.99), one each for D, Q, G.
torch::optim::AdamWOptions adamWOptions(double lr, const TrainConfig& t)
{
    return torch::optim::AdamWOptions(lr).betas({t.beta1, t.beta2}).weight_decay(t.weightDecay);
}

std::unique_ptr<torch::optim::AdamW> makeOptimizer(torch::nn::Module& module, double lr, const TrainConfig& t)
{
    return std::make_unique<torch::optim::AdamW>(module.parameters(), adamWOptions(lr, t));
}

// G's optimizer: one parameter group (SPEC 4), or, when
// train.codebook_lr_scale != 1, a second group holding the codebook alone at
// lr_g * scale. The default keeps one group, so checkpoints keep their layout.
std::unique_ptr<torch::optim::AdamW> makeGeneratorOptimizer(GeneratorImpl& g, const TrainConfig& t)
{
    if (!g.codebook.defined() || t.codebookLrScale == 1.0)
        return makeOptimizer(g, t.lrG, t);
    std::vector<torch::Tensor> rest;
    for (const auto& p : g.parameters())
        if (!p.is_same(g.codebook))
            rest.push_back(p);
    const auto options = adamWOptions(t.lrG, t);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(rest, std::make_unique<torch::optim::AdamWOptions>(options));
    groups.emplace_back(std::vector<torch::Tensor>{g.codebook},
                        std::make_unique<torch::optim::AdamWOptions>(adamWOptions(t.lrG * t.codebookLrScale, t)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups), options);
}

// Sets the learning rate of every group: lr for the first, lr * laterGroupScale
// for the others (G's codebook group, train.codebook_lr_scale).
void setLearningRate(torch::optim::AdamW* opt, double lr, double laterGroupScale = 1.0)
{
    if (!opt)
        return;
    auto& groups = opt->param_groups();
    for (size_t i = 0; i < groups.size(); ++i)
        static_cast<torch::optim::AdamWOptions&>(groups[i].options()).lr(i == 0 ? lr : lr * laterGroupScale);
}

// What a Trainer refuses before building anything: no data, data smaller
// than one batch, or a run that cannot fit in memory.
Config checkedForTraining(Config config, const Dataset* data)
{
    if (!data)
        throw Error("no dataset given to the trainer");
    config.validate();
    if (data->count < config.train.batch)
        throw Error("the data has " + std::to_string(data->count) + " samples, fewer than one batch (train.batch " +
                    std::to_string(config.train.batch) + "): use a smaller batch or more data");
    requireFitsOn(config, data->count, chooseDevice(config.run.device));
    return config;
}

} // namespace

Trainer::Trainer(Config settings, std::shared_ptr<const Dataset> data)
    : m_model(std::make_shared<Model>(checkedForTraining(std::move(settings), data.get()))), m_data(std::move(data)),
      m_device(m_model->device()), m_state(std::make_unique<State>())
{
    if (!m_data)
        throw Error("no dataset given to the trainer");
    const auto& m = config().model;
    const auto& t = config().train;
    auto& n = networksOf(*m_model);
    auto& s = *m_state;
    s.optG = makeGeneratorOptimizer(*n.g, t);
    s.optD = makeOptimizer(*n.d, t.lrD, t);
    if (n.q)
        s.optQ = makeOptimizer(*n.q, t.lrQ, t);
    s.bf16 = config().run.precision == Precision::Bf16;
    s.rng = at::make_generator<at::CPUGeneratorImpl>(t.seed);
    // All training data on the device; images stay uint8 (a quarter of the
    // memory of float) and are scaled per batch.
    s.data = dataView(*m_data, m).to(m_device, /*non_blocking=*/false, /*copy=*/true);

    const double stepsPerEpoch = double(m_data->count) / double(t.batch);
    m_totalSteps = t.epochs > 0 ? int64_t(std::ceil(t.epochs * stepsPerEpoch)) : t.steps;
    m_priorStart = t.priorStartEpoch >= 0 ? int64_t(std::llround(t.priorStartEpoch * stepsPerEpoch))
                                          : t.priorStartStep;
    if (m.mode == GanMode::Vanilla)
        m_priorStart = -1; // no classifier: the prior stays uniform
    m_knobs = {t.lrG, t.lrD, t.lrQ, t.lambdaR2, t.lambdaCls, t.lambdaCgp, TrainingKnobs::PriorMode::Auto, t.lambdaMs};
    resetDataOrder();
    m_steerPlan = t.steer;
    if (config().run.scoreEvery > 0 && m_data->hasLabels() && m.mode != GanMode::Vanilla)
        m_scorer = std::make_unique<LiveScorer>(*m_data, config().run.scoreSamples);
}

Trainer::~Trainer() = default;

void Trainer::State::applyMemoryFormat(at::MemoryFormat format)
{
    for (torch::optim::Optimizer* opt : {static_cast<torch::optim::Optimizer*>(optG.get()),
                                         static_cast<torch::optim::Optimizer*>(optD.get()),
                                         static_cast<torch::optim::Optimizer*>(optQ.get())})
        if (opt)
            setMemoryFormat(*opt, format);
}

bool Trainer::priorFrozen() const
{
    const auto lock = m_model->gate().forCall();
    return priorFrozenLocked();
}

bool Trainer::priorFrozenLocked() const
{
    switch (m_knobs.priorMode) {
    case TrainingKnobs::PriorMode::Frozen:
        return true;
    case TrainingKnobs::PriorMode::Free:
        return false;
    case TrainingKnobs::PriorMode::Auto:
        break;
    }
    return m_priorStart < 0 || networksOf(*m_model).step < m_priorStart;
}

std::vector<StepStats> Trainer::history() const
{
    const auto lock = m_model->gate().forCall();
    return m_history.entries();
}

TrainingKnobs Trainer::knobs() const
{
    const auto lock = m_model->gate().forCall();
    return m_pendingKnobs ? *m_pendingKnobs : m_knobs;
}

std::string Trainer::setKnobs(const TrainingKnobs& knobs)
{
    const auto lock = m_model->gate().forCall();
    const std::string change = describeKnobChange(m_pendingKnobs ? *m_pendingKnobs : m_knobs, knobs);
    m_pendingKnobs = knobs;
    if (!change.empty())
        recordEvent({networksOf(*m_model).step, "knobs", change});
    return change;
}

void Trainer::recordEvent(const RunEvent& event)
{
    const std::lock_guard<std::mutex> lock(m_eventsMutex);
    m_history.addEvent(event);
}

std::vector<RunEvent> Trainer::events() const
{
    const std::lock_guard<std::mutex> lock(m_eventsMutex);
    return m_history.events();
}

void Trainer::applyKnobsLocked()
{
    if (!m_pendingKnobs)
        return;
    m_knobs = *m_pendingKnobs;
    m_pendingKnobs.reset();
    setLearningRate(m_state->optG.get(), m_knobs.lrG, config().train.codebookLrScale);
    setLearningRate(m_state->optD.get(), m_knobs.lrD);
    setLearningRate(m_state->optQ.get(), m_knobs.lrQ);
}

namespace {

// The row's holds must leave a free category and a mass for it.
void requireSteerableRow(const torch::Tensor& pins, int label)
{
    const auto row = pins[label];
    if (!(row < 0).any().item<bool>())
        throw Error("every category of label " + std::to_string(label) +
                    " would be held: at least one must stay free to follow Q (release one first)");
    const double held = row.clamp_min(0).sum().item<double>();
    if (held > 1.0 - 1e-6)
        throw Error("the held masses of label " + std::to_string(label) + " would sum to " + std::to_string(held) +
                    ", leaving nothing for its free categories: pin at less");
}

} // namespace

std::string Trainer::applySteerLocked(const SteerAction& a)
{
    auto& n = networksOf(*m_model);
    const auto& m = config().model;
    if (m.mode == GanMode::Vanilla)
        throw Error("a vanilla GAN has no categories to steer");
    if (a.action == SteerKind::Undo) {
        if (m_steerUndo.empty())
            throw Error("nothing to undo: no steering action of this session is left to take back");
        // What the action changed, as it was: its label's prior row and
        // holds, and a revived page (training since on that row is undone
        // with it; other rows and pages keep their training).
        const SteerSnapshot& back = m_steerUndo.back();
        n.prior = n.prior.clone();
        n.prior[back.label].copy_(back.priorRow);
        n.pins = n.pins.clone();
        n.pins[back.label].copy_(back.pinsRow);
        if (back.pageCategory >= 0) {
            torch::NoGradGuard noGrad;
            n.g->codebook[back.label][back.pageCategory].copy_(back.pageG);
            n.gEma->codebook[back.label][back.pageCategory].copy_(back.pageEma);
        }
        m_steerUndo.pop_back();
        return describeSteer(a);
    }
    const std::string what = describeSteer(a);
    if (a.label < 0 || a.label >= m.dL)
        throw Error(what + ": label must be in 0.." + std::to_string(m.dL - 1));
    if (a.category < 0 || a.category >= m.dC)
        throw Error(what + ": category must be in 0.." + std::to_string(m.dC - 1));
    const bool needsOther = a.action == SteerKind::Merge || (a.action == SteerKind::Revive && a.other >= 0);
    if (needsOther && (a.other < 0 || a.other >= m.dC || a.other == a.category))
        throw Error(what + ": the other category must be another one in 0.." + std::to_string(m.dC - 1));
    if ((a.action == SteerKind::Pin || a.action == SteerKind::Revive) && a.mass != -1 && !(a.mass > 0 && a.mass < 1))
        throw Error(what + ": the mass must be in (0, 1)");

    SteerSnapshot before;
    before.label = a.label;
    before.priorRow = n.prior[a.label].clone();
    before.pinsRow = n.pins[a.label].clone();
    if (a.action == SteerKind::Revive && n.g->codebook.defined()) {
        before.pageCategory = a.category;
        before.pageG = n.g->codebook[a.label][a.category].detach().clone();
        before.pageEma = n.gEma->codebook[a.label][a.category].detach().clone();
    }
    auto pins = n.pins.clone();
    auto prior = n.prior.clone();
    auto H = pins.accessor<float, 2>();
    auto P = prior.accessor<float, 2>();
    const int l = a.label, k = a.category;
    const std::string name = "category " + std::to_string(k) + " of label " + std::to_string(l);
    switch (a.action) {
    case SteerKind::Empty:
        if (H[l][k] == 0)
            throw Error(name + " is empty already");
        H[l][k] = 0;
        break;
    case SteerKind::Pin: {
        const double mass = a.mass >= 0 ? a.mass : double(P[l][k]);
        if (H[l][k] == 0 || mass <= 0)
            throw Error(name + " is empty: revive it to give it mass");
        H[l][k] = float(mass);
        break;
    }
    case SteerKind::Release:
        if (H[l][k] < 0)
            throw Error(name + " is not held: it follows Q already");
        H[l][k] = -1;
        break;
    case SteerKind::Revive: {
        if (H[l][k] != 0 && P[l][k] >= 0.01f)
            throw Error(name + " holds " + std::to_string(int(std::lround(P[l][k] * 100))) +
                        " % of the mass: only an empty category (emptied, or below 1 %) is revived");
        int alive = 0;
        for (int j = 0; j < m.dC; ++j)
            alive += j == k || (H[l][j] != 0 && P[l][j] >= 0.01f);
        H[l][k] = float(a.mass >= 0 ? a.mass : 1.0 / double(alive)); // held for the rescale below, then free
        break;
    }
    case SteerKind::Merge:
        if (H[l][k] == 0)
            throw Error(name + " is empty already: nothing to merge");
        if (H[l][a.other] == 0)
            throw Error("category " + std::to_string(a.other) + " of label " + std::to_string(l) +
                        " is emptied: revive it before merging into it");
        if (H[l][a.other] >= 0)
            H[l][a.other] += P[l][k];
        else
            P[l][a.other] += P[l][k];
        H[l][k] = 0;
        break;
    case SteerKind::Undo:
        break;
    }
    requireSteerableRow(pins, l);
    prior = heldPrior(prior, pins);
    if (a.action == SteerKind::Revive) {
        pins[l][k] = -1.0f; // free from now on, starting at its share
        if (n.g->codebook.defined()) {
            // A page of its own: fresh as at initialisation (SPEC 3, N(0, s^2)),
            // or a copy of another's with 5 % of its RMS as noise, so that
            // the two can part. Drawn from a generator of the run's seed, the
            // step and the category: the training RNG is untouched, and a
            // replay of the config draws the same page.
            auto gen = at::make_generator<at::CPUGeneratorImpl>(
                config().train.seed * 1000003ULL + uint64_t(n.step) * 7919ULL + uint64_t(l) * 131ULL + uint64_t(k));
            torch::NoGradGuard noGrad;
            const int64_t dP = n.g->codebook.size(2);
            const auto noise = torch::randn({dP}, gen);
            torch::Tensor page;
            if (a.other >= 0) {
                const auto source = n.gEma->codebook[l][a.other].detach().to(torch::kCPU);
                page = source + 0.05 * source.pow(2).mean().sqrt() * noise;
            } else {
                page = noise * config().model.codebookInit;
            }
            n.g->codebook[l][k].copy_(page);
            n.gEma->codebook[l][k].copy_(page);
        }
    }
    n.pins = pins;
    n.prior = prior;
    m_steerUndo.push_back(std::move(before));
    return what;
}

std::string Trainer::steer(SteerAction action)
{
    const auto lock = m_model->gate().forCall();
    const int64_t now = networksOf(*m_model).step;
    action.step = now;
    const std::string text = applySteerLocked(action);
    m_steerPlan.insert(m_steerPlan.begin() + m_steerApplied, action);
    ++m_steerApplied;
    recordEvent({now, "steer", text});
    return text;
}

int Trainer::steerUndoDepth() const
{
    const auto lock = m_model->gate().forCall();
    return int(m_steerUndo.size());
}

void Trainer::resetDataOrder()
{
    auto& s = *m_state;
    s.order = torch::randperm(s.data.size(0), s.rng, torch::kLong);
    s.cursor = 0;
}

torch::Tensor Trainer::nextRealBatch(int64_t first, int64_t count)
{
    auto& s = *m_state;
    const int64_t b = config().train.batch;
    // Epochs of a fresh permutation each; a partial last batch is dropped.
    if (s.cursor + b > s.order.size(0)) {
        if (b > s.order.size(0))
            throw Error("the batch (" + std::to_string(b) + ") is larger than the dataset (" +
                        std::to_string(s.order.size(0)) + " samples)");
        resetDataOrder();
    }
    // Every rank walks the same order; each reads its slice of the batch.
    const auto index = s.order.narrow(0, s.cursor + first, count).to(m_device);
    s.cursor += b;
    return toModelInput(s.data.index_select(0, index));
}

std::pair<torch::Tensor, torch::Tensor> Trainer::sampleLatents(int64_t b)
{
    auto& s = *m_state;
    const auto& m = config().model;
    const auto z = drawLatents(b, m, s.rng);
    // c ~ P(C), label by label (SPEC 2).
    const auto idx = torch::multinomial(networksOf(*m_model).prior, b, /*replacement=*/true, s.rng); // [d_l, b]
    const auto c = torch::one_hot(idx.t(), m.dC).to(torch::kFloat);
    return {z.to(m_device), c.to(m_device)};
}

void Trainer::averageGradients(const std::vector<torch::nn::Module*>& modules)
{
    std::vector<torch::Tensor> grads;
    for (torch::nn::Module* module : modules) {
        if (!module)
            continue;
        for (auto& param : module->parameters()) {
            if (!param.grad().defined()) // every rank must send the same list
                param.mutable_grad() = torch::zeros_like(param);
            grads.push_back(param.mutable_grad());
        }
    }
    m_group->allReduceMean(grads);
}

void Trainer::setProcessGroup(std::shared_ptr<ProcessGroup> group)
{
    const auto lock = m_model->gate().forCall();
    if (!group || group->size() == 1) {
        m_group.reset();
        return;
    }
    const auto& t = config().train;
    const int W = group->size();
    const std::string rank = "rank " + std::to_string(group->rank()) + ": ";
    if (t.batch % W != 0)
        throw Error(rank + "train.batch " + std::to_string(t.batch) + " does not divide among " + std::to_string(W) +
                    " processes (WORLD_SIZE): use a batch that is a multiple of " + std::to_string(W));
    const int64_t b = t.batch / W;
    if (t.lambdaMs > 0 && t.batch % (2 * W) != 0)
        throw Error(rank + "mode seeking (train.lambda_ms) pairs each process's samples: train.batch " +
                    std::to_string(t.batch) + " must be a multiple of 2 x " + std::to_string(W) + " processes");
    const int64_t mbstd = config().model.mbstdGroup;
    if (mbstd > 0 && b % std::min<int64_t>(mbstd, b) != 0)
        throw Error(rank + "model.mbstd_group " + std::to_string(mbstd) + " does not divide each process's " +
                    std::to_string(b) + " samples (train.batch / WORLD_SIZE)");
    // The same run everywhere: the config without the machine's settings
    // (run.device, run.threads), the data, the step.
    const std::string json = toJson(withDefaultMachine(config()), -1);
    group->requireSame(bytesChecksum(json), "their config");
    group->requireSame(tensorChecksum(m_state->data.to(torch::kCPU)) ^ (uint64_t(m_state->data.size(0)) << 32),
                       "their training data");
    group->requireSame(uint64_t(networksOf(*m_model).step), "the step they start from (the checkpoint resumed)");
    // Rank 0's weights and prior on every rank (they agree already when
    // built from the same seed or loaded from the same file; this makes it so).
    auto& n = networksOf(*m_model);
    std::vector<torch::Tensor> state;
    for (torch::nn::Module* module : n.modules())
        for (auto& tensor : module->parameters())
            state.push_back(tensor);
    state.push_back(n.prior);
    group->broadcast(state, 0);
    m_group = std::move(group);
}

void Trainer::updateEma()
{
    // SPEC 4.8: G_ema <- d * G_ema + (1 - d) * G.
    torch::NoGradGuard noGrad;
    const double decay = config().train.emaDecay;
    auto& n = networksOf(*m_model);
    auto src = n.g->parameters();
    auto dst = n.gEma->parameters();
    for (size_t i = 0; i < src.size(); ++i)
        dst[i].lerp_(src[i], 1.0 - decay);
}

StepStats Trainer::step()
{
    StepStats s;
    {
        const auto lock = m_model->gate().forStep();
        s = stepLocked();
    }
    // SPEC 8: the live score, between steps (Q's chunks take the model's
    // lock themselves, so the explorer's calls are not held up for long).
    const int64_t every = config().run.scoreEvery;
    if (m_scorer && every > 0 && s.step % every == 0 && s.finite())
        s.scores = m_scorer->score(*m_model);
    const auto lock = m_model->gate().forCall();
    m_history.add(s);
    return s;
}

std::vector<ScoredStep> Trainer::scoreHistory() const
{
    const auto lock = m_model->gate().forCall();
    return m_history.scores();
}

StepStats Trainer::stepLocked()
{
    applyKnobsLocked();
    auto& n = networksOf(*m_model);
    // The config's steering actions whose step has come (a --steer file, or
    // the explorer's actions on a replay), between the previous step and this one.
    while (m_steerApplied < int64_t(m_steerPlan.size()) && m_steerPlan[size_t(m_steerApplied)].step <= n.step) {
        const SteerAction& a = m_steerPlan[size_t(m_steerApplied)];
        std::string text;
        try {
            text = applySteerLocked(a);
        } catch (const Error& e) {
            throw Error("train.steer[" + std::to_string(m_steerApplied) + "] at step " + std::to_string(a.step) + ": " +
                        e.what());
        }
        ++m_steerApplied;
        recordEvent({n.step, "steer", text});
    }
    const auto start = std::chrono::steady_clock::now();
    auto& st = *m_state;
    const auto& m = config().model;
    // The global batch B; with a process group this rank computes b = B / W
    // samples of it, rows first .. first + b - 1 (setProcessGroup).
    const int64_t B = config().train.batch;
    const int W = m_group ? m_group->size() : 1;
    const int64_t b = B / W;
    const int64_t first = (m_group ? m_group->rank() : 0) * b;
    const auto mine = [&](const torch::Tensor& t) { return W == 1 ? t : t.narrow(0, first, b); };
    const bool vanilla = m.mode == GanMode::Vanilla;
    const bool frozen = priorFrozenLocked();
    const auto& t = config().train;
    const AugmentRange views{t.qAugmentScale, t.qAugmentShift, t.qAugmentRotate};
    // Lazy regularisation (train.reg_every = k, beyond the paper; StyleGAN2):
    // R2 and the CGP, the two double backprops, are taken on every k-th step
    // only, with weight k, so that their mean pull per step is unchanged.
    // k = 1 is the paper's every step.
    const bool regularise = n.step % t.regEvery == 0;
    const double regWeight = double(t.regEvery);
    // Forward passes of D, Q and G run under bf16 autocast when asked; their
    // outputs come back as float, so losses, penalties and the statistics are
    // computed in fp32. The backward and the double backward of the penalties
    // run outside autocast, in the dtypes the forward recorded.
    const auto deviceType = m_device.type();
    const auto forward = [&](const auto& f) {
        const AutocastGuard autocast(deviceType, st.bf16);
        return f().to(torch::kFloat);
    };

    // 1. z, c ~ P(C); fake = G(z, c) with no gradient to G.
    const auto x = inMemoryFormat(nextRealBatch(first, b), n.memoryFormat);
    auto [zAll, cAll] = sampleLatents(B);
    const auto z = mine(zAll), c = mine(cAll);
    torch::Tensor fake;
    {
        torch::NoGradGuard noGrad;
        fake = inMemoryFormat(forward([&] { return n.g->forward(z, c); }), n.memoryFormat);
    }
    if (regularise)
        fake.requires_grad_(true);

    // 2. Pseudo-labels of the real batch from Q, probnormalized while frozen.
    // pMean: the global batch's mean of p (for the prior, step 9).
    torch::Tensor p, cReal, pMean;
    if (!vanilla) {
        torch::NoGradGuard noGrad;
        p = torch::softmax(forward([&] { return n.q->forward(x); }).view({b, m.dL, m.dC}), -1);
        // Steering: an emptied category is never a pseudo-label (losses.h).
        const torch::Tensor& pins = n.pins; // CPU
        p = withoutEmptied(p, pins);
        if (W == 1) {
            if (frozen)
                p = probNormalizeHeld(p, pins);
            pMean = p.mean(0, /*keepdim=*/true);
        } else {
            // probnormalize with the global batch's mean: the ranks' means averaged.
            pMean = p.mean(0, /*keepdim=*/true);
            m_group->allReduceMean(pMean);
            if (frozen) {
                if (anyHeld(pins))
                    p = p - pMean + probNormalizeHeld(pMean, pins);
                else
                    p = p - pMean + 1.0 / double(m.dC);
                pMean = p.mean(0, /*keepdim=*/true);
                m_group->allReduceMean(pMean);
            }
        }
        cReal = torch::one_hot(p.argmax(-1), m.dC).to(torch::kFloat);
    }

    // 3-4. Conditional D scores and R2 on fakes.
    torch::Tensor sReal, sFake;
    const auto dReal = forward([&] { return n.d->forward(x); });
    const auto dFake = forward([&] { return n.d->forward(fake); });
    if (vanilla) {
        sReal = dReal; // [b, 1]: one output, no classifier
        sFake = dFake;
    } else {
        sReal = conditionalScores(dReal.view({b, m.dL, m.dC}), cReal);
        sFake = conditionalScores(dFake.view({b, m.dL, m.dC}), c);
    }
    const auto lDAdv = discriminatorAdversarial(sReal, sFake);
    auto lossDQ = lDAdv;
    torch::Tensor lR2;
    if (regularise) {
        lR2 = r2Penalty(sFake, fake);
        lossDQ = lossDQ + regWeight * m_knobs.lambdaR2 * lR2;
    }

    // 5. Classification loss and classifier gradient penalty on fakes.
    torch::Tensor lCls, lCgp, fakeAcc;
    if (!vanilla) {
        // With train.q_augment_* (beyond the paper) Q reads the codes from a
        // random affine view of each fake; the CGP is then taken with respect
        // to the view Q saw, so nothing is differentiated twice through the
        // resampling. G gets no gradient from Q either way (fake has none).
        auto qInput = fake;
        if (views.any())
            qInput = randomAffine(fake.detach(), views, st.rng, B, first).requires_grad_(regularise);
        const auto qFake = forward([&] { return n.q->forward(qInput); }).view({b, m.dL, m.dC});
        lCls = classificationLoss(qFake, c);
        lossDQ = lossDQ + m_knobs.lambdaCls * lCls;
        if (regularise) {
            lCgp = classifierGradientPenalty(qFake, c, qInput);
            lossDQ = lossDQ + regWeight * m_knobs.lambdaCgp * lCgp;
        }
        fakeAcc = (qFake.argmax(-1) == c.argmax(-1)).to(torch::kFloat).mean();
    }

    // 6. One backward for L_D + L_Q: D and Q share no parameters, so each
    //    gets exactly the gradient of its own loss.
    st.optD->zero_grad();
    if (st.optQ)
        st.optQ->zero_grad();
    lossDQ.backward();
    if (W > 1)
        averageGradients({n.d.ptr().get(), n.q ? n.q.ptr().get() : nullptr});
    st.optD->step();
    if (st.optQ)
        st.optQ->step();

    // 7. Generator step on fresh z, c; D is frozen meanwhile.
    setRequiresGrad(*n.d, false);
    auto [z2All, c2All] = sampleLatents(B);
    // A knob may turn mode seeking on; it pairs the batch in halves, so an odd
    // batch keeps it off (and, across W ranks, a batch that is not a multiple of 2W).
    const double lambdaMs = B % (2 * W) == 0 ? m_knobs.lambdaMs : 0.0;
    torch::Tensor z2 = mine(z2All), c2 = mine(c2All);
    if (lambdaMs > 0) {
        // Mode seeking (train.lambda_ms): the second half repeats the first
        // half's codes (c stays ~ P(C) per sample), z stays fresh.
        const int64_t half = B / 2;
        c2All = torch::cat({c2All.narrow(0, 0, half), c2All.narrow(0, 0, half)}, 0);
        if (W == 1) {
            c2 = c2All;
        } else {
            // This rank's pairs: rows first/2 .. of each half, so its own
            // batch is again [originals | their repeats].
            const int64_t h = b / 2, pairStart = first / 2;
            z2 = torch::cat({z2All.narrow(0, pairStart, h), z2All.narrow(0, half + pairStart, h)}, 0);
            c2 = torch::cat({c2All.narrow(0, pairStart, h), c2All.narrow(0, half + pairStart, h)}, 0);
        }
    }
    const auto gOut = forward([&] { return n.g->forward(z2, c2); });
    const auto dOfG = forward([&] { return n.d->forward(inMemoryFormat(gOut, n.memoryFormat)); });
    const auto sG = vanilla ? dOfG : conditionalScores(dOfG.view({b, m.dL, m.dC}), c2);
    auto lG = generatorAdversarial(sG);
    if (t.lambdaGCls > 0 && !vanilla) {
        // InfoGAN's term (train.lambda_g_cls, beyond the paper): G is pushed to
        // make its code readable by Q, through the views Q learns from.
        setRequiresGrad(*n.q, false);
        const auto qInput = views.any() ? randomAffine(gOut, views, st.rng, B, first) : gOut;
        const auto qOfG = forward([&] { return n.q->forward(inMemoryFormat(qInput, n.memoryFormat)); });
        lG = lG + t.lambdaGCls * classificationLoss(qOfG.view({b, m.dL, m.dC}), c2);
        setRequiresGrad(*n.q, true);
    }
    if (lambdaMs > 0 && W == 1) {
        lG = lG + lambdaMs * modeSeekingLoss(gOut, z2);
    } else if (lambdaMs > 0) {
        // 1 / (M + eps) with M the mean ratio over all pairs, i.e. the ranks'
        // mean. Its value from the averaged M; its gradient through this
        // rank's part: d/dtheta = -(dM_r/dtheta) / (M + eps)^2, which the
        // gradient average turns into the global gradient.
        const auto ratio = modeSeekingRatio(gOut, z2);
        auto global = ratio.detach().clone();
        m_group->allReduceMean(global);
        const auto denominator = global + kModeSeekingEps;
        lG = lG + lambdaMs * (1.0 / denominator - (ratio - ratio.detach()) / denominator.square());
    }
    st.optG->zero_grad();
    lG.backward();
    if (W > 1)
        averageGradients({n.g.ptr().get()});
    st.optG->step();
    setRequiresGrad(*n.d, true);

    // 8. EMA generator.
    updateEma();

    // 9. Dynamic prior (stays uniform while frozen: p was normalised), then
    // the steering holds (losses.h heldPrior; rows without one unchanged).
    if (!vanilla)
        n.prior = heldPrior(updatedPrior(n.prior, pMean.to(torch::kCPU), config().train.priorDecay), n.pins);
    ++n.step;

    // One transfer for all the scalars (a single sync on CUDA).
    // A penalty not taken this step (train.reg_every) is NaN: "not measured".
    const auto zero = torch::zeros({}, lDAdv.options());
    const auto penalty = [&](const torch::Tensor& l) {
        return l.defined() ? l.detach() : torch::full({}, std::nan(""), lDAdv.options());
    };
    auto scalars = torch::stack({lDAdv.detach(), penalty(lR2), lCls.defined() ? lCls.detach() : zero,
                                       vanilla ? zero : penalty(lCgp), lG.detach(),
                                       sReal.detach().mean(), sFake.detach().mean(),
                                       fakeAcc.defined() ? fakeAcc : zero})
                             .to(torch::kCPU, torch::kDouble);
    if (W > 1) // the statistics of the global batch: the ranks' means averaged
        m_group->allReduceMean(scalars);
    const auto v = scalars.accessor<double, 1>();
    StepStats s;
    s.step = n.step;
    s.dAdversarial = v[0];
    s.r2 = v[1];
    s.cls = v[2];
    s.cgp = v[3];
    s.gAdversarial = v[4];
    s.realScore = v[5];
    s.fakeScore = v[6];
    s.fakeAccuracy = v[7];
    s.priorFrozen = frozen;
    s.regularised = regularise;
    s.priorEntropy = priorEntropy(n.prior);
    const auto priorData = n.prior.contiguous();
    s.prior.assign(priorData.data_ptr<float>(), priorData.data_ptr<float>() + priorData.numel());
    s.images = B;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s; // step() adds it to the history
}

} // namespace cgpgan
