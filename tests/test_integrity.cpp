// Issue 11: checkpoints that are corrupt, not finite, edited or older are
// refused (or noted) with a message naming what is wrong; writes that fail
// name the file and the cause and keep the previous file; config numbers
// that would wrap or truncate are refused.
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/device.h"
#include "cgpgan/error.h"
#include "cgpgan/file_io.h"
#include "cgpgan/image_io.h"
#include "cgpgan/model.h"
#include "cgpgan/runner.h"
#include "cgpgan/trainer.h"
#include "metrics_csv.h"
#include "model/model_impl.h" // white box: to plant a NaN in a live model
#include "support/checkpoint_compare.h"
#include "test_support.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <functional>
#include <QtTest/QtTest>

#include <zlib.h>

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace cgpgan;
namespace fs = std::filesystem;

namespace {

// The message of the Error that f throws; fails the test when it throws none.
template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("<no error>");
}

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The middle byte of the largest entry's stored data, found through the zip's
// central directory: a byte there is covered by that entry's CRC-32, unlike
// the padding libtorch puts in local headers (a fixed fraction of the file
// can land in it, as it did once in CI).
size_t middleOfLargestEntry(const std::string& bytes, size_t endRecord)
{
    auto u16 = [&](size_t at) { return size_t(uint8_t(bytes[at])) | size_t(uint8_t(bytes[at + 1])) << 8; };
    auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
    size_t at = u32(endRecord + 16), best = 0, bestSize = 0;
    for (size_t i = 0, n = u16(endRecord + 10); i < n; ++i) {
        const size_t stored = u32(at + 20), local = u32(at + 42);
        if (stored > bestSize) {
            bestSize = stored;
            best = local + 30 + u16(local + 26) + u16(local + 28) + stored / 2;
        }
        at += 46 + u16(at + 28) + u16(at + 30) + u16(at + 32);
    }
    return best;
}

} // namespace

class TestIntegrity : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Config m_config;
    std::shared_ptr<Dataset> m_data;
    std::string m_good; // a checkpoint after 3 steps

    std::string path(const char* name) const { return (fs::path(m_dir.path().toStdString()) / name).string(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_config = testing::tinyConfig(64);
        m_data = std::make_shared<Dataset>(loadDataset(m_config.data));
        Trainer trainer(m_config, m_data);
        for (int i = 0; i < 3; ++i)
            trainer.step();
        m_good = path("good.pt");
        QCOMPARE(trainer.save(m_good), int64_t(3));
    }

    void goodCheckpointLoadsAndCarriesChecksums()
    {
        Trainer trainer(m_config, m_data);
        trainer.load(m_good);
        QCOMPARE(trainer.stepCount(), int64_t(3));
        QVERIFY(Trainer::readInfo(m_good).checksummed);
        QCOMPARE(Model::load(m_good)->step(), int64_t(3));
    }

    // Bytes flipped inside the file: refused by every reader, never trained on.
    void flippedBytesAreRefused()
    {
        const std::string bytes = readAll(m_good);
        int refused = 0;
        for (const double where : {0.3, 0.5, 0.7, 0.9}) {
            std::string damaged = bytes;
            const size_t at = size_t(double(bytes.size()) * where);
            for (size_t i = at; i < at + 8; ++i)
                damaged[i] = char(damaged[i] ^ 0x5a);
            const std::string file = path("flipped.pt");
            writeFileAtomically(file, damaged, "test file");
            const QString message = errorOf([&] {
                Trainer trainer(m_config, m_data);
                trainer.load(file);
            });
            QVERIFY2(message != "<no error>", qPrintable(QString("offset %1 loaded").arg(at)));
            QVERIFY2(message.contains("corrupt") || message.contains("damaged"), qPrintable(message));
            ++refused;
        }
        QCOMPARE(refused, 4);
    }

    // The whole-file seal (found by fuzz_checkpoint: libtorch can crash on
    // a damaged archive before any tensor checksum is read): a saved file
    // ends with its CRC-32; a cut or a changed byte anywhere is refused before
    // libtorch parses it, and a file without a seal (older) has the zip's own
    // CRCs checked instead.
    void wholeFileSealIsCheckedFirst()
    {
        const std::string bytes = readAll(m_good);
        const std::string tail = bytes.substr(bytes.size() - 21);
        QVERIFY2(tail.rfind("cgpgan-seal2 ", 0) == 0, tail.c_str());

        const std::string cut = path("cut.pt");
        writeFileAtomically(cut, bytes.substr(0, bytes.size() - 1000), "test file");
        const QString cutMessage = errorOf([&] { Model::load(cut); });
        QVERIFY2(cutMessage.contains("cut short") && cutMessage.contains("no zip end record"), qPrintable(cutMessage));

        // One bit in the middle (a tensor, the code, or the directory).
        std::string flipped = bytes;
        flipped[flipped.size() / 2] = char(flipped[flipped.size() / 2] ^ 1);
        const std::string flippedFile = path("one-bit.pt");
        writeFileAtomically(flippedFile, flipped, "test file");
        const QString flipMessage = errorOf([&] { Trainer::readInfo(flippedFile); });
        QVERIFY2(flipMessage.contains("do not match the CRC-32 written with them"), qPrintable(flipMessage));

        // The same file without its seal, as an older version wrote it: it
        // loads; with the bit flipped, the zip's own CRC of that entry refuses it.
        const size_t end = bytes.size() - 21 - 22;
        QCOMPARE(uint32_t(uint8_t(bytes[end])) | uint32_t(uint8_t(bytes[end + 1])) << 8, uint32_t(0x4b50));
        std::string unsealed = bytes.substr(0, bytes.size() - 21);
        unsealed[end + 20] = unsealed[end + 21] = 0;
        const std::string older = path("unsealed.pt");
        writeFileAtomically(older, unsealed, "test file");
        QCOMPARE(Model::load(older)->step(), Model::load(m_good)->step());
        const size_t inData = middleOfLargestEntry(unsealed, end);
        QVERIFY(inData > 0 && inData < end);
        unsealed[inData] = char(unsealed[inData] ^ 1);
        writeFileAtomically(older, unsealed, "test file");
        const QString olderMessage = errorOf([&] { Model::load(older); });
        QVERIFY2(olderMessage.contains("damaged") && olderMessage.contains("CRC-32 in its zip directory"),
                 qPrintable(olderMessage));
    }

    // Issue 26: the zip end record's fields (disk numbers, entry counts,
    // directory size and offset) are inside the seal: a flip in any of its
    // 20 bytes is refused before libtorch reads the file. A file with the
    // first seal (bytes before the record only) still loads, and there a
    // flip in the record's counts or offsets is caught by checking them
    // against the directory.
    void endRecordIsSealed()
    {
        const std::string bytes = readAll(m_good);
        const size_t end = bytes.size() - 21 - 22;
        QCOMPARE(uint32_t(uint8_t(bytes[end + 2])) | uint32_t(uint8_t(bytes[end + 3])) << 8, uint32_t(0x0605));
        const std::string file = path("record.pt");
        for (size_t field = 4; field < 20; ++field) {
            std::string flipped = bytes;
            flipped[end + field] = char(flipped[end + field] ^ 1);
            writeFileAtomically(file, flipped, "test file");
            const QString message = errorOf([&] { Trainer::readInfo(file); });
            QVERIFY2(message.contains("damaged"), qPrintable(QString("byte %1: %2").arg(field).arg(message)));
        }

        // The same bytes sealed the first way: "cgpgan-crc32 " and the CRC-32 of the bytes before the record.
        std::string first = bytes.substr(0, bytes.size() - 21);
        char crc[9];
        std::snprintf(crc, sizeof crc, "%08x",
                      unsigned(crc32(0L, reinterpret_cast<const Bytef*>(first.data()), uInt(end))));
        first += std::string("cgpgan-crc32 ") + crc;
        writeFileAtomically(file, first, "test file");
        QCOMPARE(Model::load(file)->step(), Model::load(m_good)->step());
        for (const size_t field : {8, 10, 12, 16}) { // entries here, in all; directory size, offset
            std::string flipped = first;
            flipped[end + field] = char(flipped[end + field] ^ 1);
            writeFileAtomically(file, flipped, "test file");
            const QString message = errorOf([&] { Trainer::readInfo(file); });
            QVERIFY2(message.contains("damaged") && message.contains("end record"),
                     qPrintable(QString("byte %1: %2").arg(field).arg(message)));
        }
    }

    // A tensor changed behind the checksum's back is named.
    void changedTensorIsNamed()
    {
        const std::string file = path("changed.pt");
        testing::CheckpointEdit edit;
        bool changed = false; // the first weight of D, nothing else
        edit.tensor = [&changed](const std::string& name, torch::Tensor& t) {
            if (!changed && name.rfind("D.", 0) == 0 && t.is_floating_point() && t.numel() > 0) {
                t.view(-1)[0] += 1e-3;
                changed = true;
            }
        };
        testing::rewriteCheckpoint(m_good, file, edit);
        QVERIFY(changed);
        const QString message = errorOf([&] { Model::load(file); });
        QVERIFY2(message.contains("is corrupt") && message.contains("D/") && message.contains("stored checksum"),
                 qPrintable(message));
    }

    // Issue 26: forged tensors with no checksums to catch them (an older
    // checkpoint) get our words: a weight of another type, a data order
    // that is not a permutation (it reached "index out of range in self").
    void forgedTensorsAreNamed()
    {
        const std::string file = path("forged.pt");
        testing::CheckpointEdit edit;
        edit.drop = {"checksums"};
        bool changed = false;
        edit.tensor = [&changed](const std::string& name, torch::Tensor& t) {
            if (!changed && name.rfind("D.", 0) == 0 && t.is_floating_point() && t.numel() > 0) {
                t = t.to(torch::kLong);
                changed = true;
            }
        };
        testing::rewriteCheckpoint(m_good, file, edit);
        QVERIFY(changed);
        const QString typed = errorOf([&] { Model::load(file); });
        QVERIFY2(typed.contains("holds Long values, the model Float"), qPrintable(typed));

        edit.tensor = [&changed](const std::string& name, torch::Tensor& t) {
            if (name == "data_order") {
                t = t.clone();
                t[0] = t.numel() + 5;
                changed = true;
            }
        };
        changed = false;
        testing::rewriteCheckpoint(m_good, file, edit);
        QVERIFY(changed);
        const QString order = errorOf([&] {
            Trainer trainer(m_config, m_data);
            trainer.load(file);
        });
        QVERIFY2(order.contains("data order is not a permutation"), qPrintable(order));
    }

    void editedConfigIsRefused()
    {
        Config other = m_config;
        other.train.lrG *= 2; // a change that keeps the shapes
        testing::CheckpointEdit edit;
        edit.text["config"] = toJson(other);
        const std::string file = path("config-edited.pt");
        testing::rewriteCheckpoint(m_good, file, edit);
        const QString message = errorOf([&] { checkpointConfig(file); });
        QVERIFY2(message.contains("config does not match its checksum"), qPrintable(message));
    }

    // An older checkpoint (no checksums) loads, and one whose config
    // disagrees with its tensors gets our message, not libtorch's.
    void olderCheckpointLoadsAndEditedShapesAreNamed()
    {
        testing::CheckpointEdit old;
        old.drop = {"checksums"};
        const std::string file = path("old.pt");
        testing::rewriteCheckpoint(m_good, file, old);
        QVERIFY(!Trainer::readInfo(file).checksummed);
        Trainer trainer(m_config, m_data);
        trainer.load(file);
        QCOMPARE(trainer.stepCount(), int64_t(3));

        Config wider = m_config;
        wider.model.dWidths = {8, 16, 16};
        testing::CheckpointEdit edit;
        edit.drop = {"checksums"};
        edit.text["config"] = toJson(wider);
        const std::string edited = path("shape-edited.pt");
        testing::rewriteCheckpoint(m_good, edited, edit);
        const QString message = errorOf([&] { Model::load(edited); });
        QVERIFY2(message.contains("do not fit its config") && message.contains("D/") &&
                     message.contains("the config builds"),
                 qPrintable(message));
    }

    // Issue 26: the header values every command reads (info included) are
    // checked alike: a step out of range, a prior that is not a distribution
    // per label, a parameter count the config does not build.
    void headerValuesAreChecked()
    {
        const auto edited = [&](const char* file, const std::string& key, const std::function<void(torch::Tensor&)>& f) {
            testing::CheckpointEdit edit;
            edit.drop = {"checksums"};
            edit.tensor = [&](const std::string& name, torch::Tensor& t) {
                if (name == key)
                    f(t);
            };
            testing::rewriteCheckpoint(m_good, path(file), edit);
            return path(file);
        };
        const std::string negativeMass = edited("prior-neg.pt", "prior", [](torch::Tensor& t) {
            t.view(-1)[0] = -0.5;
            t.view(-1)[1] += 0.5;
        });
        QString message = errorOf([&] { Trainer::readInfo(negativeMass); });
        QVERIFY2(message.contains("prior mass") && message.contains("not a probability"), qPrintable(message));
        message = errorOf([&] { Model::load(negativeMass); });
        QVERIFY2(message.contains("prior mass"), qPrintable(message));
        const std::string notSummingToOne = edited("prior-big.pt", "prior", [](torch::Tensor& t) { t.mul_(0.5); });
        message = errorOf([&] {
            Trainer trainer(m_config, m_data);
            trainer.load(notSummingToOne);
        });
        QVERIFY2(message.contains("sums to 0.5"), qPrintable(message));
        const std::string badStep = edited("step.pt", "step", [](torch::Tensor& t) { t.fill_(-5); });
        message = errorOf([&] { Trainer::readInfo(badStep); });
        QVERIFY2(message.contains("its step is -5"), qPrintable(message));
        const std::string badCount = edited("count.pt", "parameter_count", [](torch::Tensor& t) { t.fill_(12345); });
        message = errorOf([&] { Trainer::readInfo(badCount); });
        QVERIFY2(message.contains("records 12345 parameters"), qPrintable(message));
    }

    // Not finite: refused on load (even without checksums), never saved.
    void nonFiniteTensorsAreRefused()
    {
        testing::CheckpointEdit edit;
        edit.drop = {"checksums"};
        edit.tensor = [](const std::string& name, torch::Tensor& t) {
            if (name.rfind("G_ema.", 0) == 0 && t.is_floating_point() && t.numel() > 0)
                t.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
        };
        const std::string file = path("nan.pt");
        testing::rewriteCheckpoint(m_good, file, edit);
        const QString loadMessage = errorOf([&] { Model::load(file); });
        QVERIFY2(loadMessage.contains("refused") && loadMessage.contains("G_ema/") &&
                     loadMessage.contains("NaN or infinite"),
                 qPrintable(loadMessage));

        Trainer trainer(m_config, m_data);
        trainer.load(m_good);
        {
            torch::NoGradGuard noGrad;
            networksOf(trainer.model()).d->parameters().front().view(-1)[0] = INFINITY;
        }
        const std::string target = path("kept.pt");
        fs::copy_file(m_good, target, fs::copy_options::overwrite_existing);
        const std::string before = readAll(target);
        const QString saveMessage = errorOf([&] { trainer.save(target); });
        QVERIFY2(saveMessage.contains("was not written") && saveMessage.contains("D/"), qPrintable(saveMessage));
        QVERIFY(readAll(target) == before);
        QVERIFY(!fs::exists(target + ".tmp"));
    }

    // A stale temporary file from a killed run never blocks the next save.
    void staleTemporaryFileIsOverwritten()
    {
        const std::string target = path("stale.pt");
        writeFileAtomically(target + ".tmp", "half a checkpoint", "test file");
        Trainer trainer(m_config, m_data);
        trainer.load(m_good);
        trainer.save(target);
        QVERIFY(!fs::exists(target + ".tmp"));
        QCOMPARE(Model::load(target)->step(), int64_t(3));
    }

    // /dev/full: a write that fails names the file and the cause.
    void fullDeviceNamesTheCause()
    {
        if (!fs::exists("/dev/full"))
            QSKIP("no /dev/full on this system");
        const QString png = errorOf([] {
            Image8 image;
            image.width = image.height = 4;
            image.channels = 3;
            image.data.assign(48, 7);
            writePng("/dev/full", image);
        });
        QVERIFY2(png.contains("/dev/full") && png.contains("No space left on device"), qPrintable(png));
        const QString config = errorOf([this] { saveConfigFile(m_config, "/dev/full"); });
        QVERIFY2(config.contains("config file /dev/full") && config.contains("No space left"), qPrintable(config));
        const QString checkpoint = errorOf([this] {
            Trainer trainer(m_config, m_data);
            trainer.save("/dev/full");
        });
        QVERIFY2(checkpoint.contains("checkpoint /dev/full") && checkpoint.contains("No space left"),
                 qPrintable(checkpoint));
    }

    // A real full file system (a 1 MiB tmpfs, root only): the save fails with
    // the cause, the previous checkpoint is intact, no temporary file is left.
    void fullFileSystemKeepsThePreviousCheckpoint()
    {
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs needs root");
        const std::string mountPoint = path("small-fs");
        fs::create_directories(mountPoint);
        if (mount("tmpfs", mountPoint.c_str(), "tmpfs", 0, "size=1m") != 0)
            QSKIP(qPrintable(QString("cannot mount a tmpfs here: %1").arg(strerror(errno))));
        const auto unmount = qScopeGuard([&] { umount(mountPoint.c_str()); });
        const std::string target = mountPoint + "/checkpoint.pt";
        // A first, small checkpoint fits; then a wider model does not.
        Trainer small(m_config, m_data);
        small.save(target);
        const std::string before = readAll(target);
        Config big = m_config;
        big.model.gWidths = {128, 64, 32};
        big.model.dWidths = {32, 64, 128};
        Trainer large(big, m_data);
        const QString message = errorOf([&] { large.save(target); });
        QVERIFY2(message.contains(QString::fromStdString(target)) && message.contains("No space left"),
                 qPrintable(message));
        QVERIFY(readAll(target) == before);
        QVERIFY(!fs::exists(target + ".tmp"));
        QCOMPARE(Model::load(target)->step(), int64_t(0));
    }

    // Every kind of output on a file system that is already full (root
    // only): each names its file and the cause, and leaves no .tmp behind.
    void everyWriterReportsAFullFileSystem()
    {
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs needs root");
        const std::string mountPoint = path("full-fs");
        fs::create_directories(mountPoint);
        if (mount("tmpfs", mountPoint.c_str(), "tmpfs", 0, "size=256k") != 0)
            QSKIP(qPrintable(QString("cannot mount a tmpfs here: %1").arg(strerror(errno))));
        const auto unmount = qScopeGuard([&] { umount(mountPoint.c_str()); });
        {
            std::ofstream filler(mountPoint + "/filler", std::ios::binary);
            const std::string block(4096, 'x');
            while (filler.write(block.data(), std::streamsize(block.size())) && filler.flush()) {
            }
        }
        auto full = [](const QString& message) {
            return message.contains("No space left on device");
        };
        const std::string png = mountPoint + "/grid.png";
        const QString pngError = errorOf([&] {
            Image8 image;
            image.width = image.height = 64;
            image.channels = 3;
            image.data.resize(64 * 64 * 3);
            for (size_t i = 0; i < image.data.size(); ++i)
                image.data[i] = uint8_t(i * 2654435761u >> 13); // incompressible enough
            writePng(png, image);
        });
        QVERIFY2(pngError.contains(QString::fromStdString(png)) && full(pngError), qPrintable(pngError));
        const std::string configFile = mountPoint + "/config.json";
        const QString configError = errorOf([&] { saveConfigFile(m_config, configFile); });
        QVERIFY2(configError.contains(QString::fromStdString(configFile)) && full(configError), qPrintable(configError));
        const std::string metrics = mountPoint + "/metrics.csv";
        const QString metricsError = errorOf([&] {
            cli::MetricsCsv csv(metrics, m_config.model.dL, m_config.model.dC, 0);
            StepStats row;
            for (int64_t i = 0; i < 2000; ++i) {
                row.step = i;
                csv.write(row);
            }
            csv.flush();
        });
        QVERIFY2(metricsError.contains(QString::fromStdString(metrics)) && full(metricsError), qPrintable(metricsError));
        const std::string checkpoint = mountPoint + "/checkpoint.pt";
        const QString checkpointError = errorOf([&] { Trainer(m_config, m_data).save(checkpoint); });
        QVERIFY2(checkpointError.contains(QString::fromStdString(checkpoint)) && full(checkpointError),
                 qPrintable(checkpointError));
        for (const auto& entry : fs::directory_iterator(mountPoint))
            QVERIFY2(entry.path().extension() != ".tmp", entry.path().c_str());
        QVERIFY(!fs::exists(png) && !fs::exists(configFile) && !fs::exists(checkpoint));
    }

    // Numbers that would wrap or be truncated are refused, naming the field.
    void configNumbersAreNotWrappedOrTruncated_data()
    {
        QTest::addColumn<QString>("assignment");
        QTest::addColumn<QString>("named");
        QTest::newRow("wraps to 16") << "train.batch=4294967312" << "train.batch";
        QTest::newRow("fraction") << "train.batch=16.7" << "train.batch";
        QTest::newRow("negative unsigned") << "train.seed=-1" << "train.seed";
        QTest::newRow("text for a number") << "train.lr_g=fast" << "train.lr_g";
        QTest::newRow("number for a flag") << "run.channels_last=1" << "run.channels_last";
        QTest::newRow("list entry") << "model.g_widths=[64, 32.5, 16]" << "model.g_widths[1]";
        QTest::newRow("huge int64") << "train.steps=1e30" << "train.steps";
    }
    void configNumbersAreNotWrappedOrTruncated()
    {
        QFETCH(QString, assignment);
        QFETCH(QString, named);
        Config c = m_config;
        const QString message = errorOf([&] { applyOverride(c, assignment.toStdString()); });
        QVERIFY2(message.contains(named) && message.contains("must be"), qPrintable(message));
        Config whole = m_config;
        applyOverride(whole, "train.batch=16.0"); // a whole number written as a float is fine
        QCOMPARE(whole.train.batch, 16);
    }

    // The estimate the up-front memory check uses is the real count.
    void parameterEstimateIsExact_data()
    {
        QTest::addColumn<QString>("presetName");
        QTest::addColumn<QStringList>("overrides");
        QTest::newRow("demo") << "demo" << QStringList{};
        QTest::newRow("mnist-cpu") << "mnist-cpu" << QStringList{};
        QTest::newRow("one-hot") << "demo" << QStringList{"model.codebook=false"};
        QTest::newRow("vanilla") << "demo" << QStringList{"model.mode=\"vanilla\""};
        QTest::newRow("mbstd + hidden") << "demo" << QStringList{"model.mbstd_group=4", "model.d_hidden=64"};
        QTest::newRow("toy-2d") << "toy-2d" << QStringList{};
    }
    void parameterEstimateIsExact()
    {
        QFETCH(QString, presetName);
        QFETCH(QStringList, overrides);
        Config c = preset(presetName.toStdString());
        for (const auto& o : overrides)
            applyOverride(c, o.toStdString());
        c.run.device = DeviceChoice::Cpu;
        QCOMPARE(c.model.parameterEstimate(), Model(c).parameterCount());
    }

    // Refused before anything is allocated, naming the fields to change.
    void tooLargeRunsAreRefusedUpFront()
    {
        // The presets' own estimates stay sane (an overestimate would refuse real runs).
        for (const auto& name : presetNames()) {
            const Config p = preset(name);
            const auto e = estimateFootprint(p, 60000);
            qInfo("%s: estimate %.2f GiB (%lld parameters)", name.c_str(), double(e.total()) / (1 << 30),
                  (long long)e.parameters);
            if (name == "demo" || name == "mnist-cpu")
                QVERIFY(e.total() < (int64_t(2) << 30));
        }
        Config huge = m_config;
        huge.model.gWidths = {8192, 8192, 8192};
        huge.model.dWidths = {8192, 8192, 8192};
        const QString message = errorOf([&] { Model model(huge); });
        QVERIFY2(message.contains("GiB") && message.contains("model.g_widths") && message.contains("parameters"),
                 qPrintable(message));
        const QString small = errorOf([&] {
            Config c = m_config;
            c.train.batch = 128; // 64 samples
            Trainer trainer(c, m_data);
        });
        QVERIFY2(small.contains("fewer than one batch") && small.contains("train.batch"), qPrintable(small));
    }

    void threadsAreCapped()
    {
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        QVERIFY(configureThreads(100000) <= cores);
        configureThreads(2);
    }
};

QTEST_GUILESS_MAIN(TestIntegrity)
#include "test_integrity.moc"
