#pragma once
// A layout that places its items left to right and wraps onto further lines
// when the width runs out (issue 12: the grid's toolbar was cut at 1000 px,
// "lew", "esh", "rt Pl"). Qt ships no such layout (only an example), so this
// is the small one the toolbars need: items keep their size hints, lines are
// as tall as their tallest item, and the height follows the width.
#include <QLayout>
#include <QList>

namespace cgpgan::ui {

class FlowLayout final : public QLayout {
public:
    explicit FlowLayout(QWidget* parent = nullptr, int spacing = 6);
    ~FlowLayout() override;

    void addItem(QLayoutItem* item) override;
    int count() const override { return int(m_items.size()); }
    QLayoutItem* itemAt(int index) const override { return m_items.value(index); }
    QLayoutItem* takeAt(int index) override;
    Qt::Orientations expandingDirections() const override { return {}; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override { return arrange(QRect(0, 0, width, 0), false); }
    QSize minimumSize() const override;
    QSize sizeHint() const override;
    void setGeometry(const QRect& rect) override;
    // Lines the items take at this width (for tests).
    int lineCount(int width) const;

private:
    // Places (when apply) or measures the items in rect; returns the height used.
    int arrange(const QRect& rect, bool apply, int* lines = nullptr) const;

    QList<QLayoutItem*> m_items;
    int m_spacing;
};

} // namespace cgpgan::ui
