#pragma once
// Training threads chosen from the free cores (issue 24 item 7).
//
// With libgomp's default wait policy, two training threads spin at every
// barrier; when another process takes one of two cores, the spinning thread
// burns the slices its partner needs and a step can take 40x as long. A
// passive policy (OMP_WAIT_POLICY=PASSIVE) avoids that but costs 14 % on an
// idle machine (demo: 3.96 against 4.58 steps/s, docs/performance.md), and
// libgomp reads the policy only when it starts. So the policy stays as it is
// and the number of threads follows the machine instead: between steps, at
// most once a second, the governor reads how much CPU the *other* processes
// used since its last look (/proc/stat minus this process's own time) and
// sets libtorch's intra-op threads to the cores they leave free, between 1 and
// the count it started with. Linux only; elsewhere it does nothing.
#include "cgpgan/config.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdint>

namespace cgpgan {

class ThreadGovernor final {
public:
    // Governs between 1 and libtorch's thread count now, on the CPU with
    // run.threads 0 ("all cores"); an explicit thread count, or a run on
    // CUDA, is left alone (betweenSteps() then does nothing).
    ThreadGovernor(const RunConfig& run, const torch::Device& device);
    // Call between steps; cheap when less than a second has passed.
    void betweenSteps();

private:
    bool sample(double& otherCores);
    int m_max = 1;
    int m_threads = 1;
    std::chrono::steady_clock::time_point m_last{};
    uint64_t m_lastBusyTicks = 0, m_lastSelfTicks = 0;
    bool m_primed = false;
};

} // namespace cgpgan
