#pragma once
// The prior P(C) now (SPEC 4, item 9): categories on the x axis, one bar set
// per label, and a dashed line at the uniform 1/d_c it starts from. While the
// prior is frozen the bars sit on that line; once it follows Q they drift,
// and categories Q never picks empty out.
#include "charts/chart_style.h"

#include <QChartView>
#include <QString>

#include <vector>

class QBarCategoryAxis;
class QBarSeries;
class QLineSeries;
class QValueAxis;

namespace cgpgan::ui {

class PriorChartPanel final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PriorChartPanel)
public:
    explicit PriorChartPanel(QWidget* parent = nullptr);
    ~PriorChartPanel() override;

    // Rebuilds the bars for d_l labels of d_c categories, all at 1/d_c.
    void reset(int dL, int dC);
    // prior: row-major [d_l, d_c]; ignored (false) when its size does not fit.
    bool setPrior(const std::vector<float>& prior);
    const std::vector<float>& prior() const { return m_prior; }
    int labels() const { return m_dL; }
    int categories() const { return m_dC; }

    QBarSeries* barSeries() const { return m_bars; }
    void setTitle(const QString& title);
    void setColors(const chartstyle::Colors& colors);

Q_SIGNALS:
    void hoverText(const QString& text);

private:
    void rescale();

    QBarSeries* m_bars = nullptr;
    QLineSeries* m_uniform = nullptr;
    QBarCategoryAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    chartstyle::Colors m_colors;
    std::vector<float> m_prior;
    int m_dL = 0, m_dC = 0;
};

} // namespace cgpgan::ui
