#pragma once
// Clustering scores against ground truth (SPEC 6). Plain C++, no torch.
#include <cstdint>
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

} // namespace cgpgan
