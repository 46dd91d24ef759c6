#include "grid/grid_model.h"

#include "cgpgan/combinations.h"

#include <QPainter>

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace cgpgan::ui {

namespace {

// splitmix64: a portable generator, so a random seed names the same columns
// on every platform (std:: distributions differ between standard libraries).
struct SplitMix64 {
    uint64_t state;
    uint64_t next()
    {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n), without modulo bias.
    uint64_t below(uint64_t n)
    {
        const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
        uint64_t x;
        do {
            x = next();
        } while (x >= limit);
        return x % n;
    }
};

} // namespace

void GridModel::setShape(int dL, int dC)
{
    m_dL = std::max(dL, 1);
    m_dC = std::max(dC, 1);
    m_fixed.assign(size_t(m_dL), 0);
    m_varyLabel = std::clamp(m_varyLabel, 0, m_dL - 1);
    setPage(m_page);
}

void GridModel::setPage(int64_t page)
{
    m_page = std::clamp<int64_t>(page, 0, std::max<int64_t>(pageCount() - 1, 0));
}

void GridModel::setVaryLabel(int label)
{
    m_varyLabel = std::clamp(label, 0, m_dL - 1);
}

void GridModel::setFixedCategories(const std::vector<int>& categories)
{
    for (int l = 0; l < m_dL; ++l)
        m_fixed[size_t(l)] = l < int(categories.size()) ? std::clamp(categories[size_t(l)], 0, m_dC - 1) : 0;
}

void GridModel::setFixedCategory(int label, int category)
{
    if (label >= 0 && label < m_dL)
        m_fixed[size_t(label)] = std::clamp(category, 0, m_dC - 1);
}

int64_t GridModel::combinations() const
{
    return combinationCount(m_dL, m_dC);
}

int64_t GridModel::pageCount() const
{
    const int64_t n = combinations();
    return n / m_columns + (n % m_columns != 0 ? 1 : 0);
}

std::vector<int64_t> GridModel::shownCombinations() const
{
    std::vector<int64_t> ids;
    switch (m_mode) {
    case Mode::Page: {
        const int64_t first = std::min(m_page, std::max<int64_t>(pageCount() - 1, 0)) * m_columns;
        const int64_t end = std::min(combinations(), first + m_columns);
        for (int64_t id = first; id < end; ++id)
            ids.push_back(id);
        break;
    }
    case Mode::Random:
        ids = randomCombinations();
        break;
    case Mode::VaryLabel: {
        std::vector<int> categories = m_fixed;
        for (int c = 0; c < m_dC; ++c) {
            categories[size_t(m_varyLabel)] = c;
            ids.push_back(combinationOf(categories));
        }
        break;
    }
    }
    return ids;
}

// Floyd's sampling: k distinct values out of n with a set of size k, so that
// d_c^d_l may be far larger than memory.
std::vector<int64_t> GridModel::randomCombinations() const
{
    const int64_t n = combinations();
    const int64_t k = std::min<int64_t>(m_columns, n);
    std::vector<int64_t> ids;
    ids.reserve(size_t(k));
    if (k == n) {
        for (int64_t id = 0; id < n; ++id)
            ids.push_back(id);
        return ids;
    }
    SplitMix64 rng{m_randomSeed};
    std::unordered_set<int64_t> taken;
    for (int64_t j = n - k; j < n; ++j) {
        const auto t = int64_t(rng.below(uint64_t(j) + 1));
        const int64_t pick = taken.count(t) ? j : t;
        taken.insert(pick);
        ids.push_back(pick);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

int GridModel::shownColumns() const
{
    switch (m_mode) {
    case Mode::Page: {
        const int64_t first = std::min(m_page, std::max<int64_t>(pageCount() - 1, 0)) * m_columns;
        return int(std::clamp<int64_t>(combinations() - first, 0, m_columns));
    }
    case Mode::Random:
        return int(std::min<int64_t>(m_columns, combinations()));
    case Mode::VaryLabel:
        return m_dC;
    }
    return 0;
}

std::vector<int> GridModel::categoriesOf(int64_t combination) const
{
    return combinationCategories(combination, m_dL, m_dC);
}

int64_t GridModel::combinationOf(const std::vector<int>& categories) const
{
    return combinationId(categories, m_dL, m_dC);
}

QSize GridModel::imageSize() const
{
    const int columns = shownColumns();
    return {m_padding + columns * (m_tileSize.width() + m_padding),
            m_padding + m_rows * (m_tileSize.height() + m_padding)};
}

QRect GridModel::tileRect(int row, int column) const
{
    return {m_padding + column * (m_tileSize.width() + m_padding),
            m_padding + row * (m_tileSize.height() + m_padding), m_tileSize.width(), m_tileSize.height()};
}

std::optional<GridTile> GridModel::tileAt(QPoint p) const
{
    const QSize size = imageSize();
    if (p.x() < m_padding || p.y() < m_padding || p.x() >= size.width() || p.y() >= size.height())
        return std::nullopt;
    const int strideX = m_tileSize.width() + m_padding;
    const int strideY = m_tileSize.height() + m_padding;
    const int column = (p.x() - m_padding) / strideX;
    const int row = (p.y() - m_padding) / strideY;
    // Inside the stride but past the tile: the padding to its right / below.
    if ((p.x() - m_padding) % strideX >= m_tileSize.width() || (p.y() - m_padding) % strideY >= m_tileSize.height())
        return std::nullopt;
    const std::vector<int64_t> ids = shownCombinations();
    if (row >= m_rows || column >= int(ids.size()))
        return std::nullopt;
    GridTile tile;
    tile.row = row;
    tile.column = column;
    tile.combination = ids[size_t(column)];
    tile.categories = categoriesOf(tile.combination);
    return tile;
}

QString GridModel::caption(const GridTile& tile) const
{
    QStringList parts;
    for (size_t l = 0; l < tile.categories.size(); ++l)
        parts << QStringLiteral("label%1=%2").arg(l).arg(tile.categories[l]);
    return QStringLiteral("z %1, combination %2 = (%3)").arg(tile.row).arg(tile.combination).arg(parts.join(", "));
}

QImage GridModel::compose(const QVector<QImage>& tiles, QColor background) const
{
    QImage image(imageSize(), QImage::Format_RGB32);
    image.fill(background);
    QPainter painter(&image);
    const int columns = shownColumns();
    for (int r = 0; r < m_rows; ++r) {
        for (int j = 0; j < columns; ++j) {
            const int index = r * columns + j;
            if (index >= tiles.size() || tiles[index].isNull())
                continue;
            const QImage& tile = tiles[index];
            const QRect target = tileRect(r, j);
            if (tile.size() == target.size())
                painter.drawImage(target.topLeft(), tile);
            else
                painter.drawImage(target, tile); // nearest: no smoothing hint set
        }
    }
    return image;
}

} // namespace cgpgan::ui
