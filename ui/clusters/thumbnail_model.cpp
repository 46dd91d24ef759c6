#include "clusters/thumbnail_model.h"

#include <QListView>
#include <QStringList>

#include <algorithm>

namespace cgpgan::ui {

ThumbnailModel::ThumbnailModel(QObject* parent) : QAbstractListModel(parent)
{
    m_cache.setMaxCost(48 * 1024); // about 3000 thumbnails of 64 px
}

void ThumbnailModel::setDataset(std::shared_ptr<const Dataset> data)
{
    beginResetModel();
    m_data = std::move(data);
    m_samples.clear();
    m_confidences.clear();
    m_cache.clear();
    endResetModel();
}

void ThumbnailModel::setItems(std::vector<int64_t> samples, std::vector<float> confidences)
{
    beginResetModel();
    m_samples = std::move(samples);
    m_confidences = std::move(confidences);
    m_confidences.resize(m_samples.size(), 0.0f);
    endResetModel();
}

void ThumbnailModel::clear()
{
    setItems({}, {});
}

void ThumbnailModel::setThumbnailSize(int pixels)
{
    if (pixels == m_size || pixels < 8)
        return;
    beginResetModel();
    m_size = pixels;
    m_cache.clear();
    endResetModel();
}

int ThumbnailModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_samples.size());
}

QVariant ThumbnailModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() < 0 || size_t(index.row()) >= m_samples.size())
        return {};
    const int64_t sample = m_samples[size_t(index.row())];
    switch (role) {
    case Qt::DecorationRole:
        if (m_data && m_data->isImages())
            return thumbnail(sample);
        return {};
    case Qt::DisplayRole:
        // Point data has no image: a line of text per sample instead.
        if (m_data && !m_data->isImages())
            return pointText(index.row());
        return {};
    case Qt::ToolTipRole:
        return toolTip(index.row());
    case SampleIndexRole:
        return qint64(sample);
    case ConfidenceRole:
        return double(m_confidences[size_t(index.row())]);
    default:
        return {};
    }
}

QImage ThumbnailModel::imageOf(const Dataset& data, int64_t index)
{
    if (!data.isImages() || index < 0 || index >= data.count || data.width <= 0
        || data.height <= 0 || data.channels <= 0
        || int64_t(data.pixels.size()) < data.count * data.imageSize())
        return {};
    const int w = data.width, h = data.height, plane = w * h;
    const uint8_t* src = data.pixels.data() + size_t(index) * size_t(data.imageSize());
    if (data.channels < 3) {
        // Grey (a second channel, if any, is ignored).
        QImage image(w, h, QImage::Format_Grayscale8);
        for (int y = 0; y < h; ++y)
            std::copy(src + y * w, src + (y + 1) * w, image.scanLine(y));
        return image;
    }
    // Planar NCHW to interleaved RGB; a fourth channel is ignored.
    QImage image(w, h, QImage::Format_RGB888);
    for (int y = 0; y < h; ++y) {
        uchar* line = image.scanLine(y);
        for (int x = 0; x < w; ++x) {
            const int p = y * w + x;
            line[3 * x + 0] = src[p];
            line[3 * x + 1] = src[plane + p];
            line[3 * x + 2] = src[2 * plane + p];
        }
    }
    return image;
}

QPixmap ThumbnailModel::thumbnail(int64_t sample) const
{
    if (const QPixmap* cached = m_cache.object(sample))
        return *cached;
    const QImage image = imageOf(*m_data, sample);
    if (image.isNull())
        return {};
    // Small images are enlarged by whole pixels (nearest keeps them crisp);
    // large ones are reduced smoothly.
    const bool enlarge = image.width() <= m_size && image.height() <= m_size;
    const QImage scaled = image.scaled(m_size, m_size, Qt::KeepAspectRatio,
                                       enlarge ? Qt::FastTransformation : Qt::SmoothTransformation);
    ++m_made;
    auto* pixmap = new QPixmap(QPixmap::fromImage(scaled));
    const QPixmap copy = *pixmap;
    m_cache.insert(sample, pixmap, qMax(1, int(qint64(scaled.sizeInBytes()) / 1024)));
    return copy;
}

void ThumbnailModel::configureView(QListView* view, bool images, int thumbnailSize)
{
    // Tens of thousands of items: fixed item sizes and layout in batches keep
    // scrolling smooth, and data() makes thumbnails only for visible items.
    // The view mode first: setting it resets movement, flow and wrapping.
    view->setViewMode(images ? QListView::IconMode : QListView::ListMode);
    view->setUniformItemSizes(true);
    view->setLayoutMode(QListView::Batched);
    view->setBatchSize(256);
    view->setMovement(QListView::Static);
    view->setResizeMode(QListView::Adjust);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setWrapping(images);
    if (images) {
        view->setIconSize(QSize(thumbnailSize, thumbnailSize));
        // 10 px between thumbnails (issue 27: the map's lasso list drew them touching).
        view->setGridSize(QSize(thumbnailSize + 10, thumbnailSize + 10));
        view->setSpacing(0);
    } else {
        view->setGridSize(QSize());
    }
}

QString ThumbnailModel::pointText(int row) const
{
    const int64_t sample = m_samples[size_t(row)];
    QStringList coords;
    const auto dim = size_t(std::max(m_data->pointDim, 0));
    for (size_t d = 0; d < dim && (size_t(sample) + 1) * dim <= m_data->points.size(); ++d)
        coords << QString::number(double(m_data->points[size_t(sample) * dim + d]), 'f', 3);
    return tr("#%1  (%2)  confidence %3")
        .arg(sample)
        .arg(coords.join(QStringLiteral(", ")))
        .arg(double(m_confidences[size_t(row)]), 0, 'f', 3);
}

QString ThumbnailModel::toolTip(int row) const
{
    const int64_t sample = m_samples[size_t(row)];
    QStringList lines;
    lines << tr("Sample %1").arg(sample)
          << tr("Confidence %1").arg(double(m_confidences[size_t(row)]), 0, 'f', 3);
    if (m_data) {
        for (const LabelColumn& column : m_data->labels) {
            if (sample >= int64_t(column.values.size()))
                continue;
            const int32_t v = column.values[size_t(sample)];
            const QString name = v >= 0 && size_t(v) < column.classNames.size()
                                     ? QString::fromStdString(column.classNames[size_t(v)])
                                     : QString::number(v);
            lines << tr("%1: %2").arg(QString::fromStdString(column.name), name);
        }
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace cgpgan::ui
