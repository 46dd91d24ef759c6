#include "grid/flow_layout.h"

#include <QWidget>

#include <algorithm>

namespace cgpgan::ui {

FlowLayout::FlowLayout(QWidget* parent, int spacing) : QLayout(parent), m_spacing(spacing)
{
    setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout()
{
    while (QLayoutItem* item = takeAt(0))
        delete item;
}

void FlowLayout::addItem(QLayoutItem* item) { m_items.append(item); }

QLayoutItem* FlowLayout::takeAt(int index)
{
    return index >= 0 && index < m_items.size() ? m_items.takeAt(index) : nullptr;
}

QSize FlowLayout::minimumSize() const
{
    // As narrow as the widest item: everything else wraps.
    QSize size;
    for (const QLayoutItem* item : m_items)
        size = size.expandedTo(item->minimumSize());
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize FlowLayout::sizeHint() const
{
    // One line: every item side by side.
    int width = 0, height = 0;
    for (const QLayoutItem* item : m_items) {
        if (item->isEmpty())
            continue;
        width += item->sizeHint().width() + (width > 0 ? m_spacing : 0);
        height = std::max(height, item->sizeHint().height());
    }
    const QMargins m = contentsMargins();
    return {width + m.left() + m.right(), height + m.top() + m.bottom()};
}

void FlowLayout::setGeometry(const QRect& rect)
{
    QLayout::setGeometry(rect);
    arrange(rect, true);
}

int FlowLayout::lineCount(int width) const
{
    int lines = 0;
    arrange(QRect(0, 0, width, 0), false, &lines);
    return lines;
}

int FlowLayout::arrange(const QRect& rect, bool apply, int* lines) const
{
    const QMargins m = contentsMargins();
    const QRect area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom());
    int x = area.x(), y = area.y(), lineHeight = 0, lineCount = 0;
    // A line's items are placed once its height is known, centred vertically.
    QList<QPair<QLayoutItem*, QPoint>> line;
    const auto flush = [&] {
        if (apply)
            for (const auto& [item, at] : line) {
                const QSize hint = item->sizeHint();
                item->setGeometry(QRect(QPoint(at.x(), at.y() + (lineHeight - hint.height()) / 2), hint));
            }
        line.clear();
    };
    for (QLayoutItem* item : m_items) {
        if (item->isEmpty())
            continue;
        const QSize hint = item->sizeHint();
        if (!line.isEmpty() && x + hint.width() > area.right() + 1) {
            flush();
            x = area.x();
            y += lineHeight + m_spacing;
            lineHeight = 0;
        }
        if (line.isEmpty())
            ++lineCount;
        line.append({item, QPoint(x, y)});
        x += hint.width() + m_spacing;
        lineHeight = std::max(lineHeight, hint.height());
    }
    flush();
    if (lines)
        *lines = lineCount;
    return (lineCount == 0 ? 0 : y + lineHeight - area.y()) + m.top() + m.bottom();
}

} // namespace cgpgan::ui
