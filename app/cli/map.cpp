// `cgpgan map`: the explorer's cluster map from the command line (issue 12):
// Q's penultimate features of a dataset embedded in 2-D by PCA or t-SNE
// (cgpgan/embedding.h), written as a CSV, with the time each part took and,
// for labelled data, how well the map keeps each true label's neighbourhoods.
#include "commands.h"
#include "common.h"

#include "cgpgan/embedding.h"
#include "cgpgan/file_io.h"
#include "cgpgan/model.h"

#include <chrono>
#include <cstdio>
#include <sstream>

namespace cgpgan::cli {
namespace {

struct MapCommandOptions {
    ConfigOptions config;
    std::string checkpoint;
    std::string method = "pca";
    int64_t points = 5000;
    int iterations = 500;
    std::string out = "map.csv";
};

// Share of points whose k nearest neighbours in the map (k = 10) carry their
// own label, averaged: 1 when every true class is a tight island.
double neighbourAgreement(const ClusterMap& map, const std::vector<int32_t>& values, int64_t limit = 5000)
{
    const int64_t n = std::min(map.count(), limit); // the first `limit` points against all
    const auto xy = torch::from_blob(const_cast<float*>(map.xy.data()), {map.count(), 2});
    const int64_t k = std::min<int64_t>(10, map.count() - 1);
    if (k < 1)
        return 0;
    const auto nearest = std::get<1>(torch::cdist(xy.narrow(0, 0, n), xy).topk(k + 1, 1, /*largest=*/false));
    const auto a = nearest.accessor<int64_t, 2>();
    int64_t agree = 0;
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 1; j <= k; ++j) // 0 is the point itself
            agree += values[size_t(map.samples[size_t(i)])] == values[size_t(map.samples[size_t(a[i][j])])] ? 1 : 0;
    return double(agree) / double(n * k);
}

int runMap(const MapCommandOptions& o)
{
    auto r = restore(o.checkpoint, o.config, /*needData=*/true);
    const auto& data = *r.data;
    MapOptions options;
    options.method = o.method == "tsne" ? MapMethod::Tsne : MapMethod::Pca;
    options.maxPoints = o.points;
    options.tsne.iterations = o.iterations;
    int64_t shown = -1;
    const auto start = std::chrono::steady_clock::now();
    ClusterMap map;
    try {
        map = clusterMap(*r.model, data, options, [&](int64_t done, int64_t) {
            if (done / 50 != shown / 50)
                std::fprintf(stderr, "\rmapping: %5.1f%%", double(done) / 10.0);
            shown = done;
            return true;
        });
    } catch (...) {
        if (shown >= 0) // end the progress line before the error is printed
            std::fprintf(stderr, "\n");
        throw;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "\n");

    std::ostringstream csv;
    csv << "index,x,y";
    for (int l = 0; l < map.dL; ++l)
        csv << ",label" << l;
    csv << ",combined";
    for (const auto& column : data.labels)
        csv << ",true_" << column.name;
    csv << "\n";
    for (int64_t i = 0; i < map.count(); ++i) {
        const int64_t sample = map.samples[size_t(i)];
        csv << sample << ',' << map.xy[size_t(2 * i)] << ',' << map.xy[size_t(2 * i + 1)];
        for (int l = 0; l < map.dL; ++l)
            csv << ',' << map.category[size_t(i * map.dL + l)];
        csv << ',' << map.combined[size_t(i)];
        for (const auto& column : data.labels)
            csv << ',' << column.values[size_t(sample)];
        csv << "\n";
    }
    writeFileAtomically(o.out, csv.str(), "map CSV");

    std::printf("%s of Q's %d penultimate features: %lld of %lld images of %s (step %lld) in %.1f s\n",
                map.method == MapMethod::Pca ? "PCA" : "t-SNE", map.featureDim, (long long)map.count(),
                (long long)data.count, data.name.c_str(), (long long)map.step, seconds);
    if (map.method == MapMethod::Pca)
        std::printf("variance on the two axes: %.1f %% and %.1f %%\n", 100 * map.explained[0],
                    100 * map.explained[1]);
    for (const auto& column : data.labels)
        std::printf("10-nearest neighbours in the map with the same %s: %.3f\n", column.name.c_str(),
                    neighbourAgreement(map, column.values));
    std::printf("map: %s\n", o.out.c_str());
    return 0;
}

} // namespace

void addMapCommand(CLI::App& app, int& exitCode)
{
    auto o = std::make_shared<MapCommandOptions>();
    CLI::App* sub = app.add_subcommand(
        "map", "Embed a dataset in 2-D from Q's penultimate features (PCA or t-SNE) and write a CSV");
    sub->add_option("checkpoint", o->checkpoint, "Checkpoint file")->required()->check(regularFileValidator("checkpoint"));
    o->config.addTo(*sub, /*withPreset=*/false, /*withTraining=*/false);
    sub->add_option("--method", o->method, "pca (every image) or tsne (a subsample)")
        ->check(CLI::IsMember({"pca", "tsne"}))
        ->capture_default_str();
    sub->add_option("--points", o->points, "t-SNE: images in the seeded subsample")
        ->check(CLI::Range(int64_t(5), int64_t(20000)))
        ->capture_default_str();
    sub->add_option("--iterations", o->iterations, "t-SNE: gradient steps")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    sub->add_option("-o,--out", o->out, "CSV to write (index, x, y, Q's labels, combined, truths)")
        ->check(nonEmptyValidator())
        ->capture_default_str();
    sub->callback([o, &exitCode] { exitCode = runMap(*o); });
}

} // namespace cgpgan::cli
