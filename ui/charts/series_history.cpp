#include "charts/series_history.h"

#include <algorithm>
#include <cmath>

namespace cgpgan::ui {

SeriesHistory::SeriesHistory(int capacity)
    : m_capacity(std::max(2, capacity + (capacity & 1)))
{
    m_buckets.reserve(size_t(m_capacity));
}

void SeriesHistory::clear()
{
    m_perBucket = 1;
    m_buckets.clear();
    m_count = 0;
    m_nonFinite = 0;
    m_min = std::numeric_limits<double>::infinity();
    m_max = -std::numeric_limits<double>::infinity();
}

void SeriesHistory::append(int64_t step, double value)
{
    if (!std::isfinite(value)) {
        ++m_nonFinite;
        return;
    }
    if (m_buckets.empty() || m_buckets.back().count >= m_perBucket) {
        // Every bucket is full here and capacity is even, so merging leaves
        // capacity/2 full buckets and the sample opens a new one.
        if (int(m_buckets.size()) == m_capacity)
            mergePairs();
        Bucket b;
        b.firstStep = b.minStep = b.maxStep = step;
        m_buckets.push_back(b);
    }
    Bucket& b = m_buckets.back();
    b.lastStep = step;
    if (value < b.min) {
        b.min = value;
        b.minStep = step;
    }
    if (value > b.max) {
        b.max = value;
        b.maxStep = step;
    }
    b.sum += value;
    ++b.count;

    ++m_count;
    m_min = std::min(m_min, value);
    m_max = std::max(m_max, value);
}

// Halves the number of buckets: each pair becomes one that spans both, keeps
// the more extreme min and max (with their steps) and adds sums and counts.
void SeriesHistory::mergePairs()
{
    const size_t n = m_buckets.size();
    size_t out = 0;
    for (size_t i = 0; i + 1 < n; i += 2, ++out) {
        const Bucket& a = m_buckets[i];
        const Bucket& c = m_buckets[i + 1];
        Bucket m;
        m.firstStep = a.firstStep;
        m.lastStep = c.lastStep;
        if (c.min < a.min) {
            m.min = c.min;
            m.minStep = c.minStep;
        } else {
            m.min = a.min;
            m.minStep = a.minStep;
        }
        if (c.max > a.max) {
            m.max = c.max;
            m.maxStep = c.maxStep;
        } else {
            m.max = a.max;
            m.maxStep = a.maxStep;
        }
        m.sum = a.sum + c.sum;
        m.count = a.count + c.count;
        m_buckets[out] = m;
    }
    if (n % 2 == 1) // not reached (capacity is even); keeps the last one whole
        m_buckets[out++] = m_buckets[n - 1];
    m_buckets.resize(out);
    m_perBucket *= 2;
}

size_t SeriesHistory::groupSize(int maxBuckets) const
{
    size_t g = 1;
    if (maxBuckets > 0)
        while (m_buckets.size() > g * size_t(maxBuckets))
            g *= 2;
    return g;
}

QList<QPointF> SeriesHistory::envelope(bool positiveOnly, int maxBuckets) const
{
    const size_t g = groupSize(maxBuckets);
    QList<QPointF> points;
    points.reserve(qsizetype(m_buckets.size() / g * 2 + 2));
    auto add = [&](int64_t step, double v) {
        if (!positiveOnly || v > 0)
            points.append(QPointF(double(step), v));
    };
    for (size_t first = 0; first < m_buckets.size(); first += g) {
        // The extremes of the group (one bucket unless drawing is decimated).
        const Bucket* lo = &m_buckets[first];
        const Bucket* hi = lo;
        int64_t count = lo->count;
        for (size_t i = first + 1; i < std::min(first + g, m_buckets.size()); ++i) {
            const Bucket& b = m_buckets[i];
            if (b.min < lo->min)
                lo = &b;
            if (b.max > hi->max)
                hi = &b;
            count += b.count;
        }
        if (count == 1 || lo->min == hi->max) {
            add(lo->minStep, lo->min);
        } else if (lo->minStep <= hi->maxStep) {
            add(lo->minStep, lo->min);
            add(hi->maxStep, hi->max);
        } else {
            add(hi->maxStep, hi->max);
            add(lo->minStep, lo->min);
        }
    }
    return points;
}

namespace {

// One step of the debiased exponential smoothing over a bucket of n samples
// at value v (see series_history.h).
struct Smoother {
    double w = 0;
    double ema = 0;
    double weightOfStart = 1; // w^samples so far: what the zero start still weighs
    double cachedN = -1, cachedPow = 0;

    double push(int64_t n, double v)
    {
        if (double(n) != cachedN) {
            cachedN = double(n);
            cachedPow = std::pow(w, cachedN);
        }
        ema = cachedPow * ema + (1.0 - cachedPow) * v;
        weightOfStart *= cachedPow;
        const double debias = 1.0 - weightOfStart;
        return debias > 0 ? ema / debias : v;
    }
};

double clampSmoothing(double s)
{
    return std::isfinite(s) ? std::clamp(s, 0.0, 0.999) : 0.0;
}

} // namespace

QList<QPointF> SeriesHistory::smoothed(double smoothing, bool positiveOnly, int maxBuckets) const
{
    const size_t g = groupSize(maxBuckets);
    QList<QPointF> points;
    points.reserve(qsizetype(m_buckets.size() / g + 1));
    Smoother s{clampSmoothing(smoothing)};
    for (size_t i = 0; i < m_buckets.size(); ++i) {
        const Bucket& b = m_buckets[i];
        const double y = s.push(b.count, b.mean());
        const bool drawn = (i + 1) % g == 0 || i + 1 == m_buckets.size();
        if (drawn && (!positiveOnly || y > 0))
            points.append(QPointF(0.5 * double(b.firstStep + b.lastStep), y));
    }
    return points;
}

const SeriesHistory::Bucket* SeriesHistory::bucketAt(double step) const
{
    if (m_buckets.empty())
        return nullptr;
    auto it = std::lower_bound(m_buckets.begin(), m_buckets.end(), step,
                               [](const Bucket& b, double s) { return double(b.lastStep) < s; });
    if (it == m_buckets.end())
        return &m_buckets.back();
    if (it != m_buckets.begin() && double(it->firstStep) > step) {
        // Between two buckets: take the nearer one.
        auto prev = it - 1;
        if (step - double(prev->lastStep) < double(it->firstStep) - step)
            return &*prev;
    }
    return &*it;
}

double SeriesHistory::smoothedAt(double step, double smoothing) const
{
    const Bucket* target = bucketAt(step);
    if (!target)
        return 0;
    Smoother s{clampSmoothing(smoothing)};
    double y = 0;
    for (const Bucket& b : m_buckets) {
        y = s.push(b.count, b.mean());
        if (&b == target)
            break;
    }
    return y;
}

} // namespace cgpgan::ui
