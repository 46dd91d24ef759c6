#include "clusters/cluster_table_model.h"

#include <QLocale>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace cgpgan::ui {

ClusterTableModel::ClusterTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClusterTableModel::setView(std::shared_ptr<const ClusterModel> model, int view,
                                std::shared_ptr<const Dataset> data)
{
    beginResetModel();
    m_model = std::move(model);
    m_data = std::move(data);
    m_view = view;
    m_barScale = 0.0;
    m_meanPoints.clear();
    m_matches.clear(); // of another view; the panel sets this view's
    m_matchTruth.clear();
    if (m_model) {
        const auto& list = m_model->clusters(view);
        for (const ClusterStats& s : list) {
            m_barScale = std::max(m_barScale, s.fraction);
            if (std::isfinite(s.priorMass))
                m_barScale = std::max(m_barScale, s.priorMass);
        }
        if (m_data && !m_data->isImages() && m_data->pointDim > 0
            && m_data->count == m_model->count()) {
            const auto dim = size_t(m_data->pointDim);
            for (const ClusterStats& s : list) {
                std::vector<double> mean(dim, 0.0);
                for (int64_t i : s.members)
                    for (size_t d = 0; d < dim; ++d)
                        mean[d] += m_data->points[size_t(i) * dim + d];
                for (double& v : mean)
                    v /= double(std::max<int64_t>(s.size, 1));
                m_meanPoints.push_back(std::move(mean));
            }
        }
    }
    if (m_barScale <= 0.0)
        m_barScale = 1.0;
    endResetModel();
}

void ClusterTableModel::clear()
{
    setView(nullptr, 0);
}

int64_t ClusterTableModel::clusterIdAt(int row) const
{
    if (!m_model || row < 0 || row >= rowCount())
        return -1;
    return m_model->clusters(m_view)[size_t(row)].id;
}

int ClusterTableModel::rowOf(int64_t clusterId) const
{
    if (!m_model)
        return -1;
    const ClusterStats* s = m_model->find(m_view, clusterId);
    return s ? int(s - m_model->clusters(m_view).data()) : -1;
}

int ClusterTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_model ? 0 : int(m_model->clusters(m_view).size());
}

int ClusterTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClusterTableModel::data(const QModelIndex& index, int role) const
{
    if (!m_model || !index.isValid() || index.row() >= rowCount())
        return {};
    const ClusterStats& s = m_model->clusters(m_view)[size_t(index.row())];
    const bool hasPrior = std::isfinite(s.priorMass);
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case ClusterColumn: return m_model->clusterName(m_view, s.id);
        case SizeColumn: return QLocale().toString(qint64(s.size));
        case ShareColumn: return QStringLiteral("%1 %").arg(100.0 * s.fraction, 0, 'f', 1);
        case PriorColumn:
            return hasPrior ? QStringLiteral("%1 %").arg(100.0 * s.priorMass, 0, 'f', 1)
                            : QStringLiteral("\u2013");
        case ConfidenceColumn:
            return s.size > 0 ? QString::number(s.meanConfidence, 'f', 3) : QStringLiteral("\u2013");
        case MatchesColumn: return matchOf(s.id);
        }
        break;
    case SortRole:
        switch (column) {
        case ClusterColumn: return qint64(s.id);
        case SizeColumn: return qint64(s.size);
        case ShareColumn: return s.fraction;
        case PriorColumn: return hasPrior ? s.priorMass : -1.0;
        case ConfidenceColumn: return s.meanConfidence;
        case MatchesColumn: {
            const auto it = m_matches.find(s.id);
            return it == m_matches.end() ? QString() : it->second.first;
        }
        }
        break;
    case BarRole:
        if (column == ShareColumn)
            return s.fraction / m_barScale;
        if (column == PriorColumn && hasPrior)
            return s.priorMass / m_barScale;
        break;
    case ClusterIdRole:
        return qint64(s.id);
    case Qt::TextAlignmentRole:
        return column == ClusterColumn || column == MatchesColumn ? int(Qt::AlignLeft | Qt::AlignVCenter)
                                                                  : int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return toolTip(s);
    default:
        break;
    }
    return {};
}

void ClusterTableModel::setMatches(const Confusion& confusion, const Truth& truth)
{
    m_matches.clear();
    m_matchTruth.clear();
    if (confusion.scored) {
        m_matchTruth = QString::fromStdString(truth.name);
        for (size_t r = 0; r < confusion.rows.size() && r < confusion.matched.size(); ++r) {
            const int64_t cls = confusion.matched[r];
            if (cls < 0)
                continue;
            int64_t total = 0;
            for (int64_t c = 0; c < confusion.classes; ++c)
                total += confusion.at(r, c);
            const QString name = size_t(cls) < truth.classNames.size()
                ? QString::fromStdString(truth.classNames[size_t(cls)])
                : QString::number(cls);
            m_matches[confusion.rows[r]] = {name, total > 0 ? double(confusion.at(r, cls)) / double(total) : 0.0};
        }
    }
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, MatchesColumn), index(rowCount() - 1, MatchesColumn));
    Q_EMIT headerDataChanged(Qt::Horizontal, MatchesColumn, MatchesColumn);
}

QString ClusterTableModel::matchOf(int64_t clusterId) const
{
    const auto it = m_matches.find(clusterId);
    if (it == m_matches.end())
        return {};
    return tr("%1 %2%").arg(it->second.first).arg(std::lround(100 * it->second.second));
}

QVariant ClusterTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case ClusterColumn: return tr("Cluster");
        case SizeColumn: return tr("Size");
        case ShareColumn: return tr("Share");
        case PriorColumn: return tr("Prior");
        case ConfidenceColumn: return tr("Confidence");
        case MatchesColumn: return m_matchTruth.isEmpty() ? tr("Matches") : tr("Matches (%1)").arg(m_matchTruth);
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ClusterColumn:
            return m_view == ClusterModel::kCombined
                       ? tr("Categories of every label, label 0 first")
                       : tr("Category of label %1").arg(m_view);
        case SizeColumn: return tr("Samples whose argmax Q(x) is this cluster");
        case ShareColumn: return tr("Size over the dataset size");
        case PriorColumn:
            return tr("Prior mass P of the cluster (a combination: the product of its labels' masses)");
        case ConfidenceColumn: return tr("Mean max probability of Q over the cluster's samples");
        }
    }
    return {};
}

QString ClusterTableModel::toolTip(const ClusterStats& s) const
{
    QStringList lines;
    lines << tr("Cluster %1: %2 samples (%3 %)")
                 .arg(m_model->clusterName(m_view, s.id))
                 .arg(s.size)
                 .arg(100.0 * s.fraction, 0, 'f', 2);
    if (m_view == ClusterModel::kCombined) {
        const std::vector<int> cats = m_model->categoriesOf(s.id);
        QStringList parts;
        for (size_t l = 0; l < cats.size(); ++l)
            parts << tr("label %1 = %2").arg(l).arg(cats[l]);
        lines << parts.join(QStringLiteral(", "));
    }
    if (std::isfinite(s.priorMass))
        lines << tr("Prior mass %1").arg(s.priorMass, 0, 'f', 4);
    const int row = rowOf(s.id);
    if (row >= 0 && size_t(row) < m_meanPoints.size() && s.size > 0) {
        QStringList coords;
        for (double v : m_meanPoints[size_t(row)])
            coords << QString::number(v, 'f', 3);
        lines << tr("Mean point (%1)").arg(coords.join(QStringLiteral(", ")));
    }
    return lines.join(QLatin1Char('\n'));
}

BarDelegate::BarDelegate(QColor colour, QObject* parent)
    : QStyledItemDelegate(parent), m_colour(colour)
{
}

void BarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                        const QModelIndex& index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    const QVariant bar = index.data(ClusterTableModel::BarRole);
    if (!bar.isValid())
        return;
    const double length = std::clamp(bar.toDouble(), 0.0, 1.0);
    const QRect cell = option.rect.adjusted(4, 0, -4, -2);
    const int width = int(std::round(length * cell.width()));
    if (width <= 0)
        return;
    painter->save();
    painter->fillRect(QRect(cell.left(), cell.bottom() - 3, width, 3), m_colour);
    painter->restore();
}

} // namespace cgpgan::ui
