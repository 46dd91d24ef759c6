#pragma once
// The soft-code mixer (SPEC 3, SPEC 7 "sliders mix pages"): per label, one
// slider per category. The label's code is the slider values normalised to
// sum 1; the generator then feeds sum_k c[l,k] * B[l,k,:] (with a codebook)
// or the soft code itself (without one), so the sliders work in both modes.
#include <QWidget>

#include <vector>

class QGridLayout;
class QLabel;
class QSlider;

namespace cgpgan::ui {

// One label's soft code: the weights divided by their sum; all zero (or any
// negative input treated as zero) gives the uniform code 1/d_c.
std::vector<float> normaliseWeights(const std::vector<int>& weights);

class CodeMixer final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CodeMixer)
public:
    static constexpr int kSliderMax = 100;

    explicit CodeMixer(QWidget* parent = nullptr);

    // New shape (a new session): every label one-hot on category 0.
    void rebuild(int dL, int dC);
    int labels() const { return m_dL; }
    int categories() const { return m_dC; }

    // d_l * d_c floats, label-major; each label's d_c entries sum to 1.
    std::vector<float> code() const;
    std::vector<int> sliderValues(int label) const;
    void setSliderValues(int label, const std::vector<int>& values);
    void setOneHot(int label, int category);
    QSlider* slider(int label, int category) const;
    // What a category's read-out says ("0.40 -> 57.1 %": weight, share) and
    // the label's note (how the shares come about, or why they do not move).
    QString readout(int label, int category) const;
    QString note(int label) const;
    // The height that shows one label's group whole (buttons, every slider, note).
    int groupHeight() const;

Q_SIGNALS:
    // Any slider moved (dragging emits on every step) or a button reset a label.
    void codeChanged();

private:
    struct LabelRow {
        std::vector<QSlider*> sliders;
        std::vector<QLabel*> weights;
        QLabel* note = nullptr;
    };
    void refreshWeights(int label);
    int dominantCategory(int label) const;

    QGridLayout* m_layout = nullptr;
    QWidget* m_content = nullptr;
    std::vector<LabelRow> m_rows;
    int m_dL = 0, m_dC = 0;
};

} // namespace cgpgan::ui
