#pragma once
// Clustering scores against ground truth (SPEC 6). Plain C++, no torch.
#include "cgpgan/dataset.h"
#include "cgpgan/values.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace cgpgan {

struct ClusterScores {
    int64_t samples = 0;
    int64_t clusters = 0;          // number of possible cluster ids
    int64_t nonEmptyClusters = 0;  // clusters that received at least one sample
    int64_t classes = 0;           // number of ground-truth classes
    double hungarianAccuracy = 0;  // best one-to-one cluster->class matching
    double majorityAccuracy = 0;   // purity: each cluster votes its majority class
    double nmi = 0;                // arithmetic normalisation: I / ((H(a)+H(b))/2)
    double ari = 0;                // adjusted Rand index
};

// predicted[i] in [0, numClusters), truth[i] in [0, numClasses).
ClusterScores scoreClustering(const std::vector<int64_t>& predicted, int64_t numClusters,
                              const std::vector<int32_t>& truth, int64_t numClasses);

// The live score's reading of an assignment of data's samples (SPEC 8,
// issue 23). Each label column of data is matched to one of Q's labels, one
// to one, so as to maximise the summed NMI (the Hungarian method on the
// d_l x columns NMI table); a column left over when the data has more columns
// than Q has labels takes the Q label that matches it best. Then "combined"
// (Q's combined cluster id against the combined class) when the data has
// several columns or Q several labels and the combinations are few enough to
// tabulate. Empty when data has no labels. Throws Error when the assignment
// is not of data's samples.
std::vector<LabelScore> scoreAgainstLabels(const ClusterAssignment& assignment, const Dataset& data);
// Whether scoreAgainstLabels ends with "combined" for data scored by a model
// of dL labels and `combinations` combined clusters.
bool scoresCombined(const Dataset& data, int dL, int64_t combinations);

// What each of Q's categories means in the data's terms (issue 27, "What a
// column means"): for Q label l, the data's label column matched to it (the
// live score's matching, scoreAgainstLabels; of several columns matched to
// it, the one with the highest NMI), and for each of its categories the class
// of that column the Hungarian method matches it to on their contingency
// table, with the share of the category's images that are of that class.
struct CategoryMeaning {
    std::string column;    // the data's label column ("shape"); "" when no column is matched to this label
    int32_t classId = -1;  // the matched class; -1 when none (more categories than classes, or no column)
    std::string className;
    double share = 0;      // images of that class / images in the category (0 for an empty category)
    int64_t count = 0;     // images in the category
};
// [d_l][d_c]; empty when the data has no labels. Throws Error when the
// assignment is not of data's samples.
std::vector<std::vector<CategoryMeaning>> categoryMeanings(const ClusterAssignment& assignment,
                                                           const Dataset& data);

// Maximum-weight assignment on a rows x cols matrix (row-major); returns, per
// row, the assigned column or -1 when rows > cols. O(n^3) Hungarian method.
std::vector<int64_t> maxWeightAssignment(const std::vector<double>& weights, int64_t rows,
                                         int64_t cols);

// Contingency table [numClusters x numClasses], row-major counts.
std::vector<int64_t> contingencyTable(const std::vector<int64_t>& predicted, int64_t numClusters,
                                      const std::vector<int32_t>& truth, int64_t numClasses);

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
// break, its quotes doubled.
std::string csvField(const std::string& text);

// The assignments CSV, one layout for `cgpgan cluster` and the explorer's
// Export (RFC 4180, one row per sample):
//   index,label0,confidence0,...,combined,combined_confidence,step,<truth column>...
// (step: the model's step when Q ran, the same on every row).
// Confidences are written shortest-exact (they read back as the same float);
// combined is empty where combined ids are undefined (kTooManyCombinations);
// truth columns hold class names. Throws Error when a truth column's length
// is not the assignment's sample count; the caller checks the stream.
void writeAssignmentsCsv(std::ostream& out, const ClusterAssignment& assignment,
                         const std::vector<LabelColumn>& truth);

} // namespace cgpgan
