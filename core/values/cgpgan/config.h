#pragma once
// A run's configuration: every shape, width and loss weight of SPEC 3-5 is a
// field here, never a constant in the math. Stored as JSON (presets ship in
// resources/presets and are embedded in the binary).
#include "cgpgan/combinations.h"
#include "cgpgan/data.h"
#include "cgpgan/settings.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cgpgan {

struct ModelConfig {
    Arch arch = Arch::Conv;          // conv | mlp (toy-2d)
    GanMode mode = GanMode::Cgpgan;  // cgpgan | vanilla (SPEC 3: the paper's Fig. 1 baseline)
    bool codebook = true;        // SPEC 3: page vectors instead of the one-hot code
    int resolution = 32;         // R, power of two 16..256 (conv)
    int channels = 3;            // image channels (conv) or point dimension (mlp)
    // conv: generator up-block output widths, top first; W = gWidths[0]; one
    // up-block per entry, so size() == log2(R / 4).
    std::vector<int> gWidths{128, 64, 32};
    // conv: encoder widths; the 1x1 input conv goes to dWidths[0]; one
    // down-block per entry (block i outputs dWidths[i]); size() == log2(R / 4).
    std::vector<int> dWidths{32, 64, 128};
    // mlp: hidden widths of the generator and of the encoder.
    std::vector<int> mlpHidden{256, 256};
    int dZ = 128;                     // continuous latent size
    int dL = 2;                       // number of labels
    int dC = 4;                       // categories per label
    LatentDist latentDist = LatentDist::Normal; // normal | uniform (U(-sqrt3, sqrt3)), SPEC 2
    // Ablations (issue 9). Each default is the paper's architecture.
    // Width of the encoder's hidden dense layer; 0 = the paper's 2 * d_l * d_c (SPEC 3).
    int dHidden = 0;
    // Minibatch standard deviation in D (Karras et al. 2018, StyleGAN): at 4x4,
    // one feature map holding the mean std over groups of this many samples is
    // appended before the last conv. 0 = off (the paper); Q never has it.
    int mbstdGroup = 0;
    // Standard deviation of the codebook's initial N(0, s^2) pages (SPEC 3: 1).
    double codebookInit = 1.0;

    int hiddenWidth() const { return dHidden > 0 ? dHidden : 2 * dL * dC; }

    int topWidth() const { return arch == Arch::Mlp ? mlpHidden.front() : gWidths.front(); }
    // d_p of SPEC 3: (conv) 4*4*W / d_l, (mlp) W / d_l.
    int pageSize() const;
    // d_c ^ d_l, saturated at kTooManyCombinations (16^16 does not fit in int64).
    int64_t combinations() const;
    // Trainable parameters of G + D + Q this config builds (networks.cpp),
    // counted without building anything; test_integrity holds it to the real count.
    int64_t parameterEstimate() const;
};

// One steering action (issue 27; SPEC 4.9 as this product extends it): what a
// person does to Q's categories, applied between two steps. Each category
// (label l, category k) of the prior is *free* (it follows Q, SPEC 4.9) or
// *held* at a mass: held at 0 it is *emptied*, held above 0 it is *pinned*.
//  - empty: held at 0; its mass goes to the row's free categories in
//    proportion to theirs; c never takes it and Q's pseudo-labels and cluster
//    assignments pass it over (its images go to their next most likely category).
//  - pin: held at `mass` (-1: its mass now); the free categories share the rest.
//  - release: free again (its mass stays where it is and then follows Q).
//  - revive: free, at `mass` (-1: an equal share of the row), with page
//    `other` copied (plus 5 % noise, so that the two can part) or, with
//    other = -1, a fresh page drawn as at initialisation.
//  - merge: `category` is emptied into `other` (its mass added to other's;
//    other's page kept).
//  - undo: the last action not yet undone is taken back (prior, holds and
//    pages as they were before it).
// Every row keeps at least one free category and its held masses sum below 1.
struct SteerAction {
    int64_t step = 0;   // applied after this many steps, before the next one
    SteerKind action = SteerKind::Empty;
    int label = 0;
    int category = 0;
    int other = -1;     // merge: the category kept ("into"); revive: the page copied ("from"), -1 a fresh page
    double mass = -1;   // pin, revive: the mass; -1 as above

    // An action at step 0 (the explorer's and Trainer::steer's step is "now").
    static SteerAction of(SteerKind kind, int label = 0, int category = 0, int other = -1, double mass = -1)
    {
        SteerAction a;
        a.action = kind;
        a.label = label;
        a.category = category;
        a.other = other;
        a.mass = mass;
        return a;
    }

    bool operator==(const SteerAction& o) const
    {
        return step == o.step && action == o.action && label == o.label && category == o.category &&
               other == o.other && mass == o.mass;
    }
};

// "empty category 2 of label 0", "merge category 3 into 1 (label 0)", "undo".
std::string describeSteer(const SteerAction& action);

struct TrainConfig {
    int batch = 16;
    double lrG = 3e-3, lrD = 3e-3, lrQ = 3e-3; // AdamW, one optimizer each (SPEC 4)
    double weightDecay = 1e-4;
    double beta1 = 0.0, beta2 = 0.99;
    double lambdaR2 = 10, lambdaCls = 1, lambdaCgp = 10;
    // Ablations (issue 9); defaults are the paper's (off / 1).
    // Mode-seeking regularisation on G (Mao et al. 2019, MSGAN): half of G's
    // batch repeats the other half's codes with fresh z, and L_G gains
    // lambda_ms / (eps + mean|G(z1,c) - G(z2,c)| / mean|z1 - z2|). 0 = off.
    double lambdaMs = 0;
    // The codebook's learning rate is lr_g times this (SPEC 3: 1, like any G weight).
    double codebookLrScale = 1.0;
    // Random affine views for Q's classification of fakes (core/include/cgpgan/augment.h):
    // zoom in [1/(1+s), 1+s], shift +-f of the side, rotation +-a degrees. 0 = off (the paper).
    double qAugmentScale = 0, qAugmentShift = 0, qAugmentRotate = 0;
    // Classifier loss on G (InfoGAN, Chen et al. 2016; ClusterGAN): L_G gains
    // lambda_g_cls * CE(c, Q(G(z, c))), with Q read through the same random
    // views as above, so G must put each code into what Q can read. 0 = off
    // (SPEC 4.7 and the official code: G gets no classifier loss).
    double lambdaGCls = 0;
    // Lazy regularisation (StyleGAN2, Karras et al. 2020): R2 and the CGP are
    // taken on every reg_every-th step only, weighted by reg_every, which
    // saves most of their double backprops. 1 = every step (SPEC 4, the paper).
    int regEvery = 1;
    // Step from which the prior follows Q (SPEC 4.9); -1 = never. When
    // priorStartEpoch >= 0 it wins and is converted with the dataset size.
    int64_t priorStartStep = -1;
    double priorStartEpoch = -1;
    double priorDecay = 0.999;
    double emaDecay = 0.999;
    // Length of a run: steps, or epochs when epochs > 0.
    int64_t steps = 10000;
    double epochs = 0;
    uint64_t seed = 1;
    // Steering actions in step order (issue 27): a `--steer` file's, and the
    // ones a person applied in the explorer, recorded where they happened, so
    // the config reproduces the run. Empty for a run nobody steered.
    std::vector<SteerAction> steer;
};

struct RunConfig {
    DeviceChoice device = DeviceChoice::Auto; // auto | cpu | cuda
    int threads = 0;             // intra-op threads; 0 = all cores
    int64_t gridEvery = 500;     // write grid.png every N steps (0 = never)
    int64_t checkpointEvery = 2000;
    int gridRows = 6;            // rows (fixed z) in the grid image
    int gridColumns = 16;        // combinations shown (at most d_c^d_l)
    // Speed options (issue 4). cudnn_benchmark and channels_last change only
    // which kernels run (results equal up to float rounding); bf16 runs the
    // forward passes of the step in bfloat16 (losses stay within a few %).
    bool cudnnBenchmark = true;     // CUDA: let cuDNN time its conv algorithms and keep the fastest
    bool channelsLast = false;      // conv weights and image batches in NHWC (channels-last) memory
    Precision precision = Precision::Fp32; // fp32 | bf16 (autocast of the forward passes of the step)
    // The live clustering score (SPEC 8, issue 23): when the data has labels,
    // every score_every steps Q is scored against them on score_samples
    // images spread evenly over the data (the same ones every time), between
    // steps, without gradients. 0 = off.
    int64_t scoreEvery = 200;
    int64_t scoreSamples = 2000;
};

struct Config {
    std::string preset = "custom";
    std::string description;
    DataSpec data;
    ModelConfig model;
    TrainConfig train;
    RunConfig run;

    // Throws Error listing every inconsistency (widths vs resolution, d_p not
    // an integer, unknown enum values, ...).
    void validate() const;
};

// JSON <-> Config. Unknown keys are an error (catches typos in presets).
// What a run of this config holds in memory, estimated before anything is
// allocated: G, G_ema, D and Q in fp32, AdamW's two moments for G, D and Q,
// the training data (uint8 images), and one step's activations. Bytes.
struct FootprintEstimate {
    int64_t parameters = 0;
    int64_t modelBytes = 0;      // weights + optimizer moments
    int64_t dataBytes = 0;       // the whole training set on the device
    int64_t activationBytes = 0; // one step, rough (x3 for the penalties' double backward)
    int64_t total() const { return modelBytes + dataBytes + activationBytes; }
};
FootprintEstimate estimateFootprint(const Config& config, int64_t samples);

// Throws Error when the estimate exceeds `availableBytes`, naming the sizes
// and the fields that set them (model widths, d_l/d_c, batch, data.count).
void requireFits(const Config& config, int64_t samples, int64_t availableBytes, const std::string& where);

std::string toJson(const Config& config, int indent = 2);
// A `--steer` file: a JSON list of actions (the form of train.steer), e.g.
// [{"step": 500, "action": "empty", "label": 0, "category": 2}]. Throws Error
// naming origin and what is wrong; the actions' ranges are checked against a
// model by Config::validate.
std::vector<SteerAction> steerActionsFromJson(const std::string& text, const std::string& origin);
Config configFromJson(const std::string& text, const std::string& origin);
Config loadConfigFile(const std::string& path);
void saveConfigFile(const Config& config, const std::string& path);

// Presets (SPEC 5): names, and the config of one by name.
std::vector<std::string> presetNames();
Config preset(const std::string& name);

// Override one field by its dotted JSON path, e.g. "train.lambda_r2=5" or
// "model.g_widths=[64,32,16]". The value is parsed as JSON, else taken as a string.
void applyOverride(Config& config, const std::string& assignment);

// Fields whose values change tensor shapes; lists "field: a vs b" lines
// (empty when a checkpoint of `a` can be loaded into a model of `b`).
std::vector<std::string> shapeDifferences(const Config& a, const Config& b);
// Every field whose value differs, as "section.field: a -> b" in the file's
// order (the JSON form's words and numbers): what a resume changed, or how
// two runs differ (issue 27).
std::vector<std::string> configDifferences(const Config& a, const Config& b);

} // namespace cgpgan
