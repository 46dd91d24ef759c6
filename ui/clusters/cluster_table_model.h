#pragma once
// The cluster table: one row per listed cluster of a view (ClusterModel),
// with size, share, prior mass and mean confidence; share and prior mass
// carry a bar on one scale so that a cluster Q fills more or less often than
// the prior draws it stands out.
#include "clusters/cluster_model.h"

#include <QAbstractTableModel>
#include <QStyledItemDelegate>

#include <map>
#include <memory>

namespace cgpgan::ui {

class ClusterTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterTableModel)
public:
    // MatchesColumn (issue 27, "What a column means"): the true class the
    // cluster is matched to (Hungarian, against the truth the confusion
    // shows) and the share of its samples in that class; empty without one.
    enum Column { ClusterColumn, SizeColumn, ShareColumn, PriorColumn, ConfidenceColumn, MatchesColumn, ColumnCount };
    enum Role {
        ClusterIdRole = Qt::UserRole + 1, // qint64, every column
        SortRole,                         // the number behind the text
        BarRole,                          // 0..1 bar length, or invalid for no bar
    };

    explicit ClusterTableModel(QObject* parent = nullptr);

    // data: for point datasets, the tooltip shows each cluster's mean point.
    void setView(std::shared_ptr<const ClusterModel> model, int view,
                 std::shared_ptr<const Dataset> data = {});
    void clear();
    // The matched class of each row from a confusion of this view (its rows
    // are cluster ids); an empty confusion clears the column.
    void setMatches(const Confusion& confusion, const Truth& truth);
    QString matchOf(int64_t clusterId) const;
    int view() const { return m_view; }
    int64_t clusterIdAt(int row) const;
    int rowOf(int64_t clusterId) const; // -1 when not listed

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString toolTip(const ClusterStats& s) const;

    std::shared_ptr<const ClusterModel> m_model;
    std::shared_ptr<const Dataset> m_data;
    int m_view = 0;
    double m_barScale = 1.0; // the largest share or prior mass of the view
    std::vector<std::vector<double>> m_meanPoints; // point data: per row
    std::map<int64_t, std::pair<QString, double>> m_matches; // cluster id -> (class name, share)
    QString m_matchTruth;
};

// Draws the item as usual plus a thin bar of length BarRole along the cell's
// bottom edge.
class BarDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BarDelegate)
public:
    explicit BarDelegate(QColor colour, QObject* parent = nullptr);
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

private:
    QColor m_colour;
};

} // namespace cgpgan::ui
