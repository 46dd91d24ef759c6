#include "charts/prior_chart_panel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QContextMenuEvent>
#include <QCursor>
#include <QMenu>
#include <QPainter>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace cgpgan::ui {

PriorChartPanel::PriorChartPanel(QWidget* parent)
    : QChartView(new QChart, parent)
{
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(220, 170);

    m_bars = new QBarSeries;
    m_bars->setBarWidth(0.82);
    m_uniform = new QLineSeries;
    m_uniform->setName(QStringLiteral("uniform"));
    m_x = new QBarCategoryAxis(this);
    m_x->setTitleText(QStringLiteral("category"));
    m_y = new QValueAxis(this);
    m_y->setTitleText(QStringLiteral("P(c)"));
    m_y->setRange(0, 1);

    chart()->addSeries(m_bars);
    chart()->addSeries(m_uniform);
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_bars->attachAxis(m_x);
    m_bars->attachAxis(m_y);
    m_uniform->attachAxis(m_x);
    m_uniform->attachAxis(m_y);
    chart()->setTitle(QStringLiteral("Prior P(c)"));
    setColors(chartstyle::colors(palette()));
    reset(1, 1);
}

PriorChartPanel::~PriorChartPanel() = default;

void PriorChartPanel::setTitle(const QString& title)
{
    if (chart()->title() != title)
        chart()->setTitle(title);
}

void PriorChartPanel::setColors(const chartstyle::Colors& colors)
{
    m_colors = colors;
    chartstyle::styleChart(chart(), colors);
    chartstyle::styleAxis(m_x, colors);
    chartstyle::styleAxis(m_y, colors);
    m_x->setGridLineVisible(false);
    m_uniform->setPen(QPen(colors.event, 1.2, Qt::DashLine));
    const auto sets = m_bars->barSets();
    for (int l = 0; l < sets.size(); ++l) {
        sets[l]->setColor(chartstyle::seriesColor(l));
        sets[l]->setBorderColor(Qt::transparent);
    }
    setBackgroundBrush(colors.background);
}

void PriorChartPanel::reset(int dL, int dC)
{
    dL = std::max(1, dL);
    dC = std::max(1, dC);
    m_dL = dL;
    m_dC = dC;
    m_bars->clear(); // deletes the old sets
    m_x->clear();
    QStringList categories;
    for (int k = 0; k < dC; ++k)
        categories << QString::number(k);
    m_x->append(categories);

    const double uniform = 1.0 / dC;
    m_prior.assign(size_t(dL) * size_t(dC), float(uniform));
    m_pins.assign(size_t(dL) * size_t(dC), -1.0f);
    m_hoverLabel = m_hoverCategory = -1;
    for (int l = 0; l < dL; ++l) {
        auto* set = new QBarSet(dL == 1 ? QStringLiteral("P(c)") : QStringLiteral("label %1").arg(l));
        set->setColor(chartstyle::seriesColor(l));
        set->setBorderColor(Qt::transparent);
        for (int k = 0; k < dC; ++k)
            set->append(uniform);
        connect(set, &QBarSet::hovered, this, [this, l](bool status, int k) {
            if (status && k >= 0 && k < m_dC) {
                m_hoverLabel = l;
                m_hoverCategory = k;
            }
            if (!status || k < 0 || k >= m_dC) {
                QToolTip::hideText();
                Q_EMIT hoverText(QString());
                return;
            }
            const double p = m_prior[size_t(l) * size_t(m_dC) + size_t(k)];
            const float hold = holdOf(l, k);
            const QString held = hold == 0 ? tr(", emptied") : hold > 0 ? tr(", pinned") : QString();
            const QString hint = m_steerable ? tr(" (right click to steer)") : QString();
            const QString text = (m_dL == 1
                ? QStringLiteral("category %1: P = %2").arg(k).arg(p, 0, 'f', 4)
                : QStringLiteral("label %1, category %2: P = %3").arg(l).arg(k).arg(p, 0, 'f', 4)) + held + hint;
            QToolTip::showText(QCursor::pos(), text, this);
            Q_EMIT hoverText(text);
        });
        m_bars->append(set);
    }
    // Category k spans k-0.5 .. k+0.5 on a category axis.
    m_uniform->replace(QList<QPointF>{QPointF(-0.5, uniform), QPointF(dC - 0.5, uniform)});

    // A legend of many labels would crowd the chart; the read-out names them.
    chart()->legend()->setVisible(dL > 1 && dL <= 8);
    for (QLegendMarker* m : chart()->legend()->markers(m_uniform))
        m->setVisible(false);
    rescale();
}

bool PriorChartPanel::setPrior(const std::vector<float>& prior)
{
    if (prior.size() != size_t(m_dL) * size_t(m_dC))
        return false;
    if (prior == m_prior)
        return true;
    m_prior = prior;
    const auto sets = m_bars->barSets();
    for (int l = 0; l < m_dL && l < sets.size(); ++l)
        for (int k = 0; k < m_dC; ++k) {
            const double p = m_prior[size_t(l) * size_t(m_dC) + size_t(k)];
            if (sets[l]->at(k) != p)
                sets[l]->replace(k, std::isfinite(p) ? p : 0.0);
        }
    rescale();
    return true;
}

float PriorChartPanel::holdOf(int label, int category) const
{
    const size_t i = size_t(label) * size_t(m_dC) + size_t(category);
    return i < m_pins.size() ? m_pins[i] : -1.0f;
}

bool PriorChartPanel::setHolds(const std::vector<float>& pins)
{
    if (pins.size() != size_t(m_dL) * size_t(m_dC))
        return false;
    if (pins != m_pins) {
        m_pins = pins;
        viewport()->update();
    }
    return true;
}

QMenu* PriorChartPanel::steeringMenu(int l, int k, const QString& undoText)
{
    auto* menu = new QMenu(this);
    const auto make = [&](SteerKind kind, int other = -1) { return SteerAction::of(kind, l, k, other); };
    const auto offer = [&](QMenu* into, const QString& text, const SteerAction& a, const QString& tip) {
        QAction* act = into->addAction(text);
        act->setToolTip(tip);
        act->setData(QString::fromStdString(describeSteer(a)));
        connect(act, &QAction::triggered, this, [this, a] { Q_EMIT steerRequested(a); });
        return act;
    };
    const float mass = massOf(l, k), hold = holdOf(l, k);
    const bool emptied = hold == 0;
    const bool alive = !emptied && mass >= 0.01f;
    const QString name = m_dL == 1 ? tr("Category %1").arg(k) : tr("Label %1, category %2").arg(l).arg(k);
    const QString title = QStringLiteral("%1: P = %2%3")
                              .arg(name)
                              .arg(double(mass), 0, 'f', 3)
                              .arg(emptied ? tr(", emptied") : hold > 0 ? tr(", pinned") : QString());
    menu->addSection(title);
    // A section's text is cut to the entries' width: the menu is made wide enough for it.
    menu->setMinimumWidth(menu->fontMetrics().horizontalAdvance(title) + 48);
    if (!emptied)
        offer(menu, tr("Empty it"), make(SteerKind::Empty),
              tr("Its mass to zero: G stops drawing it and its images go to their next most likely category"));
    if (alive && hold < 0)
        offer(menu, tr("Pin its mass at %1").arg(double(mass), 0, 'f', 3), make(SteerKind::Pin),
              tr("Hold it at this mass while the other categories follow Q"));
    if (hold >= 0)
        offer(menu, tr("Release (follow Q again)"), make(SteerKind::Release),
              tr("No longer held: its mass follows Q from where it is"));
    if (!alive) {
        QMenu* revive = menu->addMenu(tr("Revive"));
        offer(revive, tr("With a fresh page"), make(SteerKind::Revive),
              tr("A new random page, and an equal share of the mass"));
        for (int j = 0; j < m_dC; ++j)
            if (j != k && holdOf(l, j) != 0)
                offer(revive, tr("With a copy of page %1").arg(j), make(SteerKind::Revive, j),
                      tr("Page %1 plus 5 % noise, so the two can part").arg(j));
    }
    if (!emptied) {
        QMenu* merge = menu->addMenu(tr("Merge into"));
        for (int j = 0; j < m_dC; ++j)
            if (j != k && holdOf(l, j) != 0)
                offer(merge, tr("Category %1").arg(j), make(SteerKind::Merge, j),
                      tr("Its mass goes to category %1, whose page is kept; this one is emptied").arg(j));
        merge->setEnabled(!merge->isEmpty());
    }
    menu->setToolTipsVisible(true);
    if (!undoText.isEmpty()) {
        menu->addSeparator();
        QAction* undo = menu->addAction(tr("Undo %1").arg(undoText));
        connect(undo, &QAction::triggered, this, &PriorChartPanel::undoRequested);
    }
    return menu;
}

void PriorChartPanel::contextMenuEvent(QContextMenuEvent* event)
{
    if (!m_steerable || m_hoverLabel < 0 || m_hoverCategory < 0 || m_hoverCategory >= m_dC || m_hoverLabel >= m_dL) {
        QChartView::contextMenuEvent(event);
        return;
    }
    QMenu* menu = steeringMenu(m_hoverLabel, m_hoverCategory, m_undoText);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos());
    event->accept();
}

// Holds drawn over their bars: "pinned" above a pinned bar, a cross on the
// axis where an emptied one would be.
void PriorChartPanel::drawForeground(QPainter* painter, const QRectF& rect)
{
    QChartView::drawForeground(painter, rect);
    bool any = false;
    for (float h : m_pins)
        any = any || h >= 0;
    if (!any)
        return;
    painter->save();
    QFont font = painter->font();
    font.setPointSizeF(std::max(6.0, font.pointSizeF() * 0.8));
    painter->setFont(font);
    const double group = m_bars->barWidth();
    for (int l = 0; l < m_dL; ++l)
        for (int k = 0; k < m_dC; ++k) {
            const float h = holdOf(l, k);
            if (h < 0)
                continue;
            const double x = k - group / 2 + (l + 0.5) * group / m_dL;
            const QPointF top = chart()->mapToPosition(QPointF(x, std::max(0.0f, massOf(l, k))), m_bars);
            const QPointF scene = chart()->mapToScene(top);
            painter->setPen(QPen(h == 0 ? m_colors.text : chartstyle::seriesColor(l), 1.5));
            const QString mark = h == 0 ? QStringLiteral("\u2715") : tr("pin");
            const QRectF box(scene.x() - 20, scene.y() - 16, 40, 14);
            painter->drawText(box, Qt::AlignCenter, mark);
        }
    painter->restore();
}

// Up to the largest mass (never below a bit over uniform), in nice steps so
// the axis does not twitch with every update.
void PriorChartPanel::rescale()
{
    double top = 1.0 / m_dC;
    for (float p : m_prior)
        if (std::isfinite(p))
            top = std::max(top, double(p));
    top = std::min(1.0, top * 1.08);
    const double step = chartstyle::niceStep(top / 4.0);
    const double hi = std::min(1.0, std::ceil(top / step) * step);
    m_y->setRange(0, hi);
    m_y->setTickCount(std::clamp(int(std::lround(hi / step)) + 1, 2, 12));
    m_y->setLabelFormat(QStringLiteral("%.") + QString::number(chartstyle::decimalsFor(step)) + QStringLiteral("f"));
}

} // namespace cgpgan::ui
