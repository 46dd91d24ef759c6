#pragma once
// What the live sample grid shows and where (SPEC 7: columns = categorical
// combinations, rows = fixed z). A plain value, no widgets: the panel keeps
// one for the controls and a copy for the image on screen, so that hovering
// an old image still names the tiles it was sampled with.
//
// Combination ids are mixed radix over the d_l labels with label 0 the most
// significant digit (SPEC 6), as TrainingController::categoriesOf() and
// combinationCodes() count them.
#include <QColor>
#include <QImage>
#include <QPoint>
#include <QRect>
#include <QSize>
#include <QString>
#include <QVector>

#include <cstdint>
#include <optional>
#include <vector>

namespace cgpgan::ui {

// One tile of the grid: z row `row`, column `column`, showing combination
// `combination` = (categories[0], ..., categories[d_l - 1]).
struct GridTile {
    int row = 0;
    int column = 0;
    int64_t combination = 0;
    std::vector<int> categories;
};

class GridModel final {
public:
    // Page: page `page` of `columns` ids through 0 .. d_c^d_l - 1 (the last
    //       page may be shorter).
    // Random: `columns` distinct ids drawn from `randomSeed` (all of them,
    //       ascending, when columns >= d_c^d_l).
    // VaryLabel: every label at its fixed category except `varyLabel`, which
    //       runs over 0 .. d_c - 1 (d_c columns; `columns` is ignored).
    enum class Mode { Page, Random, VaryLabel };

    GridModel() = default;
    GridModel(int dL, int dC) { setShape(dL, dC); }

    // ---- What is shown ----
    // Resets the fixed categories to 0 and clamps the page and label.
    void setShape(int dL, int dC);
    void setMode(Mode mode) { m_mode = mode; }
    void setRows(int rows) { m_rows = rows < 1 ? 1 : rows; }
    void setColumns(int columns) { m_columns = columns < 1 ? 1 : columns; }
    void setPage(int64_t page);
    void setRandomSeed(uint64_t seed) { m_randomSeed = seed; }
    void setVaryLabel(int label);
    // One category per label; out-of-range entries are clamped.
    void setFixedCategories(const std::vector<int>& categories);
    void setFixedCategory(int label, int category);
    void setZSeed(uint64_t seed) { m_zSeed = seed; }

    int dL() const { return m_dL; }
    int dC() const { return m_dC; }
    Mode mode() const { return m_mode; }
    int rows() const { return m_rows; }
    int columns() const { return m_columns; } // as asked; see shownColumns()
    int64_t page() const { return m_page; }
    uint64_t randomSeed() const { return m_randomSeed; }
    int varyLabel() const { return m_varyLabel; }
    const std::vector<int>& fixedCategories() const { return m_fixed; }
    uint64_t zSeed() const { return m_zSeed; }

    // d_c ^ d_l (saturates at INT64_MAX rather than overflowing).
    int64_t combinations() const;
    // Pages of `columns` ids that cover all combinations.
    int64_t pageCount() const;

    // The combination ids of the columns, left to right. Computed on demand
    // in O(columns): random mode never lists all d_c^d_l ids.
    std::vector<int64_t> shownCombinations() const;
    int shownColumns() const;
    int tileCount() const { return m_rows * shownColumns(); }

    // ---- Mixed radix (label 0 most significant) ----
    std::vector<int> categoriesOf(int64_t combination) const;
    int64_t combinationOf(const std::vector<int>& categories) const;

    // ---- Layout of the composed image ----
    void setTileSize(QSize size) { m_tileSize = size.isValid() ? size : QSize(1, 1); }
    void setPadding(int padding) { m_padding = padding < 0 ? 0 : padding; }
    QSize tileSize() const { return m_tileSize; }
    int padding() const { return m_padding; }
    // Padding around and between the tiles.
    QSize imageSize() const;
    QRect tileRect(int row, int column) const;
    // The tile under a pixel of the composed image; nothing on padding or
    // outside the image.
    std::optional<GridTile> tileAt(QPoint imagePixel) const;
    // "z 3, combination 7 = (label0=1, label1=3)".
    QString caption(const GridTile& tile) const;

    // tiles: rows * shownColumns() images, row-major (SampleResult::tiles).
    // Each is drawn into its tileRect (scaled only if its size differs).
    // Missing tiles stay background.
    QImage compose(const QVector<QImage>& tiles, QColor background = QColor(48, 48, 48)) const;

private:
    std::vector<int64_t> randomCombinations() const;

    int m_dL = 1;
    int m_dC = 2;
    Mode m_mode = Mode::Page;
    int m_rows = 6;
    int m_columns = 16;
    int64_t m_page = 0;
    uint64_t m_randomSeed = 1;
    int m_varyLabel = 0;
    std::vector<int> m_fixed{0};
    uint64_t m_zSeed = 1;
    QSize m_tileSize{32, 32};
    int m_padding = 2;
};

} // namespace cgpgan::ui
