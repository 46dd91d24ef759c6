#pragma once
// `cgpgan bench --profile`: where a training step's time goes, from
// libtorch's own profiler (the legacy, CPU-timing one: it exists in 1.13 and
// in 2.x, and needs no Kineto build). On CUDA it times the host side only
// (kernels run asynchronously): use Nsight Systems or PyTorch's Kineto
// profiler for GPU time.
#include <torch/torch.h>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace cgpgan::cli {

// One operator (or autograd node) aggregated over the profiled steps.
struct OpTime {
    std::string name;
    int64_t calls = 0;
    double selfMs = 0;  // time inside the op, minus the ops it called
    double totalMs = 0; // time inside the op, children included (outermost calls only)
};

// Records every op run on this thread (and on the threads it hands work to)
// between construction and finish().
class OpProfiler final {
public:
    OpProfiler();
    ~OpProfiler();
    OpProfiler(const OpProfiler&) = delete;
    OpProfiler& operator=(const OpProfiler&) = delete;

    // Stops recording; returns the ops sorted by self time, largest first.
    // With tracePath, also writes a chrome://tracing (Perfetto) JSON trace.
    std::vector<OpTime> finish(const std::string& tracePath = {});

private:
    bool m_running = false;
};

// The table of the `top` ops by self time: name, calls, self ms, self ms per
// step, % of the wall time of the profiled steps; then what no op accounts
// for (C++ between ops, optimizer bookkeeping).
void printOpTable(std::ostream& out, const std::vector<OpTime>& ops, double wallSeconds, int64_t steps,
                  size_t top = 25);

} // namespace cgpgan::cli
