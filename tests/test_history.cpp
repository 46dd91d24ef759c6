// Issue 12, item 7: the run's bounded history (history.h), and that a
// checkpoint carries it: a reopened run has its curves from step 1.
#include "cgpgan/error.h"
#include "cgpgan/history.h"
#include "cgpgan/trainer.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace cgpgan;

namespace {
StepStats statsAt(int64_t step)
{
    StepStats s;
    s.step = step;
    s.dAdversarial = double(step) * 0.5;
    s.prior = {0.25f, 0.75f};
    s.zDiversity = step % 10 == 0 ? 0.5 : std::nan("");
    // train.reg_every 4: penalties on every 4th step only, NaN elsewhere.
    s.regularised = step % 4 == 1;
    s.r2 = s.regularised ? 0.1 : std::nan("");
    s.cgp = s.regularised ? 0.01 : std::nan("");
    if (step % 5 == 0) // the live clustering score (SPEC 8) on every 5th step
        s.scores = {{"shape", 1, 0.01 * double(step % 100), 0.2, 0.1}, {"combined", -1, 0.5, 0.6, 0.3}};
    return s;
}
} // namespace

class TestHistory final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void boundedEvenAndWhole()
    {
        StepHistory h(64);
        for (int64_t step = 1; step <= 1000; ++step)
            h.add(statsAt(step));
        const auto e = h.entries();
        QVERIFY2(e.size() <= 64 + 1, qPrintable(QString::number(e.size())));
        QVERIFY(e.size() >= 32);
        QCOMPARE(e.back().step, int64_t(1000)); // the newest step is always there
        // Evenly spaced over the whole run: every kept step is a multiple of the stride.
        for (size_t i = 0; i + 1 < e.size(); ++i) {
            QCOMPARE(e[i].step % h.stride(), int64_t(0));
            QVERIFY(e[i].step < e[i + 1].step);
        }
        QVERIFY(e.front().step <= h.stride()); // it still starts at the beginning
        // Short runs keep every step.
        StepHistory all(64);
        for (int64_t step = 1; step <= 40; ++step)
            all.add(statsAt(step));
        QCOMPARE(all.entries().size(), size_t(40));
    }

    void jsonRoundTrip()
    {
        StepHistory h(16);
        for (int64_t step = 1; step <= 37; ++step)
            h.add(statsAt(step));
        const StepHistory back = StepHistory::fromJson(h.toJson());
        const auto a = h.entries(), b = back.entries();
        QCOMPARE(b.size(), a.size());
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(b[i].step, a[i].step);
            QCOMPARE(b[i].dAdversarial, a[i].dAdversarial);
            QCOMPARE(b[i].prior, a[i].prior);
            QCOMPARE(std::isnan(b[i].zDiversity), std::isnan(a[i].zDiversity));
            // A step without penalties reads back as one (not as a divergence).
            QCOMPARE(b[i].regularised, a[i].regularised);
            QCOMPARE(std::isnan(b[i].r2), !a[i].regularised);
        }
        // The scored steps come back whole, apart from the thinned loss rows.
        QCOMPARE(back.scores().size(), h.scores().size());
        QCOMPARE(h.scores().size(), size_t(7)); // steps 5, 10, ..., 35
        QCOMPARE(back.scores().back().step, int64_t(35));
        QCOMPARE(back.scores().back().scores[0].name, std::string("shape"));
        QCOMPARE(back.scores().back().scores[0].accuracy, 0.35);
        QCOMPARE(back.scores().back().scores[1].qLabel, -1);
        QCOMPARE(back.stride(), h.stride());
        QVERIFY_THROWS_EXCEPTION(Error, StepHistory::fromJson("{\"capacity\": 4}"));
        QVERIFY_THROWS_EXCEPTION(Error, StepHistory::fromJson("not json"));
    }

    // The scored steps thin on their own: bounded, whole run, newest kept.
    void scoresThinApart()
    {
        StepHistory h(16);
        for (int64_t step = 1; step <= 1000; ++step)
            h.add(statsAt(step));
        const auto& scores = h.scores();
        QVERIFY2(scores.size() < 16 && scores.size() >= 8, qPrintable(QString::number(scores.size())));
        QCOMPARE(scores.front().step, int64_t(5));
        for (size_t i = 0; i + 1 < scores.size(); ++i)
            QVERIFY(scores[i].step < scores[i + 1].step);
        QVERIFY(scores.back().step > 800);
    }

    void checkpointsCarryIt()
    {
        const Config config = testing::tinyConfig(64);
        auto data = std::make_shared<Dataset>(loadDataset(config.data));
        Trainer trainer(config, data);
        for (int i = 0; i < 5; ++i)
            trainer.step();
        QTemporaryDir dir;
        const std::string path = dir.filePath("h.pt").toStdString();
        trainer.save(path);
        Trainer reopened(config, data);
        QVERIFY(reopened.history().empty());
        reopened.load(path);
        const auto h = reopened.history();
        QCOMPARE(h.size(), size_t(5));
        for (size_t i = 0; i < h.size(); ++i) {
            QCOMPARE(h[i].step, int64_t(i + 1));
            QCOMPARE(h[i].gAdversarial, trainer.history()[i].gAdversarial);
        }
        // Training on after the load extends it.
        reopened.step();
        QCOMPARE(reopened.history().back().step, int64_t(6));
    }

    // Issue 27: the run's events (interventions) are kept in step order,
    // never thinned, bounded, and round-trip through JSON; a history written
    // before them reads with none.
    void eventsKeepOrderAndRoundTrip()
    {
        StepHistory h(64);
        h.addEvent({5, "knobs", "lr G 0.002 -> 0.001"});
        h.addEvent({2, "pause", "paused"});
        h.addEvent({5, "pages", "Copy \"L0 c1\", to L0 c2"});
        for (int64_t step = 1; step <= 500; ++step)
            h.add(statsAt(step)); // thinning the rows leaves the events alone
        QCOMPARE(h.events().size(), size_t(3));
        QCOMPARE(h.events()[0].kind, std::string("pause"));
        QCOMPARE(h.events()[1].kind, std::string("knobs")); // same step: the order they came in
        QCOMPARE(h.events()[2].text, std::string("Copy \"L0 c1\", to L0 c2"));
        const StepHistory back = StepHistory::fromJson(h.toJson());
        QCOMPARE(back.events().size(), size_t(3));
        for (size_t i = 0; i < 3; ++i) {
            QCOMPARE(back.events()[i].step, h.events()[i].step);
            QCOMPARE(back.events()[i].kind, h.events()[i].kind);
            QCOMPARE(back.events()[i].text, h.events()[i].text);
        }
        const StepHistory old = StepHistory::fromJson(R"({"capacity": 64, "stride": 1, "rows": []})");
        QVERIFY(old.events().empty());

        StepHistory full(64);
        for (size_t i = 0; i < StepHistory::kMaxEvents + 10; ++i)
            full.addEvent({int64_t(i), "knobs", "x"});
        QCOMPARE(full.events().size(), StepHistory::kMaxEvents);
        QCOMPARE(full.events().front().step, int64_t(10)); // the oldest went
        QCOMPARE(full.eventsDropped(), int64_t(10));
    }

    // A knob change is an event of the trainer, and a checkpoint carries the
    // events: a reopened run shows that lr G changed, and when.
    void knobChangesAreEventsInTheCheckpoint()
    {
        const Config config = testing::tinyConfig(64);
        auto data = std::make_shared<Dataset>(loadDataset(config.data));
        Trainer trainer(config, data);
        trainer.step();
        trainer.step();
        TrainingKnobs knobs = trainer.knobs();
        const double before = knobs.lrG;
        knobs.lrG = before / 2;
        knobs.priorMode = TrainingKnobs::PriorMode::Frozen;
        const std::string change = trainer.setKnobs(knobs);
        QVERIFY2(change.find("lr G") != std::string::npos && change.find("prior auto -> frozen") != std::string::npos,
                 change.c_str());
        QCOMPARE(trainer.setKnobs(knobs), std::string()); // the same knobs again: no event
        trainer.recordEvent({2, "pause", "paused"});
        trainer.step();
        QTemporaryDir dir;
        const std::string path = dir.filePath("events.pt").toStdString();
        trainer.save(path);
        Trainer reopened(config, data);
        reopened.load(path);
        const auto events = reopened.events();
        QCOMPARE(events.size(), size_t(2));
        QCOMPARE(events[0].step, int64_t(2));
        QCOMPARE(events[0].kind, std::string("knobs"));
        QCOMPARE(events[0].text, change);
        QCOMPARE(events[1].kind, std::string("pause"));
    }
};

QTEST_GUILESS_MAIN(TestHistory)
#include "test_history.moc"
