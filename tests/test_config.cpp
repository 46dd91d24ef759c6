// The config's field table and its enum settings (issue 10): the words in
// files and checkpoints are those of before the enums, every field is read
// and written through one list, unknown words and keys are refused by name.
#include "cgpgan/config.h"
#include "cgpgan/error.h"
#include "cgpgan/settings.h"

#include <nlohmann/json.hpp>

#include <QtTest/QtTest>
#include <QTemporaryDir>

#include <string>

using namespace cgpgan;
using nlohmann::json;

namespace {

QString errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

template <typename E>
void checkWords(const char* field, std::initializer_list<std::pair<E, const char*>> expected, E& (*member)(Config&))
{
    for (const auto& [value, word] : expected) {
        QCOMPARE(std::string(nameOf(value)), std::string(word));
        QCOMPARE(parseName<E>(word), std::optional<E>(value));
        Config c = preset("demo");
        applyOverride(c, std::string(field) + "=" + word);
        QCOMPARE(member(c), value);
        // Written back as the same word.
        const json j = json::parse(toJson(c));
        const auto dot = std::string(field).find('.');
        QCOMPARE(j[std::string(field).substr(0, dot)][std::string(field).substr(dot + 1)].get<std::string>(),
                 std::string(word));
    }
}

} // namespace

class TestConfig final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void enumWordsAreTheOldStrings()
    {
        // The words of every enum, both ways, through --set and JSON.
        checkWords<Arch>("model.arch", {{Arch::Conv, "conv"}, {Arch::Mlp, "mlp"}},
                         [](Config& c) -> Arch& { return c.model.arch; });
        checkWords<GanMode>("model.mode", {{GanMode::Cgpgan, "cgpgan"}, {GanMode::Vanilla, "vanilla"}},
                            [](Config& c) -> GanMode& { return c.model.mode; });
        checkWords<LatentDist>("model.latent_dist", {{LatentDist::Normal, "normal"}, {LatentDist::Uniform, "uniform"}},
                         [](Config& c) -> LatentDist& { return c.model.latentDist; });
        checkWords<DeviceChoice>("run.device",
                                 {{DeviceChoice::Auto, "auto"}, {DeviceChoice::Cpu, "cpu"}, {DeviceChoice::Cuda, "cuda"}},
                         [](Config& c) -> DeviceChoice& { return c.run.device; });
        checkWords<Precision>("run.precision", {{Precision::Fp32, "fp32"}, {Precision::Bf16, "bf16"}},
                              [](Config& c) -> Precision& { return c.run.precision; });
        checkWords<DataKind>("data.kind",
                             {{DataKind::Builtin, "builtin"}, {DataKind::Mnist, "mnist"}, {DataKind::Cifar10, "cifar10"},
                              {DataKind::Folder, "folder"}, {DataKind::Toy2d, "toy2d"}},
                         [](Config& c) -> DataKind& { return c.data.kind; });
        QCOMPARE(choicesOf<DeviceChoice>(), std::string("auto, cpu or cuda"));
        QCOMPARE(choicesOf<Arch>(), std::string("conv or mlp"));
    }

    void unknownWordsNameTheFieldAndTheChoices()
    {
        Config c = preset("demo");
        const QString kind = errorOf([&] { applyOverride(c, "data.kind=imagenet"); });
        QVERIFY2(kind.contains("data.kind must be builtin, mnist, cifar10, folder or toy2d, not \"imagenet\""),
                 qPrintable(kind));
        const QString device = errorOf([&] { applyOverride(c, "run.device=tpu"); });
        QVERIFY2(device.contains("run.device must be auto, cpu or cuda"), qPrintable(device));
        // A number where a word belongs is refused the same way.
        const QString arch = errorOf([&] { configFromJson(R"({"model": {"arch": 3}})", "test.json"); });
        QVERIFY2(arch.contains("test.json") && arch.contains("model.arch must be conv or mlp, not 3"), qPrintable(arch));
        // Case matters: the files have always used lower case.
        QVERIFY(!errorOf([&] { configFromJson(R"({"run": {"precision": "BF16"}})", "t"); }).isEmpty());
    }

    void oneFieldTableReadsWritesAndRefuses()
    {
        // Every preset survives a write and a read unchanged, field for field.
        for (const auto& name : presetNames()) {
            const Config c = preset(name);
            const std::string once = toJson(c);
            QCOMPARE(toJson(configFromJson(once, name)), once);
        }
        // Unknown keys are refused, at the top level and inside each section.
        for (const char* text : {R"({"modle": {}})", R"({"model": {"d_zz": 3}})", R"({"run": {"gpu": true}})",
                                 R"({"data": {"kind": "builtin", "size": 4}})", R"({"train": {"lr": 1}})"}) {
            const QString e = errorOf([&] { configFromJson(text, "t.json"); });
            QVERIFY2(e.contains("unknown setting"), qPrintable(QString(text) + ": " + e));
        }
        // A section that is not an object, and a field of the wrong type, name themselves.
        QVERIFY(errorOf([&] { configFromJson(R"({"train": 5})", "t.json"); }).contains("\"train\" must be a JSON object"));
        QVERIFY(errorOf([&] { configFromJson(R"({"train": {"batch": "x"}})", "t.json"); }).contains("train.batch"));
        // A number too large for a double names the file, the field and the line.
        const QString overflow = errorOf([&] {
            configFromJson("{\n \"model\": {\"d_z\": 4},\n \"train\": {\"batch\": 8, \"lr_g\": 1e400}}", "t.json");
        });
        QVERIFY2(overflow.contains("t.json") && overflow.contains("1e400") && overflow.contains("train.lr_g")
                     && overflow.contains("line 3") && overflow.contains("out of range"),
                 qPrintable(overflow));
        Config overridden;
        const QString viaSet = errorOf([&] { applyOverride(overridden, "train.lr_g=-1e400"); });
        QVERIFY2(viaSet.contains("train.lr_g") && viaSet.contains("out of range"), qPrintable(viaSet));
        // Found by fuzz_config: text that is not UTF-8 (a bare word in --set)
        // used to throw nlohmann's type_error out of the error message itself.
        const QString notUtf8 = errorOf([&] { applyOverride(overridden, "data.path=\xb2\xff"); });
        QVERIFY2(notUtf8.contains("not valid UTF-8"), qPrintable(notUtf8));
        const QString notUtf8Int = errorOf([&] { applyOverride(overridden, "train.batch=\xb2"); });
        QVERIFY2(notUtf8Int.contains("not valid UTF-8"), qPrintable(notUtf8Int));
        // Found by fuzz_config: d_l 0 with the codebook on divided by zero
        // inside validate() (SIGFPE) before its own check could say so.
        const QString zeroLabels = errorOf([&] { configFromJson(R"({"model": {"d_l": 0}})", "t.json").validate(); });
        QVERIFY2(zeroLabels.contains("model.d_l must be >= 1"), qPrintable(zeroLabels));
        // Absent fields keep their defaults.
        const Config empty = configFromJson("{}", "empty");
        QCOMPARE(empty.model.arch, Config{}.model.arch);
        QCOMPARE(empty.train.batch, Config{}.train.batch);
    }

    // Issue 27: what a resume changed, or how two runs differ, field by field.
    void configDifferencesListEveryField()
    {
        const Config a = preset("demo");
        QVERIFY(configDifferences(a, a).empty());
        Config b = a;
        b.train.lrG = 0.001;
        b.model.gWidths = {32, 16, 8};
        b.data.variation = ShapesVariation::Full;
        const auto d = configDifferences(a, b);
        QCOMPARE(d.size(), size_t(3));
        QCOMPARE(QString::fromStdString(d[0]), QStringLiteral("data.variation: \"moderate\" -> \"full\""));
        QVERIFY2(QString::fromStdString(d[1]).startsWith("model.g_widths: ["), d[1].c_str());
        QVERIFY2(QString::fromStdString(d[2]).startsWith("train.lr_g: 0.002 -> 0.001"), d[2].c_str());
    }

    // Issue 26: a key given twice kept the last one without a word.
    void duplicateKeysAreRefused()
    {
        const QString twice = errorOf([&] { configFromJson(R"({"train": {"steps": 5, "steps": 7}})", "t.json"); });
        QVERIFY2(twice.contains("t.json") && twice.contains("\"train.steps\" is given twice"), qPrintable(twice));
        const QString sections = errorOf([&] { configFromJson(R"({"run": {}, "run": {}})", "t.json"); });
        QVERIFY2(sections.contains("\"run\" is given twice"), qPrintable(sections));
        // The same key in two different objects is no duplicate.
        QCOMPARE(configFromJson(R"({"train": {"seed": 3}, "data": {"seed": 4}})", "t.json").data.seed, uint64_t(4));
    }

    // Issue 26: {"preset": "toy-2d"} in a config file trained the image
    // defaults under that name. A built-in preset is now the file's base;
    // any other name is a label, and such a file must give every field.
    void configFileStartsFromItsPreset()
    {
        QTemporaryDir dir;
        const auto write = [&](const char* name, const std::string& text) {
            const QString path = dir.filePath(name);
            QFile f(path);
            f.open(QIODevice::WriteOnly);
            f.write(text.data(), qint64(text.size()));
            return path.toStdString();
        };
        const Config toy = loadConfigFile(write("toy.json", R"({"preset": "toy-2d", "train": {"steps": 50}})"));
        const Config expected = preset("toy-2d");
        QCOMPARE(toy.model.arch, expected.model.arch);
        QCOMPARE(toy.data.kind, expected.data.kind);
        QCOMPARE(toy.train.lrG, expected.train.lrG); // from the preset
        QCOMPARE(toy.train.steps, int64_t(50));      // from the file
        QCOMPARE(toy.train.seed, expected.train.seed); // a section given in part keeps the preset's other fields

        const QString unknown = errorOf([&] { loadConfigFile(write("mine.json", R"({"preset": "mine", "train": {"steps": 5}})")); });
        QVERIFY2(unknown.contains("\"mine\" is not a built-in preset") && unknown.contains("demo")
                     && unknown.contains("would take default values"),
                 qPrintable(unknown));

        // A complete file reads as written whatever its name says: what a run's config.json is.
        Config complete = preset("demo");
        complete.preset = "my experiment";
        complete.train.steps = 77;
        const Config read = loadConfigFile(write("complete.json", toJson(complete)));
        QCOMPARE(toJson(read), toJson(complete));
        complete.preset = "demo";
        QCOMPARE(toJson(loadConfigFile(write("complete-demo.json", toJson(complete)))), toJson(complete));
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "test_config.moc"
