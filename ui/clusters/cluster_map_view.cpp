#include "clusters/cluster_map_view.h"

#include <QEvent>
#include <QToolTip>

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cgpgan::ui {
namespace {

constexpr double kMargin = 12;     // pixels between the points and the edge when fitted
constexpr double kClickSlack = 4;  // a press and release closer than this is a click
constexpr int kPreviewPixels = 96; // the hovered image's side

} // namespace

ClusterMapView::ClusterMapView(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::ClickFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setToolTip(tr("Hover: the image under the cursor. Click: show its cluster in the browser. "
                  "Drag: lasso a selection. Wheel: zoom. Right or middle drag: pan. Double click: fit."));
}

bool ClusterMapView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip && m_hover >= 0) {
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

QColor ClusterMapView::colourOf(int32_t cls, int32_t classCount)
{
    // Up to 10: a qualitative palette (Tableau 10); beyond, hues spaced by the golden angle.
    static const QRgb kPalette[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                    0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0x79706e};
    if (cls < 0)
        return QColor(190, 190, 190);
    if (classCount <= 10)
        return QColor(kPalette[cls % 10]);
    const double hue = std::fmod(double(cls) * 0.618033988749895, 1.0);
    return QColor::fromHsvF(float(hue), 0.75f, cls % 2 == 0 ? 0.85f : 0.6f);
}

void ClusterMapView::setPoints(std::vector<float> xy)
{
    m_xy = std::move(xy);
    m_selection.clear();
    m_highlighted.clear();
    m_hover = -1;
    if (m_classes.size() != m_xy.size() / 2)
        m_classes.assign(m_xy.size() / 2, -1);
    double left = std::numeric_limits<double>::max(), top = left;
    double right = std::numeric_limits<double>::lowest(), bottom = right;
    for (size_t i = 0; i + 1 < m_xy.size(); i += 2) {
        left = std::min(left, double(m_xy[i]));
        right = std::max(right, double(m_xy[i]));
        top = std::min(top, double(m_xy[i + 1]));
        bottom = std::max(bottom, double(m_xy[i + 1]));
    }
    if (m_xy.empty())
        left = top = 0, right = bottom = 1;
    // A degenerate axis (all points on a line) gets a unit width.
    if (right - left < 1e-12)
        left -= 0.5, right += 0.5;
    if (bottom - top < 1e-12)
        top -= 0.5, bottom += 0.5;
    m_bounds = QRectF(QPointF(left, top), QPointF(right, bottom));
    rebuildIndex();
    fitView();
    Q_EMIT selectionChanged();
}

void ClusterMapView::setClasses(std::vector<int32_t> classes, int32_t classCount)
{
    m_classes = std::move(classes);
    m_classes.resize(m_xy.size() / 2, -1);
    m_classCount = classCount;
    invalidate();
}

void ClusterMapView::setImageSource(std::function<QImage(int64_t)> imageOf, std::function<QString(int64_t)> describe)
{
    m_imageOf = std::move(imageOf);
    m_describe = std::move(describe);
}

void ClusterMapView::setHighlighted(std::vector<int64_t> points)
{
    m_highlighted = std::move(points);
    invalidate();
}

void ClusterMapView::clear()
{
    m_classes.clear();
    setPoints({});
}

void ClusterMapView::rebuildIndex()
{
    const int64_t n = pointCount();
    m_cells = int(std::clamp<double>(std::sqrt(double(n) / 4.0), 1.0, 512.0));
    const auto cellOf = [this](int64_t i) {
        const auto axis = [this](double v, double low, double span) {
            return std::clamp(int((v - low) / span * m_cells), 0, m_cells - 1);
        };
        return axis(m_xy[size_t(2 * i + 1)], m_bounds.top(), m_bounds.height()) * m_cells +
               axis(m_xy[size_t(2 * i)], m_bounds.left(), m_bounds.width());
    };
    m_cellStart.assign(size_t(m_cells * m_cells + 1), 0);
    for (int64_t i = 0; i < n; ++i)
        ++m_cellStart[size_t(cellOf(i) + 1)];
    for (size_t c = 1; c < m_cellStart.size(); ++c)
        m_cellStart[c] += m_cellStart[c - 1];
    m_cellPoints.assign(size_t(n), 0);
    std::vector<int32_t> fill(m_cellStart.begin(), m_cellStart.end() - 1);
    for (int64_t i = 0; i < n; ++i)
        m_cellPoints[size_t(fill[size_t(cellOf(i))]++)] = int32_t(i);
}

void ClusterMapView::fitView()
{
    m_centre = m_bounds.center();
    const double w = std::max(1.0, width() - 2 * kMargin), h = std::max(1.0, height() - 2 * kMargin);
    m_scale = std::min(w / m_bounds.width(), h / m_bounds.height());
    invalidate();
}

QPointF ClusterMapView::toWidget(int64_t i) const
{
    const QPointF data(m_xy[size_t(2 * i)], m_xy[size_t(2 * i + 1)]);
    return (data - m_centre) * m_scale + QPointF(width() / 2.0, height() / 2.0);
}

QPointF ClusterMapView::toData(QPointF widget) const
{
    return (widget - QPointF(width() / 2.0, height() / 2.0)) / m_scale + m_centre;
}

namespace {
// The inclusive range of bucket indices covering [low, high] on one axis.
std::pair<int, int> cellRange(double low, double high, double origin, double span, int cells)
{
    const auto at = [&](double v) { return std::clamp(int(std::floor((v - origin) / span * cells)), 0, cells - 1); };
    return {at(low), at(high)};
}
} // namespace

int64_t ClusterMapView::pointAt(QPointF pos, double radius) const
{
    if (m_xy.empty())
        return -1;
    const QPointF a = toData(pos - QPointF(radius, radius)), b = toData(pos + QPointF(radius, radius));
    const auto [x0, x1] = cellRange(a.x(), b.x(), m_bounds.left(), m_bounds.width(), m_cells);
    const auto [y0, y1] = cellRange(a.y(), b.y(), m_bounds.top(), m_bounds.height(), m_cells);
    int64_t best = -1;
    double bestDistance = radius * radius;
    for (int cy = y0; cy <= y1; ++cy)
        for (int cx = x0; cx <= x1; ++cx) {
            const int cell = cy * m_cells + cx;
            for (int32_t k = m_cellStart[size_t(cell)]; k < m_cellStart[size_t(cell) + 1]; ++k) {
                const int64_t i = m_cellPoints[size_t(k)];
                const QPointF d = toWidget(i) - pos;
                const double distance = d.x() * d.x() + d.y() * d.y();
                if (distance <= bestDistance) {
                    bestDistance = distance;
                    best = i;
                }
            }
        }
    return best;
}

std::vector<int64_t> ClusterMapView::pointsInside(const QPolygonF& polygon) const
{
    std::vector<int64_t> inside;
    if (m_xy.empty() || polygon.size() < 3)
        return inside;
    const QRectF box = polygon.boundingRect();
    const QPointF a = toData(box.topLeft()), b = toData(box.bottomRight());
    const auto [x0, x1] = cellRange(a.x(), b.x(), m_bounds.left(), m_bounds.width(), m_cells);
    const auto [y0, y1] = cellRange(a.y(), b.y(), m_bounds.top(), m_bounds.height(), m_cells);
    for (int cy = y0; cy <= y1; ++cy)
        for (int cx = x0; cx <= x1; ++cx) {
            const int cell = cy * m_cells + cx;
            for (int32_t k = m_cellStart[size_t(cell)]; k < m_cellStart[size_t(cell) + 1]; ++k) {
                const QPointF p = toWidget(m_cellPoints[size_t(k)]);
                if (box.contains(p) && polygon.containsPoint(p, Qt::OddEvenFill))
                    inside.push_back(m_cellPoints[size_t(k)]);
            }
        }
    std::sort(inside.begin(), inside.end());
    return inside;
}

void ClusterMapView::selectInside(const QPolygonF& polygon)
{
    m_selection = pointsInside(polygon);
    invalidate();
    Q_EMIT selectionChanged();
}

void ClusterMapView::invalidate()
{
    m_dirty = true;
    update();
}

void ClusterMapView::render()
{
    const qreal ratio = devicePixelRatioF();
    const QSize size = (QSizeF(this->size()) * ratio).toSize();
    if (m_cache.size() != size)
        m_cache = QImage(size, QImage::Format_RGB32);
    m_cache.setDevicePixelRatio(ratio);
    m_cache.fill(palette().color(QPalette::Base));
    const int64_t n = pointCount();
    // Dots shrink as points grow in number, so dense regions stay readable.
    const int dot = int(std::lround((n > 20000 ? 2 : n > 4000 ? 3 : 5) * ratio));
    const int w = m_cache.width(), h = m_cache.height();
    const auto stamp = [&](int64_t i, QRgb colour, int side) {
        const QPointF p = toWidget(i) * ratio;
        const int x0 = int(std::lround(p.x())) - side / 2, y0 = int(std::lround(p.y())) - side / 2;
        for (int y = std::max(0, y0); y < std::min(h, y0 + side); ++y) {
            auto* line = reinterpret_cast<QRgb*>(m_cache.scanLine(y));
            for (int x = std::max(0, x0); x < std::min(w, x0 + side); ++x)
                line[x] = colour;
        }
    };
    std::vector<QRgb> colours(size_t(std::max(m_classCount, 0)) + 1);
    for (int32_t c = -1; c < m_classCount; ++c)
        colours[size_t(c + 1)] = colourOf(c, m_classCount).rgb();
    const auto colourAt = [&](int64_t i) {
        const int32_t c = m_classes[size_t(i)];
        return colours[size_t(c >= -1 && c < m_classCount ? c + 1 : 0)];
    };
    for (int64_t i = 0; i < n; ++i)
        stamp(i, colourAt(i), dot);
    // Outlined points on top: the browser's cluster, then the selection.
    for (const auto* set : {&m_highlighted, &m_selection}) {
        const QRgb ring = set == &m_selection ? qRgb(0, 0, 0) : qRgb(90, 90, 90);
        for (int64_t i : *set)
            if (i >= 0 && i < n)
                stamp(i, ring, dot + 2 * int(std::ceil(ratio)));
        for (int64_t i : *set)
            if (i >= 0 && i < n)
                stamp(i, colourAt(i), dot);
    }
    m_dirty = false;
}

void ClusterMapView::setPlaceholder(const QString& text)
{
    if (text != m_placeholder) {
        m_placeholder = text;
        update();
    }
}

void ClusterMapView::paintEvent(QPaintEvent*)
{
    if (m_dirty || m_cache.size() != (QSizeF(size()) * devicePixelRatioF()).toSize())
        render();
    QPainter painter(this);
    painter.drawImage(0, 0, m_cache);
    if (m_xy.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         m_placeholder.isEmpty() ? tr("No map yet: choose a method and press Compute.")
                                                 : m_placeholder);
        return;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    if (m_drag == Drag::Lasso && m_lasso.size() > 1) {
        painter.setPen(QPen(palette().color(QPalette::Highlight), 1.5, Qt::DashLine));
        painter.setBrush(QColor(0, 120, 215, 30));
        painter.drawPolygon(m_lasso);
    }
    drawHover(painter);
}

void ClusterMapView::drawHover(QPainter& painter)
{
    if (m_hover < 0 || m_hover >= pointCount())
        return;
    const QPointF at = toWidget(m_hover);
    painter.setPen(QPen(Qt::black, 2));
    painter.setBrush(Qt::NoBrush);
    painter.drawEllipse(at, 6, 6);
    const QImage image = m_imageOf ? m_imageOf(m_hover) : QImage();
    const QString text = m_describe ? m_describe(m_hover) : QString();
    const QFontMetrics metrics(font());
    const QRect textBox = metrics.boundingRect(QRect(0, 0, 220, 200), Qt::TextWordWrap, text);
    const int pad = 6;
    const int imageSide = image.isNull() ? 0 : kPreviewPixels;
    QSize box(std::max(imageSide, textBox.width()) + 2 * pad, imageSide + textBox.height() + 2 * pad + (imageSide ? pad : 0));
    // Beside the cursor, kept inside the widget.
    QPoint origin = (at + QPointF(14, 14)).toPoint();
    if (origin.x() + box.width() > width())
        origin.setX(int(at.x()) - 14 - box.width());
    if (origin.y() + box.height() > height())
        origin.setY(int(at.y()) - 14 - box.height());
    origin.setX(std::max(0, origin.x()));
    origin.setY(std::max(0, origin.y()));
    const QRect frame(origin, box);
    painter.setPen(palette().color(QPalette::Mid));
    painter.setBrush(palette().color(QPalette::ToolTipBase));
    painter.drawRoundedRect(frame, 4, 4);
    if (imageSide) {
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false); // crisp pixels
        painter.drawImage(QRect(origin + QPoint(pad, pad), QSize(imageSide, imageSide)), image);
    }
    painter.setPen(palette().color(QPalette::ToolTipText));
    painter.drawText(QRect(origin + QPoint(pad, pad + imageSide + (imageSide ? pad : 0)), textBox.size()),
                     Qt::TextWordWrap, text);
}

void ClusterMapView::resizeEvent(QResizeEvent*)
{
    fitView();
}

void ClusterMapView::mousePressEvent(QMouseEvent* event)
{
    m_pressAt = m_mouse = event->position();
    if (event->button() == Qt::LeftButton) {
        m_drag = Drag::Lasso;
        m_lasso = QPolygonF{m_pressAt};
    } else if (event->button() == Qt::RightButton || event->button() == Qt::MiddleButton) {
        m_drag = Drag::Pan;
        setCursor(Qt::ClosedHandCursor);
    }
}

void ClusterMapView::mouseMoveEvent(QMouseEvent* event)
{
    const QPointF pos = event->position();
    if (m_drag == Drag::Pan) {
        m_centre -= (pos - m_mouse) / m_scale;
        invalidate();
    } else if (m_drag == Drag::Lasso) {
        m_lasso << pos;
        update();
    }
    m_mouse = pos;
    const int64_t hover = m_drag == Drag::None ? pointAt(pos) : -1;
    if (hover != m_hover) {
        m_hover = hover;
        update();
    }
}

void ClusterMapView::mouseReleaseEvent(QMouseEvent* event)
{
    const Drag drag = m_drag;
    m_drag = Drag::None;
    unsetCursor();
    if (drag != Drag::Lasso || event->button() != Qt::LeftButton)
        return;
    const QPointF moved = event->position() - m_pressAt;
    if (std::hypot(moved.x(), moved.y()) < kClickSlack) {
        const int64_t point = pointAt(event->position());
        if (point >= 0)
            Q_EMIT pointClicked(point);
        update();
        return;
    }
    m_lasso << event->position();
    selectInside(m_lasso);
    m_lasso.clear();
}

void ClusterMapView::mouseDoubleClickEvent(QMouseEvent*)
{
    fitView();
}

void ClusterMapView::wheelEvent(QWheelEvent* event)
{
    const QPointF pos = event->position();
    const QPointF anchor = toData(pos);
    m_scale *= std::pow(1.0015, event->angleDelta().y());
    m_centre = anchor - (pos - QPointF(width() / 2.0, height() / 2.0)) / m_scale;
    m_hover = -1;
    invalidate();
}

void ClusterMapView::leaveEvent(QEvent*)
{
    if (m_hover >= 0) {
        m_hover = -1;
        update();
    }
}

} // namespace cgpgan::ui
