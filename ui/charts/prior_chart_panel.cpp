#include "charts/prior_chart_panel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QCursor>
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
    for (int l = 0; l < dL; ++l) {
        auto* set = new QBarSet(dL == 1 ? QStringLiteral("P(c)") : QStringLiteral("label %1").arg(l));
        set->setColor(chartstyle::seriesColor(l));
        set->setBorderColor(Qt::transparent);
        for (int k = 0; k < dC; ++k)
            set->append(uniform);
        connect(set, &QBarSet::hovered, this, [this, l](bool status, int k) {
            if (!status || k < 0 || k >= m_dC) {
                QToolTip::hideText();
                Q_EMIT hoverText(QString());
                return;
            }
            const double p = m_prior[size_t(l) * size_t(m_dC) + size_t(k)];
            const QString text = m_dL == 1
                ? QStringLiteral("category %1: P = %2").arg(k).arg(p, 0, 'f', 4)
                : QStringLiteral("label %1, category %2: P = %3").arg(l).arg(k).arg(p, 0, 'f', 4);
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
