#include "charts/chart_style.h"

#include <QAbstractAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QLegend>
#include <QPalette>

#include <algorithm>
#include <array>
#include <cmath>

namespace cgpgan::ui::chartstyle {

bool isDark(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

Colors colors(const QPalette& palette)
{
    Colors c;
    if (isDark(palette)) {
        c.background = QColor(0x23, 0x26, 0x2b);
        c.plotArea = QColor(0x1b, 0x1e, 0x22);
        c.text = QColor(0xe6, 0xe8, 0xeb);
        c.mutedText = QColor(0x9a, 0xa0, 0xa8);
        c.grid = QColor(0x3a, 0x3f, 0x46);
        c.minorGrid = QColor(0x2c, 0x30, 0x36);
        c.axisLine = QColor(0x55, 0x5b, 0x63);
        c.event = QColor(0xc0, 0xc4, 0xca);
    } else {
        c.background = QColor(0xff, 0xff, 0xff);
        c.plotArea = QColor(0xfb, 0xfb, 0xfc);
        c.text = QColor(0x24, 0x29, 0x2f);
        c.mutedText = QColor(0x6a, 0x73, 0x7d);
        c.grid = QColor(0xe3, 0xe6, 0xea);
        c.minorGrid = QColor(0xf0, 0xf2, 0xf4);
        c.axisLine = QColor(0xb8, 0xbf, 0xc6);
        c.event = QColor(0x57, 0x60, 0x6a);
    }
    return c;
}

QColor seriesColor(int index)
{
    static const std::array<QColor, 10> tableau = {
        QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
        QColor(0x59, 0xa1, 0x4f), QColor(0xb0, 0x7a, 0xa1), QColor(0x76, 0xb7, 0xb2),
        QColor(0xed, 0xc9, 0x48), QColor(0x9c, 0x75, 0x5f), QColor(0xff, 0x9d, 0xa7),
        QColor(0xba, 0xb0, 0xac)};
    return tableau[size_t(std::abs(index)) % tableau.size()];
}

QFont titleFont()
{
    QFont f;
    f.setPointSizeF(9.5);
    f.setBold(true);
    return f;
}

QFont labelFont()
{
    QFont f;
    f.setPointSizeF(8);
    return f;
}

void styleChart(QChart* chart, const Colors& colors)
{
    chart->setTheme(QChart::ChartThemeLight); // a neutral base; everything below overrides it
    chart->setBackgroundRoundness(0);
    chart->setBackgroundBrush(colors.background);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setPlotAreaBackgroundBrush(colors.plotArea);
    chart->setPlotAreaBackgroundVisible(true);
    chart->setTitleFont(titleFont());
    chart->setTitleBrush(colors.text);
    chart->setMargins(QMargins(2, 2, 6, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setAnimationOptions(QChart::NoAnimation); // data arrives many times a second

    QLegend* legend = chart->legend();
    legend->setAlignment(Qt::AlignTop);
    legend->setFont(labelFont());
    legend->setLabelColor(colors.text);
    legend->setMarkerShape(QLegend::MarkerShapeRectangle);
    legend->setBackgroundVisible(false);
    legend->setContentsMargins(0, 0, 0, 0);
}

void styleAxis(QAbstractAxis* axis, const Colors& colors)
{
    axis->setLabelsFont(labelFont());
    axis->setLabelsColor(colors.mutedText);
    axis->setTitleFont(labelFont());
    axis->setTitleBrush(colors.mutedText);
    axis->setLinePen(QPen(colors.axisLine, 1));
    axis->setGridLinePen(QPen(colors.grid, 1));
    axis->setMinorGridLinePen(QPen(colors.minorGrid, 1));
    axis->setShadesVisible(false);
}

double niceStep(double rough)
{
    if (!(rough > 0) || !std::isfinite(rough))
        return 1.0;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    const double f = rough / power;
    const double nice = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0;
    return nice * power;
}

int decimalsFor(double step)
{
    if (!(step > 0) || !std::isfinite(step))
        return 0;
    // 1e-9 keeps 0.1 (stored as 0.1000000000000000055) at one digit.
    return std::clamp(int(std::ceil(-std::log10(step) - 1e-9)), 0, 8);
}

} // namespace cgpgan::ui::chartstyle
