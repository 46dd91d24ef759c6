// Smoke test of the whole window (issue 3): open it, start training, wait for
// a grid refresh, pause, save a checkpoint, close.
#include "controller/controller.h"
#include "grid/grid_panel.h"
#include "window/main_window.h"
#include "test_support.h"

#include <QApplication>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using cgpgan::ui::TrainingController;
using State = TrainingController::State;

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
};

QTEST_MAIN(TestWindow)
#include "test_window.moc"
