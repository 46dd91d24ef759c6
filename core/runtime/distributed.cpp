// The process group of a data-parallel run (distributed.h, issues 13 and 24):
// PyTorch's env:// variables, a c10d TCPStore for the rendezvous, and
// ProcessGroupNCCL for CUDA tensors when the libtorch has it
// (CGPGAN_HAVE_NCCL), ProcessGroupGloo otherwise. Built only with Gloo's
// headers (CGPGAN_HAVE_GLOO); without them join() says what the build lacks.
#include "cgpgan/distributed.h"

#include "cgpgan/error.h"

#include <spdlog/spdlog.h>

#if CGPGAN_HAVE_GLOO
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#if CGPGAN_HAVE_GLOO && CGPGAN_HAVE_NCCL
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <c10/util/Logging.h>
#include <torch/version.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace cgpgan {

namespace {

std::optional<std::string> env(const char* name)
{
    const char* value = std::getenv(name);
    if (!value || !*value)
        return std::nullopt;
    return std::string(value);
}

// Raises libtorch's log threshold while it lives: c10d logs each failed
// connection try on its own before it throws, and the thrown text already
// reaches the user inside our message (issue 26).
class QuietLibraryLog final {
public:
    QuietLibraryLog() : m_c10(FLAGS_caffe2_log_level)
    {
        FLAGS_caffe2_log_level = 3; // c10's logger (libtorch 2.x): fatal only
#if CGPGAN_QUIET_GLOG
        m_glog = FLAGS_minloglevel;
        FLAGS_minloglevel = 3; // glog (Debian's libtorch 1.13): fatal only
#endif
    }
    ~QuietLibraryLog()
    {
        FLAGS_caffe2_log_level = m_c10;
#if CGPGAN_QUIET_GLOG
        FLAGS_minloglevel = m_glog;
#endif
    }
    QuietLibraryLog(const QuietLibraryLog&) = delete;
    QuietLibraryLog& operator=(const QuietLibraryLog&) = delete;

private:
    int m_c10 = 0;
    int m_glog = 0;
};

// A whole number from the environment. Digits only: strtol alone took
// RANK=" 0" as rank 0 (leading blanks) (issue 26).
int envInt(const char* name, int low, int high, std::optional<int> fallback = std::nullopt)
{
    const auto text = env(name);
    if (!text) {
        if (fallback)
            return *fallback;
        throw Error(std::string("torch.distributed launch: ") + name +
                    " is not set (set RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, or start the processes with "
                    "python3 -m torch.distributed.run --no_python --nproc_per_node N cgpgan train ...)");
    }
    const bool digits = text->size() <= 9
        && std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
    errno = 0;
    char* end = nullptr;
    const long value = digits ? std::strtol(text->c_str(), &end, 10) : -1;
    if (!digits || errno != 0 || value < low || value > high)
        throw Error(std::string("torch.distributed launch: ") + name + "=\"" + *text + "\" is not a whole number in [" +
                    std::to_string(low) + ", " + std::to_string(high) + "]");
    return int(value);
}

} // namespace

std::optional<LaunchInfo> launchFromEnvironment()
{
    if (!env("WORLD_SIZE"))
        return std::nullopt;
    LaunchInfo launch;
    launch.worldSize = envInt("WORLD_SIZE", 1, 1 << 16);
    if (launch.worldSize == 1)
        return std::nullopt;
    launch.rank = envInt("RANK", 0, launch.worldSize - 1);
    launch.localRank = envInt("LOCAL_RANK", 0, launch.worldSize - 1, launch.rank);
    launch.masterPort = envInt("MASTER_PORT", 1, 65535);
    const auto addr = env("MASTER_ADDR");
    if (!addr)
        throw Error("torch.distributed launch: MASTER_ADDR is not set (the host of rank 0, e.g. 127.0.0.1)");
    launch.masterAddr = *addr;
    const auto agent = env("TORCHELASTIC_USE_AGENT_STORE");
    launch.agentStore = agent && (*agent == "True" || *agent == "true" || *agent == "1");
    launch.restartCount = envInt("TORCHELASTIC_RESTART_COUNT", 0, std::numeric_limits<int>::max(), 0);
    return launch;
}

#if CGPGAN_HAVE_GLOO

bool distributedAvailable() { return true; }

bool ncclAvailable() { return CGPGAN_HAVE_NCCL != 0; }

// What Gloo's and NCCL's groups derive from: c10d::ProcessGroup up to
// libtorch 1.13, c10d::Backend from 2.0 on.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif

struct ProcessGroup::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<CollectiveGroup> group;
    std::string backend = "gloo";
    // Where the collectives' buffers live: the CPU for Gloo, the rank's CUDA
    // device for NCCL (no trip through host memory).
    torch::Device device = torch::kCPU;
    std::chrono::milliseconds timeout{0};

    void run(const c10::intrusive_ptr<c10d::Work>& work, const char* what, int rank)
    {
        try {
            work->wait(timeout);
        } catch (const std::exception& e) {
            throw Error("rank " + std::to_string(rank) + ": " + what +
                        " across the processes failed: another process has probably stopped, and its own message "
                        "says why (" + userMessage(e) + ")");
        }
    }
};

ProcessGroup::ProcessGroup(LaunchInfo launch) : m_launch(std::move(launch)), m_impl(std::make_unique<Impl>()) {}

ProcessGroup::~ProcessGroup() = default;

std::string ProcessGroup::backend() const { return m_impl->backend; }

std::shared_ptr<ProcessGroup> ProcessGroup::join(const LaunchInfo& launch, std::chrono::milliseconds timeout,
                                                 const torch::Device& device)
{
    std::shared_ptr<ProcessGroup> group(new ProcessGroup(launch));
    auto& impl = *group->m_impl;
    impl.timeout = timeout;
    const std::string where = launch.masterAddr + ":" + std::to_string(launch.masterPort);
    const QuietLibraryLog quiet;
    // libtorch's text ends in a full stop of its own at times; ours follows.
    const auto cause = [](const std::exception& e) {
        std::string text = userMessage(e);
        while (!text.empty() && (text.back() == '.' || text.back() == ' '))
            text.pop_back();
        return text;
    };
    const std::string everyone = "start all " + std::to_string(launch.worldSize)
        + " processes, each with its own RANK from 0 to " + std::to_string(launch.worldSize - 1);
    try {
        c10d::TCPStoreOptions options;
        options.port = uint16_t(launch.masterPort);
        options.isServer = launch.rank == 0 && !launch.agentStore;
        options.numWorkers = launch.agentStore ? c10::nullopt : c10::optional<std::size_t>(launch.worldSize);
        options.waitWorkers = false;
        options.timeout = timeout;
        auto tcp = c10::make_intrusive<c10d::TCPStore>(launch.masterAddr, options);
        // A prefix per launch attempt, as torch.distributed does, so that a
        // restarted attempt does not read the keys of the last one.
        impl.store = c10::make_intrusive<c10d::PrefixStore>(
            "cgpgan/attempt_" + std::to_string(launch.restartCount), tcp);
    } catch (const std::exception& e) {
        throw Error("rank " + std::to_string(launch.rank) + ": cannot reach the rendezvous at " + where +
                    " (MASTER_ADDR:MASTER_PORT) within " + std::to_string(timeout.count() / 1000) +
                    " s (" + cause(e) + "). Check that rank 0 runs and that the address and port are right" +
                    (launch.rank == 0 ? " (is another process using the port?)" : "") + ".");
    }
#if CGPGAN_HAVE_NCCL
    if (device.is_cuda()) {
        try {
            auto options = c10d::ProcessGroupNCCL::Options::create();
            options->timeout = timeout;
            impl.group = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl.store, launch.rank, launch.worldSize, options);
            impl.backend = "nccl";
            impl.device = device;
        } catch (const std::exception& e) {
            throw Error("rank " + std::to_string(launch.rank) + " of " + std::to_string(launch.worldSize) +
                        ": could not form an NCCL group on " + device.str() + " at " + where + " (" + cause(e) +
                        "): " + everyone);
        }
    }
#endif
    if (!impl.group) {
        try {
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            if (const char* iface = std::getenv("GLOO_SOCKET_IFNAME"); iface && *iface)
                options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
            else if (launch.masterAddr == "127.0.0.1" || launch.masterAddr == "localhost")
                options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            impl.group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl.store, launch.rank, launch.worldSize, options);
        } catch (const std::exception& e) {
            throw Error("rank " + std::to_string(launch.rank) + " of " + std::to_string(launch.worldSize) +
                        ": not every rank joined a Gloo group at " + where + " within " +
                        std::to_string(timeout.count() / 1000) + " s (" + cause(e) + "): " + everyone +
                        " (a rank given twice or missing leaves the group short)");
        }
    }
    spdlog::info("rank {} of {} joined the process group at {} ({})", launch.rank, launch.worldSize, where, impl.backend);
    return group;
}

void ProcessGroup::allReduceMean(torch::Tensor& tensor)
{
    std::vector<torch::Tensor> one{tensor};
    allReduceMean(one);
}

namespace {

// tensors as one flat float buffer on the group's device (one collective
// for all of them) ...
std::vector<torch::Tensor> flatBuffer(const std::vector<torch::Tensor>& tensors, const torch::Device& device)
{
    std::vector<torch::Tensor> flat;
    flat.reserve(tensors.size());
    for (const auto& t : tensors)
        flat.push_back(t.detach().reshape({-1}).to(device, torch::kFloat));
    return {torch::cat(flat)};
}

// ... and the buffer's values back into them, in place.
void copyBack(const torch::Tensor& buffer, std::vector<torch::Tensor>& tensors)
{
    torch::NoGradGuard noGrad;
    int64_t offset = 0;
    for (auto& t : tensors) {
        const int64_t n = t.numel();
        t.copy_(buffer.narrow(0, offset, n).view(t.sizes()));
        offset += n;
    }
}

} // namespace

void ProcessGroup::allReduceMean(std::vector<torch::Tensor>& tensors)
{
    if (tensors.empty())
        return;
    // Gloo has no AVG: SUM, then / size (the same for NCCL, so that both
    // backends round alike).
    auto buffer = flatBuffer(tensors, m_impl->device);
    m_impl->run(m_impl->group->allreduce(buffer, c10d::AllreduceOptions{}), "averaging", rank());
    buffer[0].div_(double(size()));
    copyBack(buffer[0], tensors);
}

void ProcessGroup::allReduceMax(torch::Tensor& tensor)
{
    std::vector<torch::Tensor> buffer{tensor.detach().to(m_impl->device).contiguous()};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::MAX;
    m_impl->run(m_impl->group->allreduce(buffer, options), "a maximum", rank());
    torch::NoGradGuard noGrad;
    tensor.copy_(buffer[0]);
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors, int root)
{
    if (tensors.empty())
        return;
    auto buffer = flatBuffer(tensors, m_impl->device);
    c10d::BroadcastOptions options;
    options.rootRank = root;
    m_impl->run(m_impl->group->broadcast(buffer, options), "the broadcast of rank 0's weights", rank());
    copyBack(buffer[0], tensors);
}

bool ProcessGroup::any(bool flag)
{
    auto t = torch::tensor({flag ? 1 : 0}, torch::kInt);
    allReduceMax(t);
    return t.item<int>() != 0;
}

void ProcessGroup::requireSame(uint64_t value, const std::string& what)
{
    // Every rank's value, gathered as a sum of one-hot slots (no allgather
    // bookkeeping); 64 bits as two 32-bit halves, exact in int64.
    auto slots = torch::zeros({size(), 2}, torch::kLong);
    slots[rank()][0] = int64_t(value >> 32);
    slots[rank()][1] = int64_t(value & 0xffffffffu);
    std::vector<torch::Tensor> buffer{slots.to(m_impl->device)};
    m_impl->run(m_impl->group->allreduce(buffer, c10d::AllreduceOptions{}), "comparing the processes' settings", rank());
    const auto gathered = buffer[0].to(torch::kCPU);
    const auto a = gathered.accessor<int64_t, 2>();
    std::string values;
    bool same = true;
    for (int r = 0; r < size(); ++r) {
        const uint64_t v = (uint64_t(a[r][0]) << 32) | uint64_t(a[r][1]);
        same = same && v == value;
        char text[32];
        std::snprintf(text, sizeof text, "%016llx", (unsigned long long)v);
        values += (r ? ", rank " : "rank ") + std::to_string(r) + " " + text;
    }
    if (!same)
        throw Error("rank " + std::to_string(rank()) + ": the processes differ in " + what + " (" + values +
                    "): start every rank with the same command line and data");
}

#else // no Gloo headers at build time

bool distributedAvailable() { return false; }
bool ncclAvailable() { return false; }

struct ProcessGroup::Impl {};
ProcessGroup::ProcessGroup(LaunchInfo launch) : m_launch(std::move(launch)) {}
ProcessGroup::~ProcessGroup() = default;
std::string ProcessGroup::backend() const { return "none"; }

std::shared_ptr<ProcessGroup> ProcessGroup::join(const LaunchInfo& launch, std::chrono::milliseconds,
                                                 const torch::Device&)
{
    throw Error("rank " + std::to_string(launch.rank) +
                ": this build of cgpgan cannot join a torch.distributed run (it was built without Gloo's headers; "
                "install libgloo-dev and rebuild)");
}
void ProcessGroup::allReduceMean(torch::Tensor&) {}
void ProcessGroup::allReduceMean(std::vector<torch::Tensor>&) {}
void ProcessGroup::allReduceMax(torch::Tensor&) {}
void ProcessGroup::broadcast(std::vector<torch::Tensor>&, int) {}
bool ProcessGroup::any(bool flag) { return flag; }
void ProcessGroup::requireSame(uint64_t, const std::string&) {}

#endif

} // namespace cgpgan
