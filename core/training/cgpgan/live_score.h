#pragma once
// The live clustering score (SPEC 8, issue 23): while a run trains on
// labelled data, every run.score_every steps Q is scored against the labels
// on a fixed subsample (run.score_samples images spread evenly over the data,
// the same ones every time), between two steps and without gradients. The
// trainer takes it; `cgpgan train` writes it to metrics.csv and its progress
// line, the explorer draws it as the "Clusters vs labels" chart, and
// `cgpgan cluster --score-samples N` scores the same subsample of a checkpoint.
#include "cgpgan/clustering.h"
#include "cgpgan/dataset.h"
#include "cgpgan/model.h"
#include "cgpgan/values.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cgpgan {

class LiveScorer final {
public:
    // Keeps a copy of the subsample (samples images, or all when fewer).
    LiveScorer(const Dataset& data, int64_t samples);
    // The data has labels to score against.
    bool active() const { return m_subset.hasLabels(); }
    int64_t samples() const { return m_subset.count; }
    const Dataset& subset() const { return m_subset; }
    // Q of model over the subsample, read by scoreAgainstLabels (clustering.h).
    std::vector<LabelScore> score(const Model& model) const;
    // What score() returns, by name, in its order (for metrics.csv's header).
    static std::vector<std::string> names(const Dataset& data, const ModelConfig& model);

private:
    Dataset m_subset;
};

} // namespace cgpgan
