#pragma once
// Shared by the libFuzzer targets (issue 11): the loaders read paths, so each
// input is written to a scratch file first. Only cgpgan::Error, the error
// every loader promises for bad input, is an expected outcome; anything else
// escaping (another exception, a crash, a sanitizer report) is a finding.
#include "cgpgan/error.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace cgpgan_fuzz {

// A folder of this process's own under $TMPDIR (or /tmp), made once.
inline const std::filesystem::path& scratchFolder()
{
    static const std::filesystem::path folder = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::filesystem::path f = std::filesystem::path(tmp && *tmp ? tmp : "/tmp")
            / ("cgpgan-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(f);
        spdlog::set_level(spdlog::level::off); // warnings on every input would drown the fuzzer's output
        return f;
    }();
    return folder;
}

// Writes the input to scratchFolder()/name and returns its path.
inline std::string writeInput(const std::string& name, const uint8_t* data, size_t size)
{
    const std::filesystem::path path = scratchFolder() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path.string();
}

// Runs f, accepting cgpgan::Error (the loaders' contract for bad input).
template <class F>
void expectOnlyOurErrors(F&& f)
{
    try {
        f();
    } catch (const cgpgan::Error&) {
    }
}

} // namespace cgpgan_fuzz
