// TrainingController (controller.h): construction and the error boundary,
// sessions, and the training thread. The service jobs are controller_jobs.cpp.
#include "controller/controller.h"

#include "cgpgan/live_score.h"
#include "controller/controller_impl.h"

#include "cgpgan/device.h"
#include "cgpgan/error.h"

#include <spdlog/spdlog.h>

#include <QMetaObject>

#include <algorithm>
#include <optional>

namespace cgpgan::ui {

namespace {

// A float tensor's values, row-major (a CPU prior or holds for SessionInfo).
std::vector<float> floatsOf(const torch::Tensor& t)
{
    const auto c = t.contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
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
    info.events = trainer.events();
    if (trainer.liveScorer()) {
        info.scoreNames = LiveScorer::names(data, trainer.config().model);
        info.scores = trainer.scoreHistory();
    }
    info.prior = floatsOf(model.prior());
    info.pins = floatsOf(model.pins());
    return info;
}

} // namespace

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
    qRegisterMetaType<RunEvent>();
    qRegisterMetaType<ComparedRun>();
    qRegisterMetaType<NearestReal>();

    // The last-resort catch (job_queue.h): every job already catches its own
    // errors in postJob(); what escapes anyway is reported without a request id.
    const auto uncaught = [this](const std::string& message) {
        fail(0, tr("An internal job failed"), QString::fromStdString(message));
    };
    m_impl->longQueue = std::make_unique<JobQueue>(uncaught);
    m_impl->queue = std::make_unique<JobQueue>(uncaught);
}

TrainingController::~TrainingController()
{
    // Closing never waits for a long pass: both are cancelled between chunks
    // (a t-SNE iteration, a batch of Q), and the running job ends early.
    m_impl->cancelClusters = true;
    m_impl->cancelMap = true;
    m_impl->cancelAnimation = true;
    if (m_impl->control)
        m_impl->control->requestStop();
    if (m_impl->trainingThread.joinable())
        m_impl->trainingThread.join();
    m_impl->queue.reset(); // drops queued jobs, joins the service thread
    m_impl->longQueue.reset();
}

void TrainingController::setFaultInjection(std::function<void(Job)> probe)
{
    // Set now, under its mutex: both job threads read it at each job's start.
    const std::lock_guard<std::mutex> lock(m_impl->faultMutex);
    m_impl->faultInjection = std::move(probe);
}

void TrainingController::postJob(Job kind, quint64 id, const QString& failure, std::function<void()> body,
                                 const QString& tag, std::function<void()> onFailure)
{
    const bool longPass = kind == Job::Assign || kind == Job::Map || kind == Job::Animation;
    (longPass ? m_impl->longQueue : m_impl->queue)->post(
        [this, kind, id, failure, body = std::move(body), onFailure = std::move(onFailure)] {
            QString message;
            try {
                std::function<void(Job)> probe;
                {
                    const std::lock_guard<std::mutex> lock(m_impl->faultMutex);
                    probe = m_impl->faultInjection;
                }
                if (probe)
                    probe(kind);
                body();
                return;
            } catch (const std::exception& e) {
                message = QString::fromStdString(userMessage(e));
            } catch (...) {
                message = tr("an unknown error");
            }
            spdlog::warn("{}: {}", failure.toStdString(), message.toStdString());
            toUi([this, failure, message, id, onFailure] {
                if (onFailure)
                    onFailure();
                Q_EMIT errorOccurred(failure, message, id);
            });
        },
        tag.toStdString());
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
    const auto restore = [this, before] { setState(before == State::Loading ? State::Empty : before); };
    postJob(Job::Open, id, tr("Could not start a session"), [this, config, data, threads, id] {
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
    }, {}, restore);
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
    const auto restore = [this, before] { setState(before == State::Loading ? State::Empty : before); };
    postJob(Job::Open, id, tr("Could not load %1").arg(path), [this, path, spec, threads, id] {
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
    }, {}, restore);
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
            error = QString::fromStdString(userMessage(e));
        } catch (...) {
            error = tr("training failed with an unknown error");
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
        recordEvent("start", tr("started, to step %1").arg(m_session.totalSteps));
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
    recordEvent("pause", tr("paused"));
}

void TrainingController::resume()
{
    if (m_state != State::Paused || !m_impl->control)
        return;
    m_impl->control->resume();
    setState(State::Running);
    recordEvent("resume", tr("resumed"));
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
    if (!m_impl->control)
        return;
    if (m_state == State::Running || m_state == State::Paused)
        recordEvent("stop", tr("stopped"));
    m_impl->control->requestStop();
}

void TrainingController::recordEvent(const std::string& kind, const QString& text)
{
    auto trainer = m_impl->trainer;
    if (!trainer)
        return;
    const RunEvent event{m_step, kind, text.toStdString()};
    trainer->recordEvent(event); // its own small lock (trainer.h), never a step's
    announceEvent(event);
}

void TrainingController::announceEvent(const RunEvent& event)
{
    spdlog::info("step {}: {}: {}", event.step, event.kind, event.text); // the log shows it too
    m_session.events.push_back(event);
    Q_EMIT eventRecorded(event);
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
    steps = std::max<int64_t>(steps, 0);
    if (steps == m_session.totalSteps)
        return;
    m_session.totalSteps = steps;
    Q_EMIT totalStepsChanged(steps);
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
    postJob(Job::Knobs, id, tr("Could not change the training settings"), [this, trainer, knobs, id] {
        const std::string change = trainer->setKnobs(knobs); // recorded as an event by the trainer
        const TrainingKnobs now = trainer->knobs(); // read back: what the next step uses
        const RunEvent event{trainer->stepCount(), "knobs", change};
        toUi([this, now, id, event] {
            if (!event.text.empty())
                announceEvent(event);
            Q_EMIT knobsApplied(now, id);
        });
    }, QStringLiteral("knobs"));
    return id;
}

quint64 TrainingController::steer(const SteerAction& action)
{
    const quint64 id = nextId();
    auto trainer = m_impl->trainer;
    if (!trainer) {
        fail(id, tr("Could not steer the clusters"), tr("Open a session before steering its clusters."));
        return id;
    }
    postJob(Job::Steer, id, tr("Could not steer the clusters"), [this, trainer, action, id] {
        const std::string text = trainer->steer(action); // recorded as an event by the trainer
        const auto prior = floatsOf(trainer->model().prior());
        const auto pins = floatsOf(trainer->model().pins());
        const RunEvent event{trainer->stepCount(), "steer", text};
        toUi([this, id, event, prior, pins] {
            m_session.prior = prior;
            m_session.pins = pins;
            announceEvent(event);
            Q_EMIT steered(QString::fromStdString(event.text), prior, pins, id);
        });
    }); // never coalesced: every action lands, in order
    // A revive or an undo may have written pages.
    if (action.action == SteerKind::Revive || action.action == SteerKind::Undo)
        requestCodebook();
    return id;
}

} // namespace cgpgan::ui
