// Latent walks as animation (issue 27): animated WebP and MP4 written with
// libwebp and FFmpeg and read back with the same libraries (frame count and
// size), the writer's refusals, and the walks' frames against the model.
#include "cgpgan/animation.h"
#include "cgpgan/error.h"
#include "cgpgan/latent_walk.h"
#include "cgpgan/model.h"
#include "test_support.h"
#include "trainer_helpers.h"

#include <QtTest/QtTest>

#include <filesystem>

using cgpgan::AnimationWriter;
using cgpgan::Error;
using cgpgan::Image8;
using cgpgan::LatentWalk;
using namespace cgpgan::testing;
namespace fs = std::filesystem;

namespace {

Image8 gradient(int width, int height, int shift)
{
    Image8 image;
    image.width = width;
    image.height = height;
    image.channels = 3;
    image.data.resize(size_t(width) * size_t(height) * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                image.data[(size_t(y) * size_t(width) + size_t(x)) * 3 + size_t(c)] =
                    uint8_t((x * 4 + y * 2 + shift * 16 + c * 60) % 256);
    return image;
}

} // namespace

class TestAnimation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void webpAndMp4ReadBack_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("codec");
        QTest::newRow("webp") << "a.webp" << "webp";
        QTest::newRow("mp4") << "a.mp4" << "";
    }
    void webpAndMp4ReadBack()
    {
        QFETCH(QString, name);
        QFETCH(QString, codec);
        const auto path = tempPath(m_dir, name.toStdString());
        // Odd sizes: the MP4 pads them to even ones, the WebP keeps them.
        const int width = 67, height = 35, frames = 23;
        {
            AnimationWriter writer(path, width, height, 10);
            for (int i = 0; i < frames; ++i)
                writer.add(gradient(width, height, i));
            QVERIFY(!fs::exists(path)); // nothing at the path before finish()
            writer.finish();
            QCOMPARE(writer.frames(), frames);
            QVERIFY(!writer.encoder().empty());
        }
        const auto info = cgpgan::readAnimationInfo(path);
        QCOMPARE(info.frames, frames);
        if (codec == "webp") {
            QCOMPARE(info.codec, std::string("webp"));
            QCOMPARE(info.width, width);
            QCOMPARE(info.height, height);
        } else {
            QVERIFY2(info.codec == "h264" || info.codec == "mpeg4", info.codec.c_str());
            QCOMPARE(info.width, width + 1);
            QCOMPARE(info.height, height + 1);
        }
        QVERIFY2(std::abs(info.seconds - frames / 10.0) < 0.15, qPrintable(QString::number(info.seconds)));
        // No temporary file is left beside it.
        int files = 0;
        for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path()))
            files += entry.path().string().find(".partial-") != std::string::npos;
        QCOMPARE(files, 0);
    }

    void refusals()
    {
        const auto refused = [](const std::function<void()>& f, const char* words) {
            try {
                f();
                QFAIL(words);
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(words), e.what());
            }
        };
        refused([&] { AnimationWriter(tempPath(m_dir, "a.gif"), 8, 8, 10); }, "name it .webp");
        refused([&] { AnimationWriter(tempPath(m_dir, "b.webp"), 8, 8, 0.5); }, "1..120 frames a second");
        refused([&] { AnimationWriter(tempPath(m_dir, "c.mp4"), 0, 8, 10); }, "each side must be");
        refused(
            [&] {
                AnimationWriter w(tempPath(m_dir, "d.webp"), 8, 8, 10);
                w.add(gradient(9, 8, 0));
            },
            "frame 1 is 9 x 8");
        refused(
            [&] {
                AnimationWriter w(tempPath(m_dir, "e.mp4"), 8, 8, 10);
                w.finish();
            },
            "no frames");
        // Dropped before finish(): nothing written, no temporary left.
        {
            AnimationWriter w(tempPath(m_dir, "f.mp4"), 8, 8, 10);
            w.add(gradient(8, 8, 0));
        }
        QVERIFY(!fs::exists(tempPath(m_dir, "f.mp4")));
        for (const auto& entry : fs::directory_iterator(m_dir.path().toStdString()))
            QVERIFY2(entry.path().string().find(".partial-") == std::string::npos, entry.path().c_str());
        refused([&] { cgpgan::readAnimationInfo(tempPath(m_dir, "missing.webp")); }, "does not exist");
    }

    void latentWalks()
    {
        cgpgan::Model model(tinyConfig());
        LatentWalk walk;
        walk.kind = LatentWalk::Kind::Pages;
        walk.combinations = {5};
        walk.label = 1;
        walk.pageA = 0;
        walk.pageB = 3;
        walk.rows = 2;
        walk.frames = 6;
        walk.scale = 2;
        std::vector<Image8> frames;
        cgpgan::renderLatentWalk(model, walk, [&](int i, int n, const Image8& f) {
            [&] { QCOMPARE(i, int(frames.size())); QCOMPARE(n, 6); }();
            frames.push_back(f);
            return true;
        });
        QCOMPARE(int(frames.size()), 6);
        const auto [w, h] = cgpgan::latentWalkFrameSize(model, walk);
        QCOMPARE(frames[0].width, w);
        QCOMPARE(frames[0].height, h);
        // First and last frames are the one-hot codes: combination 5 is (1, 1),
        // so page 0 of label 1 makes combination 4, page 3 combination 7.
        const auto expect = [&](int64_t combination) {
            const auto grid = model.sampleGrid(walk.zSeed, walk.rows, {combination}).image();
            Image8 big = frames[0];
            for (int y = 0; y < big.height; ++y)
                for (int x = 0; x < big.width; ++x)
                    for (int c = 0; c < big.channels; ++c)
                        big.data[(size_t(y) * size_t(big.width) + size_t(x)) * size_t(big.channels) + size_t(c)] =
                            grid.data[(size_t(y / 2) * size_t(grid.width) + size_t(x / 2)) * size_t(grid.channels) +
                                      size_t(c)];
            return big.data;
        };
        QVERIFY(frames.front().data == expect(4));
        QVERIFY(frames.back().data == expect(7));
        QVERIFY(frames[2].data != frames.front().data);
        // A z loop: its frames differ, and n frames lead back towards the first.
        walk.kind = LatentWalk::Kind::Z;
        walk.combinations = {0, 1, 2};
        walk.frames = 8;
        walk.keyframes = 2;
        int count = 0;
        cgpgan::renderLatentWalk(model, walk, [&](int, int, const Image8& f) {
            [&] { QCOMPARE(f.width, cgpgan::latentWalkFrameSize(model, walk).first); }();
            ++count;
            return true;
        });
        QCOMPARE(count, 8);
        // Refusals name what to fix.
        walk.kind = LatentWalk::Kind::Path;
        walk.combinations = {3};
        QVERIFY_THROWS_EXCEPTION(Error, cgpgan::checkLatentWalk(model, walk));
        walk.combinations = {3, 99};
        try {
            cgpgan::checkLatentWalk(model, walk);
            QFAIL("combination 99 accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("combination 99 is not one of this model's 0..15"), e.what());
        }
        // Cancelled from the callback.
        walk.combinations = {3, 4};
        QVERIFY_THROWS_EXCEPTION(Error, cgpgan::renderLatentWalk(model, walk, [](int, int, const Image8&) {
            return false;
        }));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestAnimation)
#include "test_animation.moc"
