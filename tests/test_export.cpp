// Issue 13, item 1: the TorchScript export. Loaded back with nothing of this
// project (torch::jit::load, torch::pickle_load; Python's torch.jit.load and
// torch.load when Debian's python3-torch is there), the modules compute what
// the native networks compute.
#include "cgpgan/config.h"
#include "cgpgan/error.h"
#include "cgpgan/export.h"
#include "cgpgan/model.h"
#include "model/model_impl.h" // white box: perturb the weights, call Q's native forward
#include "test_support.h"

#include <nlohmann/json.hpp>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace cgpgan;
namespace fs = std::filesystem;

namespace {

constexpr double kTolerance = 1e-5; // issue 13: max abs difference on the CPU

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// A model whose every weight, bias and page is random: zero biases (their
// initial value) would let a bias mix-up pass.
std::shared_ptr<Model> perturbedModel(const Config& config)
{
    auto model = std::make_shared<Model>(config);
    auto& nets = networksOf(*model);
    torch::NoGradGuard noGrad;
    torch::manual_seed(7);
    for (torch::nn::Module* module : nets.modules())
        for (auto& p : module->parameters())
            p.add_(torch::randn_like(p) * 0.1);
    nets.step = 42;
    nets.prior = torch::softmax(torch::randn({config.model.dL, config.model.dC}), -1);
    return model;
}

// Soft codes: rows of random weights summing to 1 (the export allows them).
torch::Tensor softCodes(int64_t n, const ModelConfig& m)
{
    return torch::softmax(torch::randn({n, m.dL, m.dC}) * 2.0, -1);
}

torch::Tensor nativeLogits(Model& model, const torch::Tensor& x)
{
    torch::NoGradGuard noGrad;
    const auto& m = model.config().model;
    return networksOf(model).q->forward(x).view({x.size(0), m.dL, m.dC});
}

torch::Tensor modelInputs(int64_t n, const ModelConfig& m)
{
    if (m.arch == Arch::Conv)
        return torch::rand({n, m.channels, m.resolution, m.resolution}) * 2.0 - 1.0;
    return torch::randn({n, m.channels});
}

double maxAbs(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

bool pythonHasTorch()
{
    QProcess p;
    p.start(CGPGAN_TORCH_PYTHON, {"-c", "import torch"});
    return p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace

class TestExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void modulesMatchTheNativeNetworks_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("codebook") << "codebook";
        QTest::newRow("one-hot") << "one-hot";
        QTest::newRow("mlp (toy-2d)") << "mlp";
    }

    void modulesMatchTheNativeNetworks()
    {
        QFETCH(QString, kind);
        Config config = testing::tinyConfig();
        if (kind == "one-hot")
            config.model.codebook = false;
        if (kind == "mlp") {
            config = preset("toy-2d");
            config.run.device = DeviceChoice::Cpu;
        }
        config.validate();
        auto model = perturbedModel(config);
        const auto& m = config.model;

        QTemporaryDir dir;
        const ExportedFiles files = exportModel(*model, dir.path().toStdString());
        QCOMPARE(int(files.files.size()), 4);
        for (const std::string& path : files.files)
            QVERIFY2(fs::file_size(path) > 0, path.c_str());

        // Loaded by libtorch alone.
        auto g = torch::jit::load((fs::path(files.folder) / kExportGenerator).string());
        auto q = torch::jit::load((fs::path(files.folder) / kExportClassifier).string());
        torch::manual_seed(3);
        const auto z = torch::randn({10, m.dZ});
        const auto c = softCodes(10, m);
        const auto native = model->generate(z, c);
        torch::NoGradGuard noGrad;
        const auto exported = g.forward({z, c}).toTensor();
        QCOMPARE(exported.sizes(), native.sizes());
        const double gDiff = maxAbs(exported, native);
        QVERIFY2(gDiff <= kTolerance, qPrintable(QString("G: max abs difference %1").arg(gDiff)));
        // One-hot codes too (the grid's), against the same native path.
        const auto oneHot = model->combinationCodes({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        QVERIFY(maxAbs(g.forward({z, oneHot}).toTensor(), model->generate(z, oneHot)) <= kTolerance);

        const auto x = modelInputs(10, m);
        const auto logits = q.forward({x}).toTensor();
        QCOMPARE(logits.sizes(), (std::vector<int64_t>{10, m.dL, m.dC}));
        const double qDiff = maxAbs(logits, nativeLogits(*model, x));
        QVERIFY2(qDiff <= kTolerance, qPrintable(QString("Q: max abs difference %1").arg(qDiff)));
        qInfo("C++: G max abs difference %g, Q max abs difference %g", gDiff, qDiff);

        // The state dict: raw tensors under their native names, the prior, the step.
        const std::string bytes = readAll((fs::path(files.folder) / kExportStateDict).string());
        const auto dict = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end())).toGenericDict();
        QCOMPARE(dict.at("step").toTensor().item<int64_t>(), int64_t(42));
        QVERIFY(dict.at("prior").toTensor().equal(model->prior()));
        QVERIFY(dict.at("g_ema.input.weight").toTensor().equal(networksOf(*model).gEma->input->weight));
        if (m.codebook)
            QVERIFY(dict.at("g_ema.codebook").toTensor().equal(model->codebook()));
        QVERIFY(dict.contains("q.out.bias") && dict.contains("d.out.weight") && dict.contains("g.input.weight"));

        // model.json: the config round-trips, the prior and the conventions are there.
        const auto info = nlohmann::json::parse(readAll((fs::path(files.folder) / kExportInfo).string()));
        QCOMPARE(info.at("step").get<int64_t>(), int64_t(42));
        const Config back = configFromJson(info.at("config").dump(), "model.json");
        QCOMPARE(back.model.dZ, m.dZ);
        QCOMPARE(back.model.codebook, m.codebook);
        QCOMPARE(int(info.at("prior").size()), m.dL);
        VERIFY_NEAR(info.at("prior")[0][1].get<double>(), model->prior()[0][1].item<double>(), 1e-7);
        QCOMPARE(info.at("files").at("generator").at("z").at("shape")[1].get<int>(), m.dZ);

        // The same comparison in Python (Debian's python3-torch), on reference
        // tensors written here with torch::pickle_save.
        if (!pythonHasTorch()) {
            QWARN("skipping the Python half: " CGPGAN_TORCH_PYTHON " cannot import torch "
                  "(apt-get install python3-torch)");
            return;
        }
        c10::Dict<std::string, at::Tensor> reference;
        reference.insert("z", z);
        reference.insert("c", c);
        reference.insert("images", native);
        reference.insert("x", x);
        reference.insert("logits", nativeLogits(*model, x));
        const auto refBytes = torch::pickle_save(c10::IValue(reference));
        std::ofstream(dir.filePath("reference.pt").toStdString(), std::ios::binary)
            .write(refBytes.data(), std::streamsize(refBytes.size()));
        QProcess python;
        python.setProcessChannelMode(QProcess::MergedChannels);
        python.start(CGPGAN_TORCH_PYTHON, {CGPGAN_SOURCE_DIR "/tests/python/check_export.py", dir.path(),
                                          dir.filePath("reference.pt"), QString::number(kTolerance)});
        QVERIFY(python.waitForFinished(120000));
        const QString output = QString::fromUtf8(python.readAll());
        QVERIFY2(python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0, qPrintable(output));
        QVERIFY2(output.contains("export ok"), qPrintable(output));
        qInfo("Python: %s", qPrintable(output.trimmed().replace('\n', "; ")));
    }

    void vanillaHasNoClassifier()
    {
        Config config = testing::tinyConfig();
        config.model.mode = GanMode::Vanilla;
        config.model.codebook = true;
        config.validate();
        auto model = perturbedModel(config);
        QTemporaryDir dir;
        std::ofstream(dir.filePath(kExportClassifier).toStdString()) << "stale";
        const ExportedFiles files = exportModel(*model, dir.path().toStdString());
        QCOMPARE(int(files.files.size()), 3);
        QVERIFY2(!fs::exists(dir.filePath(kExportClassifier).toStdString()), "a stale classifier.pt was left");
        QVERIFY_THROWS_EXCEPTION(Error, classifierModule(*model));
        const auto info = nlohmann::json::parse(readAll(dir.filePath(kExportInfo).toStdString()));
        QVERIFY(!info.at("files").contains("classifier"));
    }

    void aFileInTheWayIsNamed()
    {
        auto model = std::make_shared<Model>(testing::tinyConfig());
        QTemporaryDir dir;
        const std::string file = dir.filePath("not-a-folder").toStdString();
        std::ofstream(file) << "x";
        try {
            exportModel(*model, file);
            QFAIL("exporting into a file did not throw");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("not-a-folder") && QString(e.what()).contains("not a folder"), e.what());
        }
        QCOMPARE(QString::fromStdString(readAll(file)), QString("x")); // untouched
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
