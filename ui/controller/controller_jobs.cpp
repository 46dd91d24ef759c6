// TrainingController's service jobs (controller.h): sampling, the codebook,
// cluster assignment and the map, saving and export, each through the error
// boundary (postJob) on the service thread.
#include "controller/controller.h"
#include "controller/controller_impl.h"

#include "cgpgan/animation.h"
#include "cgpgan/latent_walk.h"
#include "controller/tile_images.h"

#include "cgpgan/combinations.h"
#include "cgpgan/embedding.h"
#include "cgpgan/error.h"
#include "cgpgan/export.h"

#include <spdlog/spdlog.h>

#include <QStringList>

#include <algorithm>
#include <numeric>
#include <future>

namespace cgpgan::ui {

// ---------------------------------------------------------------- service jobs

std::vector<int> TrainingController::categoriesOf(int64_t combination) const
{
    return combinationCategories(combination, m_session.dL(), m_session.dC());
}

std::vector<float> TrainingController::combinationCodes(const std::vector<int64_t>& combinations) const
{
    return oneHotCodes(combinations, m_session.dL(), m_session.dC());
}

quint64 TrainingController::requestSamples(const SampleRequest& request)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not sample"), tr("There is no session: open one first."));
        return id;
    }
    postJob(Job::Sample, id, tr("Could not sample"), [this, trainer, request, id] {
        const Model& model = trainer->model();
        const auto& m = model.config().model;
        const int rows = std::max(request.rows, 1), cols = std::max(request.columns, 1);
        if (request.codes.size() != size_t(cols) * m.dL * m.dC)
            throw Error("sample request: " + std::to_string(request.codes.size()) + " code values for " +
                        std::to_string(cols) + " columns of " + std::to_string(m.dL) + "x" +
                        std::to_string(m.dC));
        SampleResult result;
        result.id = id;
        result.request = request;
        result.step = model.step();
        if (m.arch == Arch::Conv) {
            const auto codes = torch::from_blob(const_cast<float*>(request.codes.data()),
                                                {cols, m.dL, m.dC}, torch::kFloat);
            const double reference = rows >= 2 ? m_impl->realDistance(trainer->datasetPtr()) : 0.0;
            const auto samples = model.sampleGrid(request.zSeed, request.firstRow, rows, codes, reference);
            result.step = samples.step;
            result.tiles = tileImages(samples);
            result.zDiversity = samples.zDiversity;
        }
        toUi([this, result] { Q_EMIT samplesReady(result); });
    }, request.tag);
    return id;
}

quint64 TrainingController::requestNearestReal(const SampleRequest& tile, int count)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer || !m_data || !m_session.images()) {
        fail(id, tr("Could not find the nearest real images"),
             tr("This needs a session that generates images from a dataset."));
        return id;
    }
    postJob(Job::Sample, id, tr("Could not find the nearest real images"), [this, trainer, tile, count, id] {
        const Model& model = trainer->model();
        const auto& m = model.config().model;
        if (tile.codes.size() != size_t(m.dL) * m.dC)
            throw Error("nearest real images: the tile's code has " + std::to_string(tile.codes.size()) +
                        " values, the model needs " + std::to_string(m.dL * m.dC));
        const auto codes = torch::from_blob(const_cast<float*>(tile.codes.data()), {1, m.dL, m.dC}, torch::kFloat);
        const GridSamples sample = model.sampleGrid(tile.zSeed, tile.firstRow, 1, codes, 0.0);
        // The tile as a one-image dataset, read by Q like the real ones.
        Dataset one;
        one.count = 1;
        one.channels = sample.channels;
        one.height = one.width = sample.size;
        one.pixels = sample.pixels;
        const auto data = trainer->datasetPtr();
        if (m_impl->featureData != data || m_impl->featureStep != model.step() || !m_impl->realFeatures.defined()) {
            std::vector<int64_t> all(size_t(data->count));
            std::iota(all.begin(), all.end(), int64_t(0));
            int lastPermille = -1;
            m_impl->realFeatures = model.classifierFeatures(*data, all, [&](int64_t done, int64_t total) {
                // Its own signal: clusterProgress would tell the Clusters tab an assignment runs.
                const int permille = total > 0 ? int(done * 1000 / total) : 1000;
                if (permille / 10 != lastPermille / 10)
                    toUi([this, permille] { Q_EMIT nearestRealProgress(permille); });
                lastPermille = permille;
                return true;
            }).first;
            m_impl->featureData = data;
            m_impl->featureStep = model.step();
        }
        const torch::Tensor query = model.classifierFeatures(one, {0}).first;
        const torch::Tensor distance = torch::cdist(query, m_impl->realFeatures).squeeze(0); // [n]
        const int64_t k = std::min<int64_t>(std::max(count, 1), distance.size(0));
        const auto [values, indices] = distance.topk(k, 0, /*largest=*/false);
        NearestReal result;
        result.request = id;
        result.step = m_impl->featureStep;
        const QVector<QImage> tiles = tileImages(sample);
        result.tile = tiles.isEmpty() ? QImage() : tiles.front();
        const auto v = values.contiguous(), i = indices.contiguous();
        result.distances.assign(v.data_ptr<float>(), v.data_ptr<float>() + k);
        result.samples.assign(i.data_ptr<int64_t>(), i.data_ptr<int64_t>() + k);
        result.medianDistance = distance.median().item<float>();
        toUi([this, result] { Q_EMIT nearestRealReady(result); });
    });
    return id;
}

quint64 TrainingController::requestCodebook()
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer || !trainer->model().hasCodebook()) {
        fail(id, tr("No codebook"), trainer ? tr("This model has no codebook (model.codebook is false).")
                                           : tr("There is no session: open one first."));
        return id;
    }
    postJob(Job::Codebook, id, tr("Could not read the codebook"), [this, trainer, id] {
        const auto book = trainer->model().codebook().contiguous();
        CodebookSnapshot snap;
        snap.dL = int(book.size(0));
        snap.dC = int(book.size(1));
        snap.pageSize = int(book.size(2));
        snap.values.assign(book.data_ptr<float>(), book.data_ptr<float>() + book.numel());
        snap.step = trainer->model().step();
        snap.request = id;
        toUi([this, snap] { Q_EMIT codebookReady(snap); });
    }, QStringLiteral("codebook"));
    return id;
}

quint64 TrainingController::openComparison(const QString& path)
{
    const quint64 id = nextId();
    if (!hasSession()) {
        fail(id, tr("Could not compare runs"), tr("Open a session first: its curves are what the other run is "
                                                   "compared with."));
        return id;
    }
    const Config mine = m_session.config;
    postJob(Job::Compare, id, tr("Could not open the run to compare with"), [this, path, mine, id] {
        const std::string file = path.toStdString();
        const CheckpointInfo info = Trainer::readInfo(file); // the seal, the header, the config's checksum
        const StepHistory history = Trainer::readHistory(file);
        ComparedRun run;
        run.path = path;
        run.config = info.config;
        run.step = info.step;
        run.history = history.entries();
        run.scores = history.scores();
        run.events = history.events();
        run.differences = configDifferences(withDefaultMachine(mine), withDefaultMachine(info.config));
        run.request = id;
        toUi([this, run] { Q_EMIT comparisonReady(run); });
    });
    return id;
}

quint64 TrainingController::writePages(const std::vector<PageWrite>& pages, const QString& description)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not edit the codebook"), tr("There is no session: open one first."));
        return id;
    }
    QString text = description;
    if (text.isEmpty()) {
        QStringList names;
        for (const auto& p : pages)
            names << tr("label %1 category %2").arg(p.label).arg(p.category);
        text = tr("pages written: %1").arg(names.join(QStringLiteral(", ")));
    }
    postJob(Job::Pages, id, tr("Could not edit the codebook"), [this, trainer, pages, id, text] {
        for (const auto& p : pages) {
            auto values = torch::from_blob(const_cast<float*>(p.values.data()),
                                           {int64_t(p.values.size())}, torch::kFloat).clone();
            trainer->model().setPage(p.label, p.category, values);
        }
        // On the timeline at the step the pages landed after.
        const RunEvent event{trainer->stepCount(), "pages", text.toStdString()};
        trainer->recordEvent(event);
        toUi([this, id, event] {
            announceEvent(event);
            Q_EMIT pagesWritten(id);
        });
    }); // never coalesced: every edit lands, in order
    requestCodebook();
    return id;
}

void TrainingController::postPass(Job kind, std::atomic<bool>& cancel, const QString& tag, const QString& failure,
                                  quint64 id, std::function<std::function<void()>(const PassProgress&)> work,
                                  std::function<void(int64_t, int64_t)> onProgress, std::function<void()> onCancelled)
{
    cancel = false;
    std::atomic<bool>* flag = &cancel; // a member of m_impl: lives as long as this controller
    postJob(kind, id, failure, [this, flag, work = std::move(work), onProgress = std::move(onProgress),
                                onCancelled = std::move(onCancelled)] {
        int lastPermille = -1;
        const PassProgress progress = [this, flag, &lastPermille, &onProgress](int64_t done, int64_t total) {
            const int permille = total > 0 ? int(done * 1000 / total) : 1000;
            if (permille != lastPermille) { // at most 1000 progress events
                lastPermille = permille;
                toUi([onProgress, done, total] { onProgress(done, total); });
            }
            return !flag->load();
        };
        try {
            toUi(work(progress));
        } catch (...) {
            if (!flag->load())
                throw; // a failure: the boundary reports it
            toUi(onCancelled);
        }
    }, tag);
}

quint64 TrainingController::assignClusters()
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    auto data = m_data;
    if (!trainer || !data) {
        fail(id, tr("Could not assign clusters"), tr("There is no session: open one first."));
        return id;
    }
    postPass(
        Job::Assign, m_impl->cancelClusters, QStringLiteral("clusters"), tr("Could not assign clusters"), id,
        [this, trainer, data, id](const PassProgress& progress) -> std::function<void()> {
            auto assignment = trainer->model().assignClusters(*data, progress);
            return [this, assignment = std::move(assignment), id] { Q_EMIT clustersReady(assignment, id); };
        },
        [this](int64_t done, int64_t total) { Q_EMIT clusterProgress(done, total); },
        [this, id] { Q_EMIT clustersCancelled(id); });
    return id;
}

void TrainingController::cancelClusters()
{
    m_impl->cancelClusters = true;
}

quint64 TrainingController::computeMap(MapMethod method, int64_t maxPoints)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    auto data = m_data;
    if (!trainer || !data) {
        fail(id, tr("Could not map the clusters"), tr("There is no session: open one first."));
        return id;
    }
    postPass(
        Job::Map, m_impl->cancelMap, QStringLiteral("map"), tr("Could not map the clusters"), id,
        [this, trainer, data, id, method, maxPoints](const PassProgress& progress) -> std::function<void()> {
            MapOptions options;
            options.method = method;
            options.maxPoints = maxPoints;
            auto map = clusterMap(trainer->model(), *data, options, progress);
            return [this, map = std::move(map), id] { Q_EMIT mapReady(map, id); };
        },
        [this](int64_t done, int64_t total) { Q_EMIT mapProgress(int(done * 1000 / std::max<int64_t>(total, 1))); },
        [this, id] { Q_EMIT mapCancelled(id); });
    return id;
}

void TrainingController::cancelMap()
{
    m_impl->cancelMap = true;
}

quint64 TrainingController::exportAnimation(const LatentWalk& walk, const QStringList& paths, double fps)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not write the animation"), tr("There is no session: open one first."));
        return id;
    }
    if (paths.isEmpty()) {
        fail(id, tr("Could not write the animation"), tr("No file to write: give a .webp or .mp4 name."));
        return id;
    }
    postPass(
        Job::Animation, m_impl->cancelAnimation, QString(), tr("Could not write the animation"), id,
        [this, trainer, walk, paths, fps, id](const PassProgress& progress) -> std::function<void()> {
            const Model& model = trainer->model();
            checkLatentWalk(model, walk);
            const auto [width, height] = latentWalkFrameSize(model, walk);
            std::vector<std::unique_ptr<AnimationWriter>> writers;
            for (const QString& path : paths)
                writers.push_back(std::make_unique<AnimationWriter>(path.toStdString(), width, height, fps));
            const int64_t step = model.step();
            renderLatentWalk(model, walk, [&](int i, int n, const Image8& frame) {
                for (auto& w : writers)
                    w->add(frame);
                return progress(i + 1, n);
            });
            QStringList encoders;
            for (auto& w : writers) {
                w->finish();
                encoders << QString::fromStdString(w->encoder());
            }
            const int frames = walk.frames;
            return [this, paths, frames, step, encoders, id] {
                Q_EMIT animationExported(paths, frames, step, encoders, id);
            };
        },
        [this](int64_t done, int64_t total) { Q_EMIT animationProgress(int(done), int(total)); },
        [this, id] { Q_EMIT animationCancelled(id); });
    return id;
}

void TrainingController::cancelAnimation()
{
    m_impl->cancelAnimation = true;
}

quint64 TrainingController::saveCheckpoint(const QString& path)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not save %1").arg(path), tr("There is no session to save."));
        return id;
    }
    postJob(Job::Save, id, tr("Could not save %1").arg(path), [this, trainer, path, id] {
        const int64_t step = trainer->save(path.toStdString());
        spdlog::info("saved {} (step {})", path.toStdString(), step);
        toUi([this, path, step, id] { Q_EMIT checkpointSaved(path, step, id); });
    });
    return id;
}

quint64 TrainingController::exportModel(const QString& folder)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not export to %1").arg(folder), tr("There is no session to export."));
        return id;
    }
    postJob(Job::Export, id, tr("Could not export to %1").arg(folder), [this, trainer, folder, id] {
        // model.json records what a checkpoint would: live knob changes included.
        const Config recorded = trainer->recordedConfig();
        const ExportedFiles written = cgpgan::exportModel(trainer->model(), folder.toStdString(), &recorded);
        const int64_t step = written.step;
        QStringList files;
        for (const std::string& path : written.files)
            files << QString::fromStdString(path);
        spdlog::info("exported step {} to {}", step, folder.toStdString());
        toUi([this, folder, files, step, id] { Q_EMIT modelExported(folder, files, step, id); });
    });
    return id;
}

QString TrainingController::saveCheckpointNow(const QString& path)
{
    auto trainer = m_impl->trainer;
    if (!trainer)
        return tr("there is no session to save");
    // Behind whatever the service thread has queued, so edits land first.
    auto done = std::make_shared<std::promise<QString>>();
    auto result = done->get_future();
    m_impl->queue->post([impl = m_impl.get(), trainer, path, done] {
        try {
            if (impl->faultInjection)
                impl->faultInjection(Job::Save);
            const int64_t step = trainer->save(path.toStdString());
            spdlog::info("saved {} (step {})", path.toStdString(), step);
            done->set_value(QString());
        } catch (const std::exception& e) {
            done->set_value(QString::fromStdString(userMessage(e)));
        } catch (...) {
            done->set_value(tr("an unknown error"));
        }
    });
    return result.get();
}

} // namespace cgpgan::ui
