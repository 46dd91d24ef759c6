// The cluster browser's logic (SPEC 6): cluster of x = argmax Q(x) per label,
// the combination of all labels being the full cluster id.
#include "clusters/cluster_model.h"

#include "cgpgan/error.h"
#include "cgpgan/clustering.h"
#include "cgpgan/combinations.h"

#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace cgpgan::ui {

std::vector<Truth> truthColumns(const Dataset& data)
{
    std::vector<Truth> truths;
    for (const LabelColumn& column : data.labels)
        truths.push_back({column.name, column.classNames, column.values});
    if (data.labels.size() > 1) {
        // Class names in the same mixed radix as combinedLabels() (first column
        // most significant).
        Truth all{"all labels", {""}, data.combinedLabels()};
        for (const LabelColumn& column : data.labels) {
            std::vector<std::string> next;
            for (const std::string& prefix : all.classNames)
                for (const std::string& name : column.classNames)
                    next.push_back(prefix.empty() ? name : prefix + " \u00b7 " + name);
            all.classNames = std::move(next);
        }
        truths.push_back(std::move(all));
    }
    return truths;
}

int64_t Confusion::total() const
{
    return std::accumulate(table.begin(), table.end(), int64_t(0));
}

ClusterModel::ClusterModel(ClusterAssignment assignment, std::vector<float> prior, int64_t step)
    : m_assignment(std::move(assignment)), m_prior(std::move(prior)), m_step(step)
{
    const ClusterAssignment& a = m_assignment;
    const auto n = size_t(std::max<int64_t>(a.count, 0));
    const size_t perLabel = n * size_t(std::max(a.dL, 0));
    if (a.count < 0 || a.dL < 1 || a.dC < 2 || a.category.size() != perLabel
        || a.confidence.size() != perLabel || a.combined.size() != n
        || a.combinedConfidence.size() != n)
        throw std::invalid_argument("cluster assignment: arrays do not match count, d_l and d_c");
    if (!m_prior.empty() && m_prior.size() != size_t(a.dL) * size_t(a.dC))
        throw std::invalid_argument("cluster assignment: the prior is not d_l x d_c");
    m_combinations = combinationCount(a.dL, a.dC);
    if (m_combinations == kTooManyCombinations)
        m_combinations = 0; // no combined ids (see combinations.h)
    for (size_t i = 0; i < n; ++i) {
        if (hasCombinedView() && (a.combined[i] < 0 || a.combined[i] >= m_combinations))
            throw std::invalid_argument("cluster assignment: a combined id is out of range");
        for (int l = 0; l < a.dL; ++l) {
            const int32_t c = a.category[i * size_t(a.dL) + size_t(l)];
            if (c < 0 || c >= a.dC)
                throw std::invalid_argument("cluster assignment: a category is out of range");
        }
    }

    m_views.resize(size_t(a.dL) + 1);
    for (int l = 0; l < a.dL; ++l)
        buildView(l);
    if (hasCombinedView())
        buildView(kCombined);
}

std::vector<int> ClusterModel::views() const
{
    std::vector<int> v(static_cast<size_t>(dL()));
    std::iota(v.begin(), v.end(), 0);
    if (hasCombinedView())
        v.push_back(kCombined);
    return v;
}

QString ClusterModel::viewName(int view)
{
    return view == kCombined ? QStringLiteral("all labels (combined)")
                             : QStringLiteral("label %1").arg(view);
}

size_t ClusterModel::slot(int view) const
{
    if (view == kCombined) {
        if (!hasCombinedView())
            throw std::out_of_range("d_c^d_l is too large for a combined view");
        return size_t(dL());
    }
    if (view < 0 || view >= dL())
        throw std::out_of_range("cluster view out of range");
    return size_t(view);
}

int64_t ClusterModel::clusterCount(int view) const
{
    return view == kCombined ? m_combinations : dC();
}

int64_t ClusterModel::clusterOf(int view, int64_t sample) const
{
    return view == kCombined ? m_assignment.combined[size_t(sample)]
                             : m_assignment.category[size_t(sample) * size_t(dL()) + slot(view)];
}

float ClusterModel::confidenceOf(int view, int64_t sample) const
{
    return view == kCombined ? m_assignment.combinedConfidence[size_t(sample)]
                             : m_assignment.confidence[size_t(sample) * size_t(dL()) + slot(view)];
}

std::vector<int64_t> ClusterModel::predicted(int view) const
{
    std::vector<int64_t> p(static_cast<size_t>(count()));
    for (int64_t i = 0; i < count(); ++i)
        p[size_t(i)] = clusterOf(view, i);
    return p;
}

std::vector<int> ClusterModel::categoriesOf(int64_t combined) const
{
    return combinationCategories(combined, dL(), dC());
}

QString ClusterModel::clusterName(int view, int64_t id) const
{
    if (view != kCombined)
        return QString::number(id);
    QStringList parts;
    for (int c : categoriesOf(id))
        parts << QString::number(c);
    return QStringLiteral("(%1)").arg(parts.join(QStringLiteral(", ")));
}

void ClusterModel::buildView(int view)
{
    const int64_t ids = clusterCount(view);
    std::vector<int64_t> sizes;
    std::vector<int64_t> idOfSample(static_cast<size_t>(count()));
    for (int64_t i = 0; i < count(); ++i)
        idOfSample[size_t(i)] = clusterOf(view, i);

    // Which ids get a row: all of them, or only the populated ones when the
    // combined view is too large to list.
    std::vector<int64_t> listed;
    if (ids <= kMaxListed) {
        listed.resize(size_t(ids));
        std::iota(listed.begin(), listed.end(), 0);
    } else {
        listed = idOfSample;
        std::sort(listed.begin(), listed.end());
        listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
    }

    std::vector<ClusterStats>& out = m_views[slot(view)];
    out.assign(listed.size(), {});
    for (size_t r = 0; r < listed.size(); ++r)
        out[r].id = listed[r];
    auto rowOf = [&](int64_t id) {
        return ids <= kMaxListed ? size_t(id)
                                 : size_t(std::lower_bound(listed.begin(), listed.end(), id)
                                          - listed.begin());
    };

    std::vector<double> confidenceSum(listed.size(), 0.0);
    for (int64_t i = 0; i < count(); ++i) {
        const size_t r = rowOf(idOfSample[size_t(i)]);
        out[r].members.push_back(i);
        confidenceSum[r] += confidenceOf(view, i);
    }

    for (size_t r = 0; r < out.size(); ++r) {
        ClusterStats& s = out[r];
        s.size = int64_t(s.members.size());
        s.fraction = count() > 0 ? double(s.size) / double(count()) : 0.0;
        s.meanConfidence = s.size > 0 ? confidenceSum[r] / double(s.size) : 0.0;
        if (hasPrior()) {
            // The prior of a combination is the product of its labels' masses:
            // the labels are drawn independently (SPEC 2).
            if (view == kCombined) {
                const std::vector<int> cats = categoriesOf(s.id);
                double mass = 1.0;
                for (int l = 0; l < dL(); ++l)
                    mass *= m_prior[size_t(l) * size_t(dC()) + size_t(cats[size_t(l)])];
                s.priorMass = mass;
            } else {
                s.priorMass = m_prior[size_t(view) * size_t(dC()) + size_t(s.id)];
            }
        }
        std::stable_sort(s.members.begin(), s.members.end(), [&](int64_t a, int64_t b) {
            return confidenceOf(view, a) > confidenceOf(view, b);
        });
    }
}

const std::vector<ClusterStats>& ClusterModel::clusters(int view) const
{
    return m_views[slot(view)];
}

const ClusterStats* ClusterModel::find(int view, int64_t id) const
{
    const std::vector<ClusterStats>& list = clusters(view);
    auto it = std::lower_bound(list.begin(), list.end(), id,
                               [](const ClusterStats& s, int64_t v) { return s.id < v; });
    return it != list.end() && it->id == id ? &*it : nullptr;
}

int64_t ClusterModel::nonEmptyClusters(int view) const
{
    const auto& list = clusters(view);
    return std::count_if(list.begin(), list.end(), [](const ClusterStats& s) { return s.size > 0; });
}

int64_t ClusterModel::populatedByPrior(int view) const
{
    if (!hasPrior())
        return -1;
    if (view != kCombined) {
        const auto& list = clusters(view);
        return std::count_if(list.begin(), list.end(),
                             [](const ClusterStats& s) { return s.priorMass > 0.01; });
    }
    // All combinations, listed or not (their prior needs no samples). Masses
    // are at most 1, so a partial product at or below 0.01 can be pruned: at
    // most 100 partial products per depth exceed it.
    int64_t n = 0;
    std::vector<double> partial{1.0};
    for (int l = 0; l < dL(); ++l) {
        std::vector<double> next;
        for (double p : partial)
            for (int k = 0; k < dC(); ++k) {
                const double mass = p * m_prior[size_t(l) * size_t(dC()) + size_t(k)];
                if (mass > 0.01)
                    next.push_back(mass);
            }
        partial = std::move(next);
    }
    n = int64_t(partial.size());
    return n;
}

Confusion ClusterModel::confusion(int view, const Truth& truth) const
{
    if (int64_t(truth.values.size()) != count())
        throw std::invalid_argument("ground truth '" + truth.name + "' has "
                                    + std::to_string(truth.values.size()) + " values for "
                                    + std::to_string(count()) + " samples");
    Confusion c;
    c.classes = int64_t(truth.classNames.size());
    const std::vector<ClusterStats>& list = clusters(view);
    for (const ClusterStats& s : list)
        c.rows.push_back(s.id);
    c.matched.assign(c.rows.size(), -1);
    if (c.classes == 0 || count() == 0)
        return c;

    // Rows are the listed clusters; scoring sees only the populated ones,
    // which leaves Hungarian accuracy, NMI and ARI unchanged (an empty cluster
    // adds no weight and no entropy) and keeps the matching small.
    std::vector<int64_t> rowOfSample(static_cast<size_t>(count()));
    std::vector<int64_t> populatedOfRow(list.size(), -1);
    std::vector<size_t> rowOfPopulated;
    for (size_t r = 0; r < list.size(); ++r) {
        for (int64_t i : list[r].members)
            rowOfSample[size_t(i)] = int64_t(r);
        if (list[r].size > 0) {
            populatedOfRow[r] = int64_t(rowOfPopulated.size());
            rowOfPopulated.push_back(r);
        }
    }
    c.table = contingencyTable(rowOfSample, int64_t(list.size()), truth.values, c.classes);

    const auto populated = int64_t(rowOfPopulated.size());
    if (populated > kMaxMatched || c.classes > kMaxMatched)
        return c;
    std::vector<int64_t> compact(static_cast<size_t>(count()));
    for (int64_t i = 0; i < count(); ++i)
        compact[size_t(i)] = populatedOfRow[size_t(rowOfSample[size_t(i)])];
    c.scores = scoreClustering(compact, populated, truth.values, c.classes);
    c.scores.clusters = clusterCount(view);

    // The matching itself, for outlining the matched cells.
    std::vector<double> weights(static_cast<size_t>(populated * c.classes));
    for (int64_t p = 0; p < populated; ++p)
        for (int64_t k = 0; k < c.classes; ++k)
            weights[size_t(p * c.classes + k)] = double(c.at(rowOfPopulated[size_t(p)], k));
    const std::vector<int64_t> match = maxWeightAssignment(weights, populated, c.classes);
    for (int64_t p = 0; p < populated; ++p)
        c.matched[rowOfPopulated[size_t(p)]] = match[size_t(p)];
    c.scored = true;
    return c;
}

bool ClusterModel::writeCsv(const QString& path, const std::vector<LabelColumn>& truth,
                            QString* error) const
{
    auto fail = [&](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    // The same layout as `cgpgan cluster` (cgpgan/clustering.h).
    std::ostringstream text;
    try {
        writeAssignmentsCsv(text, m_assignment, truth);
    } catch (const std::exception& e) {
        return fail(QString::fromStdString(userMessage(e)));
    }
    const std::string bytes = text.str();
    QSaveFile file(path); // written to a temporary file, renamed on commit()
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("Could not write %1: %2").arg(path, file.errorString()));
    if (file.write(bytes.data(), qint64(bytes.size())) != qint64(bytes.size()) || !file.commit())
        return fail(QStringLiteral("Could not write %1: %2").arg(path, file.errorString()));
    return true;
}

} // namespace cgpgan::ui
