#pragma once
// Zoom, pan and hover for a view of the composed grid image, shared by the
// OpenGL and the raster canvas (grid_canvas.h): both only draw the image into
// imageRect(); everything the mouse does is handled here, through an event
// filter on the canvas widget.
//
//  - wheel (with or without Ctrl) zooms about the cursor; double-click fits;
//  - left-drag pans when the image is larger than the view;
//  - hovering a tile shows its (z, combination) caption as a tooltip and in
//    hoveredChanged().
#include "grid/grid_model.h"

#include <QObject>
#include <QPointF>
#include <QRectF>

#include <vector>
#include <QSize>

#include <optional>

class QPainter;
class QWidget;

namespace cgpgan::ui {

class GridViewport final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GridViewport)
public:
    // Watches `canvas` (its parent) for mouse, wheel and resize events.
    explicit GridViewport(QWidget* canvas);

    // The layout the shown image was composed with (its size and tiles).
    void setLayout(const GridModel& layout);
    const GridModel& layout() const { return m_layout; }
    QSize imageSize() const { return m_imageSize; }

    // Fit (the default): the largest zoom that shows the whole image, any
    // fraction, so the grid fills the view; kept on resize until zoomed or
    // panned by hand. + and - then step through the zoom levels from there.
    bool fitting() const { return m_fit; }
    double zoom() const; // effective zoom, fitting or not
    void setZoom(double zoom);
    void zoomIn();
    void zoomOut();
    void fit();
    void actualSize() { setZoom(1.0); }
    static constexpr double minZoom = 0.125;
    static constexpr double maxZoom = 32.0;

    // Where the image goes in the canvas, in logical widget coordinates
    // (integer-aligned, so nearest sampling keeps tiles crisp).
    QRectF imageRect() const;
    // The image pixel under a widget position (may be outside the image).
    QPoint toImage(QPointF widgetPos) const;
    // The tile under a widget position, from the layout.
    std::optional<GridTile> tileAtWidget(QPointF widgetPos) const;

    // What each of Q's categories means in the data's terms (issue 27, "What
    // a column means"): meanings[label][category], e.g. "ring 83%" (the true
    // class the category is matched to and its share), from the last cluster
    // assignment. Every column then gets a header naming its combination's
    // classes ("ring 83% · red 100%"), drawn over the top of the column, and
    // the hover caption says it too. Empty: no headers.
    void setMeanings(const std::vector<std::vector<QString>>& meanings);
    bool hasMeanings() const { return !m_meanings.empty(); }
    // Steering holds (issue 27) [d_l * d_c]: -1 free, else the held mass. A
    // column with an emptied category gets an "emptied" header: G is never
    // given that code in training any more, so what it draws there is left
    // over. Empty: none.
    void setHolds(const std::vector<float>& pins, int dC);
    bool isEmptied(int64_t combination) const;
    // The header of a combination ("" without meanings); compact: the class
    // names alone, for columns too narrow for the shares.
    QString header(int64_t combination, bool compact = false) const;
    // Draws the headers of the shown columns (the canvases call it last in their paint).
    void paintHeaders(QPainter& painter) const;

Q_SIGNALS:
    void changed();                            // repaint the canvas
    void zoomChanged(double zoom);
    void hoveredChanged(const QString& caption); // "" when over no tile

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void zoomAbout(double zoom, QPointF widgetPos);
    void clampCenter();
    double fitZoom() const;
    void hover(QPointF widgetPos);
    QSizeF viewSize() const;

    QWidget* m_canvas;
    GridModel m_layout;
    QSize m_imageSize;
    bool m_fit = true;
    double m_zoom = 1.0;
    QPointF m_center;          // image point at the centre of the view
    bool m_dragging = false;
    QPointF m_dragLast;
    int m_wheelDelta = 0;
    QString m_hovered;
    std::vector<std::vector<QString>> m_meanings;
    std::vector<float> m_pins; // steering holds, [d_l * d_c]
    int m_pinsDC = 0;
};

} // namespace cgpgan::ui
