#pragma once
// A one-line progress display for long runs: bar, step rate, images/s, ETA
// and the latest losses. Redrawn in place on a terminal; on a pipe or log
// file a plain line every few seconds instead.
#include "cgpgan/trainer.h"

#include <chrono>
#include <cmath>
#include <deque>
#include <string>

namespace cgpgan::cli {

class ProgressLine final {
public:
    ProgressLine(int64_t firstStep, int64_t lastStep);
    void update(const StepStats& stats);
    void finish();
    // Clears the line so a log message can be printed cleanly.
    void clear();

private:
    std::string render(const StepStats& stats) const;

    int64_t m_first, m_last;
    bool m_tty;
    std::chrono::steady_clock::time_point m_start, m_lastDraw;
    std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> m_window; // (time, step)
    int64_t m_imagesPerStep = 0;
    // The penalties of the last step that took them (train.reg_every).
    double m_r2 = NAN, m_cgp = NAN;
    // The last live clustering score (SPEC 8), e.g. " | ACC@400 shape 0.31 colour 0.93 combined 0.30".
    std::string m_scores;
    bool m_drawn = false;
};

std::string formatDuration(double seconds);

} // namespace cgpgan::cli
