#include "window/main_window.h"

#include "charts/loss_charts.h"
#include "clusters/cluster_map_panel.h"
#include "clusters/cluster_panel.h"
#include "codebook/codebook_panel.h"
#include "grid/grid_panel.h"
#include "window/knobs_panel.h"
#include "window/log_panel.h"
#include "window/session_dialog.h"

#include <spdlog/spdlog.h>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
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
#include <QUndoStack>

namespace cgpgan::ui {

namespace {

constexpr int kMaxRecent = 8;

QString formatDuration(qint64 seconds)
{
    if (seconds < 0)
        return QStringLiteral("--:--");
    const qint64 h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
    return h > 0 ? QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'))
                 : QStringLiteral("%1:%2").arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
}

QString autosavePath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath(QStringLiteral("autosave.pt"));
}

// A page that scrolls when the window is smaller than the page's minimum
// size (issue 12: from 1024x640 up), instead of forcing the window wider.
QScrollArea* scrollable(QWidget* page)
{
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(page);
    return scroll;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("CGPGAN Explorer"));
    setObjectName(QStringLiteral("MainWindow"));
    m_clock.start();

    m_log = new LogPanel;
    m_log->attachToLoggers();
    m_controller = new TrainingController(this);
    m_controller->setAutomaticThreads(std::max(1, QThread::idealThreadCount() - 1));

    m_grid = new GridPanel(m_controller);
    m_charts = new LossCharts(m_controller);
    m_codebook = new CodebookPanel(m_controller);
    m_clusters = new ClusterPanel(m_controller);
    m_map = new ClusterMapPanel(m_controller);
    m_knobs = new KnobsPanel(m_controller);

    auto* live = new QSplitter(Qt::Horizontal);
    live->setObjectName(QStringLiteral("liveSplitter"));
    live->addWidget(m_grid);
    live->addWidget(m_charts);
    live->setStretchFactor(0, 5);
    live->setStretchFactor(1, 6);
    m_tabs = new QTabWidget;
    m_live = live;
    m_tabs->addTab(scrollable(live), tr("Live: samples and losses"));
    m_tabs->addTab(scrollable(m_codebook), tr("Codebook"));
    m_clustersTab = scrollable(m_clusters);
    m_tabs->addTab(m_clustersTab, tr("Clusters"));
    m_tabs->addTab(scrollable(m_map), tr("Cluster map"));
    // A click on the map shows that cluster in the browser (assigning first
    // when nothing is assigned yet); the browser's cluster is outlined on the map.
    connect(m_map, &ClusterMapPanel::clusterPicked, this, [this](int view, qint64 cluster) {
        m_pendingPick = {view, cluster};
        m_tabs->setCurrentWidget(m_clustersTab);
        if (m_clusters->model())
            applyPendingPick();
        else if (!m_clusters->isAssigning())
            m_clusters->assignClusters();
    });
    connect(m_clusters, &ClusterPanel::assignmentShown, this, &MainWindow::applyPendingPick);
    connect(m_clusters, &ClusterPanel::clusterSelected, m_map, &ClusterMapPanel::highlightCluster);
    setCentralWidget(m_tabs);

    auto* knobsDock = new QDockWidget(tr("Training"), this);
    knobsDock->setObjectName(QStringLiteral("knobsDock"));
    knobsDock->setWidget(scrollable(m_knobs));
    addDockWidget(Qt::LeftDockWidgetArea, knobsDock);
    auto* logDock = new QDockWidget(tr("Log"), this);
    logDock->setObjectName(QStringLiteral("logDock"));
    logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    resizeDocks({logDock}, {110}, Qt::Vertical);

    m_autosaveTimer = new QTimer(this);
    connect(m_autosaveTimer, &QTimer::timeout, this, &MainWindow::autosave);
    buildActions();
    buildMenus();
    buildStatusBar();

    connect(m_controller, &TrainingController::stateChanged, this, &MainWindow::onState);
    connect(m_controller, &TrainingController::sessionReady, this, &MainWindow::onSession);
    connect(m_controller, &TrainingController::statsArrived, this, &MainWindow::onStats);
    connect(m_controller, &TrainingController::runEnded, this, &MainWindow::onRunEnded);
    connect(m_controller, &TrainingController::errorOccurred, this, &MainWindow::onError);
    // A save counts once the file is written: the step it holds is what is
    // no longer unsaved, and only then does it join the recent files.
    connect(m_controller, &TrainingController::checkpointSaved, this,
            [this](const QString& path, qint64 step, quint64 request) {
                if (!m_pendingSaves.remove(request))
                    return;
                m_savedStep = step;
                if (path != autosavePath()) {
                    m_checkpointPath = path; // Save As names the target only once it is written
                    addRecent(path);
                    rememberCheckpointFolder(path);
                }
                updateTitle();
                statusBar()->showMessage(tr("Saved %1 (step %2)").arg(path).arg(step), 5000);
            });
    connect(m_controller, &TrainingController::errorOccurred, this,
            [this](const QString&, const QString&, quint64 request) { m_pendingSaves.remove(request); });
    connect(m_grid, &GridPanel::exported, this, [this](const QString& path, const QSize& size) {
        statusBar()->showMessage(tr("Wrote the grid to %1 (%2 x %3 px)").arg(path).arg(size.width()).arg(size.height()),
                                 15000);
    });
    connect(m_controller, &TrainingController::modelExported, this,
            [this](const QString& folder, const QStringList& files, qint64 step, quint64) {
                QStringList names;
                for (const QString& f : files)
                    names << QFileInfo(f).fileName();
                statusBar()->showMessage(
                    tr("Exported step %1 to %2 (%3)").arg(step).arg(folder, names.join(QStringLiteral(", "))), 15000);
            });

    restoreSettings();
    onState(m_controller->state());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions()
{
    m_newAction = new QAction(tr("&New session..."), this);
    m_newAction->setShortcut(QKeySequence::New);
    connect(m_newAction, &QAction::triggered, this, &MainWindow::newSession);
    m_openAction = new QAction(tr("&Open checkpoint..."), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openCheckpointDialog);
    m_saveAction = new QAction(tr("&Save checkpoint"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::save);
    m_saveAsAction = new QAction(tr("Save checkpoint &as..."), this);
    m_saveAsAction->setShortcut(QKeySequence::SaveAs);
    connect(m_saveAsAction, &QAction::triggered, this, &MainWindow::saveAs);
    m_exportGridAction = new QAction(tr("Export sample &grid as PNG..."), this);
    connect(m_exportGridAction, &QAction::triggered, this, &MainWindow::exportGrid);
    m_exportModelAction = new QAction(tr("Export &model (TorchScript)..."), this);
    m_exportModelAction->setToolTip(tr("Write G_ema and Q as TorchScript modules (torch.jit.load), a state dict "
                                       "(torch.load) and model.json into a folder"));
    connect(m_exportModelAction, &QAction::triggered, this, &MainWindow::exportModelDialog);

    m_startAction = new QAction(tr("Start"), this);
    m_startAction->setShortcut(Qt::Key_F5);
    connect(m_startAction, &QAction::triggered, this, [this] {
        switch (m_controller->state()) {
        case TrainingController::State::Running: m_controller->pause(); break;
        case TrainingController::State::Paused: m_controller->resume(); break;
        default: m_controller->start(); break;
        }
    });
    m_stepAction = new QAction(tr("Step"), this);
    m_stepAction->setShortcut(Qt::Key_F10);
    m_stepAction->setToolTip(tr("Run exactly one training step, then pause"));
    connect(m_stepAction, &QAction::triggered, m_controller, &TrainingController::stepOnce);
    m_stopAction = new QAction(tr("Stop"), this);
    m_stopAction->setShortcut(Qt::SHIFT | Qt::Key_F5);
    m_stopAction->setToolTip(tr("End the run after the current step (Start continues from there)"));
    connect(m_stopAction, &QAction::triggered, m_controller, &TrainingController::stop);

    m_undoAction = m_codebook->undoStack()->createUndoAction(this, tr("&Undo page edit"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_codebook->undoStack()->createRedoAction(this, tr("&Redo page edit"));
    m_redoAction->setShortcut(QKeySequence::Redo);

    // Tooltips carry the shortcut (issue 12): "Run exactly one training step, then pause (F10)".
    for (QAction* a : {m_newAction, m_openAction, m_saveAction, m_saveAsAction, m_startAction, m_stepAction,
                       m_stopAction, m_undoAction, m_redoAction}) {
        const auto tip = [a] {
            const QString base = a->toolTip() != QString(a->text()).remove('&') ? a->toolTip()
                                                                                 : QString(a->text()).remove('&');
            a->setToolTip(a->shortcut().isEmpty()
                              ? base
                              : QStringLiteral("%1 (%2)").arg(base, a->shortcut().toString(QKeySequence::NativeText)));
        };
        tip();
    }
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    file->addAction(m_saveAction);
    file->addAction(m_saveAsAction);
    auto* autosaveMenu = file->addMenu(tr("&Autosave"));
    auto* group = new QActionGroup(this);
    for (int minutes : {0, 5, 10, 30}) {
        auto* a = autosaveMenu->addAction(minutes == 0 ? tr("Off") : tr("Every %1 minutes").arg(minutes));
        a->setCheckable(true);
        a->setData(minutes);
        group->addAction(a);
        connect(a, &QAction::triggered, this, [this, minutes] {
            QSettings().setValue("autosave/minutes", minutes);
            m_autosaveTimer->stop();
            if (minutes > 0)
                m_autosaveTimer->start(minutes * 60 * 1000);
        });
    }
    const int minutes = QSettings().value("autosave/minutes", 10).toInt();
    for (auto* a : group->actions())
        a->setChecked(a->data().toInt() == minutes);
    if (minutes > 0)
        m_autosaveTimer->start(minutes * 60 * 1000);
    file->addSeparator();
    file->addAction(m_exportGridAction);
    file->addAction(m_exportModelAction);
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    auto* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);

    auto* train = menuBar()->addMenu(tr("&Train"));
    train->addAction(m_startAction);
    train->addAction(m_stepAction);
    train->addAction(m_stopAction);

    auto* view = menuBar()->addMenu(tr("&View"));
    for (auto* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    auto* help = menuBar()->addMenu(tr("&Help"));
    auto* started = help->addAction(tr("&Getting started"), this,
                                    [this] { showHelpPage(tr("Getting started"), gettingStartedHtml()); });
    started->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&Keyboard shortcuts"), this, [this] { showHelpPage(tr("Keyboard shortcuts"), shortcutsHtml()); });
    help->addSeparator();
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About CGPGAN Explorer"),
                           tr("<b>CGPGAN Explorer</b> %1<br>Trains a classifier-gradient-penalty GAN with a "
                              "trainable codebook and lets you watch and steer its clusters.")
                               .arg(QApplication::applicationVersion()));
    });

    auto* toolbar = addToolBar(tr("Training"));
    toolbar->setObjectName(QStringLiteral("trainingToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(m_startAction);
    toolbar->addAction(m_stepAction);
    toolbar->addAction(m_stopAction);
    toolbar->addSeparator();
    toolbar->addAction(m_newAction);
    toolbar->addAction(m_openAction);
    toolbar->addAction(m_saveAction);
}

void MainWindow::buildStatusBar()
{
    m_stateLabel = new QLabel;
    m_rateLabel = new QLabel;
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(true);
    m_deviceLabel = new QLabel;
    m_deviceLabel->setToolTip(tr("Where the networks run"));
    statusBar()->addWidget(m_stateLabel);
    statusBar()->addWidget(m_progress);
    statusBar()->addWidget(m_rateLabel, 1);
    statusBar()->addPermanentWidget(m_deviceLabel);
}

void MainWindow::resizeEvent(QResizeEvent* event)
{
    QMainWindow::resizeEvent(event);
    // Narrow windows stack the grid above the charts; wide ones put them side
    // by side. The threshold is what both need side by side.
    const Qt::Orientation wanted = m_tabs->width() < kSideBySideWidth ? Qt::Vertical : Qt::Horizontal;
    // Stacked, the grid keeps room for its tiles (the charts scroll below it).
    m_grid->setMinimumHeight(wanted == Qt::Vertical ? 300 : 0);
    if (m_live->orientation() != wanted) {
        m_live->setOrientation(wanted);
        // Stacked, the grid gets the larger part: it is what people look at.
        const int length = wanted == Qt::Vertical ? m_live->height() : m_live->width();
        m_live->setSizes({length * 3 / 5, length - length * 3 / 5});
    }
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value("window/geometry").toByteArray());
    restoreState(s.value("window/state").toByteArray());
    if (auto* live = findChild<QSplitter*>(QStringLiteral("liveSplitter")))
        live->restoreState(s.value("window/liveSplitter").toByteArray());
    rebuildRecentMenu();
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    if (auto* live = findChild<QSplitter*>(QStringLiteral("liveSplitter")))
        s.setValue("window/liveSplitter", live->saveState());
}

Qt::Orientation MainWindow::liveOrientation() const { return m_live->orientation(); }

void MainWindow::showTab(const QString& name)
{
    const int index = name == "codebook" ? 1 : name == "clusters" ? 2 : name == "map" ? 3 : 0;
    m_tabs->setCurrentIndex(index);
}

void MainWindow::applyPendingPick()
{
    if (!m_pendingPick || !m_clusters->model())
        return;
    const auto [view, cluster] = *m_pendingPick;
    m_pendingPick.reset();
    m_clusters->setView(view);
    m_clusters->selectCluster(cluster);
}

// ---------------------------------------------------------------- sessions

void MainWindow::openPreset(const Config& config)
{
    m_checkpointPath.clear();
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
        const QString path = autosaveTarget();
        const QString error = m_controller->saveCheckpointNow(path);
        if (error.isEmpty()) {
            spdlog::info("autosaved to {}", path.toStdString());
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

// Where an autosave goes: the Save target, or the app's autosave file.
QString MainWindow::autosaveTarget() const
{
    return m_checkpointPath.isEmpty() ? autosavePath() : m_checkpointPath;
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

void MainWindow::showHelpPage(const QString& title, const QString& html)
{
    QMessageBox box(QMessageBox::NoIcon, title, QString(), QMessageBox::Close, this);
    box.setTextFormat(Qt::RichText);
    box.setText(html);
    box.exec();
}

QString MainWindow::shortcutsHtml() const
{
    QString rows;
    for (QAction* a : findChildren<QAction*>()) {
        if (a->shortcut().isEmpty())
            continue;
        rows += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                    .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                         QString(a->text()).remove('&').remove(QStringLiteral("...")).toHtmlEscaped());
    }
    return tr("<h3>Keyboard shortcuts</h3><table cellspacing='6'>%1</table>"
              "<h3>Sample grid (mouse)</h3><table cellspacing='6'>"
              "<tr><td><b>Wheel</b></td><td>zoom about the cursor</td></tr>"
              "<tr><td><b>Drag</b></td><td>pan when zoomed in</td></tr>"
              "<tr><td><b>Double-click</b></td><td>fit the grid to the view</td></tr>"
              "<tr><td><b>Hover</b></td><td>the tile's z row and combination</td></tr></table>")
        .arg(rows);
}

QString MainWindow::gettingStartedHtml()
{
    return tr("<h3>Getting started</h3>"
              "<p>CGPGAN Explorer trains a GAN whose generator G draws an image from a random vector "
              "<b>z</b> and a categorical code <b>c</b>: d_l <b>labels</b>, each one of d_c "
              "<b>categories</b>. A classifier Q learns to read the code back, so each combination of "
              "categories becomes a <b>cluster</b> of the data.</p>"
              "<p><b>Train</b> (F5) starts, pauses and resumes; the charts on the Live tab show the losses.</p>"
              "<p>In the <b>sample grid</b> every <b>column</b> is one combination of categories and every "
              "<b>row</b> one fixed z. Along a column only z changes: the images should differ (the "
              "z-diversity beside the grid says by how much; red means the rows are identical). Along a "
              "row only the code changes: that is what a cluster looks like.</p>"
              "<p>With the codebook on, each category of each label has a <b>page</b>, a learned vector "
              "the generator reads. The <b>Codebook</b> tab shows the pages, edits them (Ctrl+Z undoes) "
              "and mixes pages with sliders, previewing the result.</p>"
              "<p>The <b>Clusters</b> tab runs Q over the real images: which cluster each image falls in, "
              "how sure Q is, and, when the data has labels, how the clusters match them.</p>"
              "<p><b>Save</b> (Ctrl+S) writes a checkpoint that resumes exactly; File &gt; Export model "
              "writes TorchScript for Python.</p>");
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
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export model into folder"), last);
    if (folder.isEmpty())
        return;
    settings.setValue("export/lastFolder", folder);
    exportModelTo(folder);
}

void MainWindow::exportModelTo(const QString& folder)
{
    m_controller->exportModel(folder);
    statusBar()->showMessage(tr("Exporting to %1...").arg(folder));
}

void MainWindow::autosave()
{
    if (!m_controller->hasSession() || m_controller->step() == m_savedStep)
        return;
    const QString path = autosaveTarget();
    if (!m_pendingSaves.isEmpty())
        return; // the last save is still being written
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

// ---------------------------------------------------------------- controller

void MainWindow::onState(TrainingController::State state)
{
    using S = TrainingController::State;
    const bool session = state != S::Empty && state != S::Loading;
    m_startAction->setEnabled(session);
    m_startAction->setText(state == S::Running ? tr("Pause") : state == S::Paused ? tr("Resume") : tr("Start"));
    m_startAction->setToolTip(tr("%1 training (%2)")
                                  .arg(m_startAction->text(), m_startAction->shortcut().toString(QKeySequence::NativeText)));
    m_stepAction->setEnabled(session && state != S::Running);
    m_stopAction->setEnabled(state == S::Running || state == S::Paused);
    m_saveAction->setEnabled(session);
    m_saveAsAction->setEnabled(session);
    m_exportGridAction->setEnabled(session);
    m_exportModelAction->setEnabled(session);
    m_newAction->setEnabled(state != S::Loading);
    m_openAction->setEnabled(state != S::Loading);

    const qint64 now = m_clock.elapsed();
    if (state == S::Running && m_runningSinceMs < 0) {
        m_runningSinceMs = now;
        m_rate.clear(); // the rate starts again from the first steps after Start or Resume
    } else if (state != S::Running && m_runningSinceMs >= 0) {
        m_elapsedMs += now - m_runningSinceMs;
        m_runningSinceMs = -1;
        m_rate.clear();
    }
    static const char* const names[] = {"No session", "Loading...", "Ready", "Training", "Paused", "Finished"};
    m_stateLabel->setText(tr(names[int(state)]));
    updateStatus();
}

void MainWindow::onSession(const SessionInfo& info)
{
    m_savedStep = info.step;
    m_elapsedMs = 0;
    m_rate.clear();
    m_deviceLabel->setText(info.cuda ? QStringLiteral("<b style='color:#3c9a3c'>%1</b>").arg(info.deviceName)
                                     : QStringLiteral("<b>%1</b>").arg(info.deviceName));
    m_checkpointPath = info.checkpointPath; // empty for a new session: Save asks where
    if (!info.checkpointPath.isEmpty()) {
        addRecent(info.checkpointPath);
        rememberCheckpointFolder(info.checkpointPath);
    }
    updateStatus();
}

void MainWindow::onStats(const QVector<StepStats>& stats)
{
    // Stats still queued when training paused are not part of the rate: a
    // point from before a pause made the first reading after Resume span the
    // whole pause (issue 12: "0.11 steps/s, ETA 9:37:05").
    if (m_controller->state() != TrainingController::State::Running) {
        updateStatus();
        return;
    }
    int64_t images = m_rate.empty() ? 0 : m_rate.back().images;
    for (const auto& s : stats)
        images += s.images;
    m_rate.push_back({m_clock.elapsed(), stats.back().step, images});
    while (m_rate.size() > 2 && m_rate.back().ms - m_rate.front().ms > 10000)
        m_rate.pop_front();
    updateStatus();
}

double MainWindow::stepsPerSecond() const
{
    if (m_rate.size() < 2 || m_rate.back().ms <= m_rate.front().ms)
        return -1;
    return double(m_rate.back().step - m_rate.front().step) * 1000.0 / double(m_rate.back().ms - m_rate.front().ms);
}

void MainWindow::updateStatus()
{
    const auto& info = m_controller->session();
    const int64_t step = m_controller->step();
    const int64_t total = std::max<int64_t>(info.totalSteps, 1);
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(std::min<int64_t>(1000, step * 1000 / total)));
    m_progress->setFormat(QStringLiteral("%1 / %2").arg(step).arg(info.totalSteps));
    const qint64 elapsed = (m_elapsedMs + (m_runningSinceMs >= 0 ? m_clock.elapsed() - m_runningSinceMs : 0)) / 1000;
    QString text = tr("elapsed %1").arg(formatDuration(elapsed));
    if (const double stepsPerSecond = this->stepsPerSecond(); stepsPerSecond >= 0) {
        const double seconds = (m_rate.back().ms - m_rate.front().ms) / 1000.0;
        const double imagesPerSecond = double(m_rate.back().images - m_rate.front().images) / seconds;
        const qint64 eta = stepsPerSecond > 0 ? qint64(double(info.totalSteps - step) / stepsPerSecond) : -1;
        text = tr("%1 steps/s, %2 images/s  |  elapsed %3, ETA %4")
                   .arg(stepsPerSecond, 0, 'f', 2)
                   .arg(imagesPerSecond, 0, 'f', 0)
                   .arg(formatDuration(elapsed), formatDuration(eta));
    }
    m_rateLabel->setText(text);
    updateTitle();
}

void MainWindow::onRunEnded(RunEnd end, const QString& message)
{
    if (end == RunEnd::Finished)
        statusBar()->showMessage(tr("Finished at step %1").arg(m_controller->step()), 10000);
    if (!message.isEmpty())
        onError(end == RunEnd::NotFinite ? tr("Training diverged") : tr("Training stopped"), message);
}

void MainWindow::onError(const QString& what, const QString& message)
{
    spdlog::error("{}: {}", what.toStdString(), message.toStdString());
    if (!m_promptOnClose) // scripted run: the log says it, no dialog waits for a click
        return;
    QMessageBox box(QMessageBox::Warning, what, what, QMessageBox::Ok, this);
    box.setInformativeText(message);
    box.exec();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!settleUnsaved(tr("Save before closing?"),
                       tr("The model has trained to step %1 since it was last saved. Save a checkpoint?")
                           .arg(m_controller->step()))) {
        event->ignore();
        return;
    }
    m_controller->stopAndWait();
    saveSettings();
    event->accept();
}

} // namespace cgpgan::ui
