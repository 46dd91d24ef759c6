#pragma once
// A picture of one codebook page (SPEC 3). In a conv model the d_l chosen
// pages are concatenated and viewed as the [W, 4, 4] input map of the
// generator, so one page is W/d_l channels of 4x4: we draw each channel as a
// 4x4 heat map and, beside them, the page's 4x4 spatial energy (sum over its
// channels of value^2): where in the 4x4 layout this label's page puts its
// weight. In the mlp (toy-2d) model a page is a plain W/d_l vector: a bar strip.
#include <QString>
#include <QWidget>

#include <array>
#include <vector>

class QPainter;

namespace cgpgan::ui {

// Summary numbers of a page.
struct PageStats {
    double norm = 0;     // L2 norm
    double mean = 0;
    double stddev = 0;   // population standard deviation
    double maxAbs = 0;   // the symmetric colour scale
};

PageStats pageStats(const std::vector<float>& values);

// Per 4x4 position, the sum over the page's channels of value^2; the page is
// [channels, 4, 4] row-major (channels = size / 16).
std::array<double, 16> spatialEnergy(const std::vector<float>& values);

// Blue-white-red: -scale -> blue, 0 -> white, +scale -> red (clamped).
QColor divergingColor(double value, double scale);
// White -> dark red, for energies in [0, scale].
QColor energyColor(double value, double scale);

class PagePicture final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PagePicture)
public:
    explicit PagePicture(QWidget* parent = nullptr);

    // spatial: conv page ([size/16, 4, 4]); otherwise a plain vector.
    void setPage(const QString& title, std::vector<float> values, bool spatial);
    // Nothing to draw (no codebook, no session): shows `message` instead.
    void clearPage(const QString& message);

    const std::vector<float>& values() const { return m_values; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void paintSpatial(QPainter& p, const QRect& area);
    void paintStrip(QPainter& p, const QRect& area);
    void paintLegend(QPainter& p, const QRect& area);

    QString m_title;
    QString m_message;
    std::vector<float> m_values;
    bool m_spatial = true;
    PageStats m_stats;
};

} // namespace cgpgan::ui
