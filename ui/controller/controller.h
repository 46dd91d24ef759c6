#pragma once
// The explorer's one door into the engine (STYLE.md, "A worker thread beside
// the UI"). The trainer lives in the controller; the UI thread never calls it.
//
//  - training thread: runTraining() with a TrainingControl (start, pause,
//    resume, single step, stop take effect between steps);
//  - service thread: everything else that touches the trainer (loading data
//    and checkpoints, sampling, codebook reads and edits, knobs, cluster
//    assignment, saving), one job at a time. The trainer's lock puts each of
//    these between two steps.
//
// Results come back as queued signals carrying values (QImage, vectors), never
// pointers into tensor memory. Every asynchronous request returns an id, and
// its result or its failure (errorOccurred) carries that id as its last
// argument, so a panel knows whether a failure is its own; errors of no
// request (e.g. "stop training first") carry 0. Step statistics are coalesced: whatever the
// step rate, the UI gets one statsArrived() per event-loop turn at most.
// Requests that are asked for again before they ran (a grid refresh, a slider
// preview) keep only the newest one per tag.
//
// The error boundary: every service job goes through postJob(), which catches
// whatever the engine throws, turns it into a message with cgpgan::userMessage
// (no backtrace) and reports it as errorOccurred(what, message, id); the
// session stays open. The service loop catches what escapes anyway
// (job_queue.h), and the training thread ends its run with the message. No
// exception ends the explorer.
//
// No <torch/...> here: ui/ headers use the plain values of cgpgan/values.h.
#include "cgpgan/config.h"
#include "cgpgan/dataset.h"
#include "cgpgan/history.h"
#include "cgpgan/values.h"

#include <QImage>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <vector>

namespace cgpgan {
class Trainer;
}

namespace cgpgan::ui {

// What the widgets need to lay themselves out for a session.
struct SessionInfo {
    Config config;                        // run.device is the device actually used
    QString deviceName;                   // "CPU (2 threads)" or "CUDA: NVIDIA H200"
    bool cuda = false;
    QString datasetName;
    int64_t datasetCount = 0;
    bool datasetHasLabels = false;
    int64_t step = 0;                     // steps done (after a load: the checkpoint's)
    int64_t totalSteps = 0;               // where "Start" runs to
    int64_t priorStartStep = -1;
    int64_t parameters = 0;
    QString checkpointPath;               // when opened from a checkpoint
    quint64 request = 0;                  // what openSession/openCheckpoint returned
    std::vector<float> prior;             // [d_l * d_c]
    // Steering holds (issue 27, config.h SteerAction) [d_l * d_c]: -1 free,
    // else the mass held (0: emptied). Kept current by the controller.
    std::vector<float> pins;
    TrainingKnobs knobs;                  // the trainer's knobs when opened
    std::vector<StepStats> history;       // the run so far (bounded, from the checkpoint)
    // The live clustering score (SPEC 8): what each score row holds, by name
    // (empty when it is off), and the scored steps so far.
    std::vector<std::string> scoreNames;
    std::vector<ScoredStep> scores;
    std::vector<RunEvent> events;         // the run's timeline so far, kept current by the controller (issue 27)

    int dL() const { return config.model.dL; }
    int dC() const { return config.model.dC; }
    bool hasCodebook() const { return config.model.codebook; }
    bool images() const { return config.model.arch != Arch::Mlp; }
    int64_t combinations() const { return config.model.combinations(); }
};

// Another run, for comparing its curves with this session's (issue 27,
// "Compare runs"): read from its checkpoint without its weights.
struct ComparedRun {
    QString path;
    Config config;
    int64_t step = 0;
    std::vector<StepStats> history;       // its curves (bounded, as saved)
    std::vector<ScoredStep> scores;       // its live clustering scores
    std::vector<RunEvent> events;         // its timeline
    // configDifferences(this session's config, its config): "train.lr_g: 0.002 -> 0.001"
    std::vector<std::string> differences;
    quint64 request = 0;                  // what openComparison() returned
};

// The real images nearest to one generated tile in Q's feature space (issue
// 27, "What a column means": a memorisation check). Distances are Euclidean
// between Q's penultimate features, all taken at `step`.
struct NearestReal {
    quint64 request = 0;
    int64_t step = 0;
    QImage tile;                  // the generated image
    std::vector<int64_t> samples; // dataset indices, nearest first
    std::vector<float> distances; // same order
    // The median distance between the tile and the real images: how "near"
    // the nearest are, against the typical distance.
    float medianDistance = 0;
};

// Samples from G_ema: tile (r, j) = G_ema(z_r, codes of column j), z_r the
// r-th of `rows` fixed latent rows drawn from zSeed (so the same seed gives
// the same z across refreshes). codes: columns * d_l * d_c floats (soft codes
// allowed; each label's d_c entries should sum to 1).
struct SampleRequest {
    QString tag;               // coalescing key: "grid", "preview", "cluster", ...
    int rows = 1;
    int columns = 1;
    uint64_t zSeed = 1;
    std::vector<float> codes;
    int firstRow = 0;          // z rows firstRow .. firstRow+rows-1 of the seed's sequence
};

struct SampleResult {
    quint64 id = 0;            // what request...() returned
    SampleRequest request;
    QVector<QImage> tiles;     // rows * columns, row-major; toy-2d: empty
    int64_t step = 0;          // the model's step when sampled
    // z-diversity of the tiles (cgpgan/diversity.h: within-column pixel
    // distance / real images' pairwise distance; 0 = rows identical), NaN
    // for fewer than 2 rows or point data.
    double zDiversity = std::numeric_limits<double>::quiet_NaN();
};

// The codebook of G_ema (SPEC 3), [d_l][d_c][d_p] row-major.
struct CodebookSnapshot {
    int dL = 0, dC = 0, pageSize = 0;
    std::vector<float> values;
    int64_t step = 0;
    quint64 request = 0; // what requestCodebook() (or writePages()) returned
    const float* page(int label, int category) const
    {
        return values.data() + (size_t(label) * dC + category) * pageSize;
    }
};

struct PageWrite {
    int label = 0, category = 0;
    std::vector<float> values; // pageSize floats
};

class TrainingController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrainingController)
public:
    enum class State { Empty, Loading, Ready, Running, Paused, Finished };
    // The kinds of service job (for the error boundary's test seam).
    enum class Job { Open, Sample, Knobs, Codebook, Pages, Assign, Map, Save, Export, Compare, Steer, Animation };
    Q_ENUM(State)

    explicit TrainingController(QObject* parent = nullptr);
    // Requests a stop and joins both threads (closing mid-step ends cleanly).
    ~TrainingController() override;

    State state() const { return m_state; }
    bool hasSession() const;
    const SessionInfo& session() const { return m_session; } // valid when hasSession()
    // The session's data; immutable, safe to read from the UI thread.
    std::shared_ptr<const Dataset> dataset() const { return m_data; }
    int64_t step() const { return m_step; }
    TrainingKnobs knobs() const { return m_knobs; }
    // Intra-op threads for configs that say 0 ("all cores"). The window sets
    // cores - 1: on 2 cores, training measured faster beside the UI with one
    // thread than with two (docs/performance.md, responsiveness). 0 = all cores.
    void setAutomaticThreads(int threads) { m_automaticThreads = threads; }

    // ---- Sessions (not while training runs: stop first) ----
    // Load the data a config names and build the trainer, on the service
    // thread; then sessionReady() (SessionInfo::request = the id returned)
    // or errorOccurred(..., id).
    quint64 openSession(const Config& config);
    // Same with data already loaded (tests, the built-in set).
    quint64 openSession(const Config& config, std::shared_ptr<const Dataset> data);
    // Restore a checkpoint onto the data its config names, or onto
    // dataOverride when given (shapes must fit).
    quint64 openCheckpoint(const QString& path, const DataSpec* dataOverride = nullptr);

    // ---- Training ----
    void start();       // from Ready/Finished/Paused: run to session().totalSteps
    void pause();
    void resume();
    void stepOnce();    // one step, then Paused
    void stop();        // ends the run after the current step (state Ready)
    // Raise or lower where the run ends (e.g. "train 1000 more"); totalStepsChanged follows.
    void setTotalSteps(int64_t steps);
    // Applied from the next step (SPEC 4 knobs); knobsApplied(..., id) follows.
    quint64 setKnobs(const TrainingKnobs& knobs);
    // Steering (issue 27): applies action between two steps (trainer.h
    // Trainer::steer; an undo takes back the last one), then steered(...)
    // with the prior and holds it left, or errorOccurred(.., id) saying why
    // it was refused (nothing changed then). A "steer" event on the timeline.
    quint64 steer(const SteerAction& action);
    // The run's events so far (issue 27, "interventions on the timeline"):
    // knob changes, page edits, starts, pauses, resumes and stops, each
    // recorded in the trainer's history (so in every checkpoint) and
    // announced by eventRecorded(). Read on the UI thread.
    const std::vector<RunEvent>& events() const { return m_session.events; }

    // Blocks until the training thread has ended (after stop()).
    void waitForStop();
    // stop() then waitForStop(); nothing happens when no run is going.
    void stopAndWait()
    {
        stop();
        waitForStop();
    }

    // ---- Service jobs (results by signal) ----
    // Each returns the id its answer carries: the result, or
    // errorOccurred(what, message, id) (also when there is no session). A
    // tagged request replaced by a newer one of the same tag before it ran is
    // answered by the newer one's result only (one in flight per tag is how
    // the panels use them, so none of theirs is ever replaced).
    quint64 requestSamples(const SampleRequest& request);
    quint64 requestCodebook();
    // Writes pages into G and G_ema between steps, then emits
    // pagesWritten(id) and codebookReady() with the new values. The write is
    // a "pages" event on the run's timeline, described by description
    // ("Copy L0 c1 to L0 c2"; empty: the pages written are listed).
    quint64 writePages(const std::vector<PageWrite>& pages, const QString& description = {});
    quint64 assignClusters(); // clustersReady(.., id) or clustersCancelled(id)
    void cancelClusters();
    // A 2-D map of the real images (cgpgan/embedding.h: Q's penultimate
    // features by PCA, or t-SNE on a subsample of at most maxPoints), taking
    // the model's lock per chunk of Q: mapProgress(permille) then
    // mapReady(map, id), or mapCancelled(id) after cancelMap().
    quint64 computeMap(cgpgan::MapMethod method, int64_t maxPoints = 5000);
    void cancelMap();
    // The `count` real images nearest to tile (z row tile.firstRow of
    // tile.zSeed, the one column of tile.codes) in Q's penultimate features,
    // on the service thread: nearestRealReady(result) or errorOccurred(.., id).
    // The real images' features are taken once per model step (a pass of Q
    // over the data, with nearestRealProgress) and reused until the model moves on.
    quint64 requestNearestReal(const SampleRequest& tile, int count = 8);
    // A latent walk (values.h LatentWalk) written to each of paths (.webp
    // and/or .mp4, cgpgan/animation.h) at fps, on the long-pass thread (the
    // grid keeps refreshing): animationProgress(frame, frames) per frame, then
    // animationExported(...) or animationCancelled(id) after
    // cancelAnimation(), or errorOccurred(.., id). Nothing is left at a path
    // that was not finished.
    quint64 exportAnimation(const LatentWalk& walk, const QStringList& paths, double fps);
    void cancelAnimation();
    // Reads another run's checkpoint (its history, config and events; no
    // weights) on the service thread: comparisonReady(run) with the
    // differences of its config from this session's, or errorOccurred(.., id).
    quint64 openComparison(const QString& path);
    // checkpointSaved(path, step, id) once the file is written and renamed:
    // step is the step it holds.
    quint64 saveCheckpoint(const QString& path);
    // For closing: waits for the service thread, saves, returns "" or the error.
    QString saveCheckpointNow(const QString& path);
    // TorchScript G_ema and Q, a state dict and model.json into folder
    // (cgpgan/export.h), between two steps: modelExported(folder, files, step, id).
    quint64 exportModel(const QString& folder);

    // Helpers for codes: one-hot columns for combination ids (label 0 most
    // significant, SPEC 6), and the id of a tuple of categories.
    std::vector<float> combinationCodes(const std::vector<int64_t>& combinations) const;
    std::vector<int> categoriesOf(int64_t combination) const;

    // Test seam: `probe(kind)` runs at the start of every later service job,
    // inside the error boundary, so that a test can make any kind of job fail
    // as if the engine had thrown. An empty probe removes it.
    void setFaultInjection(std::function<void(Job)> probe);

Q_SIGNALS:
    void stateChanged(cgpgan::ui::TrainingController::State state);
    void sessionReady(const cgpgan::ui::SessionInfo& info);
    void statsArrived(const QVector<cgpgan::StepStats>& stats);
    void runEnded(cgpgan::RunEnd end, const QString& message);
    void samplesReady(const cgpgan::ui::SampleResult& result);
    void codebookReady(const cgpgan::ui::CodebookSnapshot& codebook);
    void pagesWritten(quint64 request);
    void knobsApplied(const cgpgan::TrainingKnobs& knobs, quint64 request);
    void clusterProgress(qint64 done, qint64 total);
    void clustersReady(const cgpgan::ClusterAssignment& assignment, quint64 request);
    void clustersCancelled(quint64 request);
    void mapProgress(int permille);
    void mapReady(const cgpgan::ClusterMap& map, quint64 request);
    void mapCancelled(quint64 request);
    void checkpointSaved(const QString& path, qint64 step, quint64 request);
    void modelExported(const QString& folder, const QStringList& files, qint64 step, quint64 request);
    // what: a short title ("Could not load the data"); message: what to fix;
    // request: the id of the request that failed, 0 for none.
    void errorOccurred(const QString& what, const QString& message, quint64 request);
    void comparisonReady(const cgpgan::ui::ComparedRun& run);
    void totalStepsChanged(qint64 steps);
    void nearestRealReady(const cgpgan::ui::NearestReal& result);
    // The pass of Q over the real images a nearest-images request needs first.
    void nearestRealProgress(int permille);
    // A steering action landed (steer()): text describes it; prior and
    // pins [d_l * d_c] are the prior and holds after it.
    void steered(const QString& text, const std::vector<float>& prior, const std::vector<float>& pins, quint64 request);
    void animationProgress(int frame, int frames);
    // encoders: what wrote each file ("WebP (lossless, libwebp 1.2)", "H.264 (libx264)").
    void animationExported(const QStringList& paths, int frames, qint64 step, const QStringList& encoders,
                           quint64 request);
    void animationCancelled(quint64 request);
    // A new event on the run's timeline (events()).
    void eventRecorded(const cgpgan::RunEvent& event);

private:
    struct Impl;
    void setState(State state);
    // From the service thread: make a new trainer the session (on the UI thread).
    void adoptSession(std::shared_ptr<Trainer> trainer, std::shared_ptr<const Dataset> data, SessionInfo info);
    quint64 nextId();
    // Reports a failure of request id from the service thread (or, queued, from the UI thread).
    void fail(quint64 id, const QString& what, const QString& message);
    void drainStats();
    void launchTraining(bool startPaused, bool singleStep);
    // The training thread of run `runId` ended: join it, report once.
    void finishRun(int runId);
    // The error boundary: runs body on the service thread (with a tag, a
    // queued job of the same tag is dropped and this one queued at the back:
    // newest wins, order kept). Whatever body throws becomes
    // errorOccurred(failure, userMessage, id) on the UI thread, after
    // onFailure (e.g. restoring the state) when given.
    void postJob(Job kind, quint64 id, const QString& failure, std::function<void()> body, const QString& tag = {},
                 std::function<void()> onFailure = {});
    // Records an event at the current step: in the trainer's history (its own
    // small lock, never the model's: the UI thread does not wait for a step),
    // in events(), and by eventRecorded().
    void recordEvent(const std::string& kind, const QString& text);
    // The same for an event the trainer has already recorded (knobs, pages).
    void announceEvent(const RunEvent& event);
    // Runs fn on this object's (UI) thread.
    void toUi(std::function<void()> fn);
    // A cancellable pass over the dataset on the service thread (clusters, map).
    // work(progress) does the pass and returns what to run on the UI thread with
    // its result; progress(done, total) reports at most 1000 times, through
    // onProgress on the UI thread, and returns false once `cancel` is set. A pass
    // that throws after a cancel ends in onCancelled, any other failure in
    // errorOccurred(failure, .., id).
    using PassProgress = std::function<bool(int64_t, int64_t)>;
    void postPass(Job kind, std::atomic<bool>& cancel, const QString& tag, const QString& failure, quint64 id,
                  std::function<std::function<void()>(const PassProgress&)> work,
                  std::function<void(int64_t, int64_t)> onProgress, std::function<void()> onCancelled);

    std::unique_ptr<Impl> m_impl;
    State m_state = State::Empty;
    SessionInfo m_session;
    std::shared_ptr<const Dataset> m_data;
    int64_t m_step = 0;
    TrainingKnobs m_knobs;
    int m_automaticThreads = 0;
};

} // namespace cgpgan::ui

Q_DECLARE_METATYPE(cgpgan::ui::SessionInfo)
Q_DECLARE_METATYPE(cgpgan::ui::SampleResult)
Q_DECLARE_METATYPE(cgpgan::ui::CodebookSnapshot)
Q_DECLARE_METATYPE(cgpgan::StepStats)
Q_DECLARE_METATYPE(cgpgan::TrainingKnobs)
Q_DECLARE_METATYPE(cgpgan::ClusterAssignment)
Q_DECLARE_METATYPE(cgpgan::ClusterMap)
Q_DECLARE_METATYPE(cgpgan::RunEnd)
Q_DECLARE_METATYPE(cgpgan::RunEvent)
Q_DECLARE_METATYPE(cgpgan::ui::ComparedRun)
Q_DECLARE_METATYPE(cgpgan::ui::NearestReal)
