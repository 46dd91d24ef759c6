#include "cgpgan/folder_lock.h"

#include "cgpgan/error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace cgpgan {

namespace {

std::string readHolder(int fd)
{
    char text[512] = {};
    const ssize_t n = pread(fd, text, sizeof text - 1, 0);
    std::string holder = n > 0 ? std::string(text, size_t(n)) : std::string();
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0'))
        holder.pop_back();
    return holder.empty() ? std::string("another process") : holder;
}

} // namespace

FolderLock::FolderLock(const std::string& folder, const std::string& what)
    : m_path((std::filesystem::path(folder) / ".cgpgan.lock").string())
{
    m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (m_fd < 0)
        throw Error("cannot lock the run folder " + folder + " (" + m_path + ": " + std::strerror(errno) +
                    "): check that it is a folder you can write to");
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        const std::string holder = error == EWOULDBLOCK ? readHolder(m_fd) : std::string();
        ::close(m_fd);
        m_fd = -1;
        if (error == EWOULDBLOCK)
            throw Error("the run folder " + folder + " is in use by " + holder +
                        ": wait for it to end, or give this run another folder (--out)");
        throw Error("cannot lock the run folder " + folder + " (" + std::strerror(error) + ")");
    }
    // Who holds it, for the message a second writer gets.
    char exe[256] = {};
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    const std::string holder = "process " + std::to_string(::getpid()) + " (" + what +
                               (n > 0 ? std::string(", ") + std::string(exe, size_t(n)) : std::string()) + ")\n";
    if (::ftruncate(m_fd, 0) == 0)
        (void)!::pwrite(m_fd, holder.data(), holder.size(), 0);
}

FolderLock::~FolderLock()
{
    if (m_fd >= 0)
        ::close(m_fd); // releases the lock; the file stays (removing it would race a waiting taker)
}

} // namespace cgpgan
