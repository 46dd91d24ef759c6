#pragma once
// Running a trainer step by step with pause/stop between steps, and the run
// folder's metrics.csv. The CLI runs this on its main thread; the explorer
// runs it on a worker thread and drives the TrainingControl from the UI.
#include "cgpgan/trainer.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>

namespace cgpgan {

// Commands that take effect between steps. Thread-safe.
class TrainingControl final {
public:
    void requestStop();
    void pause();
    void resume();
    // Run exactly one more step, then pause again.
    void stepOnce();
    bool stopRequested() const { return m_stop.load(); }
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

// metrics.csv: one row per step, every logged quantity of SPEC 4. Appends
// when resuming (rows after the resumed step are dropped first).
class MetricsCsv final {
public:
    MetricsCsv(const std::string& path, int dL, int dC, int64_t resumeFromStep);
    // Both throw Error naming the file and the cause (e.g. a full disk) when
    // the row cannot be written. Rows are buffered and flushed at least once a
    // second, so a reader (tail -f, a plotting script) sees a running step
    // within a second of it, and most failures show at a flush.
    void write(const StepStats& stats);
    void flush();
    const std::string& path() const { return m_path; }
    static std::string header(int dL, int dC);

private:
    void check();
    std::string m_path;
    std::ofstream m_out;
    std::chrono::steady_clock::time_point m_lastFlush;
};

} // namespace cgpgan
