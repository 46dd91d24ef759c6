#pragma once
// The confusion matrix as a heat map: rows = the view's populated clusters,
// columns = the ground truth's classes by name. A cell is shaded by its share
// of the cluster's samples (so that small clusters read as clearly as big
// ones); the cells of the Hungarian matching (SPEC 6) are outlined.
#include "clusters/cluster_model.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

#include <memory>

namespace cgpgan::ui {

class ConfusionModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfusionModel)
public:
    enum Role { CountRole = Qt::UserRole + 1, MatchedRole };

    explicit ConfusionModel(QObject* parent = nullptr);

    void setConfusion(const Confusion& confusion, const Truth& truth,
                      std::shared_ptr<const ClusterModel> model, int view);
    void clear();
    const Confusion& confusion() const { return m_confusion; }
    // Empty clusters, not shown as rows.
    int64_t hiddenEmptyRows() const { return int64_t(m_confusion.rows.size() - m_shown.size()); }
    // The sum of the cells shown (every sample lies in a populated cluster).
    int64_t shownTotal() const;

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    Confusion m_confusion;
    std::vector<std::string> m_classNames;
    std::shared_ptr<const ClusterModel> m_model;
    int m_view = 0;
    std::vector<size_t> m_shown;          // rows of m_confusion with samples
    std::vector<int64_t> m_rowTotals;     // per shown row
    std::vector<int64_t> m_classTotals;
};

// Paints the cell as usual, then an outline when MatchedRole is true.
class ConfusionDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfusionDelegate)
public:
    explicit ConfusionDelegate(QObject* parent = nullptr);
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
};

} // namespace cgpgan::ui
