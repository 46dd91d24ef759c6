// Clustering scores (SPEC 6): hand-computed cases, and the Hungarian method
// checked against brute force.
#include "cgpgan/clustering.h"
#include "cgpgan/error.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using cgpgan::ClusterScores;
using cgpgan::contingencyTable;
using cgpgan::maxWeightAssignment;
using cgpgan::scoreClustering;
using cgpgan::categoryMeanings;
using cgpgan::ClusterAssignment;
using cgpgan::Dataset;
using cgpgan::LabelColumn;

namespace {

bool near(double a, double b, double tol = 1e-12) { return std::abs(a - b) <= tol; }

// Total weight of an assignment; also checks that it is a valid assignment of
// exactly min(rows, cols) rows to distinct columns.
double assignedWeight(const std::vector<double>& w, int64_t rows, int64_t cols,
                      const std::vector<int64_t>& assignment, bool* valid) {
    *valid = static_cast<int64_t>(assignment.size()) == rows;
    std::vector<char> taken(static_cast<size_t>(cols), 0);
    int64_t assigned = 0;
    double total = 0.0;
    for (int64_t i = 0; i < rows && *valid; ++i) {
        const int64_t j = assignment[static_cast<size_t>(i)];
        if (j == -1)
            continue;
        if (j < 0 || j >= cols || taken[static_cast<size_t>(j)]) {
            *valid = false;
            break;
        }
        taken[static_cast<size_t>(j)] = 1;
        ++assigned;
        total += w[static_cast<size_t>(i * cols + j)];
    }
    *valid = *valid && assigned == std::min(rows, cols);
    return total;
}

// Best total weight over all injective maps of the smaller side into the larger,
// enumerated through permutations of the larger side.
double bruteForceBest(const std::vector<double>& w, int64_t rows, int64_t cols) {
    const int64_t n = std::max(rows, cols);
    std::vector<int64_t> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), 0);
    double best = -std::numeric_limits<double>::infinity();
    do {
        double total = 0.0;
        if (rows <= cols) {
            for (int64_t i = 0; i < rows; ++i) // row i -> column perm[i]
                total += w[static_cast<size_t>(i * cols + perm[static_cast<size_t>(i)])];
        } else {
            for (int64_t j = 0; j < cols; ++j) // column j -> row perm[j]
                total += w[static_cast<size_t>(perm[static_cast<size_t>(j)] * cols + j)];
        }
        best = std::max(best, total);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return best;
}

// Best total weight by dynamic programming over subsets of columns (rows <= cols,
// cols small): best[mask] = best weight assigning the first popcount(mask) rows
// to the columns in mask.
double subsetDpBest(const std::vector<double>& w, int64_t rows, int64_t cols) {
    const double minusInf = -std::numeric_limits<double>::infinity();
    std::vector<double> best(size_t(1) << cols, minusInf);
    best[0] = 0.0;
    double answer = minusInf;
    for (size_t mask = 0; mask < best.size(); ++mask) {
        if (best[mask] == minusInf)
            continue;
        const int64_t i = __builtin_popcountll(mask);
        if (i == rows) {
            answer = std::max(answer, best[mask]);
            continue;
        }
        for (int64_t j = 0; j < cols; ++j)
            if (!(mask & (size_t(1) << j))) {
                const size_t next = mask | (size_t(1) << j);
                best[next] = std::max(best[next], best[mask] + w[static_cast<size_t>(i * cols + j)]);
            }
    }
    return answer;
}

std::vector<double> transpose(const std::vector<double>& w, int64_t rows, int64_t cols) {
    std::vector<double> t(w.size());
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            t[static_cast<size_t>(j * rows + i)] = w[static_cast<size_t>(i * cols + j)];
    return t;
}

} // namespace

class TestClustering final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void contingencyCounts();
    void perfectClusteringWithPermutedIds();
    void sklearnDocumentedExample();
    void negativeAri();
    void allInOneCluster();
    void trivialPartitions();
    void hungarianVersusPurity();
    void moreClustersThanClasses();
    void emptyClustersAreNotCounted();
    void scoresAreSymmetric();
    void largeRandomInput();
    void assignmentSquareBruteForce();
    void assignmentRectangularBruteForce();
    void assignmentAgainstSubsetDp();
    void assignmentEdgeCases();
    void invalidInputThrows();
    void categoryMeaningsMatchClasses();
};

void TestClustering::contingencyCounts() {
    const std::vector<int64_t> pred{0, 0, 1, 2, 2, 2};
    const std::vector<int32_t> truth{1, 1, 0, 0, 1, 1};
    const std::vector<int64_t> table = contingencyTable(pred, 3, truth, 2);
    // rows = clusters, columns = classes
    const std::vector<int64_t> expected{0, 2, //
                                        1, 0, //
                                        1, 2};
    QCOMPARE(table, expected);
}

void TestClustering::perfectClusteringWithPermutedIds() {
    // Cluster k holds exactly class (k + 2) % 4: a perfect clustering whose ids
    // are a permutation of the class ids.
    std::vector<int64_t> pred;
    std::vector<int32_t> truth;
    for (int i = 0; i < 40; ++i) {
        const int64_t k = (i * 7) % 4;
        pred.push_back(k);
        truth.push_back(static_cast<int32_t>((k + 2) % 4));
    }
    const ClusterScores s = scoreClustering(pred, 4, truth, 4);
    QCOMPARE(s.samples, int64_t(40));
    QCOMPARE(s.clusters, int64_t(4));
    QCOMPARE(s.classes, int64_t(4));
    QCOMPARE(s.nonEmptyClusters, int64_t(4));
    QVERIFY(near(s.hungarianAccuracy, 1.0));
    QVERIFY(near(s.majorityAccuracy, 1.0));
    QVERIFY(near(s.nmi, 1.0));
    QVERIFY(near(s.ari, 1.0));
}

void TestClustering::sklearnDocumentedExample() {
    // truth = [0,0,1,1], pred = [0,0,1,2] (sklearn's documented example:
    // adjusted_rand_score = 0.5714285714285715, NMI (arithmetic) = 0.8).
    //
    // Contingency (clusters x classes): c0 = {class0: 2}, c1 = {class1: 1},
    // c2 = {class1: 1}; cluster sizes a = (2,1,1), class sizes b = (2,2), n = 4.
    //
    // NMI:  H(truth) = ln 2.
    //       H(pred)  = -(1/2 ln 1/2 + 2 * 1/4 ln 1/4) = 1/2 ln 2 + ln 2 = 1.5 ln 2.
    //       I = 2/4 ln(4*2/(2*2)) + 1/4 ln(4*1/(1*2)) + 1/4 ln(4*1/(1*2))
    //         = 1/2 ln 2 + 1/4 ln 2 + 1/4 ln 2 = ln 2.
    //       NMI = ln 2 / ((ln 2 + 1.5 ln 2) / 2) = 1 / 1.25 = 0.8.
    // ARI:  index = C(2,2) = 1; A = C(2,2) = 1; B = C(2,2) + C(2,2) = 2; T = C(4,2) = 6.
    //       expected = A B / T = 1/3; max = (A + B) / 2 = 3/2.
    //       ARI = (1 - 1/3) / (3/2 - 1/3) = (2/3) / (7/6) = 4/7 = 0.571428...
    // Hungarian: c0 -> class0 (2), c1 -> class1 (1), c2 unmatched: 3/4.
    // Purity: c0 votes class0 (2), c1 and c2 both vote class1 (1 + 1): 4/4.
    const std::vector<int64_t> pred{0, 0, 1, 2};
    const std::vector<int32_t> truth{0, 0, 1, 1};
    const ClusterScores s = scoreClustering(pred, 3, truth, 2);
    QVERIFY2(near(s.nmi, 0.8), qPrintable(QString::number(s.nmi, 'g', 17)));
    QVERIFY2(near(s.ari, 4.0 / 7.0), qPrintable(QString::number(s.ari, 'g', 17)));
    QVERIFY(near(s.ari, 0.5714285714285715));
    QVERIFY(near(s.hungarianAccuracy, 0.75));
    QVERIFY(near(s.majorityAccuracy, 1.0));
    QCOMPARE(s.nonEmptyClusters, int64_t(3));
}

void TestClustering::negativeAri() {
    // sklearn's documented adjusted_rand_score([0,0,1,1], [0,1,0,1]) = -0.5.
    // Every cell of the 2x2 contingency is 1: index = 0; A = B = 2 * C(2,2) = 2;
    // T = 6; expected = 4/6 = 2/3; max = 2; ARI = (0 - 2/3) / (2 - 2/3) = -1/2.
    // The partitions are independent: I = sum 1/4 ln(4*1/(2*2)) = 0, so NMI = 0.
    const std::vector<int64_t> pred{0, 1, 0, 1};
    const std::vector<int32_t> truth{0, 0, 1, 1};
    const ClusterScores s = scoreClustering(pred, 2, truth, 2);
    QVERIFY(near(s.ari, -0.5));
    QVERIFY(near(s.nmi, 0.0));
    QVERIFY(near(s.hungarianAccuracy, 0.5));
    QVERIFY(near(s.majorityAccuracy, 0.5));
}

void TestClustering::allInOneCluster() {
    // All samples in cluster 0, truth [0,0,1,1,1,1]:
    // H(pred) = 0 while H(truth) > 0, so NMI = 0.
    // ARI: index = C(2,2) + C(4,2) = 1 + 6 = 7; A = C(6,2) = 15 = T; B = 7;
    // expected = 15 * 7 / 15 = 7 = index, so ARI = 0 / (11 - 7) = 0.
    const std::vector<int64_t> pred(6, 0);
    const std::vector<int32_t> truth{0, 0, 1, 1, 1, 1};
    const ClusterScores s = scoreClustering(pred, 10, truth, 2);
    QCOMPARE(s.nmi, 0.0);
    QVERIFY(near(s.ari, 0.0));
    QCOMPARE(s.nonEmptyClusters, int64_t(1));
    // The single cluster matches class 1 (4 of 6) either way.
    QVERIFY(near(s.hungarianAccuracy, 4.0 / 6.0));
    QVERIFY(near(s.majorityAccuracy, 4.0 / 6.0));
}

void TestClustering::trivialPartitions() {
    {
        // Both all-in-one: both entropies 0 -> NMI 1; ARI denominator 0 and the
        // partitions are identical -> 1.
        const ClusterScores s = scoreClustering({3, 3, 3}, 5, {1, 1, 1}, 2);
        QCOMPARE(s.nmi, 1.0);
        QCOMPARE(s.ari, 1.0);
        QCOMPARE(s.hungarianAccuracy, 1.0);
    }
    {
        // Both all-singletons with permuted ids: A = B = 0, denominator 0,
        // identical partitions -> ARI 1; I = H = ln 3 -> NMI 1.
        const ClusterScores s = scoreClustering({2, 0, 1}, 3, {0, 1, 2}, 3);
        QVERIFY(near(s.nmi, 1.0));
        QCOMPARE(s.ari, 1.0);
        QVERIFY(near(s.hungarianAccuracy, 1.0));
    }
    {
        // Singletons against one class: B = T, A = 0, index = 0, expected = 0,
        // max = T/2: ARI = 0. H(truth) = 0 only -> NMI 0.
        const ClusterScores s = scoreClustering({0, 1, 2, 3}, 4, {0, 0, 0, 0}, 1);
        QCOMPARE(s.ari, 0.0);
        QCOMPARE(s.nmi, 0.0);
        QVERIFY(near(s.hungarianAccuracy, 0.25));
        QVERIFY(near(s.majorityAccuracy, 1.0));
    }
    {
        // One sample: T = 0, the partitions are trivially identical.
        const ClusterScores s = scoreClustering({0}, 1, {0}, 1);
        QCOMPARE(s.ari, 1.0);
        QCOMPARE(s.nmi, 1.0);
        QCOMPARE(s.hungarianAccuracy, 1.0);
        QCOMPARE(s.majorityAccuracy, 1.0);
    }
}

void TestClustering::hungarianVersusPurity() {
    // Clusters x classes (A, B, C):
    //   c0: A 3, B 1        c1: A 2, C 1        c2: C 2          n = 9
    // Purity: c0 -> A (3), c1 -> A (2) (both vote A), c2 -> C (2): 7/9.
    // Hungarian, one class per cluster:
    //   c0A + c1C + c2B = 3 + 1 + 0 = 4
    //   c0B + c1A + c2C = 1 + 2 + 2 = 5   <- best (ties with c0A + c1B + c2C = 5)
    //   c0A + c1B + c2C = 3 + 0 + 2 = 5
    // so 5/9.
    const std::vector<int64_t> pred{0, 0, 0, 0, 1, 1, 1, 2, 2};
    const std::vector<int32_t> truth{0, 0, 0, 1, 0, 0, 2, 2, 2};
    const ClusterScores s = scoreClustering(pred, 3, truth, 3);
    QVERIFY(near(s.majorityAccuracy, 7.0 / 9.0));
    QVERIFY(near(s.hungarianAccuracy, 5.0 / 9.0));
}

void TestClustering::moreClustersThanClasses() {
    // Four clusters split two classes perfectly; only two can be matched, the
    // other two count as wrong: Hungarian 2/4, purity 4/4.
    const ClusterScores s = scoreClustering({0, 1, 2, 3}, 4, {0, 0, 1, 1}, 2);
    QVERIFY(near(s.hungarianAccuracy, 0.5));
    QVERIFY(near(s.majorityAccuracy, 1.0));
    // Matched against a larger truth (6 samples, 3 per class, 4 clusters):
    // c0 {A:2}, c1 {A:1}, c2 {B:2}, c3 {B:1}: best = 2 + 2 = 4 of 6.
    const ClusterScores t =
        scoreClustering({0, 0, 1, 2, 2, 3}, 4, {0, 0, 0, 1, 1, 1}, 2);
    QVERIFY(near(t.hungarianAccuracy, 4.0 / 6.0));
    QVERIFY(near(t.majorityAccuracy, 1.0));
}

void TestClustering::emptyClustersAreNotCounted() {
    // 256 possible clusters, three used; 256 possible classes, two used.
    const std::vector<int64_t> pred{7, 7, 200, 200, 255};
    const std::vector<int32_t> truth{3, 3, 100, 100, 100};
    const ClusterScores s = scoreClustering(pred, 256, truth, 256);
    QCOMPARE(s.clusters, int64_t(256));
    QCOMPARE(s.classes, int64_t(256));
    QCOMPARE(s.nonEmptyClusters, int64_t(3));
    QVERIFY(near(s.hungarianAccuracy, 4.0 / 5.0));
    QVERIFY(near(s.majorityAccuracy, 1.0));
    // The same scores as with compact ids: empty clusters/classes change nothing.
    const ClusterScores c = scoreClustering({0, 0, 1, 1, 2}, 3, {0, 0, 1, 1, 1}, 2);
    QVERIFY(near(s.nmi, c.nmi));
    QVERIFY(near(s.ari, c.ari));
}

void TestClustering::scoresAreSymmetric() {
    // NMI and ARI do not depend on which partition is called the truth.
    std::mt19937 rng(123);
    std::uniform_int_distribution<int> a(0, 4), b(0, 5);
    std::vector<int64_t> pred, predAsTruth64;
    std::vector<int32_t> truth, predAsTruth;
    for (int i = 0; i < 300; ++i) {
        const int x = a(rng);
        const int y = (i % 3 == 0) ? x : b(rng); // correlated, not identical
        pred.push_back(x);
        truth.push_back(y);
        predAsTruth.push_back(x);
        predAsTruth64.push_back(y);
    }
    const ClusterScores s = scoreClustering(pred, 5, truth, 6);
    const ClusterScores t = scoreClustering(predAsTruth64, 6, predAsTruth, 5);
    QVERIFY(near(s.nmi, t.nmi, 1e-12));
    QVERIFY(near(s.ari, t.ari, 1e-12));
    QVERIFY(s.nmi > 0.0 && s.nmi < 1.0);
    QVERIFY(s.ari > 0.0 && s.ari < 1.0);
    QVERIFY(s.hungarianAccuracy <= s.majorityAccuracy);
}

void TestClustering::largeRandomInput() {
    // 60000 samples, 256 clusters x 256 classes, independent: scores near chance,
    // and nothing overflows (C(60000,2)^2 is beyond int64).
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> d(0, 255);
    std::vector<int64_t> pred(60000);
    std::vector<int32_t> truth(60000);
    for (size_t i = 0; i < pred.size(); ++i) {
        pred[i] = d(rng);
        truth[i] = d(rng);
    }
    const ClusterScores s = scoreClustering(pred, 256, truth, 256);
    QCOMPARE(s.nonEmptyClusters, int64_t(256));
    QVERIFY2(std::abs(s.ari) < 0.01, qPrintable(QString::number(s.ari)));
    QVERIFY(s.nmi >= 0.0 && s.nmi < 0.2);
    QVERIFY(s.hungarianAccuracy > 0.0 && s.hungarianAccuracy < 0.05);
    QVERIFY(s.hungarianAccuracy <= s.majorityAccuracy);

    // Perfect clustering of the same size with ids permuted: all scores 1.
    std::vector<int64_t> perfect(truth.size());
    for (size_t i = 0; i < truth.size(); ++i)
        perfect[i] = (truth[i] * 37 + 11) % 256; // 37 is invertible mod 256
    const ClusterScores p = scoreClustering(perfect, 256, truth, 256);
    QVERIFY(near(p.hungarianAccuracy, 1.0));
    QVERIFY(near(p.nmi, 1.0, 1e-12));
    QVERIFY(near(p.ari, 1.0, 1e-12));
}

void TestClustering::assignmentSquareBruteForce() {
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> real(-10.0, 10.0);
    std::uniform_int_distribution<int> small(0, 3); // many ties
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<double> w(36);
        for (double& x : w)
            x = trial % 2 ? real(rng) : small(rng);
        const std::vector<int64_t> a = maxWeightAssignment(w, 6, 6);
        bool valid = false;
        const double got = assignedWeight(w, 6, 6, a, &valid);
        QVERIFY(valid);
        QVERIFY2(near(got, bruteForceBest(w, 6, 6), 1e-9), qPrintable(QString::number(trial)));
    }
}

void TestClustering::assignmentRectangularBruteForce() {
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> real(0.0, 100.0);
    std::uniform_int_distribution<int> small(0, 2);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<double> w(15);
        for (double& x : w)
            x = trial % 2 ? real(rng) : small(rng);
        {
            // 3 x 5: every row assigned, two columns left over.
            const std::vector<int64_t> a = maxWeightAssignment(w, 3, 5);
            bool valid = false;
            const double got = assignedWeight(w, 3, 5, a, &valid);
            QVERIFY(valid);
            QVERIFY(std::count(a.begin(), a.end(), int64_t(-1)) == 0);
            QVERIFY(near(got, bruteForceBest(w, 3, 5), 1e-9));
        }
        {
            // 5 x 3 (the transpose): three rows assigned, two get -1.
            const std::vector<double> t = transpose(w, 3, 5);
            const std::vector<int64_t> a = maxWeightAssignment(t, 5, 3);
            bool valid = false;
            const double got = assignedWeight(t, 5, 3, a, &valid);
            QVERIFY(valid);
            QCOMPARE(std::count(a.begin(), a.end(), int64_t(-1)), std::ptrdiff_t(2));
            QVERIFY(near(got, bruteForceBest(t, 5, 3), 1e-9));
            // Same optimum as the 3 x 5 problem.
            QVERIFY(near(got, bruteForceBest(w, 3, 5), 1e-9));
        }
    }
}

void TestClustering::assignmentAgainstSubsetDp() {
    // Larger shapes than brute force can enumerate: up to 12 columns.
    std::mt19937 rng(99);
    std::uniform_int_distribution<int64_t> side(1, 12);
    std::uniform_int_distribution<int> counts(0, 50);
    for (int trial = 0; trial < 150; ++trial) {
        int64_t rows = side(rng), cols = side(rng);
        if (rows > cols)
            std::swap(rows, cols);
        std::vector<double> w(static_cast<size_t>(rows * cols));
        for (double& x : w)
            x = counts(rng);
        const double best = subsetDpBest(w, rows, cols);
        bool valid = false;
        QVERIFY(near(assignedWeight(w, rows, cols, maxWeightAssignment(w, rows, cols), &valid),
                     best, 1e-9));
        QVERIFY(valid);
        const std::vector<double> t = transpose(w, rows, cols);
        QVERIFY(near(assignedWeight(t, cols, rows, maxWeightAssignment(t, cols, rows), &valid),
                     best, 1e-9));
        QVERIFY(valid);
    }
}

void TestClustering::assignmentEdgeCases() {
    // A hand-checked 3x3: the greedy choice (row 0 -> col 0, weight 9) is wrong.
    //   9 8 0
    //   8 0 0
    //   0 0 1
    // Best: row0->col1 (8) + row1->col0 (8) + row2->col2 (1) = 17 (greedy: 9+0+1 = 10).
    const std::vector<double> w{9, 8, 0, 8, 0, 0, 0, 0, 1};
    QCOMPARE(maxWeightAssignment(w, 3, 3), (std::vector<int64_t>{1, 0, 2}));

    // Empty shapes.
    QCOMPARE(maxWeightAssignment({}, 0, 0), std::vector<int64_t>{});
    QCOMPARE(maxWeightAssignment({}, 3, 0), (std::vector<int64_t>{-1, -1, -1}));
    QCOMPARE(maxWeightAssignment({}, 0, 4), std::vector<int64_t>{});

    // 1 x n and n x 1.
    QCOMPARE(maxWeightAssignment({1, 5, 3}, 1, 3), std::vector<int64_t>{1});
    QCOMPARE(maxWeightAssignment({1, 5, 3}, 3, 1), (std::vector<int64_t>{-1, 0, -1}));

    // Negative weights: still a full assignment of the smaller side.
    //   -5 -1
    //   -2 -7     diagonal -5 - 7 = -12, anti-diagonal -1 - 2 = -3: rows -> (1, 0).
    // With a third row (-3 -4) the best two rows are still rows 0 and 1 (-3).
    QCOMPARE(maxWeightAssignment({-5, -1, -2, -7}, 2, 2), (std::vector<int64_t>{1, 0}));
    QCOMPARE(maxWeightAssignment({-5, -1, -2, -7, -3, -4}, 3, 2), (std::vector<int64_t>{1, 0, -1}));
}

void TestClustering::invalidInputThrows() {
    // Sizes differ.
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({0, 1}, 2, {0}, 2));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, contingencyTable({0}, 2, {0, 1}, 2));
    // Out of range ids.
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({0, 2}, 2, {0, 1}, 2));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({0, -1}, 2, {0, 1}, 2));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({0, 1}, 2, {0, 2}, 2));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({0, 1}, 2, {-1, 1}, 2));
    // Non-positive counts, no samples.
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({}, 0, {}, 2));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({}, 2, {}, 0));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, scoreClustering({}, 2, {}, 2));
    // Assignment: wrong weight count, negative shape, non-finite weight.
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, maxWeightAssignment({1, 2, 3}, 2, 2));
    QVERIFY_THROWS_EXCEPTION(cgpgan::Error, maxWeightAssignment({}, -1, 0));
    QVERIFY_THROWS_EXCEPTION(
        cgpgan::Error, maxWeightAssignment({1, std::numeric_limits<double>::quiet_NaN()}, 1, 2));
    QVERIFY_THROWS_EXCEPTION(
        cgpgan::Error, maxWeightAssignment({1, std::numeric_limits<double>::infinity()}, 2, 1));

    // The message says what is wrong.
    try {
        scoreClustering({0, 5}, 3, {0, 1}, 2);
        QFAIL("no exception");
    } catch (const cgpgan::Error& e) {
        const QString what = QString::fromStdString(e.what());
        QVERIFY2(what.contains(QStringLiteral("5")) && what.contains(QStringLiteral("[0, 3)")),
                 e.what());
    }
}

// Issue 27, "What a column means": Q label 0 follows colour with its ids
// permuted, Q label 1 follows shape with one image in ten wrong; each
// category is matched to the class it mostly holds, with that share.
void TestClustering::categoryMeaningsMatchClasses()
{
    Dataset data;
    data.count = 40;
    LabelColumn shape{"shape", {"ring", "square"}, {}};
    LabelColumn colour{"colour", {"red", "green"}, {}};
    ClusterAssignment a;
    a.count = 40;
    a.dL = 2;
    a.dC = 3; // one category more than each column has classes
    for (int64_t i = 0; i < 40; ++i) {
        const int32_t s = int32_t(i % 2), c = int32_t((i / 2) % 2);
        shape.values.push_back(s);
        colour.values.push_back(c);
        a.category.push_back(c == 0 ? 2 : 0);                   // label 0: colour, ids permuted
        a.category.push_back(i % 10 == 9 ? 1 - s : s);          // label 1: shape, 10 % wrong
        a.confidence.push_back(1.0f);
        a.confidence.push_back(1.0f);
        a.combined.push_back(a.category[size_t(2 * i)] * 3 + a.category[size_t(2 * i + 1)]);
        a.combinedConfidence.push_back(1.0f);
    }
    data.labels = {shape, colour};
    const auto m = categoryMeanings(a, data);
    QCOMPARE(m.size(), size_t(2));
    QCOMPARE(m[0][2].column, std::string("colour"));
    QCOMPARE(m[0][2].className, std::string("red"));
    QCOMPARE(m[0][2].share, 1.0);
    QCOMPARE(m[0][0].className, std::string("green"));
    QCOMPARE(m[0][1].classId, -1); // an empty category, and no class left for it
    QCOMPARE(m[0][1].count, int64_t(0));
    QCOMPARE(m[1][0].column, std::string("shape"));
    QCOMPARE(m[1][0].className, std::string("ring"));
    QCOMPARE(m[1][1].className, std::string("square"));
    QCOMPARE(m[1][0].count + m[1][1].count, int64_t(40));
    // Images 9, 19, 29, 39 are squares put in category 0: 20 rings of 24 there, 16 squares of 16 in 1.
    QCOMPARE(m[1][0].count, int64_t(24));
    QVERIFY(near(m[1][0].share, 20.0 / 24.0));
    QCOMPARE(m[1][1].share, 1.0);
    data.labels.clear();
    QVERIFY(categoryMeanings(a, data).empty());
}

QTEST_APPLESS_MAIN(TestClustering)
#include "test_clustering.moc"
