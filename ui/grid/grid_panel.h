#pragma once
// The live sample grid (SPEC 7): columns are categorical combinations, rows
// are fixed z, all sampled from G_ema through the controller. The user picks
// the combinations (a page of all d_c^d_l, a random set, or one label varied
// with the others fixed), the rows, reseeds z, zooms, hovers a tile to see
// its (z, combination), and exports the grid as PNG.
//
// Refreshing never queues up behind training: at most one request is in
// flight, and while training runs the next one is asked for `interval` after
// the previous result arrived, so sampling takes a bounded share of the
// service thread however slow the model is.
#include "controller/controller.h"
#include "grid/grid_model.h"

#include <QWidget>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QLayout;
class QTimer;
class QToolButton;

namespace cgpgan::ui {

class GridCanvas;

class GridPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GridPanel)
public:
    explicit GridPanel(TrainingController* controller, QWidget* parent = nullptr);
    // Below this z-diversity the panel says "rows identical" in red.
    static constexpr double kCollapsedDiversity = 0.05;

    // The last composed grid (native resolution, with padding); null before
    // the first refresh.
    QImage image() const { return m_image; }
    // Writes the grid as a PNG, each image pixel scale x scale screen pixels
    // (nearest neighbour: tiles stay crisp); scale <= 0 means as shown (the
    // view's zoom). Returns false with the reason in error; the size
    // written in written.
    bool exportPng(const QString& path, QString* error, double scale = 1.0, QSize* written = nullptr);
    // The scales offered by the export dialog: as shown, then 1x .. 8x.
    double shownScale() const;

    // The selection the controls edit (what the next refresh shows). Call
    // syncControls() after changing it from outside, then refreshNow().
    GridModel& model() { return m_model; }
    const GridModel& model() const { return m_model; }
    // The layout the image on screen was composed with.
    const GridModel& shownModel() const { return m_shownModel; }
    GridCanvas* canvas() const { return m_canvas; }

    // A refresh asked for and not yet shown (in flight, or waiting behind
    // the one in flight, or settling after a control edit).
    bool refreshPending() const;

    // Refresh interval while training, in ms (0 = only on demand).
    int refreshInterval() const;
    void setRefreshInterval(int ms);

public Q_SLOTS:
    // Asks for new samples now (or right after the one in flight).
    void refreshNow();
    void syncControls();
    void exportWithDialog();

Q_SIGNALS:
    void gridUpdated(qint64 step);
    // After an export from the dialog: where it went and how large it is.
    void exported(const QString& path, const QSize& size);
    // A tile's menu asked for an animation (issue 27): a z walk of its column.
    void animateRequested(const cgpgan::LatentWalk& walk);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildControls();
    QLayout* buildSelectionRow();
    QLayout* buildOptionRow();
    QWidget* buildView();
    QLayout* buildStatusRow();
    void connectControls();
    void rebuildFixedCategories();
    void onSessionReady(const SessionInfo& info);
    void showMeanings(const ClusterAssignment& assignment);
    // Right click on a tile: ask for the real images nearest to it, then show them.
    void askNearestReal(int row, int64_t combination);
    // A z walk of one column, from the z rows on screen (at most 8).
    LatentWalk columnWalk(int64_t combination) const;
    void showNearestReal(const NearestReal& result);
    void onStateChanged(TrainingController::State state);
    void onSamples(const SampleResult& result);
    void showDiversity(double value);
    void selectionChanged(); // a control changed: settle, then refresh
    void scheduleNext();
    void updatePageLabel();
    void updateZoomLabel();

    TrainingController* m_controller;
    GridModel m_model;
    bool m_staleWhileHidden = false; // a timed refresh was skipped while hidden
    GridModel m_requestModel;  // layout of the request in flight
    GridModel m_shownModel;    // layout of m_image
    QImage m_image;
    TrainingController::State m_state = TrainingController::State::Empty;
    bool m_images = false;     // the session generates images
    quint64 m_inFlight = 0;    // id of the request in flight, 0 when none
    bool m_wanted = false;     // a refresh was asked for while one was in flight

    QTimer* m_refreshTimer;    // single shot: the next refresh while training
    QTimer* m_settleTimer;     // single shot: coalesces control edits

    QComboBox* m_mode = nullptr;
    QStackedWidget* m_modeControls = nullptr;
    QToolButton* m_prevPage = nullptr;
    QToolButton* m_nextPage = nullptr;
    QSpinBox* m_page = nullptr;
    QLabel* m_pageCount = nullptr;
    QPushButton* m_newRandom = nullptr;
    QComboBox* m_varyLabel = nullptr;
    QHBoxLayout* m_fixedLayout = nullptr;
    QVector<QSpinBox*> m_fixed;
    QSpinBox* m_rows = nullptr;
    QSpinBox* m_columns = nullptr;
    QPushButton* m_newZ = nullptr;
    QComboBox* m_interval = nullptr;
    QPushButton* m_refresh = nullptr;
    QLabel* m_zoomLabel = nullptr;
    QToolButton* m_zoomOut = nullptr;
    QToolButton* m_zoomIn = nullptr;
    QToolButton* m_zoomFit = nullptr;
    QToolButton* m_zoomOne = nullptr;
    QPushButton* m_export = nullptr;
    QStackedWidget* m_views = nullptr;
    GridCanvas* m_canvas = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_diversity = nullptr; // z-diversity of the grid shown (issue 9)
    QLabel* m_hover = nullptr;
    bool m_syncing = false;    // controls being set from the model
    int64_t m_meaningsStep = -1; // the step of the assignment the column headers come from
    int64_t m_shownStep = 0;     // the model's step when the grid shown was sampled
    quint64 m_nearestRequest = 0; // the nearest-real-images request in flight
    QString m_nearestCaption;     // its tile, in words
};

} // namespace cgpgan::ui
