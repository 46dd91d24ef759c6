#include "window/main_window.h"

#include "charts/loss_charts.h"
#include "charts/prior_chart_panel.h"
#include "clusters/cluster_map_panel.h"
#include "clusters/cluster_panel.h"
#include "codebook/codebook_panel.h"
#include "codebook/page_commands.h"
#include "grid/grid_panel.h"
#include "window/knobs_panel.h"
#include "window/events_panel.h"
#include "window/log_panel.h"
#include "window/session_dialog.h"
#include "window/animation_dialog.h"

#include "cgpgan/folder_lock.h"

#include <spdlog/spdlog.h>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QInputDialog>
#include <QStyle>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QResizeEvent>
#include <QScreen>
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

#include <algorithm>

namespace cgpgan::ui {

namespace {

QString formatDuration(qint64 seconds)
{
    if (seconds < 0)
        return QStringLiteral("--:--");
    const qint64 h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
    return h > 0 ? QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'))
                 : QStringLiteral("%1:%2").arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
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
        // The browser must be at least as new as the map the click was on
        // (issue 27: an older assignment disagreed with the map); else it
        // assigns again first.
        const int64_t mapStep = m_map->map() ? m_map->map()->step : 0;
        if (m_clusters->model() && m_clusters->model()->step() >= mapStep)
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
    // The run's timeline (issue 27), beside the log.
    m_events = new EventsPanel(m_controller);
    auto* eventsDock = new QDockWidget(tr("Timeline"), this);
    eventsDock->setObjectName(QStringLiteral("eventsDock"));
    eventsDock->setWidget(m_events);
    splitDockWidget(logDock, eventsDock, Qt::Horizontal);
    resizeDocks({logDock, eventsDock}, {600, 400}, Qt::Horizontal);
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
                if (isSessionAutosave(path)) {
                    // Issue 27: an autosave of a session never saved is a
                    // copy, not a save: the title keeps its unsaved mark and
                    // closing still asks. Open recent lists it.
                    m_autosavedStep = step;
                    addRecent(path);
                    statusBar()->showMessage(
                        tr("Autosaved step %1 to %2 (the session itself is not saved)").arg(step).arg(path), 5000);
                    return;
                }
                m_savedStep = step;
                m_checkpointPath = path; // Save As names the target only once it is written
                addRecent(path);
                rememberCheckpointFolder(path);
                if (step >= m_autosavedStep)
                    releaseSessionAutosave(); // saved where the person chose: the copy is not needed
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

    // Steering (issue 27): the prior chart's menu acts through the shared undo stack.
    PriorChartPanel* prior = m_charts->priorPanel();
    connect(prior, &PriorChartPanel::steerRequested, this, [this](const SteerAction& action) {
        m_codebook->undoStack()->push(new SteerCommand(m_controller, action));
    });
    connect(prior, &PriorChartPanel::undoRequested, m_codebook->undoStack(), &QUndoStack::undo);
    connect(m_codebook->undoStack(), &QUndoStack::undoTextChanged, prior, &PriorChartPanel::setUndoText);
    connect(m_controller, &TrainingController::steered, this,
            [this, prior](const QString& text, const std::vector<float>& p, const std::vector<float>& pins, quint64) {
                prior->setPrior(p);
                prior->setHolds(pins);
                statusBar()->showMessage(tr("Steered: %1 (at step %2)").arg(text).arg(m_controller->step()), 10000);
            });

    // Latent walks (issue 27): from the grid's and the mixer's menus, and their progress.
    connect(m_grid, &GridPanel::animateRequested, this, [this](const LatentWalk& walk) { exportAnimationDialog(&walk); });
    connect(m_codebook, &CodebookPanel::animateRequested, this,
            [this](const LatentWalk& walk) { exportAnimationDialog(&walk); });
    connect(m_controller, &TrainingController::animationProgress, this, [this](int frame, int frames) {
        if (m_animationProgress) {
            m_animationProgress->setMaximum(frames);
            m_animationProgress->setValue(frame);
            m_animationProgress->setLabelText(tr("Rendering frame %1 of %2...").arg(frame).arg(frames));
        }
    });
    const auto endProgress = [this] {
        if (m_animationProgress) {
            m_animationProgress->deleteLater();
            m_animationProgress = nullptr;
        }
        m_animationRequest = 0;
    };
    connect(m_controller, &TrainingController::animationExported, this,
            [this, endProgress](const QStringList& paths, int frames, qint64 step, const QStringList& encoders,
                                quint64 request) {
                if (request != m_animationRequest)
                    return;
                endProgress();
                QStringList written;
                for (int i = 0; i < paths.size(); ++i)
                    written << QStringLiteral("%1 (%2)").arg(paths[i], encoders.value(i));
                const QString text = tr("Wrote %1 frames of step %2: %3").arg(frames).arg(step).arg(written.join(", "));
                spdlog::info("{}", text.toStdString());
                statusBar()->showMessage(text, 15000);
            });
    connect(m_controller, &TrainingController::animationCancelled, this, [this, endProgress](quint64 request) {
        if (request != m_animationRequest)
            return;
        endProgress();
        statusBar()->showMessage(tr("Animation cancelled: nothing was written"), 8000);
    });
    connect(m_controller, &TrainingController::errorOccurred, this,
            [this, endProgress](const QString&, const QString&, quint64 request) {
                if (request != 0 && request == m_animationRequest)
                    endProgress();
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
    m_compareAction = new QAction(tr("&Compare with run..."), this);
    m_compareAction->setToolTip(tr("Overlay another run's curves (a checkpoint, or a run folder's checkpoint.pt) "
                                   "on the charts as dashed lines, with how its settings differ"));
    connect(m_compareAction, &QAction::triggered, this, &MainWindow::compareDialog);
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
    m_exportAnimationAction = new QAction(tr("Export &animation (WebP, MP4)..."), this);
    m_exportAnimationAction->setToolTip(tr("A latent walk as an animated WebP and an MP4: z for fixed codes, a page "
                                           "sweep, or a path through combinations"));
    connect(m_exportAnimationAction, &QAction::triggered, this, [this] { exportAnimationDialog(); });

    m_startAction = new QAction(tr("Start"), this);
    m_startAction->setShortcut(Qt::Key_F5);
    connect(m_startAction, &QAction::triggered, this, [this] {
        switch (m_controller->state()) {
        case TrainingController::State::Running: m_controller->pause(); break;
        case TrainingController::State::Paused: m_controller->resume(); break;
        default: startOrTrainOn(); break;
        }
    });
    m_stepAction = new QAction(tr("Step"), this);
    m_stepAction->setShortcut(Qt::Key_F10);
    m_stepAction->setToolTip(tr("Run exactly one training step, then pause"));
    connect(m_stepAction, &QAction::triggered, m_controller, &TrainingController::stepOnce);
    m_stepAction->setIcon(style()->standardIcon(QStyle::SP_MediaSkipForward));
    m_stopAction = new QAction(tr("Stop"), this);
    m_stopAction->setShortcut(Qt::SHIFT | Qt::Key_F5);
    m_stopAction->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_stopAction->setToolTip(tr("End the run after the current step; the thread stops and the session stays "
                                "open (Start continues from there; Pause only halts between steps)"));
    connect(m_stopAction, &QAction::triggered, m_controller, &TrainingController::stop);

    m_undoAction = m_codebook->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_codebook->undoStack()->createRedoAction(this, tr("&Redo"));
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

void MainWindow::startOrTrainOn()
{
    // Start on a run that has reached its length asks how far to go on
    // (issue 27: it showed an error dialog), instead of failing.
    const int64_t step = m_controller->step();
    if (m_controller->hasSession() && step >= m_controller->session().totalSteps) {
        bool ok = false;
        const int64_t suggested = step + std::max<int64_t>(1000, step / 2);
        const int until = QInputDialog::getInt(
            this, tr("Train on"),
            tr("The run has reached its %1 steps. Train on to step:").arg(m_controller->session().totalSteps),
            int(std::min<int64_t>(suggested, 100000000)), int(std::min<int64_t>(step + 1, 100000000)), 100000000,
            1000, &ok);
        if (!ok)
            return;
        m_controller->setTotalSteps(until);
    }
    m_controller->start();
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &recent"));
    file->addAction(m_compareAction);
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
    file->addAction(m_exportAnimationAction);
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
    // Icons beside the words (issue 27: Pause and Stop looked alike): the
    // media symbols everyone reads, play / pause / step / stop.
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
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
    if (!restoreGeometry(s.value("window/geometry").toByteArray())) {
        // First launch (issue 27: it opened at 760x658 on a 1920x1080 screen,
        // the grid cut): 85 % of the screen's free area, at least the
        // supported 1024 x 640 where the screen has it, at most 1600 x 1000.
        const QRect free = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
        const QSize want(std::clamp(free.width() * 85 / 100, std::min(1024, free.width()), 1600),
                         std::clamp(free.height() * 85 / 100, std::min(640, free.height()), 1000));
        resize(want);
        move(free.center() - QPoint(want.width() / 2, want.height() / 2));
    }
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

// ---------------------------------------------------------------- controller

void MainWindow::onState(TrainingController::State state)
{
    using S = TrainingController::State;
    const bool session = state != S::Empty && state != S::Loading;
    m_startAction->setEnabled(session);
    m_startAction->setText(state == S::Running ? tr("Pause") : state == S::Paused ? tr("Resume") : tr("Start"));
    m_startAction->setIcon(style()->standardIcon(state == S::Running ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    m_startAction->setToolTip(tr("%1 training (%2)")
                                  .arg(m_startAction->text(), m_startAction->shortcut().toString(QKeySequence::NativeText)));
    m_stepAction->setEnabled(session && state != S::Running);
    m_stopAction->setEnabled(state == S::Running || state == S::Paused);
    m_saveAction->setEnabled(session);
    m_saveAsAction->setEnabled(session);
    m_exportGridAction->setEnabled(session);
    m_exportModelAction->setEnabled(session);
    m_exportAnimationAction->setEnabled(session && m_controller->session().images());
    m_compareAction->setEnabled(session);
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
    releaseSessionAutosave(); // the replaced session's (kept when it holds unsaved work)
    m_savedStep = info.step;
    m_elapsedMs = 0;
    m_rate.clear();
    m_deviceLabel->setText(info.cuda ? QStringLiteral("<b style='color:#3c9a3c'>%1</b>").arg(info.deviceName)
                                     : QStringLiteral("<b>%1</b>").arg(info.deviceName));
    m_checkpointPath = info.checkpointPath; // empty for a new session: Save asks where
    if (!info.checkpointPath.isEmpty() &&
        QFileInfo(info.checkpointPath).absolutePath().startsWith(QDir(autosaveRoot()).absolutePath() + '/')) {
        // A restored autosave: still a session nobody saved. It goes on in
        // its own autosave folder, and Save asks where.
        try {
            const QString folder = QFileInfo(info.checkpointPath).absolutePath();
            m_autosaveLock = std::make_unique<FolderLock>(folder.toStdString(), "cgpgan-explorer autosave");
            m_autosaveFolder = folder;
            m_autosavedStep = info.step;
        } catch (const std::exception& e) {
            spdlog::warn("{}", e.what());
        }
        m_checkpointPath.clear();
        m_savedStep = -1;
    } else if (!info.checkpointPath.isEmpty()) {
        addRecent(info.checkpointPath);
        rememberCheckpointFolder(info.checkpointPath);
    }
    // What to do next, for a first-time user (issue 27: nothing invited Start).
    if (info.step < info.totalSteps)
        statusBar()->showMessage(tr("Ready: press Start (F5) to train %1 on %2; the grid, charts and clusters follow live")
                                     .arg(QString::fromStdString(info.config.preset), info.datasetName),
                                 30000);
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
    releaseSessionAutosave(); // kept for the next launch when it holds work that was not saved
    saveSettings();
    event->accept();
}

} // namespace cgpgan::ui
