#include "codebook/code_mixer.h"

#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace cgpgan::ui {

namespace {
constexpr int kMaxGroupColumns = 4; // label groups per row before wrapping
}

std::vector<float> normaliseWeights(const std::vector<int>& weights)
{
    std::vector<float> code(weights.size());
    if (weights.empty())
        return code;
    double sum = 0;
    for (int w : weights)
        sum += std::max(0, w);
    if (sum <= 0) {
        std::fill(code.begin(), code.end(), float(1.0 / double(weights.size())));
        return code;
    }
    for (size_t k = 0; k < weights.size(); ++k)
        code[k] = float(std::max(0, weights[k]) / sum);
    return code;
}

CodeMixer::CodeMixer(QWidget* parent) : QWidget(parent)
{
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
}

void CodeMixer::rebuild(int dL, int dC)
{
    delete m_content;
    m_rows.clear();
    m_dL = std::max(0, dL);
    m_dC = std::max(0, dC);
    m_content = new QWidget(this);
    m_layout = new QGridLayout(m_content);
    m_layout->setContentsMargins(0, 0, 0, 0);
    layout()->addWidget(m_content);

    const int groupColumns = std::max(1, std::min(m_dL, kMaxGroupColumns));
    for (int l = 0; l < m_dL; ++l) {
        auto* group = new QGroupBox(tr("Label %1").arg(l), m_content);
        auto* grid = new QGridLayout(group);
        grid->setHorizontalSpacing(6);
        grid->setVerticalSpacing(2);

        auto* buttons = new QHBoxLayout;
        auto* oneHot = new QPushButton(tr("One-hot"), group);
        oneHot->setToolTip(tr("Put all the weight on the strongest category"));
        auto* even = new QPushButton(tr("Even"), group);
        even->setToolTip(tr("Equal weight on every category"));
        buttons->addWidget(oneHot);
        buttons->addWidget(even);
        buttons->addStretch(1);
        grid->addLayout(buttons, 0, 0, 1, 3);

        LabelRow row;
        for (int k = 0; k < m_dC; ++k) {
            auto* name = new QToolButton(group);
            name->setText(tr("c%1").arg(k));
            name->setAutoRaise(true);
            name->setToolTip(tr("Category %1 only").arg(k));
            auto* slider = new QSlider(Qt::Horizontal, group);
            slider->setRange(0, kSliderMax);
            slider->setMinimumWidth(100);
            auto* weight = new QLabel(group);
            weight->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            // "weight -> share": the slider's own value and what the code uses.
            weight->setMinimumWidth(weight->fontMetrics().horizontalAdvance(QStringLiteral("1.00 \u2192 100.0 %")) + 4);
            grid->addWidget(name, k + 1, 0);
            grid->addWidget(slider, k + 1, 1);
            grid->addWidget(weight, k + 1, 2);
            row.sliders.push_back(slider);
            row.weights.push_back(weight);

            connect(name, &QToolButton::clicked, this, [this, l, k] { setOneHot(l, k); });
            connect(slider, &QSlider::valueChanged, this, [this, l] {
                refreshWeights(l);
                Q_EMIT codeChanged();
            });
        }
        grid->setColumnStretch(1, 1);
        row.note = new QLabel(group);
        row.note->setForegroundRole(QPalette::PlaceholderText);
        row.note->setWordWrap(true);
        grid->addWidget(row.note, m_dC + 1, 0, 1, 3);
        m_rows.push_back(row);

        connect(oneHot, &QPushButton::clicked, this, [this, l] { setOneHot(l, dominantCategory(l)); });
        connect(even, &QPushButton::clicked, this,
                [this, l] { setSliderValues(l, std::vector<int>(size_t(m_dC), kSliderMax)); });
        m_layout->addWidget(group, l / groupColumns, l % groupColumns, Qt::AlignTop);
    }
    m_layout->setRowStretch(m_dL / groupColumns + 1, 1);

    for (int l = 0; l < m_dL; ++l) {
        std::vector<int> values(size_t(m_dC), 0);
        if (m_dC > 0)
            values[0] = kSliderMax;
        for (int k = 0; k < m_dC; ++k) {
            const QSignalBlocker block(m_rows[size_t(l)].sliders[size_t(k)]);
            m_rows[size_t(l)].sliders[size_t(k)]->setValue(values[size_t(k)]);
        }
        refreshWeights(l);
    }
}

std::vector<float> CodeMixer::code() const
{
    std::vector<float> code;
    code.reserve(size_t(m_dL) * m_dC);
    for (int l = 0; l < m_dL; ++l) {
        const auto weights = normaliseWeights(sliderValues(l));
        code.insert(code.end(), weights.begin(), weights.end());
    }
    return code;
}

std::vector<int> CodeMixer::sliderValues(int label) const
{
    std::vector<int> values;
    if (label < 0 || label >= m_dL)
        return values;
    for (const QSlider* s : m_rows[size_t(label)].sliders)
        values.push_back(s->value());
    return values;
}

void CodeMixer::setSliderValues(int label, const std::vector<int>& values)
{
    if (label < 0 || label >= m_dL || int(values.size()) != m_dC)
        return;
    // One codeChanged() for the whole label, not one per slider.
    for (int k = 0; k < m_dC; ++k) {
        QSlider* s = m_rows[size_t(label)].sliders[size_t(k)];
        const QSignalBlocker block(s);
        s->setValue(values[size_t(k)]);
    }
    refreshWeights(label);
    Q_EMIT codeChanged();
}

void CodeMixer::setOneHot(int label, int category)
{
    if (category < 0 || category >= m_dC)
        return;
    std::vector<int> values(size_t(m_dC), 0);
    values[size_t(category)] = kSliderMax;
    setSliderValues(label, values);
}

QSlider* CodeMixer::slider(int label, int category) const
{
    if (label < 0 || label >= m_dL || category < 0 || category >= m_dC)
        return nullptr;
    return m_rows[size_t(label)].sliders[size_t(category)];
}

// Each slider shows its raw weight and the share of the label's code it gets
// (issue 12: the read-out used to show only the share, so dragging the one
// non-zero slider down changed nothing visible and seemed broken).
void CodeMixer::refreshWeights(int label)
{
    const auto values = sliderValues(label);
    const auto shares = normaliseWeights(values);
    auto& row = m_rows[size_t(label)];
    int sum = 0;
    for (int v : values)
        sum += std::max(0, v);
    for (int k = 0; k < m_dC; ++k) {
        const double weight = double(values[size_t(k)]) / kSliderMax;
        const double share = 100.0 * double(shares[size_t(k)]);
        row.weights[size_t(k)]->setText(QStringLiteral("%1 \u2192 %2 %").arg(weight, 0, 'f', 2).arg(share, 0, 'f', 1));
        const QString tip = tr("Weight %1 of %2 in all: category %3 gets %4 % of label %5's code")
                                .arg(weight, 0, 'f', 2).arg(double(sum) / kSliderMax, 0, 'f', 2).arg(k)
                                .arg(share, 0, 'f', 1).arg(label);
        row.weights[size_t(k)]->setToolTip(tip);
        row.sliders[size_t(k)]->setToolTip(tip);
    }
    int nonZero = 0;
    for (int v : values)
        nonZero += v > 0 ? 1 : 0;
    row.note->setText(sum == 0 ? tr("All weights are 0: the code is even (%1 % each).").arg(100.0 / m_dC, 0, 'f', 1)
                      : nonZero == 1 ? tr("One category has all the weight: its share stays 100 % whatever its "
                                          "weight. Raise another slider to mix.")
                                     : tr("Shares are each weight divided by the sum of the weights."));
}

QString CodeMixer::readout(int label, int category) const
{
    if (label < 0 || label >= m_dL || category < 0 || category >= m_dC)
        return {};
    return m_rows[size_t(label)].weights[size_t(category)]->text();
}

QString CodeMixer::note(int label) const
{
    return label >= 0 && label < m_dL ? m_rows[size_t(label)].note->text() : QString();
}

int CodeMixer::groupHeight() const
{
    int height = 0;
    for (auto* group : m_content ? m_content->findChildren<QGroupBox*>() : QList<QGroupBox*>{})
        height = std::max(height, group->sizeHint().height());
    return height;
}

int CodeMixer::dominantCategory(int label) const
{
    const auto values = sliderValues(label);
    if (values.empty())
        return 0;
    return int(std::max_element(values.begin(), values.end()) - values.begin());
}

} // namespace cgpgan::ui
