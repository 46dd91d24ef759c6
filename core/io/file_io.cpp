#include "cgpgan/file_io.h"

#include "cgpgan/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace cgpgan {
namespace {

namespace fs = std::filesystem;

// An open descriptor, closed at most once.
class Descriptor final {
public:
    explicit Descriptor(int fd) : m_fd(fd) {}
    ~Descriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return m_fd; }
    // close(2)'s result: a delayed write error (NFS, quota) shows up here.
    int close()
    {
        const int fd = m_fd;
        m_fd = -1;
        return ::close(fd);
    }

private:
    int m_fd;
};

std::string cause() { return std::strerror(errno); }

// Writes every byte, retrying short writes and EINTR; false with errno set on failure.
bool writeAll(int fd, std::string_view bytes)
{
    const char* at = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, at, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (n == 0) { // should not happen for regular files; treat as full
            errno = ENOSPC;
            return false;
        }
        at += n;
        left -= size_t(n);
    }
    return true;
}

void writeInPlace(const std::string& path, std::string_view bytes, const std::string& what)
{
    const std::string failed = "cannot write " + what + " " + path + ": ";
    Descriptor fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (fd.get() < 0)
        throw Error(failed + cause());
    if (!writeAll(fd.get(), bytes))
        throw Error(failed + cause());
    if (fd.close() != 0)
        throw Error(failed + cause());
}

void syncFolder(const fs::path& folder)
{
    const std::string name = folder.empty() ? std::string(".") : folder.string();
    Descriptor fd(::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() >= 0)
        ::fsync(fd.get()); // best effort: some file systems refuse fsync on folders
}

} // namespace

void writeFileAtomically(const std::string& path, std::string_view bytes, const std::string& what,
                         Durability durability)
{
    if (path.empty())
        throw Error("cannot write " + what + ": no path given");
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            throw Error("cannot write " + what + " " + path + ": it is a folder");
        writeInPlace(path, bytes, what);
        return;
    }

    const fs::path target(path);
    if (target.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        if (ec)
            throw Error("cannot write " + what + " " + path + ": cannot create the folder " +
                        target.parent_path().string() + ": " + ec.message());
    }
    const std::string tmp = path + ".tmp";
    const auto fail = [&](const std::string& why) {
        ::unlink(tmp.c_str());
        throw Error("cannot write " + what + " " + path + ": " + why);
    };
    Descriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0)
        throw Error("cannot write " + what + " " + path + ": cannot create " + tmp + ": " + cause());
    if (!writeAll(fd.get(), bytes))
        fail(cause());
    if (durability == Durability::Synced && ::fsync(fd.get()) != 0)
        fail("fsync: " + cause());
    if (fd.close() != 0)
        fail(cause());
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        fail("renaming " + tmp + ": " + cause());
    if (durability == Durability::Synced)
        syncFolder(target.parent_path());
}

void requireRegularFile(const std::string& path, const std::string& what)
{
    const std::string named = what + " " + (path.empty() ? std::string("(no path given)") : path);
    if (path.empty())
        throw Error(what + ": no path given");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int error = errno;
        if (error == ENOENT)
            throw Error(named + " does not exist");
        if (error == ELOOP)
            throw Error(named + " is a loop of symbolic links: point it at a file");
        throw Error("cannot read " + named + ": " + std::strerror(error));
    }
    const char* kind = S_ISREG(st.st_mode)    ? nullptr
                       : S_ISDIR(st.st_mode)  ? "a folder"
                       : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    if (kind)
        throw Error(named + " is " + kind + ", not a regular file: give the path of a file");
}

} // namespace cgpgan
