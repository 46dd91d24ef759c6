// MainWindow's file lifecycle: sessions (new, open, recent), saving, autosave,
// export, and settling unsaved work before a session is replaced or closed.
#include "window/main_window.h"

#include "charts/loss_charts.h"
#include "clusters/cluster_map_panel.h"
#include "clusters/cluster_panel.h"
#include "codebook/codebook_panel.h"
#include "grid/grid_panel.h"
#include "window/knobs_panel.h"
#include "window/log_panel.h"
#include "window/session_dialog.h"
#include "window/animation_dialog.h"

#include "cgpgan/error.h"
#include "cgpgan/folder_lock.h"

#include <spdlog/spdlog.h>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QProgressDialog>
#include <QUndoStack>

namespace cgpgan::ui {

namespace {

constexpr int kMaxRecent = 8;

// Whether a running explorer holds this autosave folder's lock (FolderLock
// fails to take it); taking it here and letting go at once changes nothing.
bool inUseByAnotherExplorer(const QString& folder)
{
    try {
        FolderLock probe(folder.toStdString(), "cgpgan-explorer");
        return false;
    } catch (const std::exception&) {
        return true;
    }
}

} // namespace

// ---------------------------------------------------------------- autosave
//
// Issue 27. A session with a Save target autosaves to it (the file the person
// chose). A session without one autosaves into a folder of its own below
// autosaveRoot(), locked (FolderLock) while the session lives; that copy
// never clears the unsaved mark, is listed in Open recent, and survives a
// crash or a quit that discarded the work: the next launch offers it
// (offerAutosaveRestore). It is deleted once the work it holds is saved.

QString MainWindow::autosaveRoot()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("autosave"));
}

bool MainWindow::isSessionAutosave(const QString& path) const
{
    return !m_autosaveFolder.isEmpty() && QFileInfo(path).absolutePath() == QFileInfo(m_autosaveFolder).absoluteFilePath();
}

QString MainWindow::autosaveTarget(QString* error)
{
    if (!m_checkpointPath.isEmpty())
        return m_checkpointPath;
    if (m_autosaveFolder.isEmpty()) {
        const QString folder = QDir(autosaveRoot()).filePath(
            QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")) + '-' +
            QString::number(QCoreApplication::applicationPid()));
        try {
            if (!QDir().mkpath(folder))
                throw Error("cannot create the autosave folder " + folder.toStdString());
            m_autosaveLock = std::make_unique<FolderLock>(folder.toStdString(), "cgpgan-explorer autosave");
        } catch (const std::exception& e) {
            if (error)
                *error = QString::fromStdString(userMessage(e));
            return {};
        }
        m_autosaveFolder = folder;
        m_autosavedStep = -1;
    }
    return QDir(m_autosaveFolder).filePath(QStringLiteral("checkpoint.pt"));
}

void MainWindow::releaseSessionAutosave()
{
    if (m_autosaveFolder.isEmpty())
        return;
    const bool holdsUnsaved = m_autosavedStep >= 0 && m_autosavedStep != m_savedStep &&
                              QFileInfo::exists(QDir(m_autosaveFolder).filePath(QStringLiteral("checkpoint.pt")));
    m_autosaveLock.reset();
    if (holdsUnsaved) {
        pruneAutosaves();
        spdlog::info("the autosave of step {} of an unsaved session stays in {}; the next launch offers it",
                     m_autosavedStep, m_autosaveFolder.toStdString());
    } else {
        QDir(m_autosaveFolder).removeRecursively();
    }
    m_autosaveFolder.clear();
    m_autosavedStep = -1;
}

// At most kKeptAutosaves autosaves of unsaved sessions stay (scripted runs
// and discarded sessions leave one each): older ones that no running
// explorer holds are deleted.
void MainWindow::pruneAutosaves()
{
    constexpr int kKeptAutosaves = 5;
    const QFileInfoList folders =
        QDir(autosaveRoot()).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    int kept = 0;
    for (const QFileInfo& folder : folders) {
        if (folder.absoluteFilePath() == QFileInfo(m_autosaveFolder).absoluteFilePath() || kept++ < kKeptAutosaves)
            continue;
        if (inUseByAnotherExplorer(folder.absoluteFilePath()))
            continue;
        spdlog::info("removing the old autosave {}", folder.absoluteFilePath().toStdString());
        QDir(folder.absoluteFilePath()).removeRecursively();
    }
}

bool MainWindow::offerAutosaveRestore()
{
    pruneAutosaves();
    // The newest autosave folder that no running explorer holds.
    QDir root(autosaveRoot());
    const QFileInfoList folders = root.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QFileInfo& folder : folders) {
        const QString checkpoint = QDir(folder.absoluteFilePath()).filePath(QStringLiteral("checkpoint.pt"));
        if (!QFileInfo::exists(checkpoint))
            continue;
        if (inUseByAnotherExplorer(folder.absoluteFilePath()))
            continue;
        const QString when = QFileInfo(checkpoint).lastModified().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        const QString title = tr("Restore an unsaved session?");
        const QString text = tr("A session that was never saved left an autosave (written %1):\n%2\n\n"
                                "Open it to go on where it stopped, discard it, or keep it for later "
                                "(File > Open recent lists it).")
                                 .arg(when, checkpoint);
        if (!m_ask && !m_promptOnClose) {
            spdlog::info("an unsaved session's autosave is kept at {}", checkpoint.toStdString());
            return false;
        }
        const auto answer = m_ask ? m_ask(title, text)
                                  : QMessageBox::question(this, title, text,
                                                          QMessageBox::Open | QMessageBox::Discard | QMessageBox::Ignore,
                                                          QMessageBox::Open);
        if (answer == QMessageBox::Open) {
            openCheckpointFile(checkpoint);
            return true;
        }
        if (answer == QMessageBox::Discard)
            QDir(folder.absoluteFilePath()).removeRecursively();
        return false;
    }
    return false;
}

// ---------------------------------------------------------------- sessions

void MainWindow::openPreset(const Config& config)
{
    // The Save target changes when the session has opened (onSession: a new
    // session has none). Cleared here, a session that failed to open left the
    // open one without its file, and Ctrl+S asked for a new one (issue 27).
    m_controller->openSession(config);
}

void MainWindow::openCheckpointFile(const QString& path)
{
    // The Save target changes when the checkpoint has loaded (onSession): a
    // file that failed to open is never overwritten by the next Save.
    m_controller->openCheckpoint(path);
}

void MainWindow::newSession()
{
    SessionDialog dialog(this);
    // The last choice made in this dialog (also when that session failed to
    // open: its data kind and path are what to fix), else the open session's.
    if (m_lastSessionAsked)
        dialog.setConfig(*m_lastSessionAsked);
    else if (m_controller->hasSession())
        dialog.setConfig(m_controller->session().config);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_lastSessionAsked = dialog.config();
    newSessionWith(dialog.config());
}

void MainWindow::newSessionWith(const Config& config)
{
    if (!settleUnsaved(tr("Save before starting a new session?"),
                       tr("The model has trained to step %1 since it was last saved. Save a checkpoint "
                          "before the new session replaces it?")
                           .arg(m_controller->step())))
        return;
    m_controller->stopAndWait();
    openPreset(config);
}

void MainWindow::openCheckpointDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), checkpointFolder(),
                                                      tr("Checkpoints (*.pt);;All files (*)"));
    if (path.isEmpty())
        return;
    openCheckpointAsked(path);
}

void MainWindow::compareDialog()
{
    QString path = QFileDialog::getOpenFileName(this, tr("Compare with run"), checkpointFolder(),
                                                tr("Checkpoints (*.pt);;All files (*)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).isDir()) // a run folder
        path = QDir(path).filePath(QStringLiteral("checkpoint.pt"));
    m_controller->openComparison(path); // errors come back through errorOccurred, in a dialog
}

void MainWindow::openCheckpointAsked(const QString& path)
{
    if (!settleUnsaved(tr("Save before opening?"),
                       tr("The model has trained to step %1 since it was last saved. Save a checkpoint "
                          "before %2 replaces it?")
                           .arg(m_controller->step())
                           .arg(QFileInfo(path).fileName())))
        return;
    m_controller->stopAndWait();
    openCheckpointFile(path);
}

// Before the session is replaced or the window closes (issue 11): training
// since the last save is never thrown away without asking. Save writes it
// now (a failure shows why and cancels); Discard goes on; Cancel stops.
// Scripted runs (no prompt) autosave instead when autosave is on; a failed
// autosave is logged and makes the explorer exit 1. Returns whether to go on.
bool MainWindow::settleUnsaved(const QString& title, const QString& question)
{
    const bool unsaved = m_controller->hasSession() && m_controller->step() != m_savedStep;
    if (!unsaved)
        return true;
    if (!m_promptOnClose && !m_ask) {
        if (QSettings().value("autosave/minutes", 10).toInt() <= 0)
            return true;
        m_controller->stopAndWait();
        QString error;
        const QString path = autosaveTarget(&error);
        if (error.isEmpty())
            error = m_controller->saveCheckpointNow(path);
        if (error.isEmpty()) {
            spdlog::info("autosaved to {}", path.toStdString());
            if (isSessionAutosave(path))
                m_autosavedStep = m_controller->step(); // a copy: kept for the next launch
            else
                m_savedStep = m_controller->step();
        } else {
            m_closeSaveFailed = true;
            onError(tr("Autosave to %1 failed; the training since step %2 is lost").arg(path).arg(m_savedStep),
                    error);
        }
        return true;
    }
    const auto answer = m_ask ? m_ask(title, question)
                              : QMessageBox::question(this, title, question,
                                                      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                                      QMessageBox::Save);
    if (answer == QMessageBox::Discard)
        return true;
    if (answer != QMessageBox::Save)
        return false;
    m_controller->stopAndWait();
    QString path = m_checkpointPath;
    if (path.isEmpty())
        path = askCheckpointPath();
    if (path.isEmpty())
        return false;
    const QString error = m_controller->saveCheckpointNow(path);
    if (!error.isEmpty()) {
        onError(tr("Could not save %1").arg(path), error); // the session stays; try another place
        return false;
    }
    m_checkpointPath = path;
    m_savedStep = m_controller->step();
    addRecent(path);
    rememberCheckpointFolder(path);
    updateTitle();
    return true;
}

QString MainWindow::askCheckpointPath()
{
    const QString name = m_checkpointPath.isEmpty() ? QStringLiteral("checkpoint.pt") : QFileInfo(m_checkpointPath).fileName();
    return QFileDialog::getSaveFileName(this, tr("Save checkpoint"), QDir(checkpointFolder()).filePath(name),
                                        tr("Checkpoints (*.pt)"));
}

QString MainWindow::checkpointFolder() const
{
    const QString folder = QSettings().value("dialogs/checkpointFolder").toString();
    return !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : QDir::currentPath();
}

void MainWindow::rememberCheckpointFolder(const QString& path)
{
    QSettings().setValue("dialogs/checkpointFolder", QFileInfo(path).absolutePath());
}

void MainWindow::updateTitle()
{
    if (!m_controller->hasSession()) {
        setWindowTitle(tr("CGPGAN Explorer"));
        setWindowModified(false);
        return;
    }
    const auto& info = m_controller->session();
    const QString what = m_checkpointPath.isEmpty()
        ? tr("%1 on %2 (not saved)").arg(QString::fromStdString(info.config.preset), info.datasetName)
        : QFileInfo(m_checkpointPath).fileName();
    // [*] is where Qt puts "*" while windowModified is set.
    setWindowTitle(tr("%1[*] \u2014 CGPGAN Explorer").arg(what));
    setWindowModified(m_controller->step() != m_savedStep);
}

bool MainWindow::save()
{
    if (m_checkpointPath.isEmpty())
        return saveAs();
    saveTo(m_checkpointPath);
    return true;
}

void MainWindow::saveTo(const QString& path)
{
    m_pendingSaves.insert(m_controller->saveCheckpoint(path));
    statusBar()->showMessage(tr("Saving %1...").arg(path));
}

void MainWindow::saveCheckpointAs(const QString& path)
{
    saveTo(path);
}

bool MainWindow::saveAs()
{
    const QString path = askCheckpointPath();
    if (path.isEmpty())
        return false;
    saveTo(path);
    return true;
}

void MainWindow::exportGrid()
{
    m_grid->exportWithDialog();
}

void MainWindow::exportModelDialog()
{
    QSettings settings;
    const QString last = settings.value("export/lastFolder", QDir::currentPath()).toString();
    // A name for a new folder, or an existing folder (issue 27: only
    // existing folders could be chosen); the export makes the folder.
    const QString suggested = QDir(last).filePath(QStringLiteral("model-step%1").arg(m_controller->step()));
    const QString folder = QFileDialog::getSaveFileName(this, tr("Export model into folder (made if new)"), suggested,
                                                        QString(), nullptr, QFileDialog::DontConfirmOverwrite);
    if (folder.isEmpty())
        return;
    if (QFileInfo(folder).exists() && !QFileInfo(folder).isDir()) {
        onError(tr("Could not export the model"),
                tr("%1 is a file: choose a folder, or a name for a new one.").arg(folder));
        return;
    }
    settings.setValue("export/lastFolder", QFileInfo(folder).absolutePath());
    exportModelTo(folder);
}

void MainWindow::exportAnimationDialog(const LatentWalk* walk)
{
    if (!m_controller->hasSession())
        return;
    const SessionInfo& info = m_controller->session();
    if (!info.images()) {
        onError(tr("Could not export an animation"), tr("This model makes points, not images: nothing to animate."));
        return;
    }
    QSettings settings;
    const QString folder = settings.value("export/animationFolder", QDir::currentPath()).toString();
    AnimationDialog dialog(info.dL(), info.dC(), info.config.model.resolution, folder, this);
    if (walk)
        dialog.setWalk(*walk);
    dialog.setFileStem(QDir(folder).filePath(QStringLiteral("walk-step%1").arg(m_controller->step())));
    if (dialog.exec() != QDialog::Accepted)
        return;
    settings.setValue("export/animationFolder", QFileInfo(dialog.paths().value(0)).absolutePath());
    exportAnimationTo(dialog.walk(), dialog.paths(), dialog.fps());
}

void MainWindow::exportAnimationTo(const LatentWalk& walk, const QStringList& paths, double fps)
{
    if (m_animationRequest != 0) {
        onError(tr("Could not export an animation"), tr("An animation is being written: wait for it, or cancel it."));
        return;
    }
    m_animationRequest = m_controller->exportAnimation(walk, paths, fps);
    m_animationProgress = new QProgressDialog(tr("Rendering the frames..."), tr("Cancel"), 0, walk.frames, this);
    m_animationProgress->setWindowTitle(tr("Export animation"));
    m_animationProgress->setMinimumDuration(0);
    m_animationProgress->setAutoClose(false);
    m_animationProgress->setAutoReset(false);
    connect(m_animationProgress, &QProgressDialog::canceled, m_controller, &TrainingController::cancelAnimation);
    statusBar()->showMessage(tr("Writing %1...").arg(paths.join(QStringLiteral(", "))));
}

void MainWindow::exportModelTo(const QString& folder)
{
    m_controller->exportModel(folder);
    statusBar()->showMessage(tr("Exporting to %1...").arg(folder));
}

void MainWindow::autosave()
{
    if (!m_controller->hasSession() || m_controller->step() == m_savedStep || m_controller->step() == m_autosavedStep)
        return;
    if (!m_pendingSaves.isEmpty())
        return; // the last save is still being written
    QString error;
    const QString path = autosaveTarget(&error);
    if (path.isEmpty()) {
        onError(tr("Autosave failed"), error);
        return;
    }
    m_pendingSaves.insert(m_controller->saveCheckpoint(path));
    statusBar()->showMessage(tr("Autosaving to %1").arg(path), 5000);
}

void MainWindow::addRecent(const QString& path)
{
    QSettings s;
    QStringList recent = s.value("recentFiles").toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue("recentFiles", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    for (const QString& path : recent) {
        auto* a = m_recentMenu->addAction(QFileInfo(path).fileName() + QStringLiteral("  (") + path + ')');
        a->setEnabled(QFileInfo::exists(path));
        connect(a, &QAction::triggered, this, [this, path] { openCheckpointAsked(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

} // namespace cgpgan::ui
