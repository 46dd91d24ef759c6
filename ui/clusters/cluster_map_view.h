#pragma once
// The cluster map's canvas (issue 12, SPEC 7): one dot per real image at its
// 2-D position, coloured by a class per point (Q's cluster or the truth).
// Points are rasterised into a cached image, so 60000 of them redraw only when
// the data, the colours, the view or the size change; hovering, clicking and
// lasso selection go through a grid of buckets over the points.
//
// Mouse: hover shows the image under the cursor; a click picks its point; a
// drag with the left button draws a lasso that selects the points inside; the
// wheel zooms about the cursor; a drag with the right or middle button pans;
// a double click fits the view to the points.
#include <QImage>
#include <QPolygonF>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

namespace cgpgan::ui {

class ClusterMapView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterMapView)
public:
    explicit ClusterMapView(QWidget* parent = nullptr);

    // xy: [n * 2] positions; replaces the points and fits the view.
    void setPoints(std::vector<float> xy);
    // One class per point (-1: grey) and the number of classes for the palette.
    void setClasses(std::vector<int32_t> classes, int32_t classCount);
    // The image shown when hovering point i (may be null).
    void setImageSource(std::function<QImage(int64_t)> imageOf, std::function<QString(int64_t)> describe);
    // Points drawn outlined (the cluster shown in the browser, a selection).
    void setHighlighted(std::vector<int64_t> points);
    void clear();
    // What an empty map says (issue 27: it said "No map yet" while one was computed).
    void setPlaceholder(const QString& text);

    int64_t pointCount() const { return int64_t(m_xy.size() / 2); }
    const std::vector<int64_t>& selection() const { return m_selection; }
    // The point nearest to pos (widget pixels) within radius pixels, or -1.
    int64_t pointAt(QPointF pos, double radius = 6) const;
    // Points inside a polygon given in widget pixels.
    std::vector<int64_t> pointsInside(const QPolygonF& polygon) const;
    // Widget position of point i under the current view.
    QPointF toWidget(int64_t i) const;
    // Selects the points inside polygon (widget pixels), as the lasso does.
    void selectInside(const QPolygonF& polygon);
    void fitView();
    static QColor colourOf(int32_t cls, int32_t classCount);
    QSize sizeHint() const override { return {480, 360}; }
    QSize minimumSizeHint() const override { return {160, 120}; }

Q_SIGNALS:
    void pointClicked(qint64 point);
    void selectionChanged();

protected:
    // The usage tooltip only where no image is hovered: over a point it
    // covered the hover card (issue 27).
    bool event(QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    QString m_placeholder;
    void rebuildIndex();
    void render();
    void invalidate();
    QPointF toData(QPointF widget) const;
    void drawHover(class QPainter& painter);

    std::vector<float> m_xy;
    std::vector<int32_t> m_classes;
    int32_t m_classCount = 0;
    std::vector<int64_t> m_highlighted, m_selection;
    std::function<QImage(int64_t)> m_imageOf;
    std::function<QString(int64_t)> m_describe;

    // Data bounds and the view: widget = (data - m_centre) * m_scale + centre of the widget.
    QRectF m_bounds;
    QPointF m_centre;
    double m_scale = 1;

    // Buckets: a grid over m_bounds, CSR layout (start offsets, point ids).
    int m_cells = 1;
    std::vector<int32_t> m_cellStart, m_cellPoints;

    QImage m_cache;
    bool m_dirty = true;
    int64_t m_hover = -1;
    QPointF m_mouse;
    enum class Drag { None, Lasso, Pan } m_drag = Drag::None;
    QPolygonF m_lasso;
    QPointF m_pressAt;
};

} // namespace cgpgan::ui
