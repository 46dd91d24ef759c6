#include "clusters/cluster_panel.h"

#include "cgpgan/error.h"

#include "clusters/cluster_samples.h"
#include "clusters/cluster_table_model.h"
#include "clusters/confusion_model.h"
#include "clusters/thumbnail_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>

namespace cgpgan::ui {
namespace {

constexpr int kThumb = 64;

QString percent(double v)
{
    return QStringLiteral("%1 %").arg(100.0 * v, 0, 'f', 1);
}

} // namespace

ClusterPanel::ClusterPanel(TrainingController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller)
{
    buildUi();
    connect(m_controller, &TrainingController::sessionReady, this, &ClusterPanel::onSessionReady);
    connect(m_controller, &TrainingController::clusterProgress, this, &ClusterPanel::onProgress);
    connect(m_controller, &TrainingController::clustersReady, this, &ClusterPanel::onClustersReady);
    connect(m_controller, &TrainingController::statsArrived, this, &ClusterPanel::onStats);
    connect(m_controller, &TrainingController::stateChanged, this, [this](TrainingController::State s) {
        if (s == TrainingController::State::Empty || s == TrainingController::State::Loading)
            reset();
        setBusy(m_busy);
    });
    connect(m_controller, &TrainingController::clustersCancelled, this, [this](quint64 request) {
        if (request != m_request)
            return; // someone else's assignment
        m_request = 0;
        setBusy(false);
        updateStatus();
        m_status->setText(m_model ? m_status->text() + tr(" · new assignment cancelled")
                                  : tr("Assignment cancelled"));
    });
    // Only a failure of this panel's own assignment ends its wait.
    connect(m_controller, &TrainingController::errorOccurred, this,
            [this](const QString& what, const QString& message, quint64 request) {
                if (!m_busy || request != m_request)
                    return;
                m_request = 0;
                setBusy(false);
                m_status->setText(tr("Cluster assignment ended: %1").arg(what));
                m_status->setToolTip(message);
            });
    if (m_controller->hasSession())
        onSessionReady(m_controller->session());
    setBusy(false);
}

ClusterPanel::~ClusterPanel() = default;

void ClusterPanel::buildUi()
{
    // ---- Top bar: run, progress, staleness, export.
    m_assign = new QPushButton(tr("Assign clusters"), this);
    m_assign->setToolTip(tr("Run Q over the whole dataset: each sample goes to argmax Q(x) per label"));
    m_progress = new QProgressBar(this);
    m_progress->setFormat(tr("%v / %m samples"));
    m_progress->setMinimumWidth(220);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_status = new QLabel(this);
    m_export = new QPushButton(tr("Export CSV\u2026"), this);
    m_export->setToolTip(tr("One row per sample: categories, confidences, combined id, ground truth"));

    auto* top = new QHBoxLayout;
    top->addWidget(m_assign);
    top->addWidget(m_progress);
    top->addWidget(m_cancel);
    top->addWidget(m_status, 1);
    top->addWidget(m_export);

    // ---- Left: the view selector, the cluster table, the confusion.
    m_viewBox = new QComboBox(this);
    m_hideEmpty = new QCheckBox(tr("Hide empty"), this);
    m_summary = new QLabel(this);
    m_summary->setForegroundRole(QPalette::PlaceholderText);

    m_table = new ClusterTableModel(this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_table);
    m_sorted->setSortRole(ClusterTableModel::SortRole);
    m_sorted->setFilterKeyColumn(ClusterTableModel::SizeColumn);
    m_sorted->setFilterRole(ClusterTableModel::SortRole);
    m_tableView = new QTableView(this);
    m_tableView->setObjectName(QStringLiteral("clusterTable"));
    m_tableView->setModel(m_sorted);
    m_tableView->setSortingEnabled(true);
    m_tableView->sortByColumn(ClusterTableModel::ClusterColumn, Qt::AscendingOrder);
    m_tableView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tableView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tableView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tableView->verticalHeader()->hide();
    m_tableView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    m_tableView->setShowGrid(false);
    m_tableView->setAlternatingRowColors(true);
    m_tableView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tableView->horizontalHeader()->setSectionResizeMode(ClusterTableModel::ClusterColumn,
                                                          QHeaderView::Stretch);
    m_tableView->setItemDelegateForColumn(ClusterTableModel::ShareColumn,
                                          new BarDelegate(QColor(33, 102, 172), this));
    m_tableView->setItemDelegateForColumn(ClusterTableModel::PriorColumn,
                                          new BarDelegate(QColor(230, 85, 13), this));

    m_truthSelector = new QComboBox(this);
    m_scores = new QLabel(this);
    m_scores->setTextFormat(Qt::RichText);
    m_scores->setWordWrap(true);
    m_confusion = new ConfusionModel(this);
    m_confusionView = new QTableView(this);
    m_confusionView->setObjectName(QStringLiteral("confusionMatrix"));
    m_confusionView->setModel(m_confusion);
    m_confusionView->setItemDelegate(new ConfusionDelegate(this));
    m_confusionView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_confusionView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_confusionView->setGridStyle(Qt::SolidLine);
    m_confusionView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_confusionView->horizontalHeader()->setMinimumSectionSize(40);
    m_confusionView->horizontalHeader()->setMaximumSectionSize(110);
    m_confusionView->horizontalHeader()->setTextElideMode(Qt::ElideRight);
    m_confusionView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_confusionView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);

    m_truthBox = new QGroupBox(tr("Ground truth"), this);
    auto* truthRow = new QHBoxLayout;
    truthRow->addWidget(new QLabel(tr("Compare with"), this));
    truthRow->addWidget(m_truthSelector, 1);
    auto* truthLayout = new QVBoxLayout(m_truthBox);
    truthLayout->addLayout(truthRow);
    truthLayout->addWidget(m_scores);
    truthLayout->addWidget(m_confusionView, 1);

    auto* viewRow = new QHBoxLayout;
    viewRow->addWidget(new QLabel(tr("View"), this));
    viewRow->addWidget(m_viewBox, 1);
    viewRow->addWidget(m_hideEmpty);
    auto* tablePane = new QWidget(this);
    auto* tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addLayout(viewRow);
    tableLayout->addWidget(m_summary);
    tableLayout->addWidget(m_tableView, 1);

    auto* left = new QSplitter(Qt::Vertical, this);
    left->addWidget(tablePane);
    left->addWidget(m_truthBox);
    left->setStretchFactor(0, 2);
    left->setStretchFactor(1, 3);
    left->setChildrenCollapsible(false);

    // ---- Right: real images of the cluster, generated samples beside them.
    m_imagesTitle = new QLabel(this);
    m_imagesTitle->setTextFormat(Qt::RichText);
    m_thumbs = new ThumbnailModel(this);
    m_thumbs->setThumbnailSize(kThumb);
    m_thumbView = new QListView(this);
    m_thumbView->setObjectName(QStringLiteral("thumbnails"));
    m_thumbView->setModel(m_thumbs);
    ThumbnailModel::configureView(m_thumbView, true, kThumb);
    m_thumbView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_generated = new ClusterSamplesView(m_controller, this);

    auto* imagesRow = new QHBoxLayout;
    imagesRow->addWidget(m_thumbView, 1);
    imagesRow->addWidget(m_generated);
    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_imagesTitle);
    rightLayout->addLayout(imagesRow, 1);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({520, 780});
    split->setChildrenCollapsible(false);

    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(split);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_stack, 1);

    connect(m_assign, &QPushButton::clicked, this, &ClusterPanel::assignClusters);
    connect(m_cancel, &QPushButton::clicked, this, &ClusterPanel::cancel);
    connect(m_export, &QPushButton::clicked, this, &ClusterPanel::exportCsvDialog);
    connect(m_viewBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0)
            setView(m_viewBox->itemData(index).toInt());
    });
    connect(m_truthSelector, &QComboBox::currentIndexChanged, this, &ClusterPanel::setTruth);
    connect(m_hideEmpty, &QCheckBox::toggled, this, [this](bool hide) {
        // SortRole of the size column is the count: "0" is an empty cluster.
        m_sorted->setFilterRegularExpression(hide ? QStringLiteral("^[1-9]") : QString());
    });
    connect(m_tableView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    selectCluster(m_sorted->data(current, ClusterTableModel::ClusterIdRole).toLongLong());
            });
    reset();
}

void ClusterPanel::onSessionReady(const SessionInfo& info)
{
    reset();
    m_data = m_controller->dataset();
    m_prior = info.prior;
    m_truths.clear();
    if (m_data && m_data->hasLabels()) {
        try {
            m_truths = truthColumns(*m_data);
        } catch (const std::exception&) {
            m_truths.clear(); // inconsistent label columns: no scoring
        }
    }
    {
        const QSignalBlocker block(m_truthSelector);
        m_truthSelector->clear();
        for (const Truth& t : m_truths)
            m_truthSelector->addItem(
                tr("%1 (%2 classes)").arg(QString::fromStdString(t.name)).arg(t.classNames.size()));
    }
    m_thumbs->setDataset(m_data);
    const bool images = m_data && m_data->isImages();
    ThumbnailModel::configureView(m_thumbView, images, kThumb);
    m_generated->setVisible(images);
    setBusy(false);
}

void ClusterPanel::reset()
{
    m_model.reset();
    m_cluster = -1;
    m_table->clear();
    m_thumbs->clear();
    m_confusion->clear();
    m_generated->clear();
    m_imagesTitle->clear();
    m_summary->clear();
    m_scores->clear();
    m_status->clear();
    m_status->setToolTip(QString());
    m_export->setEnabled(false);
    m_placeholder->setText(m_controller && m_controller->hasSession()
                               ? tr("Assign clusters to run Q over the dataset and browse what it "
                                    "put in each category.")
                               : tr("Open a session to browse its clusters."));
    m_stack->setCurrentIndex(0);
}

void ClusterPanel::setBusy(bool busy)
{
    m_busy = busy;
    // Keyboard focus stays here (issue 12): disabling the focused Assign
    // button used to hand focus to the next widget in the window, "Train
    // until step", with its text selected. Cancel takes it while busy, and
    // gives it back after.
    const bool hadFocus = (m_assign->hasFocus() && busy) || (m_cancel->hasFocus() && !busy);
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_cancel->setEnabled(busy);
    if (hadFocus && busy)
        m_cancel->setFocus(Qt::OtherFocusReason);
    m_assign->setEnabled(!busy && m_controller->hasSession());
    if (hadFocus && !busy)
        m_assign->setFocus(Qt::OtherFocusReason);
    if (busy)
        m_status->clear();
}

void ClusterPanel::assignClusters()
{
    if (m_busy || !m_controller->hasSession())
        return;
    m_progress->setRange(0, 0); // busy until the first progress report
    setBusy(true);
    m_request = m_controller->assignClusters();
}

void ClusterPanel::cancel()
{
    if (!m_busy)
        return;
    m_controller->cancelClusters();
    m_cancel->setEnabled(false);
    m_status->setText(tr("Cancelling\u2026"));
}

void ClusterPanel::onProgress(qint64 done, qint64 total)
{
    if (!m_busy)
        setBusy(true); // started elsewhere (the main window's menu)
    // QProgressBar takes int: counts above 2^31 are not expected for images.
    m_progress->setRange(0, int(std::min<qint64>(total, INT_MAX)));
    m_progress->setValue(int(std::min<qint64>(done, INT_MAX)));
}

void ClusterPanel::onStats(const QVector<StepStats>& stats)
{
    if (!stats.isEmpty() && !stats.back().prior.empty())
        m_prior = stats.back().prior;
    updateStatus();
}

void ClusterPanel::onClustersReady(const ClusterAssignment& assignment, quint64 request)
{
    if (request != m_request)
        return; // an assignment this panel did not ask for
    m_request = 0;
    const int64_t step = assignment.step; // the model's step when Q ran
    setBusy(false);
    try {
        m_model = std::make_shared<const ClusterModel>(assignment, m_prior, step);
    } catch (const std::exception& e) {
        m_status->setText(tr("The assignment could not be shown: %1").arg(QString::fromStdString(userMessage(e))));
        return;
    }
    if (m_data && m_data->count != m_model->count())
        m_data.reset(); // not this session's data: no thumbnails, no truth
    m_export->setEnabled(true);
    m_stack->setCurrentIndex(1);
    fillViewSelector();
    updateStatus();
    setView(m_model->dL() > 1 && m_model->hasCombinedView() ? ClusterModel::kCombined : 0);
    Q_EMIT assignmentShown();
}

void ClusterPanel::fillViewSelector()
{
    const QSignalBlocker block(m_viewBox);
    m_viewBox->clear();
    for (int view : m_model->views()) {
        // With one label the combined id is that label's category.
        if (view == ClusterModel::kCombined && m_model->dL() == 1)
            continue;
        const QString text = view == ClusterModel::kCombined
                                 ? tr("All labels combined (%1 clusters)").arg(m_model->clusterCount(view))
                                 : tr("Label %1 (%2 categories)").arg(view).arg(m_model->dC());
        m_viewBox->addItem(text, view);
    }
}

void ClusterPanel::updateStatus()
{
    if (!m_model || m_busy)
        return;
    QString text = tr("Assigned at step %1 \u00b7 %2 samples")
                       .arg(QLocale().toString(qint64(m_model->step())))
                       .arg(QLocale().toString(qint64(m_model->count())));
    const int64_t now = m_controller->step();
    if (now != m_model->step())
        text += tr(" \u00b7 <span style='color:#c05000'>training is at step %1: assign again to "
                   "refresh</span>")
                    .arg(QLocale().toString(qint64(now)));
    m_status->setText(text);
    m_status->setToolTip(QString());
}

void ClusterPanel::setView(int view)
{
    if (!m_model)
        return;
    const bool valid = view == ClusterModel::kCombined ? m_model->hasCombinedView()
                                                        : view >= 0 && view < m_model->dL();
    if (!valid)
        return;
    m_view = view;
    {
        const QSignalBlocker block(m_viewBox);
        m_viewBox->setCurrentIndex(m_viewBox->findData(view));
    }
    m_table->setView(m_model, view, m_data);

    const int64_t total = m_model->clusterCount(view);
    QString summary = tr("%1 of %2 clusters hold samples").arg(m_model->nonEmptyClusters(view)).arg(total);
    if (m_model->hasPrior())
        summary += tr(" \u00b7 %1 have prior mass above 1 %").arg(m_model->populatedByPrior(view));
    if (int64_t(m_model->clusters(view).size()) < total)
        summary += tr(" \u00b7 only populated clusters listed");
    m_summary->setText(summary);

    pickTruthFor(view);
    updateConfusion();

    // Start on the largest cluster.
    int64_t best = -1, bestSize = -1;
    for (const ClusterStats& s : m_model->clusters(view))
        if (s.size > bestSize) {
            best = s.id;
            bestSize = s.size;
        }
    m_cluster = -1;
    selectCluster(best);
}

void ClusterPanel::selectCluster(int64_t id)
{
    if (!m_model || id == m_cluster)
        return;
    const ClusterStats* s = m_model->find(m_view, id);
    if (!s) {
        m_cluster = -1;
        m_thumbs->clear();
        m_generated->clear();
        m_imagesTitle->clear();
        return;
    }
    m_cluster = id;
    Q_EMIT clusterSelected(m_view, id);

    // Keep the table's current row in step (a call from code, not a click).
    const int sourceRow = m_table->rowOf(id);
    const QModelIndex proxy = m_sorted->mapFromSource(m_table->index(sourceRow, 0));
    if (proxy.isValid() && m_tableView->currentIndex().row() != proxy.row()) {
        const QSignalBlocker block(m_tableView->selectionModel());
        m_tableView->selectionModel()->setCurrentIndex(
            proxy, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        // After a model reset (or the page just shown) the scroll range is
        // laid out later: lay out, then scroll, once the layout has settled.
        QMetaObject::invokeMethod(
            m_tableView, [view = m_tableView, proxy = QPersistentModelIndex(proxy)] {
                if (!proxy.isValid())
                    return;
                view->doItemsLayout();
                view->scrollTo(proxy);
            },
            Qt::QueuedConnection);
    }

    std::vector<float> confidences(s->members.size());
    for (size_t i = 0; i < s->members.size(); ++i)
        confidences[i] = m_model->confidenceOf(m_view, s->members[i]);
    m_thumbs->setItems(s->members, std::move(confidences));
    m_thumbView->scrollToTop();

    const QString name = m_model->clusterName(m_view, id);
    const bool images = m_data && m_data->isImages();
    m_imagesTitle->setText(
        s->size == 0 ? tr("<b>Cluster %1</b>: empty").arg(name)
        : images     ? tr("<b>Cluster %1</b>: %2 real images, most confident first")
                           .arg(name, QLocale().toString(qint64(s->size)))
                     : tr("<b>Cluster %1</b>: %2 points, most confident first")
                           .arg(name, QLocale().toString(qint64(s->size))));
    if (images && m_controller->hasSession())
        m_generated->showCluster(m_model->dL(), m_model->dC(), m_view, id, name, m_prior);
}

void ClusterPanel::pickTruthFor(int view)
{
    if (m_truths.empty() || !m_model)
        return;
    // The combined view against the combined truth; a label against the
    // column it explains best (a label's index says nothing about which
    // attribute Q learned for it).
    int pick = 0;
    if (view == ClusterModel::kCombined) {
        pick = int(m_truths.size()) - 1;
    } else {
        double bestNmi = -1.0;
        for (size_t t = 0; t < m_truths.size(); ++t) {
            if (int64_t(m_truths[t].values.size()) != m_model->count())
                continue;
            const Confusion c = m_model->confusion(view, m_truths[t]);
            if (c.scored && c.scores.nmi > bestNmi) {
                bestNmi = c.scores.nmi;
                pick = int(t);
            }
        }
    }
    m_truth = pick;
    const QSignalBlocker block(m_truthSelector);
    m_truthSelector->setCurrentIndex(pick);
}

void ClusterPanel::setTruth(int index)
{
    if (index < 0 || size_t(index) >= m_truths.size())
        return;
    m_truth = index;
    {
        const QSignalBlocker block(m_truthSelector);
        m_truthSelector->setCurrentIndex(index);
    }
    updateConfusion();
}

void ClusterPanel::updateConfusion()
{
    const bool show = m_model && !m_truths.empty() && m_data && m_truth >= 0;
    m_truthBox->setVisible(show);
    if (!show) {
        m_confusion->clear();
        m_table->setMatches({}, {});
        return;
    }
    const Truth& truth = m_truths[size_t(m_truth)];
    Confusion c;
    try {
        c = m_model->confusion(m_view, truth);
    } catch (const std::exception& e) {
        m_confusion->clear();
        m_table->setMatches({}, {});
        m_scores->setText(tr("Cannot compare: %1").arg(QString::fromStdString(userMessage(e)).toHtmlEscaped()));
        return;
    }
    m_confusion->setConfusion(c, truth, m_model, m_view);
    m_table->setMatches(c, truth); // the table's Matches column (issue 27)
    if (c.scored) {
        const ClusterScores& s = c.scores;
        // Chance (issue 27: the numbers had none): putting every image in one
        // cluster scores the largest class's share as ACC and purity, 0 as
        // NMI and ARI; a random assignment scores about the same.
        int64_t largest = 0;
        for (int64_t k = 0; k < c.classes; ++k) {
            int64_t column = 0;
            for (size_t r = 0; r < c.rows.size(); ++r)
                column += c.at(r, k);
            largest = std::max(largest, column);
        }
        const double chance = c.total() > 0 ? double(largest) / double(c.total()) : 0.0;
        m_scores->setText(
            tr("Hungarian ACC <b>%1</b> &nbsp; NMI <b>%2</b> &nbsp; ARI <b>%3</b> &nbsp; "
               "purity %4 &nbsp; <span style='color:gray'>(chance: ACC and purity %7, NMI and ARI 0)</span>"
               "<br><span style='color:gray'>Rows: clusters; columns: %5. Shade: share "
               "of the cluster; outlined: the one-to-one matching.%6</span>")
                .arg(percent(s.hungarianAccuracy), QString::number(s.nmi, 'f', 3),
                     QString::number(s.ari, 'f', 3), percent(s.majorityAccuracy),
                     QString::fromStdString(truth.name).toHtmlEscaped(),
                     m_confusion->hiddenEmptyRows() > 0
                         ? tr(" %1 empty clusters not shown.").arg(m_confusion->hiddenEmptyRows())
                         : QString(),
                     percent(chance)));
        m_scores->setToolTip(
            tr("<b>Hungarian ACC</b>: the share of images whose cluster, matched one to one to a class, is "
               "their class.<br><b>NMI</b>: how much knowing the cluster tells about the class (0 "
               "nothing, 1 everything), normalised by both entropies.<br><b>ARI</b>: agreement of the two "
               "partitions on pairs of images, 0 at chance, 1 identical, below 0 worse than chance.<br>"
               "<b>Purity</b>: each cluster votes its majority class; more clusters than classes raise it.<br>"
               "<b>Chance</b>: every image in one cluster scores the largest class's share (%1) as ACC and "
               "purity, and 0 as NMI and ARI.")
                .arg(percent(chance)));
    } else {
        m_scores->setText(tr("Too many clusters or classes to match one to one (more than %1); "
                             "counts only.")
                              .arg(ClusterModel::kMaxMatched));
    }
}

bool ClusterPanel::exportCsv(const QString& path, QString* error) const
{
    if (!m_model) {
        if (error)
            *error = tr("No cluster assignment to export.");
        return false;
    }
    static const std::vector<LabelColumn> none;
    return m_model->writeCsv(path, m_data ? m_data->labels : none, error);
}

void ClusterPanel::exportCsvDialog()
{
    if (!m_model)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export cluster assignments"),
        QStringLiteral("clusters-step-%1.csv").arg(m_model->step()), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportCsv(path, &error))
        QMessageBox::warning(this, tr("Could not export the clusters"), error);
    else
        m_status->setText(tr("Exported %1 rows to %2").arg(m_model->count()).arg(path));
}

} // namespace cgpgan::ui
