#pragma once
// What the cluster browser shows, as plain logic (no widgets): Q's argmax
// assignment of the dataset (SPEC 6) grouped into clusters, per label or for
// the combined id, with sizes, prior masses, confidence-sorted members, the
// confusion against a ground-truth column and a CSV export.
#include "cgpgan/clustering.h"
#include "cgpgan/dataset.h"
#include "cgpgan/values.h"

#include <QString>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cgpgan::ui {

// One ground truth to score against: a label column of the dataset, or the
// combination of all of them (Dataset::combinedLabels()).
struct Truth {
    std::string name;
    std::vector<std::string> classNames;
    std::vector<int32_t> values;
};

// The dataset's label columns, then, when there are several, their
// combination named "all labels" with class names like "circle · red".
std::vector<Truth> truthColumns(const Dataset& data);

struct ClusterStats {
    int64_t id = 0;
    int64_t size = 0;
    double fraction = 0;                                        // size / count
    double priorMass = std::numeric_limits<double>::quiet_NaN(); // NaN without a prior
    double meanConfidence = 0;                                  // over members; 0 when empty
    std::vector<int64_t> members; // sample indices, confidence descending (ties: index)
};

struct Confusion {
    std::vector<int64_t> rows;       // the cluster id of each row (the view's listed clusters)
    int64_t classes = 0;             // columns: the truth's classes
    std::vector<int64_t> table;      // [rows x classes] counts (contingencyTable)
    std::vector<int64_t> matched;    // per row: its Hungarian-matched class, or -1
    ClusterScores scores;            // scoreClustering (clusters = all ids of the view)
    bool scored = false;             // false when too large to match (see kMaxMatched)
    int64_t total() const;
    int64_t at(size_t row, int64_t cls) const { return table[row * size_t(classes) + size_t(cls)]; }
};

class ClusterModel final {
public:
    // The view of all labels together: cluster id = mixed-radix combination,
    // label 0 most significant (SPEC 6).
    static constexpr int kCombined = -1;
    // Hungarian matching is O(n^3): beyond this many populated clusters or
    // classes the confusion is shown without matching and scores.
    static constexpr int64_t kMaxMatched = 600;
    static constexpr int64_t kMaxListed = 65536;

    // prior: [d_l * d_c] row-major (SPEC 2), or empty when unknown. step: the
    // model's step when the assignment was asked for (-1 unknown).
    // Throws std::invalid_argument when the arrays do not fit count, d_l, d_c.
    explicit ClusterModel(ClusterAssignment assignment, std::vector<float> prior = {},
                          int64_t step = -1);

    const ClusterAssignment& assignment() const { return m_assignment; }
    int64_t count() const { return m_assignment.count; }
    int dL() const { return m_assignment.dL; }
    int dC() const { return m_assignment.dC; }
    int64_t step() const { return m_step; }
    bool hasPrior() const { return !m_prior.empty(); }
    const std::vector<float>& prior() const { return m_prior; }

    // Views: 0 .. d_l-1 for one label, kCombined for all (left out when
    // d_c^d_l does not fit in 63 bits, e.g. d_l = d_c = 16: no id can name a
    // combination then).
    std::vector<int> views() const;
    bool hasCombinedView() const { return m_combinations > 0; }
    static QString viewName(int view);
    // Every cluster id the view has: d_c, or d_c^d_l for the combined view.
    int64_t clusterCount(int view) const;
    // The view's listed clusters, ascending id: all of them, except that a
    // combined view of more than kMaxListed ids lists only the populated ones
    // (d_c^d_l may reach 2^24).
    const std::vector<ClusterStats>& clusters(int view) const;
    // A cluster by id; nullptr when it is not listed (then it is empty).
    const ClusterStats* find(int view, int64_t id) const;
    // Clusters with at least one sample, and (SPEC 6) with prior mass > 0.01.
    int64_t nonEmptyClusters(int view) const;
    int64_t populatedByPrior(int view) const;

    int64_t clusterOf(int view, int64_t sample) const;
    float confidenceOf(int view, int64_t sample) const;
    std::vector<int64_t> predicted(int view) const;
    // Categories of a combined id, label 0 first; and its display name.
    std::vector<int> categoriesOf(int64_t combined) const;
    QString clusterName(int view, int64_t id) const;

    // Contingency table, Hungarian matching, ACC / NMI / ARI against truth.
    Confusion confusion(int view, const Truth& truth) const;

    // One row per sample: index, per label its category and confidence, the
    // combined id and confidence, then the truth columns by name (class names).
    // Written atomically; returns false with *error set on failure.
    bool writeCsv(const QString& path, const std::vector<LabelColumn>& truth,
                  QString* error = nullptr) const;

private:
    size_t slot(int view) const;
    void buildView(int view);

    ClusterAssignment m_assignment;
    std::vector<float> m_prior;
    int64_t m_step = -1;
    int64_t m_combinations = 0; // d_c^d_l, or 0 when it overflows
    std::vector<std::vector<ClusterStats>> m_views; // [d_l] labels, then combined
};

} // namespace cgpgan::ui
