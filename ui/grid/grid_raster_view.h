#pragma once
// The grid drawn with QPainter: the fallback where OpenGL is missing
// (grid_canvas.h). Nearest sampling, so zoomed tiles stay crisp.
#include "grid/grid_canvas.h"
#include "grid/grid_viewport.h"

#include <QWidget>

namespace cgpgan::ui {

class GridRasterView final : public QWidget, public GridCanvas {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GridRasterView)
public:
    explicit GridRasterView(QWidget* parent = nullptr);

    QWidget* widget() override { return this; }
    GridViewport* viewport() override { return m_viewport; }
    void setImage(const QImage& image, const GridModel& layout) override;
    QImage image() const override { return m_image; }
    QString backendName() const override { return QStringLiteral("raster"); }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    GridViewport* m_viewport;
    QImage m_image;
};

} // namespace cgpgan::ui
