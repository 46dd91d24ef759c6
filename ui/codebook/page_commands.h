#pragma once
// Codebook page edits as undoable commands (SPEC 3 pages, SPEC 7 "edit pages
// ... with undo"). Each command computes, when it is made, the exact values
// of every page it writes (`after`) and keeps the values they replace
// (`before`), both read from the caller's CodebookSnapshot. redo() writes
// `after`, undo() writes `before`, through TrainingController::writePages(),
// which applies them to G and G_ema between two training steps.
//
// Undo means "put back what my edit replaced": it restores the values the
// page had when the edit was made, even if training has moved the page since
// (any training progress on that page after the edit is then lost).
#include "controller/controller.h"

#include <QString>
#include <QUndoCommand>

#include <cstdint>
#include <memory>
#include <vector>

namespace cgpgan::ui {

// One page of the codebook: B[label][category] (SPEC 3).
struct PageRef {
    int label = 0;
    int category = 0;
    bool operator==(const PageRef& o) const { return label == o.label && category == o.category; }
    bool operator!=(const PageRef& o) const { return !(*this == o); }
};

QString pageName(PageRef page); // "page (0, 2)": (label, category)

// A page's values copied out of a snapshot.
std::vector<float> pageValues(const CodebookSnapshot& book, PageRef page);

// The values the edits compute; pure, so tests can check them.
// N(0, 1), as pages are initialised (SPEC 3); the same seed gives the same page.
std::vector<float> randomPage(int size, uint64_t seed);
// (1 - t) * a + t * b, evaluated in double and rounded once to float: the
// float products are exact in double, so the result does not depend on
// whether the compiler fuses multiply-adds.
std::vector<float> interpolatePages(const std::vector<float>& a, const std::vector<float>& b, float t);
std::vector<float> scalePage(const std::vector<float>& page, float s);

// The common part: the before/after writes and how they are applied.
class PageEditCommand : public QUndoCommand {
public:
    void redo() override;
    void undo() override;

    const std::vector<PageWrite>& before() const { return m_before; }
    const std::vector<PageWrite>& after() const { return m_after; }

protected:
    // book: the caller's copy of the codebook, read now and kept in step with
    // every write (so that a second edit made before the controller's
    // codebookReady() arrives starts from the first one's result). It must
    // outlive the command (the panel owns both the copy and the undo stack).
    PageEditCommand(TrainingController* controller, CodebookSnapshot* book, const QString& text);
    // Records that `page` becomes `values`; its current values are kept for undo.
    void addWrite(PageRef page, std::vector<float> values);
    const CodebookSnapshot& book() const { return *m_book; }

private:
    // description: what the run's timeline records (the command's text, or "Undo: " and it).
    void apply(const std::vector<PageWrite>& writes, const QString& description);

    TrainingController* m_controller;
    CodebookSnapshot* m_book;
    std::vector<PageWrite> m_before;
    std::vector<PageWrite> m_after;
};

// target := source.
class CopyPageCommand final : public PageEditCommand {
public:
    CopyPageCommand(TrainingController* controller, CodebookSnapshot* book, PageRef source, PageRef target);
};

// a <-> b.
class SwapPagesCommand final : public PageEditCommand {
public:
    SwapPagesCommand(TrainingController* controller, CodebookSnapshot* book, PageRef a, PageRef b);
};

// page := N(0, 1) draws from `seed`.
class ResetPageCommand final : public PageEditCommand {
public:
    ResetPageCommand(TrainingController* controller, CodebookSnapshot* book, PageRef page, uint64_t seed);
};

// target := (1 - t) * a + t * b (target may be a or b).
class InterpolatePagesCommand final : public PageEditCommand {
public:
    InterpolatePagesCommand(TrainingController* controller, CodebookSnapshot* book, PageRef a, PageRef b, float t,
                            PageRef target);
};

// page := s * page.
class ScalePageCommand final : public PageEditCommand {
public:
    ScalePageCommand(TrainingController* controller, CodebookSnapshot* book, PageRef page, float s);
};

// A steering action (issue 27; config.h SteerAction) on the same undo stack
// as the page edits, so one Undo takes back the last thing a person did to
// the model. redo() applies the action through TrainingController::steer(),
// undo() asks the trainer to take back its last action (Trainer::steer with
// undo): the stack's order is the trainer's. An action the trainer refused
// (a race with training: the menu offers only what applies) changed nothing,
// so its undo does nothing and the command leaves the stack.
class SteerCommand final : public QUndoCommand {
public:
    SteerCommand(TrainingController* controller, const SteerAction& action);
    void redo() override;
    void undo() override;
    const SteerAction& action() const { return m_action; }

private:
    TrainingController* m_controller;
    SteerAction m_action;
    std::shared_ptr<bool> m_refused = std::make_shared<bool>(false);
};

} // namespace cgpgan::ui
