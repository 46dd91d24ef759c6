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
};

QTEST_GUILESS_MAIN(TestHistory)
#include "test_history.moc"
