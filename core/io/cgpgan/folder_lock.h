#pragma once
// One owner per run folder (issue 26): an advisory lock (flock) on
// <folder>/.cgpgan.lock, held while the object lives. The kernel drops it when
// the holder ends, however it ends, so a killed run never leaves a stale lock.
#include <string>

namespace cgpgan {

class FolderLock final {
public:
    // Takes the lock or throws Error naming the folder and the process that
    // holds it (its pid and command line, as it wrote them into the lock file).
    // `what` says what is taking it ("cgpgan train").
    FolderLock(const std::string& folder, const std::string& what);
    ~FolderLock();
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    int m_fd = -1;
};

} // namespace cgpgan
