// The charts' bounded history: min/max buckets that merge pairwise (so memory
// stays bounded and spikes survive) and debiased exponential smoothing.
#include "charts/series_history.h"
#include "test_support.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using cgpgan::ui::SeriesHistory;

namespace {

double minY(const QList<QPointF>& points)
{
    double m = std::numeric_limits<double>::infinity();
    for (const QPointF& p : points)
        m = std::min(m, p.y());
    return m;
}

double maxY(const QList<QPointF>& points)
{
    double m = -std::numeric_limits<double>::infinity();
    for (const QPointF& p : points)
        m = std::max(m, p.y());
    return m;
}

} // namespace

class TestSeriesHistory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void capacityIsNeverExceeded_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::newRow("2000") << 2000;
        QTest::newRow("64") << 64;
        QTest::newRow("odd 7 -> 8") << 7;
    }

    void capacityIsNeverExceeded()
    {
        QFETCH(int, capacity);
        SeriesHistory h(capacity);
        QVERIFY(h.capacity() >= capacity && h.capacity() % 2 == 0);
        std::mt19937 rng(1);
        std::normal_distribution<double> noise;
        size_t most = 0;
        for (int i = 1; i <= 100000; ++i) {
            h.append(i, noise(rng));
            most = std::max(most, h.buckets().size());
            QVERIFY(int(h.buckets().size()) <= h.capacity());
        }
        QCOMPARE(int(most), h.capacity()); // it did fill up, then merged
        QCOMPARE(h.count(), int64_t(100000));
        QVERIFY(h.envelope().size() <= 2 * h.capacity());
        QVERIFY(h.smoothed(0.9).size() <= h.capacity());
        // Buckets tile the steps in order, without overlap.
        for (size_t i = 1; i < h.buckets().size(); ++i)
            QVERIFY(h.buckets()[i].firstStep > h.buckets()[i - 1].lastStep);
        QCOMPARE(h.firstStep(), int64_t(1));
        QCOMPARE(h.lastStep(), int64_t(100000));
    }

    void aSingleSpikeSurvives()
    {
        SeriesHistory h(2000);
        std::mt19937 rng(2);
        std::uniform_real_distribution<double> noise(0.0, 1.0);
        const int spikeAt = 61'337, dipAt = 99'999;
        for (int i = 1; i <= 100000; ++i) {
            double v = noise(rng);
            if (i == spikeAt)
                v = 50.0;
            if (i == dipAt)
                v = -7.0;
            h.append(i, v);
        }
        const QList<QPointF> points = h.envelope();
        QCOMPARE(maxY(points), 50.0);
        QCOMPARE(minY(points), -7.0);
        // ... drawn at the step where it happened.
        const auto top = std::max_element(points.begin(), points.end(),
                                          [](const QPointF& a, const QPointF& b) { return a.y() < b.y(); });
        QCOMPARE(top->x(), double(spikeAt));
        // Points come in step order.
        for (qsizetype i = 1; i < points.size(); ++i)
            QVERIFY(points[i].x() >= points[i - 1].x());
    }

    // Drawing at chart width groups buckets; extremes and order survive.
    void drawingDecimationKeepsExtremes()
    {
        SeriesHistory h(2048);
        std::mt19937 rng(7);
        std::normal_distribution<double> noise;
        for (int i = 0; i < 3000; ++i)
            h.append(i, i == 1234 ? 99.0 : noise(rng));
        QVERIFY(h.buckets().size() > 1000);
        for (int width : {300, 123, 1}) {
            const QList<QPointF> env = h.envelope(false, width);
            const QList<QPointF> smooth = h.smoothed(0.5, false, width);
            QVERIFY(env.size() <= 2 * width);
            QVERIFY(smooth.size() <= width + 1);
            QCOMPARE(maxY(env), 99.0);
            QCOMPARE(maxY(env), maxY(h.envelope()));
            QCOMPARE(minY(env), minY(h.envelope()));
            for (qsizetype i = 1; i < env.size(); ++i)
                QVERIFY(env[i].x() >= env[i - 1].x());
            // The decimated curve is the full one, sampled; it ends at the newest bucket.
            const QList<QPointF> full = h.smoothed(0.5);
            QCOMPARE(smooth.back(), full.back());
        }
        QCOMPARE(h.envelope(false, 100000).size(), h.envelope().size()); // wide enough: no grouping
    }

    void envelopeHasTheTrueMinAndMax()
    {
        SeriesHistory h(128);
        std::mt19937 rng(3);
        std::lognormal_distribution<double> heavy(0.0, 2.0);
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (int i = 0; i < 54321; ++i) {
            const double v = heavy(rng) * ((i % 3) ? 1.0 : -1.0);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            h.append(i, v);
            if (i % 5000 == 17) { // at many fill levels, not just the end
                const QList<QPointF> points = h.envelope();
                QCOMPARE(minY(points), lo);
                QCOMPARE(maxY(points), hi);
            }
        }
        QCOMPARE(h.min(), lo);
        QCOMPARE(h.max(), hi);
        QCOMPARE(minY(h.envelope()), lo);
        QCOMPARE(maxY(h.envelope()), hi);
    }

    void smoothingZeroGivesTheMeans()
    {
        SeriesHistory h(100);
        std::mt19937 rng(4);
        std::normal_distribution<double> noise(1.0, 3.0);
        for (int i = 0; i < 1234; ++i)
            h.append(10 * i, noise(rng));
        QVERIFY(h.samplesPerBucket() > 1);
        const QList<QPointF> s = h.smoothed(0.0);
        QCOMPARE(size_t(s.size()), h.buckets().size());
        for (qsizetype i = 0; i < s.size(); ++i) {
            const auto& b = h.buckets()[size_t(i)];
            VERIFY_NEAR(s[i].y(), b.mean(), 1e-12);
            QVERIFY(s[i].x() >= double(b.firstStep) && s[i].x() <= double(b.lastStep));
        }
    }

    void smoothingOfAConstantIsTheConstant()
    {
        for (double w : {0.3, 0.9, 0.99, 0.999}) {
            SeriesHistory h(64);
            for (int i = 0; i < 5000; ++i)
                h.append(i, 3.7);
            for (const QPointF& p : h.smoothed(w))
                VERIFY_NEAR(p.y(), 3.7, 1e-9);
            VERIFY_NEAR(h.smoothedAt(2500, w), 3.7, 1e-9);
        }
    }

    // Before any merge each bucket is one sample: the curve is TensorBoard's.
    void smoothingMatchesTensorBoardOnRawSamples()
    {
        const double w = 0.8;
        SeriesHistory h(1000);
        std::vector<double> values;
        std::mt19937 rng(5);
        std::normal_distribution<double> noise;
        for (int i = 0; i < 300; ++i) {
            values.push_back(std::sin(i * 0.05) + 0.3 * noise(rng));
            h.append(i, values.back());
        }
        const QList<QPointF> s = h.smoothed(w);
        QCOMPARE(s.size(), qsizetype(values.size()));
        double last = 0;
        for (size_t i = 0; i < values.size(); ++i) {
            last = last * w + (1 - w) * values[i];
            const double expected = last / (1 - std::pow(w, double(i + 1)));
            VERIFY_NEAR(s[qsizetype(i)].y(), expected, 1e-12);
            QCOMPARE(s[qsizetype(i)].x(), double(i));
        }
        QVERIFY(std::abs(s.back().y() - values.back()) > 1e-6); // it did smooth
    }

    void mergingKeepsCountAndMean()
    {
        SeriesHistory h(32);
        std::mt19937 rng(6);
        std::exponential_distribution<double> noise(0.5);
        double sum = 0;
        int64_t n = 0;
        int64_t lastPerBucket = 1;
        int merges = 0;
        for (int i = 0; i < 10007; ++i) {
            const double v = noise(rng);
            sum += v;
            ++n;
            h.append(i, v);
            if (h.samplesPerBucket() != lastPerBucket) {
                ++merges;
                QCOMPARE(h.samplesPerBucket(), 2 * lastPerBucket);
                lastPerBucket = h.samplesPerBucket();
            }
            int64_t count = 0;
            double bucketSum = 0;
            for (const auto& b : h.buckets()) {
                count += b.count;
                bucketSum += b.sum;
                QVERIFY(b.min <= b.mean() && b.mean() <= b.max);
            }
            QCOMPARE(count, n);
            VERIFY_NEAR(bucketSum / double(count), sum / double(n), 1e-9);
        }
        QVERIFY(merges >= 8);
    }

    void nonFiniteValuesAreCountedNotStored()
    {
        SeriesHistory h(16);
        h.append(1, 1.0);
        h.append(2, std::numeric_limits<double>::quiet_NaN());
        h.append(3, std::numeric_limits<double>::infinity());
        h.append(4, -std::numeric_limits<double>::infinity());
        h.append(5, 2.0);
        QCOMPARE(h.nonFiniteCount(), int64_t(3));
        QCOMPARE(h.count(), int64_t(2));
        for (const QPointF& p : h.envelope())
            QVERIFY(std::isfinite(p.y()));
        for (const QPointF& p : h.smoothed(0.5))
            QVERIFY(std::isfinite(p.y()));
        h.clear();
        QCOMPARE(h.nonFiniteCount(), int64_t(0));
        QVERIFY(h.empty());
    }

    void positiveOnlyDropsNonPositive()
    {
        SeriesHistory h(64);
        for (int i = 0; i < 40; ++i)
            h.append(i, (i % 4 == 0) ? -1.0 : (i % 4 == 1 ? 0.0 : 0.5 + i));
        const QList<QPointF> all = h.envelope(false);
        const QList<QPointF> pos = h.envelope(true);
        QCOMPARE(all.size(), qsizetype(40));
        QCOMPARE(pos.size(), qsizetype(20));
        for (const QPointF& p : pos)
            QVERIFY(p.y() > 0);
        for (const QPointF& p : h.smoothed(0.0, true))
            QVERIFY(p.y() > 0);
    }

    void bucketAtFindsTheStep()
    {
        SeriesHistory h(8);
        for (int i = 0; i < 100; ++i)
            h.append(100 + 3 * i, double(i));
        for (int step : {100, 157, 250, 397}) {
            const auto* b = h.bucketAt(step);
            QVERIFY(b);
            QVERIFY(b->firstStep <= step && step <= b->lastStep);
        }
        QCOMPARE(h.bucketAt(5)->firstStep, int64_t(100));   // before: the first
        QCOMPARE(h.bucketAt(9999)->lastStep, int64_t(397)); // after: the last
    }
};

QTEST_GUILESS_MAIN(TestSeriesHistory)
#include "test_series_history.moc"
