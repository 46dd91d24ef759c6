#pragma once
// The trainer: a Model (model.h) plus what training needs: the data and its
// order, the optimizers, the random state of z, c and the order, and the
// knobs. It runs SPEC 4 one step at a time; what it measures comes back as
// data (StepStats); it never prints.
//
// Threads: step(), the model's calls, setKnobs() and save() may be called
// from different threads; the model's lock serialises them, so an edit or a
// sample always lands between two steps, and step() lets a waiting caller in
// first (a running loop cannot starve it).
#include "cgpgan/config.h"
#include "cgpgan/dataset.h"
#include "cgpgan/history.h"
#include "cgpgan/model.h"
#include "cgpgan/values.h"

#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace cgpgan {

class ProcessGroup; // distributed.h
class LiveScorer;   // live_score.h

class Trainer final {
public:
    // Builds a Model for config on its device (run.device) and takes the
    // data (checked against the model's channels and resolution).
    Trainer(Config config, std::shared_ptr<const Dataset> data);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    // One full step, SPEC 4 items 1-9; on every run.score_every-th step of a
    // run on labelled data, then the live clustering score (live_score.h)
    // into the stats' scores, after the step and outside its seconds.
    StepStats step();

    // ---- Data-parallel training (distributed.h, issue 13) ----
    // Makes this trainer one rank of group. Every rank must call it, with the
    // same config, data and (after load) step; it checks that they agree and
    // gives every rank rank 0's weights and prior. From then on a step means
    // what a step on one process with the global batch train.batch means:
    // the data order, z, c and Q's views are drawn for the whole batch from
    // the shared random state and each rank takes its slice of
    // train.batch / size samples; D's, Q's and G's gradients, the batch mean
    // of Q's pseudo-labels (probnormalize, the prior) and mode seeking's
    // distance ratio are averaged over the ranks; the returned StepStats are
    // the ranks' mean. Throws Error (on every rank) when the batch does not
    // divide among the ranks or when the ranks disagree.
    void setProcessGroup(std::shared_ptr<ProcessGroup> group);

    // The model being trained: sample, classify and edit pages through it
    // (its calls land between two steps).
    Model& model() { return *m_model; }
    const Model& model() const { return *m_model; }

    const Config& config() const { return m_model->config(); }
    const Dataset& dataset() const { return *m_data; }
    std::shared_ptr<const Dataset> datasetPtr() const { return m_data; }
    int64_t stepCount() const { return m_model->step(); }
    int64_t totalSteps() const { return m_totalSteps; }
    int64_t priorStartStep() const { return m_priorStart; }
    bool priorFrozen() const;

    TrainingKnobs knobs() const;
    // Applied from the next step. A change is recorded as a "knobs" event
    // (recordEvent); returns its text ("lr G 0.002 -> 0.001"), "" when the
    // knobs were already these.
    std::string setKnobs(const TrainingKnobs& knobs);

    // ---- Steering (issue 27; config.h SteerAction, SPEC 4.9 extended) ----
    // Applies action now, between two steps (action.step is ignored: it
    // happens at the current step). It is recorded in the run's config
    // (train.steer, so the run can be replayed from its config) and as a
    // "steer" event. Returns its description ("empty category 2 of label 0").
    // Throws Error, changing nothing, when it cannot apply: a category out
    // of range, the last free category of a row, held masses reaching 1,
    // reviving a category that is not empty, nothing to undo.
    // The config's own actions (a --steer file) are applied by step() when
    // their step comes.
    std::string steer(SteerAction action);
    // How many actions can be undone now.
    int steerUndoDepth() const;

    // ---- The run's events (issue 27: interventions on the timeline) ----
    // Records event in the run's history (saved in every checkpoint). Any
    // thread: it takes a small lock of its own, never the model's, so a
    // window can record a pause without waiting for a step.
    void recordEvent(const RunEvent& event);
    // The events so far, in step order.
    std::vector<RunEvent> events() const;
    // The config as a checkpoint saved now would record it: the knobs set
    // while training replace the fields they started from (checkpoint.cpp).
    Config recordedConfig() const;

    // The run's statistics so far, thinned to at most StepHistory's capacity
    // (history.h); saved in every checkpoint and restored by load().
    std::vector<StepStats> history() const;
    // The run's live clustering scores so far (history.h), saved likewise.
    std::vector<ScoredStep> scoreHistory() const;
    // The subsample the live score uses; null when it is off (no labels,
    // run.score_every 0, or a vanilla GAN without Q).
    const LiveScorer* liveScorer() const { return m_scorer.get(); }

    // ---- Checkpoints: one file, written atomically ----
    // Returns the step the file holds (a save lands between two steps).
    // Throws Error (and writes nothing) when a failure to write, or a tensor
    // that is not finite, stops it; the previous file stays.
    int64_t save(const std::string& path) const;
    // The names of the weights and optimizer states that are NaN or infinite
    // (empty when all are finite): losses can stay finite while Adam's
    // moments overflow, and such a state is never saved.
    std::vector<std::string> nonFiniteState() const;
    // Restores everything (networks, optimizers, prior, step, RNG, data
    // order). Throws Error naming the differing fields when shapes differ.
    void load(const std::string& path);
    // The config, step, prior and parameter count of a checkpoint.
    static CheckpointInfo readInfo(const std::string& path);
    // A checkpoint's history (curves, scores, events) without its weights:
    // what comparing two runs needs (issue 27). Empty for a checkpoint
    // written before histories; the seal is checked as by every reader.
    static StepHistory readHistory(const std::string& path);

    struct State; // defined in model_impl.h
private:
    StepStats stepLocked();
    bool priorFrozenLocked() const;
    // Rows first .. first + count - 1 of the next batch of the data order
    // (the whole batch on one process), moving on by train.batch.
    torch::Tensor nextRealBatch(int64_t first, int64_t count);
    // The gradients of modules (null ones skipped) averaged over the process group.
    void averageGradients(const std::vector<torch::nn::Module*>& modules);
    std::pair<torch::Tensor, torch::Tensor> sampleLatents(int64_t n);
    void applyKnobsLocked();
    // Applies action to the networks (what steer() and a scheduled action do).
    std::string applySteerLocked(const SteerAction& action);
    Config configWithKnobsLocked() const;
    void resetDataOrder();
    void updateEma();

    std::shared_ptr<Model> m_model;
    std::shared_ptr<const Dataset> m_data;
    torch::Device m_device;
    int64_t m_totalSteps = 0;
    int64_t m_priorStart = -1;
    std::unique_ptr<State> m_state;
    std::optional<TrainingKnobs> m_pendingKnobs;
    TrainingKnobs m_knobs;
    std::shared_ptr<ProcessGroup> m_group; // null: a run on its own
    StepHistory m_history; // its events also under m_eventsMutex (recordEvent runs on any thread)
    mutable std::mutex m_eventsMutex;
    std::unique_ptr<LiveScorer> m_scorer;
    // Steering: the run's actions in step order (the config's, then each
    // live one inserted where it happened), how many have been applied, and
    // what each applied one changed, for undo (not saved: a reopened run
    // starts with nothing to undo, as page edits do): the prior row and holds
    // of its label, and a revived category's page in G and G_ema.
    struct SteerSnapshot {
        int label = 0;
        torch::Tensor priorRow, pinsRow;
        int pageCategory = -1; // -1: no page changed
        torch::Tensor pageG, pageEma;
    };
    std::vector<SteerAction> m_steerPlan;
    int64_t m_steerApplied = 0;
    std::vector<SteerSnapshot> m_steerUndo;
};

// The config saved in a checkpoint, with the machine-specific settings
// (run.device, run.threads) back at their defaults: where a model was trained
// says nothing about the machine that now reads it.
Config checkpointConfig(const std::string& checkpoint);
// config with run.device and run.threads at their defaults.
Config withDefaultMachine(Config config);

} // namespace cgpgan
