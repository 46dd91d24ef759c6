// Smoke test of the whole window (issue 3): open it, start training, wait for
// a grid refresh, pause, save a checkpoint, close.
#include "charts/prior_chart_panel.h"
#include "controller/controller.h"
#include "grid/grid_panel.h"
#include "grid/flow_layout.h"
#include "window/main_window.h"
#include "window/session_dialog.h"
#include "window/animation_dialog.h"
#include "test_support.h"

#include "cgpgan/trainer.h"

#include <QApplication>
#include <QComboBox>
#include <QInputDialog>
#include <QSpinBox>
#include <QTimer>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTreeWidget>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include <sys/stat.h>

using cgpgan::ui::TrainingController;
using State = TrainingController::State;

namespace {
// The Save target's folder becomes a plain file: no save can go there now
// (saving would otherwise make the folder again).
void blockFolder(const QString& folder)
{
    QVERIFY(QDir(folder).removeRecursively());
    QFile file(folder);
    QVERIFY(file.open(QIODevice::WriteOnly));
}

// A window without the save prompt on the tiny model; its controller once
// the session is ready (null when it did not open within a minute).
TrainingController* openTiny(cgpgan::ui::MainWindow& window)
{
    window.setPromptOnClose(false);
    auto* c = window.controller();
    QSignalSpy ready(c, &TrainingController::sessionReady);
    window.openPreset(cgpgan::testing::tinyConfig(64));
    return ready.wait(60000) ? c : nullptr;
}

// One training step, then paused again (the step has landed when this returns true).
bool stepOnceAndWait(TrainingController* c)
{
    const int64_t before = c->step();
    c->stepOnce();
    return QTest::qWaitFor([&] { return c->step() == before + 1 && c->state() == State::Paused; }, 30000);
}
} // namespace

class TestWindow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // settings and autosave go to test folders
    }

    void openTrainPauseSaveClose()
    {
        cgpgan::ui::MainWindow window;
        window.setPromptOnClose(false);
        window.resize(1280, 800);
        window.show();
        auto* c = window.controller();
        QSignalSpy ready(c, &TrainingController::sessionReady);
        window.openPreset(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QCOMPARE(c->state(), State::Ready);

        QSignalSpy grid(window.gridPanel(), &cgpgan::ui::GridPanel::gridUpdated);
        c->start();
        QCOMPARE(c->state(), State::Running);
        // A refresh after training began shows a trained step.
        QTRY_VERIFY_WITH_TIMEOUT(!grid.isEmpty() && grid.last().at(0).toLongLong() > 0, 60000);
        QVERIFY(!window.gridPanel()->image().isNull());

        c->pause();
        QCOMPARE(c->state(), State::Paused);
        // Issue 27: the Timeline lists what was done, with its step.
        auto* timeline = window.findChild<QTreeWidget*>("eventsPanel");
        QVERIFY(timeline);
        QCOMPARE(timeline->topLevelItemCount(), 2);
        QCOMPARE(timeline->topLevelItem(0)->text(1), QStringLiteral("Start"));
        QCOMPARE(timeline->topLevelItem(0)->text(0), QStringLiteral("0"));
        QCOMPARE(timeline->topLevelItem(1)->text(1), QStringLiteral("Pause"));
        QCOMPARE(timeline->topLevelItem(1)->text(0).toLongLong(), qint64(c->events().back().step));

        QTemporaryDir dir;
        const QString path = dir.filePath("smoke.pt");
        QSignalSpy saved(c, &TrainingController::checkpointSaved);
        window.saveCheckpointAs(path);
        QVERIFY(saved.wait(30000));
        QVERIFY(QFileInfo(path).size() > 0);
        QCOMPARE(window.checkpointPath(), path);

        // The window shows something real: grab it (the README's screenshots
        // come from the same code path).
        const QImage shot = window.grab().toImage();
        QVERIFY(shot.width() >= 1000);

        QVERIFY(window.close());
        QCOMPARE(c->state(), State::Ready); // the training thread was stopped and joined
        QVERIFY(!window.isVisible());
    }

    // Issue 12: the title names the checkpoint and marks unsaved training;
    // the checkpoint dialogs start in the last folder used; tooltips carry
    // shortcuts; Help lists them.
    void titleDialogsTooltipsAndHelp()
    {
        cgpgan::ui::MainWindow window;
        auto* c = openTiny(window);
        QVERIFY(c);
        QVERIFY2(window.windowTitle().contains("not saved"), qPrintable(window.windowTitle()));
        QVERIFY(!window.isWindowModified()); // nothing trained yet
        QVERIFY(stepOnceAndWait(c));
        QTRY_VERIFY(window.isWindowModified());

        QTemporaryDir dir;
        const QString path = dir.filePath("titled.pt");
        QSignalSpy saved(c, &TrainingController::checkpointSaved);
        window.saveCheckpointAs(path);
        QVERIFY(saved.wait(30000));
        QTRY_VERIFY(!window.isWindowModified());
        QVERIFY2(window.windowTitle().startsWith("titled.pt"), qPrintable(window.windowTitle()));
        QCOMPARE(QDir(window.checkpointFolder()).canonicalPath(), QDir(dir.path()).canonicalPath());
        QVERIFY(stepOnceAndWait(c));
        QTRY_VERIFY(window.isWindowModified()); // trained past the save

        bool found = false;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->shortcut() == QKeySequence(QKeySequence::Save)) {
                found = true;
                QVERIFY2(a->toolTip().contains(QKeySequence(QKeySequence::Save).toString(QKeySequence::NativeText)),
                         qPrintable(a->toolTip()));
            }
        QVERIFY(found);
        const QString keys = window.shortcutsHtml();
        for (const char* key : {"F5", "F10"})
            QVERIFY2(keys.contains(key), qPrintable(keys));
        QVERIFY(keys.contains("Save checkpoint"));
        for (const char* word : {"row", "column", "page", "cluster", "knobs", "prior", "Hungarian ACC", "Cluster map"})
            QVERIFY(cgpgan::ui::MainWindow::gettingStartedHtml().contains(word));
        c->stopAndWait();
        QVERIFY(window.close());
    }

    // Issue 12: the window takes sizes from 1024x640 up (pages scroll rather
    // than force it wider), the Live tab stacks the grid above the charts
    // when narrow, and the grid's controls wrap instead of being cut.
    void layoutsHoldFromSmallWindowsUp()
    {
        cgpgan::ui::MainWindow window;
        auto* c = openTiny(window);
        QVERIFY(c);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.resize(1024, 640);
        QTRY_COMPARE(window.size(), QSize(1024, 640));
        QVERIFY2(window.minimumSizeHint().width() <= 1024 && window.minimumSizeHint().height() <= 640,
                 qPrintable(QString("minimum %1 x %2").arg(window.minimumSizeHint().width())
                                .arg(window.minimumSizeHint().height())));
        QTRY_COMPARE(window.liveOrientation(), Qt::Vertical);
        window.resize(1920, 1080);
        QTRY_COMPARE(window.size(), QSize(1920, 1080));
        QTRY_COMPARE(window.liveOrientation(), Qt::Horizontal);
        auto* options = window.gridPanel()->findChild<cgpgan::ui::FlowLayout*>(QStringLiteral("gridOptions"));
        QVERIFY(options);
        QCOMPARE(options->lineCount(4000), 1);
        QVERIFY(options->lineCount(400) >= 2);
        QVERIFY(options->heightForWidth(400) > options->heightForWidth(4000));
        QVERIFY(window.close());
    }

    // Issue 12: the speed after Resume is measured from the steps after it,
    // not across the pause (it showed 0.11 steps/s right after Resume).
    void speedAfterResumeIgnoresThePause()
    {
        cgpgan::ui::MainWindow window;
        auto* c = openTiny(window);
        QVERIFY(c);
        c->setTotalSteps(1000000);
        c->start();
        QTRY_VERIFY_WITH_TIMEOUT(c->step() > 20 && window.stepsPerSecond() > 0, 60000);
        QTest::qWait(1500);
        const double before = window.stepsPerSecond();
        c->pause();
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), State::Paused, 30000);
        QTest::qWait(3000); // long against a step of this tiny model
        c->resume();
        QCOMPARE(window.stepsPerSecond(), -1.0); // nothing measured yet since Resume
        QTRY_VERIFY_WITH_TIMEOUT(window.stepsPerSecond() > 0, 30000);
        QTest::qWait(1000);
        const double after = window.stepsPerSecond();
        // Across the 3 s pause the reading would be a small fraction of the speed.
        QVERIFY2(after > 0.4 * before, qPrintable(QString("before %1, after %2 steps/s").arg(before).arg(after)));
        c->stopAndWait();
        QVERIFY(window.close());
    }

    // Issue 11: New session and Open ask before unsaved training is replaced;
    // Cancel keeps the session, Save writes it first, Discard goes on.
    void replacingUnsavedTrainingAsks()
    {
        cgpgan::ui::MainWindow window;
        window.setPromptOnClose(false);
        QStringList asked;
        QMessageBox::StandardButton answer = QMessageBox::Cancel;
        window.setQuestionHook([&](const QString& title, const QString&) {
            asked << title;
            return answer;
        });
        auto* c = window.controller();
        QSignalSpy ready(c, &TrainingController::sessionReady);
        window.openPreset(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));

        // Nothing trained yet: nothing to ask.
        window.newSessionWith(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QVERIFY(asked.isEmpty());

        QVERIFY(stepOnceAndWait(c));

        // Cancel: the session and its step stay.
        window.newSessionWith(cgpgan::testing::tinyConfig(64));
        QCOMPARE(asked.size(), 1);
        QVERIFY(asked.last().contains("new session"));
        QTest::qWait(200);
        QCOMPARE(c->step(), int64_t(1));
        QCOMPARE(c->state(), State::Paused);
        window.openCheckpointAsked(QStringLiteral("/nonexistent/other.pt"));
        QCOMPARE(asked.size(), 2);
        QVERIFY(asked.last().contains("opening"));
        QCOMPARE(c->step(), int64_t(1));

        // A checkpoint that fails to open leaves the session (and its Save
        // target) as it was.
        QSignalSpy failed(c, &TrainingController::errorOccurred);
        answer = QMessageBox::Discard;
        window.openCheckpointAsked(QStringLiteral("/nonexistent/other.pt"));
        QVERIFY(failed.wait(30000));
        QCOMPARE(asked.size(), 3);
        QCOMPARE(c->step(), int64_t(1));
        QVERIFY(window.checkpointPath().isEmpty());

        // Save: the checkpoint is written before the new session starts.
        QTemporaryDir dir;
        const QString path = dir.filePath("before-new.pt");
        QSignalSpy saved(c, &TrainingController::checkpointSaved);
        window.saveCheckpointAs(path);
        QVERIFY(saved.wait(30000));
        QCOMPARE(window.checkpointPath(), path);
        QVERIFY(stepOnceAndWait(c));
        answer = QMessageBox::Save;
        window.newSessionWith(cgpgan::testing::tinyConfig(64));
        QCOMPARE(asked.size(), 4);
        QCOMPARE(cgpgan::Trainer::readInfo(path.toStdString()).step, int64_t(2));
        QVERIFY(ready.wait(60000));
        QCOMPARE(c->step(), int64_t(0));

        // Discard: the new session replaces the trained one, nothing written.
        QVERIFY(stepOnceAndWait(c));
        answer = QMessageBox::Discard;
        QFile::remove(path);
        window.newSessionWith(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QCOMPARE(asked.size(), 5);
        QCOMPARE(c->step(), int64_t(0));
        QVERIFY(!QFileInfo::exists(path));

        // A save that fails keeps the session and cancels the close.
        const QString gone = dir.filePath("gone/x.pt");
        QVERIFY(QDir().mkpath(dir.filePath("gone")));
        window.saveCheckpointAs(gone);
        QVERIFY(saved.wait(30000));
        blockFolder(dir.filePath("gone"));
        QVERIFY(stepOnceAndWait(c));
        answer = QMessageBox::Save;
        window.show();
        QVERIFY(!window.close());
        QVERIFY(window.isVisible());
        QCOMPARE(c->step(), int64_t(1));
        answer = QMessageBox::Discard;
        QVERIFY(window.close());
        QCOMPARE(window.exitCode(), 0);
    }

    // Issue 27: a session never saved autosaves into a folder of its own; that
    // copy keeps the unsaved mark, is in Open recent, survives a quit that
    // discards the work, is offered at the next launch, and goes once saved.
    void autosaveOfAnUnsavedSession()
    {
        QDir(cgpgan::ui::MainWindow::autosaveRoot()).removeRecursively();
        QStringList asked;
        auto window = std::make_unique<cgpgan::ui::MainWindow>();
        window->setQuestionHook([&](const QString& title, const QString&) {
            asked << title;
            return QMessageBox::Discard;
        });
        auto* c = openTiny(*window);
        QVERIFY(c);
        window->show();
        QVERIFY(stepOnceAndWait(c));
        QVERIFY(window->isWindowModified());
        QSignalSpy saved(c, &TrainingController::checkpointSaved);
        window->autosave();
        QVERIFY(saved.wait(30000));
        const QString autosaved = saved.last().at(0).toString();
        QVERIFY2(autosaved.startsWith(cgpgan::ui::MainWindow::autosaveRoot()), qPrintable(autosaved));
        QCOMPARE(QFileInfo(autosaved).absolutePath(), QFileInfo(window->sessionAutosaveFolder()).absoluteFilePath());
        QVERIFY(window->checkpointPath().isEmpty());          // still no Save target
        QVERIFY(window->isWindowModified());                  // still unsaved
        QVERIFY(window->windowTitle().contains("not saved"));
        QVERIFY(QSettings().value("recentFiles").toStringList().contains(QFileInfo(autosaved).absoluteFilePath()));
        // The same step is not written twice.
        window->autosave();
        QVERIFY(!saved.wait(1000));

        // Another explorer does not offer a folder in use.
        {
            cgpgan::ui::MainWindow other;
            other.setQuestionHook([&](const QString& title, const QString&) {
                asked << title;
                return QMessageBox::Open;
            });
            QVERIFY(!other.offerAutosaveRestore());
            QVERIFY(asked.isEmpty());
        }

        // Closing asks (the autosave did not count as a save); Discard keeps the autosave.
        QVERIFY(window->close());
        QCOMPARE(asked.size(), 1);
        QVERIFY(asked.last().contains("closing"));
        window.reset();
        QVERIFY(QFile::exists(autosaved));

        // The next launch offers it; Open restores the step, still unsaved.
        cgpgan::ui::MainWindow next;
        next.setPromptOnClose(false);
        next.show();
        QStringList offered;
        next.setQuestionHook([&](const QString& title, const QString& text) {
            offered << title << text;
            return QMessageBox::Open;
        });
        QSignalSpy ready(next.controller(), &TrainingController::sessionReady);
        QVERIFY(next.offerAutosaveRestore());
        QCOMPARE(offered.size(), 2);
        QVERIFY(offered[1].contains(autosaved));
        QVERIFY(ready.wait(60000));
        QCOMPARE(next.controller()->step(), int64_t(1));
        QVERIFY(next.checkpointPath().isEmpty());
        QCOMPARE(next.sessionAutosaveFolder(), QFileInfo(autosaved).absolutePath());
        QVERIFY(next.isWindowModified());

        // Saved where the person chooses: the autosave is gone.
        QTemporaryDir dir;
        const QString chosen = dir.filePath("mine.pt");
        QSignalSpy saved2(next.controller(), &TrainingController::checkpointSaved);
        next.saveCheckpointAs(chosen);
        QVERIFY(saved2.wait(30000));
        QCOMPARE(next.checkpointPath(), chosen);
        QVERIFY(!QFile::exists(autosaved));
        QVERIFY(next.sessionAutosaveFolder().isEmpty());
    }

    // Issue 27: a New session that fails to open leaves the open session's
    // Save target (Ctrl+S asked for a new file after the error).
    // Issue 26: New session checks the data path as `cgpgan train` does:
    // a pipe is refused by name (it would block the load), an image folder
    // must be a folder, and generated data keeps no stale path.
    void sessionDialogChecksTheDataPath()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath("pipe");
        QVERIFY(mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        const QString file = dir.filePath("file.png");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();

        cgpgan::ui::SessionDialog dialog;
        auto* kind = dialog.findChild<QComboBox*>("sessionDataKind");
        auto* path = dialog.findChild<QLineEdit*>("sessionDataPath");
        auto* problem = dialog.findChild<QLabel*>("sessionProblem");
        QVERIFY(kind && path && problem);
        const auto tryWith = [&](cgpgan::DataKind k, const QString& p) {
            kind->setCurrentIndex(kind->findData(int(k)));
            path->setText(p);
            problem->clear();
            dialog.accept();
            return problem->text();
        };
        QVERIFY2(tryWith(cgpgan::DataKind::Mnist, fifo).contains("neither a file nor a folder"), qPrintable(problem->text()));
        QVERIFY2(tryWith(cgpgan::DataKind::Folder, file).contains("is not a folder"), qPrintable(problem->text()));
        QVERIFY2(tryWith(cgpgan::DataKind::Cifar10, dir.filePath("gone")).contains("does not exist"), qPrintable(problem->text()));
        QVERIFY2(tryWith(cgpgan::DataKind::Folder, "  ").contains("Choose where the data is"), qPrintable(problem->text()));
        QCOMPARE(dialog.result(), int(QDialog::Rejected)); // none of them closed it
        // Built-in shapes with a path left in the field: accepted, the path dropped.
        QVERIFY(tryWith(cgpgan::DataKind::Builtin, dir.path()).isEmpty());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(dialog.config().data.path.empty());
        QCOMPARE(dialog.config().data.kind, cgpgan::DataKind::Builtin);
    }

    // Issue 27: Start on a run at its end asks how far to train on (it was
    // an error dialog), and the Run box shows the new length.
    // Issue 27, steering: the prior chart's menu empties a category between
    // steps, the chart marks it, the timeline and the checkpoint's config
    // record it, and Undo (the window's, shared with page edits) takes it back.
    void steeringFromThePriorChart()
    {
        cgpgan::ui::MainWindow window;
        window.resize(1280, 800);
        window.show();
        auto* c = openTiny(window);
        QVERIFY(c);
        QVERIFY(stepOnceAndWait(c));
        auto* prior = window.findChild<cgpgan::ui::PriorChartPanel*>();
        QVERIFY(prior);
        std::unique_ptr<QMenu> menu(prior->steeringMenu(0, 2));
        QAction* empty = nullptr;
        QStringList offered;
        const std::function<void(QMenu*)> walk = [&](QMenu* m) {
            for (QAction* a : m->actions()) {
                offered << a->text();
                if (a->menu())
                    walk(a->menu());
                if (a->text() == QStringLiteral("Empty it"))
                    empty = a;
            }
        };
        walk(menu.get());
        QVERIFY2(empty, qPrintable(offered.join(" | ")));
        // A free, living category is not offered a revive or a release.
        QVERIFY(!offered.contains(QStringLiteral("Revive")));
        QVERIFY(!offered.contains(QStringLiteral("Release (follow Q again)")));
        QSignalSpy steered(c, &TrainingController::steered);
        empty->trigger();
        QVERIFY(steered.wait(30000));
        QCOMPARE(prior->holds()[2], 0.0f);
        QCOMPARE(prior->prior()[2], 0.0f);
        QVERIFY(c->events().back().kind == "steer");
        QCOMPARE(QString::fromStdString(c->events().back().text), QStringLiteral("empty category 2 of label 0"));
        // The emptied category's menu now offers a revive and a release, no merge.
        std::unique_ptr<QMenu> after(prior->steeringMenu(0, 2, QStringLiteral("empty category 2 of label 0")));
        offered.clear();
        walk(after.get());
        QVERIFY(offered.contains(QStringLiteral("With a fresh page")));
        QVERIFY(offered.contains(QStringLiteral("Release (follow Q again)")));
        QVERIFY(!offered.contains(QStringLiteral("Merge into")));
        QVERIFY(offered.contains(QStringLiteral("Undo empty category 2 of label 0")));
        // Pictures for the README when asked (CGPGAN_SHOT_DIR): the menus
        // of a living and of an emptied category.
        if (const QByteArray shots = qgetenv("CGPGAN_SHOT_DIR"); !shots.isEmpty()) {
            const QDir to(QString::fromLocal8Bit(shots));
            std::unique_ptr<QMenu> living(prior->steeringMenu(0, 1, QStringLiteral("empty category 2 of label 0")));
            for (QMenu* m : {living.get(), after.get()}) {
                m->ensurePolished();
                m->adjustSize();
            }
            living->grab().save(to.filePath("steering-menu.png"));
            after->grab().save(to.filePath("steering-menu-emptied.png"));
        }
        // Training keeps it empty.
        QVERIFY(stepOnceAndWait(c));
        QCOMPARE(c->session().prior[2], 0.0f);
        // A save records the action in the config.
        QTemporaryDir dir;
        QSignalSpy saved(c, &TrainingController::checkpointSaved);
        c->saveCheckpoint(dir.filePath("steered.pt"));
        QVERIFY(saved.wait(30000));
        const auto config = cgpgan::checkpointConfig(dir.filePath("steered.pt").toStdString());
        QCOMPARE(int(config.train.steer.size()), 1);
        QCOMPARE(config.train.steer[0].step, int64_t(1));
        // Undo: the window's action, as Ctrl+Z.
        QAction* undo = nullptr;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->text().startsWith(QStringLiteral("&Undo")))
                undo = a;
        QVERIFY(undo);
        QVERIFY2(undo->text().contains("empty category 2"), qPrintable(undo->text()));
        undo->trigger();
        QVERIFY(steered.wait(30000));
        QCOMPARE(prior->holds()[2], -1.0f);
        QVERIFY(prior->prior()[2] > 0.1f);
        QCOMPARE(QString::fromStdString(c->events().back().text), QStringLiteral("undo"));
    }

    // Issue 27, latent walks: the export dialog's fields make the walk, name
    // the files and say what is wrong before anything runs.
    void animationDialogMakesTheWalk()
    {
        QTemporaryDir dir;
        cgpgan::ui::AnimationDialog dialog(2, 4, 32, dir.path());
        cgpgan::LatentWalk walk;
        walk.kind = cgpgan::LatentWalk::Kind::Pages;
        walk.combinations = {6};
        walk.label = 1;
        walk.pageA = 2;
        walk.pageB = 3;
        walk.rows = 5;
        walk.frames = 48;
        dialog.setWalk(walk);
        dialog.setFileStem(dir.filePath("sweep.mp4"));
        const auto back = dialog.walk();
        QVERIFY(back.kind == walk.kind && back.combinations == walk.combinations && back.label == 1 &&
                back.pageA == 2 && back.pageB == 3 && back.rows == 5 && back.frames == 48);
        QCOMPARE(dialog.paths(), QStringList({dir.filePath("sweep.webp"), dir.filePath("sweep.mp4")}));
        QVERIFY(dialog.problem().isEmpty());
        auto* summary = dialog.findChild<QLabel*>();
        QVERIFY(summary);
        // Each wrong field is named.
        walk.combinations = {6, 7};
        dialog.setWalk(walk);
        QVERIFY(dialog.problem().contains("one combination"));
        walk.kind = cgpgan::LatentWalk::Kind::Path;
        walk.combinations = {3, 16};
        dialog.setWalk(walk);
        QVERIFY(dialog.problem().contains("from 0 to 15"));
        walk.combinations = {3, 9, 12};
        dialog.setWalk(walk);
        QVERIFY(dialog.problem().isEmpty());
        dialog.setFormats(false, false);
        QVERIFY(dialog.problem().contains("format"));
        dialog.setFormats(true, false);
        dialog.setFileStem(dir.filePath("no/such/folder/walk"));
        QVERIFY(dialog.problem().contains("does not exist"));
        dialog.setFileStem(dir.filePath("walk"));
        QVERIFY(dialog.problem().isEmpty());
        // A picture of it for the README when asked (CGPGAN_SHOT_DIR).
        if (const QByteArray shots = qgetenv("CGPGAN_SHOT_DIR"); !shots.isEmpty()) {
            dialog.setFileStem(dir.filePath("path"));
            dialog.adjustSize();
            dialog.grab().save(QDir(QString::fromLocal8Bit(shots)).filePath("animation-dialog.png"));
        }
    }

    void startOnAFinishedRunTrainsOn()
    {
        cgpgan::ui::MainWindow window;
        window.setPromptOnClose(false);
        window.resize(1280, 800);
        window.show();
        auto* c = window.controller();
        QSignalSpy ready(c, &TrainingController::sessionReady);
        cgpgan::Config config = cgpgan::testing::tinyConfig(64);
        config.train.steps = 2;
        window.openPreset(config);
        QVERIFY(ready.wait(60000));
        QAction* start = nullptr;
        for (QAction* a : window.findChildren<QAction*>())
            if (a->text() == QStringLiteral("Start"))
                start = a;
        QVERIFY(start);
        start->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), State::Finished, 60000);
        QCOMPARE(c->step(), int64_t(2));

        QSignalSpy errors(c, &TrainingController::errorOccurred);
        bool asked = false;
        QTimer::singleShot(300, [&] {
            auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            asked = dialog->labelText().contains("reached its 2 steps");
            dialog->setIntValue(4);
            dialog->accept();
        });
        start->trigger();
        QVERIFY(asked);
        QTRY_COMPARE_WITH_TIMEOUT(c->step(), int64_t(4), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(c->state(), State::Finished, 60000);
        QVERIFY(errors.isEmpty());
        QSpinBox* until = nullptr;
        for (QSpinBox* box : window.findChildren<QSpinBox*>())
            if (box->toolTip().startsWith("Start trains until this step"))
                until = box;
        QVERIFY(until);
        QCOMPARE(until->value(), 4);
    }

    void failedNewSessionKeepsTheSaveTarget()
    {
        cgpgan::ui::MainWindow window;
        auto* c = openTiny(window);
        QVERIFY(c);
        QTemporaryDir dir;
        const QString path = dir.filePath("kept.pt");
        QSignalSpy saved(c, &TrainingController::checkpointSaved);
        window.saveCheckpointAs(path);
        QVERIFY(saved.wait(30000));
        QCOMPARE(window.checkpointPath(), path);
        auto bad = cgpgan::testing::tinyConfig(64);
        bad.data.kind = cgpgan::DataKind::Mnist;
        bad.data.path = "/nonexistent/mnist";
        QSignalSpy failed(c, &TrainingController::errorOccurred);
        window.newSessionWith(bad);
        QVERIFY(failed.wait(60000));
        QCOMPARE(window.checkpointPath(), path);
        QVERIFY(!window.windowTitle().contains("not saved"));
    }

    // Issue 11: a scripted close autosaves unsaved training; when that fails
    // the explorer says so and exits 1 instead of ignoring it.
    void failedAutosaveOnCloseIsReported()
    {
        QSettings().setValue("autosave/minutes", 10);
        cgpgan::ui::MainWindow window;
        auto* c = openTiny(window);
        QVERIFY(c);
        QTemporaryDir dir;
        const QString good = dir.filePath("autosaved.pt");
        QSignalSpy saved(c, &TrainingController::checkpointSaved);
        window.saveCheckpointAs(good);
        QVERIFY(saved.wait(30000));
        QVERIFY(stepOnceAndWait(c));
        window.show();
        QVERIFY(window.close());
        QCOMPARE(window.exitCode(), 0);
        QCOMPARE(cgpgan::Trainer::readInfo(good.toStdString()).step, int64_t(1));

        cgpgan::ui::MainWindow second;
        second.setPromptOnClose(false);
        auto* c2 = second.controller();
        QSignalSpy ready2(c2, &TrainingController::sessionReady);
        second.openPreset(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready2.wait(60000));
        const QString gone = dir.filePath("gone/x.pt");
        QVERIFY(QDir().mkpath(dir.filePath("gone")));
        QSignalSpy saved2(c2, &TrainingController::checkpointSaved);
        second.saveCheckpointAs(gone);
        QVERIFY(saved2.wait(30000));
        blockFolder(dir.filePath("gone"));
        QVERIFY(stepOnceAndWait(c2));
        second.show();
        QVERIFY(second.close());
        QCOMPARE(second.exitCode(), 1);
    }
};

QTEST_MAIN(TestWindow)
#include "test_window.moc"
