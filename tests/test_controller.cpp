// The explorer's controller: the trainer on its own thread, commands between
// steps, results as queued signals (issue 3, "The controller with QSignalSpy").
#include "controller/controller.h"
#include "test_support.h"

#include "cgpgan/animation.h"
#include "cgpgan/trainer.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>
#include <chrono>
#include <thread>

using cgpgan::StepStats;
using cgpgan::ui::TrainingController;
using State = cgpgan::ui::TrainingController::State;

namespace {

int64_t lastStep(const QSignalSpy& spy)
{
    const auto batch = spy.last().at(0).value<QVector<StepStats>>();
    return batch.isEmpty() ? -1 : batch.back().step;
}

int64_t stepsIn(const QSignalSpy& spy)
{
    int64_t n = 0;
    for (const auto& args : spy)
        n += args.at(0).value<QVector<StepStats>>().size();
    return n;
}

} // namespace

class TestController final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void openStartPauseResumeStop()
    {
        TrainingController c;
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QCOMPARE(c.state(), State::Ready);
        QCOMPARE(c.session().dL(), 2);
        QCOMPARE(c.step(), int64_t(0));

        QSignalSpy stats(&c, &TrainingController::statsArrived);
        c.start();
        QCOMPARE(c.state(), State::Running);
        QTRY_VERIFY_WITH_TIMEOUT(c.step() >= 3, 30000);
        // Steps arrive in order, each once.
        int64_t expected = 1;
        for (const auto& args : stats)
            for (const auto& s : args.at(0).value<QVector<StepStats>>())
                QCOMPARE(s.step, expected++);

        c.pause();
        QCOMPARE(c.state(), State::Paused);
        // The step in flight may still land; after that, nothing.
        QTest::qWait(1500);
        const int64_t pausedAt = c.step();
        const qsizetype batches = stats.size();
        QTest::qWait(1500);
        QCOMPARE(c.step(), pausedAt);
        QCOMPARE(stats.size(), batches);

        c.resume();
        QCOMPARE(c.state(), State::Running);
        QTRY_VERIFY_WITH_TIMEOUT(c.step() >= pausedAt + 2, 30000);

        QSignalSpy ended(&c, &TrainingController::runEnded);
        c.stop();
        c.waitForStop(); // joins the training thread
        QCOMPARE(c.state(), State::Ready);
        QCOMPARE(ended.size(), 1);
        QCOMPARE(ended.at(0).at(0).value<cgpgan::RunEnd>(), cgpgan::RunEnd::Stopped);
        const int64_t stoppedAt = c.step();
        QCOMPARE(lastStep(stats), stoppedAt);
        QCOMPARE(stepsIn(stats), stoppedAt);
        QTest::qWait(500); // the thread's own end notice must not report twice
        QCOMPARE(ended.size(), 1);
        QCOMPARE(c.step(), stoppedAt);

        // Issue 27: start, pause, resume and stop are the run's events, in
        // that order, each announced once, and the trainer holds the same.
        std::vector<std::string> kinds;
        for (const cgpgan::RunEvent& e : c.events())
            kinds.push_back(e.kind);
        QCOMPARE(kinds, (std::vector<std::string>{"start", "pause", "resume", "stop"}));
        QCOMPARE(c.events()[0].step, int64_t(0));
        QVERIFY(c.events()[1].step >= 3 && c.events()[1].step <= pausedAt); // the step shown when paused
        QVERIFY(c.events()[3].step >= pausedAt);
        QTemporaryDir dir;
        const QString path = dir.filePath("events.pt");
        QSignalSpy saved(&c, &TrainingController::checkpointSaved);
        c.saveCheckpoint(path);
        QVERIFY(saved.wait(30000));
        TrainingController reopened;
        QSignalSpy reopenedReady(&reopened, &TrainingController::sessionReady);
        reopened.openCheckpoint(path);
        QVERIFY(reopenedReady.wait(60000));
        QCOMPARE(reopened.session().events.size(), size_t(4));
        QCOMPARE(reopened.events().size(), size_t(4));
        QCOMPARE(reopened.events()[2].kind, std::string("resume"));

        // Issue 27, compare runs: another session reads this run's curves,
        // events and how its config differs, without loading its weights.
        cgpgan::Config other = cgpgan::testing::tinyConfig(64);
        other.train.lrD = 0.0042;
        TrainingController second;
        QSignalSpy secondReady(&second, &TrainingController::sessionReady);
        second.openSession(other);
        QVERIFY(secondReady.wait(60000));
        QSignalSpy compared(&second, &TrainingController::comparisonReady);
        const quint64 id = second.openComparison(path);
        QVERIFY(compared.wait(30000));
        const auto run = compared.last().at(0).value<cgpgan::ui::ComparedRun>();
        QCOMPARE(run.request, id);
        QCOMPARE(run.step, stoppedAt);
        QCOMPARE(int64_t(run.history.size()), stoppedAt);
        QCOMPARE(run.history.back().step, stoppedAt);
        QCOMPARE(run.events.size(), size_t(4));
        QCOMPARE(run.differences.size(), size_t(1));
        QVERIFY2(QString::fromStdString(run.differences[0]).startsWith("train.lr_d: 0.0042 -> "),
                 run.differences[0].c_str());
        // Issue 27: the real images nearest to a generated tile, in Q's features.
        {
            cgpgan::ui::SampleRequest tile;
            tile.rows = tile.columns = 1;
            tile.zSeed = 3;
            tile.codes = second.combinationCodes({1});
            QSignalSpy nearest(&second, &TrainingController::nearestRealReady);
            QSignalSpy reading(&second, &TrainingController::nearestRealProgress);
            QSignalSpy assigning(&second, &TrainingController::clusterProgress);
            const quint64 asked = second.requestNearestReal(tile, 5);
            QVERIFY(nearest.wait(60000));
            QVERIFY(!reading.isEmpty());  // the real images' features, taken first
            QVERIFY(assigning.isEmpty()); // not an assignment: the Clusters tab must not think one runs
            const auto found = nearest.last().at(0).value<cgpgan::ui::NearestReal>();
            QCOMPARE(found.request, asked);
            QCOMPARE(found.samples.size(), size_t(5));
            QVERIFY(!found.tile.isNull());
            for (size_t i = 0; i < found.samples.size(); ++i) {
                QVERIFY(found.samples[i] >= 0 && found.samples[i] < second.dataset()->count);
                if (i > 0)
                    QVERIFY(found.distances[i] >= found.distances[i - 1]);
            }
            QVERIFY(found.medianDistance >= found.distances.front());
        }
        // A file that is not a checkpoint is an error of that request, and the session goes on.
        QSignalSpy errors(&second, &TrainingController::errorOccurred);
        const quint64 bad = second.openComparison(dir.filePath("missing.pt"));
        QVERIFY(errors.wait(30000));
        QCOMPARE(errors.last().at(2).toULongLong(), bad);
        QVERIFY(errors.last().at(1).toString().contains("missing.pt"));
        QCOMPARE(second.state(), State::Ready);
    }

    void singleStepAndKnobs()
    {
        TrainingController c;
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));

        QSignalSpy stats(&c, &TrainingController::statsArrived);
        c.stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(c.step(), int64_t(1), 30000);
        QCOMPARE(c.state(), State::Paused);
        c.stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(c.step(), int64_t(2), 30000);
        QTest::qWait(500);
        QCOMPARE(c.step(), int64_t(2));

        // A learning rate changed while paused reaches the trainer.
        auto knobs = c.knobs();
        QVERIFY(knobs.lrG != 0.0123);
        knobs.lrG = 0.0123;
        knobs.lambdaCgp = 2.5;
        knobs.lambdaMs = 0.25;
        knobs.priorMode = cgpgan::TrainingKnobs::PriorMode::Frozen;
        QSignalSpy applied(&c, &TrainingController::knobsApplied);
        c.setKnobs(knobs);
        QVERIFY(applied.wait(30000));
        const auto back = applied.last().at(0).value<cgpgan::TrainingKnobs>();
        QCOMPARE(back.lrG, 0.0123);
        QCOMPARE(back.lambdaCgp, 2.5);
        QCOMPARE(back.lambdaMs, 0.25);
        QVERIFY(back.priorMode == cgpgan::TrainingKnobs::PriorMode::Frozen);
        c.stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(c.step(), int64_t(3), 30000);
        QVERIFY(stats.last().at(0).value<QVector<StepStats>>().back().priorFrozen);
        // Issue 27: the change is an event on the run's timeline, at the step it came after.
        QVERIFY(!c.events().empty());
        const cgpgan::RunEvent change = c.events().back();
        QCOMPARE(change.kind, std::string("knobs"));
        QCOMPARE(change.step, int64_t(2));
        QVERIFY2(change.text.find("lr G") != std::string::npos && change.text.find("-> 0.0123") != std::string::npos,
                 change.text.c_str());

        // Issue 11: the knobs are in the saved checkpoint, and a session
        // opened from it starts with them (and the step it reports is the
        // step the file holds).
        QTemporaryDir dir;
        const QString path = dir.filePath("knobs.pt");
        QSignalSpy saved(&c, &TrainingController::checkpointSaved);
        c.saveCheckpoint(path);
        QVERIFY(saved.wait(30000));
        QCOMPARE(saved.last().at(1).toLongLong(), qint64(3));
        QCOMPARE(cgpgan::Trainer::readInfo(path.toStdString()).step, int64_t(3));
        // Issue 27: File > Export model records the same knobs in model.json
        // (it wrote the preset's lr_g after a live change).
        QSignalSpy exported(&c, &TrainingController::modelExported);
        c.exportModel(dir.filePath("knobs-export"));
        QVERIFY(exported.wait(30000));
        QFile info(dir.filePath("knobs-export/model.json"));
        QVERIFY(info.open(QIODevice::ReadOnly));
        const auto train = QJsonDocument::fromJson(info.readAll()).object()["config"].toObject()["train"].toObject();
        QCOMPARE(train["lr_g"].toDouble(), 0.0123);
        QCOMPARE(train["lambda_cgp"].toDouble(), 2.5);
        QCOMPARE(train["prior_start_step"].toInt(), -1);
        const cgpgan::Config stored = cgpgan::checkpointConfig(path.toStdString());
        QCOMPARE(stored.train.lrG, 0.0123);
        QCOMPARE(stored.train.lambdaCgp, 2.5);
        QCOMPARE(stored.train.lambdaMs, 0.25);
        QCOMPARE(stored.train.priorStartStep, int64_t(-1)); // frozen: never updated
        TrainingController reopened;
        QSignalSpy loaded(&reopened, &TrainingController::sessionReady);
        cgpgan::DataSpec data = cgpgan::testing::tinyConfig(64).data;
        reopened.openCheckpoint(path, &data);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(reopened.knobs().lrG, 0.0123);
        QCOMPARE(reopened.knobs().lambdaCgp, 2.5);
        QCOMPARE(reopened.step(), int64_t(3));

        c.stop();
        c.waitForStop();
        QCOMPARE(c.state(), State::Ready);
    }

    void samplesCoalesceAndCheckpointsRoundTrip()
    {
        TrainingController c;
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));

        // Many requests of one tag before the service thread gets to them:
        // the newest always arrives, and the tiles have the asked-for layout.
        QSignalSpy samples(&c, &TrainingController::samplesReady);
        cgpgan::ui::SampleRequest request;
        request.tag = "grid";
        request.rows = 2;
        request.columns = 3;
        request.codes = c.combinationCodes({0, 5, 15});
        quint64 last = 0;
        for (int i = 0; i < 20; ++i)
            last = c.requestSamples(request);
        QTRY_VERIFY_WITH_TIMEOUT(!samples.isEmpty() &&
                                     samples.last().at(0).value<cgpgan::ui::SampleResult>().id == last, 30000);
        QVERIFY(samples.size() < 20);
        const auto result = samples.last().at(0).value<cgpgan::ui::SampleResult>();
        QCOMPARE(result.tiles.size(), 6);
        QCOMPARE(result.tiles[0].size(), QSize(32, 32));
        // Same seed, same z: a second request gives the same pixels.
        QSignalSpy again(&c, &TrainingController::samplesReady);
        c.requestSamples(request);
        QVERIFY(again.wait(30000));
        QCOMPARE(again.last().at(0).value<cgpgan::ui::SampleResult>().tiles[4], result.tiles[4]);

        // Train a little, save, reopen from the file: same step, same samples.
        c.setTotalSteps(4);
        c.start();
        QSignalSpy ended(&c, &TrainingController::runEnded);
        QVERIFY(ended.wait(60000));
        QCOMPARE(c.state(), State::Finished);
        QCOMPARE(c.step(), int64_t(4));
        QTemporaryDir dir;
        const QString path = dir.filePath("run.pt");
        QSignalSpy saved(&c, &TrainingController::checkpointSaved);
        const quint64 saveId = c.saveCheckpoint(path);
        QVERIFY(saved.wait(30000));
        // Reported after the file is there, with the step it holds and the request's id.
        QCOMPARE(saved.last().at(0).toString(), path);
        QCOMPARE(saved.last().at(1).toLongLong(), qint64(4));
        QCOMPARE(saved.last().at(2).toULongLong(), saveId);
        QVERIFY(QFile::exists(path));

        // File > Export model (issue 13): the files, the step, the request's id.
        QSignalSpy exported(&c, &TrainingController::modelExported);
        const quint64 exportId = c.exportModel(dir.filePath("export"));
        QVERIFY(exported.wait(30000));
        QCOMPARE(exported.last().at(2).toLongLong(), qint64(4));
        QCOMPARE(exported.last().at(3).toULongLong(), exportId);
        const QStringList files = exported.last().at(1).toStringList();
        QCOMPARE(files.size(), 4);
        for (const QString& f : files)
            QVERIFY2(QFileInfo(f).size() > 0, qPrintable(f));
        QSignalSpy failed(&c, &TrainingController::errorOccurred);
        const quint64 badExport = c.exportModel(path); // a file, not a folder
        QVERIFY(failed.wait(30000));
        QCOMPARE(failed.last().at(2).toULongLong(), badExport);
        QVERIFY2(failed.last().at(1).toString().contains("not a folder"), qPrintable(failed.last().at(1).toString()));
        c.requestSamples(request);
        QVERIFY(again.wait(30000));
        const auto before = again.last().at(0).value<cgpgan::ui::SampleResult>();

        TrainingController d;
        QSignalSpy loaded(&d, &TrainingController::sessionReady);
        cgpgan::DataSpec data = cgpgan::testing::tinyConfig(64).data;
        d.openCheckpoint(path, &data);
        QVERIFY(loaded.wait(60000));
        QCOMPARE(d.step(), int64_t(4));
        QSignalSpy afterSpy(&d, &TrainingController::samplesReady);
        d.requestSamples(request);
        QVERIFY(afterSpy.wait(30000));
        QCOMPARE(afterSpy.last().at(0).value<cgpgan::ui::SampleResult>().tiles[5], before.tiles[5]);
    }

    void badInputIsReportedAndLosesNothing()
    {
        TrainingController c;
        QSignalSpy errors(&c, &TrainingController::errorOccurred);
        auto config = cgpgan::testing::tinyConfig(64);
        config.data.kind = cgpgan::DataKind::Mnist;
        config.data.path = "/nonexistent/mnist";
        c.openSession(config);
        QVERIFY(errors.wait(30000));
        QCOMPARE(c.state(), State::Empty);
        QVERIFY(errors.last().at(1).toString().contains("/nonexistent/mnist"));

        // A working session stays as it was when a corrupt checkpoint is opened.
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QTemporaryDir dir;
        const QString junk = dir.filePath("junk.pt");
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a checkpoint");
        f.close();
        c.openCheckpoint(junk);
        QVERIFY(errors.wait(30000));
        QCOMPARE(c.state(), State::Ready);
        QVERIFY(c.hasSession());
        QSignalSpy stats(&c, &TrainingController::statsArrived);
        c.stepOnce();
        QVERIFY(stats.wait(30000));

        // Issue 11: data smaller than one batch is refused when the session
        // opens (not after Start), naming both, and the open session stays.
        auto small = cgpgan::testing::tinyConfig(64);
        small.data.count = small.train.batch - 1;
        c.stopAndWait();
        c.openSession(small);
        QVERIFY(errors.wait(30000));
        const QString message = errors.last().at(1).toString();
        QVERIFY2(message.contains("batch"), qPrintable(message));
        QVERIFY2(message.contains(QString::number(small.data.count)), qPrintable(message));
        QVERIFY(c.hasSession());
        QCOMPARE(c.state(), State::Ready);
        QCOMPARE(c.session().config.data.count, cgpgan::testing::tinyConfig(64).data.count);
    }

    void failuresCarryTheirRequestsId()
    {
        TrainingController c;
        QSignalSpy errors(&c, &TrainingController::errorOccurred);
        // No session: every request is still answered, with its id.
        cgpgan::ui::SampleRequest request;
        request.tag = "grid";
        const quint64 early = c.requestSamples(request);
        QVERIFY(errors.wait(10000));
        QCOMPARE(errors.last().at(2).toULongLong(), early);

        QSignalSpy ready(&c, &TrainingController::sessionReady);
        const quint64 open = c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QCOMPARE(ready.last().at(0).value<cgpgan::ui::SessionInfo>().request, open);

        // A bad sample request and a save that cannot be written fail with
        // their own ids; a good request in between is answered with its own.
        QSignalSpy samples(&c, &TrainingController::samplesReady);
        QSignalSpy saved(&c, &TrainingController::checkpointSaved);
        request.rows = 2;
        request.columns = 2;
        request.codes = {1.0f, 0.0f}; // far too few code values
        const quint64 bad = c.requestSamples(request);
        request.tag = "other";
        request.codes = c.combinationCodes({1, 2});
        const quint64 good = c.requestSamples(request);
        const quint64 badSave = c.saveCheckpoint(QStringLiteral("/proc/no-such-dir/x.pt"));
        QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 3 && !samples.isEmpty(), 30000);
        QCOMPARE(errors.at(1).at(2).toULongLong(), bad);
        QVERIFY(errors.at(1).at(1).toString().contains("code values"));
        QCOMPARE(errors.at(2).at(2).toULongLong(), badSave);
        QCOMPARE(samples.last().at(0).value<cgpgan::ui::SampleResult>().id, good);
        QVERIFY(saved.isEmpty()); // never "saved" for a save that failed
    }

    // Issue 27, stale views: a long pass (here an assignment held up by the
    // test seam) runs on its own thread, so the grid's samples, a save and
    // the codebook are answered meanwhile.
    void longPassesDoNotHoldTheGrid()
    {
        TrainingController c;
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        std::atomic<bool> release{false};
        std::atomic<bool> holding{false};
        c.setFaultInjection([&](TrainingController::Job kind) {
            if (kind != TrainingController::Job::Assign)
                return;
            holding = true;
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        });
        QSignalSpy clusters(&c, &TrainingController::clustersReady);
        c.assignClusters();
        QTRY_VERIFY_WITH_TIMEOUT(holding.load(), 30000);
        QSignalSpy samples(&c, &TrainingController::samplesReady);
        cgpgan::ui::SampleRequest request;
        request.tag = "grid";
        request.rows = 2;
        request.columns = 2;
        request.codes = c.combinationCodes({0, 5});
        c.requestSamples(request);
        QVERIFY(samples.wait(30000)); // answered while the assignment is held
        QVERIFY(clusters.isEmpty());
        release = true;
        QVERIFY(clusters.wait(30000));
        c.setFaultInjection({});
    }

    // Issue 27, latent walks: an animation written by the controller, read
    // back with the libraries that wrote it; a cancelled one leaves nothing.
    void animationsAreWrittenAndCancelled()
    {
        TrainingController c;
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QTemporaryDir dir;
        cgpgan::LatentWalk walk;
        walk.kind = cgpgan::LatentWalk::Kind::Path;
        walk.combinations = {0, 5, 10};
        walk.rows = 2;
        walk.frames = 12;
        walk.scale = 2;
        QSignalSpy progress(&c, &TrainingController::animationProgress);
        QSignalSpy done(&c, &TrainingController::animationExported);
        const QStringList paths{dir.filePath("walk.webp"), dir.filePath("walk.mp4")};
        const quint64 id = c.exportAnimation(walk, paths, 12);
        QVERIFY(done.wait(60000));
        QCOMPARE(done.last().at(4).value<quint64>(), id);
        QCOMPARE(done.last().at(1).toInt(), 12);
        QCOMPARE(progress.last().at(0).toInt(), 12);
        for (const QString& path : paths) {
            const auto info = cgpgan::readAnimationInfo(path.toStdString());
            QCOMPARE(info.frames, 12);
            QCOMPARE(info.height, (2 * 32 + 3 * 2) * 2); // 2 rows of 32 px tiles, 2 px gaps, scale 2
        }
        // Cancelled at its first frame: nothing at either path.
        walk.frames = 2000;
        const QStringList others{dir.filePath("long.webp"), dir.filePath("long.mp4")};
        QSignalSpy cancelled(&c, &TrainingController::animationCancelled);
        QObject::connect(&c, &TrainingController::animationProgress, &c, [&c](int frame, int) {
            if (frame >= 1)
                c.cancelAnimation();
        });
        c.exportAnimation(walk, others, 12);
        QVERIFY(cancelled.wait(60000));
        QVERIFY(!QFileInfo::exists(others[0]));
        QVERIFY(!QFileInfo::exists(others[1]));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2); // the two of before, no temporary
        // A wrong name is refused before any work.
        QSignalSpy errors(&c, &TrainingController::errorOccurred);
        const quint64 bad = c.exportAnimation(walk, {dir.filePath("walk.gif")}, 12);
        QVERIFY(errors.wait(30000));
        QCOMPARE(errors.last().at(2).value<quint64>(), bad);
        QVERIFY2(errors.last().at(1).toString().contains(".webp"), qPrintable(errors.last().at(1).toString()));
    }
};

QTEST_GUILESS_MAIN(TestController)
#include "test_controller.moc"
