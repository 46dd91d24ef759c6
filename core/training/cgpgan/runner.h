#pragma once
// Running a trainer step by step with pause/stop between steps. The CLI runs
// this on its main thread; the explorer runs it on a worker thread and drives
// the TrainingControl from the UI.
#include "cgpgan/trainer.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace cgpgan {

// Commands that take effect between steps. Thread-safe.
class TrainingControl final {
public:
    void requestStop();
    void pause();
    void resume();
    // Run exactly one more step, then pause again.
    void stepOnce();
    bool paused() const { return m_paused.load(); }
    // Blocks while paused; returns false when a stop was requested.
    bool waitUntilRunnable();

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
    std::atomic<int> m_singleSteps{0};
    std::mutex m_mutex;
    std::condition_variable m_wake;
};

// Steps `trainer` until it reaches `untilStep`, a stop is requested, or the
// losses stop being finite (that step's stats are still reported).
// onStep runs after every step on the calling thread.
RunEnd runTraining(Trainer& trainer, TrainingControl& control, int64_t untilStep,
                   const std::function<void(const StepStats&)>& onStep);

} // namespace cgpgan
