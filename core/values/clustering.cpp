// Clustering scores against ground truth (SPEC 6): Hungarian accuracy,
// majority-vote accuracy (purity), NMI with arithmetic normalisation, ARI and
// the number of populated clusters. Plain C++, no torch, no Qt.
#include "cgpgan/clustering.h"

#include "cgpgan/error.h"

#include "cgpgan/combinations.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace cgpgan {
namespace {

// Throws unless predicted/truth describe the same samples and every id lies in
// its declared range. `who` names the public function for the message.
void validateLabels(const char* who, const std::vector<int64_t>& predicted, int64_t numClusters,
                    const std::vector<int32_t>& truth, int64_t numClasses) {
    const std::string prefix = std::string(who) + ": ";
    if (numClusters <= 0)
        throw Error(prefix + "the number of clusters must be positive, got " +
                    std::to_string(numClusters));
    if (numClasses <= 0)
        throw Error(prefix + "the number of classes must be positive, got " +
                    std::to_string(numClasses));
    if (predicted.size() != truth.size())
        throw Error(prefix + "got " + std::to_string(predicted.size()) +
                    " predicted cluster ids but " + std::to_string(truth.size()) +
                    " ground-truth labels; they must describe the same samples");
    for (size_t i = 0; i < predicted.size(); ++i) {
        if (predicted[i] < 0 || predicted[i] >= numClusters)
            throw Error(prefix + "predicted cluster id " + std::to_string(predicted[i]) +
                        " of sample " + std::to_string(i) + " is outside [0, " +
                        std::to_string(numClusters) + ")");
        if (truth[i] < 0 || truth[i] >= numClasses)
            throw Error(prefix + "ground-truth label " + std::to_string(truth[i]) +
                        " of sample " + std::to_string(i) + " is outside [0, " +
                        std::to_string(numClasses) + ")");
    }
}

// n choose 2, the number of unordered pairs among n items.
int64_t pairs(int64_t n) { return n * (n - 1) / 2; }

// Shannon entropy (natural log) of a distribution given as counts summing to n.
double entropy(const std::vector<int64_t>& counts, int64_t n) {
    double h = 0.0;
    for (int64_t c : counts) {
        if (c > 0) {
            const double p = static_cast<double>(c) / static_cast<double>(n);
            h -= p * std::log(p);
        }
    }
    return h;
}

} // namespace

std::vector<int64_t> contingencyTable(const std::vector<int64_t>& predicted, int64_t numClusters,
                                      const std::vector<int32_t>& truth, int64_t numClasses) {
    validateLabels("contingencyTable", predicted, numClusters, truth, numClasses);
    std::vector<int64_t> table(static_cast<size_t>(numClusters * numClasses), 0);
    for (size_t i = 0; i < predicted.size(); ++i)
        ++table[static_cast<size_t>(predicted[i] * numClasses + truth[i])];
    return table;
}

// Hungarian method (Kuhn-Munkres) with row/column potentials, in the
// shortest-augmenting-path form of Jonker-Volgenant: O(n^3) for n = max(rows, cols).
//
// Maximising the total weight is turned into minimising cost = maxWeight - weight,
// which is non-negative. A rectangular problem is padded to n x n with dummy
// rows or columns of constant cost 0: every perfect matching of the square matrix
// uses the same number of dummy cells, so the padding does not change which real
// cells are optimal. Rows matched to a dummy column come back as -1.
//
// Every row is assigned when rows <= cols, and min(rows, cols) rows otherwise,
// even where a weight is negative: this is a maximum-weight assignment of the
// smaller side, not a maximum-weight matching that may leave pairs out.
std::vector<int64_t> maxWeightAssignment(const std::vector<double>& weights, int64_t rows,
                                         int64_t cols) {
    if (rows < 0 || cols < 0)
        throw Error("maxWeightAssignment: the matrix shape " + std::to_string(rows) + " x " +
                    std::to_string(cols) + " is negative");
    if (static_cast<uint64_t>(weights.size()) !=
        static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols))
        throw Error("maxWeightAssignment: got " + std::to_string(weights.size()) +
                    " weights for a " + std::to_string(rows) + " x " + std::to_string(cols) +
                    " matrix");
    std::vector<int64_t> assignment(static_cast<size_t>(rows), -1);
    if (rows == 0 || cols == 0)
        return assignment;

    double maxWeight = -std::numeric_limits<double>::infinity();
    for (double w : weights) {
        if (!std::isfinite(w))
            throw Error("maxWeightAssignment: the weights must be finite numbers");
        maxWeight = std::max(maxWeight, w);
    }

    // 1-based indices below; index 0 is the virtual "source" column of the
    // augmenting-path search.
    const int64_t n = std::max(rows, cols);
    auto cost = [&](int64_t i, int64_t j) -> double {
        if (i > rows || j > cols)
            return 0.0; // padding
        return maxWeight - weights[static_cast<size_t>((i - 1) * cols + (j - 1))];
    };

    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> u(static_cast<size_t>(n + 1), 0.0); // row potentials
    std::vector<double> v(static_cast<size_t>(n + 1), 0.0); // column potentials
    // matchOfCol[j]: the row matched to column j (0 = none); matchOfCol[0] is the
    // row being inserted in the current phase.
    std::vector<int64_t> matchOfCol(static_cast<size_t>(n + 1), 0);
    // prevCol[j]: the previous column on the shortest alternating path to j.
    std::vector<int64_t> prevCol(static_cast<size_t>(n + 1), 0);
    std::vector<double> minSlack(static_cast<size_t>(n + 1));
    std::vector<char> visited(static_cast<size_t>(n + 1));

    // Invariant: u[i] + v[j] <= cost(i, j) for all cells, with equality on matched
    // cells (reduced costs are non-negative, tight on the matching). Each phase
    // adds one row and grows a Dijkstra-like tree of tight edges until it reaches
    // a free column, then flips the path; this keeps the invariant, so the final
    // perfect matching is optimal.
    for (int64_t row = 1; row <= n; ++row) {
        matchOfCol[0] = row;
        int64_t col0 = 0; // the column whose matched row we are expanding
        std::fill(minSlack.begin(), minSlack.end(), inf);
        std::fill(visited.begin(), visited.end(), 0);
        do {
            visited[static_cast<size_t>(col0)] = 1;
            const int64_t i0 = matchOfCol[static_cast<size_t>(col0)];
            double delta = inf;
            int64_t col1 = 0;
            // Relax the edges out of row i0 and pick the unvisited column of
            // least reduced cost (the next node of the shortest-path tree).
            for (int64_t j = 1; j <= n; ++j) {
                if (visited[static_cast<size_t>(j)])
                    continue;
                const double reduced = cost(i0, j) - u[static_cast<size_t>(i0)] -
                                       v[static_cast<size_t>(j)];
                if (reduced < minSlack[static_cast<size_t>(j)]) {
                    minSlack[static_cast<size_t>(j)] = reduced;
                    prevCol[static_cast<size_t>(j)] = col0;
                }
                if (minSlack[static_cast<size_t>(j)] < delta) {
                    delta = minSlack[static_cast<size_t>(j)];
                    col1 = j;
                }
            }
            // Shift the potentials by delta: tree edges stay tight, and the edge
            // to col1 becomes tight.
            for (int64_t j = 0; j <= n; ++j) {
                if (visited[static_cast<size_t>(j)]) {
                    u[static_cast<size_t>(matchOfCol[static_cast<size_t>(j)])] += delta;
                    v[static_cast<size_t>(j)] -= delta;
                } else {
                    minSlack[static_cast<size_t>(j)] -= delta;
                }
            }
            col0 = col1;
        } while (matchOfCol[static_cast<size_t>(col0)] != 0); // stop at a free column

        // Augment: flip the matching along the path back to the source.
        do {
            const int64_t col1 = prevCol[static_cast<size_t>(col0)];
            matchOfCol[static_cast<size_t>(col0)] = matchOfCol[static_cast<size_t>(col1)];
            col0 = col1;
        } while (col0 != 0);
    }

    for (int64_t j = 1; j <= cols; ++j) {
        const int64_t i = matchOfCol[static_cast<size_t>(j)];
        if (i >= 1 && i <= rows)
            assignment[static_cast<size_t>(i - 1)] = j - 1;
    }
    return assignment;
}

ClusterScores scoreClustering(const std::vector<int64_t>& predicted, int64_t numClusters,
                              const std::vector<int32_t>& truth, int64_t numClasses) {
    validateLabels("scoreClustering", predicted, numClusters, truth, numClasses);
    if (predicted.empty())
        throw Error("scoreClustering: there are no samples to score");

    const std::vector<int64_t> table =
        contingencyTable(predicted, numClusters, truth, numClasses);
    auto cell = [&](int64_t k, int64_t c) {
        return table[static_cast<size_t>(k * numClasses + c)];
    };

    const int64_t n = static_cast<int64_t>(predicted.size());
    std::vector<int64_t> clusterSize(static_cast<size_t>(numClusters), 0); // row sums
    std::vector<int64_t> classSize(static_cast<size_t>(numClasses), 0);    // column sums
    for (int64_t k = 0; k < numClusters; ++k)
        for (int64_t c = 0; c < numClasses; ++c) {
            clusterSize[static_cast<size_t>(k)] += cell(k, c);
            classSize[static_cast<size_t>(c)] += cell(k, c);
        }

    ClusterScores s;
    s.samples = n;
    s.clusters = numClusters;
    s.classes = numClasses;
    s.nonEmptyClusters = std::count_if(clusterSize.begin(), clusterSize.end(),
                                       [](int64_t x) { return x > 0; });

    // Majority vote (purity): every cluster is labelled with its most frequent
    // class, several clusters may pick the same class.
    int64_t majorityCorrect = 0;
    for (int64_t k = 0; k < numClusters; ++k) {
        int64_t best = 0;
        for (int64_t c = 0; c < numClasses; ++c)
            best = std::max(best, cell(k, c));
        majorityCorrect += best;
    }
    s.majorityAccuracy = static_cast<double>(majorityCorrect) / static_cast<double>(n);

    // Hungarian accuracy: a one-to-one map cluster -> class maximising the matched
    // samples. Empty clusters and absent classes add nothing to any matching, so
    // the assignment runs on the populated ones only. Clusters left without a
    // class (more clusters than classes) count as wrong.
    std::vector<int64_t> usedClusters;
    std::vector<int64_t> usedClasses;
    for (int64_t k = 0; k < numClusters; ++k)
        if (clusterSize[static_cast<size_t>(k)] > 0)
            usedClusters.push_back(k);
    for (int64_t c = 0; c < numClasses; ++c)
        if (classSize[static_cast<size_t>(c)] > 0)
            usedClasses.push_back(c);
    const int64_t r = static_cast<int64_t>(usedClusters.size());
    const int64_t q = static_cast<int64_t>(usedClasses.size());
    std::vector<double> weights(static_cast<size_t>(r * q));
    for (int64_t a = 0; a < r; ++a)
        for (int64_t b = 0; b < q; ++b)
            weights[static_cast<size_t>(a * q + b)] = static_cast<double>(
                cell(usedClusters[static_cast<size_t>(a)], usedClasses[static_cast<size_t>(b)]));
    const std::vector<int64_t> match = maxWeightAssignment(weights, r, q);
    int64_t hungarianCorrect = 0;
    for (int64_t a = 0; a < r; ++a) {
        const int64_t b = match[static_cast<size_t>(a)];
        if (b >= 0)
            hungarianCorrect +=
                cell(usedClusters[static_cast<size_t>(a)], usedClasses[static_cast<size_t>(b)]);
    }
    s.hungarianAccuracy = static_cast<double>(hungarianCorrect) / static_cast<double>(n);

    // NMI, arithmetic normalisation (SPEC 6):
    //   I = sum_kc (n_kc / n) log(n n_kc / (a_k b_c)),  H = -sum p log p,
    //   NMI = I / ((H(pred) + H(truth)) / 2),
    // defined as 1 when both partitions are trivial (both entropies 0) and 0 when
    // only one is (then I = 0 as well).
    const double hPred = entropy(clusterSize, n);
    const double hTruth = entropy(classSize, n);
    double mutualInfo = 0.0;
    const double dn = static_cast<double>(n);
    for (int64_t k : usedClusters)
        for (int64_t c : usedClasses) {
            const int64_t nkc = cell(k, c);
            if (nkc == 0)
                continue;
            const double a = static_cast<double>(clusterSize[static_cast<size_t>(k)]);
            const double b = static_cast<double>(classSize[static_cast<size_t>(c)]);
            const double x = static_cast<double>(nkc);
            mutualInfo += (x / dn) * std::log(dn * x / (a * b));
        }
    mutualInfo = std::max(0.0, mutualInfo); // rounding can make I = 0 slightly negative
    if (hPred == 0.0 && hTruth == 0.0)
        s.nmi = 1.0;
    else if (hPred == 0.0 || hTruth == 0.0)
        s.nmi = 0.0;
    else
        s.nmi = std::min(1.0, mutualInfo / ((hPred + hTruth) / 2.0));

    // ARI (Hubert & Arabie 1985), with pair counts C(m, 2):
    //   index = sum_kc C(n_kc,2), A = sum_k C(a_k,2), B = sum_c C(b_c,2), T = C(n,2),
    //   expected = A B / T, max = (A + B) / 2,
    //   ARI = (index - expected) / (max - expected).
    // Sums are exact in int64; the products go through double (T^2 overflows
    // int64 beyond ~77k samples).
    int64_t index = 0;
    for (int64_t x : table)
        index += pairs(x);
    int64_t sumA = 0;
    for (int64_t x : clusterSize)
        sumA += pairs(x);
    int64_t sumB = 0;
    for (int64_t x : classSize)
        sumB += pairs(x);
    const int64_t total = pairs(n);
    // max - expected = ((A+B)/2 - AB/T) >= sqrt(AB) - AB/T >= 0 since A, B <= T;
    // it is 0 exactly when T = 0 or A = B in {0, T}, checked here in integers.
    const bool degenerate = total == 0 || (sumA == sumB && (sumA == 0 || sumA == total));
    if (degenerate) {
        // Both partitions are then all-singletons or all-in-one (or n < 2): the
        // score is 1 when they are the same partition, 0 otherwise.
        bool identical = true;
        for (int64_t k : usedClusters) {
            int64_t nonZero = 0;
            for (int64_t c : usedClasses)
                nonZero += cell(k, c) > 0 ? 1 : 0;
            identical = identical && nonZero == 1;
        }
        for (int64_t c : usedClasses) {
            int64_t nonZero = 0;
            for (int64_t k : usedClusters)
                nonZero += cell(k, c) > 0 ? 1 : 0;
            identical = identical && nonZero == 1;
        }
        s.ari = identical ? 1.0 : 0.0;
    } else {
        const double expected =
            static_cast<double>(sumA) * static_cast<double>(sumB) / static_cast<double>(total);
        const double maxIndex = (static_cast<double>(sumA) + static_cast<double>(sumB)) / 2.0;
        s.ari = (static_cast<double>(index) - expected) / (maxIndex - expected);
    }
    return s;
}

bool scoresCombined(const Dataset& data, int dL, int64_t combinations)
{
    return (data.labels.size() > 1 || dL > 1) && combinations <= kMaxTabulatedCombinations &&
           data.combinedClassCount() <= kMaxTabulatedCombinations;
}

std::vector<LabelScore> scoreAgainstLabels(const ClusterAssignment& a, const Dataset& data)
{
    if (!data.hasLabels())
        return {};
    if (a.count != data.count)
        throw Error("live score: the assignment has " + std::to_string(a.count) + " samples, the data " +
                    std::to_string(data.count));
    const int64_t columns = int64_t(data.labels.size());
    // scores[l][t]: Q label l against the data's column t.
    std::vector<std::vector<ClusterScores>> scores(size_t(a.dL));
    std::vector<double> nmi(size_t(columns * a.dL));
    std::vector<int64_t> predicted(size_t(a.count));
    for (int l = 0; l < a.dL; ++l) {
        for (int64_t i = 0; i < a.count; ++i)
            predicted[size_t(i)] = a.category[size_t(i * a.dL + l)];
        for (int64_t t = 0; t < columns; ++t) {
            const LabelColumn& column = data.labels[size_t(t)];
            scores[size_t(l)].push_back(
                scoreClustering(predicted, a.dC, column.values, int64_t(column.classNames.size())));
            nmi[size_t(t * a.dL + l)] = scores[size_t(l)].back().nmi;
        }
    }
    const std::vector<int64_t> match = maxWeightAssignment(nmi, columns, a.dL);
    std::vector<LabelScore> out;
    for (int64_t t = 0; t < columns; ++t) {
        int64_t l = match[size_t(t)];
        if (l < 0) // more columns than Q labels: this one's best label, shared
            l = std::max_element(nmi.begin() + t * a.dL, nmi.begin() + (t + 1) * a.dL) - (nmi.begin() + t * a.dL);
        const ClusterScores& s = scores[size_t(l)][size_t(t)];
        out.push_back({data.labels[size_t(t)].name, int(l), s.hungarianAccuracy, s.nmi, s.ari});
    }
    if (scoresCombined(data, a.dL, a.combinations())) {
        const ClusterScores s =
            scoreClustering(a.combined, a.combinations(), data.combinedLabels(), data.combinedClassCount());
        out.push_back({"combined", -1, s.hungarianAccuracy, s.nmi, s.ari});
    }
    return out;
}

std::string csvField(const std::string& text)
{
    if (text.find_first_of(",\"\r\n") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::vector<std::vector<CategoryMeaning>> categoryMeanings(const ClusterAssignment& a, const Dataset& data)
{
    const std::vector<LabelScore> scores = scoreAgainstLabels(a, data); // checks the sample count
    if (scores.empty())
        return {};
    std::vector<std::vector<CategoryMeaning>> out(size_t(a.dL), std::vector<CategoryMeaning>(size_t(a.dC)));
    std::vector<int64_t> predicted(size_t(a.count));
    for (int l = 0; l < a.dL; ++l) {
        int64_t best = -1; // the data column matched to label l with the highest NMI
        for (size_t t = 0; t < data.labels.size() && t < scores.size(); ++t)
            if (scores[t].qLabel == l && (best < 0 || scores[t].nmi > scores[size_t(best)].nmi))
                best = int64_t(t);
        if (best < 0)
            continue;
        const LabelColumn& column = data.labels[size_t(best)];
        const int64_t classes = int64_t(column.classNames.size());
        for (int64_t i = 0; i < a.count; ++i)
            predicted[size_t(i)] = a.category[size_t(i * a.dL + l)];
        const std::vector<int64_t> table = contingencyTable(predicted, a.dC, column.values, classes);
        const std::vector<int64_t> match =
            maxWeightAssignment(std::vector<double>(table.begin(), table.end()), a.dC, classes);
        for (int k = 0; k < a.dC; ++k) {
            CategoryMeaning& m = out[size_t(l)][size_t(k)];
            m.column = column.name;
            for (int64_t c = 0; c < classes; ++c)
                m.count += table[size_t(k * classes + c)];
            const int64_t c = match[size_t(k)];
            if (c < 0)
                continue;
            m.classId = int32_t(c);
            m.className = size_t(c) < column.classNames.size() ? column.classNames[size_t(c)] : std::to_string(c);
            m.share = m.count > 0 ? double(table[size_t(k * classes + c)]) / double(m.count) : 0.0;
        }
    }
    return out;
}

namespace {

void writeFloat(std::ostream& out, float v)
{
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.write(buf, r.ptr - buf);
}


} // namespace

void writeAssignmentsCsv(std::ostream& out, const ClusterAssignment& a, const std::vector<LabelColumn>& truth)
{
    for (const LabelColumn& column : truth)
        if (int64_t(column.values.size()) != a.count)
            throw Error("the ground-truth column '" + column.name + "' has " + std::to_string(column.values.size()) +
                        " values for " + std::to_string(a.count) + " samples");
    const bool combinedIds = combinationCount(a.dL, a.dC) != kTooManyCombinations;
    out << "index";
    for (int l = 0; l < a.dL; ++l)
        out << ",label" << l << ",confidence" << l;
    out << ",combined,combined_confidence,step";
    for (const LabelColumn& column : truth) {
        out << ',';
        out << csvField(column.name);
    }
    out << '\n';
    for (int64_t i = 0; i < a.count; ++i) {
        out << i;
        for (int l = 0; l < a.dL; ++l) {
            const size_t k = size_t(i) * size_t(a.dL) + size_t(l);
            out << ',' << a.category[k] << ',';
            writeFloat(out, a.confidence[k]);
        }
        out << ',';
        if (combinedIds)
            out << a.combined[size_t(i)];
        out << ',';
        writeFloat(out, a.combinedConfidence[size_t(i)]);
        out << ',' << a.step; // the model's step when Q ran (issue 27: exports carried none)
        for (const LabelColumn& column : truth) {
            out << ',';
            const int32_t v = column.values[size_t(i)];
            if (v >= 0 && size_t(v) < column.classNames.size())
                out << csvField(column.classNames[size_t(v)]);
            else
                out << v;
        }
        out << '\n';
    }
}

} // namespace cgpgan
