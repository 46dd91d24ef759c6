#pragma once
// The codebook editor (SPEC 7 "Codebook"): pick two pages A and B (label +
// category) to see them, edit them with undoable commands (copy, swap, reset
// to random, interpolate, scale), and mix each label's categories with
// sliders while a preview row of samples follows the soft code.
//
// Pages change every training step, so while training runs the panel
// re-reads the codebook every couple of seconds; edits are applied by the
// controller between two steps.
#include "codebook/page_commands.h"
#include "controller/controller.h"

#include <QWidget>

#include <cstdint>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTimer;
class QUndoStack;

namespace cgpgan::ui {

class CodeMixer;
class PagePicture;

class CodebookPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CodebookPanel)
public:
    static constexpr int kPreviewRows = 8;            // z rows in the preview
    static constexpr int kRefreshMs = 2000;           // codebook re-read while training
    static constexpr const char* kPreviewTag = "codebook-preview";

    explicit CodebookPanel(TrainingController* controller, QWidget* parent = nullptr);

    // For the main window's Edit menu (undo/redo actions).
    // Quiets the undo stack first: destroyed as a child, a stack that still
    // holds commands announces its clearing to a panel half gone.
    ~CodebookPanel() override;
    QUndoStack* undoStack() const { return m_undo; }
    CodeMixer* mixer() const { return m_mixer; }
    // The panel's copy of the codebook (empty without a codebook).
    const CodebookSnapshot& codebook() const { return m_codebook; }
    PageRef pageA() const;
    PageRef pageB() const;
    void setPageA(PageRef page);
    void setPageB(PageRef page);
    // The id of the preview result on screen (0: none yet).
    quint64 shownPreviewId() const { return m_shownPreview; }
    // The id of the newest preview request (the one a drag ends on).
    quint64 requestedPreviewId() const { return m_requestedPreview; }

    // The edits on pages A and B (what the buttons do).
    void copyAToB();
    void swapAB();
    void resetA();
    void interpolateIntoA(); // A := (1 - t) A + t B
    void scaleA();
    // The mixer's sweep from page A to page B of their label, as a walk
    // (issue 27; the other labels at category 0); empty combinations when A
    // and B are of different labels.
    LatentWalk sweepWalk() const;

Q_SIGNALS:
    // "Animate A -> B..." (issue 27).
    void animateRequested(const cgpgan::LatentWalk& walk);

protected:
    // Opened mid-training, the tab reads the model's pages at once (issue 27:
    // it showed the pages of its last read, step 0, until the next refresh).
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildPages();
    QWidget* buildOperations();
    QWidget* buildMixer();
    void onSession(const SessionInfo& info);
    void onStateChanged(TrainingController::State state);
    void onCodebook(const CodebookSnapshot& book);
    void onSamples(const SampleResult& result);
    void refreshPictures();
    void refreshEnabled();
    void requestPreview();
    void refreshFromModel();
    bool canEdit() const;
    void push(QUndoCommand* command);

    TrainingController* m_controller;
    QUndoStack* m_undo;
    CodebookSnapshot m_codebook;
    bool m_hasCodebook = false;
    bool m_spatial = true;

    QLabel* m_noCodebook = nullptr;
    QWidget* m_top = nullptr;
    QWidget* m_operations = nullptr;
    QComboBox* m_labelA = nullptr;
    QComboBox* m_categoryA = nullptr;
    QComboBox* m_labelB = nullptr;
    QComboBox* m_categoryB = nullptr;
    PagePicture* m_pictureA = nullptr;
    PagePicture* m_pictureB = nullptr;
    QDoubleSpinBox* m_t = nullptr;
    QDoubleSpinBox* m_scale = nullptr;
    QPushButton* m_copy = nullptr;
    QPushButton* m_swap = nullptr;
    QPushButton* m_reset = nullptr;
    QPushButton* m_interpolate = nullptr;
    QPushButton* m_scaleButton = nullptr;

    CodeMixer* m_mixer = nullptr;
    QLabel* m_preview = nullptr;
    QLabel* m_previewInfo = nullptr;
    uint64_t m_zSeed = 1;
    quint64 m_shownPreview = 0;
    quint64 m_requestedPreview = 0;

    QTimer* m_refresh = nullptr;
    uint64_t m_resets = 0; // seeds successive "reset to random" edits differently
};

} // namespace cgpgan::ui
