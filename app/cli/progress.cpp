#include "progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace cgpgan::cli {

using Clock = std::chrono::steady_clock;

std::string formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const auto s = int64_t(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
                      (long long)(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", (long long)(s / 60), (long long)(s % 60));
    return buf;
}

ProgressLine::ProgressLine(int64_t firstStep, int64_t lastStep)
    : m_first(firstStep), m_last(lastStep), m_tty(isatty(STDERR_FILENO) != 0), m_start(Clock::now()),
      m_lastDraw(Clock::now())
{
}

std::string ProgressLine::render(const StepStats& s) const
{
    const double total = double(std::max<int64_t>(1, m_last));
    const double fraction = std::min(1.0, double(s.step) / total);
    const int width = 24;
    const int filled = int(fraction * width);
    std::string bar(size_t(filled), '#');
    bar.resize(size_t(width), '.');
    double rate = 0;
    if (m_window.size() >= 2) {
        const double dt = std::chrono::duration<double>(m_window.back().first - m_window.front().first).count();
        if (dt > 0)
            rate = double(m_window.back().second - m_window.front().second) / dt;
    }
    const double eta = rate > 0 ? double(m_last - s.step) / rate : NAN;
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "[%s] %lld/%lld %5.1f%% | %.2f step/s %.0f img/s | %s elapsed, ETA %s | D %.3f G %.3f r2 %.3g "
                  "cls %.3f cgp %.3g acc %.2f H(P) %.3f%s",
                  bar.c_str(), (long long)s.step, (long long)m_last, 100.0 * fraction, rate,
                  rate * double(m_imagesPerStep), formatDuration(elapsed).c_str(), formatDuration(eta).c_str(),
                  s.dAdversarial, s.gAdversarial, s.regularised ? s.r2 : m_r2, s.cls, s.regularised ? s.cgp : m_cgp,
                  s.fakeAccuracy, s.priorEntropy,
                  s.priorFrozen ? " (frozen)" : "");
    return buf + m_scores;
}

void ProgressLine::update(const StepStats& s)
{
    const auto now = Clock::now();
    m_imagesPerStep = s.images;
    if (s.regularised) {
        m_r2 = s.r2;
        m_cgp = s.cgp;
    }
    if (!s.scores.empty()) {
        // Hungarian ACC of Q against each label column of the data (and combined).
        m_scores = " | ACC@" + std::to_string(s.step);
        for (const LabelScore& l : s.scores) {
            char value[16];
            std::snprintf(value, sizeof value, " %.2f", l.accuracy);
            m_scores += " " + l.name + value;
        }
    }
    m_window.emplace_back(now, s.step);
    // Rate over the last ~10 s, so the figure follows changes in speed.
    while (m_window.size() > 2 && now - m_window.front().first > std::chrono::seconds(10))
        m_window.pop_front();
    const auto sinceDraw = now - m_lastDraw;
    const bool last = s.step >= m_last;
    if (m_tty) {
        if (sinceDraw < std::chrono::milliseconds(100) && !last && m_drawn)
            return;
        std::fprintf(stderr, "\r\033[K%s", render(s).c_str());
    } else {
        if (sinceDraw < std::chrono::seconds(10) && !last && m_drawn)
            return;
        std::fprintf(stderr, "%s\n", render(s).c_str());
    }
    std::fflush(stderr);
    m_lastDraw = now;
    m_drawn = true;
}

void ProgressLine::clear()
{
    if (m_tty && m_drawn)
        std::fprintf(stderr, "\r\033[K");
}

void ProgressLine::finish()
{
    if (m_tty && m_drawn)
        std::fprintf(stderr, "\n");
    m_drawn = false;
}

} // namespace cgpgan::cli
