#include "cgpgan/error.h"

#include <new>

namespace cgpgan {

namespace {

std::string trimmed(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

} // namespace

std::string userMessage(const std::exception& e)
{
    if (dynamic_cast<const Error*>(&e)) {
        const std::string text = trimmed(e.what());
        return text.empty() ? std::string("unknown error") : text;
    }
    if (dynamic_cast<const std::bad_alloc*>(&e))
        return "out of memory (std::bad_alloc): make the data, batch or networks smaller";
    std::string text = e.what() ? e.what() : "";
    // c10::Error (libtorch 1.x and 2.x): the message, then a line starting
    // "Exception raised from" and the stack frames.
    const auto trace = text.find("Exception raised from ");
    if (trace != std::string::npos)
        text.erase(trace);
    text = trimmed(text);
    const auto newline = text.find('\n');
    if (newline != std::string::npos)
        text = trimmed(text.substr(0, newline));
    return text.empty() ? std::string("unknown error") : text;
}

} // namespace cgpgan
