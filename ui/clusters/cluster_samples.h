#pragma once
// Generated samples of the selected cluster, shown beside its real images:
// what G_ema draws for that category. For one label l the code fixes l to the
// cluster's category and draws every other label at random per column (from
// the prior when known, else uniformly), so the tiles show the category across
// the others; for the combined view every tile has the combination's one-hot
// code and its own z.
#include "clusters/cluster_model.h"
#include "controller/controller.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;

namespace cgpgan::ui {

struct ClusterSamplePlan {
    SampleRequest request;      // tag "cluster-samples"
    QString caption;            // what was fixed and what was drawn
    QStringList tileCaptions;   // per tile (row-major), the other labels' categories
};

// Pure: the request for `tiles` samples of cluster `id` of `view`. prior:
// [d_l * d_c] or empty (uniform). seed picks both z and the random labels.
ClusterSamplePlan planClusterSamples(int dL, int dC, int view, int64_t id,
                                     const std::vector<float>& prior, uint64_t seed,
                                     int tiles = 8);

class ClusterSamplesView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterSamplesView)
public:
    explicit ClusterSamplesView(TrainingController* controller, QWidget* parent = nullptr);

    // Asks the controller for samples of a cluster (the newest request wins).
    void showCluster(int dL, int dC, int view, int64_t id, const QString& clusterName,
                     const std::vector<float>& prior);
    void clear();
    int tileCount() const;

Q_SIGNALS:
    void samplesShown();

private:
    void request();
    void onSamplesReady(const cgpgan::ui::SampleResult& result);

    TrainingController* m_controller;
    QLabel* m_caption;
    QListWidget* m_tiles;
    QPushButton* m_newSamples;

    int m_dL = 0, m_dC = 0, m_view = 0;
    int64_t m_cluster = -1;
    QString m_clusterName;
    std::vector<float> m_prior;
    uint64_t m_seed = 1;
    quint64 m_pending = 0;
    ClusterSamplePlan m_plan;
};

} // namespace cgpgan::ui
