#pragma once
// File > Export animation (issue 27, "latent walks as animation"): which walk
// (z for fixed codes, a page sweep A -> B, a path of combinations), its
// frames, rate and scale, and the files (animated WebP and/or MP4). The grid's
// and the mixer's context actions open it filled in.
#include "cgpgan/values.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace cgpgan::ui {

class AnimationDialog final : public QDialog {
    Q_OBJECT
public:
    // dL, dC, resolution: the session's model; folder: where files go by default.
    AnimationDialog(int dL, int dC, int resolution, const QString& folder, QWidget* parent = nullptr);

    // Fill in a walk (kind, combinations, label and pages, rows, frames...).
    void setWalk(const LatentWalk& walk);
    // The walk as the fields say; valid() first.
    LatentWalk walk() const;
    double fps() const;
    // The files to write: the name with .webp and/or .mp4.
    QStringList paths() const;
    // "" when the fields make a walk, else what to fix.
    QString problem() const;

    void setFileStem(const QString& stem);
    void setFormats(bool webp, bool mp4);

private:
    void refresh();
    std::vector<int64_t> combinations() const;

    int m_dL, m_dC, m_resolution;
    QComboBox* m_kind;
    QLineEdit* m_combinations;
    QLabel* m_combinationsLabel;
    QSpinBox *m_label, *m_from, *m_to, *m_rows, *m_frames, *m_keyframes, *m_scale;
    QDoubleSpinBox* m_fps;
    QLineEdit* m_file;
    QCheckBox *m_webp, *m_mp4;
    QLabel* m_summary;
    QPushButton* m_ok = nullptr;
};

} // namespace cgpgan::ui
