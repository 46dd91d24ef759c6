#pragma once
// Data-parallel training on torch.distributed's C++ core, c10d (issue 13):
// the processes of one run join a process group through PyTorch's env://
// convention, so PyTorch's own launcher starts them:
//
//   python3 -m torch.distributed.run --no_python --nproc_per_node 2 cgpgan train ...
//
// The group runs on Gloo (in Debian's libtorch). A step on W processes means
// the same as a step on one process with the global batch (trainer.h,
// setProcessGroup): every rank draws the global batch's data order, z and c
// from the same random state and takes its own slice; gradients, the
// pseudo-label means and the statistics are averaged over the ranks.
#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace cgpgan {

// Where a process sits in the run, from the launcher's environment.
struct LaunchInfo {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr;
    int masterPort = 0;
    // torch.distributed.run (torchelastic) hosts the TCP store in its agent:
    // every worker connects as a client (TORCHELASTIC_USE_AGENT_STORE=True).
    bool agentStore = false;
    int restartCount = 0; // TORCHELASTIC_RESTART_COUNT: keys of a restarted attempt stay apart
};

// The launch this process is part of, or nullopt when WORLD_SIZE is unset or
// 1 (a run on its own). Throws Error naming the variable when one is missing
// or malformed (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK).
std::optional<LaunchInfo> launchFromEnvironment();

// Whether this build can join a process group (libtorch's c10d with Gloo,
// and Gloo's headers when it was built).
bool distributedAvailable();
// Whether this build can form NCCL groups for CUDA tensors (a CUDA libtorch
// with NCCL, e.g. PyPI's; never Debian's CPU-only one).
bool ncclAvailable();

// A joined process group. Collectives block until every rank has called them
// in the same order; a rank that is gone makes the others' calls throw
// Error after `timeout`.
class ProcessGroup {
public:
    // Connects to the rendezvous store at MASTER_ADDR:MASTER_PORT (rank 0
    // hosts it unless the launcher's agent does) and forms the group. Throws
    // Error saying what to check when the store cannot be reached in time.
    // On a CUDA device, and when this libtorch was built with NCCL
    // (ncclAvailable()), the group is ProcessGroupNCCL and the collectives
    // stay on that device (one device per local rank); otherwise Gloo, with
    // the tensors reduced through host memory.
    static std::shared_ptr<ProcessGroup> join(const LaunchInfo& launch,
                                              std::chrono::milliseconds timeout = std::chrono::minutes(5),
                                              const torch::Device& device = torch::kCPU);
    ~ProcessGroup();

    int rank() const { return m_launch.rank; }
    int size() const { return m_launch.worldSize; }
    const LaunchInfo& launch() const { return m_launch; }
    std::string backend() const; // "gloo" or "nccl"

    // In place, over all ranks: the mean (sum / size), the maximum.
    void allReduceMean(torch::Tensor& tensor);
    void allReduceMax(torch::Tensor& tensor);
    // The mean of several tensors in one collective (flattened into one buffer).
    void allReduceMean(std::vector<torch::Tensor>& tensors);
    // root's values into every rank's tensors (in place).
    void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);
    // True on every rank when flag is true on any.
    bool any(bool flag);
    // Throws Error on every rank when value differs between ranks; the
    // message names `what` and every rank's value.
    void requireSame(uint64_t value, const std::string& what);

    struct Impl;

private:
    explicit ProcessGroup(LaunchInfo launch);
    LaunchInfo m_launch;
    std::unique_ptr<Impl> m_impl;
};

} // namespace cgpgan
