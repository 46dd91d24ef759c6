#include "window/knobs_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace cgpgan::ui {

namespace {

QDoubleSpinBox* weightBox(const QString& tooltip)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(0.0, 1000.0);
    box->setDecimals(3);
    box->setSingleStep(0.5);
    box->setToolTip(tooltip);
    box->setKeyboardTracking(false); // apply when the edit is finished, not per keystroke
    return box;
}

} // namespace

QDoubleSpinBox* KnobsPanel::addRate(const QString& tooltip)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(0.0, 1.0);
    box->setDecimals(5);
    box->setSingleStep(0.0005);
    box->setToolTip(tooltip);
    box->setKeyboardTracking(false);
    connect(box, &QDoubleSpinBox::valueChanged, this, &KnobsPanel::applyKnobs);
    return box;
}

KnobsPanel::KnobsPanel(TrainingController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller)
{
    auto* layout = new QVBoxLayout(this);

    auto* sessionBox = new QGroupBox(tr("Session"));
    auto* sessionLayout = new QVBoxLayout(sessionBox);
    m_summary = new QLabel(tr("No session yet: File > New session."));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    sessionLayout->addWidget(m_summary);
    layout->addWidget(sessionBox);

    auto* runBox = new QGroupBox(tr("Run"));
    auto* runForm = new QFormLayout(runBox);
    m_totalSteps = new QSpinBox;
    m_totalSteps->setRange(1, 100000000);
    m_totalSteps->setSingleStep(1000);
    m_totalSteps->setKeyboardTracking(false);
    m_totalSteps->setToolTip(tr("Start trains until this step. Raise it to continue a finished run."));
    connect(m_totalSteps, &QSpinBox::valueChanged, this, [this](int v) {
        if (!m_updating)
            m_controller->setTotalSteps(v);
    });
    runForm->addRow(tr("Train until step"), m_totalSteps);
    connect(m_controller, &TrainingController::totalStepsChanged, this, [this](qint64 steps) {
        m_updating = true; // set elsewhere (Train on): show it, do not send it back
        m_totalSteps->setValue(int(std::min<qint64>(steps, m_totalSteps->maximum())));
        m_updating = false;
    });
    layout->addWidget(runBox);

    // SPEC 4: three AdamW optimizers and the loss weights.
    auto* knobsBox = new QGroupBox(tr("Knobs (apply from the next step)"));
    auto* form = new QFormLayout(knobsBox);
    m_lrG = addRate(tr("Learning rate of the generator G"));
    m_lrD = addRate(tr("Learning rate of the discriminator D"));
    m_lrQ = addRate(tr("Learning rate of the classifier Q"));
    m_lambdaR2 = weightBox(tr("Weight of the R2 gradient penalty on fakes in L_D (SPEC 4.4, 4.6)"));
    m_lambdaCls = weightBox(tr("Weight of Q's classification loss on fakes in L_Q (SPEC 4.5, 4.6)"));
    m_lambdaCgp = weightBox(tr("Weight of the classifier gradient penalty in L_Q (SPEC 4.5, 4.6)"));
    m_lambdaMs = weightBox(tr("Weight of mode seeking in L_G (train.lambda_ms, MSGAN): pushes samples of one "
                              "combination apart so that G keeps using z. Raise it when the z-diversity under the "
                              "grid falls towards 0; too high and G ignores the code instead. 0 = off (the paper)."));
    for (auto* box : {m_lambdaR2, m_lambdaCls, m_lambdaCgp, m_lambdaMs})
        connect(box, &QDoubleSpinBox::valueChanged, this, &KnobsPanel::applyKnobs);
    m_priorMode = new QComboBox;
    m_priorMode->addItem(tr("Follow the schedule"), int(TrainingKnobs::PriorMode::Auto));
    m_priorMode->addItem(tr("Frozen"), int(TrainingKnobs::PriorMode::Frozen));
    m_priorMode->addItem(tr("Follow Q now"), int(TrainingKnobs::PriorMode::Free));
    m_priorMode->setToolTip(tr("The dynamic prior P (SPEC 4.9): frozen until prior_start, then it tracks "
                               "Q's predictions on real data."));
    connect(m_priorMode, &QComboBox::currentIndexChanged, this, &KnobsPanel::applyKnobs);
    form->addRow(tr("lr G"), m_lrG);
    form->addRow(tr("lr D"), m_lrD);
    form->addRow(tr("lr Q"), m_lrQ);
    form->addRow(tr("λ r2"), m_lambdaR2);
    form->addRow(tr("λ cls"), m_lambdaCls);
    form->addRow(tr("λ cgp"), m_lambdaCgp);
    form->addRow(tr("λ ms"), m_lambdaMs);
    form->addRow(tr("Prior"), m_priorMode);
    m_applied = new QLabel;
    m_applied->setWordWrap(true);
    m_applied->setStyleSheet(QStringLiteral("color: palette(mid)"));
    form->addRow(m_applied);
    layout->addWidget(knobsBox);
    layout->addStretch(1);

    setEnabled(false);
    connect(controller, &TrainingController::sessionReady, this, &KnobsPanel::showSession);
    connect(controller, &TrainingController::knobsApplied, this, [this](const TrainingKnobs&) {
        m_applied->setText(tr("Sent to the trainer; used from step %1.").arg(m_controller->step() + 1));
    });
    connect(controller, &TrainingController::stateChanged, this, [this](TrainingController::State s) {
        setEnabled(s != TrainingController::State::Empty && s != TrainingController::State::Loading);
    });
}

void KnobsPanel::showSession(const SessionInfo& info)
{
    const auto& m = info.config.model;
    const QString model = m.arch == Arch::Mlp ? tr("MLP, %1-d points").arg(m.channels)
                                          : tr("%1x%1, %2 channel(s)").arg(m.resolution).arg(m.channels);
    m_summary->setText(tr("<b>%1</b> (%2)<br>%3, %4 samples%5<br>%6<br>d_l = %7, d_c = %8 (%9 combinations), "
                          "%10, %11<br>%12 parameters, batch %13")
                           .arg(QString::fromStdString(info.config.preset),
                                QString::fromStdString(m.mode == GanMode::Vanilla ? "vanilla GAN" : "CGPGAN"),
                                info.datasetName.toHtmlEscaped())
                           .arg(info.datasetCount)
                           .arg(info.datasetHasLabels ? tr(", labelled") : QString())
                           .arg(info.deviceName)
                           .arg(m.dL)
                           .arg(m.dC)
                           .arg(info.combinations())
                           .arg(m.codebook ? tr("codebook") : tr("one-hot code"), model)
                           .arg(info.parameters)
                           .arg(info.config.train.batch));
    m_updating = true;
    m_totalSteps->setValue(int(std::min<int64_t>(info.totalSteps, m_totalSteps->maximum())));
    m_updating = false;
    showKnobs(m_controller->knobs());
    m_applied->clear();
    setEnabled(true);
    // Mode seeking pairs G's batch in halves: not for an odd batch.
    m_lambdaMs->setEnabled(info.config.train.batch % 2 == 0);
}

void KnobsPanel::showKnobs(const TrainingKnobs& knobs)
{
    m_updating = true;
    m_lrG->setValue(knobs.lrG);
    m_lrD->setValue(knobs.lrD);
    m_lrQ->setValue(knobs.lrQ);
    m_lambdaR2->setValue(knobs.lambdaR2);
    m_lambdaCls->setValue(knobs.lambdaCls);
    m_lambdaCgp->setValue(knobs.lambdaCgp);
    m_lambdaMs->setValue(knobs.lambdaMs);
    m_priorMode->setCurrentIndex(m_priorMode->findData(int(knobs.priorMode)));
    m_updating = false;
}

void KnobsPanel::applyKnobs()
{
    if (m_updating)
        return;
    TrainingKnobs k;
    k.lrG = m_lrG->value();
    k.lrD = m_lrD->value();
    k.lrQ = m_lrQ->value();
    k.lambdaR2 = m_lambdaR2->value();
    k.lambdaCls = m_lambdaCls->value();
    k.lambdaCgp = m_lambdaCgp->value();
    k.lambdaMs = m_lambdaMs->value();
    k.priorMode = TrainingKnobs::PriorMode(m_priorMode->currentData().toInt());
    m_controller->setKnobs(k);
}

} // namespace cgpgan::ui
