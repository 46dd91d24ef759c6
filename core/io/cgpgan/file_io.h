#pragma once
// Writing files so that nothing is lost (issue 11): every write is checked
// through close, and a failure names the file and the cause.
#include <string>
#include <string_view>

namespace cgpgan {

enum class Durability {
    Normal, // flushed and closed: survives a crash of this process
    Synced, // also fsynced (file, then folder) before the rename: survives a power cut
};

// Replaces `path` with `bytes`, all or nothing: the bytes go to `path.tmp`
// (a stale one from a killed run is overwritten), which is checked through
// close, then renamed over `path`. Missing parent folders are created. When
// anything fails it throws Error("cannot write <what> <path>: <cause>", e.g.
// "No space left on device"), removes the temporary file and leaves `path`
// as it was. A path that exists and is not a regular file (/dev/stdout,
// /dev/full, a FIFO) is written in place, with the same checks.
void writeFileAtomically(const std::string& path, std::string_view bytes, const std::string& what,
                         Durability durability = Durability::Normal);

// Before a file is opened for reading (issue 26): path must name a regular
// file, symbolic links followed. A FIFO would block the read until killed, a
// device (/dev/zero) would never end, a folder is not a file: each is refused
// by name. Throws Error("<what> <path> is a FIFO (named pipe), not a regular
// file ..."), or says that it does not exist, is a symbolic link loop, or
// cannot be looked at (with the system's reason).
void requireRegularFile(const std::string& path, const std::string& what);

} // namespace cgpgan
