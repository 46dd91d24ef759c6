// The cluster map's geometry (issue 12, cgpgan/embedding.h): PCA against a
// direct SVD, t-SNE's affinities against a per-row computation, t-SNE on
// separated blobs, and the map of a tiny model against Q's own outputs.
#include "cgpgan/embedding.h"
#include "cgpgan/error.h"
#include "cgpgan/model.h"

#include "test_support.h"

#include <QtTest>

#include <cmath>
#include <numeric>
#include <set>

using namespace cgpgan;

namespace {

// n points per blob around k centres far apart in d dimensions; labels [k*n].
torch::Tensor blobs(int64_t k, int64_t n, int64_t d, std::vector<int>* labels)
{
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    std::vector<torch::Tensor> parts;
    for (int64_t c = 0; c < k; ++c) {
        auto centre = torch::zeros({1, d});
        centre[0][c % d] = 20.0 * double(c + 1);
        parts.push_back(torch::randn({n, d}, gen) + centre);
        for (int64_t i = 0; i < n; ++i)
            labels->push_back(int(c));
    }
    return torch::cat(parts);
}

} // namespace

class TestEmbedding : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void pcaMatchesADirectSvd()
    {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
        // Anisotropic data: the axes' variances differ clearly.
        const auto x = torch::randn({200, 5}, gen) * torch::tensor({5.0, 3.0, 1.0, 0.5, 0.2}) +
                       torch::tensor({1.0, -2.0, 0.0, 3.0, 0.5});
        torch::Tensor explained;
        const auto scores = pcaProjection(x, 2, &explained);
        QCOMPARE(scores.sizes(), (torch::IntArrayRef{200, 2}));
        const auto centred = x.to(torch::kDouble) - x.to(torch::kDouble).mean(0, true);
        const auto [u, s, vt] = at::linalg_svd(centred, /*full_matrices=*/false);
        for (int64_t k = 0; k < 2; ++k) {
            const auto direct = (u.select(1, k) * s[k]).to(torch::kFloat);
            // Equal up to the sign, and the sign is the documented one.
            const double sign = (scores.select(1, k) * direct).sum().item<double>() > 0 ? 1 : -1;
            QVERIFY(torch::allclose(scores.select(1, k), sign * direct, 1e-4, 1e-4));
            const auto axis = vt[k] * sign;
            QVERIFY(axis[axis.abs().argmax()].item<double>() > 0);
            VERIFY_NEAR(explained[k].item<double>(), (s[k].square() / s.square().sum()).item<double>(), 1e-6);
        }
        // Points on the line y = 2x: one axis holds everything.
        const auto t = torch::linspace(-1, 1, 11).unsqueeze(1);
        const auto line = torch::cat({t, 2 * t}, 1);
        const auto onLine = pcaProjection(line, 2, &explained);
        VERIFY_NEAR(explained[0].item<double>(), 1.0, 1e-6);
        VERIFY_NEAR(onLine.select(1, 0)[10].item<double>(), std::sqrt(5.0), 1e-5); // (1, 2) on axis (1, 2)/sqrt 5
        QVERIFY(onLine.select(1, 1).abs().max().item<double>() < 1e-5);
    }

    void tsneAffinitiesReachThePerplexity()
    {
        auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
        const auto x = torch::randn({120, 4}, gen);
        torch::Tensor perplexity;
        const auto p = tsneAffinities(x, 15, &perplexity);
        QVERIFY(torch::allclose(perplexity, torch::full({120}, 15.0), 1e-3, 1e-3));
        QVERIFY(torch::allclose(p, p.t()));
        VERIFY_NEAR(p.sum().item<double>(), 1.0, 1e-5);
        QCOMPARE(p.diagonal().abs().max().item<double>(), 0.0);
        // Directly: a scalar bisection on beta per row for p_j|i ~ exp(-beta d_ij),
        // then (P + P^T) / 2n.
        const int64_t n = 120;
        auto conditional = torch::zeros({n, n}, torch::kDouble);
        for (int64_t i = 0; i < n; ++i) {
            const auto d = (x - x[i]).square().sum(1).to(torch::kDouble);
            const auto others = torch::cat({torch::arange(0, i), torch::arange(i + 1, n)});
            const auto di = d.index_select(0, others);
            const auto rowFor = [&](double beta) {
                auto q = (-(di - di.min()) * beta).exp();
                return q / q.sum();
            };
            double low = 1e-6, high = 1e3;
            for (int k = 0; k < 100; ++k) {
                const double beta = std::sqrt(low * high);
                const auto q = rowFor(beta);
                const double entropy = -(q * q.clamp_min(1e-300).log()).sum().item<double>();
                (entropy > std::log(15.0) ? low : high) = beta;
            }
            conditional[i].index_put_({others}, rowFor(std::sqrt(low * high)));
        }
        const auto direct = ((conditional + conditional.t()) / double(2 * n)).to(torch::kFloat);
        QVERIFY(torch::allclose(p, direct, 1e-4, 1e-7));
    }

    void tsneKeepsSeparatedBlobsApart()
    {
        std::vector<int> labels;
        const auto x = blobs(3, 60, 10, &labels);
        TsneOptions options;
        options.perplexity = 20;
        options.iterations = 300;
        int64_t reported = 0;
        const auto y = tsneEmbedding(x, options, [&](int64_t done, int64_t total) {
            reported = done;
            return total == 300;
        });
        QCOMPARE(reported, int64_t(300));
        QCOMPARE(y.sizes(), (torch::IntArrayRef{180, 2}));
        // Every point's nearest neighbour in the map is from its own blob.
        auto distances = torch::cdist(y, y);
        distances.fill_diagonal_(1e30);
        const auto nearest = distances.argmin(1);
        int agree = 0;
        for (int64_t i = 0; i < 180; ++i)
            agree += labels[size_t(i)] == labels[size_t(nearest[i].item<int64_t>())] ? 1 : 0;
        QCOMPARE(agree, 180);
        // Deterministic: the same input gives the same map.
        QVERIFY(torch::equal(tsneEmbedding(x, options), y));
        // Cancelling throws.
        bool threw = false;
        try {
            tsneEmbedding(x, options, [](int64_t done, int64_t) { return done < 3; });
        } catch (const Error&) {
            threw = true;
        }
        QVERIFY(threw);
    }

    void mapOfATinyModelAgreesWithQ()
    {
        Config c = testing::tinyConfig(300);
        const auto data = std::make_shared<Dataset>(loadDataset(c.data));
        const Model model(c);
        // PCA maps every image, with Q's categories from the same pass.
        const auto pca = clusterMap(model, *data);
        QCOMPARE(pca.count(), int64_t(300));
        QCOMPARE(int64_t(pca.xy.size()), int64_t(600));
        QCOMPARE(pca.featureDim, c.model.hiddenWidth());
        const auto assignment = model.assignClusters(*data);
        QCOMPARE(pca.category, assignment.category);
        QCOMPARE(pca.combined, assignment.combined);
        std::vector<int64_t> all(300);
        std::iota(all.begin(), all.end(), int64_t(0));
        const auto [features, categories] = model.classifierFeatures(*data, all);
        const auto direct = pcaProjection(features, 2);
        QVERIFY(torch::allclose(torch::from_blob(const_cast<float*>(pca.xy.data()), {300, 2}), direct, 1e-5, 1e-5));
        QVERIFY(pca.explained[0] >= pca.explained[1] && pca.explained[0] + pca.explained[1] <= 1.0 + 1e-9);

        // t-SNE on a seeded subsample: ascending, distinct, and the same each time.
        MapOptions options;
        options.method = MapMethod::Tsne;
        options.maxPoints = 100;
        options.tsne.iterations = 50;
        std::vector<int64_t> progress;
        const auto tsne = clusterMap(model, *data, options, [&](int64_t done, int64_t total) {
            progress.push_back(done);
            return total == 1000;
        });
        QCOMPARE(tsne.count(), int64_t(100));
        QVERIFY(std::is_sorted(tsne.samples.begin(), tsne.samples.end()));
        QCOMPARE(std::set<int64_t>(tsne.samples.begin(), tsne.samples.end()).size(), size_t(100));
        QVERIFY(std::is_sorted(progress.begin(), progress.end()) && progress.back() == 1000);
        for (int64_t i = 0; i < 100; ++i)
            QCOMPARE(tsne.category[size_t(i * c.model.dL)],
                     assignment.category[size_t(tsne.samples[size_t(i)] * c.model.dL)]);
        QCOMPARE(clusterMap(model, *data, options).xy, tsne.xy);
    }
};

QTEST_GUILESS_MAIN(TestEmbedding)
#include "test_embedding.moc"
