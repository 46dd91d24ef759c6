// Issue 25: cgpgan::data, the torch-free value library, links and works
// alone. This program links only that library, with every one of its objects
// forced in (tests/CMakeLists.txt), so a torch symbol anywhere in it would
// fail the link; then it uses a piece of each folder (values, io, data).
#include "cgpgan/clustering.h"
#include "cgpgan/combinations.h"
#include "cgpgan/config.h"
#include "cgpgan/data.h"
#include "cgpgan/error.h"
#include "cgpgan/history.h"
#include "cgpgan/image_io.h"
#include "cgpgan/values.h"

#include <cstdio>
#include <filesystem>

int main()
{
    int passed = 0, failed = 0;
    const auto check = [&](bool ok, const char* what) {
        (ok ? passed : failed)++;
        if (!ok)
            std::printf("FAIL: %s\n", what);
    };
    cgpgan::Config config = cgpgan::preset("demo");
    config.data.count = 64;
    config.validate();
    check(cgpgan::configFromJson(cgpgan::toJson(config), "probe").model.dC == config.model.dC, "config round trip");
    check(cgpgan::estimateFootprint(config, 64).total() > 0, "sizing estimate");
    check(config.model.combinations() == cgpgan::combinationCount(config.model.dL, config.model.dC), "combinations");

    cgpgan::StepStats stats;
    check(stats.finite(), "StepStats::finite");
    cgpgan::StepHistory history(8);
    for (int64_t s = 1; s <= 20; ++s) {
        stats.step = s;
        history.add(stats);
    }
    check(history.entries().back().step == 20, "history keeps the latest step");
    check(cgpgan::StepHistory::fromJson(history.toJson()).entries().size() == history.entries().size(),
          "history JSON round trip");

    const cgpgan::Dataset data = cgpgan::loadDataset(config.data);
    check(data.count == 64 && data.hasLabels(), "built-in data");
    const auto labels = data.combinedLabels();
    const std::vector<int64_t> predicted(labels.begin(), labels.end());
    const auto scores = cgpgan::scoreClustering(predicted, data.combinedClassCount(), labels, data.combinedClassCount());
    check(scores.hungarianAccuracy > 0.999, "clustering scores");
    check(cgpgan::userMessage(cgpgan::Error("probe")) == "probe", "userMessage");

    const auto png = std::filesystem::temp_directory_path() / "cgpgan_data_alone.png";
    cgpgan::writePng(png.string(), cgpgan::tileImages(data.pixels.data(), 4, data.channels, data.height, 2));
    check(std::filesystem::file_size(png) > 0, "PNG written");
    std::filesystem::remove(png);

    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
