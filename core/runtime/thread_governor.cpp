#include "cgpgan/thread_governor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <unistd.h>

namespace cgpgan {

namespace {

// Busy ticks of the whole machine (all CPUs): user + nice + system + irq + softirq + steal.
bool machineBusyTicks(uint64_t& busy)
{
    std::ifstream stat("/proc/stat");
    std::string cpu;
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || cpu != "cpu")
        return false;
    busy = user + nice + system + irq + softirq + steal;
    return true;
}

// This process's user + system ticks (all its threads).
bool selfTicks(uint64_t& ticks)
{
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (!std::getline(stat, line))
        return false;
    const auto close = line.rfind(')'); // the command name may hold spaces
    if (close == std::string::npos)
        return false;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 13; ++i) // fields 3..13: state .. cmajflt
        rest >> field;
    if (!(rest >> utime >> stime))
        return false;
    ticks = utime + stime;
    return true;
}

} // namespace

ThreadGovernor::ThreadGovernor(const RunConfig& run, const torch::Device& device)
    : m_max(run.threads == 0 && device.is_cpu() ? torch::get_num_threads() : 1), m_threads(torch::get_num_threads())
{
}

bool ThreadGovernor::sample(double& otherCores)
{
    uint64_t busy = 0, self = 0;
    if (!machineBusyTicks(busy) || !selfTicks(self))
        return false;
    const auto now = std::chrono::steady_clock::now();
    const bool ready = m_primed;
    const double seconds = std::chrono::duration<double>(now - m_last).count();
    if (ready && seconds > 0) {
        const double hz = double(sysconf(_SC_CLK_TCK));
        const double machine = double(busy - m_lastBusyTicks) / hz / seconds;
        const double own = double(self - m_lastSelfTicks) / hz / seconds;
        otherCores = std::max(0.0, machine - own);
    }
    m_lastBusyTicks = busy;
    m_lastSelfTicks = self;
    m_last = now;
    m_primed = true;
    return ready;
}

void ThreadGovernor::betweenSteps()
{
    if (m_max <= 1)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (m_primed && now - m_last < std::chrono::seconds(1))
        return;
    double other = 0;
    if (!sample(other))
        return;
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    // Hysteresis: a core counts as taken from 0.6 of it on, and as free again
    // below 0.3, so that short blips (a shell, the log) change nothing.
    const int taken = int(std::floor(other + (m_threads < m_max ? 0.7 : 0.4)));
    const int want = std::clamp(cores - taken, 1, m_max);
    if (want != m_threads) {
        spdlog::info("other processes use {:.1f} core(s): training with {} thread(s) instead of {}", other, want,
                     m_threads);
        torch::set_num_threads(want);
        m_threads = torch::get_num_threads();
    }
}

} // namespace cgpgan
