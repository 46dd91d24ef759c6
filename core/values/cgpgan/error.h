#pragma once
// The one exception type for expected failures (bad file, wrong shape, bad
// option). It carries a message a user can act on; the CLI prints it and
// exits non-zero, the UI shows it in a dialog (STYLE.md, "Errors").
#include <exception>
#include <stdexcept>
#include <string>

namespace cgpgan {

class Error final : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// The one way any exception becomes text for a person (the command line, the
// checkpoint and metrics code and the explorer all use it): an Error's message
// whole; another library's message without its backtrace (libtorch appends
// "Exception raised from ..." and its frames) and cut to its first line (a
// TorchScript parse error quotes a damaged file over many lines); bad_alloc
// named as memory. Never empty.
std::string userMessage(const std::exception& e);

} // namespace cgpgan
