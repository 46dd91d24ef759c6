#pragma once
// The run folder's metrics.csv, written by `cgpgan train` (the explorer keeps
// its history in the checkpoint instead).
#include "cgpgan/values.h"

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace cgpgan::cli {

// metrics.csv: one row per step, every logged quantity of SPEC 4. Appends
// when resuming (rows after the resumed step are dropped first).
class MetricsCsv final {
public:
    // scoreNames: the live clustering score's entries (LiveScorer::names),
    // three columns each (score_<name>_acc, _nmi, _ari), filled on the scored
    // steps and empty on the others. On a resume the old rows are kept when
    // the old header is this one or the start of it (a file from before the
    // score columns).
    MetricsCsv(const std::string& path, int dL, int dC, int64_t resumeFromStep,
               const std::vector<std::string>& scoreNames = {});
    // Both throw Error naming the file and the cause (e.g. a full disk) when
    // the row cannot be written. Rows are buffered and flushed at least once a
    // second, so a reader (tail -f, a plotting script) sees a running step
    // within a second of it, and most failures show at a flush.
    void write(const StepStats& stats);
    void flush();
    const std::string& path() const { return m_path; }
    static std::string header(int dL, int dC, const std::vector<std::string>& scoreNames = {});

private:
    void check();
    std::string m_path;
    std::ofstream m_out;
    std::chrono::steady_clock::time_point m_lastFlush;
    size_t m_scoreCount = 0;
};

// events.csv: the run's events (RunEvent: step, kind, text; the checkpoint's
// history holds the same), rewritten whole and atomically at every save.
void writeEventsCsv(const std::string& path, const std::vector<RunEvent>& events);
std::string eventsCsv(const std::vector<RunEvent>& events);

} // namespace cgpgan::cli
