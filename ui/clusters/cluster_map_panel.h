#pragma once
// The map of the clusters (issue 12, SPEC 7): real images embedded in 2-D from
// Q's penultimate features (PCA of every image, or t-SNE of a subsample),
// computed on the controller's service thread with progress; coloured by Q's
// cluster or by a ground-truth label; hover shows the image, a click shows its
// cluster in the browser (clusterPicked), a lasso lists the images inside.
#include "controller/controller.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QListView;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace cgpgan::ui {

class ClusterMapView;
class ThumbnailModel;

class ClusterMapPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterMapPanel)
public:
    explicit ClusterMapPanel(TrainingController* controller, QWidget* parent = nullptr);
    ~ClusterMapPanel() override;

    // The map on screen; nullptr before one arrived.
    const ClusterMap* map() const { return m_map.get(); }
    ClusterMapView* view() const { return m_view; }
    const ThumbnailModel* selectionModel() const { return m_selected; }
    bool isComputing() const { return m_busy; }
    // Entries of the colour selector: Q's labels (and their combination),
    // then the dataset's label columns (and theirs).
    QComboBox* colourSelector() const { return m_colourBy; }
    // The Q view (label, or ClusterModel::kCombined) a click picks clusters in.
    int pickView() const;

public Q_SLOTS:
    void compute();
    void cancel();
    void setMethod(cgpgan::MapMethod method);
    // Outlines the points of one cluster (the browser's selection).
    void highlightCluster(int view, qint64 cluster);

Q_SIGNALS:
    void mapShown();
    // A point was clicked: show cluster `cluster` of Q view `view` in the browser.
    void clusterPicked(int view, qint64 cluster);

private:
    void onSessionReady(const cgpgan::ui::SessionInfo& info);
    void onMapReady(const cgpgan::ClusterMap& map, quint64 request);
    // The status line: what the map shows and from which step, and (issue
    // 27, stale views) how far training has moved on since.
    void updateStatus();
    void setBusy(bool busy);
    void fillColourSelector();
    void applyColours();
    void updateSelection();
    // Q's cluster of point i in a view (label or combined).
    int64_t clusterOf(int64_t point, int view) const;
    QString describe(int64_t point) const;

    TrainingController* m_controller;
    std::shared_ptr<const Dataset> m_data;
    ModelConfig m_model; // the session's
    std::unique_ptr<ClusterMap> m_map;
    quint64 m_request = 0;
    bool m_busy = false;

    QComboBox* m_method;
    QSpinBox* m_points;
    QPushButton* m_compute;
    QPushButton* m_cancel;
    QProgressBar* m_progress;
    QComboBox* m_colourBy;
    QLabel* m_status;
    QString m_mapText; // what the shown map is (updateStatus adds its age)
    QLabel* m_legend;
    ClusterMapView* m_view;
    QLabel* m_selectionSummary;
    QListView* m_selectionView;
    ThumbnailModel* m_selected;
};

} // namespace cgpgan::ui
