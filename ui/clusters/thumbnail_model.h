#pragma once
// One cluster's real images as a list model for a QListView in IconMode.
// Thumbnails are made only when a view asks for them (data() with
// Qt::DecorationRole) and kept in a bounded cache, so a cluster of tens of
// thousands of samples costs a list of indices until it is scrolled through.
#include "cgpgan/dataset.h"

#include <QAbstractListModel>
#include <QCache>
#include <QImage>
#include <QPixmap>

class QListView;

#include <cstdint>
#include <memory>
#include <vector>

namespace cgpgan::ui {

class ThumbnailModel final : public QAbstractListModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThumbnailModel)
public:
    enum Role { SampleIndexRole = Qt::UserRole + 1, ConfidenceRole };

    explicit ThumbnailModel(QObject* parent = nullptr);

    // Point datasets (toy-2d) give no thumbnails: a line of text per sample.
    void setDataset(std::shared_ptr<const Dataset> data);
    // The members of one cluster, in display order, with their confidences.
    void setItems(std::vector<int64_t> samples, std::vector<float> confidences);
    void clear();
    void setThumbnailSize(int pixels);
    int thumbnailSize() const { return m_size; }

    // How many thumbnails were rendered so far (cache misses): the laziness
    // is what keeps a large cluster cheap.
    int64_t thumbnailsMade() const { return m_made; }

    // Sets a list view up for this model: icon grid for images, text lines
    // for points; uniform item sizes and batched layout for large clusters.
    static void configureView(QListView* view, bool images, int thumbnailSize);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    // One image of the dataset at its own size, grey or RGB; a null QImage
    // for point data or an index out of range.
    static QImage imageOf(const Dataset& data, int64_t index);

private:
    QPixmap thumbnail(int64_t sample) const;
    QString toolTip(int row) const;
    QString pointText(int row) const;

    std::shared_ptr<const Dataset> m_data;
    std::vector<int64_t> m_samples;
    std::vector<float> m_confidences;
    int m_size = 64;
    // Keyed by sample index: a sample has one thumbnail whichever cluster
    // shows it. Cost in kilobytes.
    mutable QCache<int64_t, QPixmap> m_cache;
    mutable int64_t m_made = 0;
};

} // namespace cgpgan::ui
