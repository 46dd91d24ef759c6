#include "profile.h"

// The legacy profiler: enableProfilerLegacy / disableProfilerLegacy and the
// ProfilerConfig in torch::profiler::impl have these names in libtorch 1.13
// and in 2.x (where the optional argument is std::optional instead of
// c10::optional; we pass none).
#include "cgpgan/file_io.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <map>
#include <ostream>
#include <unordered_map>

namespace cgpgan::cli {

namespace legacy = torch::autograd::profiler;

namespace {

struct Frame {
    const legacy::LegacyEvent* push;
    double childUs = 0;
};

// Self and inclusive times from one thread's push/pop events. A pop carries
// the handle of its push; RecordFunction scopes nest, so the matching frame is
// on top of the stack (anything above it was never closed and is dropped).
void accumulate(const std::vector<legacy::LegacyEvent>& events, std::map<std::string, OpTime>& ops)
{
    std::vector<Frame> stack;
    std::unordered_map<std::string, int> open; // name -> frames of that name on the stack
    for (const auto& e : events) {
        if (e.kind() == legacy::EventKind::PushRange) {
            stack.push_back({&e, 0.0});
            ++open[e.name()];
        } else if (e.kind() == legacy::EventKind::PopRange) {
            auto it = std::find_if(stack.rbegin(), stack.rend(),
                                   [&](const Frame& f) { return f.push->handle() == e.handle(); });
            if (it == stack.rend())
                continue; // pushed before the profiler started
            const size_t index = size_t(stack.rend() - it) - 1;
            const Frame frame = stack[index];
            for (size_t i = index; i < stack.size(); ++i)
                --open[stack[i].push->name()];
            stack.resize(index);
            const double us = frame.push->cpuElapsedUs(e);
            OpTime& op = ops[frame.push->name()];
            op.name = frame.push->name();
            ++op.calls;
            op.selfMs += (us - frame.childUs) / 1000.0;
            if (open[op.name] == 0) // not inside another call of itself
                op.totalMs += us / 1000.0;
            if (!stack.empty())
                stack.back().childUs += us;
        }
    }
}

void writeTrace(const std::string& path, legacy::thread_event_lists& lists)
{
    std::vector<legacy::LegacyEvent*> events;
    for (auto& list : lists)
        for (auto& e : list)
            events.push_back(&e);
    std::ostringstream out;
    legacy::writeProfilerEventsToStream(out, events);
    writeFileAtomically(path, out.str(), "profile trace");
}

} // namespace

OpProfiler::OpProfiler()
{
    legacy::enableProfilerLegacy(torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
    m_running = true;
}

OpProfiler::~OpProfiler()
{
    if (m_running)
        legacy::disableProfilerLegacy();
}

std::vector<OpTime> OpProfiler::finish(const std::string& tracePath)
{
    if (!m_running)
        return {};
    m_running = false;
    auto lists = legacy::disableProfilerLegacy();
    std::map<std::string, OpTime> byName;
    for (const auto& list : lists)
        accumulate(list, byName);
    if (!tracePath.empty())
        writeTrace(tracePath, lists);
    std::vector<OpTime> ops;
    for (auto& [name, op] : byName)
        ops.push_back(std::move(op));
    std::sort(ops.begin(), ops.end(), [](const OpTime& a, const OpTime& b) { return a.selfMs > b.selfMs; });
    return ops;
}

void printOpTable(std::ostream& out, const std::vector<OpTime>& ops, double wallSeconds, int64_t steps, size_t top)
{
    const double wallMs = wallSeconds * 1000.0;
    double inOps = 0;
    for (const auto& op : ops)
        inOps += op.selfMs;
    char line[256];
    std::snprintf(line, sizeof line, "%-44s %8s %10s %9s %7s %10s\n", "op (by self time)", "calls", "self ms",
                  "ms/step", "% step", "total ms");
    out << line;
    for (size_t i = 0; i < ops.size() && i < top; ++i) {
        const auto& op = ops[i];
        std::snprintf(line, sizeof line, "%-44.44s %8lld %10.1f %9.2f %6.1f%% %10.1f\n", op.name.c_str(),
                      (long long)op.calls, op.selfMs, op.selfMs / double(steps), 100.0 * op.selfMs / wallMs,
                      op.totalMs);
        out << line;
    }
    double rest = 0;
    for (size_t i = top; i < ops.size(); ++i)
        rest += ops[i].selfMs;
    std::snprintf(line, sizeof line, "%-44s %8zu %10.1f %9.2f %6.1f%%\n", "(the other ops)",
                  ops.size() > top ? ops.size() - top : size_t(0), rest, rest / double(steps), 100.0 * rest / wallMs);
    out << line;
    std::snprintf(line, sizeof line, "%-44s %8s %10.1f %9.2f %6.1f%%\n", "(outside any op: C++ glue)", "",
                  wallMs - inOps, (wallMs - inOps) / double(steps), 100.0 * (wallMs - inOps) / wallMs);
    out << line;
    std::snprintf(line, sizeof line, "%-44s %8lld %10.1f %9.2f\n", "wall time of the profiled steps",
                  (long long)steps, wallMs, wallMs / double(steps));
    out << line;
}

} // namespace cgpgan::cli
