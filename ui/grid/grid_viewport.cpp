#include "grid/grid_viewport.h"

#include <QEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QStringList>
#include <QToolTip>
#include <QWheelEvent>
#include <QWidget>

#include <algorithm>
#include <array>
#include <cmath>

namespace cgpgan::ui {

namespace {

// Zoom levels a wheel notch or a button steps through: whole multiples above
// 1 keep every image pixel the same number of screen pixels.
constexpr std::array<double, 15> kLevels{0.125, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32};

double nextLevel(double zoom, int direction)
{
    if (direction > 0) {
        for (double level : kLevels)
            if (level > zoom * 1.001)
                return level;
        return kLevels.back();
    }
    for (auto it = kLevels.rbegin(); it != kLevels.rend(); ++it)
        if (*it < zoom / 1.001)
            return *it;
    return kLevels.front();
}

} // namespace

GridViewport::GridViewport(QWidget* canvas)
    : QObject(canvas)
    , m_canvas(canvas)
{
    canvas->setMouseTracking(true);
    canvas->installEventFilter(this);
}

void GridViewport::setLayout(const GridModel& layout)
{
    const QSize old = m_imageSize;
    m_layout = layout;
    m_imageSize = layout.imageSize();
    if (old != m_imageSize) {
        // Keep the same part in view when a row or column is added.
        if (old.isEmpty())
            m_center = QPointF(m_imageSize.width() / 2.0, m_imageSize.height() / 2.0);
        clampCenter();
        Q_EMIT zoomChanged(zoom());
    }
    Q_EMIT changed();
}

QSizeF GridViewport::viewSize() const
{
    return m_canvas->size();
}

double GridViewport::fitZoom() const
{
    if (m_imageSize.isEmpty())
        return 1.0;
    // The largest zoom that shows the whole image, fractional: the grid fills
    // its view along one axis (issue 12). Tiles stay crisp: the canvases
    // sample nearest, and imageRect() is integer-aligned.
    const QSizeF view = viewSize();
    const double z = std::min(view.width() / m_imageSize.width(), view.height() / m_imageSize.height());
    return std::clamp(z, minZoom, maxZoom);
}

double GridViewport::zoom() const
{
    return m_fit ? fitZoom() : m_zoom;
}

void GridViewport::setZoom(double zoom)
{
    const QSizeF view = viewSize();
    zoomAbout(zoom, QPointF(view.width() / 2.0, view.height() / 2.0));
}

void GridViewport::zoomIn()
{
    setZoom(nextLevel(zoom(), +1));
}

void GridViewport::zoomOut()
{
    setZoom(nextLevel(zoom(), -1));
}

void GridViewport::fit()
{
    m_fit = true;
    m_center = QPointF(m_imageSize.width() / 2.0, m_imageSize.height() / 2.0);
    Q_EMIT zoomChanged(zoom());
    Q_EMIT changed();
}

// The image point under the cursor stays under the cursor.
void GridViewport::zoomAbout(double zoom, QPointF widgetPos)
{
    const double before = this->zoom();
    const QRectF rect = imageRect();
    const QPointF anchor = (widgetPos - rect.topLeft()) / before;
    m_fit = false;
    m_zoom = std::clamp(zoom, minZoom, maxZoom);
    const QSizeF view = viewSize();
    m_center = anchor - (widgetPos - QPointF(view.width() / 2.0, view.height() / 2.0)) / m_zoom;
    clampCenter();
    Q_EMIT zoomChanged(m_zoom);
    Q_EMIT changed();
}

// When the scaled image is narrower than the view it is centred; otherwise
// the view stays inside the image.
void GridViewport::clampCenter()
{
    const double z = zoom();
    const QSizeF view = viewSize();
    const auto clampAxis = [z](double center, double imageLength, double viewLength) {
        const double half = viewLength / (2.0 * z);
        if (imageLength * z <= viewLength)
            return imageLength / 2.0;
        return std::clamp(center, half, imageLength - half);
    };
    m_center.setX(clampAxis(m_center.x(), m_imageSize.width(), view.width()));
    m_center.setY(clampAxis(m_center.y(), m_imageSize.height(), view.height()));
}

void GridViewport::setMeanings(const std::vector<std::vector<QString>>& meanings)
{
    m_meanings = meanings;
    Q_EMIT changed();
}

void GridViewport::setHolds(const std::vector<float>& pins, int dC)
{
    bool any = false;
    for (float h : pins)
        any = any || h == 0;
    std::vector<float> kept = any ? pins : std::vector<float>{};
    if (kept == m_pins && dC == m_pinsDC)
        return;
    m_pins = std::move(kept);
    m_pinsDC = dC;
    Q_EMIT changed();
}

bool GridViewport::isEmptied(int64_t combination) const
{
    if (m_pins.empty() || combination < 0 || m_pinsDC <= 0)
        return false;
    const std::vector<int> categories = m_layout.categoriesOf(combination);
    for (size_t l = 0; l < categories.size(); ++l) {
        const size_t i = l * size_t(m_pinsDC) + size_t(categories[l]);
        if (i < m_pins.size() && m_pins[i] == 0)
            return true;
    }
    return false;
}

QString GridViewport::header(int64_t combination, bool compact) const
{
    if (isEmptied(combination))
        return compact ? QStringLiteral("\u2715") : tr("emptied");
    if (m_meanings.empty() || combination < 0)
        return {};
    const std::vector<int> categories = m_layout.categoriesOf(combination);
    QStringList parts;
    for (size_t l = 0; l < categories.size() && l < m_meanings.size(); ++l) {
        const int k = categories[l];
        if (k >= 0 && size_t(k) < m_meanings[l].size() && !m_meanings[l][size_t(k)].isEmpty()) {
            QString part = m_meanings[l][size_t(k)];
            if (compact) // "ring 83%" -> "ring"
                part = part.left(std::max<qsizetype>(part.lastIndexOf(QLatin1Char(' ')), 1));
            parts << part;
        }
    }
    return parts.join(QStringLiteral(" · "));
}

void GridViewport::paintHeaders(QPainter& painter) const
{
    if ((m_meanings.empty() && m_pins.empty()) || m_imageSize.isEmpty())
        return;
    const QRectF image = imageRect();
    const double z = zoom();
    const std::vector<int64_t> combos = m_layout.shownCombinations();
    QFont font = painter.font();
    font.setPointSizeF(std::max(7.0, font.pointSizeF() - 1));
    painter.setFont(font);
    const QFontMetrics metrics(font);
    const int height = metrics.height() + 2;
    for (size_t c = 0; c < combos.size(); ++c) {
        const QRect tile = m_layout.tileRect(0, int(c));
        const QRectF box(image.left() + tile.left() * z, image.top() + tile.top() * z, tile.width() * z, height);
        if (box.width() < 18 || box.right() < 0 || box.left() > m_canvas->width())
            continue;
        const int room = int(box.width()) - 4;
        QString text = header(combos[c]);
        if (metrics.horizontalAdvance(text) > room) // the class names alone, then elided
            text = header(combos[c], /*compact=*/true);
        text = metrics.elidedText(text, Qt::ElideRight, room);
        if (text.isEmpty())
            continue;
        painter.fillRect(box, isEmptied(combos[c]) ? QColor(179, 88, 6, 200) : QColor(0, 0, 0, 160));
        painter.setPen(Qt::white);
        painter.drawText(box.adjusted(2, 0, -2, 0), Qt::AlignLeft | Qt::AlignVCenter, text);
    }
}

QRectF GridViewport::imageRect() const
{
    const double z = zoom();
    const QSizeF view = viewSize();
    const QPointF center = m_fit ? QPointF(m_imageSize.width() / 2.0, m_imageSize.height() / 2.0) : m_center;
    const QPointF topLeft(std::round(view.width() / 2.0 - center.x() * z),
                          std::round(view.height() / 2.0 - center.y() * z));
    return {topLeft, QSizeF(m_imageSize.width() * z, m_imageSize.height() * z)};
}

QPoint GridViewport::toImage(QPointF widgetPos) const
{
    const QPointF p = (widgetPos - imageRect().topLeft()) / zoom();
    return {int(std::floor(p.x())), int(std::floor(p.y()))};
}

std::optional<GridTile> GridViewport::tileAtWidget(QPointF widgetPos) const
{
    if (m_imageSize.isEmpty())
        return std::nullopt;
    return m_layout.tileAt(toImage(widgetPos));
}

void GridViewport::hover(QPointF widgetPos)
{
    const std::optional<GridTile> tile = tileAtWidget(widgetPos);
    QString caption = tile ? m_layout.caption(*tile) : QString();
    if (tile && isEmptied(tile->combination))
        caption += tr(" · emptied: training no longer draws this code (steering)");
    else if (tile && hasMeanings())
        caption += tr(" · matches %1").arg(header(tile->combination));
    if (caption != m_hovered) {
        m_hovered = caption;
        Q_EMIT hoveredChanged(caption);
    }
}

bool GridViewport::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != m_canvas)
        return false;
    switch (event->type()) {
    case QEvent::Wheel: {
        // Plain or Ctrl+wheel: one zoom level per notch (120/8 degrees);
        // trackpads send smaller deltas, summed until they make a notch.
        auto* wheel = static_cast<QWheelEvent*>(event);
        m_wheelDelta += wheel->angleDelta().y();
        const int notches = m_wheelDelta / 120;
        m_wheelDelta -= notches * 120;
        double z = zoom();
        for (int i = 0; i < std::abs(notches); ++i)
            z = nextLevel(z, notches > 0 ? +1 : -1);
        if (notches != 0)
            zoomAbout(z, wheel->position());
        return true;
    }
    case QEvent::MouseButtonPress: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (mouse->button() != Qt::LeftButton)
            return false;
        m_dragging = true;
        m_dragLast = mouse->position();
        m_canvas->setCursor(Qt::ClosedHandCursor);
        return true;
    }
    case QEvent::MouseMove: {
        auto* mouse = static_cast<QMouseEvent*>(event);
        if (m_dragging) {
            if (m_fit) { // start panning from where fitting put the image
                m_center = QPointF(m_imageSize.width() / 2.0, m_imageSize.height() / 2.0);
                m_zoom = fitZoom();
                m_fit = false;
            }
            m_center -= (mouse->position() - m_dragLast) / m_zoom;
            m_dragLast = mouse->position();
            clampCenter();
            Q_EMIT changed();
        }
        hover(mouse->position());
        return m_dragging;
    }
    case QEvent::MouseButtonRelease:
        if (static_cast<QMouseEvent*>(event)->button() == Qt::LeftButton && m_dragging) {
            m_dragging = false;
            m_canvas->unsetCursor();
            return true;
        }
        return false;
    case QEvent::MouseButtonDblClick:
        fit();
        return true;
    case QEvent::Leave:
        if (!m_hovered.isEmpty()) {
            m_hovered.clear();
            Q_EMIT hoveredChanged(m_hovered);
        }
        return false;
    case QEvent::ToolTip: {
        auto* help = static_cast<QHelpEvent*>(event);
        const std::optional<GridTile> tile = tileAtWidget(help->pos());
        if (!tile) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        // The tooltip stays while the cursor is on the same tile.
        const QRect r = m_layout.tileRect(tile->row, tile->column);
        const QRectF image = imageRect();
        const double z = zoom();
        const QRect onScreen = QRectF(image.topLeft() + QPointF(r.topLeft()) * z, QSizeF(r.size()) * z).toAlignedRect();
        QToolTip::showText(help->globalPos(), m_layout.caption(*tile), m_canvas, onScreen);
        return true;
    }
    case QEvent::Resize:
        clampCenter();
        if (m_fit)
            Q_EMIT zoomChanged(zoom());
        Q_EMIT changed();
        return false;
    default:
        return false;
    }
}

} // namespace cgpgan::ui
