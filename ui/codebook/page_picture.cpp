#include "codebook/page_picture.h"

#include <QLinearGradient>
#include <QPaintEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace cgpgan::ui {

namespace {

constexpr int kSpatial = 16;  // a 4x4 map (SPEC 3: the generator's input is 4 x 4 x 2W)
constexpr int kSide = 4;
constexpr int kChannelGap = 3;
constexpr int kMargin = 6;

QColor mix(const QColor& a, const QColor& b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

const QColor kBlue(33, 102, 172);
const QColor kRed(178, 24, 43);
const QColor kWhite(247, 247, 247);
const QColor kDark(103, 0, 13);

QString number(double v) { return QString::number(v, 'g', 3); }

} // namespace

PageStats pageStats(const std::vector<float>& values)
{
    PageStats s;
    if (values.empty())
        return s;
    double sum = 0, sumSq = 0;
    for (float v : values) {
        sum += v;
        sumSq += double(v) * v;
        s.maxAbs = std::max(s.maxAbs, std::abs(double(v)));
    }
    const double n = double(values.size());
    s.norm = std::sqrt(sumSq);
    s.mean = sum / n;
    s.stddev = std::sqrt(std::max(0.0, sumSq / n - s.mean * s.mean));
    return s;
}

std::array<double, 16> spatialEnergy(const std::vector<float>& values)
{
    std::array<double, 16> energy{};
    const size_t channels = values.size() / kSpatial;
    for (size_t c = 0; c < channels; ++c)
        for (int i = 0; i < kSpatial; ++i) {
            const double v = values[c * kSpatial + i];
            energy[size_t(i)] += v * v;
        }
    return energy;
}

QColor divergingColor(double value, double scale)
{
    if (!(scale > 0) || !std::isfinite(value))
        return kWhite;
    const double t = std::clamp(value / scale, -1.0, 1.0);
    return t < 0 ? mix(kWhite, kBlue, -t) : mix(kWhite, kRed, t);
}

QColor energyColor(double value, double scale)
{
    if (!(scale > 0) || !std::isfinite(value))
        return kWhite;
    return mix(kWhite, kDark, value / scale);
}

PagePicture::PagePicture(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void PagePicture::setPage(const QString& title, std::vector<float> values, bool spatial)
{
    m_title = title;
    m_message.clear();
    m_values = std::move(values);
    m_spatial = spatial && m_values.size() % kSpatial == 0 && !m_values.empty();
    m_stats = pageStats(m_values);
    update();
}

void PagePicture::clearPage(const QString& message)
{
    m_title.clear();
    m_message = message;
    m_values.clear();
    m_stats = PageStats{};
    update();
}

QSize PagePicture::sizeHint() const { return {340, 210}; }
QSize PagePicture::minimumSizeHint() const { return {200, 150}; }

void PagePicture::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    const QRect inner = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    if (m_values.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(inner, Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }

    // Title and the page's numbers on top.
    const QFontMetrics fm(font());
    const int line = fm.height();
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(inner.left(), inner.top(), inner.width(), line), Qt::AlignLeft | Qt::AlignVCenter, m_title);
    p.setFont(font());
    const QString numbers = QStringLiteral("norm %1   mean %2   std %3   d_p %4")
                                .arg(number(m_stats.norm), number(m_stats.mean), number(m_stats.stddev))
                                .arg(m_values.size());
    p.drawText(QRect(inner.left(), inner.top() + line, inner.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
               numbers);

    const int legendHeight = line + 12;
    const QRect body(inner.left(), inner.top() + 2 * line + 6, inner.width(),
                     inner.height() - 2 * line - 6 - legendHeight - 4);
    const QRect legend(inner.left(), body.bottom() + 5, inner.width(), legendHeight);
    if (body.height() > 8) {
        if (m_spatial)
            paintSpatial(p, body);
        else
            paintStrip(p, body);
    }
    paintLegend(p, legend);
}

void PagePicture::paintSpatial(QPainter& p, const QRect& area)
{
    const QFontMetrics fm(font());
    const int caption = fm.height();
    const int channels = int(m_values.size()) / kSpatial;

    // The energy map takes a square on the right, the channels the rest.
    // Room above for its caption and below for its maximum.
    const int energySide =
        std::max(kSide, std::min(area.height() - 2 * caption - 2, area.width() * 3 / 10) / kSide * kSide);
    const QRect grid(area.left(), area.top() + caption, area.width() - energySide - 2 * kMargin,
                     area.height() - caption);

    // Pick the column count whose cells come out largest.
    int bestColumns = 1, bestCell = 0;
    for (int cols = 1; cols <= channels; ++cols) {
        const int rows = (channels + cols - 1) / cols;
        const int cellW = (grid.width() - (cols - 1) * kChannelGap) / (cols * kSide);
        const int cellH = (grid.height() - (rows - 1) * kChannelGap) / (rows * kSide);
        const int cell = std::min(cellW, cellH);
        if (cell >= bestCell) { // ties: more columns, a wider and shorter grid
            bestCell = cell;
            bestColumns = cols;
        }
    }
    const int cell = std::max(1, bestCell);
    const int tile = cell * kSide;

    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(grid.left(), area.top(), grid.width(), caption), Qt::AlignLeft | Qt::AlignVCenter,
               tr("%1 channels of 4x4").arg(channels));
    const double scale = m_stats.maxAbs;
    for (int c = 0; c < channels; ++c) {
        const int x0 = grid.left() + (c % bestColumns) * (tile + kChannelGap);
        const int y0 = grid.top() + (c / bestColumns) * (tile + kChannelGap);
        for (int i = 0; i < kSpatial; ++i)
            p.fillRect(x0 + (i % kSide) * cell, y0 + (i / kSide) * cell, cell, cell,
                       divergingColor(m_values[size_t(c) * kSpatial + i], scale));
        p.setPen(QPen(palette().color(QPalette::Mid), 0));
        p.drawRect(QRect(x0, y0, tile, tile).adjusted(0, 0, -1, -1));
    }

    // Spatial energy: sum over channels of value^2 per position.
    const auto energy = spatialEnergy(m_values);
    const double maxEnergy = *std::max_element(energy.begin(), energy.end());
    const int eCell = energySide / kSide;
    const QRect eRect(area.right() - energySide + 1, area.top() + caption, eCell * kSide, eCell * kSide);
    p.setPen(palette().color(QPalette::Text));
    // The captions may be wider than a small map: they end at the right edge
    // and reach left over the channels' margin (issue 27: "energ", "ax 48"
    // at 1024 px).
    const auto captionBox = [&](const QString& text, int top) {
        const int w = std::max(energySide + 2 * kMargin, p.fontMetrics().horizontalAdvance(text) + 2);
        return QRect(area.right() + 1 - w, top, w, caption);
    };
    const QString energyText = tr("energy");
    p.drawText(captionBox(energyText, area.top()), Qt::AlignRight | Qt::AlignVCenter, energyText);
    for (int i = 0; i < kSpatial; ++i)
        p.fillRect(eRect.left() + (i % kSide) * eCell, eRect.top() + (i / kSide) * eCell, eCell, eCell,
                   energyColor(energy[size_t(i)], maxEnergy));
    p.setPen(QPen(palette().color(QPalette::Mid), 0));
    p.drawRect(eRect.adjusted(0, 0, -1, -1));
    p.setPen(palette().color(QPalette::Text));
    const QString maxText = tr("max %1").arg(number(maxEnergy));
    p.drawText(captionBox(maxText, eRect.bottom() + 2), Qt::AlignRight | Qt::AlignTop, maxText);
}

void PagePicture::paintStrip(QPainter& p, const QRect& area)
{
    // One bar per value, up for positive, down for negative, around a midline.
    const int n = int(m_values.size());
    const double scale = m_stats.maxAbs;
    const double barWidth = double(area.width()) / n;
    const int mid = area.center().y();
    const double half = area.height() / 2.0 - 1;
    for (int i = 0; i < n; ++i) {
        const double v = m_values[size_t(i)];
        const double h = scale > 0 ? v / scale * half : 0;
        const QRectF bar(area.left() + i * barWidth, h > 0 ? mid - h : mid, std::max(1.0, barWidth - (barWidth > 3 ? 1 : 0)),
                         std::abs(h));
        p.fillRect(bar, divergingColor(v, scale));
    }
    p.setPen(QPen(palette().color(QPalette::Mid), 0));
    p.drawLine(area.left(), mid, area.right(), mid);
}

void PagePicture::paintLegend(QPainter& p, const QRect& area)
{
    // The symmetric scale: -max|v| .. 0 .. +max|v|.
    const QFontMetrics fm(font());
    const QString lo = number(-m_stats.maxAbs), hi = number(m_stats.maxAbs);
    const int textW = std::max(fm.horizontalAdvance(lo), fm.horizontalAdvance(hi)) + 6;
    const int barW = std::min(area.width() - 2 * textW, 240);
    if (barW < 20)
        return;
    const QRect bar(area.left() + textW, area.top() + 2, barW, 10);
    QLinearGradient g(bar.topLeft(), bar.topRight());
    g.setColorAt(0.0, kBlue);
    g.setColorAt(0.5, kWhite);
    g.setColorAt(1.0, kRed);
    p.fillRect(bar, g);
    p.setPen(QPen(palette().color(QPalette::Mid), 0));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.setPen(palette().color(QPalette::Text));
    const int textTop = bar.top() - (fm.height() - bar.height()) / 2;
    p.drawText(QRect(area.left(), textTop, textW - 4, fm.height()), Qt::AlignRight | Qt::AlignVCenter, lo);
    p.drawText(QRect(bar.right() + 5, textTop, textW, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, hi);
    p.drawLine(bar.center().x(), bar.bottom(), bar.center().x(), bar.bottom() + 3);
}

} // namespace cgpgan::ui
