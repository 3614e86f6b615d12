// Reading what dnsd sends to NOTIFY_SOCKET (tests/dnsd/primary/service_test.cpp,
// tests/e2e/systemd_test.cpp).
#pragma once

#include <optional>
#include <string>

namespace testsupport {

// The value of "KEY=" in a notification, one assignment a line (sd_notify(3)).
inline std::optional<std::string> notify_field(const std::string& message, const std::string& key) {
    std::size_t at = 0;
    while (at < message.size()) {
        std::size_t end = message.find('\n', at);
        if (end == std::string::npos) end = message.size();
        if (message.compare(at, key.size() + 1, key + "=") == 0)
            return message.substr(at + key.size() + 1, end - at - key.size() - 1);
        at = end + 1;
    }
    return std::nullopt;
}

}  // namespace testsupport
