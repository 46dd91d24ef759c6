#include "clusters/cluster_map_panel.h"

#include "clusters/cluster_map_view.h"
#include "clusters/cluster_model.h"
#include "clusters/thumbnail_model.h"
#include "grid/flow_layout.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace cgpgan::ui {
namespace {

// Colour-selector codes: Q's label l is l, Q's combination ClusterModel::kCombined;
// truth column t is kTruth + t, the truths' combination kTruthCombined.
constexpr int kTruth = 1000;
constexpr int kTruthCombined = 999;
constexpr int kLegendLimit = 16; // classes named in the legend; beyond, a count
constexpr int64_t kMostCombinations = 4096; // combined Q clusters worth colouring apart

} // namespace

ClusterMapPanel::ClusterMapPanel(TrainingController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller)
{
    m_method = new QComboBox(this);
    m_method->addItem(tr("PCA (every image)"), int(MapMethod::Pca));
    m_method->addItem(tr("t-SNE (a subsample)"), int(MapMethod::Tsne));
    m_method->setToolTip(tr("PCA: the two main axes of Q's penultimate features, for every image (fast). "
                            "t-SNE: neighbourhoods kept, on a random subsample (slower: about two minutes "
                            "for 5000 points on 2 cores)"));
    m_points = new QSpinBox(this);
    m_points->setRange(100, 10000); // O(n^2) memory: 10000 points take a few GB
    m_points->setSingleStep(500);
    m_points->setValue(5000);
    m_points->setSuffix(tr(" points"));
    m_points->setToolTip(tr("How many images t-SNE embeds (a seeded random subsample). Time and memory grow "
                            "with the square"));
    m_compute = new QPushButton(tr("Compute map"), this);
    m_compute->setToolTip(tr("Run Q over the images and embed its features in 2-D (between training steps)"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setFormat(tr("%p %"));
    m_progress->setFixedWidth(160);
    m_colourBy = new QComboBox(this);
    m_colourBy->setToolTip(tr("Colour the points by Q's cluster (one label or all combined) or by a ground-truth "
                              "label of the data"));
    m_colourBy->setSizeAdjustPolicy(QComboBox::AdjustToContents);

    auto* top = new FlowLayout; // wraps onto a second line in a narrow window
    top->addWidget(new QLabel(tr("Method"), this));
    top->addWidget(m_method);
    top->addWidget(m_points);
    top->addWidget(m_compute);
    top->addWidget(m_cancel);
    top->addWidget(m_progress);
    top->addWidget(new QLabel(tr("Colour by"), this));
    top->addWidget(m_colourBy);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("mapStatus"));
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_legend = new QLabel(this);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);
    m_view = new ClusterMapView(this);
    m_view->setObjectName(QStringLiteral("clusterMap"));

    m_selectionSummary = new QLabel(tr("Drag a lasso on the map to list the images inside."), this);
    m_selectionSummary->setWordWrap(true);
    m_selected = new ThumbnailModel(this);
    m_selectionView = new QListView(this);
    m_selectionView->setObjectName(QStringLiteral("mapSelection"));
    m_selectionView->setModel(m_selected);
    ThumbnailModel::configureView(m_selectionView, true, 40);
    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_selectionSummary);
    sideLayout->addWidget(m_selectionView, 1);

    auto* mapColumn = new QWidget(this);
    auto* mapLayout = new QVBoxLayout(mapColumn);
    mapLayout->setContentsMargins(0, 0, 0, 0);
    mapLayout->addWidget(m_view, 1);
    mapLayout->addWidget(m_legend);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(mapColumn);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);

    connect(m_compute, &QPushButton::clicked, this, &ClusterMapPanel::compute);
    connect(m_cancel, &QPushButton::clicked, this, &ClusterMapPanel::cancel);
    connect(m_method, &QComboBox::currentIndexChanged, this,
            [this] { m_points->setEnabled(MapMethod(m_method->currentData().toInt()) == MapMethod::Tsne); });
    connect(m_colourBy, &QComboBox::currentIndexChanged, this, &ClusterMapPanel::applyColours);
    connect(m_view, &ClusterMapView::selectionChanged, this, &ClusterMapPanel::updateSelection);
    connect(m_view, &ClusterMapView::pointClicked, this, [this](qint64 point) {
        const int view = pickView();
        Q_EMIT clusterPicked(view, clusterOf(point, view));
    });
    connect(m_controller, &TrainingController::sessionReady, this, &ClusterMapPanel::onSessionReady);
    connect(m_controller, &TrainingController::mapProgress, this, [this](int permille) {
        if (!m_busy)
            return;
        m_progress->setValue(permille);
        // Say which phase runs (embedding.h: Q's pass is 90 % of PCA's
        // permille and 20 % of t-SNE's).
        const bool tsne = MapMethod(m_method->currentData().toInt()) == MapMethod::Tsne;
        const int qShare = tsne ? 200 : 900;
        const QString phase = permille < qShare
            ? tr("Running Q over the images: %1 %").arg(permille * 100 / qShare)
            : tsne ? tr("t-SNE: %1 % of its iterations").arg((permille - qShare) * 100 / (1000 - qShare))
                   : tr("Projecting onto the two main axes (PCA)");
        m_status->setText(m_map ? phase + tr(" · showing the map of step %1 meanwhile").arg(m_map->step) : phase);
        m_view->setPlaceholder(tr("Computing the map: %1 %").arg(permille / 10));
    });
    // Stale views (issue 27): the map says when training has moved on.
    connect(m_controller, &TrainingController::statsArrived, this, [this] {
        if (!m_busy)
            updateStatus();
    });
    connect(m_controller, &TrainingController::mapReady, this, &ClusterMapPanel::onMapReady);
    connect(m_controller, &TrainingController::mapCancelled, this, [this](quint64 request) {
        if (request == m_request) {
            setBusy(false);
            m_view->setPlaceholder(QString());
            m_status->setText(m_map ? tr("Cancelled; showing the map of step %1.").arg(m_map->step) : tr("Cancelled."));
        }
    });
    connect(m_controller, &TrainingController::errorOccurred, this,
            [this](const QString& what, const QString& message, quint64 request) {
                if (request != 0 && request == m_request) {
                    setBusy(false);
                    m_status->setText(what + QStringLiteral(": ") + message);
                }
            });
    m_view->setImageSource(
        [this](int64_t point) {
            return m_map && m_data ? ThumbnailModel::imageOf(*m_data, m_map->samples[size_t(point)]) : QImage();
        },
        [this](int64_t point) { return describe(point); });
    m_points->setEnabled(false);
    setBusy(false);
}

ClusterMapPanel::~ClusterMapPanel() = default;

void ClusterMapPanel::onSessionReady(const SessionInfo& info)
{
    m_model = info.config.model;
    if (m_busy)
        cancel();
    m_request = 0; // whatever the old session's job delivers is not for this one
    setBusy(false);
    m_data = m_controller->dataset();
    m_map.reset();
    m_view->clear();
    m_selected->setDataset(m_data);
    m_selected->clear();
    m_legend->clear();
    m_status->setText(tr("Compute a map to see how Q places the images."));
    fillColourSelector();
}

void ClusterMapPanel::setMethod(MapMethod method)
{
    m_method->setCurrentIndex(m_method->findData(int(method)));
}

void ClusterMapPanel::compute()
{
    m_request = m_controller->computeMap(MapMethod(m_method->currentData().toInt()), m_points->value());
    setBusy(true);
    m_progress->setValue(0);
    m_status->setText(tr("Running Q over the images\u2026"));
    m_view->setPlaceholder(tr("Computing the map\u2026"));
}

void ClusterMapPanel::cancel()
{
    m_controller->cancelMap();
}

void ClusterMapPanel::setBusy(bool busy)
{
    m_busy = busy;
    m_compute->setEnabled(!busy);
    m_cancel->setEnabled(busy);
    m_progress->setVisible(busy);
}

void ClusterMapPanel::onMapReady(const ClusterMap& map, quint64 request)
{
    if (request != m_request)
        return;
    setBusy(false);
    m_map = std::make_unique<ClusterMap>(map);
    m_view->setPoints(m_map->xy);
    fillColourSelector();
    m_view->setPlaceholder(QString());
    const int64_t total = m_data ? m_data->count : m_map->count();
    if (m_map->method == MapMethod::Pca)
        m_mapText = (tr("PCA of Q's %1 penultimate features at step %2: all %3 images. The axes hold "
                             "%4 % and %5 % of the features' variance.")
                              .arg(m_map->featureDim)
                              .arg(m_map->step)
                              .arg(total)
                              .arg(100 * m_map->explained[0], 0, 'f', 1)
                              .arg(100 * m_map->explained[1], 0, 'f', 1));
    else
        m_mapText = (tr("t-SNE (perplexity 30) of Q's %1 penultimate features at step %2: %3 of %4 images, "
                             "a random subsample. Distances between groups are not to scale.")
                              .arg(m_map->featureDim)
                              .arg(m_map->step)
                              .arg(m_map->count())
                              .arg(total));
    updateStatus();
    Q_EMIT mapShown();
}

void ClusterMapPanel::updateStatus()
{
    if (!m_map)
        return;
    const int64_t now = m_controller->step();
    if (now > m_map->step)
        m_status->setText(m_mapText + tr(" \u26a0 Training has moved on %1 step%2 since (now step %3): Compute "
                                         "again to refresh.")
                                          .arg(now - m_map->step)
                                          .arg(now - m_map->step == 1 ? QString() : QStringLiteral("s"))
                                          .arg(now));
    else
        m_status->setText(m_mapText);
}

void ClusterMapPanel::fillColourSelector()
{
    const int previous = m_colourBy->currentData().isValid() ? m_colourBy->currentData().toInt() : 0;
    const QSignalBlocker block(m_colourBy);
    m_colourBy->clear();
    const auto& config = m_model;
    if (config.mode != GanMode::Vanilla) {
        for (int l = 0; l < config.dL; ++l)
            m_colourBy->addItem(config.dL == 1 ? tr("Q's cluster") : tr("Q: label %1").arg(l), l);
        if (config.dL > 1 && config.combinations() <= kMostCombinations)
            m_colourBy->addItem(tr("Q: all labels combined"), ClusterModel::kCombined);
    }
    if (m_data)
        for (size_t t = 0; t < m_data->labels.size(); ++t)
            m_colourBy->addItem(tr("truth: %1").arg(QString::fromStdString(m_data->labels[t].name)),
                                kTruth + int(t));
    if (m_data && m_data->labels.size() > 1)
        m_colourBy->addItem(tr("truth: all combined"), kTruthCombined);
    const int index = m_colourBy->findData(previous);
    m_colourBy->setCurrentIndex(std::max(index, 0));
    applyColours();
}

int ClusterMapPanel::pickView() const
{
    const int code = m_colourBy->currentData().toInt();
    if (code < kTruthCombined)
        return code;
    const int dL = m_map ? m_map->dL : 1;
    return dL > 1 && m_map && !m_map->combined.empty() && m_map->combined.front() >= 0 ? ClusterModel::kCombined
                                                                                        : 0;
}

int64_t ClusterMapPanel::clusterOf(int64_t point, int view) const
{
    if (!m_map || point < 0 || point >= m_map->count())
        return -1;
    if (view == ClusterModel::kCombined)
        return m_map->combined[size_t(point)];
    return m_map->category[size_t(point * m_map->dL + view)];
}

void ClusterMapPanel::applyColours()
{
    if (!m_map) {
        m_legend->clear();
        return;
    }
    const int code = m_colourBy->currentData().toInt();
    const int64_t n = m_map->count();
    std::vector<int32_t> classes(size_t(n), -1);
    int32_t count = 0;
    QStringList names;
    if (code >= kTruth && m_data && size_t(code - kTruth) < m_data->labels.size()) {
        const auto& column = m_data->labels[size_t(code - kTruth)];
        count = int32_t(column.classNames.size());
        for (int64_t i = 0; i < n; ++i)
            classes[size_t(i)] = column.values[size_t(m_map->samples[size_t(i)])];
        for (const auto& name : column.classNames)
            names << QString::fromStdString(name);
    } else if (code == kTruthCombined && m_data) {
        const auto combined = m_data->combinedLabels();
        count = int32_t(m_data->combinedClassCount());
        for (int64_t i = 0; i < n; ++i)
            classes[size_t(i)] = combined[size_t(m_map->samples[size_t(i)])];
    } else {
        count = code == ClusterModel::kCombined ? int32_t(m_model.combinations()) : m_map->dC;
        for (int64_t i = 0; i < n; ++i)
            classes[size_t(i)] = int32_t(clusterOf(i, code));
    }
    // The legend: a swatch per class that occurs, with its share of the points.
    std::map<int32_t, int64_t> sizes;
    for (int32_t c : classes)
        ++sizes[c];
    QString legend;
    int shown = 0;
    for (const auto& [cls, size] : sizes) {
        if (cls < 0 || ++shown > kLegendLimit)
            continue;
        const QString name = cls < names.size() ? names[cls] : QString::number(cls);
        legend += QStringLiteral("<span style='color:%1'>\u25a0</span>&nbsp;%2 (%3 %) &nbsp; ")
                      .arg(ClusterMapView::colourOf(cls, count).name(), name.toHtmlEscaped())
                      .arg(100.0 * double(size) / double(std::max<int64_t>(n, 1)), 0, 'f', 1);
    }
    if (shown > kLegendLimit)
        legend += tr("and %1 more classes").arg(shown - kLegendLimit);
    m_legend->setText(legend);
    m_view->setClasses(std::move(classes), count);
}

void ClusterMapPanel::highlightCluster(int view, qint64 cluster)
{
    if (!m_map)
        return;
    std::vector<int64_t> members;
    for (int64_t i = 0; i < m_map->count(); ++i)
        if (clusterOf(i, view) == cluster)
            members.push_back(i);
    m_view->setHighlighted(std::move(members));
}

void ClusterMapPanel::updateSelection()
{
    const auto& points = m_view->selection();
    if (!m_map || points.empty()) {
        m_selected->clear();
        m_selectionSummary->setText(tr("Drag a lasso on the map to list the images inside."));
        return;
    }
    std::vector<int64_t> samples;
    samples.reserve(points.size());
    std::map<int64_t, int64_t> byCluster;
    const int view = pickView();
    for (int64_t p : points) {
        samples.push_back(m_map->samples[size_t(p)]);
        ++byCluster[clusterOf(p, view)];
    }
    const auto top = std::max_element(byCluster.begin(), byCluster.end(),
                                      [](const auto& a, const auto& b) { return a.second < b.second; });
    m_selectionSummary->setText(tr("%1 images selected, in %2 of Q's clusters; the most in cluster %3 (%4 %).")
                                    .arg(samples.size())
                                    .arg(byCluster.size())
                                    .arg(top->first)
                                    .arg(100.0 * double(top->second) / double(samples.size()), 0, 'f', 1));
    m_selected->setItems(std::move(samples), {});
}

QString ClusterMapPanel::describe(int64_t point) const
{
    if (!m_map)
        return {};
    const int64_t sample = m_map->samples[size_t(point)];
    QStringList lines{tr("Image %1").arg(sample)};
    QStringList clusters;
    for (int l = 0; l < m_map->dL; ++l)
        clusters << QString::number(m_map->category[size_t(point * m_map->dL + l)]);
    lines << tr("Q: %1").arg(clusters.join(QStringLiteral(", ")));
    if (m_data)
        for (const auto& column : m_data->labels) {
            const int32_t v = column.values[size_t(sample)];
            lines << QStringLiteral("%1: %2").arg(QString::fromStdString(column.name),
                                                  v >= 0 && size_t(v) < column.classNames.size()
                                                      ? QString::fromStdString(column.classNames[size_t(v)])
                                                      : QString::number(v));
        }
    return lines.join(QLatin1Char('\n'));
}

} // namespace cgpgan::ui
