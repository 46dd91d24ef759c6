#pragma once
// The left-hand panel: what the session is (preset, data, device, size) and
// the knobs of SPEC 4 that may change while training (learning rates, loss
// weights, the prior freeze, the step target). Edits apply from the next step.
#include "controller/controller.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace cgpgan::ui {

class KnobsPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KnobsPanel)
public:
    explicit KnobsPanel(TrainingController* controller, QWidget* parent = nullptr);

private:
    void showSession(const SessionInfo& info);
    void showKnobs(const TrainingKnobs& knobs);
    void applyKnobs();
    QDoubleSpinBox* addRate(const QString& tooltip);

    TrainingController* m_controller;
    QLabel* m_summary;
    QSpinBox* m_totalSteps;
    QDoubleSpinBox* m_lrG;
    QDoubleSpinBox* m_lrD;
    QDoubleSpinBox* m_lrQ;
    QDoubleSpinBox* m_lambdaR2;
    QDoubleSpinBox* m_lambdaCls;
    QDoubleSpinBox* m_lambdaCgp;
    QDoubleSpinBox* m_lambdaMs;
    QComboBox* m_priorMode;
    QLabel* m_applied;
    bool m_updating = false;
};

} // namespace cgpgan::ui
