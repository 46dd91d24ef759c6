#include "window/latency_probe.h"

#include <algorithm>
#include <cmath>

namespace cgpgan::ui {

LatencyProbe::LatencyProbe(int intervalMs, QObject* parent) : QObject(parent), m_intervalMs(intervalMs)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &LatencyProbe::tick);
}

void LatencyProbe::start()
{
    m_latenessMs.clear();
    m_latenessMs.reserve(1 << 16);
    m_clock.start();
    m_dueNs = qint64(m_intervalMs) * 1000000;
    m_timer.start();
}

void LatencyProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    m_latenessMs.push_back(std::max<qint64>(0, now - m_dueNs) / 1e6);
    // The next due time follows this firing: a late tick is counted once,
    // not again by every tick after it.
    m_dueNs = now + qint64(m_intervalMs) * 1000000;
}

LatencyReport LatencyProbe::report() const
{
    LatencyReport r;
    r.samples = int(m_latenessMs.size());
    r.seconds = m_clock.isValid() ? m_clock.nsecsElapsed() / 1e9 : 0;
    if (m_latenessMs.empty())
        return r;
    auto sorted = m_latenessMs;
    std::sort(sorted.begin(), sorted.end());
    const auto at = [&](double q) { return sorted[size_t(std::min<double>(sorted.size() - 1, std::floor(q * sorted.size())))]; };
    r.p50Ms = at(0.50);
    r.p99Ms = at(0.99);
    r.maxMs = sorted.back();
    return r;
}

} // namespace cgpgan::ui
