#pragma once
// One chart of a few logged quantities (SPEC 4, "Logged per step"). Each
// quantity keeps a bounded SeriesHistory and is drawn twice: a faint min/max
// envelope (every spike visible) and a bold smoothed line over it, the way
// TensorBoard draws raw and smoothed curves. The y axis is linear or log
// (QValueAxis <-> QLogValueAxis; log hides values <= 0), both axes rescale to
// the data, the legend toggles a quantity, hovering a line reports its value.
#include "charts/chart_style.h"
#include "charts/series_history.h"

#include <QChartView>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

class QGraphicsSimpleTextItem;
class QLegendMarker;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace cgpgan::ui {

// A vertical marker at a step, e.g. where the prior starts following Q, or
// something a person did to the run (RunEvent: a knob change, a page edit, a
// pause). label: written beside the line where the panel shows labels;
// detail: what hovering the line shows ("step 563: lr G 0.002 -> 0.001").
struct ChartEvent {
    int64_t step = 0;
    QString label;
    QString detail;
    QColor color; // invalid: the style's event colour
};

class LineChartPanel final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LineChartPanel)
public:
    explicit LineChartPanel(const QString& title, QWidget* parent = nullptr);
    ~LineChartPanel() override;

    // Adds a quantity; returns its index in this panel.
    int addSeries(const QString& name, const QColor& color, int historyCapacity);
    SeriesHistory& history(int i) { return m_series[size_t(i)]->history; }
    const SeriesHistory& history(int i) const { return m_series[size_t(i)]->history; }
    QLineSeries* envelopeSeries(int i) const { return m_series[size_t(i)]->envelope; }
    QLineSeries* smoothedSeries(int i) const { return m_series[size_t(i)]->smoothed; }
    bool isSeriesShown(int i) const { return m_series[size_t(i)]->shown; }
    // Another run's values of quantity i, drawn as a dashed line in the same
    // colour, smoothed like the main one (issue 27, "Compare runs"); its
    // steps widen the x axis. Empty points remove it.
    void setComparison(int i, const std::vector<std::pair<int64_t, double>>& points);
    // The dashed line of quantity i (null when there is none).
    QLineSeries* comparisonSeries(int i) const { return m_series[size_t(i)]->compared; }
    const SeriesHistory* comparisonHistory(int i) const { return m_series[size_t(i)]->comparison.get(); }
    void setSeriesShown(int i, bool shown);

    void setTitle(const QString& title);
    // The axes' titles (issue 27: the charts had none): x is "step" unless
    // given; y names the unit.
    void setAxisTitles(const QString& y, const QString& x = QString());
    QString yTitle() const;
    QString xTitle() const;
    void setSmoothing(double smoothing) { m_smoothing = smoothing; } // from the next redraw()
    void setLogScale(bool log);
    bool logScale() const { return m_log; }
    // Whether event labels are written next to the marker lines.
    void setEventLabelsShown(bool shown) { m_eventLabels = shown; }
    void setEvents(const std::vector<ChartEvent>& events);
    void setColors(const chartstyle::Colors& colors);

    // Empties every history and line.
    void clearData();
    // Draws the histories: one replace() per line, then the axes.
    void redraw();

    // Quantities with values <= 0, which a log axis cannot show.
    QStringList nonPositiveSeries() const;
    // "step N: name = value" for the bucket nearest `step` (with its range
    // and the smoothed value once buckets hold several steps).
    QString readout(int i, double step) const;

    // The details of the markers within a few pixels of x (a position in
    // this view), newest last; empty when none is that near. What hovering shows.
    QString eventDetailsAt(int x) const;

    // What the last paint of this chart cost, for the caller's throttle.
    double lastPaintMs() const { return m_lastPaintMs; }

Q_SIGNALS:
    // A read-out of the line under the pointer; empty when it leaves.
    void hoverText(const QString& text);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Series {
        QString name;
        QColor color;
        SeriesHistory history;
        QLineSeries* envelope = nullptr;
        QLineSeries* smoothed = nullptr;
        std::unique_ptr<SeriesHistory> comparison; // another run's values (null: none)
        QLineSeries* compared = nullptr;
        bool shown = true;
        explicit Series(int capacity) : history(capacity) {}
    };
    struct EventLine {
        ChartEvent event;
        QLineSeries* line = nullptr;
        QGraphicsSimpleTextItem* text = nullptr;
    };

    QAbstractAxis* yAxis() const;
    void attach(QLineSeries* series);
    void applyPens(Series& s);
    void styleMarker(int i);
    void setRanges(double x0, double x1, double y0, double y1);
    // Range and tick interval of a value axis, without a moment of thousands of ticks.
    static void setAxis(QValueAxis* axis, double low, double high, double interval);
    void placeEventLines();

    std::vector<std::unique_ptr<Series>> m_series;
    std::vector<EventLine> m_events;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_yLinear = nullptr;
    QLogValueAxis* m_yLog = nullptr;
    chartstyle::Colors m_colors;
    double m_smoothing = 0.6;
    bool m_log = false;
    bool m_eventLabels = false;
    double m_lastPaintMs = 0;
    bool m_showingEvent = false; // the tooltip shows a marker's details
};

} // namespace cgpgan::ui
