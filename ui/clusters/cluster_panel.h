#pragma once
// The cluster browser (SPEC 6, SPEC 7 "Clusters"): runs Q over the dataset in
// the background, then per view (one label, or all labels combined) lists the
// clusters with size, share, prior mass and confidence; the selected cluster's
// real images by confidence beside generated samples of its category; the
// confusion against ground truth with Hungarian ACC, NMI and ARI when the data
// has labels; and a CSV export of the assignment.
#include "clusters/cluster_model.h"
#include "controller/controller.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QListView;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;
class QGroupBox;

namespace cgpgan::ui {

class ClusterSamplesView;
class ClusterTableModel;
class ConfusionModel;
class ThumbnailModel;

class ClusterPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterPanel)
public:
    explicit ClusterPanel(TrainingController* controller, QWidget* parent = nullptr);
    ~ClusterPanel() override;

    // The assignment being shown; nullptr before one arrived.
    const ClusterModel* model() const { return m_model.get(); }
    int view() const { return m_view; }
    bool isAssigning() const { return m_busy; }
    int64_t selectedCluster() const { return m_cluster; }
    // What the widgets show (for tests and the main window).
    const ClusterTableModel* clusterTable() const { return m_table; }
    const ThumbnailModel* thumbnails() const { return m_thumbs; }
    const ConfusionModel* confusion() const { return m_confusion; }
    const ClusterSamplesView* generated() const { return m_generated; }

    // Writes the shown assignment with the dataset's label columns.
    bool exportCsv(const QString& path, QString* error = nullptr) const;

public Q_SLOTS:
    void assignClusters();
    void cancel();
    // view: 0 .. d_l-1, or ClusterModel::kCombined.
    void setView(int view);
    void selectCluster(int64_t id);
    // Index into the truth selector (the dataset's label columns, then their
    // combination).
    void setTruth(int index);
    void exportCsvDialog();

Q_SIGNALS:
    // A new assignment is on screen (table, first cluster, confusion).
    void assignmentShown();
    // The browser shows cluster `cluster` of view `view` (-1: none).
    void clusterSelected(int view, qint64 cluster);

private:
    void buildUi();
    void onSessionReady(const cgpgan::ui::SessionInfo& info);
    void onProgress(qint64 done, qint64 total);
    void onClustersReady(const cgpgan::ClusterAssignment& assignment, quint64 request);
    void onStats(const QVector<cgpgan::StepStats>& stats);
    void setBusy(bool busy);
    void reset();
    void updateStatus();
    void updateConfusion();
    void fillViewSelector();
    void pickTruthFor(int view);

    TrainingController* m_controller;
    std::shared_ptr<const ClusterModel> m_model;
    std::shared_ptr<const Dataset> m_data;
    std::vector<Truth> m_truths;
    std::vector<float> m_prior; // the latest prior, for drawing generated codes
    int m_view = 0;
    int64_t m_cluster = -1;
    int m_truth = -1;
    bool m_busy = false;
    quint64 m_request = 0; // the assignment this panel waits for (0: none)

    // Top bar.
    QPushButton* m_assign = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancel = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_export = nullptr;
    // Content.
    QStackedWidget* m_stack = nullptr;
    QLabel* m_placeholder = nullptr;
    QComboBox* m_viewBox = nullptr;
    QCheckBox* m_hideEmpty = nullptr;
    QLabel* m_summary = nullptr;
    ClusterTableModel* m_table = nullptr;
    QSortFilterProxyModel* m_sorted = nullptr;
    QTableView* m_tableView = nullptr;
    QLabel* m_imagesTitle = nullptr;
    ThumbnailModel* m_thumbs = nullptr;
    QListView* m_thumbView = nullptr;
    ClusterSamplesView* m_generated = nullptr;
    QGroupBox* m_truthBox = nullptr;
    QComboBox* m_truthSelector = nullptr;
    QLabel* m_scores = nullptr;
    ConfusionModel* m_confusion = nullptr;
    QTableView* m_confusionView = nullptr;
};

} // namespace cgpgan::ui
