// The cluster browser: ClusterModel on hand-made assignments (sizes, sorting,
// prior masses, confusion, CSV round trip), and the panel on a real session,
// whose counts must equal those of the assignment the core delivered.
#include "test_support.h"

#include "clusters/cluster_model.h"
#include "clusters/cluster_panel.h"
#include "clusters/cluster_samples.h"
#include "clusters/cluster_table_model.h"
#include "clusters/confusion_model.h"
#include "clusters/thumbnail_model.h"
#include "controller/controller.h"

#include <QFile>
#include <QElapsedTimer>
#include <QListView>
#include <QPixmap>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtTest>
#include <QLabel>

#include <map>
#include <numeric>
#include <random>
#include <set>

using namespace cgpgan;
using namespace cgpgan::ui;

namespace {

// A random but well-formed assignment: combined = mixed radix of the
// categories (label 0 most significant), its confidence the product.
ClusterAssignment makeAssignment(int64_t count, int dL, int dC, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    ClusterAssignment a;
    a.count = count;
    a.dL = dL;
    a.dC = dC;
    for (int64_t i = 0; i < count; ++i) {
        int64_t combined = 0;
        float product = 1.0f;
        for (int l = 0; l < dL; ++l) {
            // Skewed so that sizes differ and some categories may stay empty.
            const int c = int(rng() % uint64_t(dC * dC)) / dC * int(rng() % 2) % dC;
            const float p = 1.0f / float(dC) + float(rng() % 1000) / 1000.0f * (1.0f - 1.0f / float(dC));
            a.category.push_back(c);
            a.confidence.push_back(p);
            // Unsigned: with d_c^d_l beyond 63 bits the id wraps, as a
            // test of the model's guard (signed overflow would be undefined).
            combined = int64_t(uint64_t(combined) * uint64_t(dC) + uint64_t(c));
            product *= p;
        }
        a.combined.push_back(combined);
        a.combinedConfidence.push_back(product);
    }
    return a;
}

std::vector<float> makePrior(int dL, int dC, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<float> prior(size_t(dL * dC));
    for (int l = 0; l < dL; ++l) {
        float sum = 0;
        for (int k = 0; k < dC; ++k)
            sum += prior[size_t(l * dC + k)] = float(rng() % 100 + 1);
        for (int k = 0; k < dC; ++k)
            prior[size_t(l * dC + k)] /= sum;
    }
    return prior;
}

// Cluster id -> size, counted straight from the assignment.
std::map<int64_t, int64_t> directCounts(const ClusterAssignment& a, int view)
{
    std::map<int64_t, int64_t> counts;
    for (int64_t i = 0; i < a.count; ++i)
        ++counts[view == ClusterModel::kCombined ? a.combined[size_t(i)]
                                                 : a.category[size_t(i * a.dL + view)]];
    return counts;
}

// RFC 4180 fields of one line (quotes doubled inside quoted fields).
QStringList parseCsvLine(const QString& line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == u'"' && i + 1 < line.size() && line[i + 1] == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    fields << field;
    return fields;
}

} // namespace

class TestClusters : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sizesAndSorting();
    void priorMass();
    void largeCombinedListsPopulatedOnly();
    void confusionAgainstTruth();
    void csvRoundTrip();
    void rejectsInconsistentAssignment();
    void combinationsBeyond63Bits();
    void thumbnails();
    void largeClusterIsLazy();
    void samplePlan();
    void panelOnRealSession();
};

void TestClusters::sizesAndSorting()
{
    const ClusterAssignment a = makeAssignment(500, 2, 5, 7);
    const ClusterModel m(a);
    QCOMPARE(m.count(), int64_t(500));
    for (int view : m.views()) {
        const auto counts = directCounts(a, view);
        const auto& list = m.clusters(view);
        QCOMPARE(int64_t(list.size()), m.clusterCount(view));
        int64_t sum = 0;
        std::vector<int> seen(500, 0);
        for (const ClusterStats& s : list) {
            const auto it = counts.find(s.id);
            QCOMPARE(s.size, it == counts.end() ? int64_t(0) : it->second);
            QCOMPARE(int64_t(s.members.size()), s.size);
            VERIFY_NEAR(s.fraction, double(s.size) / 500.0, 1e-12);
            QVERIFY(std::isnan(s.priorMass));
            double confidenceSum = 0;
            for (size_t j = 0; j < s.members.size(); ++j) {
                const int64_t i = s.members[j];
                ++seen[size_t(i)];
                QCOMPARE(m.clusterOf(view, i), s.id);
                confidenceSum += m.confidenceOf(view, i);
                if (j > 0) {
                    const float prev = m.confidenceOf(view, s.members[j - 1]);
                    const float cur = m.confidenceOf(view, i);
                    QVERIFY2(prev > cur || (prev == cur && s.members[j - 1] < i),
                             "members are not sorted by confidence descending");
                }
            }
            if (s.size > 0)
                VERIFY_NEAR(s.meanConfidence, confidenceSum / double(s.size), 1e-9);
            sum += s.size;
        }
        QCOMPARE(sum, int64_t(500));
        QVERIFY(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
        QCOMPARE(m.nonEmptyClusters(view), int64_t(counts.size()));
    }
    QCOMPARE(m.clusterName(ClusterModel::kCombined, 2 * 5 + 3), QStringLiteral("(2, 3)"));
    QCOMPARE(m.categoriesOf(2 * 5 + 3), (std::vector<int>{2, 3}));
}

void TestClusters::priorMass()
{
    const int dL = 3, dC = 4;
    const ClusterAssignment a = makeAssignment(300, dL, dC, 11);
    const std::vector<float> prior = makePrior(dL, dC, 5);
    const ClusterModel m(a, prior, 1234);
    QCOMPARE(m.step(), int64_t(1234));
    for (int l = 0; l < dL; ++l)
        for (const ClusterStats& s : m.clusters(l))
            VERIFY_NEAR(s.priorMass, prior[size_t(l * dC + s.id)], 1e-7);
    // A combination's prior mass is the product of its labels' masses.
    int64_t above = 0;
    for (const ClusterStats& s : m.clusters(ClusterModel::kCombined)) {
        const int c0 = int(s.id / (dC * dC)), c1 = int(s.id / dC % dC), c2 = int(s.id % dC);
        const double expected = double(prior[size_t(c0)]) * prior[size_t(dC + c1)] * prior[size_t(2 * dC + c2)];
        VERIFY_NEAR(s.priorMass, expected, 1e-7);
        above += expected > 0.01 ? 1 : 0;
    }
    QCOMPARE(m.populatedByPrior(ClusterModel::kCombined), above);
    double total = 0;
    for (const ClusterStats& s : m.clusters(ClusterModel::kCombined))
        total += s.priorMass;
    VERIFY_NEAR(total, 1.0, 1e-5);
}

void TestClusters::largeCombinedListsPopulatedOnly()
{
    // 8^6 = 262144 combinations: more than the model lists.
    const ClusterAssignment a = makeAssignment(400, 6, 8, 3);
    const ClusterModel m(a, makePrior(6, 8, 2));
    QVERIFY(m.clusterCount(ClusterModel::kCombined) > ClusterModel::kMaxListed);
    const auto counts = directCounts(a, ClusterModel::kCombined);
    const auto& list = m.clusters(ClusterModel::kCombined);
    QCOMPARE(list.size(), counts.size());
    for (const auto& [id, size] : counts) {
        const ClusterStats* s = m.find(ClusterModel::kCombined, id);
        QVERIFY(s);
        QCOMPARE(s->size, size);
    }
    QVERIFY(!m.find(ClusterModel::kCombined, m.clusterCount(ClusterModel::kCombined) - 1)
            || counts.count(m.clusterCount(ClusterModel::kCombined) - 1));
}

void TestClusters::confusionAgainstTruth()
{
    const ClusterAssignment a = makeAssignment(400, 2, 4, 21);
    const ClusterModel m(a);
    // Truth that follows label 0 most of the time, with noise.
    std::mt19937_64 rng(9);
    Truth truth{"digit", {"a", "b", "c", "d", "e"}, {}};
    for (int64_t i = 0; i < a.count; ++i)
        truth.values.push_back(rng() % 5 == 0 ? int32_t(rng() % 5) : (a.category[size_t(i * 2)] + 1) % 5);

    for (int view : m.views()) {
        const Confusion c = m.confusion(view, truth);
        QVERIFY(c.scored);
        QCOMPARE(c.total(), a.count);
        QCOMPARE(int64_t(c.rows.size()), m.clusterCount(view));
        // Cells equal a direct count.
        std::vector<int64_t> direct(c.rows.size() * 5, 0);
        for (int64_t i = 0; i < a.count; ++i)
            ++direct[size_t(m.clusterOf(view, i) * 5 + truth.values[size_t(i)])];
        QCOMPARE(c.table, direct);
        // Scores equal scoreClustering on the full id range (listing only the
        // populated clusters must not change them).
        const ClusterScores ref = scoreClustering(m.predicted(view), m.clusterCount(view),
                                                  truth.values, 5);
        VERIFY_NEAR(c.scores.hungarianAccuracy, ref.hungarianAccuracy, 1e-12);
        VERIFY_NEAR(c.scores.nmi, ref.nmi, 1e-12);
        VERIFY_NEAR(c.scores.ari, ref.ari, 1e-12);
        // The outlined cells are a one-to-one matching worth the accuracy.
        std::vector<int> used(5, 0);
        int64_t matchedSum = 0;
        for (size_t r = 0; r < c.rows.size(); ++r)
            if (c.matched[r] >= 0) {
                QVERIFY(used[size_t(c.matched[r])]++ == 0);
                matchedSum += c.at(r, c.matched[r]);
            }
        VERIFY_NEAR(double(matchedSum) / double(a.count), ref.hungarianAccuracy, 1e-12);
    }
    // Label 0 explains this truth: its accuracy is well above chance.
    QVERIFY(m.confusion(0, truth).scores.hungarianAccuracy > 0.6);
    truth.values.pop_back();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m.confusion(0, truth));
}

void TestClusters::csvRoundTrip()
{
    ClusterAssignment a = makeAssignment(257, 2, 3, 4);
    a.step = 1234; // written on every row (issue 27)
    const ClusterModel m(a, makePrior(2, 3, 1), 5);
    std::vector<LabelColumn> truth(2);
    truth[0] = {"shape", {"circle", "square, big", "say \"hi\""}, {}};
    truth[1] = {"colour", {"red", "green"}, {}};
    for (int64_t i = 0; i < a.count; ++i) {
        truth[0].values.push_back(int32_t(i % 3));
        truth[1].values.push_back(int32_t(i % 2));
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("clusters.csv"));
    QString error;
    QVERIFY2(m.writeCsv(path, truth, &error), qPrintable(error));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), int(a.count) + 1);
    QCOMPARE(lines[0], QStringLiteral("index,label0,confidence0,label1,confidence1,combined,"
                                      "combined_confidence,step,shape,colour"));
    for (int64_t i = 0; i < a.count; ++i) {
        const QStringList f = parseCsvLine(lines[int(i) + 1]);
        QCOMPARE(f.size(), 10);
        QCOMPARE(f[7], QStringLiteral("1234"));
        QCOMPARE(f[0].toLongLong(), i);
        for (int l = 0; l < 2; ++l) {
            QCOMPARE(f[1 + 2 * l].toInt(), a.category[size_t(i * 2 + l)]);
            // Written shortest-exact: reads back as the same float.
            QCOMPARE(std::strtof(f[2 + 2 * l].toUtf8().constData(), nullptr),
                     a.confidence[size_t(i * 2 + l)]);
        }
        QCOMPARE(f[5].toLongLong(), qint64(a.combined[size_t(i)]));
        QCOMPARE(std::strtof(f[6].toUtf8().constData(), nullptr), a.combinedConfidence[size_t(i)]);
        QCOMPARE(f[8], QString::fromStdString(truth[0].classNames[size_t(i % 3)]));
        QCOMPARE(f[9], QString::fromStdString(truth[1].classNames[size_t(i % 2)]));
    }

    // A column of the wrong length is refused and the file is left alone.
    truth[1].values.pop_back();
    QVERIFY(!m.writeCsv(path, truth, &error));
    QVERIFY(error.contains(QStringLiteral("colour")));
    QFile again(path);
    QVERIFY(again.open(QIODevice::ReadOnly));
    QCOMPARE(again.readAll().count('\n'), a.count + 1);
    // An unwritable place fails with a message instead of writing half a file.
    QVERIFY(!m.writeCsv(dir.filePath(QStringLiteral("missing/x.csv")), {}, &error));
    QVERIFY(!error.isEmpty());
}

void TestClusters::rejectsInconsistentAssignment()
{
    ClusterAssignment a = makeAssignment(10, 2, 3, 1);
    a.combined.pop_back();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ClusterModel{a});
    a = makeAssignment(10, 2, 3, 1);
    a.category[3] = 7;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ClusterModel{a});
    a = makeAssignment(10, 2, 3, 1);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ClusterModel(a, std::vector<float>(5, 0.2f)));
}

void TestClusters::combinationsBeyond63Bits()
{
    // d_c^d_l = 16^16 = 2^64 (the official-cifar preset): no combined id fits,
    // so the model offers the labels only and leaves the CSV's id empty.
    ClusterAssignment a = makeAssignment(20, 16, 16, 8);
    const ClusterModel m(a, makePrior(16, 16, 3));
    QVERIFY(!m.hasCombinedView());
    QCOMPARE(m.views().size(), size_t(16));
    QCOMPARE(m.views().back(), 15);
    for (int l = 0; l < 16; ++l) {
        int64_t sum = 0;
        for (const ClusterStats& s : m.clusters(l))
            sum += s.size;
        QCOMPARE(sum, int64_t(20));
    }
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("wide.csv"));
    QVERIFY(m.writeCsv(path, {}));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 21);
    const QStringList row = parseCsvLine(lines[1]);
    QCOMPARE(row.size(), 1 + 2 * 16 + 2 + 1); // ... combined, combined_confidence, step
    QVERIFY(row[1 + 2 * 16].isEmpty());
    QCOMPARE(std::strtof(row[1 + 2 * 16 + 1].toUtf8().constData(), nullptr), a.combinedConfidence[0]);
    QCOMPARE(row.back().toLongLong(), qint64(a.step));
}

void TestClusters::thumbnails()
{
    // Two 2x3 RGB images, NCHW, each pixel distinct.
    auto data = std::make_shared<Dataset>();
    data->count = 2;
    data->channels = 3;
    data->height = 2;
    data->width = 3;
    for (int i = 0; i < 2 * 3 * 2 * 3; ++i)
        data->pixels.push_back(uint8_t(i * 7));
    data->labels.push_back({"kind", {"left", "right"}, {0, 1}});

    const QImage image = ThumbnailModel::imageOf(*data, 1);
    QCOMPARE(image.size(), QSize(3, 2));
    const int base = 18, plane = 6;
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x)
            QCOMPARE(image.pixelColor(x, y),
                     QColor((base + y * 3 + x) * 7, (base + plane + y * 3 + x) * 7,
                            (base + 2 * plane + y * 3 + x) * 7));
    QVERIFY(ThumbnailModel::imageOf(*data, 2).isNull());

    ThumbnailModel model;
    model.setThumbnailSize(60);
    model.setDataset(data);
    model.setItems({1, 0}, {0.9f, 0.4f});
    QCOMPARE(model.rowCount(), 2);
    const QPixmap pixmap = model.data(model.index(0), Qt::DecorationRole).value<QPixmap>();
    QCOMPARE(pixmap.size(), QSize(60, 40)); // aspect kept, enlarged by whole pixels
    QCOMPARE(pixmap.toImage().pixelColor(59, 39), image.pixelColor(2, 1));
    QCOMPARE(model.data(model.index(0), ThumbnailModel::SampleIndexRole).toLongLong(), 1);
    const QString tip = model.data(model.index(1), Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("Sample 0")) && tip.contains(QStringLiteral("kind: left"))
                 && tip.contains(QStringLiteral("0.400")),
             qPrintable(tip));

    // Grey images.
    Dataset grey;
    grey.count = 1;
    grey.channels = 1;
    grey.height = grey.width = 2;
    grey.pixels = {0, 100, 200, 255};
    const QImage g = ThumbnailModel::imageOf(grey, 0);
    QCOMPARE(g.format(), QImage::Format_Grayscale8);
    QCOMPARE(qGray(g.pixel(0, 1)), 200);
}

void TestClusters::largeClusterIsLazy()
{
    // 40000 grey 8x8 images in one cluster: the view lays them out and
    // scrolls end to end while rendering only what it shows.
    auto data = std::make_shared<Dataset>();
    data->count = 40000;
    data->channels = 1;
    data->height = data->width = 8;
    data->pixels.resize(size_t(data->count) * 64);
    for (size_t i = 0; i < data->pixels.size(); ++i)
        data->pixels[i] = uint8_t(i * 2654435761u >> 24);
    ThumbnailModel model;
    model.setDataset(data);
    std::vector<int64_t> members(size_t(data->count));
    std::iota(members.begin(), members.end(), 0);
    model.setItems(members, std::vector<float>(members.size(), 0.5f));

    QElapsedTimer timer;
    timer.start();
    QListView view;
    ThumbnailModel::configureView(&view, true, 64);
    view.setModel(&model);
    view.resize(700, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // Batched layout: wait until the scroll range covers every row.
    const int perRow = std::max(1, view.viewport()->width() / 70);
    QTRY_VERIFY_WITH_TIMEOUT(view.verticalScrollBar()->maximum()
                                 >= (data->count / perRow - 10) * 70,
                             20000);
    view.scrollToBottom();
    view.grab();
    view.scrollTo(model.index(data->count / 2));
    view.grab();
    qInfo("40000 thumbnails: laid out and scrolled through in %lld ms, %lld rendered",
          qint64(timer.elapsed()), qint64(model.thumbnailsMade()));
    QVERIFY(model.thumbnailsMade() > 0);
    QVERIFY2(model.thumbnailsMade() < 1000, "thumbnails are made for items that are not shown");
    QVERIFY(view.indexAt(QPoint(10, 10)).isValid());
}

void TestClusters::samplePlan()
{
    // Label 1 fixed to 2; label 0 drawn from a prior that never picks 1 or 3.
    const std::vector<float> prior{0.5f, 0.0f, 0.5f, 0.0f, 0.25f, 0.25f, 0.25f, 0.25f};
    const ClusterSamplePlan plan = planClusterSamples(2, 4, 1, 2, prior, 17, 8);
    const SampleRequest& r = plan.request;
    QCOMPARE(r.tag, QStringLiteral("cluster-samples"));
    QCOMPARE(r.rows * r.columns, 8);
    QCOMPARE(r.codes.size(), size_t(r.columns) * 8);
    QCOMPARE(plan.tileCaptions.size(), 8);
    std::set<int> drawn;
    for (int j = 0; j < r.columns; ++j) {
        const float* code = r.codes.data() + j * 8;
        for (int l = 0; l < 2; ++l)
            VERIFY_NEAR(code[l * 4] + code[l * 4 + 1] + code[l * 4 + 2] + code[l * 4 + 3], 1.0, 0);
        QCOMPARE(code[4 + 2], 1.0f);
        QCOMPARE(code[1], 0.0f);
        QCOMPARE(code[3], 0.0f);
        drawn.insert(code[0] == 1.0f ? 0 : 2);
        QVERIFY(plan.tileCaptions[j].endsWith(QStringLiteral(", 2)")));
    }
    // The same seed gives the same plan; another seed may change the draws.
    QCOMPARE(planClusterSamples(2, 4, 1, 2, prior, 17, 8).request.codes, r.codes);
    // Combined: one code, all tiles along z.
    const ClusterSamplePlan c = planClusterSamples(2, 4, ClusterModel::kCombined, 4 * 3 + 1, {}, 1, 8);
    QCOMPARE(c.request.columns, 1);
    QCOMPARE(c.request.rows, 8);
    QCOMPARE(c.request.codes, (std::vector<float>{0, 0, 0, 1, 0, 1, 0, 0}));
}

void TestClusters::panelOnRealSession()
{
    TrainingController controller;
    QSignalSpy ready(&controller, &TrainingController::sessionReady);
    controller.openSession(cgpgan::testing::tinyConfig(128));
    QVERIFY(ready.wait(60000));
    const auto data = controller.dataset();
    QVERIFY(data && data->count == 128 && data->hasLabels());

    ClusterPanel panel(&controller);
    panel.resize(1280, 820);
    panel.show();
    QVERIFY(!panel.model());
    QSignalSpy shown(&panel, &ClusterPanel::assignmentShown);
    QSignalSpy delivered(&controller, &TrainingController::clustersReady);
    QSignalSpy progress(&controller, &TrainingController::clusterProgress);
    // Issue 12: assigning keeps keyboard focus in the panel. With a line
    // edit after it in the window (as "Train until step" is), disabling the
    // focused Assign button used to move focus there.
    QWidget window;
    auto* layout = new QVBoxLayout(&window);
    panel.setParent(&window);
    const auto unparent = qScopeGuard([&panel] { panel.setParent(nullptr); }); // panel is not the window's to delete
    layout->addWidget(&panel);
    auto* after = new QLineEdit(QStringLiteral("2000"));
    layout->addWidget(after);
    window.resize(1280, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    QPushButton* assign = nullptr;
    for (auto* b : panel.findChildren<QPushButton*>())
        if (b->text().contains(QStringLiteral("Assign")))
            assign = b;
    QVERIFY(assign);
    assign->setFocus(Qt::OtherFocusReason);
    QTest::keyClick(assign, Qt::Key_Space); // "pressed" from the keyboard
    QVERIFY(panel.isAssigning());
    QVERIFY2(!after->hasFocus(), "the line edit after the panel took the focus");
    QVERIFY(shown.wait(60000));
    QVERIFY2(!after->hasFocus(), "the line edit after the panel took the focus");
    QTRY_VERIFY(assign->hasFocus() || QApplication::focusWidget() == nullptr);
    QCOMPARE(delivered.size(), 1);
    QVERIFY(progress.size() >= 1);
    const auto assignment = delivered.at(0).at(0).value<ClusterAssignment>();
    QCOMPARE(assignment.count, int64_t(128));
    QVERIFY(panel.model());
    QCOMPARE(panel.model()->step(), controller.step());

    const int dL = controller.session().dL();
    std::vector<int> views;
    for (int l = 0; l < dL; ++l)
        views.push_back(l);
    views.push_back(ClusterModel::kCombined);
    for (int view : views) {
        panel.setView(view);
        QCOMPARE(panel.view(), view);
        const ClusterTableModel* table = panel.clusterTable();
        const auto counts = directCounts(assignment, view);
        QCOMPARE(int64_t(table->rowCount()), panel.model()->clusterCount(view));
        int64_t sum = 0;
        for (int row = 0; row < table->rowCount(); ++row) {
            const int64_t id = table->index(row, 0).data(ClusterTableModel::ClusterIdRole).toLongLong();
            const int64_t size = table->index(row, ClusterTableModel::SizeColumn)
                                     .data(ClusterTableModel::SortRole)
                                     .toLongLong();
            const auto it = counts.find(id);
            QCOMPARE(size, it == counts.end() ? int64_t(0) : it->second);
            sum += size;
        }
        QCOMPARE(sum, data->count);

        // The thumbnails of the shown cluster (the largest) and of another.
        QVERIFY(panel.selectedCluster() >= 0);
        for (const auto& [id, size] : counts) {
            panel.selectCluster(id);
            QCOMPARE(int64_t(panel.thumbnails()->rowCount()), size);
        }
        const ThumbnailModel* thumbs = panel.thumbnails();
        const QPixmap first = thumbs->data(thumbs->index(0), Qt::DecorationRole).value<QPixmap>();
        QVERIFY(!first.isNull());
        QVERIFY(thumbs->data(thumbs->index(0), ThumbnailModel::ConfidenceRole).toDouble()
                >= thumbs->data(thumbs->index(thumbs->rowCount() - 1), ThumbnailModel::ConfidenceRole).toDouble());

        // The confusion matrix covers the whole dataset.
        QVERIFY(panel.confusion()->rowCount() > 0);
        QCOMPARE(panel.confusion()->confusion().total(), data->count);
        // Issue 27: each matched cluster names its class and share in the
        // table, as the confusion's outlined cell says.
        const Confusion& shown = panel.confusion()->confusion();
        if (shown.scored) {
            int named = 0;
            for (size_t r = 0; r < shown.rows.size(); ++r) {
                const QString match = table->matchOf(shown.rows[r]);
                QCOMPARE(match.isEmpty(), shown.matched[r] < 0);
                if (!match.isEmpty()) {
                    QVERIFY2(match.endsWith('%'), qPrintable(match));
                    ++named;
                }
            }
            QVERIFY(named > 0);
            QVERIFY(table->headerData(ClusterTableModel::MatchesColumn, Qt::Horizontal).toString().startsWith("Matches ("));
            // The scores come with their chance level and what they mean.
            bool chance = false;
            for (const QLabel* label : panel.findChildren<QLabel*>())
                chance = chance || (label->text().contains("Hungarian ACC") && label->text().contains("(chance: ACC and purity")
                                    && label->toolTip().contains("<b>NMI</b>"));
            QVERIFY(chance);
        }
        QCOMPARE(panel.confusion()->shownTotal(), data->count);
    }

    // Generated samples of the selected cluster arrive beside its images.
    QSignalSpy samples(panel.generated(), &ClusterSamplesView::samplesShown);
    panel.setView(0);
    QVERIFY(samples.wait(60000) || samples.size() > 0);
    QCOMPARE(panel.generated()->tileCount(), 8);
    // The combined codes follow the controller's rule for combination ids.
    const int dC = controller.session().dC();
    for (int64_t id : {int64_t(0), int64_t(dC + 2), int64_t(dC * dC - 1)})
        QCOMPARE(planClusterSamples(dL, dC, ClusterModel::kCombined, id, {}, 1, 1).request.codes,
                 controller.combinationCodes({id}));

    QTemporaryDir dir;
    const QString csv = dir.filePath(QStringLiteral("out.csv"));
    QString error;
    QVERIFY2(panel.exportCsv(csv, &error), qPrintable(error));
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll().count('\n'), data->count + 1);

    // Cancelling ends the wait whether or not the job was already done.
    panel.assignClusters();
    QVERIFY(panel.isAssigning());
    panel.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isAssigning(), 60000);
    QVERIFY(panel.model());

    if (qEnvironmentVariableIsSet("CGPGAN_SCREENSHOT")) {
        panel.setView(ClusterModel::kCombined);
        QTest::qWait(300);
        panel.grab().save(qEnvironmentVariable("CGPGAN_SCREENSHOT"));
    }
}

QTEST_MAIN(TestClusters)
#include "test_clusters.moc"
