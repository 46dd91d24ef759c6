#include "clusters/cluster_samples.h"

#include "cgpgan/combinations.h"

#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include <random>

namespace cgpgan::ui {
namespace {

constexpr int kTile = 64;

// Uniform in [0, 1) with 53 random bits (the same on every platform).
double uniform01(std::mt19937_64& rng)
{
    return double(rng() >> 11) * 0x1.0p-53;
}

// A category of `label` drawn from its prior row, or uniformly when the row
// is missing or sums to nothing.
int drawCategory(std::mt19937_64& rng, int label, int dC, const std::vector<float>& prior)
{
    double sum = 0.0;
    if (!prior.empty())
        for (int k = 0; k < dC; ++k)
            sum += std::max(0.0f, prior[size_t(label) * size_t(dC) + size_t(k)]);
    if (sum <= 0.0)
        return std::min(dC - 1, int(uniform01(rng) * dC));
    double u = uniform01(rng) * sum;
    for (int k = 0; k < dC; ++k) {
        u -= std::max(0.0f, prior[size_t(label) * size_t(dC) + size_t(k)]);
        if (u < 0.0)
            return k;
    }
    return dC - 1;
}

QString tuple(const std::vector<int>& categories)
{
    QStringList parts;
    for (int c : categories)
        parts << QString::number(c);
    return QStringLiteral("(%1)").arg(parts.join(QStringLiteral(", ")));
}

} // namespace

ClusterSamplePlan planClusterSamples(int dL, int dC, int view, int64_t id,
                                     const std::vector<float>& prior, uint64_t seed, int tiles)
{
    ClusterSamplePlan plan;
    SampleRequest& r = plan.request;
    r.tag = QStringLiteral("cluster-samples");
    r.zSeed = seed;
    const size_t codeSize = size_t(dL) * size_t(dC);
    const bool priorUsable = prior.size() == codeSize;

    if (view == ClusterModel::kCombined) {
        // One code, a column of latent rows: the combination across z.
        const std::vector<int> cats = combinationCategories(id, dL, dC);
        r.rows = tiles;
        r.columns = 1;
        r.codes.assign(codeSize, 0.0f);
        for (int l = 0; l < dL; ++l)
            r.codes[size_t(l) * size_t(dC) + size_t(cats[size_t(l)])] = 1.0f;
        plan.caption = QObject::tr("Code %1, %2 latent draws").arg(tuple(cats)).arg(tiles);
        for (int t = 0; t < tiles; ++t)
            plan.tileCaptions << QString();
        return plan;
    }

    // Label `view` fixed; the others drawn per column; two latent rows.
    r.rows = tiles >= 4 ? 2 : 1;
    r.columns = std::max(1, tiles / r.rows);
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + 1);
    std::vector<std::vector<int>> columnCats;
    r.codes.assign(size_t(r.columns) * codeSize, 0.0f);
    for (int j = 0; j < r.columns; ++j) {
        std::vector<int> cats(static_cast<size_t>(dL));
        for (int l = 0; l < dL; ++l)
            cats[size_t(l)] = l == view ? int(id) : drawCategory(rng, l, dC, priorUsable ? prior : std::vector<float>{});
        for (int l = 0; l < dL; ++l)
            r.codes[size_t(j) * codeSize + size_t(l) * size_t(dC) + size_t(cats[size_t(l)])] = 1.0f;
        columnCats.push_back(std::move(cats));
    }
    for (int row = 0; row < r.rows; ++row)
        for (int j = 0; j < r.columns; ++j)
            plan.tileCaptions << tuple(columnCats[size_t(j)]);
    if (dL == 1)
        plan.caption = QObject::tr("Category %1, %2 latent draws").arg(id).arg(r.rows * r.columns);
    else
        plan.caption = QObject::tr("Label %1 fixed to %2; the other labels drawn %3 per column "
                                   "(code under each tile)")
                           .arg(view)
                           .arg(id)
                           .arg(priorUsable ? QObject::tr("from the prior") : QObject::tr("uniformly"));
    return plan;
}

ClusterSamplesView::ClusterSamplesView(TrainingController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_caption(new QLabel(this)),
      m_tiles(new QListWidget(this)), m_newSamples(new QPushButton(tr("New samples"), this))
{
    auto* title = new QLabel(tr("<b>Generated</b>"), this);
    m_caption->setWordWrap(true);
    m_caption->setForegroundRole(QPalette::PlaceholderText);

    m_tiles->setViewMode(QListView::IconMode);
    m_tiles->setIconSize(QSize(kTile, kTile));
    m_tiles->setGridSize(QSize(kTile + 12, kTile + 22));
    m_tiles->setUniformItemSizes(true);
    m_tiles->setMovement(QListView::Static);
    m_tiles->setResizeMode(QListView::Adjust);
    m_tiles->setSelectionMode(QAbstractItemView::NoSelection);
    m_tiles->setFocusPolicy(Qt::NoFocus);
    // Two tiles across, beside the real images.
    const int width = 2 * (kTile + 12) + 2 * m_tiles->frameWidth()
                      + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 6;
    m_tiles->setFixedWidth(width);
    m_caption->setFixedWidth(width);
    m_newSamples->setToolTip(tr("Draw new latent vectors (and new categories for the other labels)"));
    m_newSamples->setEnabled(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(m_caption);
    layout->addWidget(m_tiles, 1);
    layout->addWidget(m_newSamples);

    connect(m_newSamples, &QPushButton::clicked, this, [this] {
        ++m_seed;
        request();
    });
    if (m_controller)
        connect(m_controller, &TrainingController::samplesReady, this,
                &ClusterSamplesView::onSamplesReady);
}

void ClusterSamplesView::showCluster(int dL, int dC, int view, int64_t id,
                                     const QString& clusterName, const std::vector<float>& prior)
{
    // The old tiles belong to another cluster: do not leave them under the
    // new caption while the new ones are drawn.
    if (id != m_cluster || view != m_view)
        m_tiles->clear();
    m_dL = dL;
    m_dC = dC;
    m_view = view;
    m_cluster = id;
    m_clusterName = clusterName;
    m_prior = prior;
    request();
}

void ClusterSamplesView::clear()
{
    m_cluster = -1;
    m_pending = 0;
    m_tiles->clear();
    m_caption->clear();
    m_newSamples->setEnabled(false);
}

int ClusterSamplesView::tileCount() const
{
    return m_tiles->count();
}

void ClusterSamplesView::request()
{
    if (!m_controller || m_cluster < 0)
        return;
    m_plan = planClusterSamples(m_dL, m_dC, m_view, m_cluster, m_prior, m_seed);
    m_caption->setText(m_plan.caption);
    m_newSamples->setEnabled(true);
    m_pending = m_controller->requestSamples(m_plan.request);
}

void ClusterSamplesView::onSamplesReady(const SampleResult& result)
{
    if (result.id != m_pending || result.request.tag != m_plan.request.tag)
        return;
    m_tiles->clear();
    for (int t = 0; t < result.tiles.size(); ++t) {
        const QImage& tile = result.tiles[t];
        const bool enlarge = tile.width() <= kTile && tile.height() <= kTile;
        const QPixmap pixmap = QPixmap::fromImage(
            tile.scaled(kTile, kTile, Qt::KeepAspectRatio,
                        enlarge ? Qt::FastTransformation : Qt::SmoothTransformation));
        auto* item = new QListWidgetItem(QIcon(pixmap),
                                         t < m_plan.tileCaptions.size() ? m_plan.tileCaptions[t] : QString());
        item->setToolTip(tr("Cluster %1, sample of the model at step %2").arg(m_clusterName).arg(result.step));
        m_tiles->addItem(item);
    }
    Q_EMIT samplesShown();
}

} // namespace cgpgan::ui
