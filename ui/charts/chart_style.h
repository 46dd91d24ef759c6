#pragma once
// One look for every chart of the explorer: colours, fonts, margins, and the
// "nice" tick steps the axes snap to. Light or dark follows the widget's
// palette, so the charts match the window whichever style it runs under.
#include <QColor>
#include <QFont>

class QChart;
class QAbstractAxis;
class QLegend;
class QPalette;

namespace cgpgan::ui::chartstyle {

struct Colors {
    QColor background;   // chart background (the widget's base colour)
    QColor plotArea;
    QColor text;
    QColor mutedText;
    QColor grid;
    QColor minorGrid;
    QColor axisLine;
    QColor event;        // vertical event markers (prior follows Q)
};

bool isDark(const QPalette& palette);
Colors colors(const QPalette& palette);

// A colour-blind-friendly categorical palette (Tableau 10), cycling.
QColor seriesColor(int index);

QFont titleFont();
QFont labelFont();

// Background, title, margins and legend of a chart.
void styleChart(QChart* chart, const Colors& colors);
void styleAxis(QAbstractAxis* axis, const Colors& colors);

// The step 1, 2 or 5 times a power of ten nearest above `rough` (> 0).
double niceStep(double rough);
// Digits after the point that labels at multiples of `step` need.
int decimalsFor(double step);

} // namespace cgpgan::ui::chartstyle
