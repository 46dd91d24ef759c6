#pragma once
// A bounded, decimated history of one logged quantity (SPEC 4, "Logged per
// step") for the live charts (STYLE.md: "Chart history is bounded and
// decimated with min/max buckets so spikes survive").
//
// Samples go into at most `capacity` buckets. Every bucket covers the same
// number of samples; when the buckets run out, neighbours are merged pairwise
// and that number doubles, so memory is bounded and the resolution halves
// while each bucket's min and max (and where they happened) survive: a single
// spike among millions of steps is still drawn. Non-finite values are not
// stored but counted, so the UI can say how many were skipped.
//
// QtCore only (QPointF, QList): the points come out ready for
// QXYSeries::replace(), without a conversion pass on the UI thread.
#include <QList>
#include <QPointF>

#include <cstdint>
#include <limits>
#include <vector>

namespace cgpgan::ui {

class SeriesHistory final {
public:
    struct Bucket {
        int64_t firstStep = 0, lastStep = 0;
        int64_t minStep = 0, maxStep = 0;   // where min and max happened
        double min = std::numeric_limits<double>::infinity();
        double max = -std::numeric_limits<double>::infinity();
        double sum = 0;
        int64_t count = 0;
        double mean() const { return count > 0 ? sum / double(count) : 0.0; }
    };

    // capacity: the most buckets ever held (even, at least 2).
    explicit SeriesHistory(int capacity = 2048);

    void append(int64_t step, double value);
    void clear();

    int capacity() const { return m_capacity; }
    const std::vector<Bucket>& buckets() const { return m_buckets; }
    int64_t samplesPerBucket() const { return m_perBucket; }
    int64_t count() const { return m_count; }           // finite samples kept
    int64_t nonFiniteCount() const { return m_nonFinite; }
    bool empty() const { return m_buckets.empty(); }
    double min() const { return m_min; }                // of all finite samples
    double max() const { return m_max; }
    int64_t lastStep() const { return m_buckets.empty() ? 0 : m_buckets.back().lastStep; }
    int64_t firstStep() const { return m_buckets.empty() ? 0 : m_buckets.front().firstStep; }

    // Per bucket its min and max at the steps they happened, in step order:
    // two points, or one when both are the same sample or value. With
    // positiveOnly (log axes) points <= 0 are left out. maxBuckets > 0 (the
    // chart's width in pixels) groups neighbouring buckets for drawing, a
    // power of two at a time so the groups stay put as data arrives; the
    // extremes still survive.
    QList<QPointF> envelope(bool positiveOnly = false, int maxBuckets = 0) const;

    // Exponential smoothing of the bucket means, TensorBoard style
    // (last = w*last + (1-w)*v, divided by 1 - w^n to remove the bias of
    // starting at 0), one point per bucket at its middle step. A bucket of n
    // samples counts as n samples at its mean (weight w^n), so the curve keeps
    // the same smoothing per step as buckets merge. smoothing in [0, 0.999];
    // 0 gives the raw bucket means. maxBuckets as for envelope(): the curve
    // is computed over every bucket and drawn at the last of each group.
    QList<QPointF> smoothed(double smoothing, bool positiveOnly = false, int maxBuckets = 0) const;

    // The bucket that holds `step`, or the nearest one; nullptr when empty.
    const Bucket* bucketAt(double step) const;
    // The smoothed value at the bucket bucketAt(step) returns.
    double smoothedAt(double step, double smoothing) const;

private:
    void mergePairs();
    size_t groupSize(int maxBuckets) const;

    int m_capacity;
    int64_t m_perBucket = 1;
    std::vector<Bucket> m_buckets;
    int64_t m_count = 0;
    int64_t m_nonFinite = 0;
    double m_min = std::numeric_limits<double>::infinity();
    double m_max = -std::numeric_limits<double>::infinity();
};

} // namespace cgpgan::ui
