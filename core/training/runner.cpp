#include "cgpgan/runner.h"

#include "cgpgan/error.h"
#include "cgpgan/thread_governor.h"


namespace cgpgan {

// Every change a waiter tests is made under m_mutex: set outside it, a stop
// could land between waitUntilRunnable()'s test and its sleep and never wake it.
void TrainingControl::requestStop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
}

void TrainingControl::pause()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    m_paused = true;
}

void TrainingControl::resume()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_paused = false;
    }
    m_wake.notify_all();
}

void TrainingControl::stepOnce()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_paused = true;
        ++m_singleSteps;
    }
    m_wake.notify_all();
}

bool TrainingControl::waitUntilRunnable()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_wake.wait(lock, [this] { return m_stop.load() || !m_paused.load() || m_singleSteps.load() > 0; });
    if (m_stop)
        return false;
    if (m_paused && m_singleSteps > 0)
        --m_singleSteps;
    return true;
}

RunEnd runTraining(Trainer& trainer, TrainingControl& control, int64_t untilStep,
                   const std::function<void(const StepStats&)>& onStep)
{
    // run.threads 0 ("all cores") on the CPU: the threads follow the cores
    // that other processes leave free (thread_governor.h).
    ThreadGovernor governor(trainer.config().run, trainer.model().device());
    while (trainer.stepCount() < untilStep) {
        if (!control.waitUntilRunnable())
            return RunEnd::Stopped;
        governor.betweenSteps();
        const StepStats stats = trainer.step();
        if (onStep)
            onStep(stats);
        if (!stats.finite())
            return RunEnd::NotFinite;
    }
    return RunEnd::Finished;
}

} // namespace cgpgan
