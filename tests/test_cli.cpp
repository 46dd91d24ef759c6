// The `cgpgan` command line, run as a real process: a short training run and
// its run folder, resuming, info / sample / cluster / export on the checkpoint, the
// messages and exit codes of bad arguments, and Ctrl-C (save, then exit 0).
// The cases share one run folder and build on each other in declaration order
// (train, resume to step 8, then cluster, whose assignments.csv the map case
// reads): run the whole binary, not a single case by name.
#include <QtTest/QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <torch/script.h>

#include "cgpgan/image_io.h"

#include <cmath>
#include <utility>

#include <csignal>
#include <sys/stat.h>
#include <sys/types.h>
#include <signal.h>

#ifndef CGPGAN_CLI
#error "CGPGAN_CLI (path of the cgpgan binary) must be defined by the build"
#endif

namespace {

struct Result {
    bool finished = false;
    QProcess::ExitStatus status = QProcess::NormalExit;
    int exitCode = -1;
    QByteArray out, err;
    QString describe() const
    {
        return QString("exit %1%2\n--- stdout ---\n%3\n--- stderr ---\n%4")
            .arg(exitCode)
            .arg(finished ? (status == QProcess::NormalExit ? "" : " (crashed)") : " (timed out)")
            .arg(QString::fromUtf8(out.right(3000)))
            .arg(QString::fromUtf8(err.right(3000)));
    }
};

// The tiny model of the tests: the demo preset, shrunk.
QStringList tinyModel()
{
    return {"--preset",  "demo",         "--set",   "model.g_widths=[16,8,8]", "--set",  "model.d_widths=[8,8,16]",
            "--set",     "model.d_z=16", "--batch", "8",                       "--set",  "data.count=256",
            "--device",  "cpu",          "--threads", "2"};
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Data rows of a metrics.csv (without the header); empty lines dropped.
QList<QByteArray> csvRows(const QString& path, QByteArray* header = nullptr)
{
    QList<QByteArray> lines = readAll(path).split('\n');
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return {};
    if (header)
        *header = lines.first();
    lines.removeFirst();
    return lines;
}

QList<qint64> csvSteps(const QString& path)
{
    QList<qint64> steps;
    for (const auto& row : csvRows(path))
        steps << row.split(',').first().toLongLong();
    return steps;
}

bool isPng(const QString& path, int* width = nullptr, int* height = nullptr)
{
    const QByteArray bytes = readAll(path);
    static const QByteArray signature("\x89PNG\r\n\x1a\n", 8);
    if (bytes.size() < 24 || !bytes.startsWith(signature) || bytes.mid(12, 4) != "IHDR")
        return false;
    auto be32 = [&](int at) {
        return (int(uchar(bytes[at])) << 24) | (int(uchar(bytes[at + 1])) << 16) | (int(uchar(bytes[at + 2])) << 8) |
               int(uchar(bytes[at + 3]));
    };
    if (width)
        *width = be32(16);
    if (height)
        *height = be32(20);
    return true;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainWritesARunFolder();
    void resumeContinuesTheRun();
    void info();
    void devicesAndOpenMpPolicy();
    void sample();
    void cluster();
    void liveScoreMatchesCluster();
    void noScoreWithoutLabels();
    void mapWritesTheEmbedding();
    void exportWritesLoadableModules();
    void badArguments_data();
    void badArguments();
    void divergenceExitsNonZero();
    void interruptSavesAndExitsZero();
    void hangupAndQuitSaveAndExitNonZero_data();
    void hangupAndQuitSaveAndExitNonZero();
    void oneWriterPerRunFolder();
    void closedPipeDoesNotKillTraining();
    void fifosAndDevicesAreRefused();
    void steeringFromAFile();

private:
    Result run(const QStringList& args, int timeoutMs = 180000) const;
    // Starts a long tiny run into folder and waits until metrics.csv has rows.
    bool startLongRun(QProcess& process, const QString& folder) const;
    QString path(const QString& name) const { return m_dir.filePath(name); }
    QString runDir() const { return path("run"); }

    QTemporaryDir m_dir;
};

Result TestCli::run(const QStringList& args, int timeoutMs) const
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral(CGPGAN_CLI), args);
    Result r;
    if (!process.waitForStarted(30000)) {
        r.err = "could not start " CGPGAN_CLI;
        return r;
    }
    r.finished = process.waitForFinished(timeoutMs);
    if (!r.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    r.status = process.exitStatus();
    r.exitCode = process.exitCode();
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    return r;
}

void TestCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo(QStringLiteral(CGPGAN_CLI)).isExecutable(), CGPGAN_CLI);
}

void TestCli::trainWritesARunFolder()
{
    QElapsedTimer timer;
    timer.start();
    const Result r = run(QStringList{"train"} + tinyModel() +
                         QStringList{"--steps", "6", "--grid-every", "3", "--checkpoint-every", "3", "--set",
                                     "run.score_every=3", "--out", runDir()});
    QVERIFY2(r.finished && r.status == QProcess::NormalExit && r.exitCode == 0, qPrintable(r.describe()));
    qInfo("6 tiny steps through the CLI: %.1f s", timer.elapsed() / 1000.0);

    QByteArray header;
    const auto rows = csvRows(runDir() + "/metrics.csv", &header);
    QVERIFY2(header.startsWith("step,seconds,d_adv,r2,cls,cgp,g_adv,s_real,s_fake,fake_acc,prior_entropy,prior_frozen"),
             header.constData());
    // The live clustering score (SPEC 8): the built-in data's two label
    // columns and combined, three scores each, after z-diversity.
    const QByteArray scoreColumns = "score_shape_acc,score_shape_nmi,score_shape_ari,score_colour_acc,score_colour_nmi,"
                                    "score_colour_ari,score_combined_acc,score_combined_nmi,score_combined_ari";
    QVERIFY2(header.endsWith("prior_1_3,z_diversity," + scoreColumns), header.constData());
    QCOMPARE(rows.size(), 6);
    const auto names = header.split(',');
    const int columns = int(names.size());
    const int zColumn = int(names.indexOf("z_diversity"));
    for (int i = 0; i < rows.size(); ++i) {
        const auto cells = rows[i].split(',');
        QCOMPARE(int(cells.size()), columns);
        QCOMPARE(cells.first().toLongLong(), qint64(i + 1));
        // z-diversity and the scores on steps 3 and 6 alone (grid_every and
        // score_every 3), z-diversity in [0, 3] and the scores in [-1, 1]; empty elsewhere.
        const bool third = (i + 1) % 3 == 0;
        for (int c = zColumn; c < columns; ++c) {
            QCOMPARE(cells[c].isEmpty(), !third);
            if (third) {
                bool ok = false;
                const double v = cells[c].toDouble(&ok);
                QVERIFY2(ok && v >= (c == zColumn ? 0 : -1) && v <= (c == zColumn ? 3 : 1), cells[c].constData());
            }
        }
    }
    // The progress line shows the last score.
    QVERIFY2(r.err.contains("ACC@6 shape "), qPrintable(r.describe()));
    QVERIFY(isPng(runDir() + "/grid.png"));
    QVERIFY(isPng(runDir() + "/grids/grid_00000003.png"));
    QVERIFY(isPng(runDir() + "/grids/grid_00000006.png"));
    QVERIFY(QFileInfo(runDir() + "/checkpoint.pt").size() > 0);
    QVERIFY(!QFileInfo::exists(runDir() + "/checkpoint.pt.tmp"));

    const auto config = QJsonDocument::fromJson(readAll(runDir() + "/config.json")).object();
    QVERIFY2(!config.isEmpty(), "config.json is not a JSON object");
    QCOMPARE(config["model"].toObject()["d_z"].toInt(), 16);
    QCOMPARE(config["train"].toObject()["batch"].toInt(), 8);
    QCOMPARE(config["train"].toObject()["steps"].toInt(), 6);
    QCOMPARE(config["data"].toObject()["count"].toInt(), 256);
    QCOMPARE(config["run"].toObject()["device"].toString(), QString("cpu"));

    // Issue 27: the run's timeline beside metrics.csv (and in the checkpoint).
    const QList<QByteArray> events = readAll(runDir() + "/events.csv").trimmed().split('\n');
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0], QByteArray("step,kind,text"));
    QCOMPARE(events[1], QByteArray("0,start,\"cgpgan train: preset demo, 6 steps\"")); // quoted: it holds a comma
}

void TestCli::resumeContinuesTheRun()
{
    const QString checkpoint = runDir() + "/checkpoint.pt";
    QVERIFY(QFile::exists(checkpoint));
    const QString atSix = path("checkpoint_step6.pt");
    QVERIFY(QFile::copy(checkpoint, atSix));

    Result r = run({"train", "--resume", checkpoint, "--steps", "8", "--set", "train.lr_g=0.001"});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(csvSteps(runDir() + "/metrics.csv"), (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8}));
    const auto firstResume = csvRows(runDir() + "/metrics.csv");
    // Issue 27: the resume is on the timeline with what it changed.
    const QList<QByteArray> events = readAll(runDir() + "/events.csv").trimmed().split('\n');
    QCOMPARE(events.size(), 3);
    QVERIFY2(events[2].startsWith("6,resume-run,") && events[2].contains("to step 8") &&
                 events[2].contains("train.lr_g: ") && events[2].contains("-> 0.001") &&
                 events[2].contains("train.steps: 6 -> 8"),
             events[2].constData());

    // Resuming from an older checkpoint drops the rows after it, so every
    // step is still there once; and the replayed steps repeat exactly.
    r = run({"train", "--resume", atSix, "--steps", "8", "--set", "train.lr_g=0.001", "--out", runDir()});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(csvSteps(runDir() + "/metrics.csv"), (QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8}));
    const auto secondResume = csvRows(runDir() + "/metrics.csv");
    for (int i = 6; i < 8; ++i) {
        auto a = firstResume[i].split(',');
        auto b = secondResume[i].split(',');
        a.removeAt(1); // seconds
        b.removeAt(1);
        QCOMPARE(a, b);
    }
}

void TestCli::info()
{
    const QString checkpoint = runDir() + "/checkpoint.pt";
    Result r = run({"info", checkpoint});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    const QString text = QString::fromUtf8(r.out);
    QVERIFY2(QRegularExpression("(^|\\n)step\\s+8\\s*(\\n|$)").match(text).hasMatch(), qPrintable(text));
    QVERIFY2(text.contains("d_z 16"), qPrintable(text));
    // The demo preset's mode seeking is named (issue 9's devices beyond the paper).
    QVERIFY2(text.contains("mode seeking lambda_ms 0.1"), qPrintable(text));

    r = run({"info", "--json", checkpoint});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(r.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + "\n" + r.describe()));
    const auto j = doc.object();
    QCOMPARE(j["step"].toInt(), 8);
    QCOMPARE(j["format_version"].toInt(), 1);
    QVERIFY(j["parameters"].toDouble() > 0);
    QCOMPARE(j["prior"].toArray().size(), 8);
    QCOMPARE(j["config"].toObject()["model"].toObject()["d_z"].toInt(), 16);
}

void TestCli::sample()
{
    const QString out = path("samples.png");
    const Result r = run({"sample", runDir() + "/checkpoint.pt", "--rows", "2", "--columns", "4", "-o", out});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    int width = 0, height = 0;
    QVERIFY(isPng(out, &width, &height));
    // 4 x 2 tiles of 32 px with 2 px padding around and between.
    QCOMPARE(width, 4 * 32 + 5 * 2);
    QCOMPARE(height, 2 * 32 + 3 * 2);
}

void TestCli::cluster()
{
    const QString csv = path("assignments.csv");
    const Result r = run({"cluster", runDir() + "/checkpoint.pt", "--json", "-o", csv});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(r.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError,
             qPrintable("stdout of cluster --json is not JSON: " + error.errorString() + "\n" + r.describe()));
    const auto j = doc.object();
    QVERIFY2(j.contains("scores"), qPrintable(r.describe()));
    const auto combined = j["scores"].toObject()["combined"].toObject();
    QCOMPARE(combined["samples"].toInt(), 256);
    const double acc = combined["hungarian_accuracy"].toDouble();
    QVERIFY(acc > 0.0 && acc <= 1.0);
    QCOMPARE(j["samples"].toInt(), 256);
    QCOMPARE(j["step"].toInt(), 8);

    QByteArray header;
    const auto rows = csvRows(csv, &header);
    // The explorer's layout (clustering.h, writeAssignmentsCsv): one writer for both.
    QVERIFY2(header.startsWith("index,label0,confidence0,label1,confidence1,combined,combined_confidence"),
             header.constData());
    QCOMPARE(rows.size(), 256);
    for (int i = 0; i < rows.size(); ++i) {
        const auto cells = rows[i].split(',');
        QCOMPARE(cells.first().toInt(), i);
        const int cluster = cells[5].toInt();
        QVERIFY(cluster >= 0 && cluster < 16);
        QCOMPARE(cluster, cells[1].toInt() * 4 + cells[3].toInt());
    }
}

// SPEC 8: the live score in metrics.csv is what `cgpgan cluster` reads from
// the same checkpoint on the same subsample.
void TestCli::liveScoreMatchesCluster()
{
    const QString atSix = path("checkpoint_step6.pt"); // resumeContinuesTheRun's copy
    QVERIFY(QFile::exists(atSix));
    QByteArray header;
    const auto rows = csvRows(runDir() + "/metrics.csv", &header);
    QVERIFY(rows.size() >= 6);
    const auto names = header.split(',');
    const auto cells = rows[5].split(',');
    QCOMPARE(cells.first().toInt(), 6);
    // A subsample smaller than the data would not match: train used run.score_samples (2000, all 256 here).
    const Result r = run({"cluster", atSix, "--json", "--score-samples", "2000", "-o", path("live.csv")});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    const auto live = QJsonDocument::fromJson(r.out).object()["live_score"].toArray();
    QCOMPARE(live.size(), 3);
    for (const auto& entry : live) {
        const auto o = entry.toObject();
        const QByteArray name = o["name"].toString().toUtf8();
        for (const auto& [key, column] : {std::pair<const char*, const char*>{"hungarian_accuracy", "acc"},
                                          {"nmi", "nmi"}, {"ari", "ari"}}) {
            const int c = int(names.indexOf("score_" + name + "_" + column));
            QVERIFY2(c > 0, name.constData());
            QVERIFY2(std::abs(cells[c].toDouble() - o[key].toDouble()) < 1e-6,
                     qPrintable(QString("%1 %2: metrics.csv %3, cluster %4")
                                    .arg(QString(name), key, QString(cells[c]))
                                    .arg(o[key].toDouble())));
        }
    }
    // Q's labels are matched one to one to the data's columns.
    QVERIFY(live[0].toObject()["q_label"].toInt() != live[1].toObject()["q_label"].toInt());
}

// An image folder without class subfolders has no labels: no score columns.
void TestCli::noScoreWithoutLabels()
{
    const QString images = path("unlabelled");
    QVERIFY(QDir().mkpath(images));
    QRandomGenerator rng(5);
    for (int i = 0; i < 16; ++i) {
        cgpgan::Image8 image{32, 32, 3, std::vector<uint8_t>(32 * 32 * 3)};
        for (auto& v : image.data)
            v = uint8_t(rng.bounded(256));
        cgpgan::writePng((images + QString("/%1.png").arg(i)).toStdString(), image);
    }
    const QString out = path("unlabelled-run");
    const Result r = run(QStringList{"train"} + tinyModel() +
                         QStringList{"--data", "folder", "--data-path", images, "--set", "data.count=0", "--steps",
                                     "2", "--set", "run.score_every=1", "--out", out});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QByteArray header;
    const auto rows = csvRows(out + "/metrics.csv", &header);
    QCOMPARE(rows.size(), 2);
    QVERIFY2(header.endsWith(",z_diversity"), header.constData());
    QVERIFY(!header.contains("score_"));
    QVERIFY2(!r.err.contains("ACC@"), qPrintable(r.describe()));
}

// Issue 12: `cgpgan map` writes the cluster map as a CSV whose Q labels are
// those `cgpgan cluster` assigns, and scores the map against the truth.
void TestCli::mapWritesTheEmbedding()
{
    const QString csv = path("map.csv");
    const Result r = run({"map", runDir() + "/checkpoint.pt", "--method", "tsne", "--points", "100", "--iterations",
                          "50", "-o", csv});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("t-SNE") && r.out.contains("neighbours in the map with the same shape"),
             qPrintable(r.describe()));
    QByteArray header;
    const auto rows = csvRows(csv, &header);
    QVERIFY2(header.startsWith("index,x,y,label0,label1,combined,true_shape,true_colour"), header.constData());
    QCOMPARE(rows.size(), 100);
    const auto assigned = csvRows(path("assignments.csv"), &header); // written by cluster() above
    QCOMPARE(assigned.size(), 256);
    int previous = -1;
    for (const auto& row : rows) {
        const auto cells = row.split(',');
        const int index = cells[0].toInt();
        QVERIFY(index > previous && index < 256); // a subsample, in dataset order
        previous = index;
        QCOMPARE(cells[5].toInt(), assigned[index].split(',')[5].toInt()); // the combined cluster
    }
    const Result bad = run({"map", runDir() + "/checkpoint.pt", "--method", "umap"});
    QVERIFY(bad.finished && bad.exitCode != 0 && bad.err.contains("umap"));
}

// Issue 13: `cgpgan export` writes the four files and lists them on stdout;
// the modules load with libtorch alone and sample like `cgpgan sample`'s model.
void TestCli::exportWritesLoadableModules()
{
    const QString out = path("export");
    const Result r = run({"export", runDir() + "/checkpoint.pt", "--out", out});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    for (const char* name : {"generator.pt", "classifier.pt", "state_dict.pt", "model.json"}) {
        QVERIFY2(QFileInfo(out + "/" + name).size() > 0, name);
        QVERIFY2(QString::fromUtf8(r.out).contains(out + "/" + name), r.out.constData());
    }
    auto g = torch::jit::load((out + "/generator.pt").toStdString());
    torch::NoGradGuard noGrad;
    const auto images = g.forward({torch::randn({2, 16}), torch::full({2, 2, 4}, 0.25)}).toTensor();
    QCOMPARE(images.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
    QVERIFY(images.abs().max().item<float>() <= 1.0f);

    // A file where the folder should be: named, exit 1.
    const Result bad = run({"export", runDir() + "/checkpoint.pt", "--out", runDir() + "/checkpoint.pt"});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("not a folder"), qPrintable(bad.describe()));
}

void TestCli::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions"); // what stderr must contain (case-insensitive; empty = anything)

    const QString out = path("bad_run");
    QByteArray junk(4096, 0);
    for (auto& c : junk)
        c = char(QRandomGenerator::global()->bounded(256));
    const QString junkPath = path("random_bytes.pt");
    {
        QFile f(junkPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(junk);
    }

    // CLI11 reports "A subcommand is required" without naming the word.
    QTest::newRow("unknown subcommand") << QStringList{"frobnicate"} << QString("subcommand");
    QTest::newRow("unknown preset") << QStringList{"train", "--preset", "nope", "--out", out} << QString("nope");
    QTest::newRow("d_z not a number") << (QStringList{"train"} + tinyModel() +
                                          QStringList{"--set", "model.d_z=abc", "--steps", "2", "--out", out})
                                      << QString("d_z");
    QTest::newRow("unknown setting") << (QStringList{"train"} + tinyModel() +
                                         QStringList{"--set", "model.d_zz=3", "--steps", "2", "--out", out})
                                     << QString("d_zz");
    QTest::newRow("missing mnist")
        << QStringList{"train", "--data", "mnist", "--data-path", "/nonexistent", "--steps", "2", "--out", out}
        << QString("/nonexistent");
    QTest::newRow("info of a missing file") << QStringList{"info", "/nonexistent.pt"} << QString("/nonexistent.pt");
    QTest::newRow("info of random bytes") << QStringList{"info", junkPath} << QString("checkpoint");
    QTest::newRow("negative steps") << (QStringList{"train"} + tinyModel() + QStringList{"--steps", "-5", "--out", out})
                                    << QString("steps");
    // Issue 11: a short range, not 300 digits; nothing silently ignored; numbers not wrapped.
    QTest::newRow("zero steps") << (QStringList{"train"} + tinyModel() + QStringList{"--steps", "0", "--out", out})
                                << QString("1000000000");
    QTest::newRow("resume with a preset")
        << QStringList{"train", "--resume", runDir() + "/checkpoint.pt", "--preset", "mnist-cpu", "--out", out}
        << QString("--preset starts a new run");
    QTest::newRow("batch that would wrap")
        << (QStringList{"train"} + tinyModel() + QStringList{"--set", "train.batch=4294967312", "--out", out})
        << QString("train.batch must be a whole number");
    QTest::newRow("ema decay 1") << (QStringList{"train"} + tinyModel() +
                                     QStringList{"--set", "train.ema_decay=1", "--steps", "2", "--out", out})
                                 << QString("train.ema_decay must be in [0, 1)");
    // Issue 26: numbers that wrapped or slipped, options that were ignored without a word.
    QTest::newRow("seed -1") << (QStringList{"train"} + tinyModel() + QStringList{"--seed", "-1", "--out", out})
                             << QString("a seed is a whole number from 0 to 18446744073709551615, not -1");
    QTest::newRow("seed of 21 digits")
        << (QStringList{"train"} + tinyModel() + QStringList{"--seed", "184467440737095516150", "--out", out})
        << QString("a seed is a whole number");
    QTest::newRow("z-seed -1") << QStringList{"sample", runDir() + "/checkpoint.pt", "--z-seed", "-1"}
                               << QString("a seed is");
    QTest::newRow("dist-timeout nan") << (QStringList{"train"} + tinyModel() + QStringList{"--dist-timeout", "nan"})
                                      << QString("not a finite number");
    QTest::newRow("preset beside config")
        << QStringList{"train", "--preset", "demo", "--config", runDir() + "/config.json", "--out", out}
        << QString("excludes");
    QTest::newRow("data-path for built-in data")
        << (QStringList{"train"} + tinyModel() + QStringList{"--data-path", "/tmp", "--steps", "2", "--out", out})
        << QString("--data-path /tmp is not read");
    QTest::newRow("empty out") << (QStringList{"train"} + tinyModel() + QStringList{"--steps", "2", "--out", ""})
                               << QString("empty path");
    QTest::newRow("resume to a step already passed")
        << QStringList{"train", "--resume", runDir() + "/checkpoint.pt", "--steps", "3", "--out", out}
        << QString("nothing to train");
    QTest::newRow("random beside combinations")
        << QStringList{"sample", runDir() + "/checkpoint.pt", "--random", "--combinations", "1", "2"}
        << QString("excludes");
    QTest::newRow("bench warmup -1") << QStringList{"bench", "--warmup", "-1"} << QString("warmup");
    QTest::newRow("mlp hidden 0") << QStringList{"train", "--preset", "toy-2d", "--set", "model.mlp_hidden=[0]",
                                                 "--steps", "2", "--out", out}
                                  << QString("model.mlp_hidden entries must be positive");
}

void TestCli::badArguments()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Result r = run(args, 60000);
    QVERIFY2(r.finished && r.status == QProcess::NormalExit, qPrintable(r.describe()));
    QVERIFY2(r.exitCode != 0, qPrintable(r.describe()));
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(!err.trimmed().isEmpty(), qPrintable(r.describe()));
    QVERIFY2(err.contains(mentions, Qt::CaseInsensitive), qPrintable(r.describe()));
    QVERIFY2(err.size() < 2000, qPrintable(r.describe())); // a message, not a dump
    QVERIFY2(r.out.isEmpty(), qPrintable(r.describe()));  // errors go to stderr only
    if (args.last().endsWith("random_bytes.pt"))
        QVERIFY2(err.contains("corrupt", Qt::CaseInsensitive) || err.contains("not a", Qt::CaseInsensitive),
                 qPrintable(r.describe()));
    // Failures of a train command start no training.
    QVERIFY(!QFile::exists(path("bad_run/checkpoint.pt")));
}

void TestCli::divergenceExitsNonZero()
{
    // Adam with beta2 = 0 divides today's momentum by today's gradient alone, so
    // when a gradient shrinks the step explodes: with lr 1 and penalty weights
    // 1e6 the losses leave the float range within a few steps (steps 5-6 on
    // seeds 1-3 in a release build). lr 1 and the weights alone were not
    // enough: the run stayed finite for 50 steps in a release build, and under
    // the sanitizers on a loaded machine it took longer than the timeout.
    const QString out = path("diverged");
    const Result r = run(QStringList{"train"} + tinyModel() +
                         QStringList{"--set", "train.lr_g=1", "--set", "train.lr_d=1", "--set", "train.lr_q=1",
                                     "--set", "train.beta1=0.99", "--set", "train.beta2=0",
                                     "--set", "train.lambda_r2=1e6", "--set", "train.lambda_cgp=1e6", "--steps", "40",
                                     "--grid-every", "0", "--checkpoint-every", "0", "--out", out});
    QVERIFY2(r.finished && r.status == QProcess::NormalExit, qPrintable(r.describe()));
    QVERIFY2(r.exitCode != 0, "Adam with beta2 0, lr 1 and penalty weights 1e6 stayed finite for 40 steps");
    QCOMPARE(r.exitCode, 3);
    // Either the losses or (often first) Adam's moments stop being finite; the log says which, on stderr.
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(err.contains("not finite") || err.contains("NaN or infinite"), qPrintable(r.describe()));
    // No checkpoint of a diverged model is written.
    QVERIFY(!QFile::exists(out + "/checkpoint.pt"));
}

void TestCli::interruptSavesAndExitsZero()
{
    const QString dir = path("interrupted");
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral(CGPGAN_CLI), QStringList{"train"} + tinyModel() +
                                                  QStringList{"--steps", "100000", "--grid-every", "0",
                                                              "--checkpoint-every", "0", "--out", dir});
    QVERIFY(process.waitForStarted(30000));
    // metrics.csv is flushed at least once a second (no checkpoints here), so
    // three rows show about a second after step 3; before, they waited for the
    // 8 KiB stream buffer (about 40 steps), which under the sanitizers on a
    // loaded machine took longer than the 120 s below.
    const QString metrics = dir + "/metrics.csv";
    QElapsedTimer timer;
    timer.start();
    while (csvRows(metrics).size() < 3 && timer.elapsed() < 120000 && process.state() == QProcess::Running)
        process.waitForFinished(200);
    QVERIFY2(process.state() == QProcess::Running,
             qPrintable("the training ended on its own: " + QString::fromUtf8(process.readAllStandardError())));
    QVERIFY2(csvRows(metrics).size() >= 3, "no rows in metrics.csv after 120 s");
    QVERIFY(!QFile::exists(dir + "/checkpoint.pt")); // only the interrupt writes one
    QCOMPARE(::kill(pid_t(process.processId()), SIGINT), 0);
    const bool finished = process.waitForFinished(30000);
    if (!finished) {
        process.kill();
        process.waitForFinished(5000);
        QFAIL("cgpgan train did not exit within 30 s of SIGINT");
    }
    // Log lines (spdlog's default sink: stdout) and the progress line (stderr).
    const QString output =
        QString::fromUtf8(process.readAllStandardOutput() + "\n" + process.readAllStandardError());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(QString("exit %1: %2").arg(process.exitCode()).arg(output.right(2000))));
    QVERIFY2(output.contains("interrupted"), qPrintable(output.right(2000)));

    const auto steps = csvSteps(metrics);
    QVERIFY(steps.size() >= 3);
    for (int i = 0; i < steps.size(); ++i)
        QCOMPARE(steps[i], qint64(i + 1));
    const Result r = run({"info", "--json", dir + "/checkpoint.pt"});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    const auto j = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(qint64(j["step"].toDouble()), qint64(steps.size()));
    qInfo("interrupted at step %lld", (long long)steps.size());
}

// Issue 24: `cgpgan info --devices` says what the build runs on, and the
// OpenMP wait policy libgomp was started with (the user's, else its default).
void TestCli::devicesAndOpenMpPolicy()
{
    QProcess process;
    auto env = QProcessEnvironment::systemEnvironment();
    env.remove("OMP_WAIT_POLICY");
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(CGPGAN_CLI), {"info", "--devices", "--json"});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);
    const auto j = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    QVERIFY(!j.value("libtorch").toString().isEmpty());
    if (!j.value("cuda_compiled_in").toBool())
        QCOMPARE(j.value("cuda_devices").toInt(), 0);
    QVERIFY(j.value("gloo").isBool() && j.value("nccl").isBool());
    QCOMPARE(j.value("omp_wait_policy").toString(), QString());

    env.insert("OMP_WAIT_POLICY", "passive");
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(CGPGAN_CLI), {"info", "--devices", "--json"});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(QJsonDocument::fromJson(process.readAllStandardOutput()).object().value("omp_wait_policy").toString(),
             QStringLiteral("passive"));

    // Human-readable: one line on CUDA, whichever build this is.
    const Result text = run({"info", "--devices"});
    QVERIFY2(text.exitCode == 0 && text.out.contains("CUDA ") && text.out.contains("libtorch"),
             qPrintable(text.describe()));
}

bool TestCli::startLongRun(QProcess& process, const QString& folder) const
{
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral(CGPGAN_CLI), QStringList{"train"} + tinyModel() +
                                                  QStringList{"--steps", "100000", "--grid-every", "0",
                                                              "--checkpoint-every", "0", "--out", folder});
    if (!process.waitForStarted(30000))
        return false;
    QElapsedTimer timer;
    timer.start();
    while (csvRows(folder + "/metrics.csv").size() < 2 && timer.elapsed() < 120000 &&
           process.state() == QProcess::Running)
        process.waitForFinished(200);
    return process.state() == QProcess::Running && csvRows(folder + "/metrics.csv").size() >= 2;
}

// Issue 26: HUP and QUIT stop training like TERM: the step finishes, the
// checkpoint is saved, and the exit status says which signal (128 + n).
void TestCli::hangupAndQuitSaveAndExitNonZero_data()
{
    QTest::addColumn<int>("signo");
    QTest::newRow("HUP") << int(SIGHUP);
    QTest::newRow("QUIT") << int(SIGQUIT);
    QTest::newRow("TERM") << int(SIGTERM);
}

void TestCli::hangupAndQuitSaveAndExitNonZero()
{
    QFETCH(int, signo);
    const QString dir = path(QStringLiteral("signal-%1").arg(signo));
    QProcess process;
    QVERIFY2(startLongRun(process, dir), qPrintable(QString::fromUtf8(process.readAllStandardError())));
    QCOMPARE(::kill(pid_t(process.processId()), signo), 0);
    QVERIFY(process.waitForFinished(60000));
    const QString output = QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 128 + signo,
             qPrintable(QString("exit %1: %2").arg(process.exitCode()).arg(output.right(1500))));
    QVERIFY2(output.contains("interrupted"), qPrintable(output.right(1500)));
    const Result r = run({"info", "--json", dir + "/checkpoint.pt"});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(qint64(QJsonDocument::fromJson(r.out).object()["step"].toDouble()),
             qint64(csvSteps(dir + "/metrics.csv").size()));
}

// Issue 26: a run folder has one writer. A second train into it is refused,
// naming the folder and the process that holds it, and writes nothing; the
// lock dies with its holder, so a killed run never blocks the next one.
void TestCli::oneWriterPerRunFolder()
{
    const QString dir = path("locked");
    QProcess first;
    QVERIFY2(startLongRun(first, dir), qPrintable(QString::fromUtf8(first.readAllStandardError())));
    const QByteArray configBefore = readAll(dir + "/config.json");
    const Result second = run(QStringList{"train"} + tinyModel() + QStringList{"--steps", "5", "--out", dir});
    QVERIFY2(second.finished && second.exitCode != 0, qPrintable(second.describe()));
    QVERIFY2(second.err.contains("in use by process " + QByteArray::number(first.processId())) &&
                 second.err.contains(dir.toUtf8()),
             qPrintable(second.describe()));
    QCOMPARE(readAll(dir + "/config.json"), configBefore);

    // Killed without a word: the next run takes the folder at once.
    QCOMPARE(::kill(pid_t(first.processId()), SIGKILL), 0);
    QVERIFY(first.waitForFinished(30000));
    const Result next = run(QStringList{"train"} + tinyModel() + QStringList{"--steps", "3", "--out", dir});
    QVERIFY2(next.finished && next.exitCode == 0, qPrintable(next.describe()));
}

// Issue 26: `cgpgan train ... 2>&1 | head -c 300` ends with its final save:
// SIGPIPE is ignored, and the failed writes do not stop training.
void TestCli::closedPipeDoesNotKillTraining()
{
    const QString dir = path("piped");
    QStringList args = QStringList{QStringLiteral(CGPGAN_CLI), "train"} + tinyModel() +
                       QStringList{"--steps", "30", "--grid-every", "0", "--out", dir};
    for (QString& a : args)
        a = "'" + a + "'";
    const QString script = args.join(' ') + " 2>&1 | head -c 300 > /dev/null; exit ${PIPESTATUS[0]}";
    QProcess shell;
    shell.start("bash", {"-c", script});
    QVERIFY(shell.waitForFinished(180000));
    QVERIFY2(shell.exitStatus() == QProcess::NormalExit && shell.exitCode() == 0,
             qPrintable(QString("cgpgan exited %1 behind a closed pipe").arg(shell.exitCode())));
    const Result r = run({"info", "--json", dir + "/checkpoint.pt"});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(qint64(QJsonDocument::fromJson(r.out).object()["step"].toDouble()), qint64(30));
}

// Issue 26: a FIFO given as a checkpoint or a config blocked until killed;
// a device never ended. Each is refused by name, at once.
void TestCli::fifosAndDevicesAreRefused()
{
    const QString fifo = path("pipe.pt");
    QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
    const QList<QStringList> cases = {
        {"info", fifo},
        {"sample", fifo, "-o", path("x.png")},
        {"train", "--resume", fifo, "--out", path("fifo-run")},
        {"train", "--config", fifo, "--out", path("fifo-run")},
        {"cluster", "/dev/zero", "-o", path("x.csv")},
    };
    for (const QStringList& args : cases) {
        const Result r = run(args, 30000);
        QVERIFY2(r.finished && r.status == QProcess::NormalExit && r.exitCode != 0, qPrintable(r.describe()));
        QVERIFY2(r.err.contains("FIFO (named pipe), not a regular file") ||
                     r.err.contains("character device, not a regular file"),
                 qPrintable(args.join(' ') + "\n" + r.describe()));
    }
}

// Issue 27: steering actions from a file, recorded in events.csv and the
// config; an action that cannot apply stops the run after saving it.
void TestCli::steeringFromAFile()
{
    const QString good = path("steer.json");
    {
        QFile f(good);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"([{"step": 2, "action": "empty", "label": 1, "category": 3},
                    {"step": 3, "action": "pin", "label": 0, "category": 0, "mass": 0.4}])");
    }
    const QString folder = path("steered");
    Result r = run(QStringList{"train"} + tinyModel() +
                   QStringList{"--steps", "5", "--steer", good, "--set", "train.prior_start_step=1", "--out", folder});
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(r.describe()));
    const auto events = csvRows(folder + "/events.csv");
    QStringList steers;
    for (const QByteArray& row : events)
        if (row.contains(",steer,"))
            steers << QString::fromUtf8(row);
    QCOMPARE(steers, QStringList({"2,steer,empty category 3 of label 1", "3,steer,pin category 0 of label 0 at 0.4"}));
    r = run({"info", folder + "/checkpoint.pt"});
    QVERIFY2(r.out.contains("label 0 category 0 pinned at 0.400; label 1 category 3 emptied (2 actions"),
             qPrintable(r.describe()));

    // Emptying every category of a label cannot apply: the run stops at
    // that step, saved, and says how to go on.
    const QString bad = path("steer-bad.json");
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"([{"step": 2, "action": "empty", "label": 0, "category": 0},
                    {"step": 2, "action": "empty", "label": 0, "category": 1},
                    {"step": 2, "action": "empty", "label": 0, "category": 2},
                    {"step": 2, "action": "empty", "label": 0, "category": 3}])");
    }
    const QString stopped = path("steered-bad");
    r = run(QStringList{"train"} + tinyModel() + QStringList{"--steps", "5", "--steer", bad, "--out", stopped});
    QVERIFY2(r.finished && r.exitCode != 0, qPrintable(r.describe()));
    QVERIFY2(r.err.contains("train.steer[3] at step 2") && r.err.contains("at least one must stay free") &&
                 r.err.contains("is saved in"),
             qPrintable(r.describe()));
    r = run({"info", stopped + "/checkpoint.pt"});
    QVERIFY2(r.out.contains("step            2"), qPrintable(r.describe()));
}

QTEST_APPLESS_MAIN(TestCli)
#include "test_cli.moc"
