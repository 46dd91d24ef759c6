#pragma once
// The one exception type for expected failures (bad file, wrong shape, bad
// option). It carries a message a user can act on; the CLI prints it and
// exits non-zero, the UI shows it in a dialog (STYLE.md, "Errors").
#include <stdexcept>
#include <string>

namespace cgpgan {

class Error final : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

} // namespace cgpgan
