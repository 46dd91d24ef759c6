// The live sample grid: the layout model (one tile per (row, combination)
// shown, hover maps back to the right pair), the shared zoom/pan/hover of the
// views, and the panel on a real controller and a tiny model.
#include "controller/controller.h"
#include "grid/grid_canvas.h"
#include "grid/grid_gl_view.h"
#include "grid/grid_model.h"
#include "grid/grid_panel.h"
#include "grid/grid_raster_view.h"
#include "grid/grid_viewport.h"
#include "cgpgan/diversity.h"
#include "test_support.h"

#include <QApplication>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QWheelEvent>
#include <QLabel>
#include <QtTest>
#include <QSpinBox>

#include <algorithm>
#include <set>

using cgpgan::ui::GridModel;
using cgpgan::ui::GridTile;
using Mode = GridModel::Mode;

namespace {

// Every pixel of the composed image: inside tile (r, c) it must name (r, c)
// and the c-th combination shown; elsewhere (padding) nothing.
void checkEveryPixel(const GridModel& m)
{
    const std::vector<int64_t> ids = m.shownCombinations();
    const QSize size = m.imageSize();
    int64_t tilePixels = 0;
    for (int y = -1; y <= size.height(); ++y) {
        for (int x = -1; x <= size.width(); ++x) {
            const QPoint p(x, y);
            int row = -1, column = -1;
            for (int r = 0; r < m.rows() && row < 0; ++r)
                for (int c = 0; c < m.shownColumns(); ++c)
                    if (m.tileRect(r, c).contains(p)) {
                        row = r;
                        column = c;
                        break;
                    }
            const std::optional<GridTile> tile = m.tileAt(p);
            if (row < 0) {
                QVERIFY2(!tile, qPrintable(QStringLiteral("padding pixel (%1, %2) maps to a tile").arg(x).arg(y)));
                continue;
            }
            ++tilePixels;
            QVERIFY2(tile, qPrintable(QStringLiteral("tile pixel (%1, %2) maps to nothing").arg(x).arg(y)));
            QCOMPARE(tile->row, row);
            QCOMPARE(tile->column, column);
            QCOMPARE(tile->combination, ids[size_t(column)]);
            QCOMPARE(tile->categories, m.categoriesOf(ids[size_t(column)]));
        }
    }
    QCOMPARE(tilePixels, int64_t(m.tileCount()) * m.tileSize().width() * m.tileSize().height());
}

bool hasTwoColours(const QImage& image, const QRect& rect)
{
    const QRgb first = image.pixel(rect.topLeft());
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            if (image.pixel(x, y) != first)
                return true;
    return false;
}

} // namespace

// A grid of rows x columns tiles of tile px (2 px padding) for d_l x d_c
// codes, a blank image of its size in `fill`, shown in view at viewSize;
// false when the window was not exposed.
bool showBlankGrid(cgpgan::ui::GridRasterView& view, GridModel& m, int rows, int columns, int tile,
                   QSize viewSize, QColor fill)
{
    m.setRows(rows);
    m.setColumns(columns);
    m.setTileSize(QSize(tile, tile));
    m.setPadding(2);
    QImage image(m.imageSize(), QImage::Format_RGB32);
    image.fill(fill);
    view.resize(viewSize);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view))
        return false;
    view.setImage(image, m);
    return true;
}

class TestGrid final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Keep the panel's QSettings away from the user's.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("cgpgan-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_grid"));
    }

    void mixedRadixLabelZeroMostSignificant()
    {
        GridModel m(3, 4);
        QCOMPARE(m.combinations(), int64_t(64));
        QCOMPARE(m.categoriesOf(1), (std::vector<int>{0, 0, 1}));
        QCOMPARE(m.categoriesOf(4), (std::vector<int>{0, 1, 0}));
        QCOMPARE(m.categoriesOf(16 * 3 + 4 * 2 + 1), (std::vector<int>{3, 2, 1}));
        for (int64_t id = 0; id < m.combinations(); ++id)
            QCOMPARE(m.combinationOf(m.categoriesOf(id)), id);
    }

    void tileCountPerMode()
    {
        GridModel m(2, 4); // 16 combinations
        m.setRows(3);
        m.setColumns(5);
        m.setMode(Mode::Page);
        QCOMPARE(m.pageCount(), int64_t(4));
        QCOMPARE(m.shownColumns(), 5);
        QCOMPARE(m.tileCount(), 15);
        m.setPage(3); // 15 only
        QCOMPARE(m.shownCombinations(), (std::vector<int64_t>{15}));
        QCOMPARE(m.tileCount(), 3);
        m.setPage(99); // clamped to the last page
        QCOMPARE(m.page(), int64_t(3));

        m.setMode(Mode::Random);
        QCOMPARE(int(m.shownCombinations().size()), 5);
        QCOMPARE(m.tileCount(), 15);
        m.setColumns(40); // more than there are: all of them
        QCOMPARE(m.shownColumns(), 16);
        QCOMPARE(m.tileCount(), 48);

        m.setMode(Mode::VaryLabel); // d_c columns whatever `columns` says
        QCOMPARE(m.shownColumns(), 4);
        QCOMPARE(m.tileCount(), 12);
        QCOMPARE(int(m.shownCombinations().size()), m.shownColumns());

        // The image holds exactly those tiles plus padding.
        m.setTileSize(QSize(32, 32));
        m.setPadding(2);
        QCOMPARE(m.imageSize(), QSize(2 + 4 * 34, 2 + 3 * 34));
    }

    void everyPixelMapsBack_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QSize>("tile");
        QTest::addColumn<int>("padding");
        QTest::newRow("page 32x32 pad 2") << int(Mode::Page) << QSize(32, 32) << 2;
        QTest::newRow("page 5x7 pad 0") << int(Mode::Page) << QSize(5, 7) << 0;
        QTest::newRow("random 6x4 pad 3") << int(Mode::Random) << QSize(6, 4) << 3;
        QTest::newRow("vary 9x9 pad 1") << int(Mode::VaryLabel) << QSize(9, 9) << 1;
    }

    void everyPixelMapsBack()
    {
        QFETCH(int, mode);
        QFETCH(QSize, tile);
        QFETCH(int, padding);
        GridModel m(3, 3);
        m.setMode(Mode(mode));
        m.setRows(4);
        m.setColumns(7);
        m.setPage(1);
        m.setRandomSeed(42);
        m.setVaryLabel(2);
        m.setFixedCategories({2, 1, 0});
        m.setTileSize(tile);
        m.setPadding(padding);
        checkEveryPixel(m);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(!m.tileAt(QPoint(-5, 3)));
        QVERIFY(!m.tileAt(QPoint(m.imageSize().width() + 3, padding)));
    }

    void pagesCoverEveryCombinationOnce_data()
    {
        QTest::addColumn<int>("dL");
        QTest::addColumn<int>("dC");
        QTest::addColumn<int>("columns");
        QTest::newRow("4^2 by 3") << 2 << 4 << 3;
        QTest::newRow("4^2 by 16") << 2 << 4 << 16;
        QTest::newRow("10^3 by 7") << 3 << 10 << 7;
    }

    void pagesCoverEveryCombinationOnce()
    {
        QFETCH(int, dL);
        QFETCH(int, dC);
        QFETCH(int, columns);
        GridModel m(dL, dC);
        m.setColumns(columns);
        std::vector<int> seen(size_t(m.combinations()), 0);
        for (int64_t p = 0; p < m.pageCount(); ++p) {
            m.setPage(p);
            QCOMPARE(m.page(), p);
            const auto ids = m.shownCombinations();
            QCOMPARE(int(ids.size()), m.shownColumns());
            QVERIFY(!ids.empty());
            for (int64_t id : ids) {
                QVERIFY(id >= 0 && id < m.combinations());
                ++seen[size_t(id)];
            }
        }
        for (size_t id = 0; id < seen.size(); ++id)
            QVERIFY2(seen[id] == 1, qPrintable(QStringLiteral("id %1 seen %2 times").arg(id).arg(seen[id])));
    }

    void varyLabelChangesOnlyThatLabel()
    {
        GridModel m(3, 5);
        m.setMode(Mode::VaryLabel);
        const std::vector<int> fixed{2, 4, 1};
        m.setFixedCategories(fixed);
        for (int vary = 0; vary < 3; ++vary) {
            m.setVaryLabel(vary);
            const auto ids = m.shownCombinations();
            QCOMPARE(int(ids.size()), 5);
            for (int c = 0; c < 5; ++c) {
                const auto cats = m.categoriesOf(ids[size_t(c)]);
                for (int l = 0; l < 3; ++l)
                    QCOMPARE(cats[size_t(l)], l == vary ? c : fixed[size_t(l)]);
            }
        }
    }

    void randomDistinctInRangeAndSeeded()
    {
        GridModel m(3, 10); // 1000 combinations
        m.setMode(Mode::Random);
        m.setColumns(64);
        m.setRandomSeed(7);
        const auto a = m.shownCombinations();
        QCOMPARE(int(a.size()), 64);
        QCOMPARE(int(std::set<int64_t>(a.begin(), a.end()).size()), 64);
        for (int64_t id : a)
            QVERIFY(id >= 0 && id < 1000);
        QCOMPARE(m.shownCombinations(), a); // the seed names the set
        m.setRandomSeed(8);
        QVERIFY(m.shownCombinations() != a);

        // 10^18 combinations: drawn without listing them.
        GridModel huge(18, 10);
        huge.setMode(Mode::Random);
        huge.setColumns(32);
        QCOMPARE(huge.combinations(), int64_t(1000000000000000000));
        const auto h = huge.shownCombinations();
        QCOMPARE(int(std::set<int64_t>(h.begin(), h.end()).size()), 32);
        for (int64_t id : h)
            QVERIFY(id >= 0 && id < huge.combinations());
        // And paging there reaches the last id.
        huge.setMode(Mode::Page);
        huge.setPage(huge.pageCount() - 1);
        QCOMPARE(huge.shownCombinations().back(), huge.combinations() - 1);
    }

    void captionNamesRowAndCombination()
    {
        GridModel m(2, 4);
        m.setMode(Mode::Page);
        m.setColumns(8);
        m.setTileSize(QSize(10, 10));
        m.setPadding(2);
        const auto tile = m.tileAt(m.tileRect(3, 7).center());
        QVERIFY(tile);
        QCOMPARE(m.caption(*tile), QStringLiteral("z 3, combination 7 = (label0=1, label1=3)"));
    }

    void composePlacesTilesAndPadding()
    {
        GridModel m(2, 4);
        m.setRows(2);
        m.setColumns(3);
        m.setTileSize(QSize(8, 8));
        m.setPadding(2);
        QVector<QImage> tiles;
        for (int i = 0; i < m.tileCount(); ++i) {
            QImage t(8, 8, QImage::Format_RGB888);
            t.fill(QColor(40 * i, 255 - 30 * i, 7 * i));
            tiles.push_back(t);
        }
        const QColor background(48, 48, 48);
        const QImage image = m.compose(tiles, background);
        QCOMPARE(image.size(), m.imageSize());
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 3; ++c) {
                const QRect rect = m.tileRect(r, c);
                QCOMPARE(image.pixelColor(rect.topLeft()), tiles[r * 3 + c].pixelColor(0, 0));
                QCOMPARE(image.pixelColor(rect.bottomRight()), tiles[r * 3 + c].pixelColor(7, 7));
            }
        QCOMPARE(image.pixelColor(0, 0), background);
        QCOMPARE(image.pixelColor(m.tileRect(0, 0).right() + 1, 5), background);
    }

    // The zoom/pan/hover logic both views share, on the raster view.
    void viewportHoverZoomAndPan()
    {
        GridModel m(2, 4);
        cgpgan::ui::GridRasterView view;
        QVERIFY(showBlankGrid(view, m, 3, 4, 16, QSize(400, 300), Qt::gray));
        auto* vp = view.viewport();
        QVERIFY(vp->fitting());
        // Fit: shows the whole image, and one zoom level more would not.
        const double fitZoom = vp->zoom();
        QVERIFY(fitZoom >= 1.0);
        QVERIFY(QRectF(view.rect()).contains(vp->imageRect()));
        // ... and fills the view along one axis (issue 12: it used to stay at
        // 100 % in a view not twice the grid's size), also after a resize.
        const auto fills = [&] {
            const QRectF r = vp->imageRect();
            return std::abs(r.width() - view.width()) <= 1.0 || std::abs(r.height() - view.height()) <= 1.0;
        };
        QVERIFY2(fills(), qPrintable(QString("fit %1: %2 x %3 in 400 x 300").arg(fitZoom)
                                         .arg(vp->imageRect().width()).arg(vp->imageRect().height())));
        view.resize(400, 600);
        QTRY_VERIFY(fills());
        QVERIFY(vp->fitting() && vp->zoom() > fitZoom);
        view.resize(400, 300);
        QTRY_COMPARE(vp->zoom(), fitZoom);
        vp->zoomIn();
        QVERIFY(!QRectF(view.rect()).contains(vp->imageRect()));
        vp->fit();
        QCOMPARE(vp->zoom(), fitZoom);

        // Hover: the centre of tile (2, 1) on screen names (z 2, combination 1).
        QSignalSpy hovered(vp, &cgpgan::ui::GridViewport::hoveredChanged);
        const auto onScreen = [&](QPoint imagePixel) {
            return vp->imageRect().topLeft() + (QPointF(imagePixel) + QPointF(0.5, 0.5)) * vp->zoom();
        };
        const auto move = [&](QPointF pos) {
            QMouseEvent event(QEvent::MouseMove, pos, view.mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
            QCoreApplication::sendEvent(&view, &event);
        };
        move(onScreen(m.tileRect(2, 1).center()));
        QCOMPARE(hovered.count(), 1);
        QCOMPARE(hovered.last().at(0).toString(), QStringLiteral("z 2, combination 1 = (label0=0, label1=1)"));
        move(onScreen(m.tileRect(2, 1).bottomRight() + QPoint(1, 1))); // padding
        QCOMPARE(hovered.count(), 2);
        QCOMPARE(hovered.last().at(0).toString(), QString());

        // Wheel: zooms one level about the cursor, which keeps its image pixel
        // (a tile near the middle, where keeping the view on the image does
        // not have to move it).
        const QPointF cursor = onScreen(m.tileRect(1, 2).center());
        const QPoint before = vp->toImage(cursor);
        QWheelEvent wheel(cursor, view.mapToGlobal(cursor), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QCoreApplication::sendEvent(&view, &wheel);
        QVERIFY(!vp->fitting());
        QVERIFY(vp->zoom() > fitZoom);
        QCOMPARE(vp->toImage(cursor), before);

        // Zoomed in past the view: dragging pans, the view stays on the image.
        vp->setZoom(8);
        const QRectF start = vp->imageRect();
        QVERIFY(start.width() > view.width());
        const QPointF from(200, 150), to(150, 120);
        QMouseEvent press(QEvent::MouseButtonPress, from, view.mapToGlobal(from), Qt::LeftButton, Qt::LeftButton,
                          Qt::NoModifier);
        QCoreApplication::sendEvent(&view, &press);
        QMouseEvent drag(QEvent::MouseMove, to, view.mapToGlobal(to), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&view, &drag);
        QMouseEvent release(QEvent::MouseButtonRelease, to, view.mapToGlobal(to), Qt::LeftButton, Qt::NoButton,
                            Qt::NoModifier);
        QCoreApplication::sendEvent(&view, &release);
        QCOMPARE(vp->imageRect().topLeft(), start.topLeft() + (to - from));
        vp->fit();
        QVERIFY(vp->fitting());
        QCOMPARE(vp->zoom(), fitZoom);
    }

    // The panel on a real controller: it refreshes once the session is
    // ready, shows one tile per (row, combination) with the model's layout.
    // Issue 27, "What a column means": with the meanings of Q's categories,
    // every column gets a header naming its combination's classes (drawn
    // over its top), and the hover caption says it too.
    void columnHeadersNameTheMatchedClasses()
    {
        GridModel m(2, 2);
        cgpgan::ui::GridRasterView view;
        QVERIFY(showBlankGrid(view, m, 2, 4, 32, QSize(600, 320), Qt::white));
        auto* vp = view.viewport();
        QVERIFY(!vp->hasMeanings());
        QCOMPARE(vp->header(3), QString());
        const QImage plain = view.grab().toImage();
        vp->setMeanings({{QStringLiteral("red 90%"), QStringLiteral("green 80%")},
                         {QStringLiteral("ring 70%"), QString()}});
        QCOMPARE(vp->header(0), QStringLiteral("red 90% · ring 70%"));
        QCOMPARE(vp->header(3), QStringLiteral("green 80%")); // a category matched to no class adds nothing
        QCOMPARE(vp->header(0, /*compact=*/true), QStringLiteral("red · ring"));
        // Drawn: the top of each column changes, the rest of the tile does not.
        const QImage headed = view.grab().toImage();
        const QRectF r = vp->imageRect();
        const QPoint top = (r.topLeft() + QPointF(2 + 16, 2 + 3) * vp->zoom()).toPoint();
        const QPoint low = (r.topLeft() + QPointF(2 + 16, 2 + 30) * vp->zoom()).toPoint();
        QVERIFY(headed.pixelColor(top) != plain.pixelColor(top));
        QCOMPARE(headed.pixelColor(low), plain.pixelColor(low));
        // The hover caption names the match.
        QSignalSpy hovered(vp, &cgpgan::ui::GridViewport::hoveredChanged);
        QTest::mouseMove(&view, (r.topLeft() + QPointF(2 + 16, 2 + 20) * vp->zoom()).toPoint());
        QTRY_VERIFY(!hovered.isEmpty());
        QVERIFY2(hovered.last().at(0).toString().endsWith("matches red 90% · ring 70%"),
                 qPrintable(hovered.last().at(0).toString()));
    }

    // Issue 27, steering: a column whose code holds an emptied category says so.
    void emptiedColumnsSayIt()
    {
        GridModel m(2, 2);
        cgpgan::ui::GridRasterView view;
        QVERIFY(showBlankGrid(view, m, 1, 4, 32, QSize(600, 200), Qt::white));
        auto* vp = view.viewport();
        vp->setHolds({-1, -1, -1, 0}, 2); // label 1, category 1 emptied
        QVERIFY(!vp->isEmptied(0)); // (0, 0)
        QVERIFY(vp->isEmptied(1));  // (0, 1)
        QVERIFY(!vp->isEmptied(2)); // (1, 0)
        QVERIFY(vp->isEmptied(3));  // (1, 1)
        QCOMPARE(vp->header(1), QStringLiteral("emptied"));
        QCOMPARE(vp->header(0), QString());
        vp->setHolds({-1, -1, -1, 0.3f}, 2); // a pin is no emptying
        QVERIFY(!vp->isEmptied(3));
    }

    void panelShowsSamples()
    {
        cgpgan::ui::TrainingController controller;
        cgpgan::ui::GridPanel panel(&controller);
        panel.resize(900, 500);
        panel.show();
        QSignalSpy updated(&panel, &cgpgan::ui::GridPanel::gridUpdated);
        QSignalSpy ready(&controller, &cgpgan::ui::TrainingController::sessionReady);
        QSignalSpy errors(&controller, &cgpgan::ui::TrainingController::errorOccurred);
        panel.setRefreshInterval(500);
        panel.model().setRows(3);
        panel.model().setColumns(5);
        panel.syncControls();
        controller.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY2(ready.wait(60000), errors.isEmpty() ? "no sessionReady" : qPrintable(errors.first().at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= 1, 30000);

        const GridModel& m = panel.shownModel();
        QCOMPARE(m.rows(), 3);
        QCOMPARE(m.shownColumns(), 5);
        QCOMPARE(m.tileSize(), QSize(32, 32));
        const QImage image = panel.image();
        QCOMPARE(image.size(), m.imageSize());
        QCOMPARE(image.size(), panel.model().imageSize());
        QCOMPARE(panel.canvas()->image().size(), image.size());
        // Samples, not blank tiles: every tile has structure, and tiles differ
        // along a row (codes) and down a column (z).
        for (int r = 0; r < m.rows(); ++r)
            for (int c = 0; c < m.shownColumns(); ++c)
                QVERIFY2(hasTwoColours(image, m.tileRect(r, c)), qPrintable(QStringLiteral("tile %1,%2 flat").arg(r).arg(c)));
        QVERIFY(image.copy(m.tileRect(0, 0)) != image.copy(m.tileRect(0, 1)));
        QVERIFY(image.copy(m.tileRect(0, 0)) != image.copy(m.tileRect(1, 0)));
        QCOMPARE(image.pixelColor(0, 0), QColor(48, 48, 48));
        // z-diversity beside the grid (issue 9): the tiles' own value, computed
        // here from the 8-bit picture (the controller uses the float images).
        {
            auto* label = panel.findChild<QLabel*>(QStringLiteral("zDiversity"));
            QVERIFY(label);
            const QString text = label->text();
            QVERIFY2(text.startsWith(QStringLiteral("z-diversity ")), qPrintable(text));
            bool ok = false;
            const double shown = text.section(QLatin1Char(' '), 1, 1).remove(QLatin1Char(':')).toDouble(&ok);
            QVERIFY2(ok, qPrintable(text));
            auto tiles = torch::empty({m.rows() * m.shownColumns(), 3, 32, 32}, torch::kUInt8);
            for (int r = 0; r < m.rows(); ++r)
                for (int c = 0; c < m.shownColumns(); ++c) {
                    const QImage tile = image.copy(m.tileRect(r, c)).convertToFormat(QImage::Format_RGB888);
                    auto t = tiles[r * m.shownColumns() + c];
                    for (int y = 0; y < 32; ++y)
                        for (int x = 0; x < 32; ++x) {
                            const QColor px = tile.pixelColor(x, y);
                            t[0][y][x] = px.red();
                            t[1][y][x] = px.green();
                            t[2][y][x] = px.blue();
                        }
                }
            const double expected = cgpgan::gridZDiversity(tiles, m.rows(), m.shownColumns(),
                                                           cgpgan::realPairwiseDistance(*controller.dataset(), 256, 1));
            QVERIFY(expected > 0.01); // an untrained G: rows differ
            VERIFY_NEAR(shown, expected, 0.002);
            QVERIFY(!text.contains(QStringLiteral("identical")));
        }
        // CGPGAN_TEST_SCREENSHOTS=<folder>: keep a picture of the panel to look at.
        if (const QString shots = qEnvironmentVariable("CGPGAN_TEST_SCREENSHOTS"); !shots.isEmpty())
            panel.grab().save(QDir(shots).filePath(QStringLiteral("grid_panel_%1.png").arg(panel.canvas()->backendName())));

        // Same z seed, same model: a refresh reproduces the image.
        QTRY_VERIFY_WITH_TIMEOUT(!panel.refreshPending(), 30000);
        const int count = updated.count();
        panel.refreshNow();
        QTRY_VERIFY_WITH_TIMEOUT(updated.count() > count, 30000);
        QCOMPARE(panel.image(), image);

        // Asked five times at once: one request in flight and one after it.
        QTRY_VERIFY_WITH_TIMEOUT(!panel.refreshPending(), 30000);
        QSignalSpy samples(&controller, &cgpgan::ui::TrainingController::samplesReady);
        const int before = updated.count();
        for (int i = 0; i < 5; ++i)
            panel.refreshNow();
        QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= before + 2, 30000);
        QTest::qWait(300);
        QCOMPARE(updated.count(), before + 2);
        QCOMPARE(samples.count(), 2);

        // Vary one label: d_c columns, and a bigger grid after "rows".
        panel.model().setMode(Mode::VaryLabel);
        panel.model().setVaryLabel(1);
        panel.model().setRows(4);
        panel.syncControls();
        panel.refreshNow();
        QTRY_VERIFY_WITH_TIMEOUT(panel.shownModel().rows() == 4, 30000);
        QCOMPARE(panel.shownModel().shownColumns(), 4);
        QCOMPARE(panel.image().size(), panel.shownModel().imageSize());

        // Issue 27: the columns spinner says what is shown (16 combinations
        // here), not the 40 asked for.
        panel.model().setMode(Mode::Page);
        panel.model().setColumns(40);
        panel.syncControls();
        QSpinBox* columnsBox = nullptr;
        for (auto* box : panel.findChildren<QSpinBox*>())
            if (box->prefix().startsWith("columns"))
                columnsBox = box;
        QVERIFY(columnsBox);
        QCOMPARE(columnsBox->value(), 16);
        QCOMPARE(columnsBox->maximum(), 16);
        QCOMPARE(panel.model().columns(), 40); // what was asked stays for a session with more
        panel.model().setMode(Mode::VaryLabel);
        panel.syncControls();

        // Export at native resolution.
        QTemporaryDir dir;
        QString error;
        QVERIFY2(panel.exportPng(dir.filePath("grid.png"), &error), qPrintable(error));
        QCOMPARE(QImage(dir.filePath("grid.png")).convertToFormat(QImage::Format_RGB32),
                 panel.image().convertToFormat(QImage::Format_RGB32));
        // Issue 27: the PNG says what it shows: step, rows and each column's combination.
        {
            const QImage read(dir.filePath("grid.png"));
            QCOMPARE(read.text("cgpgan step"), QString::number(updated.last().at(0).toLongLong()));
            QVERIFY2(read.text("cgpgan rows").startsWith(QString::number(panel.shownModel().rows()) + " z rows of seed"),
                     qPrintable(read.text("cgpgan rows")));
            QCOMPARE(read.text("cgpgan columns").split("; ").size(), panel.shownModel().shownColumns());
        }
        // At a chosen scale: every image pixel becomes scale x scale pixels.
        QSize written;
        QVERIFY2(panel.exportPng(dir.filePath("grid2.png"), &error, 2.0, &written), qPrintable(error));
        const QImage twice = QImage(dir.filePath("grid2.png")).convertToFormat(QImage::Format_RGB32);
        QCOMPARE(twice.size(), panel.image().size() * 2);
        QCOMPARE(written, twice.size());
        const QImage native = panel.image().convertToFormat(QImage::Format_RGB32);
        for (const QPoint p : {QPoint(5, 5), QPoint(native.width() / 2, native.height() / 2)})
            for (const QPoint d : {QPoint(0, 0), QPoint(1, 1)})
                QCOMPARE(twice.pixelColor(p * 2 + d), native.pixelColor(p));
        // As shown: the view's zoom.
        QVERIFY2(panel.exportPng(dir.filePath("shown.png"), &error, 0.0, &written), qPrintable(error));
        QCOMPARE(written.width(), qRound(panel.image().width() * panel.shownScale()));
        QVERIFY(!panel.exportPng(dir.filePath("no/such/folder/grid.png"), &error));
        QVERIFY(!error.isEmpty());

        // While training: refreshed on the timer, with later steps.
        controller.setTotalSteps(100000);
        updated.clear();
        controller.start();
        QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= 3, 30000);
        controller.stop();
        controller.waitForStop();
        QVERIFY(updated.at(2).at(0).toLongLong() > updated.at(0).at(0).toLongLong());
        QVERIFY(errors.isEmpty());

        // Issue 27: an assignment of the labelled built-in data gives the
        // columns their headers, and the status line says from which step.
        QVERIFY(!panel.canvas()->viewport()->hasMeanings());
        QSignalSpy assigned(&controller, &cgpgan::ui::TrainingController::clustersReady);
        controller.assignClusters();
        QVERIFY(assigned.wait(60000));
        QVERIFY(panel.canvas()->viewport()->hasMeanings());
        const QString header = panel.canvas()->viewport()->header(0);
        QVERIFY2(header.contains('%'), qPrintable(header));
        updated.clear();
        panel.refreshNow();
        QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= 1, 30000);
        QLabel* status = nullptr;
        for (auto* label : panel.findChildren<QLabel*>())
            if (label->text().startsWith("step "))
                status = label;
        QVERIFY(status);
        QVERIFY2(status->text().contains("headers: clusters of step"), qPrintable(status->text()));
    }

    // Where OpenGL works (e.g. under Xvfb with Mesa), the texture is made once
    // and refilled while the layout stays the same.
    void openGLTextureReused()
    {
        if (!cgpgan::ui::GridCanvas::openGLUsable())
            QSKIP("no OpenGL here (offscreen platform or CGPGAN_NO_OPENGL=1): the raster view is used");
        GridModel m(2, 4);
        m.setRows(2);
        m.setColumns(4);
        cgpgan::ui::GridGLView view;
        view.resize(300, 200);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QImage image(m.imageSize(), QImage::Format_RGB32);
        for (int i = 0; i < 3; ++i) {
            image.fill(QColor(80 * i, 200, 100));
            view.setImage(image, m);
            const QImage frame = view.grabFramebuffer();
            // The centre of the view shows the image's colour (fit, centred).
            QCOMPARE(frame.pixelColor(frame.rect().center()).red(), 80 * i);
        }
        QCOMPARE(view.textureAllocations(), 1);
        m.setRows(3);
        view.setImage(QImage(m.imageSize(), QImage::Format_RGB32), m);
        view.grabFramebuffer();
        QCOMPARE(view.textureAllocations(), 2);
    }
};

QTEST_MAIN(TestGrid)
#include "test_grid.moc"
