// The service manager's end of NOTIFY_SOCKET (sd_notify(3)), for the tests that read what
// dnsd tells systemd: tests/dnsd/primary/service_test.cpp (in this process) and
// tests/e2e/systemd_test.cpp (dnsd as a child).
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace testsupport {

// A datagram socket bound to a path, as systemd's. Whoever is to notify it needs
// NOTIFY_SOCKET=path() in its environment; the socket does not set it.
class NotifySocket {
public:
    explicit NotifySocket(std::string path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
        bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~NotifySocket() {
        if (fd_ >= 0) ::close(fd_);
    }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    bool bound() const { return bound_; }
    const std::string& path() const { return path_; }
    // The next notification, or nullopt after timeout.
    std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n < 0 ? std::nullopt : std::optional(std::string(buf, static_cast<std::size_t>(n)));
    }

private:
    std::string path_;
    int fd_ = -1;
    bool bound_ = false;
};

// CLOCK_MONOTONIC in microseconds: the clock of MONOTONIC_USEC (systemd 253+ pairs a
// RELOADING=1 with its reload request by it).
inline std::uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

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
