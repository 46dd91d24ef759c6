// The codebook editor: page edits through a real controller (a tiny model,
// not training, so pages change only by edits) must write exactly the values
// they promise, and undo/redo must put back exactly the values they replaced.
#include "codebook/code_mixer.h"
#include "codebook/codebook_panel.h"
#include "codebook/page_commands.h"
#include "codebook/page_picture.h"
#include "controller/controller.h"
#include "test_support.h"

#include <QSignalSpy>
#include <QSlider>
#include <QUndoStack>
#include <QtTest>

#include <cstring>
#include <functional>

using namespace cgpgan;
using namespace cgpgan::ui;

namespace {

constexpr int kTimeoutMs = 30000;

uint32_t bitsOf(float v)
{
    uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

// Bitwise equality (QCOMPARE on floats is fuzzy), naming the first difference.
bool samePage(const std::vector<float>& got, const std::vector<float>& want, QString* why)
{
    if (got.size() != want.size()) {
        *why = QStringLiteral("size %1 vs %2").arg(got.size()).arg(want.size());
        return false;
    }
    for (size_t i = 0; i < got.size(); ++i)
        if (bitsOf(got[i]) != bitsOf(want[i])) {
            *why = QStringLiteral("value %1: %2 vs %3").arg(i).arg(double(got[i]), 0, 'g', 9).arg(double(want[i]), 0, 'g', 9);
            return false;
        }
    return true;
}

#define COMPARE_PAGE(got, want)                                                                     \
    do {                                                                                            \
        QString why_;                                                                               \
        QVERIFY2(samePage((got), (want), &why_), qPrintable(why_));                                 \
    } while (0)

} // namespace

class CodebookTest final : public QObject {
    Q_OBJECT

    TrainingController* m_controller = nullptr;

    // The model's codebook as the controller reads it now.
    CodebookSnapshot readModel()
    {
        QSignalSpy books(m_controller, &TrainingController::codebookReady);
        m_controller->requestCodebook();
        if (!books.wait(kTimeoutMs))
            return {};
        return books.takeLast().at(0).value<CodebookSnapshot>();
    }

    // Runs `edit` (a push, undo or redo) and returns the codebook the
    // controller reports after the resulting pagesWritten().
    CodebookSnapshot afterWrite(const std::function<void()>& edit)
    {
        bool written = false, read = false;
        CodebookSnapshot book;
        auto c1 = connect(m_controller, &TrainingController::pagesWritten, this, [&] { written = true; });
        auto c2 = connect(m_controller, &TrainingController::codebookReady, this, [&](const CodebookSnapshot& b) {
            if (written) {
                book = b;
                read = true;
            }
        });
        edit();
        const bool arrived = QTest::qWaitFor([&] { return read; }, kTimeoutMs);
        disconnect(c1);
        disconnect(c2);
        return arrived ? book : CodebookSnapshot{}; // an empty book fails every comparison
    }

    // Every page of `got` equals `want`, except those listed in `edited`,
    // which must equal the given values.
    static void compareBook(const CodebookSnapshot& got, const CodebookSnapshot& want,
                            const std::vector<std::pair<PageRef, std::vector<float>>>& edited = {})
    {
        QCOMPARE(got.dL, want.dL);
        QCOMPARE(got.dC, want.dC);
        QCOMPARE(got.pageSize, want.pageSize);
        for (int l = 0; l < want.dL; ++l)
            for (int k = 0; k < want.dC; ++k) {
                std::vector<float> expected = pageValues(want, {l, k});
                for (const auto& [page, values] : edited)
                    if (page == PageRef{l, k})
                        expected = values;
                COMPARE_PAGE(pageValues(got, {l, k}), expected);
            }
    }

    // Push `command`, then undo and redo it, checking the model each time.
    void checkEditUndoRedo(QUndoStack& stack, QUndoCommand* command, const CodebookSnapshot& original,
                           const std::vector<std::pair<PageRef, std::vector<float>>>& edited)
    {
        // The edit must change something, or the checks below prove nothing.
        for (const auto& [page, values] : edited) {
            QString why;
            QVERIFY2(!samePage(values, pageValues(original, page), &why), "the edit leaves its page unchanged");
        }
        const auto pushed = afterWrite([&] { stack.push(command); });
        compareBook(pushed, original, edited);
        if (QTest::currentTestFailed())
            return;
        const auto undone = afterWrite([&] { stack.undo(); });
        compareBook(undone, original);
        if (QTest::currentTestFailed())
            return;
        const auto redone = afterWrite([&] { stack.redo(); });
        compareBook(redone, original, edited);
        if (QTest::currentTestFailed())
            return;
        // Leave the model as it was for the next test.
        const auto back = afterWrite([&] { stack.undo(); });
        compareBook(back, original);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_controller = new TrainingController(this);
        QSignalSpy ready(m_controller, &TrainingController::sessionReady);
        QSignalSpy errors(m_controller, &TrainingController::errorOccurred);
        m_controller->openSession(cgpgan::testing::tinyConfig(64));
        QVERIFY2(ready.wait(60000), errors.isEmpty() ? "no sessionReady" : qPrintable(errors.first().at(1).toString()));
        QCOMPARE(m_controller->state(), TrainingController::State::Ready);
        QVERIFY(m_controller->session().hasCodebook());
    }

    // ---- pure parts ----

    void softCodeNormalises()
    {
        const auto uniform = normaliseWeights({0, 0, 0, 0});
        QCOMPARE(uniform.size(), size_t(4));
        for (float w : uniform)
            QCOMPARE(w, 0.25f);

        const auto mixed = normaliseWeights({30, 10, 0, 60});
        double sum = 0;
        for (float w : mixed)
            sum += w;
        VERIFY_NEAR(sum, 1.0, 1e-6);
        VERIFY_NEAR(mixed[0], 0.3, 1e-6);
        VERIFY_NEAR(mixed[1], 0.1, 1e-6);
        QCOMPARE(mixed[2], 0.0f);
        VERIFY_NEAR(mixed[3], 0.6, 1e-6);

        const auto oneHot = normaliseWeights({0, 0, 100});
        QCOMPARE(oneHot[0], 0.0f);
        QCOMPARE(oneHot[2], 1.0f);
        // Negative weights count as zero.
        const auto clipped = normaliseWeights({-5, 5});
        QCOMPARE(clipped[0], 0.0f);
        QCOMPARE(clipped[1], 1.0f);
    }

    void mixerCode()
    {
        CodeMixer mixer;
        mixer.rebuild(2, 4);
        // Fresh: one-hot on category 0 per label.
        auto code = mixer.code();
        QCOMPARE(code.size(), size_t(8));
        QCOMPARE(code[0], 1.0f);
        QCOMPARE(code[4], 1.0f);
        QSignalSpy changed(&mixer, &CodeMixer::codeChanged);
        mixer.slider(1, 2)->setValue(100);
        QCOMPARE(changed.count(), 1);
        code = mixer.code();
        QCOMPARE(code[4], 0.5f);
        QCOMPARE(code[6], 0.5f);
        QCOMPARE(code[0], 1.0f); // label 0 untouched
        mixer.setSliderValues(1, {0, 0, 0, 0});
        code = mixer.code();
        for (int k = 4; k < 8; ++k)
            QCOMPARE(code[size_t(k)], 0.25f);
        mixer.setOneHot(0, 3);
        code = mixer.code();
        QCOMPARE(code[0], 0.0f);
        QCOMPARE(code[3], 1.0f);
    }

    // Issue 12: each slider shows its weight and the share the code uses, so
    // dragging the only non-zero slider down visibly changes the weight (the
    // share stays 100 %, and the label's note says why).
    void mixerShowsWeightAndShare()
    {
        CodeMixer mixer;
        mixer.rebuild(1, 4);
        mixer.slider(0, 0)->setValue(40);
        QCOMPARE(mixer.readout(0, 0), QString::fromUtf8("0.40 \u2192 100.0 %"));
        QVERIFY2(mixer.note(0).contains("all the weight"), qPrintable(mixer.note(0)));
        mixer.slider(0, 1)->setValue(30);
        QCOMPARE(mixer.readout(0, 0), QString::fromUtf8("0.40 \u2192 57.1 %"));
        QCOMPARE(mixer.readout(0, 1), QString::fromUtf8("0.30 \u2192 42.9 %"));
        QCOMPARE(mixer.code()[0], 0.4f / 0.7f);
        QVERIFY(mixer.note(0).contains("divided by the sum"));
        mixer.setSliderValues(0, {0, 0, 0, 0});
        QCOMPARE(mixer.readout(0, 2), QString::fromUtf8("0.00 \u2192 25.0 %"));
        QVERIFY(mixer.note(0).contains("even"));
        QVERIFY(mixer.groupHeight() > 0);
    }

    void pageStatistics()
    {
        // Two channels of 4x4: channel 0 all 1, channel 1 = position index.
        std::vector<float> page(32);
        for (int i = 0; i < 16; ++i) {
            page[size_t(i)] = 1.0f;
            page[size_t(16 + i)] = float(i);
        }
        const auto energy = spatialEnergy(page);
        for (int i = 0; i < 16; ++i)
            VERIFY_NEAR(energy[size_t(i)], 1.0 + double(i) * i, 1e-9);
        const auto s = pageStats(page);
        double sum = 0, sq = 0;
        for (float v : page) {
            sum += v;
            sq += double(v) * v;
        }
        VERIFY_NEAR(s.mean, sum / 32, 1e-9);
        VERIFY_NEAR(s.norm, std::sqrt(sq), 1e-9);
        double var = 0; // two-pass, unlike the one-pass sums of pageStats
        for (float v : page)
            var += (v - sum / 32) * (v - sum / 32) / 32;
        VERIFY_NEAR(s.stddev, std::sqrt(var), 1e-9);
        QCOMPARE(s.maxAbs, 15.0);
        // The colour map is symmetric around white.
        QCOMPARE(divergingColor(0, 1), divergingColor(0, 5));
        QVERIFY(divergingColor(1, 1).red() > divergingColor(1, 1).blue());
        QVERIFY(divergingColor(-1, 1).blue() > divergingColor(-1, 1).red());
    }

    void randomPageIsSeededNormal()
    {
        const auto a = randomPage(4096, 7), b = randomPage(4096, 7), c = randomPage(4096, 8);
        COMPARE_PAGE(a, b);
        QString why;
        QVERIFY(!samePage(a, c, &why));
        const auto s = pageStats(a);
        VERIFY_NEAR(s.mean, 0.0, 0.1);
        VERIFY_NEAR(s.stddev, 1.0, 0.1);
    }

    // ---- each command against the live model ----

    void copyPage()
    {
        auto original = readModel();
        QVERIFY(!original.values.empty());
        QCOMPARE(original.pageSize, m_controller->session().config.model.pageSize());
        CodebookSnapshot book = original;
        QUndoStack stack;
        const PageRef from{0, 1}, to{1, 3};
        checkEditUndoRedo(stack, new CopyPageCommand(m_controller, &book, from, to), original,
                          {{to, pageValues(original, from)}});
    }

    void swapPages()
    {
        auto original = readModel();
        CodebookSnapshot book = original;
        QUndoStack stack;
        const PageRef a{0, 0}, b{0, 2};
        checkEditUndoRedo(stack, new SwapPagesCommand(m_controller, &book, a, b), original,
                          {{a, pageValues(original, b)}, {b, pageValues(original, a)}});
    }

    void resetPage()
    {
        auto original = readModel();
        CodebookSnapshot book = original;
        QUndoStack stack;
        const PageRef page{1, 0};
        checkEditUndoRedo(stack, new ResetPageCommand(m_controller, &book, page, 12345), original,
                          {{page, randomPage(original.pageSize, 12345)}});
    }

    void interpolatePages()
    {
        auto original = readModel();
        CodebookSnapshot book = original;
        QUndoStack stack;
        const PageRef a{0, 3}, b{1, 1};
        const float t = 0.3f;
        // Computed here independently: (1 - t) * A + t * B, in double, rounded once.
        const auto pa = pageValues(original, a), pb = pageValues(original, b);
        std::vector<float> expected(pa.size());
        for (size_t i = 0; i < pa.size(); ++i)
            expected[i] = float((1.0 - double(t)) * double(pa[i]) + double(t) * double(pb[i]));
        checkEditUndoRedo(stack, new InterpolatePagesCommand(m_controller, &book, a, b, t, a), original,
                          {{a, expected}});
    }

    void scalePage()
    {
        auto original = readModel();
        CodebookSnapshot book = original;
        QUndoStack stack;
        const PageRef page{1, 2};
        const float s = -1.75f;
        auto expected = pageValues(original, page);
        for (float& v : expected)
            v = v * s; // one float rounding, as the command's double product rounded to float
        checkEditUndoRedo(stack, new ScalePageCommand(m_controller, &book, page, s), original, {{page, expected}});
    }

    // Two edits on one page: each undo puts back exactly what its edit replaced.
    void undoChain()
    {
        auto original = readModel();
        CodebookSnapshot book = original;
        QUndoStack stack;
        const PageRef a{0, 1}, b{1, 2};
        auto scaled = pageValues(original, a);
        for (float& v : scaled)
            v = v * 2.0f;
        auto s1 = afterWrite([&] { stack.push(new ScalePageCommand(m_controller, &book, a, 2.0f)); });
        compareBook(s1, original, {{a, scaled}});
        // The second edit starts from the first one's result, read from `book`.
        auto s2 = afterWrite([&] { stack.push(new InterpolatePagesCommand(m_controller, &book, a, b, 0.5f, a)); });
        std::vector<float> mixed(scaled.size());
        const auto pb = pageValues(original, b);
        for (size_t i = 0; i < mixed.size(); ++i)
            mixed[i] = float(0.5 * double(scaled[i]) + 0.5 * double(pb[i]));
        compareBook(s2, original, {{a, mixed}});
        auto u1 = afterWrite([&] { stack.undo(); });
        compareBook(u1, original, {{a, scaled}});
        auto u2 = afterWrite([&] { stack.undo(); });
        compareBook(u2, original);
        COMPARE_PAGE(book.values, original.values); // the local copy followed
    }

    // ---- the panel on the live session ----

    void panel()
    {
        CodebookPanel panel(m_controller);
        panel.resize(1000, 820);
        panel.show();
        QTRY_VERIFY_WITH_TIMEOUT(!panel.codebook().values.empty(), kTimeoutMs);
        QCOMPARE(panel.mixer()->labels(), 2);
        QCOMPARE(panel.mixer()->categories(), 4);

        // The preview follows the sliders: the newest request is the one shown,
        // and a different code gives other pixels.
        QSignalSpy samples(m_controller, &TrainingController::samplesReady);
        auto shown = [&](quint64 id) {
            for (const auto& args : samples) {
                const auto r = args.at(0).value<SampleResult>();
                if (r.id == id)
                    return r;
            }
            return SampleResult{};
        };
        panel.mixer()->setOneHot(0, 0);
        const quint64 firstId = panel.requestedPreviewId();
        QTRY_COMPARE_WITH_TIMEOUT(panel.shownPreviewId(), firstId, kTimeoutMs);
        const auto first = shown(firstId);
        QCOMPARE(first.request.tag, QString::fromLatin1(CodebookPanel::kPreviewTag));
        QCOMPARE(int(first.tiles.size()), CodebookPanel::kPreviewRows);
        QCOMPARE(first.request.codes[0], 1.0f);
        for (int v = 10; v <= 100; v += 10) // a drag: label 0 ends half c0, half c2
            panel.mixer()->slider(0, 2)->setValue(v);
        const quint64 secondId = panel.requestedPreviewId();
        QVERIFY(secondId > firstId);
        QTRY_COMPARE_WITH_TIMEOUT(panel.shownPreviewId(), secondId, kTimeoutMs);
        const auto second = shown(secondId);
        QCOMPARE(second.request.codes[0], 0.5f);
        QCOMPARE(second.request.codes[2], 0.5f);
        QCOMPARE(int(second.tiles.size()), CodebookPanel::kPreviewRows);
        QVERIFY(second.tiles[0] != first.tiles[0]);

        // An edit from the panel reaches the model and is undone exactly.
        const auto original = readModel();
        panel.setPageA({0, 2});
        panel.setPageB({1, 0});
        auto copied = afterWrite([&] { panel.copyAToB(); });
        compareBook(copied, original, {{{1, 0}, pageValues(original, {0, 2})}});
        QCOMPARE(panel.undoStack()->count(), 1);
        auto undone = afterWrite([&] { panel.undoStack()->undo(); });
        compareBook(undone, original);
        QTRY_VERIFY_WITH_TIMEOUT(panel.codebook().values == original.values, kTimeoutMs);

        const QString dir = qEnvironmentVariable("CGPGAN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            QTest::qWait(200);
            panel.grab().save(dir + QStringLiteral("/codebook_panel.png"));
        }
    }

    // Without a codebook: no pages, but the mixer still drives the preview.
    // An mlp codebook: pages are plain vectors (a bar strip, no 4x4 views).
    void panelOtherModels_data()
    {
        QTest::addColumn<bool>("mlp");
        QTest::newRow("conv without codebook") << false;
        QTest::newRow("mlp with codebook") << true;
    }

    void panelOtherModels()
    {
        QFETCH(bool, mlp);
        Config config = cgpgan::testing::tinyConfig(64);
        if (mlp) {
            config = cgpgan::preset("toy-2d");
            config.model.codebook = true;
            config.model.mlpHidden = {32, 32};
            config.model.dZ = 8;
            config.data.count = 256;
            config.run.device = cgpgan::DeviceChoice::Cpu;
            config.run.threads = 2;
        } else {
            config.model.codebook = false;
        }
        config.validate();
        TrainingController controller;
        QSignalSpy ready(&controller, &TrainingController::sessionReady);
        controller.openSession(config);
        QVERIFY(ready.wait(60000));
        CodebookPanel panel(&controller);
        panel.resize(1000, 760);
        panel.show();
        QCOMPARE(panel.mixer()->labels(), config.model.dL);
        QCOMPARE(panel.mixer()->categories(), config.model.dC);
        const auto pictures = panel.findChildren<PagePicture*>();
        QCOMPARE(pictures.size(), 2);
        if (mlp) {
            QTRY_VERIFY_WITH_TIMEOUT(!panel.codebook().values.empty(), kTimeoutMs);
            QCOMPARE(panel.codebook().pageSize, config.model.mlpHidden.front() / config.model.dL);
            QTRY_COMPARE_WITH_TIMEOUT(int(pictures[0]->values().size()), panel.codebook().pageSize, kTimeoutMs);
            QVERIFY(pictures[0]->isVisibleTo(&panel));
        } else {
            QVERIFY(!pictures[0]->isVisibleTo(&panel));
            panel.mixer()->setSliderValues(0, {50, 50, 0, 0});
            const quint64 id = panel.requestedPreviewId();
            QTRY_COMPARE_WITH_TIMEOUT(panel.shownPreviewId(), id, kTimeoutMs);
            QVERIFY(panel.codebook().values.empty());
        }
        const QString dir = qEnvironmentVariable("CGPGAN_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            QTest::qWait(200);
            panel.grab().save(dir + (mlp ? QStringLiteral("/codebook_mlp.png") : QStringLiteral("/codebook_none.png")));
        }
    }
};

QTEST_MAIN(CodebookTest)
#include "test_codebook.moc"
