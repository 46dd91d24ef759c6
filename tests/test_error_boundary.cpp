// Issue 25: the controller's one error boundary and closing that never hangs.
//  - every kind of service job (open, sample, knobs, codebook, pages, assign,
//    map, save, export) made to throw as the engine would (libtorch's text
//    with its backtrace, a std::bad_alloc, something not an exception) is
//    reported as errorOccurred(what, message, id) without the backtrace, and
//    the session goes on;
//  - a stop requested while paused always wakes the paused run (many times);
//  - closing while a t-SNE map is being computed takes well under a second.
#include "controller/controller.h"
#include "test_support.h"

#include "cgpgan/error.h"
#include "cgpgan/runner.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <future>
#include <new>
#include <thread>

using cgpgan::ui::TrainingController;
using Job = TrainingController::Job;
using State = TrainingController::State;

namespace {

// What libtorch's c10::Error::what() looks like: the message, then the trace.
const char* const kTorchStyle =
    "Expected all tensors to be on the same device\n"
    "Exception raised from check_device at ../aten/src/ATen/native/Foo.cpp:42 (most recent call first):\n"
    "frame #0: c10::Error::Error(...) + 0x8c (0x7f in /usr/lib/libc10.so)\n";

struct Failure {
    QString what, message;
    quint64 id = 0;
};

// Waits for the errorOccurred of request id (others are ignored).
bool waitForError(QSignalSpy& spy, quint64 id, Failure& out, int ms = 60000)
{
    QElapsedTimer t;
    t.start();
    qsizetype seen = 0;
    while (t.elapsed() < ms) {
        for (; seen < spy.size(); ++seen) {
            if (spy.at(seen).at(2).toULongLong() == id) {
                out = {spy.at(seen).at(0).toString(), spy.at(seen).at(1).toString(), id};
                return true;
            }
        }
        spy.wait(200);
    }
    return false;
}

} // namespace

class TestErrorBoundary final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void userMessageDropsBacktraces()
    {
        QCOMPARE(QString::fromStdString(cgpgan::userMessage(std::runtime_error(kTorchStyle))),
                 QStringLiteral("Expected all tensors to be on the same device"));
        QCOMPARE(QString::fromStdString(cgpgan::userMessage(cgpgan::Error("a.pt is damaged: bad CRC"))),
                 QStringLiteral("a.pt is damaged: bad CRC"));
        QVERIFY(QString::fromStdString(cgpgan::userMessage(std::bad_alloc())).startsWith("out of memory"));
        QCOMPARE(QString::fromStdString(cgpgan::userMessage(std::runtime_error("line one\nline two"))),
                 QStringLiteral("line one"));
        QVERIFY(!cgpgan::userMessage(std::runtime_error("")).empty());
    }

    void everyJobKindFailsAndTheSessionGoesOn()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TrainingController c;
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        QSignalSpy errors(&c, &TrainingController::errorOccurred);

        // Each kind in turn throws what an engine call could throw.
        const std::vector<std::pair<Job, int>> cases = {
            {Job::Sample, 0}, {Job::Knobs, 1}, {Job::Codebook, 2}, {Job::Pages, 0}, {Job::Assign, 1},
            {Job::Map, 2},    {Job::Save, 0},  {Job::Export, 1},   {Job::Open, 2}, {Job::Compare, 0},
            {Job::Steer, 1},  {Job::Animation, 2}};
        for (const auto& [kind, how] : cases) {
            c.setFaultInjection([kind = kind, how = how](Job running) {
                if (running != kind)
                    return;
                if (how == 0)
                    throw std::runtime_error(kTorchStyle);
                if (how == 1)
                    throw std::bad_alloc();
                throw 42; // not a std::exception at all
            });
            quint64 id = 0;
            switch (kind) {
            case Job::Sample: {
                cgpgan::ui::SampleRequest r;
                r.rows = 2;
                r.columns = 2;
                r.codes = c.combinationCodes({0, 1});
                id = c.requestSamples(r);
                break;
            }
            case Job::Knobs: id = c.setKnobs(c.knobs()); break;
            case Job::Codebook: id = c.requestCodebook(); break;
            case Job::Pages: {
                cgpgan::ui::PageWrite w;
                w.values.assign(size_t(c.session().config.model.pageSize()), 0.5f);
                id = c.writePages({w});
                break;
            }
            case Job::Assign: id = c.assignClusters(); break;
            case Job::Map: id = c.computeMap(cgpgan::MapMethod::Pca); break;
            case Job::Save: id = c.saveCheckpoint(dir.filePath("s.pt")); break;
            case Job::Export: id = c.exportModel(dir.filePath("export")); break;
            case Job::Open: id = c.openSession(cgpgan::testing::tinyConfig(64)); break;
            case Job::Compare: id = c.openComparison(dir.filePath("s.pt")); break;
            case Job::Steer: {
                cgpgan::SteerAction a;
                a.action = cgpgan::SteerKind::Empty;
                id = c.steer(a);
                break;
            }
            case Job::Animation: {
                cgpgan::LatentWalk walk;
                walk.combinations = {0, 1};
                walk.frames = 4;
                id = c.exportAnimation(walk, {dir.filePath("walk.webp")}, 10);
                break;
            }
            }
            Failure f;
            QVERIFY2(waitForError(errors, id, f), qPrintable(QStringLiteral("no error for job %1").arg(int(kind))));
            QVERIFY2(!f.what.isEmpty() && !f.message.isEmpty(), qPrintable(f.what + ": " + f.message));
            QVERIFY2(!f.message.contains("Exception raised from") && !f.message.contains("frame #"),
                     qPrintable(f.message));
            if (how == 0)
                QCOMPARE(f.message, QStringLiteral("Expected all tensors to be on the same device"));
            QCOMPARE(c.state(), State::Ready); // the session is still open
        }

        // With the probe gone, the same session samples, saves and trains.
        c.setFaultInjection({});
        QSignalSpy samples(&c, &TrainingController::samplesReady);
        cgpgan::ui::SampleRequest r;
        r.rows = 2;
        r.columns = 2;
        r.codes = c.combinationCodes({0, 1});
        c.requestSamples(r);
        QVERIFY(samples.wait(60000));
        QCOMPARE(samples.last().at(0).value<cgpgan::ui::SampleResult>().tiles.size(), 4);
        QSignalSpy saved(&c, &TrainingController::checkpointSaved);
        c.saveCheckpoint(dir.filePath("after.pt"));
        QVERIFY(saved.wait(60000));
        c.stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(c.step(), int64_t(1), 60000);
        c.stopAndWait();
    }

    // The closing save (saveCheckpointNow) returns the message instead of throwing.
    void closingSaveReportsFailure()
    {
        QTemporaryDir dir;
        TrainingController c;
        QSignalSpy ready(&c, &TrainingController::sessionReady);
        c.openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY(ready.wait(60000));
        c.setFaultInjection([](Job kind) {
            if (kind == Job::Save)
                throw std::runtime_error(kTorchStyle);
        });
        QCOMPARE(c.saveCheckpointNow(dir.filePath("x.pt")),
                 QStringLiteral("Expected all tensors to be on the same device"));
        c.setFaultInjection({});
        QCOMPARE(c.saveCheckpointNow(dir.filePath("x.pt")), QString());
    }

    // A stop that lands while the run thread goes to sleep on a pause must
    // wake it: requestStop() changes the flag under the mutex the wait holds.
    void stopDuringPauseNeverHangs()
    {
        for (int round = 0; round < 2000; ++round) {
            cgpgan::TrainingControl control;
            control.pause();
            auto waiter = std::async(std::launch::async, [&control] { return control.waitUntilRunnable(); });
            if (round % 2)
                std::this_thread::yield(); // vary where the stop lands
            control.requestStop();
            QVERIFY2(waiter.wait_for(std::chrono::seconds(5)) == std::future_status::ready,
                     qPrintable(QStringLiteral("round %1: the paused run missed its stop").arg(round)));
            QCOMPARE(waiter.get(), false);
        }
    }

    // Closing while a t-SNE map is computed cancels it (between iterations)
    // instead of waiting for it.
    void closeDuringTsneIsQuick()
    {
        auto config = cgpgan::testing::tinyConfig(3000);
        auto c = std::make_unique<TrainingController>();
        QSignalSpy ready(c.get(), &TrainingController::sessionReady);
        c->openSession(config);
        QVERIFY(ready.wait(60000));
        QSignalSpy progress(c.get(), &TrainingController::mapProgress);
        c->computeMap(cgpgan::MapMethod::Tsne, 3000);
        // Past Q's features (the first part of the pass): t-SNE is iterating.
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toInt() >= 300, 120000);
        QElapsedTimer t;
        t.start();
        c.reset();
        const qint64 ms = t.elapsed();
        qInfo("closed during t-SNE in %lld ms", static_cast<long long>(ms));
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("closing took %1 ms").arg(ms)));
    }
};

QTEST_MAIN(TestErrorBoundary)
#include "test_error_boundary.moc"
