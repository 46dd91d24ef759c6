#include "charts/line_chart_panel.h"

#include <QChart>
#include <QCursor>
#include <QElapsedTimer>
#include <QGraphicsSimpleTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cgpgan::ui {

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 5);
}

} // namespace

LineChartPanel::LineChartPanel(const QString& title, QWidget* parent)
    : QChartView(new QChart, parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(220, 170);

    m_x = new QValueAxis(this);
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0);
    m_x->setRange(0, 1);
    m_yLinear = new QValueAxis(this);
    m_yLinear->setTickType(QValueAxis::TicksDynamic);
    m_yLinear->setTickAnchor(0);
    m_yLinear->setTickInterval(0.25);
    m_yLinear->setRange(0, 1);
    m_yLog = new QLogValueAxis(this);
    m_yLog->setBase(10);
    m_yLog->setLabelFormat(QStringLiteral("%g"));
    m_yLog->setMinorTickCount(8); // 2..9 between decades
    m_yLog->setRange(0.1, 1);

    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_yLinear, Qt::AlignLeft);
    setColors(chartstyle::colors(palette()));
    chart()->setTitle(title);
    connect(chart(), &QChart::plotAreaChanged, this, [this] { placeEventLines(); });
}

void LineChartPanel::setAxisTitles(const QString& y, const QString& x)
{
    m_x->setTitleText(x.isEmpty() ? tr("step") : x);
    m_yLinear->setTitleText(y);
    m_yLog->setTitleText(y.isEmpty() ? y : y + tr(" (log)"));
}

QString LineChartPanel::yTitle() const { return m_yLinear->titleText(); }
QString LineChartPanel::xTitle() const { return m_x->titleText(); }

LineChartPanel::~LineChartPanel()
{
    // The y axis not in the chart is parented to this view (see setLogScale);
    // the chart deletes the one it holds. Nothing else to do.
}

void LineChartPanel::setTitle(const QString& title)
{
    if (chart()->title() != title)
        chart()->setTitle(title);
}

void LineChartPanel::setColors(const chartstyle::Colors& colors)
{
    m_colors = colors;
    chartstyle::styleChart(chart(), colors);
    for (QAbstractAxis* a : {static_cast<QAbstractAxis*>(m_x), static_cast<QAbstractAxis*>(m_yLinear),
                             static_cast<QAbstractAxis*>(m_yLog)})
        chartstyle::styleAxis(a, colors);
    for (size_t i = 0; i < m_series.size(); ++i) {
        applyPens(*m_series[i]);
        styleMarker(int(i));
    }
    for (EventLine& e : m_events) {
        e.line->setPen(QPen(e.event.color.isValid() ? e.event.color : colors.event, 1, Qt::DashLine));
        if (e.text)
            e.text->setBrush(colors.mutedText);
    }
    setBackgroundBrush(colors.background);
}

QAbstractAxis* LineChartPanel::yAxis() const
{
    return m_log ? static_cast<QAbstractAxis*>(m_yLog) : static_cast<QAbstractAxis*>(m_yLinear);
}

void LineChartPanel::attach(QLineSeries* series)
{
    chart()->addSeries(series);
    series->attachAxis(m_x);
    series->attachAxis(yAxis());
}

void LineChartPanel::applyPens(Series& s)
{
    // The envelope is context, the smoothed line is the reading.
    QColor faint = s.color;
    faint.setAlphaF(chartstyle::isDark(palette()) ? 0.26 : 0.24);
    s.envelope->setPen(QPen(faint, 1.0));
    s.smoothed->setPen(QPen(s.color, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
}

int LineChartPanel::addSeries(const QString& name, const QColor& color, int historyCapacity)
{
    auto s = std::make_unique<Series>(historyCapacity);
    s->name = name;
    s->color = color;
    s->envelope = new QLineSeries;
    s->envelope->setName(name + QStringLiteral(" (min/max)"));
    s->smoothed = new QLineSeries;
    s->smoothed->setName(name);
    applyPens(*s);
    attach(s->envelope);
    attach(s->smoothed);

    const int index = int(m_series.size());
    auto report = [this, index](const QPointF& point, bool state) {
        if (!state) {
            QToolTip::hideText();
            Q_EMIT hoverText(QString());
            return;
        }
        const QString text = readout(index, point.x());
        QToolTip::showText(QCursor::pos(), text, this);
        Q_EMIT hoverText(text);
    };
    connect(s->envelope, &QLineSeries::hovered, this, report);
    connect(s->smoothed, &QLineSeries::hovered, this, report);
    m_series.push_back(std::move(s));

    for (QLegendMarker* m : chart()->legend()->markers(m_series.back()->smoothed))
        connect(m, &QLegendMarker::clicked, this, [this, index] { setSeriesShown(index, !isSeriesShown(index)); });
    styleMarker(index);
    // One quantity needs no legend: the title names it.
    chart()->legend()->setVisible(m_series.size() > 1);
    return index;
}

// Only the smoothed line has a legend entry; a hidden quantity's entry stays,
// dimmed, so it can be clicked back on.
void LineChartPanel::styleMarker(int i)
{
    const Series& s = *m_series[size_t(i)];
    for (QLegendMarker* m : chart()->legend()->markers(s.envelope))
        m->setVisible(false);
    for (QLegendMarker* m : chart()->legend()->markers(s.smoothed)) {
        m->setVisible(true);
        QColor c = s.color;
        QColor label = m_colors.text;
        if (!s.shown) {
            c.setAlphaF(0.25);
            label.setAlphaF(0.4);
        }
        m->setBrush(c);
        m->setPen(Qt::NoPen);
        m->setLabelBrush(label);
    }
}

void LineChartPanel::setSeriesShown(int i, bool shown)
{
    Series& s = *m_series[size_t(i)];
    s.shown = shown;
    s.envelope->setVisible(shown);
    s.smoothed->setVisible(shown);
    if (s.compared)
        s.compared->setVisible(shown);
    styleMarker(i); // hiding a series hides its marker; bring it back dimmed
    redraw();
}

void LineChartPanel::setLogScale(bool log)
{
    if (log == m_log)
        return;
    // Empty the lines first: a log axis must never see a point <= 0.
    std::vector<QLineSeries*> lines;
    for (auto& s : m_series) {
        lines.push_back(s->envelope);
        lines.push_back(s->smoothed);
        if (s->compared)
            lines.push_back(s->compared);
    }
    for (EventLine& e : m_events)
        lines.push_back(e.line);
    QAbstractAxis* from = yAxis();
    for (QLineSeries* l : lines) {
        l->clear();
        l->detachAxis(from);
    }
    chart()->removeAxis(from);
    from->setParent(this); // removeAxis gives ownership back
    m_log = log;
    QAbstractAxis* to = yAxis();
    chart()->addAxis(to, Qt::AlignLeft);
    for (QLineSeries* l : lines)
        l->attachAxis(to);
    redraw();
}

void LineChartPanel::setEvents(const std::vector<ChartEvent>& events)
{
    for (EventLine& e : m_events) {
        chart()->removeSeries(e.line);
        delete e.line;
        delete e.text;
    }
    m_events.clear();
    for (const ChartEvent& ev : events) {
        EventLine e;
        e.event = ev;
        e.line = new QLineSeries;
        e.line->setPen(QPen(ev.color.isValid() ? ev.color : m_colors.event, 1, Qt::DashLine));
        attach(e.line);
        for (QLegendMarker* m : chart()->legend()->markers(e.line))
            m->setVisible(false);
        if (m_eventLabels && !ev.label.isEmpty()) {
            e.text = new QGraphicsSimpleTextItem(ev.label, chart());
            e.text->setFont(chartstyle::labelFont());
            e.text->setBrush(m_colors.mutedText);
            e.text->setZValue(10);
        }
        m_events.push_back(e);
    }
    placeEventLines();
}

void LineChartPanel::clearData()
{
    for (auto& s : m_series) {
        s->history.clear();
        s->envelope->clear();
        s->smoothed->clear();
    }
    setEvents({});
    redraw();
}

void LineChartPanel::redraw()
{
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0;
    double y0 = x0, y1 = -x0;
    // About one bucket per pixel column: more points would only cost time.
    const int width = int(chart()->plotArea().width());
    const int maxBuckets = width > 16 ? width : 0;
    for (auto& s : m_series) {
        const QList<QPointF> env = s->history.envelope(m_log, maxBuckets);
        const QList<QPointF> smooth = s->history.smoothed(m_smoothing, m_log, maxBuckets);
        if (s->shown && !s->history.empty()) {
            x0 = std::min(x0, double(s->history.firstStep()));
            x1 = std::max(x1, double(s->history.lastStep()));
            for (const QPointF& p : env) { // the envelope holds every bucket's extremes
                y0 = std::min(y0, p.y());
                y1 = std::max(y1, p.y());
            }
        }
        s->envelope->replace(env);
        s->smoothed->replace(smooth);
        if (s->compared) {
            // The other run's smoothed line; the y range follows it (not its
            // spikes), so it never squeezes this run's curve flat.
            const QList<QPointF> other = s->comparison->smoothed(m_smoothing, m_log, maxBuckets);
            if (s->shown && !s->comparison->empty()) {
                x0 = std::min(x0, double(s->comparison->firstStep()));
                x1 = std::max(x1, double(s->comparison->lastStep()));
                for (const QPointF& p : other) {
                    y0 = std::min(y0, p.y());
                    y1 = std::max(y1, p.y());
                }
            }
            s->compared->replace(other);
        }
    }
    setRanges(x0, x1, y0, y1);
    placeEventLines();
}

void LineChartPanel::setAxis(QValueAxis* axis, double low, double high, double interval)
{
    if (axis->min() == low && axis->max() == high && axis->tickInterval() == interval)
        return;
    const double widest = std::max({std::abs(high - low), std::abs(axis->max() - axis->min()), interval, 1.0});
    axis->setTickInterval(widest); // at most a few ticks, whatever the range
    axis->setRange(low, high);
    axis->setTickInterval(interval);
}

void LineChartPanel::setRanges(double x0, double x1, double y0, double y1)
{
    if (!(x0 <= x1)) { // nothing to show
        x0 = 0;
        x1 = 1;
    }
    if (x1 - x0 < 1) // one step: give it some room
        x1 = x0 + 1;
    // A QValueAxis with dynamic ticks lays out every tick between its ends
    // as soon as its range or interval changes: setting a range of 20000
    // steps while the interval is still that of a range of 1 made 20000 tick
    // items, and back-and-forth changes of that size froze the window
    // (seen on a reopened MNIST run). So the interval goes wide first, then
    // the range, then the interval it should have.
    setAxis(m_x, x0, x1, std::max(1.0, chartstyle::niceStep((x1 - x0) / 5.0)));

    if (m_log) {
        if (!(y0 <= y1)) {
            y0 = 0.1;
            y1 = 1;
        }
        // Whole decades, so the axis always has labelled ticks.
        const double lo = std::pow(10.0, std::floor(std::log10(y0)));
        double hi = std::pow(10.0, std::ceil(std::log10(y1)));
        if (hi <= lo)
            hi = lo * 10;
        m_yLog->setRange(lo, hi);
        return;
    }
    if (!(y0 <= y1)) {
        y0 = 0;
        y1 = 1;
    }
    // Tight to the data (plus a little air), ticks at nice multiples: no
    // space lost to rounding the range out to whole ticks.
    const bool nonNegative = y0 >= 0;
    double span = y1 - y0;
    if (span <= 1e-12 * std::max(1.0, std::abs(y1))) { // a constant (e.g. cls in vanilla mode)
        span = std::max(std::abs(y1) * 0.2, 1e-3);
        y0 -= span / 2;
        y1 += span / 2;
    } else {
        y0 -= 0.05 * span;
        y1 += 0.05 * span;
    }
    if (nonNegative)
        y0 = std::max(y0, 0.0);
    const double step = chartstyle::niceStep((y1 - y0) / 4.0);
    setAxis(m_yLinear, y0, y1, step);
    m_yLinear->setLabelFormat(QStringLiteral("%.") + QString::number(chartstyle::decimalsFor(step)) +
                              QStringLiteral("f"));
}

// Vertical lines span the current y range; labels sit at their top.
void LineChartPanel::placeEventLines()
{
    if (m_events.empty())
        return;
    double lo = 0, hi = 1;
    if (m_log) {
        lo = m_yLog->min();
        hi = m_yLog->max();
    } else {
        lo = m_yLinear->min();
        hi = m_yLinear->max();
    }
    const double x0 = m_x->min(), x1 = m_x->max();
    for (EventLine& e : m_events) {
        const double x = double(e.event.step);
        const bool inside = x >= x0 && x <= x1;
        if (inside)
            e.line->replace(QList<QPointF>{QPointF(x, lo), QPointF(x, hi)});
        else
            e.line->clear();
        if (e.text) {
            e.text->setVisible(inside);
            if (inside) {
                const QPointF top = chart()->mapToPosition(QPointF(x, hi), e.line);
                const QRectF r = e.text->boundingRect();
                // Left of the line when it is near the right edge.
                const double plotRight = chart()->plotArea().right();
                const double left = top.x() + 4 + r.width() > plotRight ? top.x() - 4 - r.width() : top.x() + 4;
                e.text->setPos(left, top.y() + 2);
            }
        }
    }
}

void LineChartPanel::paintEvent(QPaintEvent* event)
{
    QElapsedTimer timer;
    timer.start();
    QChartView::paintEvent(event);
    m_lastPaintMs = double(timer.nsecsElapsed()) * 1e-6;
}

void LineChartPanel::setComparison(int i, const std::vector<std::pair<int64_t, double>>& points)
{
    Series& s = *m_series[size_t(i)];
    if (points.empty()) {
        if (s.compared) {
            chart()->removeSeries(s.compared);
            delete s.compared;
            s.compared = nullptr;
        }
        s.comparison.reset();
        return;
    }
    s.comparison = std::make_unique<SeriesHistory>(s.history.capacity());
    for (const auto& [step, value] : points)
        s.comparison->append(step, value);
    if (!s.compared) {
        s.compared = new QLineSeries;
        s.compared->setName(s.name + tr(" (compared run)"));
        QColor color = s.color;
        color.setAlphaF(0.85);
        s.compared->setPen(QPen(color, 1.6, Qt::DashLine, Qt::RoundCap, Qt::RoundJoin));
        attach(s.compared);
        for (QLegendMarker* m : chart()->legend()->markers(s.compared))
            m->setVisible(false); // the charts' header names the compared run
        s.compared->setVisible(s.shown);
        connect(s.compared, &QLineSeries::hovered, this, [this, i](const QPointF& point, bool state) {
            if (!state) {
                QToolTip::hideText();
                Q_EMIT hoverText(QString());
                return;
            }
            const Series& hovered = *m_series[size_t(i)];
            const SeriesHistory::Bucket* near = hovered.comparison ? hovered.comparison->bucketAt(point.x()) : nullptr;
            if (!near)
                return;
            const QString text = tr("compared run, step %1: %2 = %3")
                                     .arg(near->lastStep)
                                     .arg(hovered.name, number(near->mean()));
            QToolTip::showText(QCursor::pos(), text, this);
            Q_EMIT hoverText(text);
        });
    }
}

QString LineChartPanel::eventDetailsAt(int x) const
{
    constexpr double kReach = 4; // pixels either side of a marker
    QStringList details;
    const double x0 = m_x->min(), x1 = m_x->max();
    for (const EventLine& e : m_events) {
        const double step = double(e.event.step);
        if (e.event.detail.isEmpty() || step < x0 || step > x1 || m_series.empty())
            continue;
        const QPointF at = chart()->mapToPosition(QPointF(step, 0), m_series.front()->smoothed);
        if (std::abs(mapFromScene(at).x() - x) <= kReach)
            details << e.event.detail;
    }
    return details.join(QLatin1Char('\n'));
}

void LineChartPanel::mouseMoveEvent(QMouseEvent* event)
{
    QChartView::mouseMoveEvent(event);
    // Markers are thin lines: they are found by the pointer's x, not hovered.
    const QString details = eventDetailsAt(int(event->position().x()));
    if (!details.isEmpty()) {
        QToolTip::showText(event->globalPosition().toPoint(), details, this);
        Q_EMIT hoverText(details);
        m_showingEvent = true;
    } else if (m_showingEvent) {
        QToolTip::hideText();
        Q_EMIT hoverText(QString());
        m_showingEvent = false;
    }
}

void LineChartPanel::leaveEvent(QEvent* event)
{
    QChartView::leaveEvent(event);
    if (m_showingEvent) {
        QToolTip::hideText();
        Q_EMIT hoverText(QString());
        m_showingEvent = false;
    }
}

QStringList LineChartPanel::nonPositiveSeries() const
{
    QStringList names;
    for (const auto& s : m_series)
        if (!s->history.empty() && s->history.min() <= 0)
            names << s->name;
    return names;
}

QString LineChartPanel::readout(int i, double step) const
{
    const Series& s = *m_series[size_t(i)];
    const SeriesHistory::Bucket* b = s.history.bucketAt(step);
    if (!b)
        return QString();
    if (b->count == 1) {
        QString text = QStringLiteral("step %1: %2 = %3").arg(b->firstStep).arg(s.name, number(b->mean()));
        if (m_smoothing > 0)
            text += QStringLiteral(", smoothed %1").arg(number(s.history.smoothedAt(step, m_smoothing)));
        return text;
    }
    return QStringLiteral("steps %1-%2: %3 = %4 (min %5, max %6), smoothed %7")
        .arg(b->firstStep)
        .arg(b->lastStep)
        .arg(s.name, number(b->mean()), number(b->min), number(b->max),
             number(s.history.smoothedAt(step, m_smoothing)));
}

} // namespace cgpgan::ui
