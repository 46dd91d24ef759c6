#include "grid/grid_raster_view.h"

#include <QPainter>

namespace cgpgan::ui {

GridRasterView::GridRasterView(QWidget* parent)
    : QWidget(parent)
    , m_viewport(new GridViewport(this))
{
    setMinimumSize(64, 64);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(m_viewport, &GridViewport::changed, this, qOverload<>(&QWidget::update));
}

void GridRasterView::setImage(const QImage& image, const GridModel& layout)
{
    m_image = image;
    m_viewport->setLayout(layout); // emits changed() -> update()
}

void GridRasterView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Window).darker(130));
    if (m_image.isNull())
        return;
    // No SmoothPixmapTransform: nearest neighbour, as the OpenGL view.
    painter.drawImage(m_viewport->imageRect(), m_image);
    m_viewport->paintHeaders(painter); // what each column means, when known
}

} // namespace cgpgan::ui
