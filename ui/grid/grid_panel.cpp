#include "grid/grid_panel.h"

#include "cgpgan/clustering.h"

#include "clusters/thumbnail_model.h"
#include "grid/flow_layout.h"
#include "grid/grid_canvas.h"
#include "grid/grid_viewport.h"

#include <QComboBox>
#include <QPixmap>
#include <QDialogButtonBox>
#include <QDialog>
#include <QMenu>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cgpgan::ui {

namespace {

constexpr int kMaxRows = 16;
constexpr int kMaxColumns = 64;

} // namespace

GridPanel::GridPanel(TrainingController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_refreshTimer(new QTimer(this))
    , m_settleTimer(new QTimer(this))
{
    m_refreshTimer->setSingleShot(true);
    m_settleTimer->setSingleShot(true);
    m_settleTimer->setInterval(60);
    // A hidden tab costs the trainer nothing: sample again when shown.
    connect(m_refreshTimer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refreshNow();
        else
            m_staleWhileHidden = true;
    });
    connect(m_settleTimer, &QTimer::timeout, this, &GridPanel::refreshNow);

    QSettings settings;
    m_model.setRows(std::clamp(settings.value("grid/rows", 6).toInt(), 1, kMaxRows));
    m_model.setColumns(std::clamp(settings.value("grid/columns", 16).toInt(), 1, kMaxColumns));

    buildControls();
    setRefreshInterval(settings.value("grid/interval", 2000).toInt());
    syncControls();

    connect(m_controller, &TrainingController::sessionReady, this, &GridPanel::onSessionReady);
    // Steering (issue 27): columns of an emptied category say so.
    connect(m_controller, &TrainingController::steered, this,
            [this](const QString&, const std::vector<float>&, const std::vector<float>& pins, quint64) {
                m_canvas->viewport()->setHolds(pins, m_controller->session().dC());
            });
    connect(m_controller, &TrainingController::stateChanged, this, &GridPanel::onStateChanged);
    connect(m_controller, &TrainingController::samplesReady, this, &GridPanel::onSamples);
    connect(m_controller, &TrainingController::pagesWritten, this, &GridPanel::refreshNow);
    connect(m_controller, &TrainingController::nearestRealReady, this, &GridPanel::showNearestReal);
    connect(m_controller, &TrainingController::nearestRealProgress, this, [this](int permille) {
        if (m_nearestRequest != 0)
            m_status->setText(tr("finding the real images nearest to %1: Q reads the real images, %2 %")
                                  .arg(m_nearestCaption)
                                  .arg(permille / 10));
    });
    connect(m_controller, &TrainingController::clustersReady, this,
            [this](const ClusterAssignment& assignment, quint64) { showMeanings(assignment); });
    // Single steps and the last steps before a pause: show what they did.
    connect(m_controller, &TrainingController::statsArrived, this, [this] {
        if (m_controller->state() != TrainingController::State::Running)
            refreshNow();
    });
    // A failed request answers with its id instead of samples.
    connect(m_controller, &TrainingController::errorOccurred, this,
            [this](const QString& what, const QString& message, quint64 request) {
                if (m_inFlight == 0 || request != m_inFlight)
                    return;
                m_inFlight = 0;
                m_status->setText(tr("%1: %2").arg(what, message));
                if (m_wanted)
                    refreshNow();
            });

    m_state = m_controller->state();
    if (m_controller->hasSession())
        onSessionReady(m_controller->session());
}

void GridPanel::buildControls()
{
    // Built in this order (it is also the keyboard focus order), then wired.
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buildSelectionRow());
    layout->addLayout(buildOptionRow());
    layout->addWidget(buildView(), 1);
    layout->addLayout(buildStatusRow());
    connectControls();
}

// Which combinations the columns show: the mode and its own controls.
QLayout* GridPanel::buildSelectionRow()
{
    m_mode = new QComboBox;
    m_mode->addItem(tr("Page through all"), int(GridModel::Mode::Page));
    m_mode->addItem(tr("Random set"), int(GridModel::Mode::Random));
    m_mode->addItem(tr("Vary one label"), int(GridModel::Mode::VaryLabel));
    m_mode->setToolTip(tr("Which categorical combinations the columns show"));

    auto* pageBox = new QWidget;
    auto* pageLayout = new QHBoxLayout(pageBox);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    m_prevPage = new QToolButton;
    m_prevPage->setArrowType(Qt::LeftArrow);
    m_prevPage->setToolTip(tr("Previous page"));
    m_nextPage = new QToolButton;
    m_nextPage->setArrowType(Qt::RightArrow);
    m_nextPage->setToolTip(tr("Next page"));
    m_page = new QSpinBox;
    m_page->setPrefix(tr("page "));
    m_pageCount = new QLabel;
    pageLayout->addWidget(m_prevPage);
    pageLayout->addWidget(m_page);
    pageLayout->addWidget(m_pageCount);
    pageLayout->addWidget(m_nextPage);
    pageLayout->addStretch();

    auto* randomBox = new QWidget;
    auto* randomLayout = new QHBoxLayout(randomBox);
    randomLayout->setContentsMargins(0, 0, 0, 0);
    m_newRandom = new QPushButton(tr("Other combinations"));
    m_newRandom->setToolTip(tr("Draw another random set of combinations"));
    randomLayout->addWidget(m_newRandom);
    randomLayout->addStretch();

    auto* varyBox = new QWidget;
    auto* varyLayout = new QHBoxLayout(varyBox);
    varyLayout->setContentsMargins(0, 0, 0, 0);
    m_varyLabel = new QComboBox;
    m_varyLabel->setToolTip(tr("The label whose categories run along the columns"));
    varyLayout->addWidget(new QLabel(tr("vary")));
    varyLayout->addWidget(m_varyLabel);
    varyLayout->addWidget(new QLabel(tr("others at")));
    m_fixedLayout = new QHBoxLayout;
    varyLayout->addLayout(m_fixedLayout);
    varyLayout->addStretch();

    m_modeControls = new QStackedWidget;
    m_modeControls->addWidget(pageBox);
    m_modeControls->addWidget(randomBox);
    m_modeControls->addWidget(varyBox);
    m_modeControls->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);

    auto* selectRow = new QHBoxLayout;
    selectRow->addWidget(m_mode);
    selectRow->addWidget(m_modeControls, 1);
    return selectRow;
}

// Rows, columns, z, refreshing, zoom, export.
QLayout* GridPanel::buildOptionRow()
{
    m_rows = new QSpinBox;
    m_rows->setRange(1, kMaxRows);
    m_rows->setPrefix(tr("rows "));
    m_rows->setToolTip(tr("Fixed z vectors, one per row"));
    m_columns = new QSpinBox;
    m_columns->setRange(1, kMaxColumns);
    m_columns->setPrefix(tr("columns "));
    m_columns->setToolTip(tr("Combinations shown (vary-one-label mode shows d_c)"));
    m_newZ = new QPushButton(tr("New z"));
    m_newZ->setToolTip(tr("Draw new z vectors for the rows"));
    m_interval = new QComboBox;
    m_interval->addItem(tr("refresh off"), 0);
    for (int ms : {500, 1000, 2000, 5000, 10000})
        m_interval->addItem(tr("every %1 s").arg(ms / 1000.0), ms);
    m_interval->setToolTip(tr("How often the grid is resampled while training"));
    m_refresh = new QPushButton(tr("Refresh now"));
    const auto toolButton = [](const QString& text, const QString& tip) {
        auto* button = new QToolButton;
        button->setText(text);
        button->setToolTip(tip);
        return button;
    };
    m_zoomOut = toolButton(QStringLiteral("\u2212"), tr("Zoom out (or the mouse wheel)"));
    m_zoomIn = toolButton(QStringLiteral("+"), tr("Zoom in (or the mouse wheel)"));
    m_zoomFit = toolButton(tr("Fit"), tr("Fit the grid to the view (or double-click)"));
    m_zoomOne = toolButton(QStringLiteral("1:1"), tr("One image pixel per screen pixel"));
    m_zoomLabel = new QLabel;
    m_zoomLabel->setMinimumWidth(m_zoomLabel->fontMetrics().horizontalAdvance(QStringLiteral("fit 3200%")));
    m_export = new QPushButton(tr("Export PNG..."));


    // Groups of controls that belong together, wrapping onto a second line
    // when the panel is narrow (issue 12) instead of being cut.
    const auto group = [](std::initializer_list<QWidget*> widgets) {
        auto* box = new QWidget;
        auto* row = new QHBoxLayout(box);
        row->setContentsMargins(0, 0, 0, 0);
        for (QWidget* w : widgets)
            row->addWidget(w);
        return box;
    };
    auto* optionRow = new FlowLayout;
    optionRow->setObjectName(QStringLiteral("gridOptions"));
    optionRow->addWidget(group({m_rows, m_columns, m_newZ}));
    optionRow->addWidget(group({m_interval, m_refresh}));
    optionRow->addWidget(group({m_zoomOut, m_zoomIn, m_zoomFit, m_zoomOne, m_zoomLabel}));
    optionRow->addWidget(m_export);
    return optionRow;
}

// The canvas, and the message shown instead of it for point data.
QWidget* GridPanel::buildView()
{
    m_canvas = GridCanvas::create(this);
    m_canvas->widget()->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    // Right click on a tile: the real images nearest to it (issue 27).
    m_canvas->widget()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_canvas->widget(), &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        const auto tile = m_canvas->viewport()->tileAtWidget(at);
        if (!tile)
            return;
        QMenu menu(this);
        QAction* nearest = menu.addAction(tr("Nearest real images to this tile..."));
        nearest->setToolTip(tr("The real images Q finds most alike: a check that G does not copy its data"));
        QAction* animate = menu.addAction(tr("Animate this column (z walk)..."));
        animate->setToolTip(tr("An animated WebP and an MP4 of this combination as z walks a loop"));
        QAction* chosen = menu.exec(m_canvas->widget()->mapToGlobal(at));
        if (chosen == nearest)
            askNearestReal(tile->row, tile->combination);
        if (chosen == animate)
            Q_EMIT animateRequested(columnWalk(tile->combination));
    });
    m_message = new QLabel;
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_views = new QStackedWidget;
    m_views->addWidget(m_canvas->widget());
    m_views->addWidget(m_message);
    return m_views;
}

// Step and refresh time, z-diversity, what is under the mouse.
QLayout* GridPanel::buildStatusRow()
{
    m_status = new QLabel(tr("no samples yet"));
    m_hover = new QLabel;
    m_hover->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_diversity = new QLabel;
    m_diversity->setObjectName(QStringLiteral("zDiversity"));
    m_diversity->setToolTip(tr("z-diversity: how much the images of one column (one combination) differ from row "
                               "to row, relative to two random real images (mean pixel distance).\n"
                               "0 = every row of a column is the same image: the generator ignores z.\n"
                               "About 1 = as varied as the data itself."));
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status);
    statusRow->addWidget(m_diversity);
    statusRow->addWidget(m_hover, 1);
    return statusRow;
}

void GridPanel::connectControls()
{
    connect(m_mode, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        if (m_syncing)
            return;
        m_model.setMode(GridModel::Mode(m_mode->currentData().toInt()));
        selectionChanged();
    });
    connect(m_prevPage, &QToolButton::clicked, m_page, &QSpinBox::stepDown);
    connect(m_nextPage, &QToolButton::clicked, m_page, &QSpinBox::stepUp);
    connect(m_page, qOverload<int>(&QSpinBox::valueChanged), this, [this](int page) {
        if (m_syncing)
            return;
        m_model.setPage(page - 1);
        selectionChanged();
    });
    connect(m_newRandom, &QPushButton::clicked, this, [this] {
        if (m_syncing)
            return;
        m_model.setRandomSeed(QRandomGenerator::global()->generate64());
        selectionChanged();
    });
    connect(m_varyLabel, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int label) {
        if (m_syncing)
            return;
        if (label < 0)
            return;
        m_model.setVaryLabel(label);
        selectionChanged();
    });
    connect(m_rows, qOverload<int>(&QSpinBox::valueChanged), this, [this](int rows) {
        if (m_syncing)
            return;
        m_model.setRows(rows);
        QSettings().setValue("grid/rows", rows);
        selectionChanged();
    });
    connect(m_columns, qOverload<int>(&QSpinBox::valueChanged), this, [this](int columns) {
        if (m_syncing)
            return;
        // Stay on the page that holds the first id shown so far.
        const int64_t first = m_model.page() * m_model.columns();
        m_model.setColumns(columns);
        m_model.setPage(first / columns);
        QSettings().setValue("grid/columns", columns);
        selectionChanged();
    });
    connect(m_newZ, &QPushButton::clicked, this, [this] {
        if (m_syncing)
            return;
        m_model.setZSeed(QRandomGenerator::global()->generate64());
        selectionChanged();
    });
    connect(m_interval, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        if (m_syncing)
            return;
        QSettings().setValue("grid/interval", refreshInterval());
        m_refreshTimer->stop();
        scheduleNext();
    });
    connect(m_refresh, &QPushButton::clicked, this, &GridPanel::refreshNow);
    connect(m_export, &QPushButton::clicked, this, &GridPanel::exportWithDialog);

    GridViewport* viewport = m_canvas->viewport();
    connect(m_zoomIn, &QToolButton::clicked, viewport, &GridViewport::zoomIn);
    connect(m_zoomOut, &QToolButton::clicked, viewport, &GridViewport::zoomOut);
    connect(m_zoomFit, &QToolButton::clicked, viewport, &GridViewport::fit);
    connect(m_zoomOne, &QToolButton::clicked, viewport, &GridViewport::actualSize);
    connect(viewport, &GridViewport::zoomChanged, this, &GridPanel::updateZoomLabel);
    connect(viewport, &GridViewport::hoveredChanged, m_hover, &QLabel::setText);
    updateZoomLabel();
}

// One spin box per label for the categories the other labels are held at.
void GridPanel::rebuildFixedCategories()
{
    for (QSpinBox* box : m_fixed)
        delete box;
    m_fixed.clear();
    for (int l = 0; l < m_model.dL(); ++l) {
        auto* box = new QSpinBox;
        box->setRange(0, m_model.dC() - 1);
        box->setPrefix(tr("label%1=").arg(l));
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this, [this, l](int category) {
            if (m_syncing)
                return;
            m_model.setFixedCategory(l, category);
            selectionChanged();
        });
        m_fixedLayout->addWidget(box);
        m_fixed.push_back(box);
    }
}

void GridPanel::syncControls()
{
    m_syncing = true;
    m_mode->setCurrentIndex(m_mode->findData(int(m_model.mode())));
    m_modeControls->setCurrentIndex(m_mode->currentIndex());
    if (m_varyLabel->count() != m_model.dL()) {
        m_varyLabel->clear();
        for (int l = 0; l < m_model.dL(); ++l)
            m_varyLabel->addItem(tr("label%1").arg(l));
    }
    if (m_fixed.size() != m_model.dL() || (!m_fixed.isEmpty() && m_fixed[0]->maximum() != m_model.dC() - 1))
        rebuildFixedCategories();
    m_varyLabel->setCurrentIndex(m_model.varyLabel());
    for (int l = 0; l < m_fixed.size(); ++l) {
        m_fixed[l]->setValue(m_model.fixedCategories()[size_t(l)]);
        m_fixed[l]->setEnabled(l != m_model.varyLabel());
    }
    m_rows->setValue(m_model.rows());
    // The spinner says what the grid shows (issue 27: it said 16 while MNIST's
    // 10 combinations showed 10); the columns asked for stay in the model and
    // the settings for a session with more combinations.
    m_columns->setMaximum(int(std::clamp<int64_t>(m_model.combinations(), 1, kMaxColumns)));
    m_columns->setValue(m_model.columns()); // clamped to the maximum: min(asked, combinations)
    m_columns->setEnabled(m_model.mode() != GridModel::Mode::VaryLabel);
    updatePageLabel();
    m_syncing = false;
}

void GridPanel::updatePageLabel()
{
    const auto pages = int(std::min<int64_t>(m_model.pageCount(), std::numeric_limits<int>::max()));
    m_page->setRange(1, std::max(pages, 1));
    m_page->setValue(int(m_model.page()) + 1);
    m_pageCount->setText(tr("of %1 (%2 combinations)").arg(pages).arg(m_model.combinations()));
}

void GridPanel::updateZoomLabel()
{
    const GridViewport* viewport = m_canvas->viewport();
    const QString percent = QStringLiteral("%1%").arg(qRound(viewport->zoom() * 100));
    m_zoomLabel->setText(viewport->fitting() ? tr("fit %1").arg(percent) : percent);
}

void GridPanel::selectionChanged()
{
    syncControls(); // dependent controls: page range, enabled boxes
    if (m_images)
        m_settleTimer->start();
}

bool GridPanel::refreshPending() const
{
    return m_inFlight != 0 || m_wanted || m_settleTimer->isActive();
}

int GridPanel::refreshInterval() const
{
    return m_interval->currentData().toInt();
}

void GridPanel::setRefreshInterval(int ms)
{
    // The nearest offered interval (a hand-edited setting may be anything).
    int best = 0;
    for (int i = 1; i < m_interval->count(); ++i)
        if (std::abs(m_interval->itemData(i).toInt() - ms) < std::abs(m_interval->itemData(best).toInt() - ms))
            best = i;
    m_interval->setCurrentIndex(best);
}

LatentWalk GridPanel::columnWalk(int64_t combination) const
{
    LatentWalk walk;
    walk.kind = LatentWalk::Kind::Z;
    walk.combinations = {combination};
    walk.rows = std::clamp(m_shownModel.rows(), 1, 8);
    walk.zSeed = m_shownModel.zSeed(); // the walk starts from the rows on screen
    walk.frames = 80;
    walk.keyframes = 4;
    return walk;
}

void GridPanel::askNearestReal(int row, int64_t combination)
{
    SampleRequest tile;
    tile.tag = QStringLiteral("nearest");
    tile.rows = tile.columns = 1;
    tile.zSeed = m_shownModel.zSeed();
    tile.firstRow = row;
    tile.codes = m_controller->combinationCodes({combination});
    m_nearestRequest = m_controller->requestNearestReal(tile, 8);
    m_nearestCaption = m_shownModel.caption({row, 0, combination, m_shownModel.categoriesOf(combination)});
    m_status->setText(tr("finding the real images nearest to %1...").arg(m_nearestCaption));
}

void GridPanel::showNearestReal(const NearestReal& result)
{
    if (result.request != m_nearestRequest)
        return;
    m_nearestRequest = 0;
    const auto data = m_controller->dataset();
    if (!data)
        return;
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("nearestRealDialog"));
    dialog->setWindowTitle(tr("Nearest real images"));
    auto* layout = new QVBoxLayout(dialog);
    auto* intro = new QLabel(
        tr("<b>%1</b> at step %2, and the real images nearest to it in Q's features (its penultimate "
           "layer). Near copies of one real image would mean G memorises; the typical distance to a real "
           "image is %3.")
            .arg(m_nearestCaption.toHtmlEscaped())
            .arg(result.step)
            .arg(double(result.medianDistance), 0, 'g', 3));
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* row = new QHBoxLayout;
    const auto picture = [](const QImage& image, const QString& caption) {
        auto* box = new QVBoxLayout;
        auto* label = new QLabel;
        label->setPixmap(QPixmap::fromImage(image.scaled(96, 96, Qt::KeepAspectRatio, Qt::FastTransformation)));
        box->addWidget(label);
        box->addWidget(new QLabel(caption));
        return box;
    };
    row->addLayout(picture(result.tile, tr("generated")));
    for (size_t i = 0; i < result.samples.size(); ++i)
        row->addLayout(picture(ThumbnailModel::imageOf(*data, result.samples[i]),
                               tr("#%1 · %2").arg(result.samples[i]).arg(double(result.distances[i]), 0, 'g', 3)));
    layout->addLayout(row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    m_status->setText(tr("nearest real images of %1: distance %2 (typical %3)")
                          .arg(m_nearestCaption)
                          .arg(result.distances.empty() ? 0.0 : double(result.distances.front()), 0, 'g', 3)
                          .arg(double(result.medianDistance), 0, 'g', 3));
    dialog->show();
}

void GridPanel::showMeanings(const ClusterAssignment& assignment)
{
    // What each column means (issue 27): the classes Q's categories are
    // matched to in the last assignment (cgpgan/clustering.h), when the data
    // has labels. A plain pass over the assignment, on this thread.
    const auto data = m_controller->dataset();
    std::vector<std::vector<QString>> meanings;
    m_meaningsStep = -1;
    if (data && data->hasLabels() && assignment.count == data->count) {
        try {
            for (const auto& label : categoryMeanings(assignment, *data)) {
                std::vector<QString> texts;
                for (const CategoryMeaning& m : label)
                    texts.push_back(m.classId < 0 ? QString()
                                                  : tr("%1 %2%").arg(QString::fromStdString(m.className))
                                                        .arg(std::lround(100 * m.share)));
                meanings.push_back(std::move(texts));
            }
            m_meaningsStep = assignment.step;
        } catch (const std::exception&) {
            meanings.clear(); // an assignment of other data: no headers
        }
    }
    m_canvas->viewport()->setMeanings(meanings);
    m_canvas->widget()->setToolTip(
        meanings.empty() ? QString()
                         : tr("Column headers: the true class each column's categories are matched to (Hungarian, "
                              "per label) and the share of that category's real images in it, from the cluster "
                              "assignment at step %1. Assign clusters again for newer ones.")
                               .arg(m_meaningsStep));
}

void GridPanel::onSessionReady(const SessionInfo& info)
{
    m_canvas->viewport()->setMeanings({}); // the last session's assignment
    m_canvas->viewport()->setHolds(info.pins, info.dC());
    m_meaningsStep = -1;
    m_inFlight = 0;
    m_wanted = false;
    m_refreshTimer->stop();
    m_images = info.images();
    m_model.setShape(info.dL(), info.dC());
    m_model.setTileSize(QSize(info.config.model.resolution, info.config.model.resolution));
    syncControls();
    for (QWidget* w : std::initializer_list<QWidget*>{m_mode, m_modeControls, m_rows, m_columns, m_newZ, m_interval,
                                                      m_refresh, m_export})
        w->setEnabled(m_images);
    m_columns->setEnabled(m_images && m_model.mode() != GridModel::Mode::VaryLabel);
    if (!m_images) {
        m_image = QImage();
        m_message->setText(tr("This model generates points, not images; see the charts."));
        m_views->setCurrentWidget(m_message);
        m_status->setText(tr("no grid for point data"));
        return;
    }
    m_views->setCurrentWidget(m_canvas->widget());
    refreshNow();
}

void GridPanel::onStateChanged(TrainingController::State state)
{
    using State = TrainingController::State;
    const State previous = m_state;
    m_state = state;
    if (state == State::Running) {
        scheduleNext();
        return;
    }
    m_refreshTimer->stop();
    if (state == State::Empty || state == State::Loading) {
        m_inFlight = 0;
        m_wanted = false;
        return;
    }
    // Paused, stopped or finished: show the model as training left it
    // (sessionReady already refreshes for a new session).
    if (previous == State::Running)
        refreshNow();
}

void GridPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (m_staleWhileHidden) {
        m_staleWhileHidden = false;
        refreshNow();
    }
}

void GridPanel::scheduleNext()
{
    const int interval = refreshInterval();
    if (interval > 0 && m_images && m_inFlight == 0 && m_controller->state() == TrainingController::State::Running &&
        !m_refreshTimer->isActive())
        m_refreshTimer->start(interval);
}

void GridPanel::refreshNow()
{
    m_settleTimer->stop();
    if (!m_images || !m_controller->hasSession())
        return;
    if (m_inFlight != 0) {
        m_wanted = true; // asked again when the one in flight comes back
        return;
    }
    const std::vector<int64_t> ids = m_model.shownCombinations();
    if (ids.empty())
        return;
    SampleRequest request;
    request.tag = QStringLiteral("grid");
    request.rows = m_model.rows();
    request.columns = int(ids.size());
    request.zSeed = m_model.zSeed();
    request.codes = m_controller->combinationCodes(ids);
    m_requestModel = m_model;
    m_wanted = false;
    m_refreshTimer->stop();
    m_inFlight = m_controller->requestSamples(request);
}

void GridPanel::showDiversity(double value)
{
    if (!std::isfinite(value)) {
        m_diversity->setText(tr("z-diversity: needs 2 rows"));
        m_diversity->setStyleSheet(QString());
        return;
    }
    // Below 0.05 the rows of a column look alike to the eye: say it in words and in colour.
    const bool collapsed = value < kCollapsedDiversity;
    m_diversity->setText(collapsed ? tr("z-diversity %1: rows identical, G ignores z").arg(value, 0, 'f', 3)
                                   : tr("z-diversity %1").arg(value, 0, 'f', 3));
    m_diversity->setStyleSheet(collapsed ? QStringLiteral("color: #c62828; font-weight: bold;") : QString());
}

void GridPanel::onSamples(const SampleResult& result)
{
    if (m_inFlight == 0 || result.id != m_inFlight)
        return; // another widget's samples, or a request given up on
    m_inFlight = 0;
    if (result.tiles.size() == m_requestModel.tileCount()) {
        m_image = m_requestModel.compose(result.tiles);
        m_shownModel = m_requestModel;
        m_shownStep = result.step;
        m_canvas->setImage(m_image, m_shownModel);
        m_status->setText(tr("step %1, refreshed %2")
                              .arg(result.step)
                              .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss"))) +
                          (m_meaningsStep >= 0 ? tr(" · headers: clusters of step %1%2")
                                                     .arg(m_meaningsStep)
                                                     .arg(m_meaningsStep < result.step ? tr(" (older)") : QString())
                                               : QString()));
        showDiversity(result.zDiversity);
        Q_EMIT gridUpdated(result.step);
    } else {
        m_status->setText(tr("step %1: got %2 tiles for a %3 x %4 grid")
                              .arg(result.step)
                              .arg(result.tiles.size())
                              .arg(m_requestModel.rows())
                              .arg(m_requestModel.shownColumns()));
    }
    if (m_wanted)
        refreshNow();
    else
        scheduleNext();
}

double GridPanel::shownScale() const
{
    return m_canvas->viewport()->zoom();
}

bool GridPanel::exportPng(const QString& path, QString* error, double scale, QSize* written)
{
    const auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return false;
    };
    if (m_image.isNull())
        return fail(tr("There is no grid to export yet: open a session that generates images."));
    if (scale <= 0)
        scale = shownScale();
    const QSize size(std::max(1, qRound(m_image.width() * scale)), std::max(1, qRound(m_image.height() * scale)));
    if (int64_t(size.width()) * size.height() > (int64_t(1) << 28))
        return fail(tr("%1x%2 pixels is too large to export: choose a smaller scale.").arg(size.width()).arg(size.height()));
    QImage out = size == m_image.size() ? m_image
                                        : m_image.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    // What the picture shows travels with it (issue 27: exported grids
    // carried no step or labels): PNG text chunks with the step, the z rows
    // and each column's combination, and the column headers when known.
    QStringList columns, headers;
    const GridViewport* viewport = m_canvas->viewport();
    for (const int64_t id : m_shownModel.shownCombinations()) {
        QStringList categories;
        for (const int k : m_shownModel.categoriesOf(id))
            categories << QString::number(k);
        columns << QStringLiteral("%1 (%2)").arg(id).arg(categories.join(QLatin1Char(',')));
        headers << viewport->header(id);
    }
    out.setText(QStringLiteral("Software"), QStringLiteral("CGPGAN Explorer"));
    out.setText(QStringLiteral("cgpgan step"), QString::number(m_shownStep));
    out.setText(QStringLiteral("cgpgan rows"),
                tr("%1 z rows of seed %2").arg(m_shownModel.rows()).arg(m_shownModel.zSeed()));
    out.setText(QStringLiteral("cgpgan columns"), columns.join(QStringLiteral("; ")));
    if (viewport->hasMeanings())
        out.setText(QStringLiteral("cgpgan column classes"),
                    headers.join(QStringLiteral(" | ")) + tr(" (clusters of step %1)").arg(m_meaningsStep));
    out.setText(QStringLiteral("Description"),
                tr("G_ema samples at step %1: columns are combinations of categories (label 0 first), rows are "
                   "fixed z")
                    .arg(m_shownStep));
    if (!out.save(path, "PNG"))
        return fail(tr("Could not write %1: check that the folder exists and is writable.").arg(path));
    if (written)
        *written = size;
    return true;
}

void GridPanel::exportWithDialog()
{
    if (m_image.isNull()) {
        QMessageBox::warning(this, tr("Export the grid"),
                             tr("There is no grid to export yet: open a session that generates images."));
        return;
    }
    QSettings settings;
    const QString folder = settings.value("grid/exportFolder", QDir::currentPath()).toString();
    const QString suggested = QDir(folder).filePath(QStringLiteral("grid_step%1.png").arg(m_shownStep));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the grid"), suggested, tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    settings.setValue("grid/exportFolder", QFileInfo(path).absolutePath());
    // The scale: as shown (the default), or whole multiples of the model's pixels.
    const auto sizeText = [this](double scale) {
        return tr("%1 x %2 px").arg(qRound(m_image.width() * scale)).arg(qRound(m_image.height() * scale));
    };
    QStringList choices{tr("As shown (%1%, %2)").arg(qRound(shownScale() * 100)).arg(sizeText(shownScale()))};
    const QList<int> multiples{1, 2, 4, 8};
    for (int m : multiples)
        choices << tr("%1 px tiles (%2x, %3)").arg(m_shownModel.tileSize().width() * m).arg(m).arg(sizeText(m));
    bool ok = false;
    const QString choice = QInputDialog::getItem(this, tr("Export the grid"), tr("Scale:"), choices, 0, false, &ok);
    if (!ok)
        return;
    const int index = int(choices.indexOf(choice));
    const double scale = index <= 0 ? shownScale() : multiples[index - 1];
    QString error;
    QSize written;
    if (!exportPng(path, &error, scale, &written)) {
        QMessageBox::warning(this, tr("Export the grid"), error);
        return;
    }
    Q_EMIT exported(path, written);
}

} // namespace cgpgan::ui
