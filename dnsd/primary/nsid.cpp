// dnsd --nsid: the text or the machine's hostname, checked and stored for respond().
#include "dnsd/primary/nsid.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>

namespace dnsd {

std::optional<zonegen::Diagnostic> set_nsid(AnswerOptions& options, std::string_view text) {
    std::string value(text);
    if (text == "hostname") {
        std::array<char, 256> name{};
        // POSIX leaves truncation unreported; the last byte stays 0 whatever happens.
        if (::gethostname(name.data(), name.size() - 1) != 0)
            return zonegen::Diagnostic{
                {}, std::string("--nsid hostname: cannot read the hostname: ") + std::strerror(errno)};
        value = name.data();
        if (value.empty()) return zonegen::Diagnostic{{}, "--nsid hostname: this machine's hostname is empty"};
    }
    if (value.empty()) return zonegen::Diagnostic{{}, "--nsid must not be empty (RFC 5001: nothing to identify)"};
    if (value.size() > AnswerOptions::kMaxNsid)
        return zonegen::Diagnostic{{},
                                   "--nsid \"" + value + "\" is " + std::to_string(value.size()) +
                                       " octets; at most " + std::to_string(AnswerOptions::kMaxNsid) +
                                       " fit beside any question in 512"};
    std::copy(value.begin(), value.end(), options.nsid.begin());
    options.nsid_length = static_cast<std::uint8_t>(value.size());
    return std::nullopt;
}

}  // namespace dnsd
