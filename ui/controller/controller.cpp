#include "controller/controller.h"

#include "cgpgan/combinations.h"
#include "cgpgan/device.h"
#include "cgpgan/diversity.h"
#include "cgpgan/embedding.h"
#include "cgpgan/error.h"
#include "cgpgan/export.h"
#include "cgpgan/runner.h"
#include "cgpgan/trainer.h"

#include <spdlog/spdlog.h>

#include <QMetaObject>
#include <QStringList>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <optional>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace cgpgan::ui {

namespace {

QString describe(const std::exception& e)
{
    return QString::fromStdString(e.what());
}

// The tiles of the core's sampling path as owning QImages (HWC per tile).
QVector<QImage> toImages(const GridSamples& samples)
{
    const int n = samples.rows * samples.columns, h = samples.size, w = samples.size, ch = samples.channels;
    QVector<QImage> out;
    out.reserve(n);
    for (int i = 0; i < n; ++i) {
        const uint8_t* src = samples.pixels.data() + size_t(i) * samples.tileBytes(); // CHW
        QImage image(w, h, ch == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
        for (int y = 0; y < h; ++y) {
            uchar* line = image.scanLine(y);
            for (int x = 0; x < w; ++x)
                for (int c = 0; c < ch; ++c)
                    line[x * ch + c] = src[(size_t(c) * h + y) * w + x];
        }
        out.push_back(std::move(image));
    }
    return out;
}

// What the widgets need to know of a new session (on the service thread:
// the UI thread never calls the trainer).
SessionInfo describeSession(const Trainer& trainer, const Dataset& data, const QString& checkpointPath)
{
    const Model& model = trainer.model();
    SessionInfo info;
    info.config = trainer.config();
    info.deviceName = QString::fromStdString(model.deviceName());
    info.cuda = model.device().is_cuda();
    info.datasetName = QString::fromStdString(data.name);
    info.datasetCount = data.count;
    info.datasetHasLabels = data.hasLabels();
    info.step = trainer.stepCount();
    info.totalSteps = std::max(trainer.totalSteps(), info.step);
    info.priorStartStep = trainer.priorStartStep();
    info.parameters = model.parameterCount();
    info.checkpointPath = checkpointPath;
    info.knobs = trainer.knobs();
    info.history = trainer.history();
    const auto prior = model.prior().contiguous();
    info.prior.assign(prior.data_ptr<float>(), prior.data_ptr<float>() + prior.numel());
    return info;
}

} // namespace

// The two threads and what they share. Everything here except `trainer`
// (assigned on the UI thread only) is touched from several threads and is
// guarded or atomic.
struct TrainingController::Impl {
    std::shared_ptr<Trainer> trainer;

    // Training thread.
    std::unique_ptr<TrainingControl> control;
    std::thread trainingThread;
    int runId = 0;            // which run the thread belongs to (UI thread only)
    bool runReported = true;  // finishRun() done for runId (UI thread only)
    std::mutex endMutex;      // how the thread's run ended
    RunEnd end = RunEnd::Stopped;
    QString endError;

    // Coalesced step statistics (training thread -> UI thread).
    std::mutex statsMutex;
    QVector<StepStats> pendingStats;
    std::atomic<bool> statsPosted{false};

    // Service thread: a queue of jobs, tagged ones replaced by newer ones.
    struct Job {
        QString tag;
        std::function<void()> fn;
    };
    std::mutex jobsMutex;
    std::condition_variable jobsWake;
    std::deque<Job> jobs;
    bool quit = false;
    std::thread serviceThread;

    std::atomic<bool> cancelClusters{false};
    std::atomic<bool> cancelMap{false};
    std::atomic<quint64> nextRequestId{0};

    // Service thread only: the real images' pairwise distance, the z-diversity
    // reference, for the dataset it was computed on.
    // Held, so a new dataset at the same address cannot be mistaken for it.
    std::shared_ptr<const Dataset> referenceData;
    double referenceDistance = 0;
    double realDistance(const std::shared_ptr<const Dataset>& data)
    {
        if (referenceData != data) {
            referenceDistance = realPairwiseDistance(*data);
            referenceData = data;
        }
        return referenceDistance;
    }
};

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), m_impl(std::make_unique<Impl>())
{
    qRegisterMetaType<SessionInfo>();
    qRegisterMetaType<SampleResult>();
    qRegisterMetaType<CodebookSnapshot>();
    qRegisterMetaType<StepStats>();
    qRegisterMetaType<QVector<StepStats>>();
    qRegisterMetaType<TrainingKnobs>();
    qRegisterMetaType<ClusterAssignment>();
    qRegisterMetaType<ClusterMap>();
    qRegisterMetaType<RunEnd>();

    m_impl->serviceThread = std::thread([impl = m_impl.get()] {
        for (;;) {
            Impl::Job job;
            {
                std::unique_lock<std::mutex> lock(impl->jobsMutex);
                impl->jobsWake.wait(lock, [impl] { return impl->quit || !impl->jobs.empty(); });
                if (impl->jobs.empty())
                    return; // quit once the queue is drained
                job = std::move(impl->jobs.front());
                impl->jobs.pop_front();
            }
            job.fn();
        }
    });
}

TrainingController::~TrainingController()
{
    if (m_impl->control)
        m_impl->control->requestStop();
    if (m_impl->trainingThread.joinable())
        m_impl->trainingThread.join();
    m_impl->cancelClusters = true;
    {
        std::lock_guard<std::mutex> lock(m_impl->jobsMutex);
        m_impl->jobs.clear(); // nobody is left to see their results
        m_impl->quit = true;
    }
    m_impl->jobsWake.notify_all();
    m_impl->serviceThread.join();
}

void TrainingController::post(std::function<void()> fn, const QString& tag)
{
    {
        std::lock_guard<std::mutex> lock(m_impl->jobsMutex);
        // A queued job of the same tag is dropped and the new one goes to the
        // back: it must still run after everything posted before it (a
        // codebook read after a page write, say).
        if (!tag.isEmpty()) {
            auto& jobs = m_impl->jobs;
            jobs.erase(std::remove_if(jobs.begin(), jobs.end(), [&](const Impl::Job& j) { return j.tag == tag; }),
                       jobs.end());
        }
        m_impl->jobs.push_back({tag, std::move(fn)});
    }
    m_impl->jobsWake.notify_one();
}

void TrainingController::toUi(std::function<void()> fn)
{
    // Posted to this object: dropped if it is gone (its destructor joins the
    // threads first anyway).
    QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

bool TrainingController::hasSession() const
{
    return m_impl->trainer != nullptr;
}

quint64 TrainingController::nextId()
{
    return ++m_impl->nextRequestId;
}

void TrainingController::fail(quint64 id, const QString& what, const QString& message)
{
    toUi([this, id, what, message] { Q_EMIT errorOccurred(what, message, id); });
}

void TrainingController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

// ---------------------------------------------------------------- sessions

quint64 TrainingController::openSession(const Config& config)
{
    return openSession(config, nullptr);
}

quint64 TrainingController::openSession(const Config& config, std::shared_ptr<const Dataset> data)
{
    const quint64 id = nextId();
    if (m_state == State::Running || m_state == State::Paused || m_state == State::Loading) {
        fail(id, tr("Training is running"), tr("Stop training before opening another session."));
        return id;
    }
    const State before = m_state;
    setState(State::Loading);
    const int threads = m_automaticThreads;
    post([this, config, data, before, threads, id] {
        try {
            config.validate();
            configureThreads(config.run.threads != 0 ? config.run.threads : threads);
            auto d = data;
            if (!d) {
                auto loaded = std::make_shared<Dataset>(loadDataset(config.data));
                spdlog::info("data: {} ({} samples{})", loaded->name, loaded->count,
                             loaded->hasLabels() ? ", with labels" : ", no labels");
                if (!loaded->skipped.empty())
                    spdlog::warn("{} file(s) could not be used and were skipped (first: {}: {})",
                                 loaded->skipped.size(), loaded->skipped.front().path,
                                 loaded->skipped.front().reason);
                d = loaded;
            }
            auto trainer = std::make_shared<Trainer>(config, d);
            spdlog::info("session: preset {} on {}, {} parameters", config.preset, trainer->model().deviceName(),
                         trainer->model().parameterCount());
            auto info = describeSession(*trainer, *d, {});
            info.request = id;
            adoptSession(trainer, d, std::move(info));
        } catch (const std::exception& e) {
            const QString message = describe(e);
            toUi([this, message, before, id] {
                setState(before == State::Loading ? State::Empty : before);
                Q_EMIT errorOccurred(tr("Could not start a session"), message, id);
            });
        }
    });
    return id;
}

quint64 TrainingController::openCheckpoint(const QString& path, const DataSpec* dataOverride)
{
    const quint64 id = nextId();
    if (m_state == State::Running || m_state == State::Paused || m_state == State::Loading) {
        fail(id, tr("Training is running"), tr("Stop training before loading a checkpoint."));
        return id;
    }
    const State before = m_state;
    setState(State::Loading);
    const std::optional<DataSpec> spec = dataOverride ? std::optional<DataSpec>(*dataOverride) : std::nullopt;
    const int threads = m_automaticThreads;
    post([this, path, spec, before, threads, id] {
        try {
            Config config = checkpointConfig(path.toStdString());
            if (spec)
                config.data = *spec;
            configureThreads(config.run.threads != 0 ? config.run.threads : threads);
            auto data = std::make_shared<Dataset>(loadDataset(config.data));
            auto trainer = std::make_shared<Trainer>(config, data);
            trainer->load(path.toStdString());
            spdlog::info("loaded {} at step {}", path.toStdString(), trainer->stepCount());
            auto info = describeSession(*trainer, *data, path);
            info.request = id;
            adoptSession(trainer, data, std::move(info));
        } catch (const std::exception& e) {
            const QString message = describe(e);
            toUi([this, message, before, path, id] {
                setState(before == State::Loading ? State::Empty : before);
                Q_EMIT errorOccurred(tr("Could not load %1").arg(path), message, id);
            });
        }
    });
    return id;
}

void TrainingController::adoptSession(std::shared_ptr<Trainer> trainer, std::shared_ptr<const Dataset> data,
                                      SessionInfo info)
{
    toUi([this, trainer = std::move(trainer), data = std::move(data), info = std::move(info)] {
        m_impl->trainer = trainer;
        m_data = data;
        m_session = info;
        m_step = info.step;
        m_knobs = info.knobs;
        setState(info.step >= info.totalSteps ? State::Finished : State::Ready);
        Q_EMIT sessionReady(m_session);
    });
}

// ---------------------------------------------------------------- training

void TrainingController::launchTraining(bool startPaused, bool singleStep)
{
    auto trainer = m_impl->trainer;
    if (!trainer)
        return;
    waitForStop(); // a finished run's thread may not be joined yet
    m_impl->control = std::make_unique<TrainingControl>();
    TrainingControl* control = m_impl->control.get();
    if (startPaused)
        control->pause();
    if (singleStep)
        control->stepOnce();
    const int64_t until = std::max(m_session.totalSteps, m_step + (singleStep ? 1 : 0));
    m_session.totalSteps = until;
    const int runId = ++m_impl->runId;
    m_impl->runReported = false;
    m_impl->trainingThread = std::thread([this, trainer, control, until, runId] {
        RunEnd end = RunEnd::Stopped;
        QString error;
        try {
            end = runTraining(*trainer, *control, until, [this](const StepStats& stats) {
                {
                    std::lock_guard<std::mutex> lock(m_impl->statsMutex);
                    m_impl->pendingStats.push_back(stats);
                }
                if (!m_impl->statsPosted.exchange(true))
                    toUi([this] { drainStats(); });
            });
        } catch (const std::exception& e) {
            error = describe(e);
        }
        {
            std::lock_guard<std::mutex> lock(m_impl->endMutex);
            m_impl->end = end;
            m_impl->endError = error;
        }
        toUi([this, runId] { finishRun(runId); });
    });
    setState(startPaused ? State::Paused : State::Running);
}

void TrainingController::drainStats()
{
    QVector<StepStats> batch;
    {
        std::lock_guard<std::mutex> lock(m_impl->statsMutex);
        batch.swap(m_impl->pendingStats);
        m_impl->statsPosted = false;
    }
    if (batch.isEmpty())
        return;
    m_step = batch.back().step;
    m_session.step = m_step;
    m_session.prior = batch.back().prior;
    Q_EMIT statsArrived(batch);
}

void TrainingController::finishRun(int runId)
{
    if (runId != m_impl->runId || m_impl->runReported)
        return; // a notice from an earlier run, or already reported by waitForStop()
    m_impl->runReported = true;
    if (m_impl->trainingThread.joinable())
        m_impl->trainingThread.join();
    drainStats(); // the last steps before the end
    RunEnd end;
    QString message;
    {
        std::lock_guard<std::mutex> lock(m_impl->endMutex);
        end = m_impl->end;
        message = m_impl->endError;
    }
    if (end == RunEnd::NotFinite && message.isEmpty())
        message = tr("The losses stopped being finite at step %1. The model's weights are no longer "
                     "usable: load the last checkpoint, then lower the learning rates or raise λ r2 "
                     "before resuming.").arg(m_step);
    setState(end == RunEnd::Finished ? State::Finished : State::Ready);
    Q_EMIT runEnded(end, message);
}

void TrainingController::start()
{
    switch (m_state) {
    case State::Paused:
        resume();
        return;
    case State::Ready:
    case State::Finished:
        if (m_step >= m_session.totalSteps) {
            Q_EMIT errorOccurred(tr("Nothing to train"),
                                 tr("The run has reached its %1 steps; raise the step count to train further.")
                                     .arg(m_session.totalSteps),
                                 0);
            return;
        }
        launchTraining(false, false);
        return;
    default:
        return;
    }
}

void TrainingController::pause()
{
    if (m_state != State::Running || !m_impl->control)
        return;
    m_impl->control->pause();
    setState(State::Paused);
}

void TrainingController::resume()
{
    if (m_state != State::Paused || !m_impl->control)
        return;
    m_impl->control->resume();
    setState(State::Running);
}

void TrainingController::stepOnce()
{
    if (m_state == State::Paused && m_impl->control && m_impl->trainingThread.joinable()) {
        m_impl->control->stepOnce();
        return;
    }
    if (m_state == State::Ready || m_state == State::Finished || m_state == State::Paused)
        launchTraining(true, true);
}

void TrainingController::stop()
{
    if (m_impl->control)
        m_impl->control->requestStop();
}

void TrainingController::waitForStop()
{
    if (m_impl->trainingThread.joinable()) {
        m_impl->trainingThread.join();
        finishRun(m_impl->runId); // the thread's queued notice will find it reported
    }
}

void TrainingController::setTotalSteps(int64_t steps)
{
    m_session.totalSteps = std::max<int64_t>(steps, 0);
}

quint64 TrainingController::setKnobs(const TrainingKnobs& knobs)
{
    const quint64 id = nextId();
    m_knobs = knobs;
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("No session"), tr("Open a session before changing the training settings."));
        return id;
    }
    post([this, trainer, knobs, id] {
        trainer->setKnobs(knobs);
        const TrainingKnobs now = trainer->knobs(); // read back: what the next step uses
        toUi([this, now, id] { Q_EMIT knobsApplied(now, id); });
    }, QStringLiteral("knobs"));
    return id;
}

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
    post([this, trainer, request, id] {
        try {
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
                result.tiles = toImages(samples);
                result.zDiversity = samples.zDiversity;
            }
            toUi([this, result] { Q_EMIT samplesReady(result); });
        } catch (const std::exception& e) {
            const QString message = describe(e);
            toUi([this, message, id] { Q_EMIT errorOccurred(tr("Could not sample"), message, id); });
        }
    }, request.tag);
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
    post([this, trainer, id] {
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

quint64 TrainingController::writePages(const std::vector<PageWrite>& pages)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not edit the codebook"), tr("There is no session: open one first."));
        return id;
    }
    post([this, trainer, pages, id] {
        try {
            for (const auto& p : pages) {
                auto values = torch::from_blob(const_cast<float*>(p.values.data()),
                                               {int64_t(p.values.size())}, torch::kFloat).clone();
                trainer->model().setPage(p.label, p.category, values);
            }
            toUi([this, id] { Q_EMIT pagesWritten(id); });
        } catch (const std::exception& e) {
            const QString message = describe(e);
            toUi([this, message, id] { Q_EMIT errorOccurred(tr("Could not edit the codebook"), message, id); });
        }
    }); // never coalesced: every edit lands, in order
    requestCodebook();
    return id;
}

void TrainingController::postPass(std::atomic<bool>& cancel, const QString& tag, const QString& failure, quint64 id,
                                  std::function<std::function<void()>(const PassProgress&)> work,
                                  std::function<void(int64_t, int64_t)> onProgress, std::function<void()> onCancelled)
{
    cancel = false;
    std::atomic<bool>* flag = &cancel; // a member of m_impl: lives as long as this controller
    post([this, flag, failure, id, work = std::move(work), onProgress = std::move(onProgress),
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
        } catch (const std::exception& e) {
            if (flag->load()) {
                toUi(onCancelled);
                return;
            }
            const QString message = describe(e);
            toUi([this, failure, message, id] { Q_EMIT errorOccurred(failure, message, id); });
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
        m_impl->cancelClusters, QStringLiteral("clusters"), tr("Could not assign clusters"), id,
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
        m_impl->cancelMap, QStringLiteral("map"), tr("Could not map the clusters"), id,
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

quint64 TrainingController::saveCheckpoint(const QString& path)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not save %1").arg(path), tr("There is no session to save."));
        return id;
    }
    post([this, trainer, path, id] {
        try {
            const int64_t step = trainer->save(path.toStdString());
            spdlog::info("saved {} (step {})", path.toStdString(), step);
            toUi([this, path, step, id] { Q_EMIT checkpointSaved(path, step, id); });
        } catch (const std::exception& e) {
            const QString message = describe(e);
            toUi([this, message, path, id] { Q_EMIT errorOccurred(tr("Could not save %1").arg(path), message, id); });
        }
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
    post([this, trainer, folder, id] {
        try {
            const ExportedFiles written = cgpgan::exportModel(trainer->model(), folder.toStdString());
            const int64_t step = written.step;
            QStringList files;
            for (const std::string& path : written.files)
                files << QString::fromStdString(path);
            spdlog::info("exported step {} to {}", step, folder.toStdString());
            toUi([this, folder, files, step, id] { Q_EMIT modelExported(folder, files, step, id); });
        } catch (const std::exception& e) {
            fail(id, tr("Could not export to %1").arg(folder), describe(e));
        }
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
    post([trainer, path, done] {
        try {
            const int64_t step = trainer->save(path.toStdString());
            spdlog::info("saved {} (step {})", path.toStdString(), step);
            done->set_value(QString());
        } catch (const std::exception& e) {
            done->set_value(describe(e));
        }
    });
    return result.get();
}

} // namespace cgpgan::ui
