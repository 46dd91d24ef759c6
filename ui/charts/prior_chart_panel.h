#pragma once
// The prior P(C) now (SPEC 4, item 9): categories on the x axis, one bar set
// per label, and a dashed line at the uniform 1/d_c it starts from. While the
// prior is frozen the bars sit on that line; once it follows Q they drift,
// and categories Q never picks empty out.
//
// Steering (issue 27): a right click on a bar offers what can be done to that
// category (empty, pin, release, revive, merge, undo) as steerRequested();
// held categories carry a mark ("pinned", "emptied") above their bar.
#include "charts/chart_style.h"
#include "cgpgan/config.h"

#include <QChartView>
#include <QString>

#include <vector>

class QBarCategoryAxis;
class QBarSeries;
class QLineSeries;
class QMenu;
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

    // The steering holds [d_l * d_c] (-1 free, else the held mass); ignored
    // (false) when the size does not fit.
    bool setHolds(const std::vector<float>& pins);
    const std::vector<float>& holds() const { return m_pins; }
    // Whether the context menu offers steering (a session with a classifier).
    void setSteerable(bool on) { m_steerable = on; }
    // The steering menu of category (label, category), as the right click
    // shows it (tests read and trigger its actions). undoText: the undo
    // entry's words, empty for none. The caller owns the menu.
    QMenu* steeringMenu(int label, int category, const QString& undoText = {});
    // What Undo would take back (set by the window from its undo stack).
    void setUndoText(const QString& text) { m_undoText = text; }

    QBarSeries* barSeries() const { return m_bars; }
    void setTitle(const QString& title);
    void setColors(const chartstyle::Colors& colors);

Q_SIGNALS:
    void hoverText(const QString& text);
    void steerRequested(const cgpgan::SteerAction& action);
    // The menu's Undo entry (the window owns the undo stack).
    void undoRequested();

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
    void drawForeground(QPainter* painter, const QRectF& rect) override;

private:
    void rescale();
    float massOf(int label, int category) const { return m_prior[size_t(label) * size_t(m_dC) + size_t(category)]; }
    float holdOf(int label, int category) const;

    QBarSeries* m_bars = nullptr;
    QLineSeries* m_uniform = nullptr;
    QBarCategoryAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    chartstyle::Colors m_colors;
    std::vector<float> m_prior;
    std::vector<float> m_pins;
    int m_dL = 0, m_dC = 0;
    int m_hoverLabel = -1, m_hoverCategory = -1; // the bar under the pointer
    bool m_steerable = false;
    QString m_undoText;
};

} // namespace cgpgan::ui
