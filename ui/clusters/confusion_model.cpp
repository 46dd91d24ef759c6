#include "clusters/confusion_model.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <QPainter>
#include <QPen>

#include <numeric>

namespace cgpgan::ui {
namespace {

// White to a saturated blue by share in [0, 1].
QColor heat(double share)
{
    const QColor low(255, 255, 255), high(33, 102, 172);
    auto mix = [&](int a, int b) { return int(a + (b - a) * share + 0.5); };
    return QColor(mix(low.red(), high.red()), mix(low.green(), high.green()),
                  mix(low.blue(), high.blue()));
}

} // namespace

ConfusionModel::ConfusionModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfusionModel::setConfusion(const Confusion& confusion, const Truth& truth,
                                  std::shared_ptr<const ClusterModel> model, int view)
{
    beginResetModel();
    m_confusion = confusion;
    m_classNames = truth.classNames;
    m_model = std::move(model);
    m_view = view;
    m_shown.clear();
    m_rowTotals.clear();
    m_classTotals.assign(size_t(m_confusion.classes), 0);
    for (size_t r = 0; r < m_confusion.rows.size(); ++r) {
        int64_t total = 0;
        for (int64_t k = 0; k < m_confusion.classes; ++k) {
            total += m_confusion.at(r, k);
            m_classTotals[size_t(k)] += m_confusion.at(r, k);
        }
        if (total > 0) {
            m_shown.push_back(r);
            m_rowTotals.push_back(total);
        }
    }
    endResetModel();
}

void ConfusionModel::clear()
{
    beginResetModel();
    m_confusion = {};
    m_classNames.clear();
    m_model.reset();
    m_shown.clear();
    m_rowTotals.clear();
    m_classTotals.clear();
    endResetModel();
}

int64_t ConfusionModel::shownTotal() const
{
    return std::accumulate(m_rowTotals.begin(), m_rowTotals.end(), int64_t(0));
}

int ConfusionModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_shown.size());
}

int ConfusionModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_confusion.classes);
}

QVariant ConfusionModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const size_t r = m_shown[size_t(index.row())];
    const int64_t k = index.column();
    const int64_t count = m_confusion.at(r, k);
    const int64_t rowTotal = m_rowTotals[size_t(index.row())];
    const double share = rowTotal > 0 ? double(count) / double(rowTotal) : 0.0;
    switch (role) {
    case Qt::DisplayRole:
        return count > 0 ? QVariant(QLocale().toString(qint64(count))) : QVariant(QString());
    case CountRole:
        return qint64(count);
    case MatchedRole:
        return m_confusion.matched[r] == k;
    case Qt::BackgroundRole:
        return QBrush(heat(share));
    case Qt::ForegroundRole:
        return QBrush(share > 0.5 ? QColor(Qt::white) : QColor(20, 20, 20));
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    case Qt::ToolTipRole: {
        const int64_t classTotal = m_classTotals[size_t(k)];
        QString tip = tr("Cluster %1, class %2: %3 samples\n%4 % of the cluster, %5 % of the class")
                          .arg(m_model ? m_model->clusterName(m_view, m_confusion.rows[r])
                                       : QString::number(m_confusion.rows[r]),
                               QString::fromStdString(m_classNames[size_t(k)]))
                          .arg(count)
                          .arg(100.0 * share, 0, 'f', 1)
                          .arg(classTotal > 0 ? 100.0 * double(count) / double(classTotal) : 0.0,
                               0, 'f', 1);
        if (m_confusion.matched[r] == k)
            tip += tr("\nMatched by the Hungarian assignment");
        return tip;
    }
    default:
        return {};
    }
}

QVariant ConfusionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= columnCount())
            return {};
        const QString name = QString::fromStdString(m_classNames[size_t(section)]);
        // Combined class names ("circle · red") stacked, to keep columns narrow.
        if (role == Qt::DisplayRole)
            return QString(name).replace(QStringLiteral(" \u00b7 "), QStringLiteral("\n"));
        if (role == Qt::ToolTipRole)
            return tr("%1: %2 samples").arg(name).arg(m_classTotals[size_t(section)]);
        return {};
    }
    if (section < 0 || section >= rowCount())
        return {};
    const int64_t id = m_confusion.rows[m_shown[size_t(section)]];
    if (role == Qt::DisplayRole)
        return m_model ? m_model->clusterName(m_view, id) : QString::number(id);
    if (role == Qt::ToolTipRole)
        return tr("%1 samples in this cluster").arg(m_rowTotals[size_t(section)]);
    return {};
}

ConfusionDelegate::ConfusionDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

void ConfusionDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                              const QModelIndex& index) const
{
    // The heat colour is the point of the cell: keep it under a selection
    // (only a thin frame shows the current cell).
    QStyleOptionViewItem opt(option);
    const bool selected = opt.state & QStyle::State_Selected;
    opt.state &= ~QStyle::State_Selected;
    opt.state &= ~QStyle::State_HasFocus;
    QStyledItemDelegate::paint(painter, opt, index);
    painter->save();
    if (index.data(ConfusionModel::MatchedRole).toBool()) {
        painter->setPen(QPen(QColor(230, 85, 13), 2.0));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5));
    }
    if (selected) {
        painter->setPen(QPen(option.palette.highlight().color(), 1.0, Qt::DashLine));
        painter->drawRect(QRectF(option.rect).adjusted(0.5, 0.5, -1.5, -1.5));
    }
    painter->restore();
}

} // namespace cgpgan::ui
