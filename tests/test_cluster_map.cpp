// The cluster map (issue 12): the canvas's geometry, hover, click and lasso on
// hand-made points (and 60000 of them), the panel on a real session, and the
// window's link from a clicked point to the cluster browser.
#include "clusters/cluster_map_panel.h"
#include "clusters/cluster_map_view.h"
#include "clusters/cluster_model.h"
#include "clusters/cluster_panel.h"
#include "clusters/thumbnail_model.h"
#include "controller/controller.h"
#include "window/main_window.h"
#include "test_support.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include <random>

using cgpgan::ClusterMap;
using cgpgan::ui::ClusterMapPanel;
using cgpgan::ui::ClusterMapView;
using cgpgan::ui::TrainingController;

namespace {
// A 3 x 3 lattice: point i at (i % 3, i / 3).
std::vector<float> lattice()
{
    std::vector<float> xy;
    for (int i = 0; i < 9; ++i)
        xy.insert(xy.end(), {float(i % 3), float(i / 3)});
    return xy;
}
} // namespace

class TestClusterMap final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void geometryHoverClickAndLasso()
    {
        ClusterMapView view;
        view.resize(324, 324); // 300 px for the unit lattice after the 12 px margins: 150 px per unit
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setPoints(lattice());
        QCOMPARE(view.pointCount(), int64_t(9));
        QCOMPARE(view.toWidget(0), QPointF(12, 12));
        QCOMPARE(view.toWidget(8), QPointF(312, 312));
        QCOMPARE(view.toWidget(4), QPointF(162, 162));
        QCOMPARE(view.pointAt(QPointF(165, 160)), int64_t(4));
        QCOMPARE(view.pointAt(QPointF(100, 100)), int64_t(-1)); // nothing within 6 px

        QSignalSpy clicked(&view, &ClusterMapView::pointClicked);
        QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(163, 161));
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.at(0).at(0).toLongLong(), qint64(4));

        // A lasso around the top-left four points.
        QSignalSpy selected(&view, &ClusterMapView::selectionChanged);
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(2, 2));
        for (const QPoint p : {QPoint(200, 2), QPoint(200, 200), QPoint(2, 200)})
            QTest::mouseMove(&view, p);
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(2, 200));
        QCOMPARE(selected.size(), 1);
        QCOMPARE(view.selection(), (std::vector<int64_t>{0, 1, 3, 4}));

        // Wheel zoom keeps the point under the cursor where it is.
        const QPointF before = view.toWidget(8);
        QWheelEvent wheel(before, view.mapToGlobal(before), {}, QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(&view, &wheel);
        QVERIFY((view.toWidget(8) - before).manhattanLength() < 1e-6);
        QVERIFY(view.toWidget(0).x() < 12); // the rest spread out
        view.fitView();
        QCOMPARE(view.toWidget(0), QPointF(12, 12));
    }

    void sixtyThousandPoints()
    {
        std::mt19937 rng(3);
        std::normal_distribution<float> normal;
        std::vector<float> xy(120000);
        for (auto& v : xy)
            v = normal(rng);
        std::vector<int32_t> classes(60000);
        for (size_t i = 0; i < classes.size(); ++i)
            classes[i] = int32_t(i % 10);
        ClusterMapView view;
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setPoints(xy);
        view.setClasses(classes, 10);
        QElapsedTimer clock;
        clock.start();
        const QImage first = view.grab().toImage(); // renders the 60000 points
        const qint64 renderMs = clock.restart();
        view.grab();                                // from the cache
        const qint64 cachedMs = clock.restart();
        // Hover lookups through the buckets, against a brute-force search.
        std::uniform_real_distribution<double> where(0, 900);
        int64_t checked = 0;
        for (int k = 0; k < 2000; ++k) {
            const QPointF pos(where(rng), where(rng) * 700 / 900);
            const int64_t found = view.pointAt(pos);
            double best = 36; // 6 px squared
            int64_t brute = -1;
            for (int64_t i = 0; i < 60000; ++i) {
                const QPointF d = view.toWidget(i) - pos;
                const double distance = d.x() * d.x() + d.y() * d.y();
                if (distance <= best)
                    best = distance, brute = i;
            }
            if (brute >= 0) {
                ++checked;
                const QPointF a = view.toWidget(found) - pos, b = view.toWidget(brute) - pos;
                VERIFY_NEAR(a.x() * a.x() + a.y() * a.y(), b.x() * b.x() + b.y() * b.y(), 1e-9);
            } else {
                QCOMPARE(found, int64_t(-1));
            }
        }
        const qint64 lookupsMs = clock.elapsed();
        QVERIFY(checked > 100);
        QVERIFY(first.pixelColor(450, 350) != view.palette().color(QPalette::Base)); // the dense middle is drawn
        qInfo("60000 points: first render %lld ms, cached repaint %lld ms, 2000 hover lookups checked by brute force "
              "in %lld ms", renderMs, cachedMs, lookupsMs);
    }

    void panelOnRealSession()
    {
        TrainingController controller;
        ClusterMapPanel panel(&controller);
        QSignalSpy ready(&controller, &TrainingController::sessionReady);
        controller.openSession(cgpgan::testing::tinyConfig(128));
        QVERIFY(ready.wait(60000));
        panel.resize(1000, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy shown(&panel, &ClusterMapPanel::mapShown);
        QSignalSpy progress(&controller, &TrainingController::mapProgress);
        panel.compute();
        QVERIFY(panel.isComputing());
        QVERIFY(shown.wait(60000));
        QVERIFY(!panel.isComputing());
        QVERIFY(!progress.isEmpty());
        const ClusterMap* map = panel.map();
        QVERIFY(map);
        QCOMPARE(map->count(), int64_t(128));
        QCOMPARE(panel.view()->pointCount(), int64_t(128));
        // Q's two labels, their combination, then the truth (shape, colour, both).
        auto* colours = panel.colourSelector();
        QCOMPARE(colours->count(), 2 + 1 + 2 + 1);
        QVERIFY(colours->itemText(3).startsWith(QStringLiteral("truth")));

        // A click on a point picks its cluster in the view being coloured.
        QSignalSpy picked(&panel, &ClusterMapPanel::clusterPicked);
        colours->setCurrentIndex(1); // Q: label 1
        const QPoint at = panel.view()->toWidget(5).toPoint();
        const int64_t target = panel.view()->pointAt(at);
        QVERIFY(target >= 0);
        QTest::mouseClick(panel.view(), Qt::LeftButton, {}, at);
        QCOMPARE(picked.size(), 1);
        QCOMPARE(picked.at(0).at(0).toInt(), 1);
        QCOMPARE(picked.at(0).at(1).toLongLong(), qint64(map->category[size_t(target * map->dL + 1)]));

        // A lasso over the whole canvas lists every image.
        const QRect r = panel.view()->rect();
        panel.view()->selectInside(QPolygonF(QRectF(r)));
        QCOMPARE(panel.selectionModel()->rowCount(), 128);

        // t-SNE on a subsample.
        panel.setMethod(cgpgan::MapMethod::Tsne);
        panel.compute();
        QVERIFY(shown.wait(120000));
        QCOMPARE(panel.map()->method, cgpgan::MapMethod::Tsne);
        QCOMPARE(panel.map()->count(), int64_t(128)); // fewer images than the subsample size

        // Stale views (issue 27): once training moves on, the status says how far.
        auto* status = panel.findChild<QLabel*>(QStringLiteral("mapStatus"));
        QVERIFY(status);
        QVERIFY(status->text().contains(QStringLiteral("at step 0")));
        QVERIFY(!status->text().contains(QStringLiteral("moved on")));
        controller.stepOnce();
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("moved on 1 step since")), 30000);
        // While a new map computes, the old one stays and says so.
        panel.compute();
        QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(QStringLiteral("showing the map of step 0")) ||
                                     !panel.isComputing(),
                                 30000);
        QVERIFY(shown.wait(120000) || !panel.isComputing());
        QVERIFY(!status->text().contains(QStringLiteral("moved on")));
    }

    void clickShowsTheClusterInTheBrowser()
    {
        cgpgan::ui::MainWindow window;
        window.setPromptOnClose(false);
        auto* controller = window.controller();
        QSignalSpy ready(controller, &TrainingController::sessionReady);
        window.openPreset(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        window.resize(1280, 800);
        window.show();
        window.showTab(QStringLiteral("map"));
        auto* map = window.clusterMapPanel();
        QSignalSpy shown(map, &ClusterMapPanel::mapShown);
        map->compute();
        QVERIFY(shown.wait(60000));
        map->colourSelector()->setCurrentIndex(0); // Q: label 0
        const int64_t point = 7;
        const int64_t cluster = map->map()->category[size_t(point * map->map()->dL)];
        // No assignment yet: the click assigns, then shows the cluster.
        QVERIFY(!window.clusterPanel()->model());
        Q_EMIT map->view()->pointClicked(point);
        QTRY_VERIFY_WITH_TIMEOUT(window.clusterPanel()->model() != nullptr, 60000);
        QTRY_COMPARE(window.clusterPanel()->view(), 0);
        QTRY_COMPARE(window.clusterPanel()->selectedCluster(), cluster);
        // ... and the browser's cluster is outlined on the map.
        window.close();
    }
};

QTEST_MAIN(TestClusterMap)
#include "test_cluster_map.moc"
