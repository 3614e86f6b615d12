// Child processes for end-to-end tests: start a program (dnsd, dig, kdig, drill) without a
// shell, collect its stdout and stderr as they come, wait for a stderr line with a bounded
// wait, and stop it by PID. A test only ever signals the processes it started.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace testsupport {

using namespace std::chrono_literals;

class Process {
public:
    // Starts program (looked up in PATH unless it contains '/') with args. stdin is
    // /dev/null; signal dispositions and mask are the defaults, whatever the test had.
    Process(const std::string& program, const std::vector<std::string>& args);
    ~Process();  // a child still running is killed (SIGKILL) and reaped
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    bool started() const { return pid_ > 0; }
    const std::string& start_error() const { return start_error_; }
    pid_t pid() const { return pid_; }

    void signal(int sig);
    // The exit status (128 + N if killed by signal N) once it exits; nullopt if it is still
    // running after timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    // SIGTERM, then wait.
    std::optional<int> stop(std::chrono::milliseconds timeout = 10s);

    std::string out() const;  // stdout so far
    std::string err() const;  // stderr so far
    std::size_t err_line_count() const;
    // The first complete stderr line at index from or later that contains needle; nullopt
    // if none arrives within timeout or stderr closes first.
    std::optional<std::string> wait_for_line(std::string_view needle, std::chrono::milliseconds timeout,
                                             std::size_t from = 0);
    // Waits until both pipes are closed (all output collected); false on timeout.
    bool wait_closed(std::chrono::milliseconds timeout);

private:
    void collect(int out_fd, int err_fd);

    pid_t pid_ = -1;
    std::optional<int> status_;
    std::string start_error_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string out_, err_;
    bool closed_ = false;  // both pipes reached EOF
    std::thread reader_;
};

struct RunResult {
    std::optional<int> status;  // nullopt: killed after the timeout
    std::string out, err;
};

// Runs a program to completion, killing it if it outlives timeout.
RunResult run(const std::string& program, const std::vector<std::string>& args,
              std::chrono::milliseconds timeout = 20s);

// dnsd's "dnsd: ready on udp A tcp A ... (zone serial N, ...)" line, taken apart.
struct Ready {
    std::vector<std::string> udp, tcp;  // "127.0.0.1:53531", "[::1]:53531"
    std::string zones;                  // "smarthost.local serial 2026112301"
};
std::optional<Ready> parse_ready(std::string_view line);
// The port of "127.0.0.1:53531" or "[::1]:53531"; 0 if there is none.
std::uint16_t port_of(std::string_view address);

// dnsd started with args, and its ready line awaited (bounded). Stopped, if still
// running, when it goes out of scope.
class Dnsd {
public:
    Dnsd(const std::string& binary, const std::vector<std::string>& args, std::chrono::milliseconds timeout = 10s);
    bool ready() const { return ready_.has_value(); }
    const Ready& info() const { return *ready_; }
    std::uint16_t port() const { return ready_ && !ready_->udp.empty() ? port_of(ready_->udp.front()) : 0; }
    Process& process() { return process_; }

private:
    Process process_;
    std::optional<Ready> ready_;
};

// The PID of a child that has exited and been reaped: a process that is gone, for tests of
// what a killed writer leaves behind (until the kernel reuses the number, far off).
pid_t gone_pid();

}  // namespace testsupport
