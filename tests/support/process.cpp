// Child processes for end-to-end tests: fork and exec (so a child can be tied to the
// test's life), pipes drained by a thread, waits with deadlines.
#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace testsupport {

namespace {

std::vector<std::string> complete_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        lines.push_back(text.substr(start, nl - start));
    return lines;
}

}  // namespace

Process::Process(const std::string& program, const std::vector<std::string>& args) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        start_error_ = std::string("pipe: ") + std::strerror(errno);
        return;
    }
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        start_error_ = std::string("pipe: ") + std::strerror(errno);
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        return;
    }

    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // The child reports a failed exec through this pipe; a successful exec closes it.
    int exec_pipe[2];
    if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
        start_error_ = std::string("pipe: ") + std::strerror(errno);
        for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
        return;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        // If the test process dies without running its destructors (a crash, SIGPIPE on
        // its output), the servers it started must not live on: SIGTERM lets them stop
        // cleanly, NSD's own children included. Only async-signal-safe calls from here.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        ::execvp(argv[0], argv.data());
        int err = errno;
        [[maybe_unused]] ssize_t w = ::write(exec_pipe[1], &err, sizeof err);
        ::_exit(127);
    }
    ::close(exec_pipe[1]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    int exec_errno = 0;
    const bool exec_failed = pid > 0 && ::read(exec_pipe[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
    ::close(exec_pipe[0]);
    if (pid < 0 || exec_failed) {
        start_error_ = program + ": " + std::strerror(pid < 0 ? errno : exec_errno);
        if (exec_failed) ::waitpid(pid, nullptr, 0);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        return;
    }
    pid_ = pid;
    reader_ = std::thread([this, o = out_pipe[0], e = err_pipe[0]] { collect(o, e); });
}

void Process::collect(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open = 2;
    char buf[4096];
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mutex_);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            } else {
                (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
            }
            changed_.notify_all();
        }
    }
    for (const pollfd& p : fds)
        if (p.fd >= 0) ::close(p.fd);
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
}

Process::~Process() {
    if (started() && !status_) {
        ::kill(pid_, SIGKILL);
        wait(10s);
    }
    if (reader_.joinable()) reader_.join();
}

void Process::signal(int sig) {
    if (started() && !status_) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    if (!started()) return std::nullopt;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
        int st = 0;
        pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (r < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(5ms);
    }
    return status_;
}

std::optional<int> Process::stop(std::chrono::milliseconds timeout) {
    signal(SIGTERM);
    return wait(timeout);
}

std::string Process::out() const {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string Process::err() const {
    std::lock_guard lock(mutex_);
    return err_;
}

std::size_t Process::err_line_count() const {
    std::lock_guard lock(mutex_);
    return complete_lines(err_).size();
}

std::optional<std::string> Process::wait_for_line(std::string_view needle, std::chrono::milliseconds timeout,
                                                  std::size_t from) {
    std::unique_lock lock(mutex_);
    std::optional<std::string> found;
    auto seen = [&] {
        auto lines = complete_lines(err_);
        for (std::size_t i = from; i < lines.size(); ++i) {
            if (lines[i].find(needle) != std::string::npos) {
                found = lines[i];
                return true;
            }
        }
        return closed_;
    };
    changed_.wait_for(lock, timeout, seen);
    return found;
}

bool Process::wait_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return closed_; });
}

RunResult run(const std::string& program, const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    RunResult result;
    {
        Process p(program, args);
        if (!p.started()) {
            result.err = p.start_error();
            return result;
        }
        result.status = p.wait(timeout);
        if (!result.status) {
            p.signal(SIGKILL);
            p.wait(10s);
        }
        p.wait_closed(5s);
        result.out = p.out();
        result.err = p.err();
    }
    return result;
}

std::uint16_t port_of(std::string_view address) {
    auto colon = address.rfind(':');
    if (colon == std::string_view::npos) return 0;
    unsigned v = 0;
    auto tail = address.substr(colon + 1);
    auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), v);
    if (ec != std::errc() || end != tail.data() + tail.size() || v > 65535) return 0;
    return static_cast<std::uint16_t>(v);
}

std::optional<Ready> parse_ready(std::string_view line) {
    constexpr std::string_view head = "dnsd: ready on ";
    auto at = line.find(head);
    auto open = line.find(" (");
    if (at == std::string_view::npos || open == std::string_view::npos || line.back() != ')') return std::nullopt;
    Ready ready;
    ready.zones = std::string(line.substr(open + 2, line.size() - open - 3));
    std::string_view rest = line.substr(at + head.size(), open - at - head.size());
    while (!rest.empty()) {
        auto sp1 = rest.find(' ');
        if (sp1 == std::string_view::npos) return std::nullopt;
        std::string_view proto = rest.substr(0, sp1);
        rest.remove_prefix(sp1 + 1);
        auto sp2 = rest.find(' ');
        std::string addr(rest.substr(0, sp2));
        rest.remove_prefix(sp2 == std::string_view::npos ? rest.size() : sp2 + 1);
        if (proto == "udp")
            ready.udp.push_back(addr);
        else if (proto == "tcp")
            ready.tcp.push_back(addr);
        else
            return std::nullopt;
    }
    return ready;
}

Dnsd::Dnsd(const std::string& binary, const std::vector<std::string>& args, std::chrono::milliseconds timeout)
    : process_(binary, args) {
    if (auto line = process_.wait_for_line("dnsd: ready on ", timeout)) ready_ = parse_ready(*line);
}

pid_t gone_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

}  // namespace testsupport
