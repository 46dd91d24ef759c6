#pragma once
// The plain values the trainer reports and takes (no torch, no Qt): what the
// command line prints and what the explorer's widgets show. ui/ headers use
// these instead of trainer.h.
#include "cgpgan/config.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace cgpgan {

// One line of the live clustering score (SPEC 8, issue 23): Q against one
// ground-truth label column of the data, or against their combination.
struct LabelScore {
    std::string name;  // the data's label column ("shape", "digit"), or "combined"
    int qLabel = -1;   // the Q label matched to it (-1 for combined: all of Q's labels)
    double accuracy = 0; // Hungarian ACC
    double nmi = 0;
    double ari = 0;
};

// Everything logged per step (SPEC 4, "Logged per step").
struct StepStats {
    int64_t step = 0;           // steps completed, this one included
    double dAdversarial = 0;    // adversarial part of L_D
    double r2 = 0;              // L_r2 (NaN on a step without penalties)
    double cls = 0;             // L_cls (0 in vanilla mode)
    double cgp = 0;             // L_cgp (0 in vanilla mode; NaN on a step without penalties)
    double gAdversarial = 0;    // L_G
    double realScore = 0;       // mean s_real
    double fakeScore = 0;       // mean s_fake
    double fakeAccuracy = 0;    // argmax Q(fake) == c, over batch and labels
    double priorEntropy = 0;    // mean over labels, nats
    bool priorFrozen = true;
    std::vector<float> prior;   // P, row-major [d_l, d_c]
    double seconds = 0;         // wall time of the step
    int64_t images = 0;         // real images consumed (the batch size)
    // z-diversity of G_ema's grid (cgpgan/diversity.h), set by the caller on
    // the steps where it draws a grid; NaN (an empty CSV cell) elsewhere.
    double zDiversity = std::numeric_limits<double>::quiet_NaN();
    // With train.reg_every = k > 1, R2 and the CGP are taken on every k-th
    // step only; on the others this is false and r2 / cgp are NaN ("not
    // measured", an empty CSV cell), which finite() does not count.
    bool regularised = true;
    // The live clustering score (run.score_every, analysis/live_score.h) on
    // the steps where it was taken, else empty: one entry per label column
    // of the data, then "combined" when the data has several columns or Q
    // several labels.
    std::vector<LabelScore> scores;

    bool finite() const;
};

// What may change while training (applied from the next step).
struct TrainingKnobs {
    double lrG = 0, lrD = 0, lrQ = 0;
    double lambdaR2 = 0, lambdaCls = 0, lambdaCgp = 0;
    // Prior: follow the config's prior_start (Auto), or force it.
    enum class PriorMode { Auto, Frozen, Free } priorMode = PriorMode::Auto;
    // Mode seeking on G (train.lambda_ms); used only when the batch is even.
    double lambdaMs = 0;
};

// Something done to a run, on its timeline (issue 27, "interventions"): a
// knob change, a page edit, a pause, a resume, a stop, a start. Kept in the
// run's history (every checkpoint) and, for `cgpgan train`, in the run
// folder's events.csv; the explorer draws each as a marker on its charts.
struct RunEvent {
    int64_t step = 0;     // steps done when it happened: it acts from step + 1
    std::string kind;     // "knobs", "pages", "pause", "resume", "stop", "start", "resume-run"
    std::string text;     // what changed, in words ("lr G 0.002 -> 0.001")
};

// "lr G 0.002 -> 0.001, prior frozen -> auto": the knobs that differ, or "".
std::string describeKnobChange(const TrainingKnobs& before, const TrainingKnobs& after);

// Q over a dataset (SPEC 6): per sample and label the argmax category and its
// probability, plus the combined cluster id (mixed radix, label 0 most
// significant) with the product of the probabilities as its confidence.
struct ClusterAssignment {
    int64_t count = 0;
    int dL = 0, dC = 0;
    std::vector<int32_t> category;    // [count * d_l]
    std::vector<float> confidence;    // [count * d_l]
    std::vector<int64_t> combined;    // [count]; -1 when combinations() == kTooManyCombinations
    std::vector<float> combinedConfidence; // [count]
    int64_t step = 0;                 // the model's step when Q ran
    int64_t combinations() const;     // saturated, see kTooManyCombinations
};

// A 2-D map of real images (SPEC 7 "A map of the clusters"): Q's penultimate
// features projected by PCA (every sample) or t-SNE (a subsample), with Q's
// categories from the same pass so that colours and coordinates agree.
enum class MapMethod { Pca, Tsne };
struct ClusterMap {
    MapMethod method = MapMethod::Pca;
    int dL = 0, dC = 0;
    std::vector<int64_t> samples;  // [n] dataset indices, ascending
    std::vector<float> xy;         // [n * 2]
    std::vector<int32_t> category; // [n * d_l], argmax Q per label
    std::vector<int64_t> combined; // [n]; -1 when combinations() == kTooManyCombinations
    double explained[2] = {0, 0};  // PCA: each axis's share of the feature variance (t-SNE: of its PCA start)
    int featureDim = 0;            // width of Q's penultimate layer
    int64_t step = 0;              // the model's step when Q ran
    int64_t count() const { return int64_t(samples.size()); }
};

// A latent walk (issue 27, "latent walks as animation"; the kinds and their
// frames: model/cgpgan/latent_walk.h, which renders it).
struct LatentWalk {
    enum class Kind { Z, Pages, Path };
    Kind kind = Kind::Z;
    // z: the columns (combination ids); pages: the base combination (one);
    // path: the combinations visited in order (at least 2).
    std::vector<int64_t> combinations;
    int label = 0, pageA = 0, pageB = 1; // pages: label's category A -> B
    int rows = 1;           // fixed z rows (the first `rows` of zSeed's sequence)
    int frames = 60;        // frames in all
    int keyframes = 4;      // z: points of the loop
    uint64_t zSeed = 1;
    int scale = 4;          // each pixel becomes scale x scale

    // "z walk of 3 columns", "pages 0 -> 2 of label 1", "path 0 -> 5 -> 10".
    std::string describe() const;
    // A frame's width and height in pixels for tiles of resolution x
    // resolution: a tile grid (rows = z; columns = the combinations of a z
    // walk, else one) with 2 px gaps, as tileImages draws it, times scale.
    std::pair<int, int> frameSize(int resolution) const;
};

// What `cgpgan info` shows without building the networks.
struct CheckpointInfo {
    Config config;
    int64_t step = 0;
    std::vector<float> prior;
    std::vector<float> pins; // steering holds [d_l * d_c]: -1 free, else the held mass (0: emptied)
    int formatVersion = 0;
    int64_t parameters = 0; // G + D + Q
    bool checksummed = false; // carries checksums (older checkpoints do not)
};

// How runTraining() ended.
enum class RunEnd { Finished, Stopped, NotFinite };

} // namespace cgpgan
