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

} // namespace cgpgan
