#pragma once
// Live loss charts: every quantity SPEC 4 logs per step, in a few grouped
// charts, plus the prior as bars and the training speed.
//
// Stats arrive in batches (TrainingController::statsArrived) and go into
// bounded SeriesHistory buckets at once; drawing is coalesced by a single-shot
// timer (STYLE.md suggests 30-50 ms; here at least 250 ms and ten times the
// measured redraw cost, so the UI thread leaves the cores to training), and
// skipped while the widget is hidden. Smoothing and the log scale persist in
// QSettings ("charts/smoothing", "charts/logScale").
//
// Layout (3 x 2): Adversarial losses (d_adv, g_adv) | Gradient penalties
// (r2, cgp) | Scores (s_real, s_fake) / Classifier & prior (cls, fake_acc,
// prior_entropy) | Prior P(c) bars | Speed (steps/s). A dashed line marks
// where the prior starts following Q (priorFrozen turning false), and thin
// coloured ones mark the run's events (a knob change, a page edit, a pause),
// hovered for what changed. When the
// data has labels and the live score is on (SPEC 8, run.score_every), a
// fourth column, two rows high (a third row when the widget is narrower than
// four charts): "Clusters vs labels", Hungarian ACC of Q
// against each label column and combined, unsmoothed (a point every
// score_every steps).
#include "cgpgan/values.h"
#include "charts/chart_style.h"
#include "charts/line_chart_panel.h"

#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QBarSeries;
class QCheckBox;
class QGridLayout;
class QLabel;
class QLineSeries;
class QSlider;
class QToolButton;

namespace cgpgan::ui {

class PriorChartPanel;
class SeriesHistory;
class TrainingController;
struct SessionInfo;
struct ComparedRun;

class LossCharts final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LossCharts)
public:
    // Buckets per quantity: ~1000 covers a 1000-px-wide chart at >= 1 bucket
    // per pixel (2 points each) and keeps a redraw of all charts cheap.
    static constexpr int kHistoryCapacity = 1024;
    static constexpr int kRedrawDelayMs = 250;
    // The delay grows when drawing is slow, so the charts take at most about
    // a quarter of the UI thread (redraw + paint of every chart, times 3).
    static constexpr int kMaxRedrawDelayMs = 1000;

    // controller may be null (a detached widget, tests).
    explicit LossCharts(TrainingController* controller, QWidget* parent = nullptr);
    ~LossCharts() override;

    // What the controller's signals call.
    void appendStats(const QVector<cgpgan::StepStats>& stats);
    void reset(int dL, int dC);
    void setSession(const cgpgan::ui::SessionInfo& info);
    // The prior's chart, where steering starts (issue 27).
    PriorChartPanel* priorPanel() const { return m_priorPanel; }

    double smoothing() const { return m_smoothing; }
    void setSmoothing(double smoothing); // 0 .. 0.99
    bool logScale() const { return m_logScale; }
    void setLogScale(bool log);

    // Draws now instead of waiting for the coalescing timer.
    void redrawNow();
    bool redrawPending() const { return m_redrawTimer.isActive() || m_dirty; }
    int redrawDelayMs() const { return m_redrawTimer.interval(); }

    // The quantities by the names of the CSV log (runner.cpp): d_adv, r2, cls,
    // cgp, g_adv, s_real, s_fake, fake_acc, prior_entropy, plus steps_per_s.
    QStringList seriesNames() const;
    const SeriesHistory* history(const QString& name) const;
    QLineSeries* smoothedSeries(const QString& name) const;
    QLineSeries* envelopeSeries(const QString& name) const;
    QBarSeries* priorSeries() const;
    const std::vector<float>& prior() const;
    // "step N: name = value" at the bucket nearest `step`.
    QString readout(const QString& name, double step) const;
    // What the note line says: values hidden by the log scale, non-finite
    // values skipped, stats of a prior of the wrong size. Empty when all is well.
    QString note() const;
    // The live clustering score's chart (null when the session has no score)
    // and its lines' names, in StepStats::scores order.
    LineChartPanel* scorePanel() const { return m_scorePanel; }
    const QStringList& scoreNames() const { return m_scoreNames; }
    // Steps at which the prior started following Q or was frozen again.
    const std::vector<ChartEvent>& priorEvents() const { return m_events; }
    // The run's events (issue 27: knob changes, page edits, starts, pauses,
    // resumes, stops), drawn as markers on every chart, the speed chart
    // included; hovering one says what changed. The newest kMaxRunMarkers
    // are drawn.
    static constexpr size_t kMaxRunMarkers = 200;
    void addRunEvent(const cgpgan::RunEvent& event);
    const std::vector<RunEvent>& runEvents() const { return m_runEvents; }
    // The markers a panel gets (prior events and run events), for tests.
    std::vector<ChartEvent> markers(bool withPriorEvents) const;

    // Compare runs (issue 27): another run's curves as dashed lines over
    // this session's, every quantity and the clusters score (when both runs
    // score the same labels); the bar above the charts names the run and how
    // its config differs (all differences in its tooltip), with Clear. A new
    // session clears it (the differences were against the old one).
    void setComparison(const cgpgan::ui::ComparedRun& run);
    void clearComparison();
    bool hasComparison() const { return !m_comparedPath.isEmpty(); }
    // The bar's text, for tests and screenshots.
    QString comparisonText() const;

protected:
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Channel {
        QString name;
        LineChartPanel* panel = nullptr;
        int index = 0;
        double (*value)(const StepStats&) = nullptr;
        bool optional = false; // a NaN value means "not measured", not "diverged"
        // Steps on which this value is not taken at all (the penalties with
        // train.reg_every > 1) leave no point; a NaN on the others still counts.
        bool (*measured)(const StepStats&) = nullptr;
    };

    void buildUi();
    LineChartPanel* addPanel(const QString& title, int row, int column);
    void addChannel(LineChartPanel* panel, const QString& name, int color, double (*value)(const StepStats&),
                    bool optional = false, bool (*measured)(const StepStats&) = nullptr);
    const Channel* channel(const QString& name) const;
    void scheduleRedraw();
    void updateNote();
    void updateTitles();
    void rebuildScorePanel(const std::vector<std::string>& names);
    void placeScorePanel();
    void appendScores(int64_t step, const std::vector<LabelScore>& scores);
    void applyColors();
    void placeMarkers();

    TrainingController* m_controller = nullptr;
    std::vector<Channel> m_channels;
    std::vector<LineChartPanel*> m_panels;
    QGridLayout* m_grid = nullptr;
    PriorChartPanel* m_priorPanel = nullptr;
    LineChartPanel* m_speedPanel = nullptr;
    LineChartPanel* m_scorePanel = nullptr;
    QStringList m_scoreNames;
    int64_t m_lastScoredStep = -1;
    double m_lastScore = 0; // the last score's last entry (combined, or the only label)
    QSlider* m_smoothingSlider = nullptr;
    QLabel* m_smoothingValue = nullptr;
    QCheckBox* m_logBox = nullptr;
    QLabel* m_readout = nullptr;
    QLabel* m_noteLabel = nullptr;
    QWidget* m_compareBar = nullptr;
    QLabel* m_compareLabel = nullptr;
    QString m_comparedPath;
    QTimer m_redrawTimer;
    bool m_dirty = false;

    double m_smoothing = 0.6;
    bool m_logScale = false;
    std::vector<ChartEvent> m_events;
    std::vector<RunEvent> m_runEvents;
    std::optional<bool> m_lastFrozen;
    int64_t m_lastStep = -1;
    int64_t m_priorStartStep = -1;   // from the session, for the prior's title
    int64_t m_badPriors = 0;
    std::vector<float> m_pendingPrior; // newest P, drawn at the next redraw
    // Decayed sums over recent steps, for the speed chart's title.
    double m_recentSeconds = 0, m_recentSteps = 0, m_recentImages = 0;
};

} // namespace cgpgan::ui
