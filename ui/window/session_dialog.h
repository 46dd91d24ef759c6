#pragma once
// "New session": a preset, the data to train on, the length and the device.
// The dialog builds a validated Config; loading the data happens in the
// controller, whose errors the main window shows.
#include "cgpgan/config.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace cgpgan::ui {

class SessionDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionDialog)
public:
    explicit SessionDialog(QWidget* parent = nullptr);

    // Starts from this config (e.g. the last session's).
    void setConfig(const Config& config);
    // The chosen config; only meaningful after accept().
    Config config() const { return m_result; }

    void accept() override;

private:
    void presetChosen();
    void kindChosen();
    DataKind currentKind() const;
    void browse();
    // Builds the config from the widgets; "" or what is wrong.
    QString build(Config& out) const;

    QComboBox* m_preset;
    QLabel* m_description;
    QComboBox* m_kind;
    QLineEdit* m_path;
    QPushButton* m_browse;
    QComboBox* m_split;
    QSpinBox* m_count;
    QSpinBox* m_steps;
    QSpinBox* m_batch;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QLabel* m_problem;
    Config m_result;
};

} // namespace cgpgan::ui
