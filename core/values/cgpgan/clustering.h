#pragma once
// Clustering scores against ground truth (SPEC 6). Plain C++, no torch.
#include "cgpgan/dataset.h"
#include "cgpgan/values.h"

#include <cstdint>
#include <ostream>
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

// Maximum-weight assignment on a rows x cols matrix (row-major); returns, per
// row, the assigned column or -1 when rows > cols. O(n^3) Hungarian method.
std::vector<int64_t> maxWeightAssignment(const std::vector<double>& weights, int64_t rows,
                                         int64_t cols);

// Contingency table [numClusters x numClasses], row-major counts.
std::vector<int64_t> contingencyTable(const std::vector<int64_t>& predicted, int64_t numClusters,
                                      const std::vector<int32_t>& truth, int64_t numClasses);

// The assignments CSV, one layout for `cgpgan cluster` and the explorer's
// Export (RFC 4180, one row per sample):
//   index,label0,confidence0,...,combined,combined_confidence,<truth column>...
// Confidences are written shortest-exact (they read back as the same float);
// combined is empty where combined ids are undefined (kTooManyCombinations);
// truth columns hold class names. Throws Error when a truth column's length
// is not the assignment's sample count; the caller checks the stream.
void writeAssignmentsCsv(std::ostream& out, const ClusterAssignment& assignment,
                         const std::vector<LabelColumn>& truth);

} // namespace cgpgan
