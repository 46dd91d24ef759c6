#pragma once
// The explorer's main window: wiring of the panels around one controller,
// the training commands, checkpoints (save, load, autosave, recent files),
// the status bar (step, rate, elapsed, ETA) and the settings that persist.
#include "controller/controller.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QMessageBox>
#include <QSet>
#include <QStringList>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

class QAction;
class QProgressDialog;
class QLabel;
class QMenu;
class QProgressBar;
class QSplitter;
class QTabWidget;
class QTimer;

namespace cgpgan {
class FolderLock;
}

namespace cgpgan::ui {

class ClusterPanel;
class CodebookPanel;
class GridPanel;
class ClusterMapPanel;
class KnobsPanel;
class EventsPanel;
class LogPanel;
class LossCharts;

class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    TrainingController* controller() { return m_controller; }
    GridPanel* gridPanel() { return m_grid; }
    ClusterPanel* clusterPanel() { return m_clusters; }
    ClusterMapPanel* clusterMapPanel() { return m_map; }

    // The built-in data on a preset (the launch default is "demo").
    void openPreset(const Config& config);
    void openCheckpointFile(const QString& path);
    // Saves (asynchronously) to path; once written it is the Save target.
    void saveCheckpointAs(const QString& path);
    // Checkpoint target for Save (empty: ask).
    QString checkpointPath() const { return m_checkpointPath; }
    // Closing without the save prompt (scripted runs, tests): the autosave
    // on close still happens when it is switched on.
    void setPromptOnClose(bool prompt) { m_promptOnClose = prompt; }
    // Answers the unsaved-training question instead of a message box (tests):
    // gets the title and text, returns Save, Discard or Cancel.
    using Question = std::function<QMessageBox::StandardButton(const QString& title, const QString& text)>;
    void setQuestionHook(Question ask) { m_ask = std::move(ask); }
    // 1 after a save on close (asked for, or the autosave) failed; the
    // explorer exits with it.
    int exitCode() const { return m_closeSaveFailed ? 1 : 0; }
    // Training speed over the last seconds of running (pauses excluded), as
    // the status bar shows it; -1 until two reports have come in.
    double stepsPerSecond() const;
    // At launch (issue 27): when an earlier session that was never saved left
    // an autosave (a crash, or a quit that discarded it), asks whether to
    // open it (or the question hook answers: Open, Discard deletes it, any
    // other answer keeps it for later). Returns whether it opened one.
    bool offerAutosaveRestore();
    // What File > Autosave's timer runs (public for tests): saves unsaved
    // training to autosaveTarget() in the background.
    void autosave();
    // Where the autosaves of sessions without a Save target go: one folder
    // per session below it (AppData/autosave/<started>-<pid>/checkpoint.pt).
    static QString autosaveRoot();
    // This session's autosave folder (empty until its first autosave).
    QString sessionAutosaveFolder() const { return m_autosaveFolder; }
    // The File menu's New session and Open, past their file dialogs.
    void newSessionWith(const Config& config);
    void openCheckpointAsked(const QString& path);
    // File > Export model, past its folder dialog: the export is written
    // between two steps; the status bar and the log say where.
    void exportModelTo(const QString& folder);
    // File > Export animation (issue 27): the dialog, filled in with walk when
    // given (the grid's and the mixer's menus), then the export with a
    // progress dialog that can cancel it.
    void exportAnimationDialog(const LatentWalk* walk = nullptr);
    // Past the dialog: writes walk to paths at fps (progress in a dialog and the status bar).
    void exportAnimationTo(const LatentWalk& walk, const QStringList& paths, double fps);
    // Where the checkpoint dialogs (Open, Save as) start: the folder of the
    // last checkpoint opened or saved, else the working folder.
    QString checkpointFolder() const;
    // Help > Keyboard shortcuts and Help > Getting started, as HTML.
    QString shortcutsHtml() const;
    static QString gettingStartedHtml();
    // Which tab the central area shows: "live", "codebook", "clusters".
    void showTab(const QString& name);

    // Below this width of the central area the Live tab stacks the grid
    // above the charts (liveOrientation()).
    static constexpr int kSideBySideWidth = 1200;
    Qt::Orientation liveOrientation() const;

protected:
    void closeEvent(QCloseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void buildActions();
    void buildMenus();
    void buildStatusBar();
    void restoreSettings();
    void saveSettings() const;

    void newSession();
    void openCheckpointDialog();
    // File > Compare with run: a checkpoint, or a run folder holding checkpoint.pt.
    void compareDialog();
    // Start, or on a run at its end, ask how far to train on first.
    void startOrTrainOn();
    bool settleUnsaved(const QString& title, const QString& question);
    bool save();
    bool saveAs();
    void saveTo(const QString& path);
    // Where an autosave goes: the Save target, or this session's own
    // autosave file (created with its folder and lock on first use; empty
    // with the reason in error when that fails).
    QString autosaveTarget(QString* error = nullptr);
    bool isSessionAutosave(const QString& path) const;
    // Lets go of this session's autosave folder: deleted when it holds
    // nothing that is not saved elsewhere, else kept (unlocked) for a later
    // launch to offer.
    void releaseSessionAutosave();
    void pruneAutosaves();
    QString askCheckpointPath();
    void exportGrid();
    void exportModelDialog();
    void addRecent(const QString& path);
    void rebuildRecentMenu();

    void onState(TrainingController::State state);
    void onSession(const SessionInfo& info);
    void onStats(const QVector<StepStats>& stats);
    void onRunEnded(RunEnd end, const QString& message);
    void onError(const QString& what, const QString& message);
    void updateStatus();
    // The title names the checkpoint (or the preset and data of a new
    // session) and carries Qt's unsaved marker [*] while the step is not saved.
    void updateTitle();
    void rememberCheckpointFolder(const QString& path);
    void showHelpPage(const QString& title, const QString& html);
    void applyPendingPick();

    TrainingController* m_controller;
    QTabWidget* m_tabs;
    QSplitter* m_live;
    GridPanel* m_grid;
    LossCharts* m_charts;
    CodebookPanel* m_codebook;
    ClusterPanel* m_clusters;
    QWidget* m_clustersTab;
    ClusterMapPanel* m_map;
    // A cluster clicked on the map, shown once the browser has an assignment.
    std::optional<std::pair<int, qint64>> m_pendingPick;
    KnobsPanel* m_knobs;
    LogPanel* m_log;
    EventsPanel* m_events = nullptr;

    QAction* m_newAction;
    QAction* m_openAction;
    QAction* m_compareAction = nullptr;
    QAction* m_saveAction;
    QAction* m_saveAsAction;
    QAction* m_exportGridAction;
    QAction* m_exportModelAction;
    QAction* m_exportAnimationAction;
    QProgressDialog* m_animationProgress = nullptr;
    quint64 m_animationRequest = 0;
    QAction* m_startAction;
    QAction* m_stepAction;
    QAction* m_stopAction;
    QAction* m_undoAction;
    QAction* m_redoAction;
    QMenu* m_recentMenu;

    QLabel* m_deviceLabel;
    QLabel* m_stateLabel;
    QLabel* m_rateLabel;
    QProgressBar* m_progress;

    QTimer* m_autosaveTimer;
    QString m_checkpointPath;
    QSet<quint64> m_pendingSaves; // saveCheckpoint() ids not yet answered
    int64_t m_savedStep = -1;     // step of the last save/load (unsaved work: step != this)
    // The session's own autosave (a session without a Save target): its
    // folder, the lock that marks it in use, and the step it holds. An
    // autosave there never counts as a save (m_savedStep).
    QString m_autosaveFolder;
    std::unique_ptr<FolderLock> m_autosaveLock;
    int64_t m_autosavedStep = -1;
    bool m_promptOnClose = true;
    Question m_ask;
    bool m_closeSaveFailed = false;
    std::optional<Config> m_lastSessionAsked; // the New session dialog's last choice

    // Rate over the last seconds of wall time: (ms since start, step, images).
    struct RatePoint {
        qint64 ms;
        int64_t step;
        int64_t images;
    };
    std::deque<RatePoint> m_rate;
    QElapsedTimer m_clock;
    qint64 m_elapsedMs = 0;       // training wall time, pauses excluded
    qint64 m_runningSinceMs = -1;
};

} // namespace cgpgan::ui
